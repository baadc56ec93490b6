// Widget benchmark: builds the release bundle (`trunk build --release`; skip with --no-build),
// serves dist/ with the scripted OpenAI-compatible server on 127.0.0.1, drives Debian's
// Chromium, and prints a Markdown table of what the widget costs a store page.
//   node scripts/bench-widget.mjs [--no-build]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

import { start } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
if (!process.argv.includes('--no-build')) {
  const PATH = `${join(ROOT, 'tools/node_modules/.bin')}:${process.env.PATH}`;
  const build = spawnSync('trunk', ['build', '--release'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PATH } });
  if (build.status !== 0) {
    console.error('bench-widget: `trunk build --release` failed');
    process.exit(1);
  }
}
const rows = [];
const row = (what, value) => rows.push(`| ${what} | ${value} |`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// Bytes by file, and the two budgets: what a store page downloads before the chat is
// opened (loader.js only), and what opening it adds.
const brotli = (raw) => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const sizes = {};
for (const file of readdirSync(DIST).filter((f) => /\.(wasm|js)$/.test(f))) {
  const raw = readFileSync(join(DIST, file));
  sizes[file] = brotli(raw);
  row(file, `${kb(raw.length)} raw, ${kb(gzipSync(raw, { level: 9 }).length)} gzip, **${kb(sizes[file])} brotli**`);
}
const before = sizes['loader.js'];
const onOpen = sizes['support-widget.js'] + sizes['support-widget_bg.wasm'];
row('before the chat is opened (budget 6 KB brotli)', `**${kb(before)}** ${before <= 6 * 1024 ? 'within budget' : 'OVER BUDGET'}`);
row('on open: wasm + JS + CSS (budget 90 KB brotli)', `**${kb(onOpen)}** ${onOpen <= 90 * 1024 ? 'within budget' : 'OVER BUDGET'}`);

const server = await start({ dist: DIST, delayMs: 0 });
const browser = await launch();
const url = `${server.url}/?endpoint=${server.url}/v1&orders=bundled`;

async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  return { context, page };
}

// Click to a usable composer: cold (nothing of the widget fetched yet; the click downloads,
// compiles and mounts it), then warm (closed and opened again), in milliseconds and frames.
{
  const { context, page } = await freshPage();
  await page.goto(url);
  await page.getByTestId('launcher').waitFor();
  const clickToComposer = () => page.evaluate(async () => {
    const root = document.querySelector('support-widget').shadowRoot;
    let frames = 0;
    const t0 = performance.now();
    root.querySelector('[data-testid=launcher]').click();
    await new Promise((resolve) => {
      const check = () => {
        const box = root.querySelector('[data-testid=composer]');
        if (box && box.offsetParent !== null && root.activeElement === box) resolve();
        else { frames++; requestAnimationFrame(check); }
      };
      check();
    });
    return { ms: performance.now() - t0, frames };
  });
  const cold = await clickToComposer();
  row('click to a usable, focused composer, cold cache (budget 150 ms)', `${cold.ms.toFixed(0)} ms ${cold.ms <= 150 ? 'within budget' : 'OVER BUDGET'}`);
  await page.evaluate(() => window.SupportWidget.close());
  const warm = await clickToComposer();
  row('click to a usable composer, already loaded (budget one frame)', `${warm.ms.toFixed(1)} ms, ${warm.frames} frame(s) waited`);
  await context.close();
}

// A 2,000-chunk streamed reply at full speed: longest main-thread task, chunks per second, and
// whether finished messages are touched while tokens arrive.
{
  const { context, page } = await freshPage();
  await page.goto(url);
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').fill('hello');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=message][data-role=assistant]').waitFor();
  await page.evaluate(() => {
    window.__tasks = [];
    new PerformanceObserver((list) => window.__tasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    window.__touched = 0;
    const old = document.querySelector('support-widget').shadowRoot.querySelectorAll('[data-testid=message]');
    const observer = new MutationObserver((records) => {
      for (const r of records) if ([...old].some((m) => m.contains(r.target))) window.__touched++;
    });
    observer.observe(document.querySelector('support-widget').shadowRoot, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const t0 = Date.now();
  await page.getByTestId('composer').fill('bench 2000');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=message][data-role=assistant]').nth(1).waitFor({ timeout: 60000 });
  const seconds = (Date.now() - t0) / 1000;
  const { tasks, touched } = await page.evaluate(() => ({ tasks: window.__tasks, touched: window.__touched }));
  row('2,000-chunk streamed reply: chunks per second rendered', `${Math.round(2000 / seconds)}`);
  row('2,000-chunk streamed reply: longest main-thread task', tasks.length ? `${Math.max(...tasks).toFixed(0)} ms (${tasks.length} tasks over 50 ms)` : 'none over 50 ms');
  row('finished messages changed while the reply streamed', `${touched}`);
  await context.close();
}

// Opening with 500 stored messages.
{
  const { context, page } = await freshPage();
  const entries = [];
  for (let n = 0; n < 250; n++) {
    entries.push({ id: `u${n}`, at_ms: Date.now() - 1e6 + n * 2, message: { role: 'user', content: `Question number ${n} about my order?` } });
    entries.push({ id: `a${n}`, at_ms: Date.now() - 1e6 + n * 2 + 1, message: { role: 'assistant', content: `Answer **${n}**: your order is on its way.` } });
  }
  const stored = JSON.stringify({ version: 1, saved_at_ms: Date.now(), entries });
  await page.addInitScript((value) => localStorage.setItem('support-widget.history.v1', value), stored);
  await page.goto(url);
  await page.getByTestId('launcher').waitFor();
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    window.__sw = document.querySelector('support-widget').shadowRoot;
    __sw.querySelector('[data-testid=launcher]').click();
    await new Promise((resolve) => { const wait = () => (__sw.querySelector('.sw-log') ? resolve() : requestAnimationFrame(wait)); wait(); });
    await new Promise((resolve) => {
      const check = () => {
        const log = __sw.querySelector('.sw-log');
        const count = __sw.querySelectorAll('[data-testid=message]').length;
        if (count === 500 && log.scrollHeight - log.scrollTop - log.clientHeight < 2) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    return performance.now() - t0;
  });
  row('opening with 500 stored messages: click to a rendered list scrolled to the end', `${ms.toFixed(0)} ms`);
  await context.close();
}

// Memory after a 200-message conversation (100 turns).
{
  const { context, page } = await freshPage();
  await page.goto(url);
  await page.getByTestId('launcher').click();
  for (let n = 0; n < 100; n++) {
    await page.getByTestId('composer').fill(`question ${n}`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=message][data-role=assistant]').nth(n).waitFor();
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  
  row('JS heap after a 200-message conversation (after GC)', kb(usedSize));
  await context.close();
}

await browser.close();
await server.close();
console.log('| measure | figure |\n|---|---|');
console.log(rows.join('\n'));
