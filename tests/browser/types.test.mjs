// The TypeScript declarations wasm-bindgen generated compile against real usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

test('tsc --noEmit accepts the types-*.ts files against every package\'s .d.ts', () => {
  try {
    execFileSync(`${here}node_modules/.bin/tsc`, ['--noEmit', '-p', `${here}tsconfig.json`], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
