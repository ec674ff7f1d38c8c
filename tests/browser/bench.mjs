// Throughput of cem-wasm in headless Chromium. Run by hand after `make wasm`:
//   node tests/browser/bench.mjs            (prints JSON; not part of `make test`)
// Measures NpsAggregate.pushMany on a 1M Uint8Array, and per-response Survey.score and
// SurveyAggregate.push on plain answer objects. No thresholds: record the numbers.
import { readFileSync } from 'node:fs';
import { launchChromium, serve } from './server.mjs';

const N = Number(process.env.N ?? 1_000_000);
const PER = Number(process.env.PER_RESPONSE ?? 200_000);
const survey = readFileSync(new URL('../data/surveys/post_contact.json', import.meta.url), 'utf8');
const server = await serve();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  const result = await page.evaluate(({ N, PER, survey }) => {
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const time = (reps, f) => {
      const ms = [];
      for (let r = 0; r < reps; r++) { const t = performance.now(); f(); ms.push(performance.now() - t); }
      return { best_ms: Math.min(...ms), median_ms: median(ms) };
    };
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const scores = Uint8Array.from({ length: N }, () => Math.floor(rand() * 11));
    // 20 calls per timing: one 1M call is below the page timer's resolution.
    const REPS = 20;
    const pm = time(7, () => { const a = new cem.NpsAggregate(); for (let r = 0; r < REPS; r++) a.pushMany(scores); a.estimate(); a.free(); });
    const s = cem.Survey.fromJSON(survey);
    const answers = Array.from({ length: PER }, (_, i) => {
      const nps = scores[i];
      const a = { nps, csat: 1 + (i % 5), ces: 1 + (i % 7) };
      if (nps < 7) a.reason = ['wait', 'price', 'staff'][i % 3];
      if (i % 4 === 0) a.comment = 'could be faster';
      return a;
    });
    const sc = time(3, () => { for (const a of answers) s.score(a); });
    const pu = time(3, () => { const g = new cem.SurveyAggregate(s); for (const a of answers) g.push(a); g.summary(); g.free(); });
    const rate = (n, t) => Math.round(n / (t.best_ms / 1000));
    return {
      userAgent: navigator.userAgent,
      pushMany: { n: N * REPS, calls: REPS, ...pm, responses_per_s: rate(N * REPS, pm) },
      score: { n: PER, ...sc, responses_per_s: rate(PER, sc) },
      surveyAggregatePush: { n: PER, ...pu, responses_per_s: rate(PER, pu) },
    };
  }, { N, PER, survey });
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await server.close();
}
