// A tiny static server for the tests: serves the built packages under /pkg/ and
// /pkg-journey/, /pkg-sentiment/, /pkg-orchestrate/, /pkg-alerts/ and /pkg-clv/ (the opt-in packages), the demo pages
// (cem-wasm/www) under /www/ and this folder's page.html at /, on 127.0.0.1 with a random port.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
export const pkgDir = resolve(here, '../../cem-wasm/pkg');
export const journeyDir = resolve(here, '../../cem-wasm/pkg-journey');
export const sentimentDir = resolve(here, '../../cem-wasm/pkg-sentiment');
export const orchestrateDir = resolve(here, '../../cem-wasm/pkg-orchestrate');
export const alertsDir = resolve(here, '../../cem-wasm/pkg-alerts');
export const clvDir = resolve(here, '../../cem-wasm/pkg-clv');
export const wwwDir = resolve(here, '../../cem-wasm/www');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.ts': 'text/plain',
  '.css': 'text/css; charset=utf-8',
};

function fileFor(urlPath) {
  if (urlPath === '/' || urlPath === '/index.html') return join(here, 'page.html');
  if (urlPath === '/www/') return join(wwwDir, 'index.html');
  for (const [prefix, dir] of [['/pkg/', pkgDir], ['/pkg-journey/', journeyDir], ['/pkg-sentiment/', sentimentDir], ['/pkg-orchestrate/', orchestrateDir], ['/pkg-alerts/', alertsDir], ['/pkg-clv/', clvDir], ['/www/', wwwDir]]) {
    if (!urlPath.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(urlPath.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/** Starts the server; resolves to { url, close }. */
export async function serve() {
  const server = createServer(async (req, res) => {
    const file = fileFor(new URL(req.url, 'http://x').pathname);
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

/** Debian's Chromium, headless, with the flags it needs here (root, no GPU, no network). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/**
 * Serves the packages, opens the test page in Chromium and imports a package module into it
 * as `window[name]` (e.g. `'/pkg-journey/cem_journey.js'`, `'cj'`). Page errors and console
 * errors are collected in `problems`; the caller closes `browser` and `server`.
 */
export async function openPackagePage(module, name) {
  const server = await serve();
  const browser = await launchChromium();
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(server.url);
  await page.evaluate(async ([path, global]) => {
    const mod = await import(path);
    await mod.default();
    window[global] = mod;
  }, [module, name]);
  return { server, browser, page, problems };
}
