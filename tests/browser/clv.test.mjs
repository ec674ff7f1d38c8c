// The opt-in CLV package (cem-wasm/pkg-clv, module cem_clv) in Node and Chromium against
// lifetimes 0.11.3 on the CDNOW sample it ships. Expected values are the ones
// tests/reference/clv_lifetimes.py, clv_bg_nbd_a_one.py and loyalty_reference.py recorded
// with lifetimes (tests/data/clv/lifetimes_cdnow.json, bg_nbd_a_one.json,
// tests/data/loyalty/summary_cdnow_{D,W}.csv; commands and versions inside) — the same
// values and tolerances as tests/python/test_clv.py: fits to 1e-4 relative, formulas at
// lifetimes' parameters to 1e-9. Plus: Float64Array = arrays, numbers = one-row columns,
// toJSON/fromJSON, bad input → Errors with a code (never a trap), the size budget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { clvDir, openPackagePage, pkgDir } from './server.mjs';

const cv = await import(`${clvDir}/cem_clv.js`);
cv.initSync({ module: readFileSync(`${clvDir}/cem_clv_bg.wasm`) });

const data = (path) => readFileSync(new URL(`../data/${path}`, import.meta.url), 'utf8');
const EXPECTED = JSON.parse(data('clv/lifetimes_cdnow.json'));
const FIT_RTOL = 1e-4;

/** A CSV file as columns: numbers where every value parses, else texts. */
function csv(text) {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = head.split(',');
  const rows = lines.map((l) => l.split(','));
  return Object.fromEntries(names.map((n, j) => {
    const col = rows.map((r) => r[j]);
    return [n, col.every((v) => v !== '' && !Number.isNaN(Number(v))) ? col.map(Number) : col];
  }));
}
const CDNOW = csv(data('clv/cdnow_customers_summary_with_transactions.csv')); // x, t_x, T, zbar

function close(got, want, rtol, what) {
  assert.equal(typeof got, 'number', `${what}: a number`);
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `${what}: got ${got}, want ${want} (rtol ${rtol})`);
}
function closeAll(got, want, rtol, what) {
  assert.ok(got instanceof Float64Array, `${what}: a Float64Array`);
  assert.equal(got.length, want.length, `${what}: length`);
  want.forEach((w, i) => close(got[i], w, rtol, `${what}[${i}]`));
}
function closeParams(got, want, rtol, what) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), what);
  for (const k of Object.keys(want)) close(got[k], want[k], rtol, `${what}.${k}`);
}

/** Must throw an Error with this code, never a wasm trap. */
function throwsCode(f, code, what, message) {
  let threw = false;
  try { f(); } catch (e) {
    threw = true;
    assert.ok(e instanceof Error, `${what}: an Error`);
    assert.equal(e.name, 'CemError', `${what}: ${e}`);
    assert.doesNotMatch(String(e.message), /unreachable|RuntimeError/);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    if (message) assert.match(e.message, message, what);
  }
  assert.ok(threw, `${what} threw`);
}

/** The recorded customers' columns, and the model checked on them (check_customers in Python). */
function checkCustomers(model, rec, rtol, what) {
  const cs = rec.customers;
  const [x, tx, t] = ['frequency', 'recency', 'T'].map((k) => cs.map((c) => c[k]));
  closeAll(model.pAlive(x, tx, t), cs.map((c) => c.p_alive), rtol, `${what} pAlive`);
  for (const h of ['1.0', '10.0', '52.0']) {
    closeAll(model.predict(Number(h), x, tx, t), cs.map((c) => c.predict[h]), rtol, `${what} predict(${h})`);
  }
  for (const [h, v] of Object.entries(rec.expected_purchases)) {
    close(model.expectedPurchases(Number(h)), v, rtol, `${what} expectedPurchases(${h})`);
  }
}

describe('clv package: BG/NBD against lifetimes on CDNOW', () => {
  for (const [penalizer, key] of [[0, 'bg_nbd'], [0.01, 'bg_nbd_penalizer_0_01']]) {
    test(`fit, log-likelihood, standard errors, predictions, summary (penalizer ${penalizer})`, () => {
      const rec = EXPECTED[key];
      const m = cv.BetaGeo.fit(CDNOW.x, CDNOW.t_x, CDNOW.T, { penalizer });
      closeParams(m.params, rec.params, FIT_RTOL, 'params');
      close(m.logLikelihood, rec.log_likelihood, FIT_RTOL, 'logLikelihood');
      close(m.fitReport.objective, rec.objective, FIT_RTOL, 'objective');
      assert.equal(m.fitReport.customers, EXPECTED.n_customers);
      closeParams(m.standardErrors, rec.standard_errors, FIT_RTOL, 'standardErrors');
      checkCustomers(m, rec, FIT_RTOL, key);
      for (const [h, probs] of Object.entries(rec.probability_of_n_purchases)) {
        probs.forEach((p, n) => close(m.probabilityOfNPurchases(Number(h), n), p, FIT_RTOL, `P(N(${h}) = ${n})`));
      }
      // lifetimes' summary(): coef, se, coef ∓ 1.96 se (cem uses the exact quantile)
      const rows = m.summary();
      assert.deepEqual(rows.map((r) => r.parameter), ['r', 'alpha', 'a', 'b']);
      for (const r of rows) {
        const se = rec.standard_errors[r.parameter];
        close(r.se, se, FIT_RTOL, `summary se ${r.parameter}`);
        close(r.lower, rec.params[r.parameter] - 1.96 * se, 1e-3, `summary lower ${r.parameter}`);
        close(r.upper, rec.params[r.parameter] + 1.96 * se, 1e-3, `summary upper ${r.parameter}`);
      }
      const wide = m.summary(0.99);
      assert.ok(wide.every((r, i) => r.lower < rows[i].lower && r.upper > rows[i].upper));
    });
  }

  test('formulas at lifetimes\' parameters to 1e-9, the NaN rows of lifetimes to mpmath\'s values', () => {
    for (const key of ['bg_nbd', 'bg_nbd_penalizer_0_01']) {
      const m = cv.BetaGeo.fromParams(EXPECTED[key].params);
      assert.equal(m.logLikelihood, undefined);
      assert.equal(m.fitReport, null);
      assert.equal(m.standardErrors, null);
      assert.ok(m.summary().every((r) => r.se === null && r.lower === null));
      checkCustomers(m, EXPECTED[key], 1e-9, `${key} at lifetimes' parameters`);
    }
    const rec = EXPECTED.bg_nbd_penalizer_0_01;
    const m = cv.BetaGeo.fromParams(rec.params);
    const nanRows = rec.customers.filter((c) => 'predict_source' in c);
    assert.equal(nanRows.length, rec.rows_where_lifetimes_predict_is_nan.length);
    assert.ok(nanRows.length > 0);
    const zeros = new Float64Array(nanRows.length);
    closeAll(m.predict(52, zeros, zeros, nanRows.map((c) => c.T)), nanRows.map((c) => c.predict['52.0']), 1e-9, 'NaN rows');
  });

  test('at a = 1, where lifetimes\' closed form is 0/0: mpmath to 1e-12', () => {
    const rows = JSON.parse(data('clv/bg_nbd_a_one.json')).rows;
    for (const row of rows) {
      const m = cv.BetaGeo.fromParams({ r: 0.243, alpha: 4.414, a: 1 + row.a_minus_1, b: 2.426 });
      const got = row.T === 0 ? m.expectedPurchases(row.t) : m.predict(row.t, row.frequency, row.recency, row.T);
      close(got, row.expected, 1e-12, JSON.stringify(row));
    }
  });
});

describe('clv package: Pareto/NBD against lifetimes on CDNOW', () => {
  for (const [penalizer, key] of [[0, 'pareto_nbd'], [0.01, 'pareto_nbd_penalizer_0_01']]) {
    test(`fit, log-likelihood, standard errors, predictions (penalizer ${penalizer})`, () => {
      const rec = EXPECTED[key];
      const m = cv.ParetoNBD.fit(new Float64Array(CDNOW.x), new Float64Array(CDNOW.t_x), new Float64Array(CDNOW.T), { penalizer });
      closeParams(m.params, rec.params, FIT_RTOL, 'params');
      close(m.logLikelihood, rec.log_likelihood, FIT_RTOL, 'logLikelihood');
      // lifetimes' own fit stops short of the optimum on this flat likelihood: cem's is never worse.
      assert.ok(m.fitReport.objective <= rec.default_fit.objective + 1e-9);
      closeParams(m.standardErrors, rec.standard_errors_numerical, 1e-3, 'standardErrors');
      checkCustomers(m, rec, FIT_RTOL, key);
      const total = Array.from({ length: 300 }, (_, n) => m.probabilityOfNPurchases(52, n)).reduce((a, b) => a + b);
      close(total, 1, 1e-6, 'Σ P(N(52) = n)');
    });
  }

  test('formulas at lifetimes\' parameters to 1e-9; P(alive) where lifetimes is NaN to 1e-10', () => {
    const m = cv.ParetoNBD.fromParams(EXPECTED.pareto_nbd.params);
    checkCustomers(m, EXPECTED.pareto_nbd, 1e-9, 'pareto_nbd at lifetimes\' parameters');
    for (const c of EXPECTED.pareto_nbd_edge_cases) {
      close(m.pAlive(c.frequency, c.recency, c.T), c.p_alive, 1e-10, `edge case ${JSON.stringify(c)}`);
    }
  });
});

describe('clv package: Gamma-Gamma and lifetime value against lifetimes', () => {
  const repeat = CDNOW.x.map((x, i) => i).filter((i) => CDNOW.x[i] > 0);
  const freq = repeat.map((i) => CDNOW.x[i]);
  const spend = repeat.map((i) => CDNOW.zbar[i]);

  test('fit on the repeat customers, expected values', () => {
    const rec = EXPECTED.gamma_gamma;
    assert.equal(repeat.length, rec.n_customers);
    const m = cv.GammaGamma.fit(freq, spend);
    closeParams(m.params, rec.params, FIT_RTOL, 'params');
    close(m.logLikelihood, rec.log_likelihood, FIT_RTOL, 'logLikelihood');
    closeParams(m.standardErrors, rec.standard_errors, FIT_RTOL, 'standardErrors');
    closeAll(m.expectedValue(rec.customers.map((c) => c.frequency), rec.customers.map((c) => c.monetary_value)),
      rec.customers.map((c) => c.expected_value), FIT_RTOL, 'expectedValue');
    close(m.expectedValue(0, 0), rec.expected_value_frequency_0, FIT_RTOL, 'expectedValue(0, 0)');
    assert.deepEqual(m.summary().map((r) => r.parameter), ['p', 'q', 'v']);
    const weighted = cv.GammaGamma.fit(freq, spend, { weights: new Float64Array(freq.length).fill(2) });
    closeParams(weighted.params, m.params, 1e-6, 'weights 2 = every customer twice');
  });

  for (const key of Object.keys(EXPECTED.clv.values).sort()) {
    test(`lifetimeValue = lifetimes' customer_lifetime_value: ${key}`, () => {
      const bg = key.startsWith('bg_nbd');
      const purchases = (bg ? cv.BetaGeo : cv.ParetoNBD).fromParams(EXPECTED[bg ? 'bg_nbd' : 'pareto_nbd'].params);
      const spendModel = cv.GammaGamma.fromParams(EXPECTED.gamma_gamma.params);
      const [months, rate, freqCode] = key.split('_').slice(-3);
      const rows = EXPECTED.clv.rows;
      const col = (name) => rows.map((i) => CDNOW[name][i]);
      const options = { time: Number(months.replace('months', '')), discount_rate: Number(rate.replace('rate', '')), freq: freqCode };
      const got = purchases.lifetimeValue(spendModel, col('x'), col('t_x'), col('T'), col('zbar'), options);
      closeAll(got, EXPECTED.clv.values[key], 1e-9, key);
      const one = purchases.lifetimeValue(spendModel, CDNOW.x[0], CDNOW.t_x[0], CDNOW.T[0], CDNOW.zbar[0], options);
      assert.equal(one, got[0]);
    });
  }
});

describe('clv package: customerSummary against lifetimes\' summary_data_from_transaction_data', () => {
  const tx = csv(data('loyalty/cdnow_sample.csv')); // customer, date (YYYYMMDD), cds, amount
  const dates = tx.date.map((d) => new Date(Date.UTC(Math.floor(d / 1e4), Math.floor(d / 100) % 100 - 1, d % 100)));
  for (const freq of ['D', 'W']) {
    test(`CDNOW transactions, freq ${freq}`, () => {
      const want = csv(data(`loyalty/summary_cdnow_${freq}.csv`));
      const s = cv.customerSummary(tx.customer, dates, tx.amount, { observation_end: new Date('1998-06-30T00:00:00Z'), freq });
      assert.equal(s.customers.length, want.customer.length);
      const at = new Map(s.customers.map((c, i) => [c, i]));
      want.customer.forEach((c, j) => {
        const i = at.get(String(c));
        assert.ok(i !== undefined, `customer ${c}`);
        for (const [k, w] of [['frequency', want.frequency], ['recency', want.recency], ['T', want.T]]) {
          assert.equal(s[k][i], w[j], `${k} of ${c}`);
        }
        assert.ok(Math.abs(s.monetary_value[i] - want.monetary_value[j]) <= 1e-9 * Math.max(1, want.monetary_value[j]), `monetary_value of ${c}`);
      });
      assert.equal(s.transactions.reduce((a, b) => a + b), tx.customer.length);
      // seconds as numbers give the same summary as Dates
      const secs = cv.customerSummary(tx.customer, dates.map((d) => d.getTime() / 1000), tx.amount,
        { observation_end: Date.UTC(1998, 5, 30) / 1000, freq });
      assert.deepEqual(secs.frequency, s.frequency);
      assert.deepEqual(secs.T, s.T);
    });
  }

  test('the summary feeds the models: a BG/NBD fit on the weekly summary', () => {
    const s = cv.customerSummary(tx.customer, dates, tx.amount, { observation_end: new Date('1998-06-30T00:00:00Z'), freq: 'W' });
    const m = cv.BetaGeo.fit(s.frequency, s.recency, s.T);
    assert.ok(m.params.r > 0 && m.logLikelihood < 0);
    assert.equal(cv.customerSummary([], []).customers.length, 0);
    const noAmounts = cv.customerSummary(['a', 'a'], [0, 86_400]);
    assert.equal(noAmounts.monetary_value, null);
    assert.deepEqual(Array.from(noAmounts.frequency), [1]);
    assert.deepEqual(Array.from(noAmounts.last_purchase), [86_400_000]);
  });
});

describe('clv package: inputs, save and restore', () => {
  test('Float64Array, arrays and numbers agree; a number among columns is used for every row', () => {
    const a = cv.BetaGeo.fit(CDNOW.x, CDNOW.t_x, CDNOW.T);
    assert.deepEqual(a.params, cv.BetaGeo.fit(new Float64Array(CDNOW.x), CDNOW.t_x, new Float64Array(CDNOW.T)).params);
    assert.deepEqual(a.params, cv.BetaGeo.fit(new Int32Array(CDNOW.x), CDNOW.t_x, CDNOW.T).params, 'any typed array');
    const col = a.pAlive([2, 0, 5], [30.43, 0, 20], 38.86);
    assert.equal(col.length, 3);
    assert.equal(col[0], a.pAlive(2, 30.43, 38.86));
    assert.equal(col[2], a.pAlive(5, 20, 38.86));
    assert.deepEqual(Array.from(a.expectedPurchases([1, 10, 52])), [1, 10, 52].map((t) => a.expectedPurchases(t)));
  });

  test('toJSON/fromJSON keeps parameters, fit report and predictions', () => {
    const m = cv.BetaGeo.fit(CDNOW.x, CDNOW.t_x, CDNOW.T);
    const back = cv.BetaGeo.fromJSON(m.toJSON());
    assert.deepEqual(back.params, m.params);
    assert.deepEqual(back.fitReport, m.fitReport);
    assert.equal(back.toJSON(), m.toJSON());
    assert.deepEqual(back.predict(10, CDNOW.x, CDNOW.t_x, CDNOW.T), m.predict(10, CDNOW.x, CDNOW.t_x, CDNOW.T));
    const p = cv.ParetoNBD.fromParams(EXPECTED.pareto_nbd.params);
    assert.deepEqual(cv.ParetoNBD.fromJSON(p.toJSON()).params, p.params);
    const g = cv.GammaGamma.fromParams(EXPECTED.gamma_gamma.params);
    assert.equal(cv.GammaGamma.fromJSON(g.toJSON()).expectedValue(2, 22.35), g.expectedValue(2, 22.35));
    // the core's JSON: the same text Python's to_json writes
    assert.deepEqual(JSON.parse(p.toJSON()), { params: EXPECTED.pareto_nbd.params, report: null });
  });
});

describe('clv package: bad input', () => {
  const { x, t_x: tx, T: t } = CDNOW;
  test('mismatched lengths, NaN, negatives, T < recency, non-numbers throw with a code and the row', () => {
    throwsCode(() => cv.BetaGeo.fit(x, tx.slice(1), t), 'length_mismatch', 'short recency');
    const bad = [...tx];
    bad[5] = t[5] + 1;
    throwsCode(() => cv.BetaGeo.fit(x, bad, t), 'invalid_number', 'recency > T', /recency at row 5 .* greater than T/);
    const neg = [...x];
    neg[3] = -1;
    throwsCode(() => cv.ParetoNBD.fit(neg, tx, t), 'invalid_number', 'negative frequency', /frequency at row 3/);
    throwsCode(() => cv.BetaGeo.fit([1.5], [1], [2]), 'invalid_number', 'fractional frequency', /frequency at row 0/);
    throwsCode(() => cv.BetaGeo.fit([0, 1], [0, NaN], [3, 3]), 'invalid_number', 'NaN recency', /recency at row 1/);
    throwsCode(() => cv.BetaGeo.fit([0, 1], [0, 1], [3, -2]), 'invalid_number', 'negative T', /T at row 1/);
    throwsCode(() => cv.BetaGeo.fit([0, '1'], [0, 1], [3, 3]), 'invalid_number', 'a text', /frequency at position 1/);
    throwsCode(() => cv.BetaGeo.fit([0, null], [0, 1], [3, 3]), 'invalid_number', 'null', /frequency at position 1/);
    throwsCode(() => cv.BetaGeo.fit('x', tx, t), 'invalid_argument', 'not an array');
    throwsCode(() => cv.BetaGeo.fit([0, 0], [0, 0], [5, 5]), 'invalid_argument', 'nobody bought twice', /repeat/);
    throwsCode(() => cv.BetaGeo.fit([], [], []), 'empty', 'no customers');
    throwsCode(() => cv.BetaGeo.fit(x, tx, t, { penalizer: -1 }), 'invalid_argument', 'negative penalizer');
    throwsCode(() => cv.BetaGeo.fit(x, tx, t, { penaliser: 0.1 }), 'invalid_argument', 'unknown option', /penaliser/);
    throwsCode(() => cv.BetaGeo.fit(x, tx, t, { weights: [1] }), 'length_mismatch', 'short weights');
    throwsCode(() => cv.GammaGamma.fit([2, 0], [10, 0]), 'invalid_number', 'a one-time buyer', /frequency at row 1/);
    throwsCode(() => cv.GammaGamma.fit([2, 1], [10, -5]), 'invalid_number', 'negative spend', /monetary value at row 1/);
  });

  test('predictions, parameters and saved models: errors, never a trap; the model still works', () => {
    const m = cv.BetaGeo.fromParams(EXPECTED.bg_nbd.params);
    throwsCode(() => m.predict(52, 2, 40, 38.86), 'invalid_number', 'recency > T', /greater than T/);
    throwsCode(() => m.predict(52, [2, 1], [30, 40], [38.86, 38.86]), 'invalid_number', 'recency > T in a column', /row 1/);
    throwsCode(() => m.predict(-1, 2, 30, 38.86), 'invalid_number', 'negative t');
    throwsCode(() => m.pAlive([1, 2], [1], [3, 3]), 'length_mismatch', 'short column');
    throwsCode(() => m.pAlive(NaN, 0, 3), 'invalid_number', 'NaN frequency');
    throwsCode(() => m.expectedPurchases([1, -1]), 'invalid_number', 'negative t in a column', /row 1/);
    throwsCode(() => m.probabilityOfNPurchases(10, 1.5), 'invalid_argument', 'fractional n');
    throwsCode(() => m.summary(1.5), 'out_of_range', 'confidence 1.5');
    throwsCode(() => cv.BetaGeo.fromParams({ r: -1, alpha: 1, a: 1, b: 1 }), 'invalid_number', 'negative r');
    throwsCode(() => cv.BetaGeo.fromParams({ r: 1, alpha: 1, a: 1 }), 'json', 'missing b');
    throwsCode(() => cv.BetaGeo.fromParams(7), 'invalid_argument', 'a number as parameters');
    throwsCode(() => cv.BetaGeo.fromJSON('{"params":'), 'json', 'broken JSON');
    throwsCode(() => cv.ParetoNBD.fromJSON(m.toJSON()), 'json', 'a BG/NBD model as Pareto/NBD');
    const g = cv.GammaGamma.fromParams({ p: 6, q: 0.5, v: 15 });
    throwsCode(() => g.expectedValue(2, 20), 'undefined', 'q ≤ 1: no population mean');
    const spend = cv.GammaGamma.fromParams(EXPECTED.gamma_gamma.params);
    throwsCode(() => m.lifetimeValue(spend, 2, 30, 38, 20, { discountRate: 0.1 }), 'invalid_argument', 'camelCase option', /discountRate/);
    throwsCode(() => m.lifetimeValue(spend, 2, 30, 38, 20, { freq: 'Y' }), 'invalid_argument', 'unknown freq');
    throwsCode(() => m.lifetimeValue(spend, 2, 30, 38, 20, { time: -3 }), 'invalid_argument', 'negative months');
    throwsCode(() => m.lifetimeValue(spend, 2, 30, 38, NaN), 'invalid_number', 'NaN spend');
    throwsCode(() => cv.customerSummary(['a'], [100], null, { observation_end: 50 }), 'out_of_range', 'after the end');
    throwsCode(() => cv.customerSummary(['a', 'b'], [1], null), 'length_mismatch', 'short times');
    throwsCode(() => cv.customerSummary(['a'], [1], [NaN]), 'invalid_number', 'NaN amount');
    throwsCode(() => cv.customerSummary(['a'], [1], null, { freq: 'Q' }), 'invalid_argument', 'unknown period');
    throwsCode(() => cv.customerSummary([null], [1]), 'invalid_number', 'missing id');
    // Still works afterwards.
    close(m.pAlive(2, 30.43, 38.86), EXPECTED.bg_nbd.customers[0].p_alive, 1e-9, 'after the errors');
  });
});

describe('clv package: size and Chromium', { timeout: 120_000 }, () => {
  let server, browser, page, problems;

  before(async () => {
    ({ server, browser, page, problems } = await openPackagePage('/pkg-clv/cem_clv.js', 'cv'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sizes: the core package stays ≤ 150,000 bytes gzipped; clv ≤ 215,000', () => {
    const gz = (file) => { const raw = readFileSync(file); return [raw.length, gzipSync(raw, { level: 9 }).length]; };
    const [coreRaw, coreGz] = gz(`${pkgDir}/cem_wasm_bg.wasm`);
    const [raw, packed] = gz(`${clvDir}/cem_clv_bg.wasm`);
    console.log(`# sizes: cem_wasm ${coreRaw} B (${coreGz} gz), cem_clv ${raw} B (${packed} gz)`);
    assert.ok(coreGz <= 150_000, `cem_wasm_bg.wasm is ${coreGz} bytes gzipped`);
    assert.ok(packed <= 215_000, `cem_clv_bg.wasm is ${packed} bytes gzipped`);
    assert.doesNotMatch(readFileSync(`${pkgDir}/cem_wasm.js`, 'utf8'), /BetaGeo/, 'the core package has no CLV');
  });

  test('in Chromium: the CDNOW fits match lifetimes and Node; errors carry a code', async () => {
    const got = await page.evaluate(([x, tx, t, zbar]) => {
      const { BetaGeo, GammaGamma } = window.cv;
      const bg = BetaGeo.fit(new Float64Array(x), tx, t);
      const repeat = x.map((_, i) => i).filter((i) => x[i] > 0);
      const gg = GammaGamma.fit(repeat.map((i) => x[i]), repeat.map((i) => zbar[i]));
      let code;
      try { BetaGeo.fit(x, tx.slice(1), t); } catch (e) { code = e instanceof Error && e.code; }
      return {
        params: bg.params, spend: gg.params, json: bg.toJSON(), code,
        alive: Array.from(bg.pAlive(x.slice(0, 50), tx.slice(0, 50), t.slice(0, 50))),
        clv: bg.lifetimeValue(gg, 2, 30.43, 38.86, 22.35, { freq: 'W' }),
      };
    }, [CDNOW.x, CDNOW.t_x, CDNOW.T, CDNOW.zbar]);
    closeParams(got.params, EXPECTED.bg_nbd.params, FIT_RTOL, 'page BG/NBD params');
    closeParams(got.spend, EXPECTED.gamma_gamma.params, FIT_RTOL, 'page Gamma-Gamma params');
    const node = cv.BetaGeo.fit(CDNOW.x, CDNOW.t_x, CDNOW.T);
    assert.deepEqual(got.params, node.params, 'the same fit in the page and in Node');
    assert.equal(got.json, node.toJSON());
    assert.deepEqual(got.alive, Array.from(node.pAlive(CDNOW.x.slice(0, 50), CDNOW.t_x.slice(0, 50), CDNOW.T.slice(0, 50))));
    const gg = cv.GammaGamma.fit(CDNOW.x.filter((v) => v > 0), CDNOW.zbar.filter((_, i) => CDNOW.x[i] > 0));
    assert.equal(got.clv, node.lifetimeValue(gg, 2, 30.43, 38.86, 22.35, { freq: 'W' }));
    assert.equal(got.code, 'length_mismatch');
    assert.deepEqual(problems, []);
  });

  test('the demo page (cem-wasm/www/clv.html) renders from the package', async () => {
    const demo = await browser.newPage();
    const errors = [];
    demo.on('pageerror', (e) => errors.push(e.message));
    await demo.goto(`${server.url}www/clv.html`);
    await demo.waitForFunction(() => document.getElementById('status').textContent !== 'loading');
    assert.match(await demo.textContent('#status'), /^ready \(1500 customers/, await demo.textContent('#error'));
    assert.equal(await demo.locator('#params tr').count(), 7);
    assert.equal(await demo.locator('#top tr').count(), 10);
    const clv = await demo.locator('#top tr td:last-child').allTextContents();
    assert.ok(clv.map(Number).every((v, i, all) => v > 0 && (i === 0 || v <= all[i - 1])), 'sorted, positive');
    assert.deepEqual(errors, []);
    await demo.close();
  });
});
