// cem-wasm in a real page: headless Chromium (Debian's) driven by playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, serve } from './server.mjs';

describe('cem-wasm in Chromium', { timeout: 120_000 }, () => {
  let server, browser, page;
  const problems = []; // page errors and console errors; must stay empty

  before(async () => {
    server = await serve();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('status').textContent !== 'loading');
    assert.equal(await page.textContent('#status'), 'ready');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('published NPS check: P=50, Pa=30, D=20 gives 30 with adjusted-Wald CI [14.05, 44.20]', async () => {
    const e = await page.evaluate(() => {
      const agg = new cem.NpsAggregate();
      for (const [score, count] of [[10, 50], [8, 30], [3, 20]]) {
        for (let i = 0; i < count; i++) agg.push(score);
      }
      return agg.estimate();
    });
    assert.equal(e.value, 30);
    assert.ok(Math.abs(e.low - 14.05) < 0.01, `low ${e.low}`);
    assert.ok(Math.abs(e.high - 44.20) < 0.01, `high ${e.high}`);
    assert.equal(e.n, 100);
    assert.equal(e.method, 'adjusted-wald');
    assert.equal(e.confidence, 0.95);
    assert.deepEqual([e.promoters, e.passives, e.detractors], [0.5, 0.3, 0.2]);
  });

  test('pushMany with a Uint8Array equals repeated push', async () => {
    const same = await page.evaluate(() => {
      const scores = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) % 11);
      const a = new cem.NpsAggregate();
      a.pushMany(scores);
      const b = new cem.NpsAggregate();
      for (const s of scores) b.push(s);
      return [a.toJSON() === b.toJSON(), JSON.stringify(a.estimate(0.9)) === JSON.stringify(b.estimate(0.9))];
    });
    assert.deepEqual(same, [true, true]);
  });

  test('toJSON in the page, fromJSON + merge equals one pass, for all three aggregates', async () => {
    const results = await page.evaluate(() => {
      const out = [];
      for (const [Agg, lo, hi] of [[cem.NpsAggregate, 0, 10], [cem.CsatAggregate, 1, 5], [cem.CesAggregate, 1, 7]]) {
        const all = Uint8Array.from({ length: 500 }, (_, i) => lo + ((i * 31) % (hi - lo + 1)));
        const left = new Agg(); left.pushMany(all.subarray(0, 200));
        const right = new Agg(); right.pushMany(all.subarray(200));
        const wire = right.toJSON();          // travels as text ...
        const merged = Agg.fromJSON(left.toJSON());
        merged.merge(Agg.fromJSON(wire));     // ... and merges exactly
        const once = new Agg(); once.pushMany(all);
        out.push([merged.toJSON() === once.toJSON(), JSON.stringify(merged.estimate()) === JSON.stringify(once.estimate()), merged.n]);
      }
      return out;
    });
    assert.deepEqual(results, [[true, true, 500], [true, true, 500], [true, true, 500]]);
  });

  test('bad input throws an Error with the right code, never a wasm trap', async () => {
    const caught = await page.evaluate(() => {
      const attempt = (f) => {
        try { f(); return { threw: false }; } catch (e) {
          return { threw: true, isError: e instanceof Error, code: e.code, name: e.name, message: String(e.message) };
        }
      };
      const nps = new cem.NpsAggregate();
      return {
        score11: attempt(() => nps.push(11)),
        score256: attempt(() => nps.push(256)),
        fraction: attempt(() => nps.push(3.5)),
        nan: attempt(() => nps.push(NaN)),
        many: attempt(() => nps.pushMany(Uint8Array.of(1, 2, 99))),
        empty: attempt(() => nps.estimate()),
        confidence: attempt(() => { const a = new cem.NpsAggregate(); a.push(9); a.estimate(1.5); }),
        method: attempt(() => { const a = new cem.NpsAggregate(); a.push(9); a.estimate(0.95, 'wilson'); }),
        hostile: attempt(() => cem.NpsAggregate.fromJSON('{"counts":{"min":0,"max":10,"count":[1],"weight":[1],"weight_sq":[1]}}')),
        wrongScale: attempt(() => cem.NpsAggregate.fromJSON('{"counts":{"min":0,"max":0,"count":[1],"weight":[1],"weight_sq":[1]}}')),
        negative: attempt(() => cem.CsatAggregate.fromJSON('{"top":2,"counts":{"min":1,"max":5,"count":[1,0,0,0,0],"weight":[-1,0,0,0,0],"weight_sq":[1,0,0,0,0]}}')),
        notJson: attempt(() => cem.CesAggregate.fromJSON('nope')),
        csatScale: attempt(() => new cem.CsatAggregate(5, 5)),
        cesScale: attempt(() => new cem.CesAggregate('eleven')),
        mixed: attempt(() => { const a = new cem.CsatAggregate(5, 2); a.merge(new cem.CsatAggregate(5, 3)); }),
        stillWorks: (() => { nps.push(10); return nps.estimate().value; })(),
      };
    });
    const expect = {
      score11: 'out_of_range', score256: 'out_of_range', fraction: 'invalid_number', nan: 'invalid_number',
      many: 'out_of_range', empty: 'empty', confidence: 'out_of_range', method: 'invalid_argument',
      hostile: 'invalid_state', wrongScale: 'invalid_state', negative: 'invalid_state', notJson: 'json', csatScale: 'invalid_argument',
      cesScale: 'invalid_argument', mixed: 'incompatible',
    };
    for (const [key, code] of Object.entries(expect)) {
      const c = caught[key];
      assert.ok(c.threw, `${key} did not throw`);
      assert.ok(c.isError, `${key} threw a non-Error`);
      assert.equal(c.code, code, `${key}: ${c.message}`);
      assert.equal(c.name, 'CemError');
      assert.doesNotMatch(c.message, /unreachable|RuntimeError/);
    }
    assert.match(caught.score11.message, /`11`/);
    assert.match(caught.many.message, /`99`/);
    assert.equal(caught.stillWorks, 100, 'the module keeps working after errors');
    assert.deepEqual(problems, []);
  });

  test('CSAT and CES aggregates estimate in the page', async () => {
    const r = await page.evaluate(() => {
      const c = new cem.CsatAggregate(); c.pushMany(Uint8Array.of(5, 4, 4, 3, 1));
      const ces = new cem.CesAggregate(); ces.pushMany(Uint8Array.of(7, 6, 5, 2));
      const legacy = new cem.CesAggregate('legacy_effort5'); legacy.pushMany(Uint8Array.of(1, 2, 5));
      return { csat: c.estimate(), csatMean: c.mean().value, ces: ces.estimate().value, agree: ces.agree().value, legacy: legacy.agree().value, version: cem.version() };
    });
    assert.equal(r.csat.value, 0.6);
    assert.ok(Math.abs(r.csat.low - 0.230724281276) < 1e-9); // statsmodels wilson (3 of 5)
    assert.ok(Math.abs(r.csat.high - 0.882379225768) < 1e-9);
    assert.equal(r.csatMean, 3.4);
    assert.equal(r.ces, 5);
    assert.equal(r.agree, 0.75);
    assert.ok(Math.abs(r.legacy - 2 / 3) < 1e-12);
    assert.match(r.version, /^\d+\.\d+\.\d+/);
  });
});
