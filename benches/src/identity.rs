//! Identity-resolution benchmark (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench identity -- [--records N] [--repeat R] [--seed S] [--json out.json]
//! ```
//!
//! N seeded synthetic records (default 10M) of about N/3 people, each record holding an
//! e-mail (70 %, a fifth of them in upper case with stray spaces), a phone number (50 %,
//! three spellings of one number), a device id (40 %) and a CRM id (30 %); 0.1 % of the
//! records give a shared call-centre number (a hub). Times `resolve` with the default
//! options (hubs by customers, limit 50; country code 1), on the rayon pool (`parallel` feature).

use std::process::ExitCode;
use std::time::Instant;

use cem_benches::{SplitMix64, Timing, cpu_model, peak_rss_bytes};
use cem_core::identity::{KeyColumn, KeyKind, Options, resolve};

/// One string column stored as one buffer plus offsets (like Arrow), with a validity flag.
struct Strings {
    buf: String,
    ends: Vec<usize>,
    valid: Vec<bool>,
}

impl Strings {
    fn new(n: usize) -> Self {
        Strings {
            buf: String::with_capacity(n * 20),
            ends: Vec::with_capacity(n),
            valid: Vec::with_capacity(n),
        }
    }
    fn push(&mut self, value: Option<std::fmt::Arguments<'_>>) {
        use std::fmt::Write;
        if let Some(a) = value {
            let _ = self.buf.write_fmt(a);
        }
        self.valid.push(value.is_some());
        self.ends.push(self.buf.len());
    }
    fn column(&self) -> Vec<Option<&str>> {
        let mut start = 0;
        self.ends
            .iter()
            .zip(&self.valid)
            .map(|(&end, &ok)| {
                let s = self.buf.get(start..end);
                start = end;
                if ok { s } else { None }
            })
            .collect()
    }
}

fn generate(n: usize, seed: u64) -> [Strings; 4] {
    let mut rng = SplitMix64::new(seed);
    let people = (n / 3).max(1) as u64;
    let mut cols = [
        Strings::new(n),
        Strings::new(n),
        Strings::new(n),
        Strings::new(n),
    ];
    for _ in 0..n {
        let p = rng.below(people);
        let [email, phone, device, crm] = &mut cols;
        let q = 2_000_000_000 + p; // a ten-digit national number
        let r = rng.below(100);
        match r {
            0..=13 => email.push(Some(format_args!(" USER{p}@EXAMPLE.COM"))),
            14..=69 => email.push(Some(format_args!("user{p}@example.com"))),
            _ => email.push(None),
        }
        match rng.below(1000) {
            0 => phone.push(Some(format_args!("+1 800 555 0100"))),
            1..=166 => phone.push(Some(format_args!("+1 {q}"))),
            167..=333 => phone.push(Some(format_args!("({q})"))),
            334..=500 => phone.push(Some(format_args!("1-{q}"))),
            _ => phone.push(None),
        }
        let (r, k) = (rng.below(100), rng.below(2));
        if r < 40 {
            device.push(Some(format_args!("dev-{p}-{k}")));
        } else {
            device.push(None);
        }
        if rng.below(100) < 30 {
            crm.push(Some(format_args!("CRM{p}")));
        } else {
            crm.push(None);
        }
    }
    cols
}

fn main() -> ExitCode {
    let mut records = 10_000_000usize;
    let mut repeat = 3usize;
    let mut seed = 20_261_126u64;
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = |x: Option<String>| {
            x.map(|s| s.replace('_', ""))
                .and_then(|s| s.parse::<u64>().ok())
        };
        match a.as_str() {
            "--records" => records = v(args.next()).unwrap_or(records as u64) as usize,
            "--repeat" => repeat = v(args.next()).unwrap_or(repeat as u64) as usize,
            "--seed" => seed = v(args.next()).unwrap_or(seed),
            "--json" => json = args.next(),
            "--bench" => {}
            other => {
                eprintln!("unknown argument `{other}`");
                return ExitCode::FAILURE;
            }
        }
    }
    let t0 = Instant::now();
    let data = generate(records, seed);
    let cols: Vec<Vec<Option<&str>>> = data.iter().map(Strings::column).collect();
    println!("generated {records} records in {:.1?}", t0.elapsed());
    let names = ["email", "phone", "device_id", "crm_id"];
    let kinds = [KeyKind::Email, KeyKind::Phone, KeyKind::Id, KeyKind::Id];
    let keys: Vec<KeyColumn<'_>> = cols
        .iter()
        .zip(names)
        .zip(kinds)
        .map(|((c, n), k)| KeyColumn::new(n, k, c))
        .collect();
    let options = Options::default();
    let mut out = None;
    let timing = Timing::measure(repeat, || {
        let r = resolve(records, &keys, &options);
        if let Ok(r) = &r {
            out = Some((r.customer_count(), r.hubs().len()));
        }
        r.is_ok()
    });
    let (customers, hubs) = out.unwrap_or_default();
    let median = timing.median().as_secs_f64();
    println!(
        "resolve: {records} records x 4 keys -> {customers} customers, {hubs} hub values; median {median:.3} s, min {:.3} s ({:.1} M records/s); threads {}",
        timing.min().as_secs_f64(),
        records as f64 / median / 1e6,
        rayon::current_num_threads()
    );
    if let Some(rss) = peak_rss_bytes() {
        println!("peak RSS {:.2} GB", rss as f64 / 1e9);
    }
    if let Some(path) = json {
        let doc = serde_json::json!({
            "bench": "identity", "records": records, "customers": customers, "hubs": hubs,
            "median_s": median, "min_s": timing.min().as_secs_f64(),
            "runs_s": timing.runs.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>(),
            "cpu": cpu_model(), "threads": rayon::current_num_threads(),
        });
        if let Err(e) = std::fs::write(&path, doc.to_string()) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
