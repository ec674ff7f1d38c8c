// Fit times of the opt-in CLV package (cem-clv) in Node and in headless Chromium, side by side
// with lifetimes 0.11.3 on the same CDNOW summary (2,357 customers), in one run. Run by hand
// after `make wasm` with a Python that has lifetimes (it needs pandas < 3; see DESIGN.md):
//   PYTHON=/tmp/oracle/bin/python node tests/browser/bench_clv.mjs
// Prints JSON: best of REPS (default 3) for cem-clv, one run for lifetimes. No thresholds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clvDir, launchChromium, serve } from './server.mjs';

const REPS = Number(process.env.REPS ?? 3);
const root = fileURLToPath(new URL('../..', import.meta.url));
const python = process.env.PYTHON ?? `${root}.venv/bin/python`;
const file = `${root}tests/data/clv/cdnow_customers_summary_with_transactions.csv`;

const [, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
const rows = lines.map((l) => l.split(',').map(Number));
const [x, tx, t, zbar] = [1, 2, 3, 4].map((j) => rows.map((r) => r[j]));

// lifetimes: one timed fit each (the Pareto/NBD fit is slow), and its parameters.
const peer = `
import json, time, warnings
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
import lifetimes
warnings.simplefilter("ignore")
d = pd.read_csv(${JSON.stringify(file)})
out = {"version": lifetimes.__version__}
def timed(name, fit):
    s = time.perf_counter(); m = fit(); out[name] = {"ms": (time.perf_counter() - s) * 1000, "params": {k: float(v) for k, v in m.params_.items()}}
timed("bg_nbd", lambda: BetaGeoFitter().fit(d["x"], d["t_x"], d["T"]))
r = d[d["x"] > 0]
timed("gamma_gamma", lambda: GammaGammaFitter().fit(r["x"], r["zbar"]))
timed("pareto_nbd", lambda: ParetoNBDFitter().fit(d["x"], d["t_x"], d["T"]))
print(json.dumps(out))
`;
const lifetimes = JSON.parse(execFileSync(python, ['-c', peer], { encoding: 'utf8' }));

/** The timed calls, as text so the same code runs in Node and in the page. */
const BENCH = `(cv, x, tx, t, zbar, reps) => {
  const best = (f) => { let ms = Infinity, out; for (let r = 0; r < reps; r++) { const s = performance.now(); out = f(); ms = Math.min(ms, performance.now() - s); } return { ms, out }; };
  const repeat = x.map((_, i) => i).filter((i) => x[i] > 0);
  const fx = repeat.map((i) => x[i]), fm = repeat.map((i) => zbar[i]);
  const bg = best(() => cv.BetaGeo.fit(x, tx, t));
  const gg = best(() => cv.GammaGamma.fit(fx, fm));
  const pn = best(() => cv.ParetoNBD.fit(x, tx, t));
  const alive = best(() => bg.out.pAlive(x, tx, t));
  const predict = best(() => bg.out.predict(52, x, tx, t));
  const clv = best(() => bg.out.lifetimeValue(gg.out, x, tx, t, zbar, { freq: 'W' }));
  return {
    bg_nbd: { ms: bg.ms, params: bg.out.params }, gamma_gamma: { ms: gg.ms, params: gg.out.params },
    pareto_nbd: { ms: pn.ms, params: pn.out.params },
    p_alive_ms: alive.ms, predict_ms: predict.ms, lifetime_value_ms: clv.ms,
  };
}`;

const cv = await import(`${clvDir}/cem_clv.js`);
cv.initSync({ module: readFileSync(`${clvDir}/cem_clv_bg.wasm`) });
const node = eval(BENCH)(cv, x, tx, t, zbar, REPS); // eslint-disable-line no-eval

const server = await serve();
const browser = await launchChromium();
let chromium;
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  chromium = await page.evaluate(async ([bench, data, reps]) => {
    const mod = await import('/pkg-clv/cem_clv.js');
    await mod.default();
    return eval(bench)(mod, ...data, reps); // eslint-disable-line no-eval
  }, [BENCH, [x, tx, t, zbar], REPS]);
} finally {
  await browser.close();
  await server.close();
}

const ratio = (model) => ({
  node: lifetimes[model].ms / node[model].ms,
  chromium: lifetimes[model].ms / chromium[model].ms,
});
console.log(JSON.stringify({
  customers: x.length, reps: REPS, lifetimes, node, chromium,
  speedup_vs_lifetimes: { bg_nbd: ratio('bg_nbd'), gamma_gamma: ratio('gamma_gamma'), pareto_nbd: ratio('pareto_nbd') },
}, null, 1));
