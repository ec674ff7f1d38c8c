// Throughput of the opt-in journey package (cem-journey) in headless Chromium, side by side
// with the naive hand-written JS in journey_reference.mjs on the same log, in one run.
// Run by hand after `make wasm`:   node tests/browser/bench_journey.mjs   (prints JSON)
// N (events, default 1,000,000; ~10 per customer over 8 touchpoints). No thresholds.
import { readFileSync } from 'node:fs';
import { launchChromium, serve } from './server.mjs';

const N = Number(process.env.N ?? 1_000_000);
// The reference as a classic script: its exported functions become properties of window.ref.
const source = readFileSync(new URL('./journey_reference.mjs', import.meta.url), 'utf8');
const names = [...source.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
const reference = `(() => {\n${source.replace(/^export /gm, '')}\nObject.assign(window.ref, { ${names.join(', ')} });\n})();`;
const server = await serve();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.addScriptTag({ content: `window.ref = {};\n${reference}` });
  await page.evaluate(async () => {
    const mod = await import('/pkg-journey/cem_journey.js');
    await mod.default();
    window.cj = mod;
  });
  const result = await page.evaluate((N) => {
    const { ref, cj } = window;
    const log = ref.syntheticLog(1, Math.round(N / 6.5)); // 6.5 events per customer on average
    const steps = ['home', 'product', 'cart', 'pay'];
    const time = (reps, f) => {
      const ms = [];
      let out;
      for (let r = 0; r < reps; r++) { const t = performance.now(); out = f(); ms.push(performance.now() - t); }
      return { best_ms: Math.min(...ms), out };
    };
    const build = time(3, () => new cj.EventLog(log.customers, log.touchpoints, log.times));
    const el = build.out;
    const wasm = {
      build: build.best_ms,
      dfg: time(3, () => el.dfg()).best_ms,
      variants: time(3, () => el.variants()).best_ms,
      funnel: time(3, () => el.funnel(steps, 1800)).best_ms,
      removal_effects: time(3, () => el.removalEffects('pay')).best_ms,
    };
    const journeys = time(3, () => ref.journeys(log));
    const js = journeys.out;
    const naive = {
      build: journeys.best_ms,
      dfg: time(3, () => ref.dfg(js)).best_ms,
      variants: time(3, () => ref.variants(js)).best_ms,
      funnel: time(3, () => ref.funnel(js, steps, 1800)).best_ms,
      removal_effects: time(3, () => ref.removalEffects(js, 'pay')).best_ms,
    };
    return { events: log.customers.length, customers: el.customerCount, touchpoints: el.touchpoints.length, wasm, naive_js: naive };
  }, N);
  result.ratio_naive_over_wasm = Object.fromEntries(Object.keys(result.wasm).map((k) => [k, +(result.naive_js[k] / result.wasm[k]).toFixed(2)]));
  console.log(JSON.stringify({ chromium: browser.version(), ...result }, null, 2));
} finally {
  await browser.close();
  await server.close();
}
