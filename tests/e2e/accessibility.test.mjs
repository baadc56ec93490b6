// WCAG 2.1 AA inside the widget, checked by axe-core in headless Chromium on each of its states
// and themes, and the keyboard on a phone: the full-screen panel is a modal dialog that keeps
// focus inside while the page behind is inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';
import { PHONE, YELLOW, expectClean, fail, newPage as pageOn, open, say } from './widget-page.mjs';

const env = useServerAndBrowser({ delayMs: 0 });
const newPage = (options) => pageOn(env, options);

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
    ['an error', { endpoint: 'http://127.0.0.1:9/v1' }, fail],
    ['Arabic', { locale: 'ar-EG' }],
    ['dark mode', { colorScheme: 'dark' }],
    ['dark mode with a yellow accent', { colorScheme: 'dark', css: YELLOW }],
    ['a 390×760 phone', { viewport: PHONE }],
    ['a yellow accent', { css: YELLOW }],
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

/** Tab and Shift+Tab, a dozen times each, never take focus out of the panel. */
async function assertContained(page, state) {
  const inside = () => page.evaluate(() => {
    const host = document.querySelector('support-widget');
    const active = host.shadowRoot.activeElement;
    return document.activeElement === host && Boolean(active?.closest('[data-testid=panel]'));
  });
  for (const key of [...Array(12).fill('Tab'), ...Array(12).fill('Shift+Tab')]) {
    await page.keyboard.press(key);
    assert.ok(await inside(), `${state}: focus left the panel after ${key}`);
  }
}

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
  await assertContained(page, 'the empty panel');
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

test('on a phone focus stays inside with the confirmation card and the hand-off form open', async () => {
  const page = await newPage({ viewport: PHONE, recentOrder: true });
  await open(page);
  await say(page, 'refund ORD-1004');
  await page.getByTestId('action-card').waitFor({ timeout: 15000 });
  await assertContained(page, 'the confirmation card');
  await page.getByTestId('action-decline').click();
  await page.getByTestId('action-card').waitFor({ state: 'detached' });
  await page.getByTestId('handoff').click();
  await page.getByTestId('handoff-email').waitFor();
  await page.locator('.sw-handoff-preview summary').click();
  await assertContained(page, 'the hand-off form, its preview open');
  await page.context().close();
});

// Regression: a panel restored open on a phone was modal, but focus stayed behind it on the page.
test('on a phone a panel restored open from the previous page takes focus', async () => {
  const page = await newPage({ viewport: PHONE });
  await open(page);
  await page.reload();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('support-widget').shadowRoot.activeElement?.dataset.testid === 'composer');
  assert.ok(await page.evaluate(() => document.querySelector('main').inert));
  await page.context().close();
});

// Regression: only body's own children were made inert, and only those there when it opened.
test('on a phone the page around a wrapped host, and what the page adds later, is inert', async () => {
  const page = await newPage({ viewport: PHONE });
  await page.evaluate(() => {
    const wrap = document.createElement('div');
    wrap.id = 'wrap';
    wrap.innerHTML = '<a id="beside" href="#x">Beside the widget</a>';
    document.body.append(wrap);
    wrap.append(document.querySelector('support-widget'));
  });
  await open(page);
  await page.evaluate(() => {
    const late = document.createElement('button');
    late.id = 'late';
    document.body.append(late);
  });
  const inert = () => page.evaluate(() => ['beside', 'late'].map((id) => document.getElementById(id).inert));
  await page.waitForFunction(() => document.getElementById('late').inert);
  assert.deepEqual(await inert(), [true, true]);
  assert.equal(await page.evaluate(() => document.getElementById('wrap').inert), false, 'the host\'s own wrapper stays live');
  await page.keyboard.press('Escape');
  assert.deepEqual(await inert(), [false, false], 'all given back on close');
  await page.context().close();
});

test('the log scrolls from the keyboard, Escape answers the reset question, messages keep their direction', async () => {
  const page = await newPage({ locale: 'ar-EG' });
  await open(page);
  const dirs = (selector) => page.evaluate((s) => [...document.querySelector('support-widget').shadowRoot.querySelectorAll(s)]
    .map((e) => e.getAttribute('dir')), selector);
  const chips = await dirs('[data-testid=starter]');
  await say(page, "It's ORD-1002", 'currently processing');
  await say(page, 'How long will the refund take?', '5 to 10 business days');
  const log = await page.evaluate(() => {
    const el = document.querySelector('support-widget').shadowRoot.querySelector('.sw-log');
    return { tabindex: el.getAttribute('tabindex'), role: el.getAttribute('role'), label: el.getAttribute('aria-label') };
  });
  assert.deepEqual(log, { tabindex: '0', role: 'region', label: 'المحادثة' });
  const messages = await dirs('.sw-plain, .sw-md');
  assert.ok(messages.length >= 2 && messages.every((d) => d === 'auto'), JSON.stringify(messages));
  // What the store and the articles wrote may be in another script than the page.
  const others = [...chips, ...await dirs('.sw-greeting p'), ...await dirs('[data-testid=source] span[dir]'), ...await dirs('[data-testid=order-card] .sw-order-item')];
  assert.ok(chips.length === 3 && others.length >= 6 && others.every((d) => d === 'auto'), JSON.stringify(others));
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

test('the card, both hand-off forms, the receipt and a cut-off reply pass axe', async () => {
  const page = await newPage({ recentOrder: true });
  await open(page);
  await say(page, 'refund ORD-1004');
  await page.getByTestId('action-card').waitFor({ timeout: 15000 });
  await expectClean(page, 'the confirmation card');
  await page.getByTestId('action-decline').click();
  await page.getByTestId('action-card').waitFor({ state: 'detached' });
  await page.getByTestId('handoff').click();
  await page.getByTestId('handoff-email').fill('not an email');
  await page.getByTestId('handoff-send').click();
  await page.getByTestId('handoff-email-error').waitFor();
  await expectClean(page, "the header's hand-off form with an invalid email");
  await page.locator('.sw-handoff-preview summary').click();
  await expectClean(page, "the header's hand-off form with what is sent shown");
  await page.getByTestId('handoff-email').fill('sam@example.com');
  await page.getByTestId('handoff-send').click();
  await page.getByTestId('handoff-form').waitFor({ state: 'detached', timeout: 15000 });
  await say(page, 'I want to talk to a person');
  await page.getByTestId('handoff-form').waitFor({ timeout: 15000 });
  await expectClean(page, "the model's hand-off form");
  await page.getByTestId('handoff-send').click();
  await page.getByTestId('handoff-receipt').waitFor({ timeout: 15000 });
  await expectClean(page, 'the hand-off receipt');
  await say(page, 'Tell me fault:cut-text');
  await page.getByTestId('error').waitFor({ timeout: 15000 });
  await page.locator('.sw-note').last().waitFor();
  await expectClean(page, 'a cut-off reply, marked Interrupted');
  await page.context().close();
});

test('an order card, a confirmation card and an error pass axe in dark mode and on yellow', async () => {
  for (const [theme, options] of [['dark', { colorScheme: 'dark' }], ['yellow', { css: YELLOW }], ['dark yellow', { colorScheme: 'dark', css: YELLOW }]]) {
    const page = await newPage({ ...options, recentOrder: true });
    await open(page);
    await say(page, "It's ORD-1002", 'currently processing');
    await say(page, 'refund ORD-1004');
    await page.getByTestId('action-card').waitFor({ timeout: 15000 });
    await expectClean(page, `${theme}: an order card and a confirmation card`);
    await page.context().close();
    const failing = await newPage({ ...options, endpoint: 'http://127.0.0.1:9/v1' });
    await open(failing);
    await fail(failing);
    await expectClean(failing, `${theme}: an error`);
    await failing.context().close();
  }
});
