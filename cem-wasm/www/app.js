// The demo widget: loads a survey definition, renders it with its display logic, scores each
// submission with cem-wasm and shows a live NPS tile. No framework, no statistics here: every
// number on the tile comes from `SurveyAggregate.summary()`.
import init, { Survey, SurveyAggregate } from '../pkg/cem_wasm.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const fmt = (x) => (Math.round(x * 10) / 10).toFixed(1);

const state = { survey: null, aggregate: null, answers: {}, trend: [] };

async function main() {
  const url = new URLSearchParams(location.search).get('survey') ?? 'post_contact.json';
  try {
    await init();
    const response = await fetch(url);
    if (!response.ok) throw Object.assign(new Error(`could not load \`${url}\`: HTTP ${response.status}`), { code: 'http' });
    state.survey = Survey.fromJSON(await response.text());
  } catch (err) {
    showError(err);
    return;
  }
  state.aggregate = new SurveyAggregate(state.survey);
  $('title').textContent = state.survey.title || state.survey.id;
  document.title = `${state.survey.title} — cem`;
  renderQuestions();
  $('survey').hidden = false;
  $('tile').hidden = false;
  $('survey').addEventListener('submit', submit);
  updateTile();
  document.body.dataset.ready = 'true';
}

function showError(err) {
  const box = $('error');
  box.replaceChildren(
    el('strong', { textContent: 'This survey cannot be shown.' }),
    el('p', { className: 'message', textContent: err?.message ?? String(err) }),
    el('p', { className: 'code' }, 'error code: ', el('code', { textContent: err?.code ?? 'unknown' })),
  );
  box.hidden = false;
  $('title').textContent = 'Survey unavailable';
  document.body.dataset.ready = 'error';
}

// ------------------------------------------------------------------ the form
function renderQuestions() {
  const host = $('questions');
  host.replaceChildren();
  for (const q of state.survey.questions) {
    const block = el('fieldset', { className: 'question', id: `q-${q.id}` });
    block.dataset.question = q.id;
    block.append(el('legend', {}, q.text, q.required ? el('span', { className: 'req', title: 'required', textContent: ' *' }) : ''));
    block.append(control(q));
    block.append(el('p', { className: 'problem', id: `problem-${q.id}` }));
    host.append(block);
  }
  applyVisibility();
}

function control(q) {
  if (q.scale) return scaleButtons(q);
  if (q.kind === 'single_choice' || q.kind === 'multi_choice') return choices(q);
  const area = el('textarea', { name: q.id, rows: 3, placeholder: 'Your answer (optional)' });
  if (q.max_length) area.maxLength = q.max_length;
  area.addEventListener('input', () => setAnswer(q.id, area.value.trim() ? area.value : null));
  return area;
}

function scaleButtons(q) {
  const row = el('div', { className: `scale scale-${q.kind}`, role: 'radiogroup' });
  for (let v = q.scale.min; v <= q.scale.max; v++) {
    const b = el('button', { type: 'button', className: 'point', textContent: String(v) });
    b.dataset.value = String(v);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', 'false');
    if (q.kind === 'nps') b.classList.add(v >= 9 ? 'promoter' : v >= 7 ? 'passive' : 'detractor');
    b.addEventListener('click', () => {
      for (const other of row.children) other.setAttribute('aria-checked', String(other === b));
      setAnswer(q.id, v);
    });
    row.append(b);
  }
  const ends = { nps: ['Not at all likely', 'Extremely likely'], csat: ['Very dissatisfied', 'Very satisfied'], ces: ['Strongly disagree', 'Strongly agree'] }[q.kind];
  if (!ends) return row;
  return el('div', {}, row, el('div', { className: 'ends' }, el('span', { textContent: ends[0] }), el('span', { textContent: ends[1] })));
}

function choices(q) {
  const multi = q.kind === 'multi_choice';
  const box = el('div', { className: 'choices' });
  for (const o of q.options) {
    const input = el('input', { type: multi ? 'checkbox' : 'radio', name: q.id, value: o.id });
    input.addEventListener('change', () => {
      const picked = [...box.querySelectorAll('input:checked')].map((i) => i.value);
      setAnswer(q.id, multi ? (picked.length ? picked : null) : picked[0] ?? null);
    });
    box.append(el('label', { className: 'choice' }, input, el('span', { textContent: o.label })));
  }
  return box;
}

function setAnswer(id, value) {
  if (value === null) delete state.answers[id];
  else state.answers[id] = value;
  $(`problem-${id}`).textContent = '';
  applyVisibility();
}

// Display logic is the core's: ask which questions show for the answers so far.
function applyVisibility() {
  const visible = new Set(state.survey.visibleQuestions(state.answers));
  for (const block of $('questions').children) block.hidden = !visible.has(block.dataset.question);
}

function visibleAnswers() {
  const visible = new Set(state.survey.visibleQuestions(state.answers));
  return Object.fromEntries(Object.entries(state.answers).filter(([id]) => visible.has(id)));
}

function submit(event) {
  event.preventDefault();
  const answers = visibleAnswers();
  const problems = state.survey.validate(answers);
  for (const p of document.querySelectorAll('.problem')) p.textContent = '';
  const list = $('problems');
  list.replaceChildren(...problems.map((p) => el('li', { textContent: p.message })));
  list.hidden = problems.length === 0;
  if (problems.length) {
    for (const p of problems) {
      const slot = $(`problem-${p.question}`);
      if (slot) slot.textContent = p.code === 'missing_required' ? 'Please answer this question.' : p.message;
    }
    $('thanks').textContent = '';
    return;
  }
  try {
    state.survey.score(answers); // the scored response a real widget would send to its server
    state.aggregate.push(answers);
  } catch (err) {
    list.replaceChildren(el('li', { textContent: err.message }));
    list.hidden = false;
    return;
  }
  resetForm();
  $('thanks').textContent = `Thank you! Response ${state.aggregate.n} recorded.`;
  updateTile();
}

function resetForm() {
  state.answers = {};
  $('survey').reset();
  for (const b of document.querySelectorAll('.point')) b.setAttribute('aria-checked', 'false');
  applyVisibility();
}

// ------------------------------------------------------------------ the tile
function updateTile() {
  const summary = state.aggregate.summary(0.95);
  const q = summary.questions.find((s) => s.kind === 'nps');
  $('n').textContent = String(summary.n);
  if (!q || !q.nps || !q.breakdown) {
    $('nps-value').textContent = '–';
    $('nps-ci').textContent = 'no responses yet';
    drawTrend();
    return;
  }
  const { nps, breakdown: b } = q;
  setNumber('nps-value', nps.value, (nps.value > 0 ? '+' : '') + fmt(nps.value));
  $('nps-value').className = `nps-value ${nps.value >= 30 ? 'good' : nps.value >= 0 ? 'fair' : 'poor'}`;
  $('nps-ci').textContent = `[${fmt(nps.low)}, ${fmt(nps.high)}]`;
  $('nps-ci').dataset.low = String(nps.low);
  $('nps-ci').dataset.high = String(nps.high);
  for (const [key, share, count] of [['promoters', b.promoters, b.promoter_count], ['passives', b.passives, b.passive_count], ['detractors', b.detractors, b.detractor_count]]) {
    $(`count-${key}`).textContent = `${count} · ${Math.round(share * 100)}%`;
    $(`count-${key}`).dataset.count = String(count);
    $(`bar-${key}`).style.width = `${share * 100}%`;
  }
  state.trend.push({ value: nps.value, low: nps.low, high: nps.high });
  drawTrend();
  const extras = [];
  for (const s of summary.questions) {
    if (s.kind === 'csat' && s.csat) extras.push(`CSAT ${Math.round(s.csat.value * 100)}% (n=${s.n})`);
    if (s.kind === 'ces' && s.mean) extras.push(`CES ${s.mean.value.toFixed(2)} (n=${s.n})`);
  }
  $('extras').textContent = extras.join(' · ');
}

function setNumber(id, value, text) {
  $(id).textContent = text;
  $(id).dataset.value = String(value);
}

// An inline SVG sparkline on a fixed -100..100 axis, with the interval as a band.
function drawTrend() {
  const svg = $('trend');
  const W = 300, H = 90, pad = 6;
  const x = (i) => (state.trend.length <= 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (state.trend.length - 1));
  const y = (v) => pad + ((100 - v) * (H - 2 * pad)) / 200;
  const ns = 'http://www.w3.org/2000/svg';
  const node = (tag, attrs) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    return n;
  };
  svg.replaceChildren(node('line', { x1: 0, x2: W, y1: y(0), y2: y(0), class: 'zero' }));
  if (!state.trend.length) return;
  const pts = state.trend.map((t, i) => [x(i), t]);
  if (pts.length > 1) {
    const band = [...pts.map(([px, t]) => `${px},${y(t.high)}`), ...pts.reverse().map(([px, t]) => `${px},${y(t.low)}`)];
    pts.reverse();
    svg.append(node('polygon', { points: band.join(' '), class: 'band' }));
    svg.append(node('polyline', { points: pts.map(([px, t]) => `${px},${y(t.value)}`).join(' '), class: 'line' }));
  }
  const [lx, last] = pts[pts.length - 1];
  svg.append(node('circle', { cx: lx, cy: y(last.value), r: 3.5, class: 'last' }));
  svg.dataset.points = String(state.trend.length);
}

main();
