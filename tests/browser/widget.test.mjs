// The demo widget (cem-wasm/www) in headless Chromium, used the way a customer would: click
// NPS buttons, pick options, type a comment, submit. The tile must show the NPS and adjusted
// Wald interval computed here independently from the published formula.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, serve, wwwDir } from './server.mjs';

const Z95 = 1.959963984540054; // standard normal 97.5% quantile

/** NPS in points and the adjusted Wald interval (Sauro & Lewis): n' = n + 3,
 * p' = (P + 3/4)/n', d' = (D + 3/4)/n', centre p' - d', se = sqrt((p' + d' - (p' - d')^2)/n'). */
function adjustedWald(scores) {
  const n = scores.length;
  const P = scores.filter((s) => s >= 9).length;
  const D = scores.filter((s) => s <= 6).length;
  const na = n + 3, p = (P + 0.75) / na, d = (D + 0.75) / na;
  const se = Math.sqrt((p + d - (p - d) ** 2) / na);
  const clip = (x) => Math.min(100, Math.max(-100, x));
  return { value: (100 * (P - D)) / n, low: clip(100 * (p - d - Z95 * se)), high: clip(100 * (p - d + Z95 * se)), P, D, passives: n - P - D };
}
const one = (x) => (Math.round(x * 10) / 10).toFixed(1);

describe('demo widget in Chromium', { timeout: 120_000 }, () => {
  let server, browser;
  before(async () => {
    server = await serve();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(route) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    if (route) await page.route('**/post_contact.json', route);
    await page.goto(`${server.url}www/`);
    await page.waitForFunction(() => document.body.dataset.ready);
    return { page, problems };
  }

  test('the widget serves the post-contact survey of tests/data unchanged', () => {
    assert.equal(readFileSync(`${wwwDir}/post_contact.json`, 'utf8'),
      readFileSync(new URL('../data/surveys/post_contact.json', import.meta.url), 'utf8'));
  });

  test('customers fill in the survey; the tile shows the core NPS, interval and counts', async () => {
    const { page, problems } = await open();
    assert.equal(await page.textContent('h1'), 'How did we do?');
    const visible = async (id) => page.isVisible(`#q-${id}`);
    assert.equal(await visible('reason'), false, 'reason is hidden before any answer');

    // A required question left empty: the response is refused and nothing is counted.
    await page.click('#submit');
    assert.match(await page.textContent('#problem-nps'), /answer this question/);
    assert.equal(await page.textContent('#n'), '0');

    const responses = [
      { nps: 10, csat: 5, ces: 7 },
      { nps: 9, csat: 4 },
      { nps: 3, csat: 2, reason: 'wait', comment: 'I waited forty minutes on the phone.' },
      { nps: 8, ces: 5 },
      { nps: 6, reason: 'price' },
      { nps: 10, comment: 'Great, thanks' },
      { nps: 0, reason: 'staff', csat: 1 },
      { nps: 9 },
    ];
    const scores = [];
    for (const r of responses) {
      await page.click(`#q-nps .point[data-value="${r.nps}"]`);
      assert.equal(await visible('reason'), r.nps < 7, `reason shown iff NPS < 7 (NPS ${r.nps})`);
      if (r.csat) await page.click(`#q-csat .point[data-value="${r.csat}"]`);
      if (r.ces) await page.click(`#q-ces .point[data-value="${r.ces}"]`);
      if (r.reason) await page.check(`#q-reason input[value="${r.reason}"]`);
      if (r.comment) await page.fill('#q-comment textarea', r.comment);
      await page.click('#submit');
      scores.push(r.nps);
      assert.equal(await page.textContent('#n'), String(scores.length));
      assert.equal(await visible('reason'), false, 'the form resets after a response');

      const want = adjustedWald(scores);
      const shown = await page.evaluate(() => ({
        value: document.getElementById('nps-value').textContent,
        raw: Number(document.getElementById('nps-value').dataset.value),
        ci: document.getElementById('nps-ci').textContent,
        low: Number(document.getElementById('nps-ci').dataset.low),
        high: Number(document.getElementById('nps-ci').dataset.high),
        counts: ['promoters', 'passives', 'detractors'].map((k) => Number(document.getElementById(`count-${k}`).dataset.count)),
        points: Number(document.getElementById('trend').dataset.points),
      }));
      assert.equal(shown.value, (want.value > 0 ? '+' : '') + one(want.value));
      assert.equal(shown.ci, `[${one(want.low)}, ${one(want.high)}]`);
      assert.ok(Math.abs(shown.raw - want.value) < 1e-9, `NPS ${shown.raw} vs ${want.value}`);
      assert.ok(Math.abs(shown.low - want.low) < 1e-9, `low ${shown.low} vs ${want.low}`);
      assert.ok(Math.abs(shown.high - want.high) < 1e-9, `high ${shown.high} vs ${want.high}`);
      assert.deepEqual(shown.counts, [want.P, want.passives, want.D]);
      assert.equal(shown.points, scores.length, 'one sparkline point per response');
    }
    // 8 responses: 4 promoters, 1 passive, 3 detractors -> NPS 12.5.
    assert.equal(await page.textContent('#nps-value'), '+12.5');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a malformed survey shows a clear error naming the question, not a form', async () => {
    const dup = '{"id":"s","questions":[{"id":"a","kind":"nps","text":"x"},{"id":"a","kind":"nps","text":"y"}]}';
    const { page } = await open((r) => r.fulfill({ contentType: 'application/json', body: dup }));
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'error');
    assert.ok(await page.isVisible('#error'));
    assert.equal(await page.isVisible('#survey'), false);
    const text = await page.textContent('#error');
    assert.match(text, /question `a`/);
    assert.match(text, /invalid_survey/);
    await page.close();

    const broken = await open((r) => r.fulfill({ contentType: 'application/json', body: '{"id": "s", "questions": [' }));
    assert.match(await broken.page.textContent('#error'), /malformed JSON[\s\S]*json/);
    assert.doesNotMatch(await broken.page.textContent('#error'), /unreachable|RuntimeError/);
    await broken.page.close();
  });
});
