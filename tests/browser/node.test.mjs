// cem-wasm in Node with initSync: the same package, no browser, fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pkgDir } from './server.mjs';

const cem = await import(`${pkgDir}/cem_wasm.js`);
cem.initSync({ module: readFileSync(`${pkgDir}/cem_wasm_bg.wasm`) });

test('published NPS check in Node', () => {
  const agg = new cem.NpsAggregate();
  agg.pushMany(new Uint8Array([...Array(50).fill(10), ...Array(30).fill(8), ...Array(20).fill(3)]));
  const e = agg.estimate();
  assert.equal(e.value, 30);
  assert.ok(Math.abs(e.low - 14.05) < 0.01 && Math.abs(e.high - 44.2) < 0.01);
  assert.equal(e.n, 100);
  assert.equal(e.n_eff, 100);
});

test('toJSON is cem-core serde JSON and round-trips', () => {
  const agg = new cem.NpsAggregate();
  agg.pushMany(Uint8Array.of(10, 0));
  const text = agg.toJSON();
  assert.deepEqual(JSON.parse(text), {
    v: 1,
    counts: {
      min: 0, max: 10,
      count: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      weight: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      weight_sq: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    },
  });
  assert.equal(cem.NpsAggregate.fromJSON(text).toJSON(), text);
});

test('errors are Error objects with a code', () => {
  const agg = new cem.NpsAggregate();
  assert.throws(() => agg.push(11), (e) => e instanceof Error && e.code === 'out_of_range' && /`11`/.test(e.message));
  assert.throws(() => cem.NpsAggregate.fromJSON('{"counts":{"min":0,"max":10,"count":[1],"weight":[1],"weight_sq":[1]}}'),
    (e) => e instanceof Error && e.code === 'invalid_state' && !/unreachable/.test(e.message));
  assert.throws(() => cem.NpsAggregate.fromJSON('{"counts":'), (e) => e instanceof Error && e.code === 'json');
  assert.throws(() => agg.estimate(), (e) => e instanceof Error && e.code === 'empty');
});

test('wasm-opt output is small enough', () => {
  const size = readFileSync(`${pkgDir}/cem_wasm_bg.wasm`).length;
  assert.ok(size < 400_000, `cem_wasm_bg.wasm is ${size} bytes`);
});
