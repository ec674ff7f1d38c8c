// The opt-in orchestrate package (cem-wasm/pkg-orchestrate, module cem_orchestrate): the
// survey Orchestrator in Node and in headless Chromium. The decisions are checked against
// `model`, an independent JS implementation of the rules as documented on cem_core's
// `Orchestrator` (with the sampling hash written out in BigInt arithmetic from the guards'
// documentation), on a seeded stream; and by properties read off the decisions alone:
// quarantine and caps never violated, at most one invitation per interaction, sampling the
// same in a fresh orchestrator, feed = decide one by one, toJSON/fromJSON = uninterrupted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { openPackagePage, orchestrateDir, pkgDir } from './server.mjs';

const co = await import(`${orchestrateDir}/cem_orchestrate.js`);
co.initSync({ module: readFileSync(`${orchestrateDir}/cem_orchestrate_bg.wasm`) });
const { Orchestrator } = co;

const DAY = 86_400;

// ---------------------------------------------------------------- the sampling hash
const M = (1n << 64n) - 1n;
function mix(z) {
  z = (z + 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}
function textHash(s) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & M;
  return mix(h);
}
/** `sample_draw(seed, trigger, customer_key(customer), event)`, as cem-core documents it. */
function draw(seed, trigger, customer, event) {
  let h = mix(mix(mix(BigInt(seed)) ^ textHash(trigger)) ^ textHash(customer));
  if (event != null) h = mix(h ^ mix(BigInt(event)));
  return Number(h >> 11n) / 2 ** 53;
}

// ---------------------------------------------------------------- the reference model
/** Decisions of `rules` (spans in seconds) on `events` (times in ms), from an empty state. */
function model(rules, events) {
  const ex = { open_complaint: true, do_not_contact: true, segments: [], ...rules.exclude };
  const order = rules.triggers.map((t, i) => ({ ...t, i })).sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.i - b.i);
  const state = new Map();
  const out = [];
  events.forEach((e, row) => {
    const t = Math.floor(e.time / 1000);
    const matches = (f, v) => f === undefined || (v != null && f.includes(v));
    const excluded = ex.do_not_contact && e.do_not_contact ? 'do_not_contact'
      : ex.open_complaint && e.open_complaint ? 'open_complaint'
        : e.segment != null && ex.segments.includes(e.segment) ? 'excluded_segment' : null;
    let winner = null;
    for (const tr of order) {
      if (!(matches(tr.touchpoints, e.touchpoint) && matches(tr.channels, e.channel)
        && matches(tr.outcomes, e.outcome) && matches(tr.segments, e.segment))) continue;
      const d = { row, trigger: tr.id, survey: tr.survey, ...(tr.via ? { via: tr.via } : {}) };
      const st = state.get(e.customer) ?? { last: null, times: [], bySurvey: {} };
      const q = tr.quarantine ?? rules.quarantine;
      const qLast = q && (q.scope === 'survey' ? st.bySurvey[tr.survey] : st.last);
      const full = (rules.caps ?? []).map((c, i) => ({ ...c, i, inside: st.times.filter((s) => s > t - c.per) }))
        .find((c) => c.inside.length >= c.max);
      if (excluded) Object.assign(d, { reason: excluded, invited: false });
      else if (winner) Object.assign(d, { reason: 'lower_priority', invited: false, winner });
      else if (draw(rules.seed ?? 0, tr.id, e.customer, tr.sample_by === 'event' ? e.event_id : null) >= (tr.sample ?? 1)) {
        Object.assign(d, { reason: 'sampled_out', invited: false });
      } else if (q && qLast != null && t < qLast + q.for) {
        Object.assign(d, { reason: 'quarantined', invited: false, until: (qLast + q.for) * 1000 });
      } else if (full) {
        const kth = full.inside[full.inside.length - full.max];
        Object.assign(d, { reason: 'capped', invited: false, until: (kth + full.per) * 1000, cap: full.i });
      } else {
        Object.assign(d, { reason: 'invited', invited: true, send_at: (t + (tr.delay ?? 0)) * 1000 });
        st.last = t;
        st.times.push(t);
        st.bySurvey[tr.survey] = t;
        state.set(e.customer, st);
        winner = tr.id;
      }
      out.push(d);
    }
  });
  return out;
}

// ---------------------------------------------------------------- the seeded stream
const RULES = {
  seed: 42,
  quarantine: { for: 7 * DAY },
  caps: [{ max: 2, per: 30 * DAY }, { max: 3, per: 120 * DAY }],
  exclude: { segments: ['staff'] },
  triggers: [
    { id: 'failed', survey: 'ces', outcomes: ['failed'], priority: 5, delay: 60, via: 'in_app' },
    { id: 'call', survey: 'nps', touchpoints: ['call'], sample: 0.5, delay: 3600, via: 'email' },
    { id: 'app', survey: 'csat', touchpoints: ['app_open'], channels: ['app'], sample: 0.3, sample_by: 'event',
      via: 'in_app', quarantine: { for: 2 * DAY, scope: 'survey' } },
    { id: 'vip', survey: 'nps', segments: ['vip'], priority: 1, sample: 0.8 },
  ],
};

function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stream(n, seed) {
  const r = mulberry32(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  let time = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    time += Math.floor(r() * 6 * 3600 * 1000); // 0–6 h apart, with milliseconds
    const e = { customer: `c${Math.floor(r() * 30)}`, time, touchpoint: pick(['call', 'checkout', 'app_open', 'delivery']), event_id: i };
    const channel = pick(['web', 'app', 'app', 'phone', null]);
    if (channel) e.channel = channel;
    e.outcome = pick(['ok', 'failed', null, null]);
    e.segment = pick(['retail', 'retail', 'staff', 'vip', null]);
    if (r() < 0.05) e.open_complaint = true;
    if (r() < 0.05) e.do_not_contact = true;
    return e;
  });
}

const EVENTS = stream(3000, 7);

// ---------------------------------------------------------------- properties
function checkGuards(events, decisions) {
  const invites = new Map();
  const perRow = new Map();
  for (const d of decisions) {
    if (!d.invited) continue;
    perRow.set(d.row, (perRow.get(d.row) ?? 0) + 1);
    const e = events[d.row];
    const t = Math.floor(e.time / 1000);
    const mine = invites.get(e.customer) ?? [];
    const last = mine.at(-1);
    if (d.trigger === 'app') {
      const lastCsat = mine.filter((x) => x.survey === 'csat').at(-1);
      assert.ok(!lastCsat || t - lastCsat.t >= 2 * DAY, `survey quarantine violated at row ${d.row}`);
    } else {
      assert.ok(!last || t - last.t >= 7 * DAY, `quarantine violated at row ${d.row}`);
    }
    mine.push({ t, survey: d.survey });
    invites.set(e.customer, mine);
    for (const cap of RULES.caps) {
      assert.ok(mine.filter((x) => x.t > t - cap.per).length <= cap.max, `cap ${cap.max}/${cap.per}s violated at row ${d.row}`);
    }
    assert.equal(d.send_at, (t + (RULES.triggers.find((x) => x.id === d.trigger).delay ?? 0)) * 1000);
  }
  assert.ok([...perRow.values()].every((n) => n === 1), 'at most one invitation per interaction');
  return invites;
}

const strip = (ds, offset) => ds.map((d) => ({ ...d, row: d.row + offset }));

describe('cem-orchestrate in Node', () => {
  test('the decisions on a seeded stream of 3000 interactions equal the reference model', () => {
    const got = Orchestrator.fromRules(RULES).feed(EVENTS);
    const want = model(RULES, EVENTS);
    assert.equal(got.length, want.length);
    assert.deepEqual(got, want);
    const reasons = new Set(got.map((d) => d.reason));
    for (const r of ['invited', 'do_not_contact', 'open_complaint', 'excluded_segment', 'quarantined', 'capped', 'sampled_out', 'lower_priority']) {
      assert.ok(reasons.has(r), `the stream exercises ${r}`);
    }
  });

  test('quarantine and caps are never violated; one invitation per interaction at most', () => {
    const got = Orchestrator.fromRules(RULES).feed(EVENTS);
    const invites = checkGuards(EVENTS, got);
    assert.ok([...invites.values()].some((v) => v.length >= 3));
  });

  test('sampling is deterministic: a fresh orchestrator and another customer mix draw the same', () => {
    const full = Orchestrator.fromRules(RULES).feed(EVENTS);
    const rows = EVENTS.map((e, i) => i).filter((i) => EVENTS[i].customer === 'c3');
    const alone = Orchestrator.fromRules(JSON.stringify(RULES)).feed(rows.map((i) => EVENTS[i]));
    const sampled = (ds, rowOf) => ds.filter((d) => d.trigger === 'call' && d.reason === 'sampled_out').map((d) => rowOf(d.row));
    assert.deepEqual(sampled(alone, (r) => rows[r]), sampled(full.filter((d) => rows.includes(d.row)), (r) => r));
    // Customer-sampled: each customer is always in or always out of `call`.
    const byCustomer = new Map();
    for (const d of full.filter((x) => x.trigger === 'call' && !['do_not_contact', 'open_complaint', 'excluded_segment', 'lower_priority'].includes(x.reason))) {
      const c = EVENTS[d.row].customer;
      const out = d.reason === 'sampled_out';
      assert.equal(byCustomer.get(c) ?? out, out, `customer ${c} drawn both ways`);
      byCustomer.set(c, out);
    }
    assert.ok([...byCustomer.values()].includes(true) && [...byCustomer.values()].includes(false));
  });

  test('feed(batch) equals decide one by one and feeding in chunks; Dates equal milliseconds', () => {
    const batch = Orchestrator.fromRules(RULES).feed(EVENTS);
    const one = Orchestrator.fromRules(RULES);
    const single = EVENTS.flatMap((e, i) => strip(one.decide(e), i));
    assert.deepEqual(single, batch);
    const chunked = Orchestrator.fromRules(RULES);
    const parts = [];
    for (let i = 0; i < EVENTS.length; i += 257) parts.push(...strip(chunked.feed(EVENTS.slice(i, i + 257)), i));
    assert.deepEqual(parts, batch);
    const dated = Orchestrator.fromRules(RULES).feed(EVENTS.map((e) => ({ ...e, time: new Date(e.time), event_id: BigInt(e.event_id) })));
    assert.deepEqual(dated, batch);
    assert.equal(one.toJSON(), chunked.toJSON());
  });

  test('toJSON / fromJSON mid-stream continues as an uninterrupted orchestrator', () => {
    const whole = Orchestrator.fromRules(RULES);
    const want = whole.feed(EVENTS);
    const first = Orchestrator.fromRules(RULES);
    const half = 1500;
    const a = first.feed(EVENTS.slice(0, half));
    const saved = first.toJSON();
    first.free();
    const restored = Orchestrator.fromJSON(saved);
    assert.equal(restored.clock, Math.floor(EVENTS[half - 1].time / 1000) * 1000);
    const b = strip(restored.feed(EVENTS.slice(half)), half);
    assert.deepEqual([...a, ...b], want);
    assert.equal(restored.toJSON(), whole.toJSON());
    // JSON.stringify (say into localStorage) and back, as text or as the parsed object.
    const again = Orchestrator.fromJSON(JSON.parse(JSON.stringify(restored)));
    assert.equal(again.toJSON(), whole.toJSON());
    // The parsed object is refused: its 64-bit customer keys were rounded by JSON.parse.
    assert.throws(() => Orchestrator.fromJSON(JSON.parse(whole.toJSON())), { code: 'invalid_argument', message: /64-bit/ });
    assert.equal(whole.customers, new Set(want.filter((d) => d.invited).map((d) => EVENTS[d.row].customer)).size);
  });

  test('the edges of quarantine and caps: [last, last + for) and the window (t − per, t]', () => {
    const rules = { quarantine: { for: 100 }, caps: [{ max: 2, per: 1000 }], triggers: [{ id: 't', survey: 's' }] };
    const times = [0, 99_999, 100_000, 1_000_000, 1_099_999, 1_100_000, 1_200_000, 2_000_000];
    const events = times.map((time) => ({ customer: 'a', time, touchpoint: 'web' }));
    const got = Orchestrator.fromRules(rules).feed(events);
    assert.deepEqual(got.map((d) => [d.reason, d.until ?? d.send_at]), [
      ['invited', 0], ['quarantined', 100_000], ['invited', 100_000], ['invited', 1_000_000],
      ['quarantined', 1_100_000], ['invited', 1_100_000], ['capped', 2_000_000], ['invited', 2_000_000],
    ]);
    assert.deepEqual(got, model(rules, events));
  });

  test('the example of cem_core::survey::orchestrate, with the reasons', () => {
    const o = Orchestrator.fromRules(`{
      "quarantine": {"for": "7d"},
      "triggers": [
        {"id": "failed-payment", "survey": "ces", "outcomes": ["failed"], "priority": 5},
        {"id": "any-call", "survey": "nps", "touchpoints": ["call"], "sample": 1}
      ]}`);
    const d = o.feed([
      { customer: 1, time: 0, touchpoint: 'checkout', outcome: 'failed' },
      { customer: 2, time: 10_000, touchpoint: 'call' },
      { customer: 1, time: 20_000, touchpoint: 'call' },
    ]);
    assert.deepEqual(d.map((x) => [x.row, x.trigger, x.reason]), [[0, 'failed-payment', 'invited'], [1, 'any-call', 'invited'], [2, 'any-call', 'quarantined']]);
    assert.equal(d[2].until, 7 * DAY * 1000);
    assert.deepEqual(o.customer(1), { last_invited: 0, invitations: 1 });
    assert.equal(o.customer('nobody'), undefined);
    assert.deepEqual(o.triggers(), [{ id: 'failed-payment', survey: 'ces', priority: 5 }, { id: 'any-call', survey: 'nps', priority: 0 }]);
    assert.deepEqual(o.decide({ customer: 'x', time: 30_000, touchpoint: 'web' }), [], 'no trigger matches');
    // Within one second the order is free (the core decides in whole seconds).
    assert.deepEqual(o.decide({ customer: 'y', time: 30_999, touchpoint: 'web' }), []);
    assert.deepEqual(o.decide({ customer: 'y', time: 30_001, touchpoint: 'web' }), []);
  });

  test('warnings name the triggers that can never fire', () => {
    const o = Orchestrator.fromRules({
      catalog: { call: 'call_centre', checkout: 'web' },
      triggers: [{ id: 'a', survey: 's', sample: 0 }, { id: 'b', survey: 's', touchpoints: ['call'], channels: ['web'] }],
    });
    assert.deepEqual(o.warnings().map((w) => [w.rule, w.code]), [['a', 'never_sampled'], ['b', 'channel_mismatch']]);
    assert.deepEqual(Orchestrator.fromRules(RULES).warnings(), []);
  });

  test('bad input throws an Error with a code, never a trap, and changes nothing', () => {
    const o = Orchestrator.fromRules(RULES);
    o.feed(EVENTS.slice(0, 10));
    const before = o.toJSON();
    const ev = { customer: 'a', time: EVENTS[10].time, touchpoint: 'call' };
    const cases = [
      [() => Orchestrator.fromRules('{"triggers": [{"id": "t1", "survey": "s", "sample": 2}]}'), 'invalid_rule', /rule `t1`, field `sample`/],
      [() => Orchestrator.fromRules({ triggers: [{ id: 'a', survey: 's', sampel: 1 }] }), 'invalid_rule', /sampel/],
      [() => Orchestrator.fromRules('not json'), 'json', /./],
      [() => Orchestrator.fromRules(42), 'invalid_argument', /rules/],
      [() => Orchestrator.fromJSON('{"rules": 1}'), 'json', /./],
      [() => Orchestrator.fromJSON(null), 'invalid_argument', /state/],
      [() => o.decide({ ...ev, time: EVENTS[9].time - 5000 }), 'out_of_order', /event 0/],
      [() => o.feed([ev, { ...ev, time: ev.time - 60_000 }]), 'out_of_order', /event 1/],
      [() => o.decide({ ...ev, tuochpoint: 'x' }), 'invalid_argument', /unknown key `tuochpoint`/],
      [() => o.decide({ customer: 'a', time: ev.time }), 'invalid_argument', /touchpoint/],
      [() => o.decide({ ...ev, customer: null }), 'invalid_argument', /customer/],
      [() => o.decide({ ...ev, time: 'yesterday' }), 'invalid_number', /time/],
      [() => o.decide({ ...ev, time: new Date('nope') }), 'invalid_number', /time/],
      [() => o.decide({ ...ev, time: 1e20 }), 'out_of_range', /time/],
      [() => o.decide({ ...ev, time: NaN }), 'invalid_number', /time/],
      [() => o.decide({ ...ev, channel: 7 }), 'invalid_argument', /channel/],
      [() => o.decide({ ...ev, do_not_contact: 'yes' }), 'invalid_argument', /do_not_contact/],
      [() => o.decide({ ...ev, event_id: -1 }), 'invalid_number', /event_id/],
      [() => o.decide({ ...ev, event_id: 1.5 }), 'invalid_number', /event_id/],
      [() => o.decide({ ...ev, event_id: -1n }), 'out_of_range', /event_id/],
      [() => o.decide({ ...ev, touchpoint: 'app_open', channel: 'app' }), 'invalid_argument', /event id/],
      [() => o.feed([{ ...ev, event_id: 1 }, { ...ev, touchpoint: 'app_open', channel: 'app' }]), 'invalid_argument', /row 1/],
      [() => o.decide(null), 'invalid_argument', /event/],
      [() => o.decide([ev]), 'invalid_argument', /event/],
      [() => o.feed(ev), 'invalid_argument', /events/],
      [() => o.feed([ev, 'x']), 'invalid_argument', /event 1/],
      [() => o.customer({}), 'invalid_argument', /customer/],
    ];
    for (const [f, code, message] of cases) {
      let caught;
      try { f(); } catch (e) { caught = e; }
      assert.ok(caught instanceof Error, `${f} threw ${caught}`);
      assert.equal(caught.code, code, `${f}: ${caught.message}`);
      assert.equal(caught.name, 'CemError');
      assert.match(caught.message, message);
      assert.doesNotMatch(caught.message, /unreachable|RuntimeError/);
    }
    assert.equal(o.toJSON(), before, 'no error changed the state');
    const rest = strip(o.feed(EVENTS.slice(10)), 10);
    assert.deepEqual(rest, Orchestrator.fromRules(RULES).feed(EVENTS).filter((d) => d.row >= 10), 'it keeps working');
  });

  test('package sizes: the core stays ≤ 150,000 bytes gzipped; orchestrate ≤ 240,000', () => {
    const size = (file) => {
      const raw = readFileSync(file);
      return { raw: raw.length, gz: gzipSync(raw, { level: 9 }).length, bytes: raw };
    };
    const core = size(`${pkgDir}/cem_wasm_bg.wasm`);
    const orch = size(`${orchestrateDir}/cem_orchestrate_bg.wasm`);
    console.log(`# sizes: cem_wasm ${core.raw} B (${core.gz} gz), cem_orchestrate ${orch.raw} B (${orch.gz} gz)`);
    assert.ok(core.gz <= 150_000, `cem_wasm_bg.wasm is ${core.gz} bytes gzipped`);
    assert.ok(orch.gz <= 240_000, `cem_orchestrate_bg.wasm is ${orch.gz} bytes gzipped`);
    const js = readFileSync(`${pkgDir}/cem_wasm.js`, 'utf8');
    assert.ok(!js.includes('Orchestrator'), 'the Orchestrator stays out of the core package');
  });
});

describe('cem-orchestrate in Chromium', { timeout: 120_000 }, () => {
  let server, browser, page, problems;

  before(async () => {
    ({ server, browser, page, problems } = await openPackagePage('/pkg-orchestrate/cem_orchestrate.js', 'co'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('in the page: the same decisions, with the state kept in localStorage across a reload', async () => {
    const half = 1500;
    const a = await page.evaluate(([rules, events]) => {
      const o = window.co.Orchestrator.fromRules(rules);
      const d = o.feed(events);
      localStorage.setItem('cem-orchestrator', o.toJSON());
      return d;
    }, [RULES, EVENTS.slice(0, half)]);
    await page.reload();
    const b = await page.evaluate(async (events) => {
      const mod = await import('/pkg-orchestrate/cem_orchestrate.js');
      await mod.default();
      const o = mod.Orchestrator.fromJSON(localStorage.getItem('cem-orchestrator'));
      let err;
      try { o.decide({ customer: 'a', time: 0, touchpoint: 'call' }); } catch (e) { err = { isError: e instanceof Error, code: e.code }; }
      return { d: o.feed(events), err };
    }, EVENTS.slice(half));
    assert.deepEqual([...a, ...strip(b.d, half)], model(RULES, EVENTS));
    assert.deepEqual(b.err, { isError: true, code: 'out_of_order' });
    assert.deepEqual(problems, []);
  });
});
