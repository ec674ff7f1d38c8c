//! Key-driver benchmarks (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench drivers -- [--rows N] [--drivers P] [--shapley-drivers Q]
//!     [--repeat R] [--seed S] [--json out.json] [--dump DIR]
//! ```
//!
//! Seeded survey-like data: N responses, P driver ratings on 1–10 sharing a common factor
//! (so the drivers correlate, as real ratings do), and an overall rating driven by them plus
//! noise. Times, on the same columns: Johnson's relative weights with all P drivers, exact
//! Shapley over the first Q drivers (2^Q subsets), and relative weights with 100 bootstrap
//! replicates on the first 100,000 rows. `--dump` writes the columns as one float64
//! little-endian file (`ratings.f64le`, column-major: the target, then the P drivers) and the
//! importances as `rust_drivers.json`, for `benches/compare_drivers.py`.

use std::path::PathBuf;
use std::process::ExitCode;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num, peak_rss_bytes};
use cem_core::drivers::{DriverMethod, DriverOptions, key_drivers, key_drivers_with};

struct Options {
    rows: usize,
    drivers: usize,
    shapley: usize,
    repeat: usize,
    seed: u64,
    json: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        rows: 1_000_000,
        drivers: 20,
        shapley: 12,
        repeat: 5,
        seed: 20_261_126,
        json: None,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        let num = |s: String| parse_num::<u64>(&s);
        match arg.as_str() {
            "--rows" => o.rows = num(value("--rows")?)? as usize,
            "--drivers" => o.drivers = num(value("--drivers")?)? as usize,
            "--shapley-drivers" => o.shapley = num(value("--shapley-drivers")?)? as usize,
            "--repeat" => o.repeat = num(value("--repeat")?)? as usize,
            "--seed" => o.seed = num(value("--seed")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--dump" => o.dump = Some(value("--dump")?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.shapley > o.drivers {
        return Err("--shapley-drivers must not exceed --drivers".into());
    }
    Ok(o)
}

/// The target, then the drivers.
fn generate(rows: usize, drivers: usize, seed: u64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut rng = SplitMix64::new(seed);
    let mut target = Vec::with_capacity(rows);
    let mut cols = vec![Vec::with_capacity(rows); drivers];
    let gauss = |rng: &mut SplitMix64| {
        (0..4).map(|_| rng.unit()).sum::<f64>() * 1.732_050_807_568_877 - 3.464_101_615_137_754
    };
    for _ in 0..rows {
        let common = gauss(&mut rng);
        let mut y = 0.0;
        for (j, col) in cols.iter_mut().enumerate() {
            let v = (6.0 + 1.5 * common + 1.8 * gauss(&mut rng))
                .round()
                .clamp(1.0, 10.0);
            y += v * (1.0 + (j % 5) as f64) / drivers as f64;
            col.push(v);
        }
        target.push(y + 2.0 * gauss(&mut rng));
    }
    (target, cols)
}

/// The first `k` items.
fn first<T>(items: &[T], k: usize) -> &[T] {
    items.get(..k).unwrap_or(items)
}

fn ms(t: &Timing) -> (f64, f64) {
    (t.median().as_secs_f64() * 1e3, t.min().as_secs_f64() * 1e3)
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let (target, cols) = generate(o.rows, o.drivers, o.seed);
    let names: Vec<String> = (0..o.drivers).map(|j| format!("d{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let target = target.as_slice();
    let drivers: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let (sh_drivers, sh_names) = (first(&drivers, o.shapley), first(&names, o.shapley));
    let err = |e: cem_core::Error| e.to_string();

    let rw = key_drivers(
        target,
        &drivers,
        &names,
        DriverMethod::RelativeWeights,
        None,
    )
    .map_err(err)?;
    let sh = key_drivers(target, sh_drivers, sh_names, DriverMethod::Shapley, None).map_err(err)?;
    if let Some(dir) = &o.dump {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let bytes: Vec<u8> = std::iter::once(target)
            .chain(drivers.iter().copied())
            .flatten()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        std::fs::write(dir.join("ratings.f64le"), bytes).map_err(|e| e.to_string())?;
        let summary = serde_json::json!({
            "rows": o.rows, "drivers": o.drivers, "shapley_drivers": o.shapley,
            "relative_weights": rw.rows.iter().map(|r| r.importance).collect::<Vec<_>>(),
            "r2": rw.r2,
            "beta": rw.rows.iter().map(|r| r.beta).collect::<Vec<_>>(),
            "shapley": sh.rows.iter().map(|r| r.importance).collect::<Vec<_>>(),
            "shapley_r2": sh.r2,
        });
        std::fs::write(dir.join("rust_drivers.json"), summary.to_string())
            .map_err(|e| e.to_string())?;
    }

    let t_rw = Timing::measure(o.repeat, || {
        key_drivers(
            target,
            &drivers,
            &names,
            DriverMethod::RelativeWeights,
            None,
        )
    });
    let t_sh = Timing::measure(o.repeat, || {
        key_drivers(target, sh_drivers, sh_names, DriverMethod::Shapley, None)
    });
    let boot_rows = o.rows.min(100_000);
    let small: Vec<&[f64]> = drivers.iter().map(|d| first(d, boot_rows)).collect();
    let small_target = first(target, boot_rows);
    let opts = DriverOptions {
        n_boot: 100,
        seed: 1,
        ..DriverOptions::default()
    };
    let t_boot = Timing::measure(o.repeat.min(3), || {
        key_drivers_with(
            small_target,
            &small,
            &names,
            DriverMethod::RelativeWeights,
            None,
            &opts,
        )
    });
    let t_sh20 = (o.drivers >= 20).then(|| {
        Timing::measure(1, || {
            key_drivers(
                small_target,
                first(&small, 20),
                first(&names, 20),
                DriverMethod::Shapley,
                None,
            )
        })
    });

    println!(
        "cem drivers harness: {} rows, {} drivers, Shapley over {}",
        o.rows, o.drivers, o.shapley
    );
    println!("cpu: {}", cpu_model().unwrap_or_default());
    let mut cases = vec![
        (format!("relative_weights_{}", o.drivers), ms(&t_rw)),
        (format!("shapley_{}", o.shapley), ms(&t_sh)),
        (
            format!("relative_weights_{}_boot100_{}rows", o.drivers, boot_rows),
            ms(&t_boot),
        ),
    ];
    if let Some(t) = &t_sh20 {
        cases.push((format!("shapley_20_{boot_rows}rows"), ms(t)));
    }
    for (name, (median, min)) in &cases {
        println!("{name:<40} median {median:>10.2} ms   min {min:>10.2} ms");
    }
    println!(
        "R² {:.6}; peak RSS {} MB",
        rw.r2,
        peak_rss_bytes().unwrap_or(0) / 1_000_000
    );
    if let Some(path) = &o.json {
        let json = serde_json::json!({
            "rows": o.rows, "drivers": o.drivers, "shapley_drivers": o.shapley,
            "cases": cases.iter().map(|(n, (med, min))| serde_json::json!({"name": n, "median_ms": med, "min_ms": min})).collect::<Vec<_>>(),
            "peak_rss_bytes": peak_rss_bytes(),
        });
        std::fs::write(path, json.to_string()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    cem_benches::exit(run())
}
