// Column readers for columns.rs: one pass over a JS array in JS, handing wasm a typed array,
// instead of one wasm→JS call (and a string copy) per element. Conversions only; on a value
// they cannot take they return its position, and columns.rs builds the error from it.

/** Dictionary-encodes ids (texts, or finite numbers as `String(x)`) by first appearance. */
export function factorize(values) {
  const index = new Map();
  const labels = [];
  const codes = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let key;
    if (typeof v === 'string') key = v;
    else if (typeof v === 'number' && Number.isFinite(v)) key = String(v);
    else return { bad: i };
    let code = index.get(key);
    if (code === undefined) {
      code = labels.length;
      index.set(key, code);
      labels.push(key);
    }
    codes[i] = code;
  }
  return { codes, labels };
}

/** Timestamps as numbers: `Date`s as milliseconds; `dates` says which they were. */
export function timestamps(values) {
  const out = new Float64Array(values.length);
  let dates = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const isDate = v instanceof Date;
    if (dates === null) dates = isDate;
    else if (dates !== isDate) return { bad: i, mixed: true };
    if (isDate) out[i] = v.getTime();
    else if (typeof v === 'number') out[i] = v;
    else return { bad: i, mixed: false };
  }
  return { values: out, dates: dates === true };
}
