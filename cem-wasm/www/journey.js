// The journey dashboard demo: a seeded synthetic clickstream, analysed by cem-journey's
// EventLog in the page. No statistics here: every number shown comes from the package.
import init, { EventLog } from '../pkg-journey/cem_journey.js';

const $ = (id) => document.getElementById(id);
const cell = (text, num = false) => Object.assign(document.createElement('td'), { textContent: text, className: num ? 'num' : '' });
const row = (...cells) => { const tr = document.createElement('tr'); tr.append(...cells); return tr; };
const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** A seeded clickstream: 2,000 visitors wandering over a small shop. */
function clickstream(seed = 11) {
  let a = seed >>> 0;
  const r = () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const next = { home: ['search', 'product', 'help'], search: ['product', 'search', 'home'], product: ['cart', 'product', 'search', 'help'],
    cart: ['pay', 'product', 'chat'], help: ['chat', 'home'], chat: ['cart', 'home'], pay: [] };
  const customers = [], touchpoints = [], times = [];
  for (let c = 0; c < 2000; c++) {
    let page = 'home';
    let t = Date.UTC(2026, 10, 1) + Math.floor(r() * 30 * 86_400_000);
    for (let k = 0; k < 15 && page; k++) {
      customers.push(`visitor-${c}`); touchpoints.push(page); times.push(new Date(t));
      t += 5_000 + Math.floor(r() * 600_000);
      const options = next[page];
      page = r() < 0.12 ? null : options[Math.floor(r() * options.length)];
    }
  }
  return { customers, touchpoints, times };
}

async function main() {
  try {
    await init();
    const { customers, touchpoints, times } = clickstream();
    const log = new EventLog(customers, touchpoints, times);
    const funnel = log.funnel(['home', 'product', 'cart', 'pay'], 3600);
    const top = funnel.steps[0].customers;
    for (const s of funnel.steps) {
      const bar = Object.assign(document.createElement('div'), { className: 'bar' });
      bar.style.width = `${(100 * s.customers) / top}%`;
      const wait = s.time ? `median ${Math.round(s.time.median / 60)} min` : '';
      $('funnel').append(Object.assign(document.createElement('span'), { textContent: s.touchpoint }), bar,
        Object.assign(document.createElement('span'), { textContent: `${s.customers} · ${wait || pct(s.from_start)}` }));
    }
    const attribution = log.removalEffects('pay');
    for (const e of attribution.effects) $('effects').append(row(cell(e.touchpoint), cell(pct(e.effect), true), cell(pct(e.conversion_without), true)));
    for (const v of log.variants(6)) $('variants').append(row(cell(v.steps.join(' → ')), cell(String(v.count), true), cell(pct(v.share), true)));
    $('map').innerHTML = log.toSvg({ title: `${log.customerCount} visitors, ${log.events} events`, min_share: 0.05 });
    log.free();
    $('status').textContent = 'ready';
  } catch (err) {
    $('error').hidden = false;
    $('error').textContent = `${err.code ?? 'error'}: ${err.message}`;
    $('status').textContent = 'failed';
  }
}

main();
