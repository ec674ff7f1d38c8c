// The opt-in sentiment package (cem-wasm/pkg-sentiment, module cem_sentiment): VADER scores
// in Node and in headless Chromium against tests/data/text/vader_reference.json (recorded
// from vaderSentiment 3.3.2 by tests/reference/vader_reference.py), the text length limit,
// bad input as Errors with a code, and the size budgets (the lexicon stays out of the core).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { openPackagePage, pkgDir, sentimentDir } from './server.mjs';

const cs = await import(`${sentimentDir}/cem_sentiment.js`);
cs.initSync({ module: readFileSync(`${sentimentDir}/cem_sentiment_bg.wasm`) });

const REF = JSON.parse(readFileSync(new URL('../data/text/vader_reference.json', import.meta.url), 'utf8'));
const TEXTS = REF.cases.map((c) => c.text);
const KEYS = ['neg', 'neu', 'pos', 'compound'];

/** Every reference sentence scored by the package, one by one, as rows and as columns. */
function scoreAll(mod, texts) {
  return {
    one: texts.map((t) => mod.polarity(t)),
    rows: mod.sentiment(texts),
    cols: (({ neg, neu, pos, compound, label }) => ({
      neg: Array.from(neg), neu: Array.from(neu), pos: Array.from(pos), compound: Array.from(compound), label,
    }))(mod.sentimentColumns(texts)),
  };
}

/** Asserts the scores against vaderSentiment 3.3.2, within 1e-4 (they are exact). */
function check(got) {
  assert.equal(REF.package, 'vaderSentiment');
  assert.equal(REF.version, '3.3.2');
  assert.equal(got.rows.length, REF.cases.length);
  let exact = 0;
  REF.cases.forEach((want, i) => {
    for (const k of KEYS) {
      for (const [how, v] of [['polarity', got.one[i][k]], ['sentiment', got.rows[i][k]], ['columns', got.cols[k][i]]]) {
        assert.ok(Math.abs(v - want[k]) <= 1e-4, `${how} ${k} of ${JSON.stringify(want.text)}: ${v} vs ${want[k]}`);
        if (v === want[k]) exact += 1;
      }
    }
    const label = want.compound >= 0.05 ? 'positive' : want.compound <= -0.05 ? 'negative' : 'neutral';
    assert.equal(got.rows[i].label, label);
    assert.equal(got.cols.label[i], label);
  });
  assert.equal(exact, REF.cases.length * KEYS.length * 3, 'every score identical to the package');
  assert.deepEqual(Object.keys(got.one[0]), KEYS);
}

/** Bad input of every kind; returns {key: {threw, isError, code, name, message}}. */
function misuse(mod) {
  const attempt = (f) => {
    try { f(); return { threw: false }; } catch (e) {
      return { threw: true, isError: e instanceof Error, code: e.code, name: e.name, message: String(e.message) };
    }
  };
  const huge = 'good '.repeat(2_000_000);
  const r = {
    nullText: attempt(() => mod.polarity(null)),
    numberText: attempt(() => mod.polarity(42)),
    undefinedText: attempt(() => mod.polarity()),
    notArray: attempt(() => mod.sentiment('one text')),
    nullItem: attempt(() => mod.sentiment(['fine', null])),
    numberItem: attempt(() => mod.sentimentColumns(['fine', 7])),
    complaintNull: attempt(() => mod.isComplaint(null)),
    complaintsItem: attempt(() => mod.complaints([{}])),
    tooLong: attempt(() => mod.polarity(huge)),
    tooLongInList: attempt(() => mod.sentiment(['fine', huge])),
    tooLongComplaint: attempt(() => mod.isComplaint(huge)),
    tightLimit: attempt(() => mod.polarity('hello!', { max_chars: 5 })),
    negativeLimit: attempt(() => mod.polarity('hi', { max_chars: -1 })),
    unknownOption: attempt(() => mod.polarity('hi', { maxChars: 10 })),
    optionsNotObject: attempt(() => mod.sentiment(['hi'], 'fast')),
    phraseLengths: attempt(() => mod.keyPhrases(['a', 'b'], ['x'])),
    phraseNgram: attempt(() => mod.keyPhrases(['a', 'b'], ['x', 'y'], { max_n: 9 })),
    phraseNullGroup: attempt(() => mod.keyPhrases(['a', 'b'], ['x', null])),
  };
  r.stillWorks = mod.polarity('The book was good.').compound;
  r.raised = mod.polarity(huge, { max_chars: 10_000_000 }).compound;
  return r;
}

const MISUSE = {
  nullText: 'invalid_argument', numberText: 'invalid_argument', undefinedText: 'invalid_argument',
  notArray: 'invalid_argument', nullItem: 'invalid_argument', numberItem: 'invalid_argument',
  complaintNull: 'invalid_argument', complaintsItem: 'invalid_argument',
  tooLong: 'limit_exceeded', tooLongInList: 'limit_exceeded', tooLongComplaint: 'limit_exceeded',
  tightLimit: 'limit_exceeded', negativeLimit: 'invalid_argument', unknownOption: 'invalid_argument',
  optionsNotObject: 'invalid_argument', phraseLengths: 'length_mismatch', phraseNgram: 'invalid_argument',
  phraseNullGroup: 'invalid_number',
};

function checkMisuse(caught) {
  for (const [key, code] of Object.entries(MISUSE)) {
    const c = caught[key];
    assert.ok(c.threw, `${key} did not throw`);
    assert.ok(c.isError, `${key} threw a non-Error`);
    assert.equal(c.code, code, `${key}: ${c.message}`);
    assert.equal(c.name, 'CemError');
    assert.doesNotMatch(c.message, /unreachable|RuntimeError/);
  }
  assert.match(caught.nullText.message, /`text`.*null/);
  assert.match(caught.nullItem.message, /position 1/);
  assert.equal(caught.tooLong.message, 'the length of the text exceeds the limit of 100000 characters: 10000000 characters');
  assert.equal(caught.tooLongInList.message, 'the length of text 1 exceeds the limit of 100000 characters: 10000000 characters');
  assert.match(caught.unknownOption.message, /maxChars/);
  assert.equal(caught.stillWorks, 0.4404, 'the module keeps working after errors');
  assert.equal(caught.raised, 1, 'a raised limit scores the long text');
}

const COMPLAINTS = [
  // [text, is_complaint, cues] — the behaviour documented in cem_core::text::complaints.
  ['Great service!', false, []],
  ['Cancel my subscription.', true, ['cancel*']],
  ['Rude, horrible staff', true, ['rude', 'horrible']],
  ['I want to speak to a manager!', true, null],
  ['Thanks for the quick refund, great service!', false, null],
];

describe('cem-sentiment in Node', () => {
  test(`polarity, sentiment and sentimentColumns equal vaderSentiment ${REF.version} on all ${REF.cases.length} reference sentences`, () => {
    check(scoreAll(cs, TEXTS));
  });

  test('empty text is accepted and scores zeros; a text at the limit is accepted', () => {
    assert.deepEqual(cs.polarity(''), { neg: 0, neu: 0, pos: 0, compound: 0 });
    assert.deepEqual(cs.sentiment([]), []);
    assert.equal(cs.polarity('a'.repeat(100_000)).compound, 0);
    assert.equal(cs.polarity('äöü', { max_chars: 3 }).compound, 0, 'the limit counts characters, not bytes');
    const long = 'good '.repeat(30_000);
    assert.equal(cs.polarity(long, { max_chars: 150_000 }).compound, 1);
    assert.throws(() => cs.polarity(long, { max_chars: null }), { code: 'limit_exceeded' }, 'null is the default limit');
    assert.throws(() => cs.complaints(['ok', long]), { code: 'limit_exceeded', message: /text 1 / });
    assert.equal(cs.complaints(['ok', long], { max_chars: 150_000 }).length, 2);
  });

  test('complaints and isComplaint: the documented verdicts and cues', () => {
    const got = cs.complaints(COMPLAINTS.map(([t]) => t));
    COMPLAINTS.forEach(([text, flag, cues], i) => {
      assert.equal(got[i].is_complaint, flag, text);
      assert.equal(cs.isComplaint(text), flag, text);
      if (cues) assert.deepEqual(got[i].cues, cues, text);
      assert.equal(got[i].compound, cs.polarity(text).compound);
    });
  });

  test('keyPhrases: the phrases that set each group apart, by group label', () => {
    const texts = ['hold music for an hour', 'the hold music again', 'hold music, no answer',
      'great app', 'the app is great', 'love the app'];
    const rows = cs.keyPhrases(texts, ['call', 'call', 'call', 'app', 'app', 'app'], { min_count: 2 });
    const calls = rows.filter((r) => r.group === 'call').map((r) => r.phrase);
    assert.deepEqual(calls.slice(0, 3), ['hold', 'hold music', 'music']);
    const hold = rows.find((r) => r.phrase === 'hold');
    assert.deepEqual([hold.count, hold.other_count], [3, 0]);
    assert.ok(rows.every((r) => Number.isFinite(r.z) && Number.isFinite(r.delta)));
  });

  test('bad input throws an Error with a code, never a wasm trap', () => {
    checkMisuse(misuse(cs));
  });

  test('package sizes: the core stays ≤ 150,000 bytes gzipped without the lexicon; sentiment ≤ 400,000', () => {
    const size = (file) => {
      const raw = readFileSync(file);
      return { raw: raw.length, gz: gzipSync(raw, { level: 9 }).length, bytes: raw };
    };
    const core = size(`${pkgDir}/cem_wasm_bg.wasm`);
    const sentiment = size(`${sentimentDir}/cem_sentiment_bg.wasm`);
    console.log(`# sizes: cem_wasm ${core.raw} B (${core.gz} gz), cem_sentiment ${sentiment.raw} B (${sentiment.gz} gz)`);
    assert.ok(core.gz <= 150_000, `cem_wasm_bg.wasm is ${core.gz} bytes gzipped`);
    assert.ok(sentiment.gz <= 400_000, `cem_sentiment_bg.wasm is ${sentiment.gz} bytes gzipped`);
    // Lexicon lines ("word\tvalence\t...") are in the sentiment package only.
    for (const word of ['heartbreakers\t', 'sweethearts\t']) {
      assert.ok(sentiment.bytes.includes(word), `${word} in cem_sentiment`);
      assert.ok(!core.bytes.includes(word), `${word} must not be in cem_wasm`);
    }
  });
});

describe('cem-sentiment in Chromium', { timeout: 120_000 }, () => {
  let server, browser, page, problems;

  before(async () => {
    ({ server, browser, page, problems } = await openPackagePage('/pkg-sentiment/cem_sentiment.js', 'cs'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('scores in the page equal vaderSentiment on every reference sentence', async () => {
    const got = await page.evaluate(([src, texts]) => (0, eval)(`(${src})`)(window.cs, texts), [scoreAll.toString(), TEXTS]);
    check(got);
  });

  test('bad input and over-long text in the page: Errors with a code', async () => {
    const caught = await page.evaluate((src) => (0, eval)(`(${src})`)(window.cs), misuse.toString());
    checkMisuse(caught);
    assert.deepEqual(problems, []);
  });
});
