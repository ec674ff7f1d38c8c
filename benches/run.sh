#!/bin/sh
# Rust harness + pandas + polars peers on identical data, one invocation; see BENCHMARKS.md.
#   PYTHON=/path/to/python benches/run.sh --rows 10000000
set -eu
cd "$(dirname "$0")/.."
exec python3 benches/compare.py "$@"
