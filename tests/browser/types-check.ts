// Compiled with `tsc --noEmit` (see types.test.mjs): the generated declarations must type
// this usage, and reject the misuse marked @ts-expect-error.
import init, {
  initSync, NpsAggregate, CsatAggregate, CesAggregate, Survey, SurveyAggregate, version,
  type Estimate, type Answers, type AnswerProblem, type CemError, type NpsBreakdown, type Question,
  type ScoredResponse, type SurveySummary,
} from '../../cem-wasm/pkg/cem_wasm.js';

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
  return e.value + c.low + m.high + a.se + (shares ?? 0) + n + v.length + e.n_eff;
}

export function surveys(text: string): number {
  const survey = Survey.fromJSON(text);
  const answers: Answers = { nps: 9, reason: 'wait', comment: 'ok', topics: ['a', 'b'], csat: null };
  const shown: string[] = survey.visibleQuestions(answers);
  const problems: AnswerProblem[] = survey.validate(answers);
  const codes: string[] = problems.map((p) => p.code + p.question + p.message);
  const scored: ScoredResponse = survey.score({ nps: 10 });
  for (const s of scored.scores) {
    if (s.kind === 'nps') { const c: 'promoter' | 'passive' | 'detractor' = s.category; codes.push(c); }
  }
  const qs: Question[] = survey.questions;
  const max: number = qs[0]?.scale?.max ?? 0;
  const agg = new SurveyAggregate(survey);
  agg.push(answers);
  agg.merge(SurveyAggregate.fromJSON(agg.toJSON()));
  const summary: SurveySummary = agg.summary(0.9);
  let low = 0;
  for (const q of summary.questions) {
    if (q.kind === 'nps' && q.nps) low += q.nps.low + q.nps.n_eff + (q.breakdown?.promoter_count ?? 0);
  }
  const b: NpsBreakdown = new NpsAggregate().breakdown();
  try { survey.score({}); } catch (e) { const err = e as CemError; codes.push(err.code, ...(err.problems ?? []).map((p) => p.code)); }
  // @ts-expect-error: answers are an object, not a number
  survey.score(9);
  // @ts-expect-error: a boolean is not an answer
  survey.validate({ nps: true });
  // @ts-expect-error: a list of numbers is not an answer
  agg.push({ topics: [1, 2] });
  // @ts-expect-error: a summary entry must be narrowed by kind before reading `nps`
  summary.questions[0].nps;
  // @ts-expect-error: SurveyAggregate needs a Survey
  new SurveyAggregate();
  // @ts-expect-error: breakdown counts are snake_case, as in the core
  b.promoterCount;
  // @ts-expect-error: confidence is a number
  agg.summary('0.9');
  return shown.length + codes.length + max + agg.n + low + b.promoters + survey.id.length + survey.title.length + survey.toJSON().length;
}
