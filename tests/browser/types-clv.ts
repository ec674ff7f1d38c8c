// Compiled with `tsc --noEmit` (see types.test.mjs): the CLV package's declarations must type
// this usage and reject the misuse marked @ts-expect-error.
import init, {
  BetaGeo, ParetoNBD, GammaGamma, customerSummary, NpsAggregate,
  type BetaGeoParams, type CustomerSummary, type FitReport, type ParameterRow, type ParetoNbdParams,
} from '../../cem-wasm/pkg-clv/cem_clv.js';

export async function value(frequency: number[], recency: Float64Array, T: number[], spend: number[]): Promise<number> {
  await init();
  const bg = BetaGeo.fit(frequency, recency, T, { penalizer: 0.01 });
  const params: BetaGeoParams = bg.params;
  const ll: number | undefined = bg.logLikelihood;
  const report: FitReport<BetaGeoParams> | null = bg.fitReport;
  const rows: ParameterRow[] = bg.summary(0.9);
  const one: number = bg.predict(52, 2, 30.43, 38.86);
  const many: Float64Array = bg.predict(52, frequency, recency, 38.86);
  const alive: Float64Array = bg.pAlive(frequency, recency, T);
  const next: number = bg.expectedPurchases(52);
  const curve: Float64Array = bg.expectedPurchases([1, 10, 52]);
  const p0: number = bg.probabilityOfNPurchases(52, 0);
  const restored: BetaGeo = BetaGeo.fromJSON(bg.toJSON());
  const pn = ParetoNBD.fromParams({ r: 0.55, alpha: 10.6, s: 0.61, beta: 11.7 });
  const pnParams: ParetoNbdParams = pn.params;
  const gg = GammaGamma.fit(frequency, spend, { weights: new Float64Array(frequency.length).fill(1) });
  const mean: number = gg.expectedValue(2, 22.35);
  const clv: Float64Array = bg.lifetimeValue(gg, frequency, recency, T, spend, { time: 12, discount_rate: 0.01, freq: 'W' });
  const clvOne: number = pn.lifetimeValue(gg, 2, 30.43, 38.86, 22.35);
  const s: CustomerSummary = customerSummary(['a', 'b', 'a'], [new Date(), new Date(), new Date()], [1, 2, 3], { freq: 'W' });
  const ids: string[] = s.customers;
  const m: Float64Array | null = s.monetary_value;
  // @ts-expect-error: options are snake_case, as in Rust and Python
  bg.lifetimeValue(gg, 2, 30, 38, 20, { discountRate: 0.1 });
  // @ts-expect-error: columns give a Float64Array, not a number
  const wrong: number = bg.pAlive(frequency, recency, T);
  // @ts-expect-error: freq is one of H, D, W, M
  pn.lifetimeValue(gg, 2, 30, 38, 20, { freq: 'year' });
  // @ts-expect-error: the spend model is a GammaGamma
  bg.lifetimeValue(pn, 2, 30, 38, 20);
  const nps = new NpsAggregate(); // the clv package is a superset of the core one
  nps.free();
  return params.r + (ll ?? 0) + (report?.iterations ?? 0) + rows.length + one + many.length + alive.length + next
    + curve.length + p0 + restored.params.a + pnParams.s + mean + clv.length + clvOne + ids.length + (m?.length ?? 0) + wrong;
}
