// Compiled with `tsc --noEmit` (see types.test.mjs): the alerts package's declarations
// must type this usage and reject the misuse marked @ts-expect-error.
import init, {
  RuleSet, Monitor, CaseBook, NpsAggregate,
  type Alert, type ClosedLoopFigures, type AlertResponse, type Case, type MonitorConfig, type Priority, type RuleDefinition,
} from '../../cem-wasm/pkg-alerts/cem_alerts.js';

export async function watch(responses: AlertResponse[]): Promise<number> {
  await init();
  const definition: RuleDefinition = {
    rules: [{ name: 'detractor', priority: 'high', sla_hours: 48, when: { field: 'nps', at_most: 6 } }],
  };
  const rules = new RuleSet(definition);
  const again: RuleSet = RuleSet.fromJSON(rules.toJSON());
  const names: string[][] = rules.matching([{ customer: 'c', time: new Date(), nps: 3 }, { customer: 'd', time: '2026-03-01T10:00:00Z' }]);
  const counts: number[] = again.countMatches(responses);
  const cases: Case[] = rules.evaluate(responses);
  const priority: Priority | undefined = cases[0]?.priority;
  const config: MonitorConfig = { metric: 'nps', window_hours: 24, baseline_hours: 168, by: 'segment' };
  const monitor = new Monitor(config);
  const alerts: Alert[] = monitor.pushMany(responses);
  const one: Alert[] = monitor.push({ customer: 'c', time: Date.now(), nps: 9, segment: 'smb' });
  const restarted: Monitor = Monitor.fromJSON(monitor.toJSON());
  const segment: string | null | undefined = alerts[0]?.segment;
  const book = new CaseBook();
  const ids: string[] = book.ingest(rules, responses);
  const moved: Case = book.transition('case-1', 'in_progress', 'agent-7', new Date(), 'called back');
  const overdue: string[] = book.tick(Date.now());
  const figures: ClosedLoopFigures = book.figures('2026-03-02T14:00:00Z');
  const maybe: Case | undefined = book.case('case-9');
  const copy: CaseBook = CaseBook.fromJSON(book.toJSON());
  // @ts-expect-error: statuses are the core's snake_case names
  book.transition('case-1', 'inProgress', 'a', 0);
  const nps = new NpsAggregate(); // the alerts package is a superset of the core one
  // @ts-expect-error: a response needs a time
  rules.matching([{ customer: 'c' }]);
  // @ts-expect-error: settings are snake_case, as in Rust and Python
  new Monitor({ metric: 'nps', windowHours: 24, baseline_hours: 1 });
  // @ts-expect-error: rules take an array of responses
  rules.evaluate({ customer: 'c', time: 0 });
  nps.free();
  return ids.length + overdue.length + moved.history!.length + (figures.time_to_first_response?.median ?? 0) + (maybe ? 1 : 0) + copy.duplicates + names.length + counts.length + one.length + restarted.segments.length + (priority ? 1 : 0) + (segment ? 1 : 0);
}
