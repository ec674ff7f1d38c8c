//! Benchmarks live in src/metrics.rs (harness = false).
