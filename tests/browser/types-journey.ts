// Compiled with `tsc --noEmit` (see types.test.mjs): the journey package's declarations must
// type this usage and reject the misuse marked @ts-expect-error.
import init, {
  EventLog, NpsAggregate,
  type Attribution, type DfgEdge, type Funnel, type MapOptions, type NextStep, type PathCount,
  type TouchpointCount, type Variant, type TimeUnit,
} from '../../cem-wasm/pkg-journey/cem_journey.js';

export async function journey(): Promise<number> {
  await init();
  const log = new EventLog(['a', 'a', 7], ['home', 'cart', 'home'], [new Date(0), new Date(5000), new Date(0)]);
  const seconds = new EventLog(['a'], ['home'], Float64Array.of(0), 'ms');
  const unit: TimeUnit = seconds.timeUnit;
  const edges: DfgEdge[] = log.dfg();
  const first: TouchpointCount[] = log.starts();
  const last: TouchpointCount[] = log.ends();
  const variants: Variant[] = log.variants(10);
  const funnel: Funnel = log.funnel(['home', 'cart'], 1800);
  const median: number = funnel.steps[1]?.time?.median ?? 0;
  const bins: [number, number][] = funnel.steps[1]?.time?.histogram ?? [];
  const next: NextStep[] = log.nextStep('home');
  const end: string | null = next[0]?.touchpoint ?? null;
  const paths: PathCount[] = log.paths('home', null, 3);
  const sessions: Uint32Array = log.sessionIds(900);
  const a: Attribution = log.removalEffects('cart');
  const options: MapOptions = { title: 'Checkout', scores: { cart: 20, home: null }, score_range: [-100, 100], min_share: 0.05 };
  const svg: string = log.toSvg(options) + log.toSvg() + log.toDot({ columns: { home: 0, cart: 1 }, column_titles: ['in', 'out'] });
  const nps = new NpsAggregate(); // the journey package is a superset of the core one
  // @ts-expect-error: times are numbers or Dates
  new EventLog(['a'], ['x'], ['2024-01-01']);
  // @ts-expect-error: not a time unit
  new EventLog(['a'], ['x'], [0], 'weeks');
  // @ts-expect-error: funnel steps are labels
  log.funnel('home');
  // @ts-expect-error: map options are snake_case, as the result keys
  log.toSvg({ minShare: 0.1 });
  // @ts-expect-error: edge fields are snake_case
  edges[0]?.meanDuration;
  return edges.length + first.length + last.length + variants.length + median + bins.length + (end?.length ?? 0)
    + paths.length + sessions.length + a.conversion + svg.length + nps.n + log.events + log.customerCount + log.touchpoints.length + unit.length;
}

export function strings(): void {
  // @ts-expect-error: a text is not a column of ids
  new EventLog('abc', ['x', 'y', 'z'], [0, 1, 2]);
}
