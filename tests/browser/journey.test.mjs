// The opt-in journey package (cem-wasm/pkg-journey, module cem_journey): its EventLog in Node
// and in headless Chromium against the independent reference in journey_reference.mjs, bad
// input as Errors with a code, the size budgets of both packages, and the core package's
// API left as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { journeyDir, openPackagePage, pkgDir } from './server.mjs';
import * as ref from './journey_reference.mjs';

const cj = await import(`${journeyDir}/cem_journey.js`);
cj.initSync({ module: readFileSync(`${journeyDir}/cem_journey_bg.wasm`) });

const LOG = ref.syntheticLog(7, 400);
const JS = ref.journeys(LOG);
const STEPS = ['home', 'product', 'cart', 'pay'];
const WITHIN = 1800;
const close = (a, b, what, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Deep equality with numbers equal to 1e-12 relative (seconds from ms round differently). */
function near(a, b, path = '') {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
  } else if (a && typeof a === 'object') {
    assert.deepEqual(Object.keys(a), Object.keys(b), path);
    for (const k of Object.keys(a)) near(a[k], b[k], `${path}.${k}`);
  } else {
    assert.equal(a, b, path);
  }
}

/** Everything the tests compare, computed by the package (runs in Node and in the page). */
function analyse(mod, log) {
  const el = new mod.EventLog(log.customers, log.touchpoints, log.times);
  const out = {
    events: el.events, customerCount: el.customerCount, touchpoints: el.touchpoints, timeUnit: el.timeUnit,
    dfg: el.dfg(), starts: el.starts(), ends: el.ends(), variants: el.variants(), top3: el.variants(3),
    funnel: el.funnel(['home', 'product', 'cart', 'pay']), window: el.funnel(['home', 'product', 'cart', 'pay'], 1800),
    next: el.nextStep('cart'), paths: el.paths('cart', null, 3), effects: el.removalEffects('pay'),
    sessions: Array.from(el.sessionIds(900)), defaultSessions: Array.from(el.sessionIds()),
  };
  el.free();
  return out;
}

/** Asserts `got` (from analyse) against the reference. */
function check(got) {
  assert.equal(got.events, LOG.customers.length);
  assert.equal(got.customerCount, JS.size);
  assert.equal(got.timeUnit, 's');
  assert.deepEqual([...got.touchpoints].sort(), [...new Set(LOG.touchpoints)].sort());

  const edges = ref.dfg(JS);
  assert.equal(got.dfg.length, edges.size);
  for (const e of got.dfg) {
    const want = edges.get(`${e.source}→${e.target}`);
    assert.ok(want, `edge ${e.source}→${e.target} not in the reference`);
    assert.equal(e.count, want.count);
    assert.equal(e.customers, want.customers);
    close(e.mean_duration, want.mean, `mean ${e.source}→${e.target}`);
    close(e.median_duration, want.median, `median ${e.source}→${e.target}`);
  }
  assert.equal(got.dfg.reduce((s, e) => s + e.count, 0), LOG.customers.length - JS.size);

  for (const [list, end] of [[got.starts, false], [got.ends, true]]) {
    assert.deepEqual(new Map(list.map((x) => [x.touchpoint, x.customers])), ref.boundary(JS, end));
  }

  const variants = ref.variants(JS);
  assert.equal(got.variants.length, variants.size);
  for (const v of got.variants) {
    assert.equal(v.count, variants.get(v.steps.join(',')), v.steps.join(','));
    close(v.share, v.count / JS.size, 'share');
  }
  for (let i = 1; i < got.variants.length; i++) assert.ok(got.variants[i - 1].count >= got.variants[i].count);
  assert.deepEqual(got.top3, got.variants.slice(0, 3));

  for (const [f, within] of [[got.funnel, null], [got.window, WITHIN]]) {
    const want = ref.funnel(JS, STEPS, within);
    assert.equal(f.within, within);
    assert.deepEqual(f.steps.map((s) => s.touchpoint), STEPS);
    f.steps.forEach((s, j) => {
      assert.equal(s.customers, want[j].customers, `step ${j} within ${within}`);
      close(s.from_start, want[j].customers / want[0].customers, 'from_start');
      close(s.from_previous, j === 0 ? 1 : want[j].customers / want[j - 1].customers, 'from_previous');
      if (j === 0) { assert.equal(s.time, null); return; }
      close(s.time.median, ref.percentile(want[j].times, 0.5), `median time ${j}`);
      close(s.time.p90, ref.percentile(want[j].times, 0.9), `p90 time ${j}`);
      assert.equal(s.time.min, Math.min(...want[j].times));
      assert.equal(s.time.max, Math.max(...want[j].times));
      assert.equal(s.time.histogram.reduce((a, [, k]) => a + k, 0), want[j].customers);
      assert.equal(s.time.histogram[0][0], s.time.min);
    });
    assert.ok(want[3].customers > 0, 'the log reaches the last step');
  }
  assert.ok(got.window.steps[3].customers < got.funnel.steps[3].customers, 'the window binds');

  const next = ref.nextStep(JS, 'cart');
  assert.equal(got.next.length, next.size);
  for (const n of got.next) close(n.probability, next.get(n.touchpoint), `next ${n.touchpoint}`);
  assert.ok(got.next.some((n) => n.touchpoint === null), 'journeys end at cart');

  const paths = ref.pathsFrom(JS, 'cart', 3);
  assert.equal(got.paths.length, paths.size);
  for (const p of got.paths) assert.equal(p.count, paths.get(p.steps.join(',')), p.steps.join(','));

  assert.deepEqual(got.sessions, ref.sessionIds(LOG, 900));
  assert.deepEqual(got.defaultSessions, ref.sessionIds(LOG, 1800));

  const fx = ref.removalEffects(JS, 'pay');
  assert.equal(got.effects.goal, 'pay');
  close(got.effects.conversion, fx.conversion, 'conversion', 1e-9);
  close(got.effects.observed, fx.observed, 'observed');
  assert.equal(got.effects.effects.length, fx.effects.size);
  for (const e of got.effects.effects) {
    const want = fx.effects.get(e.touchpoint);
    close(e.conversion_without, want.conversion_without, `without ${e.touchpoint}`, 1e-9);
    close(e.effect, want.effect, `effect ${e.touchpoint}`, 1e-9);
  }
}

/** Bad input of every kind; returns {key: {threw, isError, code, message}}. */
function misuse(mod) {
  const attempt = (f) => {
    try { f(); return { threw: false }; } catch (e) {
      return { threw: true, isError: e instanceof Error, code: e.code, name: e.name, message: String(e.message) };
    }
  };
  const ok = new mod.EventLog(['a', 'a', 'b'], ['x', 'y', 'x'], [0, 10, 5]);
  const r = {
    notArray: attempt(() => new mod.EventLog('abc', ['x'], [0])),
    lengths: attempt(() => new mod.EventLog(['a', 'b'], ['x'], [0, 1])),
    nullId: attempt(() => new mod.EventLog(['a', null], ['x', 'y'], [0, 1])),
    boolId: attempt(() => new mod.EventLog(['a', 'b'], ['x', true], [0, 1])),
    nanTime: attempt(() => new mod.EventLog(['a'], ['x'], [NaN])),
    fraction: attempt(() => new mod.EventLog(['a'], ['x'], [1.5])),
    textTime: attempt(() => new mod.EventLog(['a'], ['x'], ['2024-01-01'])),
    badDate: attempt(() => new mod.EventLog(['a'], ['x'], [new Date('nope')])),
    mixed: attempt(() => new mod.EventLog(['a', 'a'], ['x', 'y'], [new Date(0), 5])),
    unit: attempt(() => new mod.EventLog(['a'], ['x'], [0], 'weeks')),
    funnelStep: attempt(() => ok.funnel(['x', 'nowhere'])),
    funnelEmpty: attempt(() => ok.funnel([])),
    within: attempt(() => ok.funnel(['x'], -1)),
    next: attempt(() => ok.nextStep('nowhere')),
    goal: attempt(() => ok.removalEffects('nowhere')),
    top: attempt(() => ok.variants(-1)),
    depth: attempt(() => ok.paths(null, null, 0)),
    option: attempt(() => ok.toSvg({ colour: 'red' })),
    optionLabel: attempt(() => ok.toSvg({ scores: { nowhere: 1 } })),
    columns: attempt(() => ok.toDot({ columns: { x: 0 } })),
    gap: attempt(() => ok.toSvg({ session_gap: -5 })),
    sessionGap: attempt(() => ok.sessionIds(NaN)),
  };
  r.stillWorks = ok.dfg().map((e) => `${e.source}→${e.target}:${e.count}`);
  return r;
}

const MISUSE = {
  notArray: 'invalid_argument', lengths: 'length_mismatch', nullId: 'invalid_number', boolId: 'invalid_argument',
  nanTime: 'invalid_number', fraction: 'invalid_number', textTime: 'invalid_argument', badDate: 'invalid_number',
  mixed: 'invalid_argument', unit: 'invalid_argument', funnelStep: 'invalid_argument', funnelEmpty: 'invalid_argument',
  within: 'invalid_argument', next: 'invalid_argument', goal: 'invalid_argument',
  top: 'invalid_argument', depth: 'invalid_argument', option: 'invalid_argument', optionLabel: 'invalid_argument',
  columns: 'invalid_argument', gap: 'invalid_argument', sessionGap: 'invalid_argument',
};

function checkMisuse(caught) {
  for (const [key, code] of Object.entries(MISUSE)) {
    const c = caught[key];
    assert.ok(c.threw, `${key} did not throw`);
    assert.ok(c.isError, `${key} threw a non-Error`);
    assert.equal(c.code, code, `${key}: ${c.message}`);
    assert.equal(c.name, 'CemError');
    assert.doesNotMatch(c.message, /unreachable|RuntimeError/);
  }
  assert.match(caught.nullId.message, /customers at position 1/);
  assert.match(caught.fraction.message, /`1.5`/);
  assert.match(caught.funnelStep.message, /`nowhere`/);
  assert.match(caught.option.message, /colour/);
  assert.deepEqual(caught.stillWorks, ['x→y:1'], 'the module keeps working after errors');
}

describe('cem-journey in Node', () => {
  test('channels follow their events through the ordering by customer and time', () => {
    const names = ['web', 'app', 'store'];
    const channels = LOG.customers.map((_, i) => names[(i * 7 + (i >> 3)) % 3]);
    const el = new cj.EventLog(LOG.customers, LOG.touchpoints, LOG.times, undefined, channels);
    assert.deepEqual([...el.channels].sort(), [...names].sort());
    // Reference: each customer's rows sorted by (time, input row).
    const rows = new Map();
    LOG.customers.forEach((c, i) => { if (!rows.has(c)) rows.set(c, []); rows.get(c).push(i); });
    assert.ok(rows.size > 10);
    for (const [c, idx] of rows) {
      idx.sort((i, j) => LOG.times[i] - LOG.times[j] || i - j);
      assert.deepEqual(el.channelsOf(c), idx.map((i) => channels[i]), `customer ${c}`);
    }
    assert.equal(el.channelsOf('nobody'), undefined);
    const plain = new cj.EventLog(LOG.customers, LOG.touchpoints, LOG.times);
    assert.equal(plain.channels, undefined);
    assert.equal(plain.channelsOf(LOG.customers[0]), undefined);
    near(el.dfg(), plain.dfg());
    const bad = (f) => { try { f(); return null; } catch (e) { return e; } };
    const short = bad(() => new cj.EventLog(['a', 'b'], ['x', 'y'], [0, 1], 's', ['web']));
    assert.equal(short?.code, 'length_mismatch');
    assert.match(short.message, /channels/);
    const hole = bad(() => new cj.EventLog(['a', 'b'], ['x', 'y'], [0, 1], 's', ['web', null]));
    assert.equal(hole?.code, 'invalid_number');
    assert.match(hole.message, /channels at position 1/);
  });

  test('EventLog agrees with the independent reference (DFG, starts/ends, variants, funnels, next step, paths, removal effects)', () => {
    check(analyse(cj, LOG));
  });

  test('numeric ids and Dates: the same log in milliseconds gives the same results in seconds', () => {
    const ids = LOG.customers.map((c) => Number(c.slice(1)));
    const dates = LOG.times.map((t) => new Date(t * 1000));
    const a = new cj.EventLog(LOG.customers, LOG.touchpoints, LOG.times);
    const b = new cj.EventLog(ids, LOG.touchpoints, dates);
    const c = new cj.EventLog(ids, LOG.touchpoints, Float64Array.from(LOG.times, (t) => t * 1000), 'ms');
    assert.equal(b.timeUnit, 'ms');
    near(b.dfg(), a.dfg());
    near(c.funnel(STEPS, WITHIN), a.funnel(STEPS, WITHIN));
    assert.deepEqual(b.variants(5), a.variants(5));
  });

  test('input order does not matter beyond ties', () => {
    const order = LOG.customers.map((_, i) => i).reverse();
    // Reversing swaps tied events: keep ties in their order by reversing whole tie groups only.
    const key = (i) => `${LOG.customers[i]}|${LOG.times[i]}`;
    const groups = new Map();
    for (const i of order) { if (!groups.has(key(i))) groups.set(key(i), []); groups.get(key(i)).push(i); }
    const idx = [...groups.values()].flatMap((g) => g.reverse());
    const pick = (col) => idx.map((i) => col[i]);
    const a = new cj.EventLog(LOG.customers, LOG.touchpoints, LOG.times);
    const b = new cj.EventLog(pick(LOG.customers), pick(LOG.touchpoints), pick(LOG.times));
    const sortV = (v) => [...v].sort((x, y) => (x.steps.join() < y.steps.join() ? -1 : 1));
    const sortE = (d) => [...d].sort((x, y) => (`${x.source}→${x.target}` < `${y.source}→${y.target}` ? -1 : 1));
    assert.notDeepEqual(b.touchpoints, a.touchpoints, 'labels are coded in another order');
    assert.deepEqual(sortE(b.dfg()), sortE(a.dfg()));
    assert.deepEqual(sortV(b.variants()), sortV(a.variants()));
    // The iterative solve visits states in code order: equal to its tolerance.
    close(b.removalEffects('pay').conversion, a.removalEffects('pay').conversion, 'conversion', 1e-11);
  });

  test('the journey map: DOT with the reference edge counts, a self-contained SVG', () => {
    const el = new cj.EventLog(LOG.customers, LOG.touchpoints, LOG.times);
    const homeProduct = ref.dfg(JS).get('home→product').count;
    const dot = el.toDot();
    assert.match(dot, /^digraph journey \{/);
    assert.ok(dot.includes(`"home" -> "product" [label="${homeProduct}"`), dot.slice(0, 400));
    const svg = el.toSvg({ title: 'Checkout <journey>', scores: { pay: 60, help: -40 }, min_share: 0.1, session_gap: 3600 });
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes('Checkout &lt;journey&gt;'), 'the title is escaped');
    assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org)/, 'no network references');
    const staged = el.toSvg({ columns: { home: 0, search: 1, product: 1, help: 1, cart: 2, call: 2, store: 2, pay: 3 }, column_titles: ['land', 'browse', 'buy', 'pay'] });
    assert.ok(staged.includes('>BROWSE<'), 'column titles drawn');
  });

  test('bad input throws an Error with a code, never a wasm trap', () => {
    checkMisuse(misuse(cj));
  });

  test('the core package keeps its API: no EventLog, the same exports as before', async () => {
    const core = await import(`${pkgDir}/cem_wasm.js`);
    assert.equal('EventLog' in core, false);
    const shared = ['NpsAggregate', 'CsatAggregate', 'CesAggregate', 'Survey', 'SurveyAggregate', 'version'];
    for (const name of shared) {
      assert.equal(typeof core[name], 'function', `cem_wasm.${name}`);
      assert.equal(typeof cj[name], 'function', `cem_journey.${name} (the journey package is a superset)`);
    }
  });

  test('package sizes: core ≤ 150,000 bytes gzipped, journey ≤ 220,000', () => {
    const size = (file) => {
      const raw = readFileSync(file);
      return { raw: raw.length, gz: gzipSync(raw, { level: 9 }).length };
    };
    const core = size(`${pkgDir}/cem_wasm_bg.wasm`);
    const journey = size(`${journeyDir}/cem_journey_bg.wasm`);
    console.log(`# sizes: cem_wasm ${core.raw} B (${core.gz} gz), cem_journey ${journey.raw} B (${journey.gz} gz)`);
    assert.ok(core.gz <= 150_000, `cem_wasm_bg.wasm is ${core.gz} bytes gzipped`);
    assert.ok(journey.gz <= 220_000, `cem_journey_bg.wasm is ${journey.gz} bytes gzipped`);
  });
});

describe('cem-journey in Chromium', { timeout: 120_000 }, () => {
  let server, browser, page, problems;

  before(async () => {
    ({ server, browser, page, problems } = await openPackagePage('/pkg-journey/cem_journey.js', 'cj'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('EventLog in the page agrees with the reference computed in Node', async () => {
    const got = await page.evaluate(([src, log]) => (0, eval)(`(${src})`)(window.cj, log), [analyse.toString(), LOG]);
    check(got);
  });

  test('Dates built in the page, and bad input as Errors with a code', async () => {
    const dated = await page.evaluate((log) => {
      const el = new window.cj.EventLog(log.customers, log.touchpoints, log.times.map((t) => new Date(t * 1000)));
      return { unit: el.timeUnit, funnel: el.funnel(['home', 'product', 'cart', 'pay'], 1800) };
    }, LOG);
    assert.equal(dated.unit, 'ms');
    near(dated.funnel, analyse(cj, LOG).window);
    const caught = await page.evaluate((src) => (0, eval)(`(${src})`)(window.cj), misuse.toString());
    checkMisuse(caught);
    const svg = await page.evaluate((log) => new window.cj.EventLog(log.customers, log.touchpoints, log.times).toSvg({ title: 'Journey' }), LOG);
    assert.match(svg, /^<svg/);
    assert.deepEqual(problems, []);
  });

  test('the demo dashboard (cem-wasm/www/journey.html) renders from the package', async () => {
    const demo = await browser.newPage();
    const errors = [];
    demo.on('pageerror', (e) => errors.push(e.message));
    await demo.goto(`${server.url}www/journey.html`);
    await demo.waitForFunction(() => document.getElementById('status').textContent !== 'loading');
    assert.equal(await demo.textContent('#status'), 'ready', await demo.textContent('#error'));
    assert.equal(await demo.locator('#funnel .bar').count(), 4);
    assert.ok(await demo.locator('#effects tr').count() > 0);
    assert.equal(await demo.locator('#variants tr').count(), 6);
    assert.equal(await demo.locator('#map svg').count(), 1);
    assert.deepEqual(errors, []);
    await demo.close();
  });
});
