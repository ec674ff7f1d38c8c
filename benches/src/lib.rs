//! Shared pieces of the cem benchmark harness: a tiny deterministic PRNG, the workloads'
//! data, timing, and the raw little-endian files the Python peers read.
//!
//! The harness itself is `src/metrics.rs` (`harness = false`); see `BENCHMARKS.md`.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// SplitMix64: small, fast, and the same on every platform, so every run (and every peer
/// reading the dumped files) sees identical data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw from `0..n` (Lemire's multiply-shift; the bias is below 2⁻³² here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform draw from [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The survey-response columns of the benchmark workloads.
#[derive(Debug, Clone, Default)]
pub struct Responses {
    /// NPS answers, 0–10.
    pub scores: Vec<u8>,
    /// Segment codes, `0..segments`.
    pub segments: Vec<u32>,
    /// Unix timestamps in seconds, uniform over the span (not sorted).
    pub times: Vec<i64>,
    /// Survey weights in [0.5, 2).
    pub weights: Vec<f64>,
}

/// 2023-01-01T00:00:00Z.
pub const START: i64 = 1_672_531_200;
/// 2025-01-01T00:00:00Z: two years, 24 months.
pub const END: i64 = 1_735_689_600;

impl Responses {
    /// `rows` responses over `segments` segments and the 24 months from 2023-01-01 (UTC),
    /// from seed `seed`. Segment `k` has promoters with probability 0.30 + 0.015·k and
    /// detractors with probability 0.35 − 0.01·k, so NPS differs by segment.
    pub fn generate(rows: usize, segments: u32, seed: u64) -> Responses {
        let mut rng = SplitMix64::new(seed);
        let mut out = Responses {
            scores: Vec::with_capacity(rows),
            segments: Vec::with_capacity(rows),
            times: Vec::with_capacity(rows),
            weights: Vec::with_capacity(rows),
        };
        let span = (END - START) as u64;
        for _ in 0..rows {
            let seg = rng.below(u64::from(segments)) as u32;
            let (p_prom, p_det) = (0.30 + 0.015 * f64::from(seg), 0.35 - 0.01 * f64::from(seg));
            let u = rng.unit();
            let score = if u < p_det {
                rng.below(7) as u8
            } else if u < 1.0 - p_prom {
                7 + rng.below(2) as u8
            } else {
                9 + rng.below(2) as u8
            };
            out.scores.push(score);
            out.segments.push(seg);
            out.times.push(START + rng.below(span) as i64);
            out.weights.push(0.5 + 1.5 * rng.unit());
        }
        out
    }

    /// Bytes the three unweighted columns take.
    pub fn input_bytes(&self) -> usize {
        self.scores.len() + 4 * self.segments.len() + 8 * self.times.len()
    }

    /// Writes `scores.u8`, `segments.u32le`, `times.i64le` and `weights.f64le` into `dir`.
    ///
    /// # Errors
    /// Any I/O error.
    pub fn dump(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join("scores.u8"), &self.scores)?;
        write_le(
            dir,
            "segments.u32le",
            self.segments.iter().map(|v| v.to_le_bytes()),
        )?;
        write_le(
            dir,
            "times.i64le",
            self.times.iter().map(|v| v.to_le_bytes()),
        )?;
        write_le(
            dir,
            "weights.f64le",
            self.weights.iter().map(|v| v.to_le_bytes()),
        )
    }
}

fn write_le<const N: usize>(
    dir: &Path,
    name: &str,
    values: impl Iterator<Item = [u8; N]>,
) -> io::Result<()> {
    let mut f = io::BufWriter::new(fs::File::create(dir.join(name))?);
    for v in values {
        f.write_all(&v)?;
    }
    f.flush()
}

/// Wall times of repeated runs of one case.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Every timed run, in order.
    pub runs: Vec<Duration>,
}

impl Timing {
    /// Runs `f` once untimed (warm-up), then `repeat` times timed.
    pub fn measure<T>(repeat: usize, mut f: impl FnMut() -> T) -> Timing {
        std::hint::black_box(f());
        let runs = (0..repeat.max(1))
            .map(|_| {
                let t0 = Instant::now();
                std::hint::black_box(f());
                t0.elapsed()
            })
            .collect();
        Timing { runs }
    }

    /// The median run (the upper one of the middle two).
    pub fn median(&self) -> Duration {
        let mut v = self.runs.clone();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }

    /// The fastest run.
    pub fn min(&self) -> Duration {
        self.runs.iter().min().copied().unwrap_or_default()
    }
}

/// The peak resident set size of this process so far (`VmHWM`), in bytes, where Linux
/// reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The CPU model from `/proc/cpuinfo`, if any.
pub fn cpu_model() -> Option<String> {
    let info = fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// A number from a command-line value; `_` separators are allowed (`10_000_000`).
pub fn parse_num<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))
}

/// The exit of a bench's `main`: success, or the error on stderr and a failure status.
///
/// ```
/// assert_eq!(cem_benches::exit(Ok(())), std::process::ExitCode::SUCCESS);
/// ```
pub fn exit(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
