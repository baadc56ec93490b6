// WCAG 2.1 AA inside the widget, checked by axe-core in headless Chromium on each of its states
// and themes, and the keyboard on a phone: the full-screen panel is a modal dialog that keeps
// focus inside while the page behind is inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser({ delayMs: 0 });
const AXE = createRequire(import.meta.url)('axe-core').source;
const PHONE = { width: 390, height: 760 };

/** axe's WCAG 2.1 A and AA violations whose nodes are inside the widget. */
async function violations(page) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => n.target).filter((t) => JSON.stringify(t).includes('support-widget')),
      summary: v.nodes.map((n) => n.failureSummary).join(' | '),
    }));
  });
  return found.filter((v) => v.nodes.length > 0);
}

async function newPage({ viewport = { width: 1100, height: 800 }, colorScheme = 'light', locale = 'en-US', css, endpoint } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme, locale, reducedMotion: 'reduce' });
  const page = await context.newPage();
  if (css) {
    await page.addInitScript((text) => {
      document.addEventListener('DOMContentLoaded', () => {
        const style = document.createElement('style');
        style.textContent = text;
        document.head.append(style);
      });
    }, css);
  }
  const target = endpoint ?? `${env.server.url}/v1`;
  await page.goto(`${env.server.url}/?endpoint=${target}&orders=bundled`);
  await page.getByTestId('launcher').waitFor();
  return page;
}

async function open(page) {
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
}

async function say(page, text, reply) {
  await page.getByTestId('composer').fill(text);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=message][data-role=assistant]', { hasText: reply }).waitFor({ timeout: 15000 });
}

async function expectClean(page, state) {
  const found = await violations(page);
  assert.deepEqual(found, [], `${state}: ${JSON.stringify(found, null, 1)}`);
}

test('every state of the widget passes axe (WCAG 2.1 AA)', async () => {
  const page = await newPage();
  await expectClean(page, 'closed, not loaded');
  await open(page);
  assert.equal(await page.getByTestId('starter').count(), 3, 'the starter chips are shown');
  await expectClean(page, 'open and empty, with the starter chips');
  await say(page, "It's ORD-1002", 'The refund is currently processing');
  await page.getByTestId('order-card').waitFor();
  await expectClean(page, 'a conversation with an order card');
  await say(page, 'How long will the refund take?', '5 to 10 business days');
  await page.getByTestId('source').first().waitFor();
  await expectClean(page, 'an answer from the help articles, with its sources and rating buttons');
  await page.getByTestId('rate-up').last().click();
  await page.getByTestId('rate-down').last().click();
  await expectClean(page, 'a rating changed once, now fixed');
  await page.getByTestId('reset').click();
  await page.getByTestId('reset-confirm').waitFor();
  await expectClean(page, 'the reset question');
  await page.getByTestId('close').click();
  await expectClean(page, 'closed, loaded');
  await page.context().close();
});

test('an error, Arabic, dark mode, a phone and a yellow brand colour pass axe too', async () => {
  const cases = [
    ['an error', { endpoint: 'http://127.0.0.1:9/v1' }, async (page) => {
      await page.getByTestId('composer').fill('hello');
      await page.keyboard.press('Enter');
      await page.getByTestId('error').waitFor({ timeout: 15000 });
    }],
    ['Arabic', { locale: 'ar-EG' }],
    ['dark mode', { colorScheme: 'dark' }],
    ['dark mode with a yellow accent', { colorScheme: 'dark', css: 'support-widget { --support-widget-accent: #ffcc00; }' }],
    ['a 390×760 phone', { viewport: PHONE }],
    ['a yellow accent', { css: 'support-widget { --support-widget-accent: #ffcc00; }' }],
  ];
  for (const [state, options, then] of cases) {
    const page = await newPage(options);
    await open(page);
    if (then) await then(page);
    else {
      await say(page, 'I want a refund, see https://example.com/returns', 'provide your order ID');
      await say(page, 'How long will the refund take?', '5 to 10 business days');
      await page.getByTestId('rate-up').last().click();
    }
    await expectClean(page, state);
    await page.context().close();
  }
});

test('the text on a brand colour is chosen for contrast unless the page sets it', async () => {
  const colours = async (css) => {
    const page = await newPage({ css });
    await open(page);
    await say(page, 'I want a refund', 'provide your order ID');
    const seen = await page.evaluate(() => {
      const root = document.querySelector('support-widget').shadowRoot;
      const style = (selector) => getComputedStyle(root.querySelector(selector));
      return { title: style('.sw-title').color, user: style('.sw-user').color, send: style('.sw-send').color };
    });
    await page.context().close();
    return seen;
  };
  const dark = 'rgb(17, 17, 17)';
  assert.deepEqual(await colours('support-widget { --support-widget-accent: #ffcc00; }'), { title: dark, user: dark, send: dark });
  const white = 'rgb(255, 255, 255)';
  assert.deepEqual(await colours('support-widget { --support-widget-accent: #0b1f4d; }'), { title: white, user: white, send: white });
  const chosen = 'rgb(0, 0, 255)';
  assert.deepEqual(
    await colours('support-widget { --support-widget-accent: #ffcc00; --support-widget-accent-text: #0000ff; }'),
    { title: chosen, user: chosen, send: chosen },
  );
});

test('on a phone the open panel is modal: focus stays inside and the page behind is inert', async () => {
  const page = await newPage({ viewport: PHONE });
  await page.keyboard.press('Tab');
  let tabs = 0;
  while (!(await page.evaluate(() => document.activeElement?.tagName === 'SUPPORT-WIDGET')) && tabs++ < 10) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  const panel = page.getByTestId('panel');
  assert.equal(await panel.getAttribute('aria-modal'), 'true');
  const inside = () => page.evaluate(() => {
    const host = document.querySelector('support-widget');
    const active = host.shadowRoot.activeElement;
    return document.activeElement === host && Boolean(active?.closest('[data-testid=panel]'));
  });
  for (const key of [...Array(12).fill('Tab'), ...Array(12).fill('Shift+Tab')]) {
    await page.keyboard.press(key);
    assert.ok(await inside(), `focus left the panel after ${key}`);
  }
  assert.ok(await page.evaluate(() => document.querySelector('main').inert), 'the page behind is inert');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.querySelector('main').inert), false, 'and is given back on close');
  assert.equal(await panel.getAttribute('aria-modal'), null);
  await page.context().close();

  // On a larger screen the panel stays non-modal.
  const wide = await newPage();
  await open(wide);
  assert.equal(await wide.getByTestId('panel').getAttribute('aria-modal'), null);
  assert.equal(await wide.evaluate(() => document.querySelector('main').inert), false);
  await wide.context().close();
});

test('the log scrolls from the keyboard, Escape answers the reset question, messages keep their direction', async () => {
  const page = await newPage({ locale: 'ar-EG' });
  await open(page);
  await say(page, 'I want a refund', 'provide your order ID');
  const log = await page.evaluate(() => {
    const root = document.querySelector('support-widget').shadowRoot;
    return {
      tabindex: root.querySelector('.sw-log').getAttribute('tabindex'),
      dirs: [...root.querySelectorAll('.sw-plain, .sw-md')].map((e) => e.getAttribute('dir')),
    };
  });
  assert.equal(log.tabindex, '0');
  assert.ok(log.dirs.length >= 2 && log.dirs.every((d) => d === 'auto'), JSON.stringify(log.dirs));
  await page.getByTestId('reset').click();
  const question = page.locator('[role=alertdialog]');
  await question.waitFor();
  const described = await question.getAttribute('aria-describedby');
  assert.ok(described && (await page.locator(`#${described}`).innerText()).length > 0, 'the question has a description');
  await page.keyboard.press('Escape');
  await question.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('panel').isVisible(), true, 'Escape closed the question, not the panel');
  await page.context().close();
});
