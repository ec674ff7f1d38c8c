//! CLV fit benchmarks (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench clv -- [--customers N] [--repeat R] [--seed S]
//! ```
//!
//! Seeded customers drawn from the BG/NBD and Gamma-Gamma models with CDNOW-like parameters,
//! as `benches/compare_clv.py` draws them (T 30..730 whole days, recency in whole days, spend
//! rounded to cents; a different generator, so not the same rows). Times the BG/NBD fit, the
//! Gamma-Gamma fit on the repeat customers, and both together (the Python comparison's case).

use std::process::ExitCode;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num, peak_rss_bytes};
use cem_core::clv::{BetaGeo, GammaGamma};

struct Options {
    customers: usize,
    repeat: usize,
    seed: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        customers: 1_000_000,
        repeat: 5,
        seed: 20_261_126,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        let num = |s: String| parse_num::<u64>(&s);
        match arg.as_str() {
            "--customers" => o.customers = num(value("--customers")?)? as usize,
            "--repeat" => o.repeat = num(value("--repeat")?)? as usize,
            "--seed" => o.seed = num(value("--seed")?)?,
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u = 1.0 - rng.unit();
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 by the power trick).
fn gamma(rng: &mut SplitMix64, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.unit();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let z = normal(rng);
        let v = (1.0 + c * z).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.unit();
        if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Frequency, recency, T (days) and mean repeat spend per customer.
struct Customers {
    frequency: Vec<f64>,
    recency: Vec<f64>,
    age: Vec<f64>,
    monetary: Vec<f64>,
}

/// BG/NBD (r 0.25, α 30 days, a 0.8, b 2.4) and Gamma-Gamma (p 6.25, q 3.74, v 15.45).
fn generate(n: usize, seed: u64) -> Customers {
    let mut rng = SplitMix64::new(seed);
    let mut c = Customers {
        frequency: Vec::with_capacity(n),
        recency: Vec::with_capacity(n),
        age: Vec::with_capacity(n),
        monetary: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let lam = gamma(&mut rng, 0.25) / 30.0;
        let (ga, gb) = (gamma(&mut rng, 0.8), gamma(&mut rng, 2.4));
        let p = ga / (ga + gb);
        let age = (30 + rng.below(701)) as f64;
        let (mut t, mut x, mut last) = (0.0, 0.0, 0.0);
        loop {
            t += -(1.0 - rng.unit()).ln() / lam;
            if t > age {
                break;
            }
            x += 1.0;
            last = t;
            if rng.unit() < p {
                break;
            }
        }
        let mut recency = f64::floor(last);
        if recency == 0.0 {
            x = 0.0; // a repeat purchase on the first day collapses into it
        }
        if x == 0.0 {
            recency = 0.0;
        }
        let spend = if x > 0.0 {
            let nu = gamma(&mut rng, 3.74) / 15.45;
            (gamma(&mut rng, 6.25 * x) / (nu * x) * 100.0).round() / 100.0
        } else {
            0.0
        };
        c.frequency.push(x);
        c.recency.push(recency);
        c.age.push(age);
        c.monetary.push(spend);
    }
    c
}

/// CPU time of the process so far (all threads, user + system), from `/proc/self/stat`, in
/// milliseconds (assuming Linux's usual 100 ticks per second); 0 where unavailable.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesized command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() * 10.0
}

/// Wall times of `repeat` runs and the mean CPU time per run.
fn measure<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Timing, f64) {
    std::hint::black_box(f());
    let c0 = cpu_ms();
    let t = Timing::measure(repeat, &mut f);
    // Timing::measure runs once more untimed (warm-up).
    (t, (cpu_ms() - c0) / (repeat.max(1) + 1) as f64)
}

fn ms(t: &Timing) -> (f64, f64) {
    (t.median().as_secs_f64() * 1e3, t.min().as_secs_f64() * 1e3)
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let c = generate(o.customers, o.seed);
    let (repeat_x, repeat_m): (Vec<f64>, Vec<f64>) = c
        .frequency
        .iter()
        .zip(&c.monetary)
        .filter(|(x, _)| **x > 0.0)
        .map(|(x, m)| (*x, *m))
        .unzip();
    let err = |e: cem_core::Error| e.to_string();
    let bg = BetaGeo::default()
        .fit(&c.frequency, &c.recency, &c.age, None)
        .map_err(err)?;
    let gg = GammaGamma::default()
        .fit(&repeat_x, &repeat_m, None)
        .map_err(err)?;
    let t_bg = measure(o.repeat, || {
        BetaGeo::default().fit(&c.frequency, &c.recency, &c.age, None)
    });
    let t_gg = measure(o.repeat, || {
        GammaGamma::default().fit(&repeat_x, &repeat_m, None)
    });
    let t_both = measure(o.repeat, || {
        let bg = BetaGeo::default().fit(&c.frequency, &c.recency, &c.age, None);
        let gg = GammaGamma::default().fit(&repeat_x, &repeat_m, None);
        (bg, gg)
    });
    println!(
        "cem clv harness: {} customers ({} repeat), seed {}",
        o.customers,
        repeat_x.len(),
        o.seed
    );
    println!("cpu: {}", cpu_model().unwrap_or_default());
    for (name, (t, cpu)) in [
        ("bg_nbd_fit", &t_bg),
        ("gamma_gamma_fit", &t_gg),
        ("bg_nbd_plus_gamma_gamma_fit", &t_both),
    ] {
        let (median, min) = ms(t);
        println!("{name:<32} median {median:>9.2} ms   min {min:>9.2} ms   CPU {cpu:>9.2} ms/run");
    }
    let (bp, gp) = (bg.params(), gg.params());
    let (br, gr) = (bg.report(), gg.report());
    println!(
        "BG/NBD r {:.6} alpha {:.4} a {:.6} b {:.6}; objective {:.12}, {} iterations",
        bp.r,
        bp.alpha,
        bp.a,
        bp.b,
        br.map_or(f64::NAN, |r| r.objective),
        br.map_or(0, |r| r.iterations)
    );
    println!(
        "Gamma-Gamma p {:.6} q {:.6} v {:.6}; objective {:.12}, {} iterations",
        gp.p,
        gp.q,
        gp.v,
        gr.map_or(f64::NAN, |r| r.objective),
        gr.map_or(0, |r| r.iterations)
    );
    println!("peak RSS {} MB", peak_rss_bytes().unwrap_or(0) / 1_000_000);
    Ok(())
}

fn main() -> ExitCode {
    cem_benches::exit(run())
}
