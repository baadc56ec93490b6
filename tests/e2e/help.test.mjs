// Around the help articles, in headless Chromium against the scripted server: the starter
// chips from the keyboard, and the rating buttons under a reply with the page's `feedback`
// event, changeable once.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser({ delayMs: 0 });

async function openPage() {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await page.waitForFunction(() => window.SupportWidget);
  await page.evaluate(() => {
    window.__feedback = [];
    window.SupportWidget.on('feedback', (detail) => window.__feedback.push(detail));
  });
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  return { page, errors };
}

const focused = (page) => page.evaluate(() => {
  const active = document.activeElement?.shadowRoot?.activeElement;
  return { testid: active?.dataset.testid ?? null, text: active?.textContent ?? '' };
});

const assistant = (page) => page.locator('[data-testid=message][data-role=assistant]');

test('a starter chip is reached from the keyboard and sends its question', async () => {
  const { page, errors } = await openPage();
  const chips = page.getByTestId('starter');
  assert.deepEqual(await chips.allInnerTexts(), ['Where is my order?', 'Start a return', 'How long do refunds take?']);
  // The chips come just before the message box.
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), { testid: 'starter', text: 'How long do refunds take?' });
  await page.keyboard.press('Enter');
  await assistant(page).filter({ hasText: '5 to 10 business days' }).waitFor({ timeout: 15000 });
  assert.deepEqual(await page.locator('[data-testid=message][data-role=user] .sw-plain').allInnerTexts(), ['How long do refunds take?']);
  assert.equal(await page.getByTestId('starters').count(), 0, 'the chips leave once the conversation starts');
  assert.equal((await focused(page)).testid, 'composer', 'the keyboard goes on in the message box');
  const sent = env.server.requests.at(-2).body.messages.at(-1);
  assert.equal(sent.role, 'user');
  assert.equal(sent.content, 'How long do refunds take?');
  assert.match(await assistant(page).last().getByTestId('source').first().innerText(), /When will I get my refund\?/);
  // A new conversation offers them again.
  await page.evaluate(() => window.SupportWidget.reset());
  await chips.first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a reply is rated up or down from the keyboard, the page is told, and it may change once', async () => {
  const { page, errors } = await openPage();
  await page.getByTestId('composer').fill('I want a refund for my keyboard');
  await page.keyboard.press('Enter');
  const reply = assistant(page).filter({ hasText: 'provide your order ID' });
  await reply.waitFor({ timeout: 15000 });
  const text = 'I can help with that. Could you please provide your order ID?';
  const up = page.getByTestId('rate-up');
  const down = page.getByTestId('rate-down');
  assert.equal(await up.count(), 1, 'one pair of buttons per finished reply');
  assert.equal(await page.getByTestId('feedback').getAttribute('role'), 'group');
  assert.equal(await page.getByTestId('feedback').getAttribute('aria-label'), 'Was this answer helpful?');
  assert.deepEqual([await up.getAttribute('aria-pressed'), await down.getAttribute('aria-pressed')], ['false', 'false']);
  assert.equal(await up.getAttribute('aria-label'), 'Helpful');

  await up.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__feedback.length === 1);
  assert.deepEqual([await up.getAttribute('aria-pressed'), await down.getAttribute('aria-pressed')], ['true', 'false']);
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).testid, 'rate-down');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.__feedback.length === 2);
  assert.deepEqual([await up.getAttribute('aria-pressed'), await down.getAttribute('aria-pressed')], ['false', 'true']);
  // Changed once: it stays as it is now, and says so.
  assert.equal(await up.getAttribute('aria-disabled'), 'true');
  // (Playwright does not click what says it is disabled; a customer still can.)
  await up.dispatchEvent('click');
  await page.waitForTimeout(200);
  assert.deepEqual([await up.getAttribute('aria-pressed'), await down.getAttribute('aria-pressed')], ['false', 'true']);
  assert.deepEqual(await page.evaluate(() => window.__feedback), [{ rating: 'up', text }, { rating: 'down', text }]);
  assert.deepEqual(errors, []);
  await page.close();
});
