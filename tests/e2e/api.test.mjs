// The store page's side: window.SupportWidget, the events on <support-widget>, the unread
// badge, and a panel that reopens after navigating to the next page.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser({ delayMs: 40 });

async function listen(page) {
  await page.waitForFunction(() => window.SupportWidget);
  await page.evaluate(() => {
    window.__events = [];
    for (const name of ['open', 'close', 'message', 'error', 'unread']) {
      window.SupportWidget.on(name, (detail) => window.__events.push([name, detail]));
    }
  });
}

const events = (page) => page.evaluate(() => window.__events);

test('the API opens and closes the panel, and events and the unread badge follow', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await listen(page);

  await page.evaluate(() => window.SupportWidget.open());
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  await page.getByTestId('composer').fill('I want a refund for my keyboard');
  await page.keyboard.press('Enter');
  await page.evaluate(() => window.SupportWidget.close());
  assert.equal(await page.getByTestId('panel').isHidden(), true);

  // The reply arrives while the panel is closed: a badge, and an event.
  await page.getByTestId('unread').waitFor({ timeout: 10000 });
  assert.equal(await page.getByTestId('unread').innerText(), '1');
  assert.match(await page.getByTestId('launcher').getAttribute('aria-label'), /1 unread/);
  const seen = await events(page);
  assert.deepEqual(seen.slice(0, 2), [['open', {}], ['message', { role: 'user', text: 'I want a refund for my keyboard' }]]);
  assert.deepEqual(seen.find(([name]) => name === 'close'), ['close', {}]);
  assert.deepEqual(seen.find(([name]) => name === 'unread'), ['unread', { count: 1 }]);
  const reply = seen.find(([name, d]) => name === 'message' && d.role === 'assistant');
  assert.match(reply[1].text, /order ID/);

  await page.evaluate(() => window.SupportWidget.toggle());
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('unread').count(), 0, 'opening clears the badge');
  assert.deepEqual((await events(page)).at(-1), ['unread', { count: 0 }]);
  // Closed again, the replies already read stay read.
  await page.evaluate(() => window.SupportWidget.close());
  await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  assert.equal(await page.getByTestId('unread').count(), 0, 'a read reply is not unread again');
  await page.evaluate(() => window.SupportWidget.open());
  await page.getByTestId('composer').waitFor({ state: 'visible' });

  // The panel was open: on the next page it opens again, with the conversation.
  await page.reload();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('message').count(), 2);

  // reset() clears without asking; on() returns a function that unsubscribes.
  await listen(page);
  await page.evaluate(() => {
    window.__opens = 0;
    const off = window.SupportWidget.on('open', () => window.__opens++);
    off();
    window.SupportWidget.reset();
    window.SupportWidget.close();
    window.SupportWidget.open();
  });
  await page.waitForFunction(() => document.querySelector('support-widget').shadowRoot.querySelectorAll('[data-testid=message]').length === 0);
  assert.equal(await page.evaluate(() => window.__opens), 0);
  await page.close();
});

test('a failed turn is reported to the page', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}/?endpoint=http://127.0.0.1:9/v1&orders=bundled`);
  await listen(page);
  await page.evaluate(() => window.SupportWidget.open());
  await page.getByTestId('composer').fill('hello?');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__events.some(([name]) => name === 'error'), null, { timeout: 15000 });
  const [, detail] = (await events(page)).find(([name]) => name === 'error');
  assert.match(detail.message, /connect/);
  assert.ok(detail.detail.length > 0);
  await page.close();
});
