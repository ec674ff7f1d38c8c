// Throughput of the orchestrate package in Node: `decide` per interaction and `feed` in
// batches of 1000, on a synthetic stream (N interactions, 10k customers, four triggers with
// sampling, quarantine and caps). Run after `make wasm`: node tests/browser/bench_orchestrate.mjs
import { readFileSync } from 'node:fs';
import { orchestrateDir } from './server.mjs';

const co = await import(`${orchestrateDir}/cem_orchestrate.js`);
co.initSync({ module: readFileSync(`${orchestrateDir}/cem_orchestrate_bg.wasm`) });

const N = Number(process.env.N ?? 200_000);
const RULES = {
  seed: 1, quarantine: { for: '7d' }, caps: [{ max: 2, per: '30d' }],
  triggers: [
    { id: 'failed', survey: 'ces', outcomes: ['failed'], priority: 5 },
    { id: 'call', survey: 'nps', touchpoints: ['call'], sample: 0.5, delay: '1h' },
    { id: 'app', survey: 'csat', touchpoints: ['app_open'], sample: 0.3 },
    { id: 'checkout', survey: 'csat', touchpoints: ['checkout'], sample: 0.2 },
  ],
};
const TPS = ['call', 'checkout', 'app_open', 'delivery'];
let t = Date.UTC(2026, 0, 1);
const events = Array.from({ length: N }, (_, i) => {
  t += 1000 + (i % 7) * 500;
  return { customer: `c${(i * 7919) % 10_000}`, time: t, touchpoint: TPS[i % 4], outcome: i % 11 === 0 ? 'failed' : 'ok' };
});

function run(label, f) {
  const o = co.Orchestrator.fromRules(RULES);
  const start = performance.now();
  const decisions = f(o);
  const ms = performance.now() - start;
  console.log(`${label}: ${N} interactions, ${decisions} decisions in ${ms.toFixed(0)} ms = ${Math.round(N / ms * 1000).toLocaleString('en')} interactions/s`);
  o.free();
}
run('decide(event)', (o) => events.reduce((n, e) => n + o.decide(e).length, 0));
run('feed(1000 events)', (o) => {
  let n = 0;
  for (let i = 0; i < N; i += 1000) n += o.feed(events.slice(i, i + 1000)).length;
  return n;
});
