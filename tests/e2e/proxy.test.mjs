// The whole product: the demo page served by the real support proxy, which forwards to the
// scripted OpenAI-compatible server with its own key and answers order lookups from SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { start } from './server.mjs';
import { launch } from './browser.mjs';

const ROOT = join(import.meta.dirname, '../..');
const PROXY = process.env.SUPPORT_PROXY ?? join(ROOT, 'target/debug/support-proxy');
let upstream;
let proxy;
let proxyUrl;
let browser;
let dataDir;

before(async () => {
  upstream = await start({ dist: join(ROOT, 'dist') });
  dataDir = mkdtempSync(join(tmpdir(), 'support-proxy-e2e-'));
  proxy = spawn(PROXY, [], {
    env: {
      PATH: process.env.PATH, BIND: '127.0.0.1:0', UPSTREAM_BASE_URL: `${upstream.url}/v1`,
      UPSTREAM_API_KEY: 'e2e-server-key', DATABASE_URL: `sqlite://${join(dataDir, 'orders.db')}`,
      STATIC_DIR: join(ROOT, 'dist'), LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  proxyUrl = await new Promise((resolve, reject) => {
    proxy.stdout.on('data', (data) => {
      const found = String(data).match(/serving on (http:\/\/\S+)/);
      if (found) resolve(found[1]);
    });
    proxy.on('exit', (code) => reject(new Error(`support-proxy exited with ${code}`)));
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (proxy && proxy.exitCode === null) proxy.kill('SIGKILL');
  await upstream?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the seed conversation through the proxy, with the key only on the server', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const orderLookups = [];
  page.on('request', (r) => { if (r.url().includes('/v1/orders/')) orderLookups.push(r.url()); });
  await page.goto(`${proxyUrl}/`);
  await page.getByTestId('launcher').click();
  for (const [question, answer] of [
    ['I want a refund for my keyboard', 'provide your order ID'],
    ["It's ORD-1002", 'currently processing'],
    ['How long will the refund take?', 'business days'],
  ]) {
    await page.getByTestId('composer').fill(question);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=message][data-role=assistant]', { hasText: answer }).waitFor({ timeout: 15000 });
  }
  assert.match(await page.getByTestId('order-card').innerText(), /Mechanical Keyboard/);
  assert.deepEqual(orderLookups, [`${proxyUrl}/v1/orders/ORD-1002`], 'the lookup went to the proxy');
  // The third question searches the help articles (bundled help.json) before answering.
  assert.equal(upstream.requests.length, 5);
  assert.ok(upstream.requests.every((r) => r.authorization === 'Bearer e2e-server-key'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the proxy shuts down cleanly on SIGTERM', async () => {
  const exited = new Promise((resolve) => proxy.on('exit', (code, signal) => resolve({ code, signal })));
  proxy.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
});
