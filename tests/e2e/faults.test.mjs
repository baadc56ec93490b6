// A provider's faults through the demo store page, in headless Chromium, against the scripted
// server's FAULTS: what the customer sees, how long it takes, how many requests it costs, and
// that after a reload the next request carries a valid history.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';
import { CUT_WORDS, FAULT_TEXT } from './server.mjs';

const env = useServerAndBrowser();

const FIRST_BYTE_TIMEOUT_MS = 1500;
const PARTIAL = FAULT_TEXT.split(' ').slice(0, CUT_WORDS).join(' ');

/** A fresh tab (its own storage) on the demo page with the chat open; console warnings kept. */
async function openChat() {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  const errors = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  // The demo page sets window.SupportWidgetConfig itself: add the time-out to whatever it sets.
  await page.addInitScript((extra) => {
    let config;
    Object.defineProperty(window, 'SupportWidgetConfig', {
      configurable: true,
      get: () => config,
      set: (value) => { config = { ...value, ...extra }; },
    });
  }, { firstByteTimeoutMs: FIRST_BYTE_TIMEOUT_MS });
  const url = env.server.url;
  await page.goto(`${url}/?endpoint=${url}/v1&orders=bundled`);
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  return { page, context, warnings, errors };
}

/** Sends `text`; resolves to the page's clock when the message went. */
async function say(page, text) {
  await page.getByTestId('composer').fill(text);
  const sent = await page.evaluate(() => performance.now());
  await page.keyboard.press('Enter');
  return sent;
}

/** Notes the page's clock when an error message next appears, read by `errorShownAt`: the
 * page's own clock, because a locator's polling adds up to half a second. */
async function watchForError(page) {
  await page.evaluate(() => {
    const root = document.querySelector('support-widget').shadowRoot;
    window.__errorAt = undefined;
    const observer = new MutationObserver(() => {
      if (!root.querySelector('[data-testid=error]')) return;
      window.__errorAt = performance.now();
      observer.disconnect();
    });
    observer.observe(root, { subtree: true, childList: true });
  });
}

const errorShownAt = (page) => page.evaluate(() => window.__errorAt);

/** The requests whose last message is the customer's `text` (each test asks its own). */
function requestsFor(text) {
  return env.server.requests.filter((r) => r.body.messages.at(-1)?.content === text);
}

async function errorText(page) {
  await page.getByTestId('error').waitFor({ timeout: 10000 });
  return page.getByTestId('error').innerText();
}

/** The assistant's messages as read, whitespace collapsed. */
async function assistantTexts(page) {
  const texts = await page.locator('[data-testid=message][data-role=assistant]').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Every assistant `tool_calls` message is followed by one `tool` message per call, each tool
 * message follows its call, and no message is an empty or half-received piece. */
function assertValidHistory(messages) {
  messages.forEach((m, i) => {
    if (m.role === 'assistant') {
      const calls = m.tool_calls ?? [];
      assert.ok(calls.length > 0 || String(m.content ?? '').trim() !== '', `empty assistant message at ${i}`);
      const results = messages.slice(i + 1, i + 1 + calls.length);
      assert.deepEqual(results.map((r) => r.role), calls.map(() => 'tool'), `results of the calls at ${i}`);
      assert.deepEqual(results.map((r) => r.tool_call_id).sort(), calls.map((c) => c.id).sort());
      for (const call of calls) assert.doesNotThrow(() => JSON.parse(call.function.arguments), 'whole arguments');
    }
    if (m.role === 'tool') {
      const owner = messages.slice(0, i).findLast((p) => p.role !== 'tool');
      assert.ok(owner?.tool_calls?.some((c) => c.id === m.tool_call_id), `a result without its call at ${i}`);
    }
  });
}

/** Reloads, asks one more question and returns the messages that request carried, checked. */
async function nextRequestAfterReload(page) {
  await page.reload();
  await page.evaluate(() => window.SupportWidget.open());
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  const question = 'How long will the refund take?';
  const before = env.server.requests.length;
  await say(page, question);
  await page.locator('[data-testid=message][data-role=assistant]', { hasText: '5 to 10 business days' })
    .waitFor({ timeout: 10000 });
  // The policy question searches the help articles first, then answers.
  const sent = env.server.requests.slice(before);
  assert.equal(sent.length, 2);
  for (const request of sent) assertValidHistory(request.body.messages);
  return sent[0].body.messages;
}

for (const [fault, what] of [['stall', 'no response at all'], ['stall-body', 'headers after 1 s, then no body']]) {
  test(`a provider that sends nothing (${what}) fails within the first-byte time-out, once`, async (t) => {
    const { page, context, errors } = await openChat();
    const question = `fault:${fault} hello?`;
    await watchForError(page);
    const sent = await say(page, question);
    const message = await errorText(page);
    const waited = (await errorShownAt(page)) - sent;
    t.diagnostic(`"${fault}": the time-out showed after ${Math.round(waited)} ms (firstByteTimeoutMs ${FIRST_BYTE_TIMEOUT_MS})`);
    assert.match(message, /took too long/);
    assert.ok(waited >= FIRST_BYTE_TIMEOUT_MS - 100, `not before the time-out: ${waited} ms`);
    assert.ok(waited < FIRST_BYTE_TIMEOUT_MS + 500, `within the time-out and some slack: ${waited} ms`);
    await page.waitForTimeout(1200);
    assert.equal(requestsFor(question).length, 1, 'not retried');
    assert.equal(await page.getByTestId('retry').isVisible(), true);

    const messages = await nextRequestAfterReload(page);
    assert.deepEqual(messages.slice(1).map((m) => m.role), ['user', 'user']);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const [fault, what] of [['cut-text', 'the connection breaks'], ['end-text', 'the body ends early']]) {
  test(`a reply cut off mid-text (${what}) keeps the text, marked, and says it was cut off`, async () => {
    const { page, context } = await openChat();
    const question = `fault:${fault} my refund?`;
    await say(page, question);
    const message = await errorText(page);
    assert.match(message, /cut off/);
    assert.doesNotMatch(message, /connect/);
    assert.deepEqual(await assistantTexts(page), [`Assistant: ${PARTIAL} Interrupted`]);
    assert.equal(requestsFor(question).length, 1, 'never retried after text was shown');

    const messages = await nextRequestAfterReload(page);
    assert.deepEqual(messages.slice(1, 3), [
      { role: 'user', content: question },
      { role: 'assistant', content: `${PARTIAL} ` },
    ]);
    await context.close();
  });
}

for (const [fault, what] of [['cut-call', 'the connection breaks'], ['end-call', 'the body ends early']]) {
  test(`a reply cut off mid-tool-call (${what}) runs no tool and says it was cut off`, async () => {
    const { page, context } = await openChat();
    await say(page, "It's ORD-1002");
    await page.locator('[data-testid=message][data-role=assistant]', { hasText: 'currently processing' })
      .waitFor({ timeout: 10000 });
    const question = `fault:${fault} and ORD-1001?`;
    await say(page, question);
    const message = await errorText(page);
    assert.match(message, /cut off/);
    assert.equal(requestsFor(question).length, 3, 'nothing was shown, so it was retried twice');
    assert.equal(await page.getByTestId('order-card').count(), 1, 'the cut call never ran');

    const messages = await nextRequestAfterReload(page);
    assert.equal(messages.filter((m) => m.tool_calls).length, 1, 'only the whole call is in the history');
    assert.equal(messages.filter((m) => m.role === 'tool').length, 1);
    await context.close();
  });
}

test('one corrupt event is skipped, warned about once, and the reply completes', async () => {
  const { page, context, warnings } = await openChat();
  const question = 'fault:corrupt my refund?';
  await say(page, question);
  await page.locator('[data-testid=message][data-role=assistant]', { hasText: 'within five days.' }).waitFor({ timeout: 10000 });
  assert.deepEqual(await assistantTexts(page), [`Assistant: ${FAULT_TEXT}`]);
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.equal(requestsFor(question).length, 1);
  const skipped = warnings.filter((w) => w.includes('malformed event'));
  assert.equal(skipped.length, 1, warnings.join('\n'));

  const messages = await nextRequestAfterReload(page);
  assert.deepEqual(messages[2], { role: 'assistant', content: FAULT_TEXT });
  await context.close();
});

test('an overload inside the stream is retried like the status, then worded like it', async () => {
  const { page, context } = await openChat();
  const once = 'fault:rate-limit-once my refund?';
  await say(page, once);
  await page.locator('[data-testid=message][data-role=assistant]', { hasText: 'within five days.' }).waitFor({ timeout: 10000 });
  assert.equal(requestsFor(once).length, 2, 'one retry, then the answer');
  assert.equal(await page.getByTestId('error').count(), 0);

  const always = 'fault:overloaded my refund?';
  await watchForError(page);
  const sent = await say(page, always);
  assert.match(await errorText(page), /busy/);
  const waited = (await errorShownAt(page)) - sent;
  assert.ok(waited > 1000 && waited < 2500, `two backoffs of 0.375–0.5 s and 0.75–1 s: ${waited} ms`);
  assert.equal(requestsFor(always).length, 3, 'retried twice');

  const messages = await nextRequestAfterReload(page);
  assert.deepEqual(messages.slice(1).map((m) => m.role), ['user', 'assistant', 'user', 'user']);
  await context.close();
});

test('an overload after text was shown is not retried, keeps the text and reads busy', async () => {
  const { page, context } = await openChat();
  const question = 'fault:overloaded-after-text my refund?';
  await say(page, question);
  assert.match(await errorText(page), /busy/);
  assert.deepEqual(await assistantTexts(page), [`Assistant: ${PARTIAL} Interrupted`]);
  await page.waitForTimeout(1200);
  assert.equal(requestsFor(question).length, 1);
  await nextRequestAfterReload(page);
  await context.close();
});
