// Compiled with `tsc --noEmit` (see types.test.mjs): the sentiment package's declarations
// must type this usage and reject the misuse marked @ts-expect-error.
import init, {
  polarity, sentiment, sentimentColumns, isComplaint, complaints, keyPhrases, NpsAggregate,
  type Complaint, type KeyPhrase, type Polarity, type PhraseOptions, type Sentiment,
  type SentimentColumns, type SentimentLabel, type TextOptions,
} from '../../cem-wasm/pkg-sentiment/cem_sentiment.js';

export async function scoreFeedback(texts: string[]): Promise<number> {
  await init();
  const limits: TextOptions = { max_chars: 200_000 };
  const one: Polarity = polarity('The book was good.');
  const raised: number = polarity('x', limits).compound;
  const rows: Sentiment[] = sentiment(texts);
  const label: SentimentLabel | undefined = rows[0]?.label;
  const cols: SentimentColumns = sentimentColumns(texts, limits);
  const compound: Float64Array = cols.compound;
  const flag: boolean = isComplaint('Never again.');
  const found: Complaint[] = complaints(texts);
  const cues: string[] = found[0]?.cues ?? [];
  const options: PhraseOptions = { min_n: 1, max_n: 3, top: 5, min_count: 2, stopwords: [], max_chars: 1000 };
  const phrases: KeyPhrase[] = keyPhrases(texts, texts.map((_, i) => i % 2), options);
  const group: string | undefined = phrases[0]?.group;
  const nps = new NpsAggregate(); // the sentiment package is a superset of the core one
  // @ts-expect-error: texts are strings
  polarity(42);
  // @ts-expect-error: options keys are snake_case, as in Rust and Python
  polarity('x', { maxChars: 10 });
  // @ts-expect-error: sentiment takes an array
  sentiment('one text');
  nps.free();
  return one.neg + raised + compound.length + Number(flag) + cues.length + (label ? 1 : 0) + (group ? 1 : 0);
}
