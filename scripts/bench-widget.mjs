// Widget benchmark: builds the release bundle (`trunk build --release --locked`; skip with
// --no-build), serves dist/ with the scripted OpenAI-compatible server on 127.0.0.1, drives
// Debian's Chromium, and prints Markdown tables of what the widget costs a store page: sizes,
// opening the chat unthrottled and on an emulated slow phone, a long streamed reply, a long
// stored history, memory, and the wasm by crate (twiggy; skip with --no-breakdown).
//   node scripts/bench-widget.mjs [--no-build] [--no-breakdown] [--runs N]
// It relies only on the file names of dist/ and on the widget's data-testid attributes.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

import { start } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';
import { breakdown, table as crateTable } from './wasm-breakdown.mjs';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RUNS = option('--runs', 3);
const began = Date.now();
if (!process.argv.includes('--no-build')) {
  // Trunk's wasm-opt step runs npm's binaryen from tools/ (Debian's mis-optimises the externref table).
  const PATH = `${join(ROOT, 'tools/node_modules/.bin')}:${process.env.PATH}`;
  const build = spawnSync('trunk', ['build', '--release', '--locked'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PATH } });
  if (build.status !== 0) {
    console.error('bench-widget: `trunk build --release --locked` failed');
    process.exit(1);
  }
}
const rows = [];
const row = (what, value) => rows.push(`| ${what} | ${value} |`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const verdict = (ok) => (ok ? 'within target' : 'OVER TARGET');

// Bytes by file, and the two budgets: what a store page downloads before the chat is
// opened (loader.js only), and what opening it adds (the widget's CSS is inside the wasm).
const brotli = (raw) => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const sizes = {};
for (const file of readdirSync(DIST).filter((f) => /\.(wasm|js)$/.test(f)).sort()) {
  const raw = readFileSync(join(DIST, file));
  sizes[file] = brotli(raw);
  row(file, `${kb(raw.length)} raw, ${kb(gzipSync(raw, { level: 9 }).length)} gzip, **${kb(sizes[file])} brotli**`);
}
const before = sizes['loader.js'];
const onOpen = sizes['support-widget.js'] + sizes['support-widget_bg.wasm'];
row('before the chat is opened: loader.js (budget 4 KB brotli)', `**${kb(before)}** ${before <= 4 * 1024 ? 'within budget' : 'OVER BUDGET'}`);
row('on open: wasm + JS + CSS (target 150 KB brotli)', `**${kb(onOpen)}** ${verdict(onOpen <= 150 * 1024)}`);

// The files go out brotli-compressed, as a store's CDN would send them: the budgets are brotli.
const server = await start({ dist: DIST, delayMs: 0, brotli: true });
const browser = await launch();
const url = `${server.url}/?endpoint=${server.url}/v1&orders=bundled`;

// A slow phone, as Lighthouse's mobile preset has it: 150 ms round trip, 1.6 Mbps down,
// 750 kbps up, a CPU four times slower.
const SLOW_MOBILE = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

/** A page in a fresh context (an empty cache), throttled like a slow phone if `slow`. */
async function freshPage({ slow = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  if (slow) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_MOBILE);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  return { context, page };
}

// From a click on the launcher to a usable composer: the composer textarea is in the shadow
// root, shown, enabled and focused. In milliseconds, and frames waited.
const clickToComposer = (page) => page.evaluate(async () => {
  const root = document.querySelector('support-widget').shadowRoot;
  let frames = 0;
  const t0 = performance.now();
  root.querySelector('[data-testid=launcher]').click();
  await new Promise((resolve) => {
    const check = () => {
      const box = root.querySelector('[data-testid=composer]');
      if (box && !box.disabled && box.offsetParent !== null && root.activeElement === box) resolve();
      else { frames++; requestAnimationFrame(check); }
    };
    check();
  });
  return { ms: performance.now() - t0, frames };
});

/** One opening of the chat: cold (hovered 300 ms first if `hover`), then warm. */
async function openOnce({ slow, hover }) {
  const { context, page } = await freshPage({ slow });
  await page.goto(url);
  await page.getByTestId('launcher').waitFor();
  if (hover) {
    await page.getByTestId('launcher').hover();
    await page.waitForTimeout(300);
  }
  const cold = await clickToComposer(page);
  await page.evaluate(() => window.SupportWidget.close());
  await page.mouse.move(0, 0);
  const warm = await clickToComposer(page);
  await context.close();
  return { cold, warm };
}

/** The median of `runs` openings, with the range. */
async function opening(options) {
  const runs = [];
  for (let n = 0; n < RUNS; n++) runs.push(await openOnce(options));
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const cold = runs.map((r) => r.cold.ms);
  return {
    cold: median([...cold]),
    range: [Math.min(...cold), Math.max(...cold)],
    warm: median(runs.map((r) => r.warm.ms)),
    warmFrames: Math.max(...runs.map((r) => r.warm.frames)),
  };
}

const fast = { click: await opening({ slow: false, hover: false }), hover: await opening({ slow: false, hover: true }) };
const slow = { click: await opening({ slow: true, hover: false }), hover: await opening({ slow: true, hover: true }) };
const ms = (m) => (m >= 1000 ? `${(m / 1000).toFixed(2)} s` : `${m.toFixed(0)} ms`);
const cell = (o, target) => `${ms(o.cold)} (${ms(o.range[0])}–${ms(o.range[1])})${target ? ` ${verdict(o.cold <= target)}` : ''}`;
const openRows = [
  `| opening the chat: to a usable, focused composer (median of ${RUNS}, range) | unthrottled | slow mobile: 150 ms RTT, 1.6 Mbps down, 750 kbps up, 4× CPU |`,
  '|---|---|---|',
  `| click, cold cache (targets 150 ms; 1.8 s) | ${cell(fast.click, 150)} | ${cell(slow.click, 1800)} |`,
  `| hover 300 ms, then click, cold cache (target 1.0 s slow) | ${cell(fast.hover)} | ${cell(slow.hover, 1000)} |`,
  `| click, already loaded (target one frame) | ${ms(fast.click.warm)}, ${fast.click.warmFrames} frame(s) waited ${verdict(fast.click.warmFrames <= 1)} | ${ms(slow.click.warm)}, ${slow.click.warmFrames} frame(s) waited |`,
];

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
  const rate = Math.round(2000 / seconds);
  row('2,000-chunk streamed reply: chunks per second rendered (target 5,000)', `${rate} ${verdict(rate >= 5000)}`);
  row('2,000-chunk streamed reply: longest main-thread task (target none over 50 ms)', tasks.length ? `${Math.max(...tasks).toFixed(0)} ms (${tasks.length} tasks over 50 ms) OVER TARGET` : 'none over 50 ms');
  row('finished messages changed while the reply streamed (target 0)', `${touched}`);
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
  const elapsed = await page.evaluate(async () => {
    const root = document.querySelector('support-widget').shadowRoot;
    // The list's scrolling element: the nearest ancestor of a message that scrolls.
    const scroller = (el) => {
      for (let n = el.parentElement; n; n = n.parentElement) if (/auto|scroll/.test(getComputedStyle(n).overflowY)) return n;
      return null;
    };
    const t0 = performance.now();
    root.querySelector('[data-testid=launcher]').click();
    await new Promise((resolve) => {
      const check = () => {
        const messages = root.querySelectorAll('[data-testid=message]');
        const list = messages.length === 500 && scroller(messages[499]);
        if (list && list.scrollHeight - list.scrollTop - list.clientHeight < 2) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    return performance.now() - t0;
  });
  row('opening with 500 stored messages: click to a rendered list scrolled to the end', `${elapsed.toFixed(0)} ms`);
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
console.log(`\n${openRows.join('\n')}`);
if (!process.argv.includes('--no-breakdown')) console.log(`\n${crateTable(breakdown(DIST))}`);
console.error(`bench-widget: ${((Date.now() - began) / 1000).toFixed(0)} s`);
