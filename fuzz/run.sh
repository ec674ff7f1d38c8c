#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each with libFuzzer through cargo fuzz,
# on the stable toolchain (RUSTC_BOOTSTRAP=1 lets cargo fuzz pass its -Z flags; no sanitizer,
# since cem-core forbids unsafe code, but debug assertions on, so an integer overflow is a
# crash). Starts from tests/fuzz-corpus/<target>; prints each target's executions and fails on
# the first crash, naming the input to add to tests/fuzz-corpus as a regression.
#
#   fuzz/run.sh [--save] SECONDS [target...]
#   --save  merge the inputs that found new coverage back into tests/fuzz-corpus (make fuzz)
#   FUZZ_RUNS=N  stop each target after N executions (or SECONDS, whichever comes first)
set -euo pipefail
cd "$(dirname "$0")/.."
save=0
if [ "${1:-}" = "--save" ]; then save=1; shift; fi
seconds=${1:?usage: fuzz/run.sh [--save] SECONDS [target...]}
shift
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked
export RUSTC_BOOTSTRAP=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)

cargo fuzz build -s none -a
total=0
for t in "${targets[@]}"; do
  work=fuzz/corpus/$t
  mkdir -p "$work" "tests/fuzz-corpus/$t"
  cp -n tests/fuzz-corpus/"$t"/* "$work"/ 2>/dev/null || true
  log=fuzz/target/$t.log
  runs_flag=()
  [ -z "${FUZZ_RUNS:-}" ] || runs_flag=(-runs="$FUZZ_RUNS")
  start=$SECONDS
  if ! cargo fuzz run -s none -a "$t" "$work" -- -max_total_time="$seconds" -max_len=4096 \
      -dict=fuzz/json.dict -print_final_stats=1 "${runs_flag[@]}" >"$log" 2>&1; then
    grep -E 'panicked|ERROR|Test unit written|SUMMARY' "$log" | head -20
    echo "fuzz: target $t crashed — add the input above to tests/fuzz-corpus/$t, fix, rerun" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t ${runs:-?} executions in $((SECONDS - start))s, no crash (corpus $(ls "$work" | wc -l) inputs)"
  total=$((total + ${runs:-0}))
  if [ $save = 1 ]; then
    cargo fuzz run -s none -a "$t" "tests/fuzz-corpus/$t" "$work" -- -merge=1 >/dev/null 2>&1
    echo "fuzz: tests/fuzz-corpus/$t now holds $(ls "tests/fuzz-corpus/$t" | wc -l) inputs"
  fi
done
echo "fuzz: ${#targets[@]} targets, $total executions, 0 crashes"
