// An independent, deliberately naive JS reference for the journey tests: the definitions of
// DESIGN.md ("Definitions cem follows") and pm4py's (discover_dfg, performance DFG with numpy
// medians, start/end activities, variants), written from scratch with plain arrays. Nothing
// here is derived from cem's output. Durations are in the log's own unit.

/** A seeded generator (mulberry32), so every run tests the same log. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A synthetic clickstream: `customers` journeys over a few touchpoints, times in seconds
 * with ties, rows shuffled. Returns the three columns.
 */
export function syntheticLog(seed = 7, customers = 400) {
  const r = rng(seed);
  const pages = ['home', 'search', 'product', 'cart', 'pay', 'help', 'call', 'store'];
  const next = { home: ['search', 'product', 'help'], search: ['product', 'search', 'home'],
    product: ['cart', 'product', 'search', 'help'], cart: ['pay', 'product', 'call'],
    pay: ['home', 'help'], help: ['call', 'home'], call: ['store', 'cart'], store: ['pay', 'home'] };
  const rows = [];
  for (let c = 0; c < customers; c++) {
    let page = r() < 0.8 ? 'home' : pages[Math.floor(r() * pages.length)];
    let t = 1_700_000_000 + Math.floor(r() * 86_400 * 30);
    const length = 1 + Math.floor(r() * 12);
    for (let k = 0; k < length; k++) {
      rows.push([`c${c}`, page, t]);
      // A few equal timestamps (ties keep input order) and a few long gaps.
      t += r() < 0.1 ? 0 : r() < 0.1 ? 3600 + Math.floor(r() * 86_400) : 5 + Math.floor(r() * 600);
      const options = next[page];
      page = options[Math.floor(r() * options.length)];
    }
  }
  // Shuffle the rows, but keep the relative order of events with equal (customer, time):
  // the tie rule is input order, so a tie's order must survive in the input.
  const keyed = rows.map((row, i) => ({ row, i, k: r() }));
  keyed.sort((a, b) => a.k - b.k);
  const byKey = new Map();
  for (const x of keyed) {
    const key = `${x.row[0]}|${x.row[2]}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(x);
  }
  for (const group of byKey.values()) {
    const originals = group.map((x) => x.i).sort((a, b) => a - b);
    const rowsInOrder = originals.map((i) => rows[i]);
    group.forEach((x, j) => { x.row = rowsInOrder[j]; });
  }
  return {
    customers: keyed.map((x) => x.row[0]),
    touchpoints: keyed.map((x) => x.row[1]),
    times: keyed.map((x) => x.row[2]),
  };
}

/** Journeys: customer → [{tp, t}], customers by first appearance, events by time then input. */
export function journeys({ customers, touchpoints, times }) {
  const out = new Map();
  customers.forEach((c, i) => {
    const key = String(c);
    if (!out.has(key)) out.set(key, []);
    out.get(key).push({ tp: String(touchpoints[i]), t: times[i], i });
  });
  for (const events of out.values()) events.sort((a, b) => a.t - b.t || a.i - b.i);
  return out;
}

/** numpy's default (linear) percentile. */
export function percentile(values, q) {
  const xs = [...values].sort((a, b) => a - b);
  const pos = q * (xs.length - 1);
  const lo = Math.floor(pos);
  const frac = pos - lo;
  return frac === 0 ? xs[lo] : xs[lo] + frac * (xs[lo + 1] - xs[lo]);
}

/** Directly-follows edges keyed `source→target`: {count, customers, mean, median}. */
export function dfg(js) {
  const edges = new Map();
  for (const [c, events] of js) {
    for (let k = 1; k < events.length; k++) {
      const key = `${events[k - 1].tp}→${events[k].tp}`;
      if (!edges.has(key)) edges.set(key, { durations: [], who: new Set() });
      const e = edges.get(key);
      e.durations.push(events[k].t - events[k - 1].t);
      e.who.add(c);
    }
  }
  const out = new Map();
  for (const [key, e] of edges) {
    out.set(key, {
      count: e.durations.length,
      customers: e.who.size,
      mean: e.durations.reduce((a, b) => a + b, 0) / e.durations.length,
      median: percentile(e.durations, 0.5),
    });
  }
  return out;
}

/** Customers per first (`end = false`) or last touchpoint: Map label → count. */
export function boundary(js, end = false) {
  const out = new Map();
  for (const events of js.values()) {
    const tp = events[end ? events.length - 1 : 0].tp;
    out.set(tp, (out.get(tp) ?? 0) + 1);
  }
  return out;
}

/** Variants: Map "a,b,c" → count. */
export function variants(js) {
  const out = new Map();
  for (const events of js.values()) {
    const key = events.map((e) => e.tp).join(',');
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * The funnel by brute force: for every occurrence of step 0 (only the first one without a
 * window), match the later steps greedily at their earliest occurrence within the window;
 * a customer counts at the best attempt (the earliest of equally deep ones).
 * Returns per step {customers, times[]} (time from the counting attempt's first step).
 */
export function funnel(js, steps, within = null) {
  const out = steps.map(() => ({ customers: 0, times: [] }));
  for (const events of js.values()) {
    let best = { depth: 0, times: [] };
    for (let s = 0; s < events.length; s++) {
      if (events[s].tp !== steps[0]) continue;
      const t0 = events[s].t;
      const times = [0];
      for (let k = s + 1; k < events.length && times.length < steps.length; k++) {
        if (within !== null && events[k].t - t0 > within) break;
        if (events[k].tp === steps[times.length]) times.push(events[k].t - t0);
      }
      if (times.length > best.depth) best = { depth: times.length, times };
      if (within === null) break;
    }
    for (let j = 0; j < best.depth; j++) {
      out[j].customers += 1;
      out[j].times.push(best.times[j]);
    }
  }
  return out;
}

/** Next-step shares out of `tp`: Map label|null → probability. */
export function nextStep(js, tp) {
  const counts = new Map();
  let total = 0;
  for (const events of js.values()) {
    events.forEach((e, k) => {
      if (e.tp !== tp) return;
      const next = k + 1 < events.length ? events[k + 1].tp : null;
      counts.set(next, (counts.get(next) ?? 0) + 1);
      total += 1;
    });
  }
  return new Map([...counts].map(([k, v]) => [k, v / total]));
}

/** Paths of `depth` touchpoints from each occurrence of `start`: Map "a,b,c" → count. */
export function pathsFrom(js, start, depth) {
  const out = new Map();
  for (const events of js.values()) {
    events.forEach((e, k) => {
      if (e.tp !== start) return;
      const key = events.slice(k, k + depth).map((x) => x.tp).join(',');
      out.set(key, (out.get(key) ?? 0) + 1);
    });
  }
  return out;
}

/**
 * Markov removal effects by a direct linear solve (Gaussian elimination with partial
 * pivoting) of the absorption probabilities: journeys cut at their first `goal`, states
 * START, touchpoints, CONVERSION, NULL. Returns {conversion, observed, effects: Map}.
 */
export function removalEffects(js, goal) {
  const counts = new Map(); // from → Map(to → count)
  const bump = (a, b) => {
    if (!counts.has(a)) counts.set(a, new Map());
    counts.get(a).set(b, (counts.get(a).get(b) ?? 0) + 1);
  };
  let converted = 0;
  for (const events of js.values()) {
    let from = '(start)';
    let reached = false;
    for (const e of events) {
      if (e.tp === goal) { reached = true; break; }
      bump(from, e.tp);
      from = e.tp;
    }
    bump(from, reached ? '(conversion)' : '(null)');
    if (reached) converted += 1;
  }
  const transient = [...counts.keys()]; // every state with outgoing transitions
  const solve = (removed) => {
    const states = transient.filter((s) => s !== removed);
    const index = new Map(states.map((s, i) => [s, i]));
    const n = states.length;
    // (I − Q) p = r, with r the one-step probability of conversion.
    const a = states.map(() => new Array(n + 1).fill(0));
    states.forEach((s, i) => {
      a[i][i] += 1;
      const row = counts.get(s);
      const total = [...row.values()].reduce((x, y) => x + y, 0);
      for (const [to, k] of row) {
        if (to === '(conversion)') a[i][n] += k / total;
        else if (index.has(to)) a[i][index.get(to)] -= k / total;
      }
    });
    for (let col = 0; col < n; col++) {
      let pivot = col;
      for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
      [a[col], a[pivot]] = [a[pivot], a[col]];
      for (let r = 0; r < n; r++) {
        if (r === col || a[r][col] === 0) continue;
        const f = a[r][col] / a[col][col];
        for (let k = col; k <= n; k++) a[r][k] -= f * a[col][k];
      }
    }
    return a[index.get('(start)')][n] / a[index.get('(start)')][index.get('(start)')];
  };
  const conversion = solve(null);
  const effects = new Map();
  for (const s of transient) {
    if (s === '(start)') continue;
    const without = solve(s);
    effects.set(s, { conversion_without: without, effect: 1 - without / conversion });
  }
  return { conversion, observed: converted / js.size, effects };
}

/** Session ids per input row: sessions numbered by customer (first appearance), then time;
 * a new one after a gap strictly longer than `gap`. */
export function sessionIds({ customers, touchpoints, times }, gap) {
  const ids = new Array(customers.length);
  let next = 0;
  for (const events of journeys({ customers, touchpoints, times }).values()) {
    events.forEach((e, k) => {
      if (k === 0 || e.t - events[k - 1].t > gap) next += 1;
      ids[e.i] = next - 1;
    });
  }
  return ids;
}
