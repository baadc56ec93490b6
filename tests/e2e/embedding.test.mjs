// Embedding on a hostile store page: the widget renders inside its own shadow root, so the
// page's CSS (even `* { all: unset !important }`) cannot change it and its CSS cannot leak out;
// theming goes through custom properties and ::part().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { useServerAndBrowser } from './browser.mjs';
import { addPageCss } from './widget-page.mjs';

const env = useServerAndBrowser();

const HOSTILE = `
  * { all: unset !important; font-family: "Comic Sans MS", cursive !important; color: red !important;
      letter-spacing: 6px !important; line-height: 3 !important; box-sizing: content-box !important; }
  html, body { font-size: 40px !important; direction: rtl !important; text-transform: uppercase !important; }
  button, div, section, textarea, [data-testid] { display: none !important; transform: rotate(4deg) !important; }
  support-widget { display: none !important; transform: scale(0.5) !important; filter: blur(3px) !important; }
  .sw-launcher, .sw-panel, #sw-panel { display: none !important; background: lime !important; }
`;

/** Computed styles of the widget's parts, read through its shadow root. */
async function widgetStyles(page) {
  return page.evaluate(() => {
    const root = document.querySelector('support-widget').shadowRoot;
    const pick = (selector, props) => {
      const el = root.querySelector(selector);
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return { ...Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)])), width: Math.round(box.width), height: Math.round(box.height), x: Math.round(box.x), y: Math.round(box.y) };
    };
    const common = ['display', 'color', 'background-color', 'font-family', 'font-size', 'letter-spacing', 'line-height', 'border-radius', 'transform', 'direction', 'text-transform', 'box-sizing'];
    return {
      launcher: pick('[data-testid=launcher]', common),
      panel: pick('[data-testid=panel]', common),
      title: pick('.sw-title', common),
      composer: pick('[data-testid=composer]', common),
      greeting: pick('.sw-greeting', common),
    };
  });
}

async function openWidget(page, css) {
  if (css) await addPageCss(page, css);
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
}

test('hostile page CSS does not change the widget', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 800 }, reducedMotion: 'reduce' });
  const clean = await context.newPage();
  await openWidget(clean);
  const expected = await widgetStyles(clean);

  const hostile = await context.newPage();
  await openWidget(hostile, HOSTILE);
  assert.equal(await hostile.evaluate(() => getComputedStyle(document.querySelector('h1')).color), 'rgb(255, 0, 0)', 'the hostile CSS is in force on the page');
  assert.deepEqual(await widgetStyles(hostile), expected);
  await hostile.screenshot({ path: join(import.meta.dirname, 'screenshots', 'hostile.png') });
  await context.close();
});

test("the widget's CSS does not leak into the page", async () => {
  const context = await env.browser.newContext();
  const without = await context.newPage();
  await without.route(/\.wasm$/, (route) => route.abort());
  await without.goto(`${env.server.url}/`);
  const storeStyles = (page) => page.evaluate(() => [...document.querySelectorAll('h1, h2, p, .price, button, body')]
    .map((el) => { const s = getComputedStyle(el); return [el.tagName, s.color, s.fontFamily, s.fontSize, s.margin, s.boxSizing].join('|'); }));
  const before = await storeStyles(without);
  const withWidget = await context.newPage();
  await withWidget.goto(`${env.server.url}/`);
  await withWidget.getByTestId('launcher').waitFor();
  assert.deepEqual(await storeStyles(withWidget), before);
  await context.close();
});

test('the store themes the widget with custom properties and ::part()', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await openWidget(page, `
    support-widget { --support-widget-accent: rgb(200, 0, 100); --support-widget-radius: 4px; --support-widget-font: Georgia, serif; }
    support-widget::part(launcher) { border-radius: 12px; }
  `);
  const themed = await widgetStyles(page);
  assert.equal(themed.launcher['background-color'], 'rgb(200, 0, 100)');
  assert.equal(themed.launcher['border-radius'], '12px');
  assert.equal(themed.panel['border-radius'], '4px');
  assert.match(themed.title['font-family'], /Georgia/);
  await context.close();
});

test('the widget speaks the browser language, and Arabic is laid out right to left', async () => {
  const cases = [
    ['de-DE', 'Hallo! Wie kann ich Ihnen heute helfen?', 'ltr'],
    ['fr-FR', "Bonjour ! Comment puis-je vous aider aujourd'hui ?", 'ltr'],
    ['es-ES', '¡Hola! ¿En qué puedo ayudarte hoy?', 'ltr'],
    ['ar-EG', 'مرحبًا! كيف يمكنني مساعدتك اليوم؟', 'rtl'],
    ['ja-JP', 'Hello! How can I help you today?', 'ltr'],
  ];
  for (const [locale, greeting, dir] of cases) {
    const context = await env.browser.newContext({ locale, viewport: { width: 1200, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await openWidget(page);
    const seen = await page.evaluate(() => {
      const root = document.querySelector('support-widget').shadowRoot;
      const widget = root.querySelector('.sw-root');
      const launcher = root.querySelector('[data-testid=launcher]').getBoundingClientRect();
      return { dir: getComputedStyle(widget).direction, lang: widget.lang, greeting: root.querySelector('.sw-greeting').textContent, launcherX: launcher.x };
    });
    assert.equal(seen.greeting, greeting, locale);
    assert.equal(seen.dir, dir, locale);
    assert.equal(seen.launcherX < 600, dir === 'rtl', `${locale}: the launcher sits in the ${dir === 'rtl' ? 'left' : 'right'} corner`);
    if (dir === 'rtl') await page.screenshot({ path: join(import.meta.dirname, 'screenshots', 'arabic.png') });
    await context.close();
  }
});

test("a page whose Content Security Policy forbids inline styles still gets a styled widget", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 800 }, reducedMotion: 'reduce' });
  const clean = await context.newPage();
  await openWidget(clean);
  const expected = await widgetStyles(clean);

  const strict = await context.newPage();
  const policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";
  await strict.route(`${env.server.url}/strict.html`, (route) => route.fulfill({
    contentType: 'text/html',
    headers: { 'content-security-policy': policy },
    body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict shop</title></head>'
      + '<body><h1>Strict shop</h1><script type="module" src="/loader.js" data-endpoint="/v1" data-orders="bundled"></script></body></html>',
  }));
  await strict.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await strict.goto(`${env.server.url}/strict.html`);
  const placeholder = await strict.evaluate(() => {
    const launcher = document.querySelector('support-widget').shadowRoot.querySelector('[data-testid=launcher]');
    return getComputedStyle(launcher).backgroundColor;
  });
  assert.equal(placeholder, expected.launcher['background-color'], 'the placeholder launcher is styled');
  await strict.getByTestId('launcher').click();
  await strict.getByTestId('composer').waitFor({ state: 'visible' });
  assert.deepEqual(await widgetStyles(strict), expected);
  await strict.getByTestId('composer').fill('Where is ORD-1002?');
  await strict.keyboard.press('Enter');
  await strict.getByTestId('order-card').waitFor();
  assert.deepEqual(await strict.evaluate(() => window.__violations), []);
  await context.close();
});
