// The survey API of the built package in Node (initSync): reference values, validation codes,
// serde byte-equality with JSON written here by hand from the documented serde form, and
// hostile input that must end in an Error with a code (or a problem list), never a wasm trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pkgDir } from './server.mjs';

const cem = await import(`${pkgDir}/cem_wasm.js`);
cem.initSync({ module: readFileSync(`${pkgDir}/cem_wasm_bg.wasm`) });
const text = readFileSync(new URL('../data/surveys/post_contact.json', import.meta.url), 'utf8');
const survey = cem.Survey.fromJSON(text);

test('Survey: id, title, questions to render from, display logic', () => {
  assert.equal(survey.id, 'post-contact');
  assert.equal(survey.title, 'How did we do?');
  const qs = survey.questions;
  assert.deepEqual(qs.map((q) => [q.id, q.kind, q.required]), [
    ['nps', 'nps', true], ['csat', 'csat', false], ['ces', 'ces', false],
    ['reason', 'single_choice', false], ['comment', 'text', false]]);
  assert.deepEqual(qs[0].scale, { min: 0, max: 10 });
  assert.deepEqual(qs[2].scale, { min: 1, max: 7 });
  assert.deepEqual(qs[3].options.map((o) => o.id), ['wait', 'price', 'staff']);
  assert.equal(qs[3].conditional, true);
  assert.equal(qs[4].max_length, 2000);
  assert.deepEqual(survey.visibleQuestions({ nps: 9 }), ['nps', 'csat', 'ces', 'comment']);
  assert.deepEqual(survey.visibleQuestions({ nps: 3 }), ['nps', 'csat', 'ces', 'reason', 'comment']);
  assert.deepEqual(survey.visibleQuestions({}), ['nps', 'csat', 'ces', 'comment']);
});

test('validate returns every problem with the core codes and messages', () => {
  const p = survey.validate({ nps: 11, csat: 'great', age: 40 });
  assert.deepEqual(p.map((x) => x.code), ['out_of_range', 'wrong_type', 'unknown_question']);
  assert.equal(p[0].message, 'question `nps`: score `11` is outside 0..=10');
  assert.deepEqual(p.map((x) => x.question), ['nps', 'csat', 'age']);
  assert.deepEqual(survey.validate({}).map((x) => x.code), ['missing_required']);
  assert.deepEqual(survey.validate({ nps: 9, reason: 'wait' }).map((x) => x.code), ['hidden_question']);
  assert.deepEqual(survey.validate({ nps: 2, reason: 'lunch' }).map((x) => x.code), ['unknown_option']);
  assert.deepEqual(survey.validate({ nps: 2, comment: 'x'.repeat(2001) }).map((x) => x.code), ['too_long']);
  assert.deepEqual(survey.validate({ nps: 9.5 }).map((x) => x.code), ['wrong_type']);
  assert.deepEqual(survey.validate({ nps: 10, csat: 4, ces: 6, comment: 'ok' }), []);
  // null / undefined mean "not answered"
  assert.deepEqual(survey.validate({ nps: 10, csat: null, comment: undefined }), []);
});

test('score gives the core ScoredResponse; invalid answers throw with problems', () => {
  assert.deepEqual(survey.score({ nps: 4, reason: 'wait', comment: 'slow' }), {
    survey: 'post-contact',
    scores: [
      { question: 'nps', kind: 'nps', score: 4, category: 'detractor' },
      { question: 'reason', kind: 'single_choice', option: 'wait' },
      { question: 'comment', kind: 'text', text: 'slow' },
    ],
  });
  assert.deepEqual(survey.score({ nps: 9, csat: 4, ces: 5 }).scores.slice(1), [
    { question: 'csat', kind: 'csat', score: 4, max: 5, satisfied: true },
    { question: 'ces', kind: 'ces', score: 5, scale: 'agreement7', easy: true },
  ]);
  assert.throws(() => survey.score({ nps: 12, age: 3 }), (e) => e instanceof Error && e.name === 'CemError'
    && e.code === 'invalid_answers' && /question `nps`/.test(e.message)
    && JSON.stringify(e.problems.map((p) => p.code)) === '["out_of_range","unknown_question"]');
});

test('SurveyAggregate: published NPS check P=50, passives=30, D=20 -> 30 [14.05, 44.20]', () => {
  const agg = new cem.SurveyAggregate(survey);
  for (const [nps, count] of [[10, 50], [8, 30], [3, 20]]) {
    for (let i = 0; i < count; i++) agg.push({ nps });
  }
  assert.equal(agg.n, 100);
  const s = agg.summary();
  assert.equal(s.confidence, 0.95);
  const q = s.questions[0];
  assert.equal(q.kind, 'nps');
  assert.equal(q.nps.value, 30);
  assert.ok(Math.abs(q.nps.low - 14.05) < 0.01 && Math.abs(q.nps.high - 44.20) < 0.01, `${q.nps.low} ${q.nps.high}`);
  assert.equal(q.nps.method, 'adjusted-wald');
  assert.deepEqual(q.breakdown, { promoters: 0.5, passives: 0.3, detractors: 0.2, promoter_count: 50, passive_count: 30, detractor_count: 20 });
  assert.equal(s.questions[1].csat, null, 'no CSAT answers: null, not NaN');
  assert.equal(agg.summary(0.9).confidence, 0.9);
  assert.throws(() => agg.summary(1.5), (e) => e.code === 'out_of_range');
  assert.throws(() => agg.push({}), (e) => e.code === 'invalid_answers' && e.problems[0].code === 'missing_required');
  assert.equal(agg.n, 100, 'a refused response adds nothing');
  assert.equal(agg.survey.id, 'post-contact');
});

test('NpsAggregate.breakdown gives shares and counts', () => {
  const a = new cem.NpsAggregate();
  a.pushMany(new Uint8Array([...Array(50).fill(10), ...Array(30).fill(8), ...Array(20).fill(3)]));
  assert.deepEqual(a.breakdown(), { promoters: 0.5, passives: 0.3, detractors: 0.2, promoter_count: 50, passive_count: 30, detractor_count: 20 });
  assert.throws(() => new cem.NpsAggregate().breakdown(), (e) => e.code === 'empty');
});

// serde_json writes f64 with a fractional part ("1.0"), integers (u64) without; field order is
// declaration order. Written out here by hand, not produced by the package.
const f = (x) => (Number.isInteger(x) ? `${x}.0` : String(x));
const counts = (min, max, hits) => {
  const c = Array.from({ length: max - min + 1 }, (_, i) => hits.filter((h) => h === min + i).length);
  return `{"min":${min},"max":${max},"count":[${c.join(',')}],"weight":[${c.map(f).join(',')}],"weight_sq":[${c.map(f).join(',')}]}`;
};
const SURVEY_JSON = '{"id":"post-contact","title":"How did we do?","questions":['
  + '{"id":"nps","text":"How likely are you to recommend us to a friend?","required":true,"kind":"nps"},'
  + '{"id":"csat","text":"How satisfied were you with this contact?","kind":"csat","scale":{"max":5},"top":2},'
  + '{"id":"ces","text":"The company made it easy to handle my issue.","kind":"ces","scale":"agreement7"},'
  + '{"id":"reason","text":"What disappointed you most?","show_if":{"question":"nps","less_than":7.0},"kind":"single_choice",'
  + '"options":[{"id":"wait","label":"Waiting time"},{"id":"price","label":"Price"},{"id":"staff","label":"Staff"}]},'
  + '{"id":"comment","text":"Anything else?","kind":"text","max_length":2000}]}';

test('toJSON is byte for byte the core serde form (survey and aggregate)', () => {
  assert.equal(survey.toJSON(), SURVEY_JSON);
  const agg = new cem.SurveyAggregate(survey);
  agg.push({ nps: 10, csat: 5 });
  agg.push({ nps: 3, reason: 'wait', comment: 'slow' });
  const option = (id, chosen) => `{"option":"${id}","chosen":{"v":1,"counts":${counts(0, 1, [chosen ? 1 : 0])}}}`;
  const expected = `{"v":1,"survey":${SURVEY_JSON},"n":2,"weight":2.0,"questions":[`
    + `{"question":"nps","tally":{"kind":"nps","v":1,"counts":${counts(0, 10, [10, 3])}}},`
    + `{"question":"csat","tally":{"kind":"csat","v":1,"top":2,"counts":${counts(1, 5, [5])}}},`
    + `{"question":"ces","tally":{"kind":"ces","v":1,"scale":"agreement7","counts":${counts(1, 7, [])}}},`
    + `{"question":"reason","tally":{"kind":"single_choice","respondents":1,"weight":1.0,"options":[${option('wait', true)},${option('price', false)},${option('staff', false)}]}},`
    + '{"question":"comment","tally":{"kind":"text","answered":1,"weight":1.0}}]}';
  assert.equal(agg.toJSON(), expected);
  // ... and it comes back, merges exactly, and equals one pass.
  const other = new cem.SurveyAggregate(survey);
  other.push({ nps: 9, ces: 6 });
  const merged = cem.SurveyAggregate.fromJSON(expected);
  merged.merge(cem.SurveyAggregate.fromJSON(other.toJSON()));
  const once = new cem.SurveyAggregate(survey);
  for (const r of [{ nps: 10, csat: 5 }, { nps: 3, reason: 'wait', comment: 'slow' }, { nps: 9, ces: 6 }]) once.push(r);
  assert.equal(merged.toJSON(), once.toJSON());
  assert.equal(merged.n, 3);
  const elsewhere = cem.Survey.fromJSON(SURVEY_JSON.replace('post-contact', 'other'));
  assert.throws(() => merged.merge(new cem.SurveyAggregate(elsewhere)), (e) => e.code === 'incompatible');
});

const isCemError = (e) => e instanceof Error && e.name === 'CemError' && typeof e.code === 'string'
  && !/unreachable|RuntimeError|recursive use/.test(e.message);

test('hostile survey JSON throws Errors with a code, never a trap', () => {
  const q = (extra) => `{"id":"s","questions":[${extra}]}`;
  const deepCond = (d) => '{"all":['.repeat(d) + '{"question":"a","answered":true}' + ']}'.repeat(d);
  const cases = {
    empty: '', notJson: 'NaN', nan: q('{"id":"a","kind":"rating","text":"t","min":NaN,"max":3}'),
    deepArray: '['.repeat(100_000), deepObject: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
    huge: q('{"id":"a","kind":"rating","text":"t","min":0,"max":1e400}'),
    bigInt: q('{"id":"a","kind":"rating","text":"t","min":0,"max":99999999999999999999999}'),
    negScale: q('{"id":"a","kind":"likert","text":"t","points":-1}'),
    wrongTypes: '{"id":5,"questions":"many"}', nullSurvey: 'null', array: '[]',
    unknownKind: q('{"id":"a","kind":"poll","text":"t"}'),
    dupOption: q('{"id":"a","kind":"single_choice","text":"t","options":[{"id":"x","label":"X"},{"id":"x","label":"Y"}]}'),
    forwardRef: q('{"id":"a","kind":"nps","text":"t","show_if":{"question":"b","less_than":7}},{"id":"b","kind":"nps","text":"t"}'),
    selfRef: q('{"id":"a","kind":"nps","text":"t","show_if":{"question":"a","less_than":7}}'),
    deepCondition: q(`{"id":"a","kind":"nps","text":"t"},{"id":"b","kind":"nps","text":"t","show_if":${deepCond(200)}}`),
    nanString: q('{"id":"a","kind":"rating","text":"t","min":"NaN","max":"Infinity"}'),
    proto: '{"__proto__":{"id":"x"},"id":"s","questions":[]}',
    lone: '"\\ud800"',
  };
  for (const [name, json] of Object.entries(cases)) {
    assert.throws(() => cem.Survey.fromJSON(json), (e) => isCemError(e) && ['json', 'invalid_survey'].includes(e.code), name);
  }
  for (const bad of ['{}', '{"survey":' + SURVEY_JSON + ',"n":1,"weight":-1,"questions":[]}', '{"survey":' + SURVEY_JSON + ',"n":1e30,"weight":1,"questions":[]}', '[' .repeat(10_000)]) {
    assert.throws(() => cem.SurveyAggregate.fromJSON(bad), (e) => isCemError(e), bad.slice(0, 40));
  }
  assert.deepEqual(cem.Survey.fromJSON(text).visibleQuestions({ nps: 1 }).length, 5, 'the module still works');
});

test('hostile answers give problems or Errors with a code, never a trap', () => {
  const agg = new cem.SurveyAggregate(survey);
  const throwing = new Proxy({}, { ownKeys() { throw new Error('boom'); } });
  const getter = Object.defineProperty({}, 'nps', { enumerable: true, get() { throw new TypeError('nope'); } });
  const holes = [, 'wait']; // eslint-disable-line no-sparse-arrays
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`q${i}`, i]));
  const answers = {
    nan: { nps: NaN }, inf: { nps: Infinity }, negInf: { nps: -Infinity }, big: { nps: 1e308 }, tiny: { nps: 5e-324 },
    str: { nps: '9' }, nanStr: { nps: 'NaN' }, bool: { nps: true }, obj: { nps: {} }, nested: { nps: [[9]] },
    bigint: { nps: 9n }, symbol: { nps: Symbol('x') }, fn: { nps: () => 9 }, holes: { nps: 2, reason: holes },
    choices: { nps: 2, reason: ['wait', 'wait'] }, long: { nps: 9, comment: 'x'.repeat(1_000_000) }, many,
    date: { nps: new Date() }, proto: JSON.parse('{"__proto__": 5, "nps": 9, "x": 1}'),
  };
  for (const [name, a] of Object.entries(answers)) {
    const problems = survey.validate(a);
    assert.ok(Array.isArray(problems) && problems.length > 0, `${name}: validate finds a problem`);
    assert.ok(problems.every((p) => typeof p.code === 'string' && p.message.includes(`\`${p.question}\``)), name);
    for (const f of [() => survey.score(a), () => agg.push(a)]) {
      assert.throws(f, (e) => isCemError(e) && e.code === 'invalid_answers' && e.problems.length > 0, name);
    }
  }
  for (const [name, a] of Object.entries({ nil: null, undef: undefined, num: 9, str: 'nps', arr: [9], throwing, getter })) {
    for (const f of [() => survey.validate(a), () => survey.score(a), () => survey.visibleQuestions(a), () => agg.push(a)]) {
      assert.throws(f, (e) => isCemError(e) && e.code === 'invalid_argument' && /`?answers`?/.test(e.message), name);
    }
  }
  assert.equal(agg.n, 0);
  agg.push({ nps: 10 });
  assert.equal(agg.n, 1, 'the aggregate still works after every refusal');
  assert.equal(agg.summary().questions[0].nps.value, 100);
});

test('the .wasm with survey scoring and aggregates stays within 150 KB gzipped', async () => {
  const { gzipSync } = await import('node:zlib');
  const gz = gzipSync(readFileSync(`${pkgDir}/cem_wasm_bg.wasm`), { level: 9 }).length;
  assert.ok(gz <= 150_000, `cem_wasm_bg.wasm is ${gz} bytes gzipped`);
});
