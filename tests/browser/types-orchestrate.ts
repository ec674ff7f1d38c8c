// Compiled with `tsc --noEmit` (see types.test.mjs): the orchestrate package's declarations
// must type this usage and reject the misuse marked @ts-expect-error.
import init, {
  Orchestrator, NpsAggregate,
  type CustomerRecord, type DecisionReason, type RuleWarning, type SurveyDecision, type SurveyEvent,
  type TriggerInfo,
} from '../../cem-wasm/pkg-orchestrate/cem_orchestrate.js';

export async function inAppSurvey(saved: string | null): Promise<string | undefined> {
  await init();
  const orch = saved ? Orchestrator.fromJSON(saved)
    : Orchestrator.fromRules({ quarantine: { for: '30d' }, triggers: [{ id: 'checkout', survey: 'csat', touchpoints: ['checkout'] }] });
  const event: SurveyEvent = { customer: 'ann', time: Date.now(), touchpoint: 'checkout', channel: 'web', event_id: 7n };
  const decisions: SurveyDecision[] = orch.decide(event);
  const invite: SurveyDecision | undefined = decisions.find((d) => d.invited);
  const why: DecisionReason | undefined = decisions[0]?.reason;
  const later: SurveyDecision[] = orch.feed([{ customer: 42, time: new Date(), touchpoint: 'home', do_not_contact: true }]);
  const warnings: RuleWarning[] = orch.warnings();
  const triggers: TriggerInfo[] = orch.triggers();
  const record: CustomerRecord | undefined = orch.customer('ann');
  const clock: number | undefined = orch.clock;
  const count: number = orch.customers;
  const state: string = orch.toJSON();
  const nps = new NpsAggregate(); // the orchestrate package is a superset of the core one
  // @ts-expect-error: the touchpoint is required
  orch.decide({ customer: 'ann', time: 0 });
  // @ts-expect-error: keys are snake_case, as in Rust and Python
  orch.decide({ customer: 'ann', time: 0, touchpoint: 'x', doNotContact: true });
  // @ts-expect-error: feed takes a list
  orch.feed(event);
  nps.free();
  orch.free();
  return invite ? `${invite.survey} ${invite.send_at} ${why} ${later.length} ${warnings.length} ${triggers.length} ${record?.invitations} ${clock} ${count} ${state.length}` : undefined;
}
