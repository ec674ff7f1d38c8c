// Throughput of the opt-in sentiment package (cem-sentiment) in Node and in headless
// Chromium, side by side with vaderSentiment 3.3.2 in Python on the same sentences, in one
// run; checks every score is identical. Run by hand after `make wasm` (prints JSON):
//   PYTHON=.venv/bin/python node tests/browser/bench_sentiment.mjs
// N sentences (default 100,000) from benches/compare_text.py's seeded generator. No thresholds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, sentimentDir, serve } from './server.mjs';

const N = Number(process.env.N ?? 100_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const python = process.env.PYTHON ?? `${root}.venv/bin/python`;
const dir = mkdtempSync(join(tmpdir(), 'cem-bench-sentiment-'));
const KEYS = ['neg', 'neu', 'pos', 'compound'];

// vaderSentiment: writes the sentences and its scores, times polarity_scores (one run: slow).
const peer = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(`${root}benches`)})
from compare_text import sentences
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
texts = sentences(${N})
vader = SentimentIntensityAnalyzer()
t = time.perf_counter()
scores = [vader.polarity_scores(s) for s in texts]
seconds = time.perf_counter() - t
json.dump({"texts": texts, "scores": scores, "seconds": seconds}, open(${JSON.stringify(join(dir, 'peer.json'))}, "w"))
`;
try {
  execFileSync(python, ['-c', peer], { stdio: 'inherit' });
  const { texts, scores, seconds } = JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8'));
  const best = (reps, f) => {
    let ms = Infinity, out;
    for (let r = 0; r < reps; r++) { const t = performance.now(); out = f(); ms = Math.min(ms, performance.now() - t); }
    return { ms, out };
  };
  const cs = await import(`${sentimentDir}/cem_sentiment.js`);
  cs.initSync({ module: readFileSync(`${sentimentDir}/cem_sentiment_bg.wasm`) });
  const node = best(3, () => cs.sentimentColumns(texts));
  let differ = 0;
  scores.forEach((want, i) => { if (KEYS.some((k) => node.out[k][i] !== want[k])) differ += 1; });

  const server = await serve();
  const browser = await launchChromium();
  let chromiumMs;
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    chromiumMs = await page.evaluate(async (texts) => {
      const mod = await import('/pkg-sentiment/cem_sentiment.js');
      await mod.default();
      let ms = Infinity;
      for (let r = 0; r < 3; r++) { const t = performance.now(); mod.sentimentColumns(texts); ms = Math.min(ms, performance.now() - t); }
      return ms;
    }, texts);
  } finally {
    await browser.close();
    await server.close();
  }
  const rate = (ms) => Math.round(N / (ms / 1000));
  console.log(JSON.stringify({
    sentences: N, differing_scores: differ,
    vader_python_s: +seconds.toFixed(3), vader_per_s: Math.round(N / seconds),
    node_wasm_s: +(node.ms / 1000).toFixed(3), node_per_s: rate(node.ms), node_ratio: +((seconds * 1000) / node.ms).toFixed(1),
    chromium_wasm_s: +(chromiumMs / 1000).toFixed(3), chromium_per_s: rate(chromiumMs), chromium_ratio: +((seconds * 1000) / chromiumMs).toFixed(1),
  }, null, 1));
  if (differ) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
