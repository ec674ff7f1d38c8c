// The opt-in alerts package (cem-wasm/pkg-alerts, module cem_alerts) in Node: the rules of
// tests/data/alerts/rules.json agree with a small independent JS evaluation of the documented
// semantics on seeded random responses; the Monitor's batch equals one-by-one and a
// toJSON/fromJSON restart equals an uninterrupted run; bad input throws Errors with a code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { alertsDir, openPackagePage, pkgDir } from './server.mjs';
import { rng } from './journey_reference.mjs'; // the seeded mulberry32

const ca = await import(`${alertsDir}/cem_alerts.js`);
ca.initSync({ module: readFileSync(`${alertsDir}/cem_alerts_bg.wasm`) });

const RULES_TEXT = readFileSync(new URL('../data/alerts/rules.json', import.meta.url), 'utf8');
const RULES = JSON.parse(RULES_TEXT).rules;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);

const WORDS = ['cancel', 'Cancel', 'CANCELLED', 'cancellation', 'switch', 'switching', 'never again', 'Never Again!',
  'refund', 'Refunds', 'slow', 'great', 'waited', 'my_cancel', 'cancel_me', '(switch)', 'ok'];

/** Seeded random responses with every field sometimes missing; times mix ms, Date and ISO text. */
function randomResponses(seed, n) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const maybe = (f) => (r() < 0.3 ? (r() < 0.5 ? undefined : null) : f());
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const ms = T0 + i * 60_000;
    const time = i % 3 === 0 ? ms : i % 3 === 1 ? new Date(ms) : new Date(ms).toISOString();
    out.push({
      customer: `c-${Math.floor(r() * 40)}`,
      time,
      nps: maybe(() => Math.floor(r() * 11)),
      csat: maybe(() => 1 + Math.floor(r() * 5)),
      ces: maybe(() => 1 + Math.floor(r() * 7)),
      sentiment: maybe(() => Math.round((r() * 2 - 1) * 100) / 100),
      comment: maybe(() => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(WORDS)).join(pick([' ', ', ', '. ']))),
      channel: maybe(() => pick(['store', 'sales_visit', 'call_centre', 'web'])),
      segment: maybe(() => pick(['enterprise', 'smb', 'Enterprise'])),
      tier: maybe(() => pick(['gold', 'platinum', 'silver'])),
      touchpoint: maybe(() => pick(['cc-billing', 'web-checkout'])),
    });
  }
  return out;
}

// ---- an independent evaluation of the documented condition semantics
const isWord = (c) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
function containsWord(text, phrase) {
  for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
    if (!isWord(text[at - 1]) && !isWord(text[at + phrase.length])) return true;
  }
  return false;
}
function holds(c, resp) {
  if (c.all) return c.all.every((x) => holds(x, resp));
  if (c.any) return c.any.some((x) => holds(x, resp));
  if (c.not) return !holds(c.not, resp);
  const v = resp[c.field];
  const has = v !== undefined && v !== null;
  if ('present' in c) return has === c.present;
  if (!has) return false;
  if ('at_most' in c) return v <= c.at_most;
  if ('at_least' in c) return v >= c.at_least;
  if ('below' in c) return v < c.below;
  if ('above' in c) return v > c.above;
  if ('equals' in c) return v === c.equals;
  if ('in' in c) return c.in.includes(v);
  if ('contains' in c) return v.toLowerCase().includes(c.contains.toLowerCase());
  if ('contains_word' in c) return containsWord(v.toLowerCase(), c.contains_word.toLowerCase());
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}
const msOf = (t) => (t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t);

/** Must throw an Error with this code. */
function throwsCode(f, code, what) {
  let threw = false;
  try { f(); } catch (e) {
    threw = true;
    assert.ok(e instanceof Error, `${what}: an Error`);
    assert.equal(e.name, 'CemError', what);
    assert.doesNotMatch(String(e.message), /unreachable|RuntimeError/);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    assert.ok(String(e.message).length > 0);
  }
  assert.ok(threw, `${what} threw`);
}

describe('alerts package: RuleSet', () => {
  const rules = new ca.RuleSet(RULES_TEXT);

  test('names, object definition and fromJSON agree', () => {
    assert.deepEqual(rules.names, RULES.map((r) => r.name));
    const again = ca.RuleSet.fromJSON(rules.toJSON());
    assert.deepEqual(again.names, rules.names);
    assert.equal(new ca.RuleSet({ rules: RULES }).toJSON(), rules.toJSON());
  });

  test('matching, countMatches and evaluate agree with an independent JS evaluation (3 seeds × 400)', () => {
    let matched = 0;
    for (const seed of [1, 2, 3]) {
      const resps = randomResponses(seed, 400);
      const want = resps.map((r) => RULES.filter((rule) => holds(rule.when, r)).map((rule) => rule.name));
      assert.deepEqual(rules.matching(resps), want);
      assert.deepEqual(rules.countMatches(resps), RULES.map((rule) => want.filter((ns) => ns.includes(rule.name)).length));
      matched += want.filter((ns) => ns.length > 0).length;
      // A fresh book opens one case per (customer, reason), at the first matching response.
      const seen = new Set();
      const cases = [];
      resps.forEach((r, i) => {
        for (const rule of RULES.filter((x) => want[i].includes(x.name))) {
          const reason = rule.reason ?? rule.name;
          const key = `${r.customer}\u0000${reason}`;
          if (seen.has(key)) continue;
          seen.add(key);
          cases.push({ customer: r.customer, reason, rule: rule.name, priority: rule.priority,
            opened: msOf(r.time), due: msOf(r.time) + rule.sla_hours * HOUR, status: 'open' });
        }
      });
      const got = rules.evaluate(resps).map((c) => ({ customer: c.customer, reason: c.reason, rule: c.rule,
        priority: c.priority, opened: Date.parse(c.opened), due: Date.parse(c.due), status: c.status }));
      assert.deepEqual(got, cases);
    }
    for (const rule of RULES) {
      const all = randomResponses(1, 400).concat(randomResponses(2, 400), randomResponses(3, 400));
      assert.ok(all.some((r) => holds(rule.when, r)), `rule ${rule.name} matched at least once`);
    }
    assert.ok(matched > 100);
  });
});

/** An hourly NPS stream over two segments whose `smb` segment sinks on day 9. */
function stream(days) {
  const r = rng(7);
  const out = [];
  for (let h = 0; h < days * 24; h += 1) {
    for (const segment of ['enterprise', 'smb']) {
      const sinking = segment === 'smb' && h >= 8 * 24;
      const nps = sinking ? (r() < 0.6 ? Math.floor(r() * 5) : 9) : (r() < 0.15 ? 5 : 8 + Math.floor(r() * 3));
      out.push({ customer: `${segment}-${h % 17}`, time: T0 + h * HOUR + (segment === 'smb' ? 1000 : 0), nps, segment });
    }
  }
  return out;
}
const CONFIG = { metric: 'nps', window_hours: 24, baseline_hours: 24 * 5, by: 'segment', confidence: 0.999, min_window: 20, min_baseline: 50 };

describe('alerts package: Monitor', () => {
  const resps = stream(10);

  test('pushMany equals push one by one, and raises the smb alert', () => {
    const batch = new ca.Monitor(CONFIG);
    const alertsBatch = batch.pushMany(resps);
    const single = new ca.Monitor(CONFIG);
    const alertsSingle = resps.flatMap((r) => single.push(r));
    assert.deepEqual(alertsSingle, alertsBatch);
    assert.equal(single.toJSON(), batch.toJSON());
    assert.ok(alertsBatch.some((a) => a.segment === 'smb'), JSON.stringify(alertsBatch));
    assert.ok(alertsBatch.every((a) => a.value < a.limit && a.metric === 'nps'));
    assert.ok(alertsBatch.some((a) => a.segment === 'smb' && Date.parse(a.time) >= T0 + 8 * 24 * HOUR), 'an smb alert after it sinks');
    assert.deepEqual([...batch.segments].sort(), ['enterprise', 'smb']);
    assert.equal(batch.config.confidence, 0.999);
    assert.equal(new ca.Monitor({ metric: 'csat', window_hours: 1, baseline_hours: 2 }).config.min_baseline, 100);
    assert.deepEqual(batch.config.metric, { kind: 'nps' });
  });

  test('toJSON/fromJSON mid-stream continues as the uninterrupted run', () => {
    const whole = new ca.Monitor(CONFIG);
    const want = whole.pushMany(resps);
    for (const cut of [1, 500, 8 * 48 + 3, resps.length - 1]) {
      const first = new ca.Monitor(CONFIG);
      const a = first.pushMany(resps.slice(0, cut));
      const restarted = ca.Monitor.fromJSON(first.toJSON());
      const b = restarted.pushMany(resps.slice(cut));
      assert.deepEqual(a.concat(b), want, `cut at ${cut}`);
      assert.equal(restarted.toJSON(), whole.toJSON());
    }
  });

  test('an out-of-order response throws out_of_order and changes nothing', () => {
    const m = new ca.Monitor(CONFIG);
    m.pushMany(resps.slice(0, 10));
    const before = m.toJSON();
    throwsCode(() => m.pushMany([resps[10], resps[2]]), 'out_of_order', 'earlier time in a batch');
    throwsCode(() => m.push(resps[3]), 'out_of_order', 'earlier time');
    assert.equal(m.toJSON(), before);
  });
});

describe('alerts package: CaseBook', () => {
  // The example of cem.alerts (Python); every figure follows by hand from the rules' SLAs.
  const rules = new ca.RuleSet({ rules: [
    { name: 'detractor', priority: 'high', sla_hours: 48, when: { field: 'nps', at_most: 6 } },
    { name: 'churn-threat', priority: 'urgent', sla_hours: 4,
      when: { all: [{ field: 'tier', in: ['gold'] }, { field: 'comment', contains_word: 'cancel' }] } }] });
  const responses = [
    { customer: 'c-1', time: '2026-03-02T09:00:00Z', nps: 3, tier: 'gold', comment: 'I will cancel' },
    { customer: 'c-2', time: Date.parse('2026-03-02T09:05:00Z'), nps: 9 },
    { customer: 'c-1', time: new Date('2026-03-02T10:00:00Z'), nps: 2 }];

  test('ingest deduplicates, the lifecycle moves, tick escalates, figures; toJSON/fromJSON round-trips', () => {
    const book = new ca.CaseBook();
    assert.deepEqual(book.ingest(rules, responses), ['case-1', 'case-2']);
    assert.equal(book.duplicates, 1);
    const started = book.transition('case-1', 'in_progress', 'agent-7', '2026-03-02T11:00:00Z');
    assert.equal(started.status, 'in_progress');
    assert.equal(started.history.length, 1);
    // case-2 (churn-threat, 4 h SLA from 09:00) is overdue at 14:00; case-1 (48 h) is not.
    assert.deepEqual(book.tick(Date.parse('2026-03-02T14:00:00Z')), ['case-2']);
    const fig = book.figures(new Date('2026-03-02T14:00:00Z'));
    assert.deepEqual(fig.time_to_first_response, { n: 1, median: 2, p90: 2 });
    assert.equal(fig.cases, 2);
    assert.equal(book.case('case-2').priority, 'urgent');
    assert.equal(book.case('case-9'), undefined);
    throwsCode(() => book.transition('case-2', 'closed', 'a', '2026-03-02T15:00:00Z'), 'illegal_transition', 'open → closed');
    throwsCode(() => book.transition('case-2', 'done', 'a', '2026-03-02T15:00:00Z'), 'invalid_argument', 'unknown status');
    throwsCode(() => book.transition('case-9', 'in_progress', 'a', '2026-03-02T15:00:00Z'), 'invalid_argument', 'unknown case');
    throwsCode(() => book.tick('soon'), 'invalid_argument', 'bad time');
    throwsCode(() => book.ingest(rules, [{ customer: 'x', time: 0, nps: 12 }]), 'out_of_range', 'NPS 12');
    const again = ca.CaseBook.fromJSON(book.toJSON());
    assert.equal(again.toJSON(), book.toJSON());
    assert.deepEqual(again.cases, book.cases);
    throwsCode(() => ca.CaseBook.fromJSON('[]'), 'json', 'not a book');
  });
});

describe('alerts package: bad input', () => {
  const rules = new ca.RuleSet(RULES_TEXT);
  const ok = { customer: 'c', time: T0, nps: 3 };
  test('bad rules, configs and responses throw Errors with a code; nothing traps', () => {
    throwsCode(() => new ca.RuleSet({ rules: [{ name: 'x', priority: 'low', sla_hours: 1, when: { field: 'tier', at_most: 2 } }] }), 'invalid_rule', 'number on a text field');
    throwsCode(() => new ca.RuleSet({ rules: [{ name: 'x', priority: 'low', sla_hours: 1, when: { field: 'shoe', present: true } }] }), 'invalid_rule', 'unknown field');
    throwsCode(() => ca.RuleSet.fromJSON('{"rules": ['), 'json', 'broken JSON');
    throwsCode(() => new ca.RuleSet(42), 'invalid_argument', 'a number as definition');
    throwsCode(() => rules.matching('x'), 'invalid_argument', 'responses not an array');
    throwsCode(() => rules.matching([ok, 7]), 'invalid_argument', 'a number as response');
    throwsCode(() => rules.matching([{ time: T0 }]), 'invalid_argument', 'no customer');
    throwsCode(() => rules.matching([{ customer: 'c' }]), 'invalid_argument', 'no time');
    throwsCode(() => rules.matching([{ customer: 'c', time: 'yesterday' }]), 'invalid_argument', 'bad time text');
    throwsCode(() => rules.matching([{ customer: 'c', time: T0 + 0.5 }]), 'invalid_argument', 'fractional ms');
    throwsCode(() => rules.matching([{ customer: 'c', time: new Date(NaN) }]), 'invalid_argument', 'invalid Date');
    throwsCode(() => rules.matching([{ customer: 'c', time: T0, nps: 4.5 }]), 'invalid_argument', 'fractional score');
    throwsCode(() => rules.matching([{ customer: 'c', time: T0, nps: '9' }]), 'invalid_argument', 'score as text');
    throwsCode(() => rules.evaluate([{ customer: 'c', time: T0, nps: 11 }]), 'out_of_range', 'NPS 11');
    throwsCode(() => rules.matching([{ customer: 'c', time: T0, sentiment: NaN }]), 'invalid_argument', 'NaN sentiment');
    throwsCode(() => rules.matching([{ customer: 'c', time: T0, tier: 3 }]), 'invalid_argument', 'number as tier');
    const trap = { customer: 'c', get time() { throw new Error('boom'); } };
    throwsCode(() => rules.matching([trap]), 'invalid_argument', 'a throwing getter');
    throwsCode(() => new ca.Monitor({ ...CONFIG, window_hours: -1 }), 'invalid_argument', 'negative window');
    throwsCode(() => new ca.Monitor({ ...CONFIG, metric: 'median' }), 'json', 'unknown metric');
    throwsCode(() => new ca.Monitor({ ...CONFIG, windowHours: 3 }), 'json', 'unknown key');
    throwsCode(() => new ca.Monitor(null), 'invalid_argument', 'null config');
    throwsCode(() => ca.Monitor.fromJSON('{}'), 'json', 'not a monitor');
    // Still works afterwards.
    assert.deepEqual(rules.matching([ok]), [['detractor']]);
  });
});

describe('alerts package: size and Chromium', { timeout: 120_000 }, () => {
  let server, browser, page, problems;

  before(async () => {
    ({ server, browser, page, problems } = await openPackagePage('/pkg-alerts/cem_alerts.js', 'ca'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sizes: the core package stays ≤ 150,000 bytes gzipped; alerts ≤ 300,000', () => {
    const gz = (file) => { const raw = readFileSync(file); return [raw.length, gzipSync(raw, { level: 9 }).length]; };
    const [coreRaw, coreGz] = gz(`${pkgDir}/cem_wasm_bg.wasm`);
    const [raw, packed] = gz(`${alertsDir}/cem_alerts_bg.wasm`);
    console.log(`# sizes: cem_wasm ${coreRaw} B (${coreGz} gz), cem_alerts ${raw} B (${packed} gz)`);
    assert.ok(coreGz <= 150_000, `cem_wasm_bg.wasm is ${coreGz} bytes gzipped`);
    assert.ok(packed <= 300_000, `cem_alerts_bg.wasm is ${packed} bytes gzipped`);
  });

  test('in Chromium: the same matches, cases and alerts as in Node; errors carry a code', async () => {
    // Only ms numbers and ISO text cross into the page (Dates do not survive the transfer).
    const resps = randomResponses(4, 300).map((r) => ({ ...r, time: msOf(r.time) }));
    const monitorInput = stream(10);
    const got = await page.evaluate(([rulesText, rs, cfg, ms]) => {
      const rules = new window.ca.RuleSet(rulesText);
      const m = new window.ca.Monitor(cfg);
      let code;
      try { m.pushMany([ms[5], ms[1]]); } catch (e) { code = e instanceof Error && e.code; }
      const fresh = new window.ca.Monitor(cfg);
      return { matching: rules.matching(rs), cases: rules.evaluate(rs), alerts: fresh.pushMany(ms), code };
    }, [RULES_TEXT, resps, CONFIG, monitorInput]);
    const rules = new ca.RuleSet(RULES_TEXT);
    assert.deepEqual(got.matching, rules.matching(resps));
    assert.deepEqual(got.cases, rules.evaluate(resps));
    assert.ok(got.cases.length > 10);
    const alerts = new ca.Monitor(CONFIG).pushMany(monitorInput);
    assert.ok(alerts.length > 0);
    assert.deepEqual(got.alerts, alerts);
    assert.equal(got.code, 'out_of_order');
    assert.deepEqual(problems, []);
  });
});
