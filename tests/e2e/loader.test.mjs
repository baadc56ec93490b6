// loader.js: the launcher appears at once, nothing else of the widget is fetched until the
// customer reaches for it, and the real launcher takes the placeholder's place without a jump.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser();

const widgetFiles = (urls) => urls.filter((u) => /support-widget(_bg)?\.(js|wasm)$/.test(new URL(u).pathname));

async function page(options = {}) {
  const context = await env.browser.newContext({ reducedMotion: 'reduce', ...options });
  const p = await context.newPage();
  const requested = [];
  p.on('request', (r) => requested.push(r.url()));
  return { context, p, requested };
}

const launcherLook = (p) => p.evaluate(() => {
  const el = document.querySelector('support-widget').shadowRoot.querySelector('[data-testid=launcher]');
  const s = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return { box: [box.x, box.y, box.width, box.height], background: s.backgroundColor, radius: s.borderRadius, shadow: s.boxShadow, label: el.getAttribute('aria-label') };
});

test('no widget code is fetched before the customer reaches for it', async () => {
  const { context, p, requested } = await page();
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.getByTestId('launcher').waitFor();
  await p.waitForTimeout(800);
  assert.deepEqual(widgetFiles(requested), []);
  assert.ok(requested.some((u) => u.endsWith('/loader.js')));
  const placeholder = await launcherLook(p);

  // Hovering starts the download but opens nothing.
  await p.getByTestId('launcher').hover();
  await p.waitForFunction(() => document.querySelector('support-widget').shadowRoot.querySelector('.sw-panel'));
  assert.equal(widgetFiles(requested).length, 2);
  // Both by this build's id: a cache never pairs one build's glue with another's wasm.
  const builds = widgetFiles(requested).map((u) => new URL(u).searchParams.get('v'));
  assert.match(builds[0], /^[0-9a-f]{16}$/);
  assert.equal(builds[1], builds[0]);
  assert.equal(await p.getByTestId('panel').isHidden(), true);
  await p.mouse.move(0, 0);
  assert.deepEqual(await launcherLook(p), placeholder, 'the real launcher looks and sits exactly like the placeholder');

  await p.getByTestId('launcher').click();
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  await context.close();
});

test('a click before anything loaded opens the panel with the composer focused', async () => {
  const { context, p } = await page();
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.evaluate(() => document.querySelector('support-widget').shadowRoot.querySelector('[data-testid=launcher]').click());
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  await p.waitForFunction(() => document.querySelector('support-widget').shadowRoot.activeElement?.dataset.testid === 'composer');
  await context.close();
});

test('with data-preload="idle" the widget loads while the browser is idle', async () => {
  const { context, p, requested } = await page();
  await editedPage(p, (html) => html.replace('src="loader.js"', 'src="loader.js" data-preload="idle"'));
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.waitForFunction(() => document.querySelector('support-widget')?.shadowRoot.querySelector('.sw-panel'));
  assert.equal(widgetFiles(requested).length, 2);
  // Both by this build's id: a cache never pairs one build's glue with another's wasm.
  const builds = widgetFiles(requested).map((u) => new URL(u).searchParams.get('v'));
  assert.match(builds[0], /^[0-9a-f]{16}$/);
  assert.equal(builds[1], builds[0]);
  assert.equal(await p.getByTestId('panel').isHidden(), true);
  await context.close();
});

test('the placeholder speaks the page language', async () => {
  const { context, p } = await page({ locale: 'de-DE' });
  await p.goto(`${env.server.url}/`);
  assert.equal((await launcherLook(p)).label, 'Chat öffnen');
  await context.close();
});

const tables = (urls) => urls.filter((u) => new URL(u).pathname.includes('/locales/'));

test("only the customer's language table is fetched, once, with the widget", async () => {
  const english = await page({ locale: 'en-GB' });
  await english.p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await english.p.getByTestId('launcher').click();
  await english.p.getByTestId('composer').waitFor({ state: 'visible' });
  assert.deepEqual(tables(english.requested), [], 'English is built in');
  await english.context.close();

  const german = await page({ locale: 'de-DE' });
  await german.p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await german.p.getByTestId('launcher').hover();
  await german.p.getByTestId('launcher').focus();
  await german.p.getByTestId('launcher').click();
  await german.p.getByTestId('composer').waitFor({ state: 'visible' });
  const fetched = tables(german.requested);
  assert.equal(fetched.length, 1, fetched.join(' '));
  assert.equal(new URL(fetched[0]).pathname, '/locales/de.json');
  const build = new URL(widgetFiles(german.requested)[0]).searchParams.get('v');
  assert.equal(new URL(fetched[0]).searchParams.get('v'), build);
  assert.equal(await german.p.getByTestId('send').getAttribute('aria-label'), 'Senden');
  await german.context.close();
});

test('without its language table the widget speaks English', async () => {
  const missing = (route) => route.fulfill({ status: 404, body: 'gone' });
  const stalled = () => {}; // never answered
  for (const [name, answer] of [['missing', missing], ['stalled', stalled]]) {
    const { context, p } = await page({ locale: 'fr-FR' });
    await p.route(/\/locales\//, answer);
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
    const clicked = Date.now();
    await p.getByTestId('launcher').click();
    await p.getByTestId('composer').waitFor({ state: 'visible', timeout: 8000 });
    assert.ok(Date.now() - clicked < 6000, `${name}: the widget waited ${Date.now() - clicked} ms`);
    assert.equal(await p.getByTestId('send').getAttribute('aria-label'), 'Send', name);
    assert.deepEqual(errors, [], name);
    await context.close();
  }
});

/** Serves the demo page with `edit` applied to its HTML. */
async function editedPage(p, edit) {
  await p.route(/\/(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: edit(await response.text()) });
  });
}

const inShadow = (p, fn, arg) => p.evaluate(([source, a]) => {
  const root = document.querySelector('support-widget[data-sw-loader]').shadowRoot;
  return new Function('root', 'arg', `return (${source})(root, arg);`)(root, a);
}, [fn.toString(), arg]);

test('regression: reset() with an invalid configuration reports an error instead of hanging', async () => {
  const { context, p } = await page();
  await editedPage(p, (html) => html.replace('src="loader.js"', 'src="loader.js" data-position="top"'));
  await p.goto(`${env.server.url}/`);
  await p.evaluate(() => {
    window.__errors = [];
    window.SupportWidget.on('error', (d) => window.__errors.push(d));
    window.SupportWidget.reset();
  });
  await p.waitForFunction(() => window.__errors.length > 0, null, { timeout: 10000 });
  assert.match((await p.evaluate(() => window.__errors[0])).detail, /position/);
  assert.equal(await p.evaluate(() => 1 + 1), 2, 'the page still answers');
  await context.close();
});

test('regression: calls made before loading keep working, and toggle() toggles', async () => {
  const { context, p } = await page();
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.evaluate(() => {
    window.__open = window.SupportWidget.open;
    window.SupportWidget.toggle();
    window.SupportWidget.toggle();
  });
  await p.waitForFunction(() => document.querySelector('support-widget').shadowRoot.querySelector('.sw-panel'));
  assert.equal(await p.getByTestId('panel').isHidden(), true, 'open then closed again');
  await p.evaluate(() => window.__open());
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  await p.evaluate(() => window.SupportWidget.close());
  assert.equal(await p.getByTestId('panel').isHidden(), true);
  await context.close();
});

test('regression: a failed download leaves a launcher that works on the next click', async () => {
  const { context, p } = await page();
  let failures = 1;
  await p.route(/support-widget\.js/, (route) => (failures-- > 0 ? route.abort() : route.continue()));
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.evaluate(() => {
    window.__errors = [];
    window.SupportWidget.on('error', (d) => window.__errors.push(d));
  });
  await p.getByTestId('launcher').click();
  await p.waitForFunction(() => window.__errors.length === 1);
  assert.equal(await p.getByTestId('launcher').getAttribute('aria-expanded'), 'false');
  await p.getByTestId('launcher').click();
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  await context.close();
});

test('regression: keyboard focus moves from the placeholder to the real launcher', async () => {
  const { context, p } = await page();
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await inShadow(p, (root) => root.querySelector('[data-testid=launcher]').focus());
  await p.waitForFunction(() => !document.querySelector('support-widget').shadowRoot.querySelector('[data-sw-placeholder]'));
  assert.equal(await inShadow(p, (root) => root.activeElement?.dataset.testid), 'launcher');
  await p.keyboard.press('Enter');
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  await context.close();
});

test("regression: a page's own <support-widget> element is left alone", async () => {
  const { context, p } = await page();
  await editedPage(p, (html) => html.replace('<main class="store">', '<support-widget id="own">page content</support-widget><main class="store">'));
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.getByTestId('launcher').click();
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  assert.deepEqual(await p.evaluate(() => [document.querySelectorAll('support-widget').length, document.getElementById('own').shadowRoot, document.getElementById('own').textContent]), [2, null, 'page content']);
  await context.close();
});
