// The JavaScript runner of the bad-input catalogue (tests/bad_inputs/catalogue.json, see its
// README): every case whose `langs` include `js` goes through the wasm packages (in Node, with
// initSync) and must throw an Error with the catalogue's `code` and message, or be accepted as
// documented — never a wasm trap ("unreachable") or a non-Error throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clvDir, pkgDir, sentimentDir } from './server.mjs';

const cem = await import(`${pkgDir}/cem_wasm.js`);
cem.initSync({ module: readFileSync(`${pkgDir}/cem_wasm_bg.wasm`) });
// The `text.*` ops go through the opt-in sentiment package.
const cs = await import(`${sentimentDir}/cem_sentiment.js`);
cs.initSync({ module: readFileSync(`${sentimentDir}/cem_sentiment_bg.wasm`) });
// The `clv.*` ops go through the opt-in CLV package.
const cv = await import(`${clvDir}/cem_clv.js`);
cv.initSync({ module: readFileSync(`${clvDir}/cem_clv_bg.wasm`) });

const root = fileURLToPath(new URL('../..', import.meta.url));
const { cases } = JSON.parse(readFileSync(`${root}/tests/bad_inputs/catalogue.json`, 'utf8'));
const POST_CONTACT = readFileSync(`${root}/tests/data/surveys/post_contact.json`, 'utf8');

function decode(v) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = v[key];
      switch (key) {
        case '$f': return { NaN: NaN, inf: Infinity, '-inf': -Infinity }[arg];
        case '$json': return JSON.stringify(decode(arg));
        case '$repeat': return arg[0].repeat(arg[1]);
        case '$concat': return arg.map(decode).join('');
        case '$nest': return '['.repeat(arg) + ']'.repeat(arg);
        default: break;
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  if (Array.isArray(v)) return v.map(decode);
  return v;
}

function run(op, a) {
  switch (op) {
    case 'nps.push': { const x = new cem.NpsAggregate(); x.push(a[0]); return { n: x.estimate().n }; }
    case 'nps.push_many': { const x = new cem.NpsAggregate(); x.pushMany(a[0]); return { n: JSON.parse(x.toJSON()).counts.count.reduce((s, c) => s + c, 0) }; }
    case 'nps.estimate': { const x = new cem.NpsAggregate(); x.pushMany(a[0]); return { value: x.estimate().value }; }
    case 'csat.new': new cem.CsatAggregate(a[0], a[1]); return {};
    case 'csat.push': { const x = new cem.CsatAggregate(); x.push(a[0]); return {}; }
    case 'ces.new': new cem.CesAggregate(a[0]); return {};
    case 'nps.from_json': { const x = cem.NpsAggregate.fromJSON(a[0]); return { n: JSON.parse(x.toJSON()).counts.count.reduce((s, c) => s + c, 0) }; }
    case 'csat.from_json': cem.CsatAggregate.fromJSON(a[0]); return {};
    case 'aggregate.from_json': cem.SurveyAggregate.fromJSON(a[0]); return {};
    case 'survey.from_json': cem.Survey.fromJSON(a[0]); return {};
    case 'survey.score': cem.Survey.fromJSON(POST_CONTACT).score(a[0]); return {};
    case 'text.polarity': return cs.polarity(a[0]);
    case 'text.sentiment': return { compound: cs.sentiment(a[0]).map((r) => r.compound) };
    case 'clv.beta_geo.fit': cv.BetaGeo.fit(a[0], a[1], a[2]); return {};
    case 'clv.pareto_nbd.fit': cv.ParetoNBD.fit(a[0], a[1], a[2]); return {};
    case 'clv.gamma_gamma.fit': cv.GammaGamma.fit(a[0], a[1]); return {};
    default: throw new Error(`the JS runner does not know op \`${op}\``);
  }
}

const mine = cases.filter((c) => c.langs.includes('js'));

test('the catalogue is large enough', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  assert.ok(mine.length >= 30, `${mine.length} JS cases`);
});

for (const c of mine) {
  test(`bad input ${c.id}: ${c.input}`, () => {
    const expect = c.js ?? c.expect;
    const args = decode(c.args);
    if (expect.error === undefined) {
      const got = run(c.op, args);
      for (const [key, want] of Object.entries(expect)) {
        if (key !== 'ok') assert.deepEqual(got[key], want, key);
      }
      return;
    }
    assert.throws(() => run(c.op, args), (e) => {
      assert.ok(e instanceof Error, `threw a non-Error: ${e}`);
      assert.ok(!/unreachable|RuntimeError/.test(`${e.name} ${e.message}`), `wasm trap: ${e.message}`);
      assert.equal(e.code, expect.error, e.message);
      if (expect.message) assert.ok(e.message.includes(expect.message), `${e.message} lacks ${expect.message}`);
      return true;
    });
  });
}
