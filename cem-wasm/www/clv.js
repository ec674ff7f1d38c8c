// The CLV demo: seeded synthetic purchases, summarized and modelled by cem-clv in the page.
// No statistics here: every number shown comes from the package.
import init, { BetaGeo, GammaGamma, customerSummary } from '../pkg-clv/cem_clv.js';

const $ = (id) => document.getElementById(id);
const cell = (text, num = false) => Object.assign(document.createElement('td'), { textContent: text, className: num ? 'num' : '' });
const row = (...cells) => { const tr = document.createElement('tr'); tr.append(...cells); return tr; };

/** A seeded year of purchases: 1,500 customers who buy at their own rate until they drop out. */
function purchases(seed = 7) {
  let a = seed >>> 0;
  const r = () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const start = Date.UTC(2026, 0, 1), day = 86_400_000, end = start + 364 * day;
  const customers = [], times = [], amounts = [];
  for (let c = 0; c < 1500; c++) {
    const rate = -Math.log(1 - r()) / 25; // purchases a day while active
    const drop = 0.05 + 0.4 * r();        // chance of leaving after each purchase
    const basket = 15 + 60 * r();
    let t = start + Math.floor(r() * 180) * day;
    while (t <= end) {
      customers.push(`customer-${c}`); times.push(new Date(t)); amounts.push(Math.round(basket * (0.5 + r()) * 100) / 100);
      if (r() < drop) break;
      t += Math.ceil(-Math.log(1 - r()) / rate) * day;
    }
  }
  return { customers, times, amounts, end: new Date(end) };
}

async function main() {
  try {
    await init();
    const { customers, times, amounts, end } = purchases();
    const rfm = customerSummary(customers, times, amounts, { observation_end: end, freq: 'W' });
    const bg = BetaGeo.fit(rfm.frequency, rfm.recency, rfm.T);
    const repeat = [...rfm.frequency.keys()].filter((i) => rfm.frequency[i] > 0);
    const gg = GammaGamma.fit(repeat.map((i) => rfm.frequency[i]), repeat.map((i) => rfm.monetary_value[i]));
    for (const [name, model] of [['BG/NBD', bg], ['Gamma-Gamma', gg]]) {
      for (const p of model.summary()) {
        const ci = p.lower === null ? '–' : `${p.lower.toFixed(3)} – ${p.upper.toFixed(3)}`;
        $('params').append(row(cell(name), cell(p.parameter), cell(p.coef.toFixed(3), true), cell(ci, true)));
      }
    }
    const alive = bg.pAlive(rfm.frequency, rfm.recency, rfm.T);
    const next = bg.predict(12, rfm.frequency, rfm.recency, rfm.T);
    const clv = bg.lifetimeValue(gg, rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value, { time: 12, discount_rate: 0.01, freq: 'W' });
    const top = [...clv.keys()].sort((i, j) => clv[j] - clv[i]).slice(0, 10);
    for (const i of top) {
      $('top').append(row(cell(rfm.customers[i]), cell(String(rfm.frequency[i]), true), cell(String(rfm.T[i] - rfm.recency[i]), true),
        cell(alive[i].toFixed(2), true), cell(next[i].toFixed(2), true), cell(clv[i].toFixed(2), true)));
    }
    $('status').textContent = `ready (${rfm.customers.length} customers, ${customers.length} purchases)`;
    bg.free(); gg.free();
  } catch (err) {
    $('error').hidden = false;
    $('error').textContent = `${err.code ?? 'error'}: ${err.message}`;
    $('status').textContent = 'failed';
  }
}

main();
