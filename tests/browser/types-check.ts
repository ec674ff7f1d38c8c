// Compiled with `tsc --noEmit` (see types.test.mjs): the generated declarations must type
// this usage, and reject the misuse marked @ts-expect-error.
import init, { initSync, NpsAggregate, CsatAggregate, CesAggregate, version, type Estimate } from '../../cem-wasm/pkg/cem_wasm.js';

export async function demo(bytes: BufferSource): Promise<number> {
  await init();
  initSync({ module: bytes });
  const nps = new NpsAggregate();
  nps.push(10);
  nps.pushMany(new Uint8Array([9, 8, 3]));
  const other: NpsAggregate = NpsAggregate.fromJSON(nps.toJSON());
  nps.merge(other);
  const e: Estimate = nps.estimate(0.9, 'wald');
  const shares: number | undefined = e.promoters;
  const csat = new CsatAggregate(7, 3);
  csat.pushMany(Uint8Array.of(7, 5));
  const c: Estimate = csat.estimate();
  const m: Estimate = csat.mean(0.95);
  const ces = new CesAggregate('legacy_effort5');
  const ces7 = new CesAggregate();
  const a: Estimate = ces.agree(0.95, 'wilson');
  // @ts-expect-error: not a CES scale
  new CesAggregate('eleven');
  // @ts-expect-error: confidence is a number
  nps.estimate('0.9');
  const v: string = version();
  const n: number = nps.n + ces7.n;
  return e.value + c.low + m.high + a.se + (shares ?? 0) + n + v.length + e.nEff;
}
