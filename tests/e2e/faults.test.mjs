// A provider's faults through the demo store page, in headless Chromium, against the scripted
// server's FAULTS: what the customer sees, how long it takes, how many requests it costs, that
// after a reload a failed turn offers Retry again and the next request carries a valid
// history. The stalls and cuts run once more through the real support proxy (on SQLite), which
// must leave the customer exactly where direct mode does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from './browser.mjs';
import { proxyRunner, sqliteDatabase } from './proxy.mjs';
import { CUT_WORDS, FAULT_TEXT } from './server.mjs';

const env = useServerAndBrowser();

const FIRST_BYTE_TIMEOUT_MS = 1500;
const IDLE_TIMEOUT_MS = 1500;
const PARTIAL = FAULT_TEXT.split(' ').slice(0, CUT_WORDS).join(' ');
/** Far below any time-out: a cut or corrupt reply is over as soon as its pieces are. */
const PROMPT_MS = 1000;

/**
 * A fresh tab (its own storage) with the chat open, console warnings kept: the demo page
 * talking to the scripted server, or the page at `url` with its own configuration (the proxy's)
 * and `config` laid over it.
 */
async function openChat({ url, config } = {}) {
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
  }, config ?? { firstByteTimeoutMs: FIRST_BYTE_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
  const direct = env.server.url;
  await page.goto(url ?? `${direct}/?endpoint=${direct}/v1&orders=bundled`);
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

/** Reloads, asks one more question and returns the messages that request carried, checked.
 * `failed`: the turn before the reload failed, so the reloaded page offers Retry again. */
async function nextRequestAfterReload(page, { failed = true } = {}) {
  await page.reload();
  await page.evaluate(() => window.SupportWidget.open());
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  const retry = page.getByTestId('retry');
  if (failed) await retry.waitFor({ timeout: 5000 });
  assert.equal(await retry.count(), failed ? 1 : 0, failed ? 'Retry again after the reload' : 'no Retry');
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
    await watchForError(page);
    const sent = await say(page, question);
    const message = await errorText(page);
    const waited = (await errorShownAt(page)) - sent;
    assert.ok(waited < PROMPT_MS, `at once, with no time-out to wait for: ${waited} ms`);
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
    await watchForError(page);
    const sent = await say(page, question);
    const message = await errorText(page);
    const waited = (await errorShownAt(page)) - sent;
    assert.ok(waited > 1000 && waited < 2500, `two backoffs and three short attempts: ${waited} ms`);
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
  const sent = await say(page, question);
  await page.locator('[data-testid=message][data-role=assistant]', { hasText: 'within five days.' }).waitFor({ timeout: 10000 });
  const waited = (await page.evaluate(() => performance.now())) - sent;
  assert.ok(waited < PROMPT_MS + 500, `as fast as a good reply, give or take the polling: ${waited} ms`);
  assert.deepEqual(await assistantTexts(page), [`Assistant: ${FAULT_TEXT}`]);
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.equal(requestsFor(question).length, 1);
  const skipped = warnings.filter((w) => w.includes('malformed event'));
  assert.equal(skipped.length, 1, warnings.join('\n'));

  const messages = await nextRequestAfterReload(page, { failed: false });
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

test('an in-stream 503 is retried twice and reads busy; 529 and rate_limit_exceeded are retried', async () => {
  const { page, context } = await openChat();
  for (const fault of ['overloaded-529-once', 'rate-limit-exceeded-once']) {
    const once = `fault:${fault} my refund?`;
    await say(page, once);
    await page.locator('[data-testid=message][data-role=assistant]', { hasText: 'within five days.' })
      .nth(fault === 'overloaded-529-once' ? 0 : 1).waitFor({ timeout: 10000 });
    assert.equal(requestsFor(once).length, 2, `${fault}: one retry, then the answer`);
    assert.equal(await page.getByTestId('error').count(), 0);
  }
  const always = 'fault:unavailable-503 my refund?';
  await watchForError(page);
  const sent = await say(page, always);
  assert.match(await errorText(page), /busy/);
  const waited = (await errorShownAt(page)) - sent;
  assert.ok(waited > 1000 && waited < 2500, `two backoffs: ${waited} ms`);
  assert.equal(requestsFor(always).length, 3, 'retried twice');
  await nextRequestAfterReload(page);
  await context.close();
});

/**
 * Sends `fault:NAME` on `chat` and checks what the customer is left with: the error's words,
 * when it showed (`within` [min, max] ms after sending), the partial text kept or not, a
 * single request, and after a reload Retry again and a valid history.
 */
async function checkStall(chat, fault, { words, within, partial }) {
  const { page, context, errors, via } = chat;
  // Each test asks its own question, so that its requests are told from the others'.
  const question = `fault:${fault} my refund${via ? ` (${via})` : ''}?`;
  await watchForError(page);
  const sent = await say(page, question);
  const message = await errorText(page);
  const waited = (await errorShownAt(page)) - sent;
  assert.match(message, words);
  assert.ok(waited >= within[0] && waited < within[1], `${fault}: ${Math.round(waited)} ms, not in ${within}`);
  assert.deepEqual(await assistantTexts(page), partial ? [`Assistant: ${PARTIAL} Interrupted`] : []);
  await page.waitForTimeout(1200);
  assert.equal(requestsFor(question).length, 1, 'not retried');
  const messages = await nextRequestAfterReload(page);
  assert.deepEqual(messages.slice(1, partial ? 3 : 2), [
    { role: 'user', content: question },
    ...(partial ? [{ role: 'assistant', content: `${PARTIAL} ` }] : []),
  ]);
  assert.deepEqual(errors, []);
  await context.close();
}

test('a reply that stalls after text keeps it, marked, and says it was cut off (direct)', async () => {
  await checkStall(await openChat(), 'stall-text', {
    words: /cut off/, within: [IDLE_TIMEOUT_MS - 100, IDLE_TIMEOUT_MS + 800], partial: true,
  });
});

// Through the support proxy: its own time-outs fire first (a second of quiet), and the widget
// waits long enough that they decide.
const PROXY_IDLE_S = 1;
let proxy;
let db;

/** The proxy on a fresh SQLite file, started by the first test that needs it. */
async function startedProxy() {
  if (!proxy) {
    db = sqliteDatabase();
    db.prepare();
    proxy = await proxyRunner(env.server).startProxy(db.url, {
      UPSTREAM_IDLE_TIMEOUT_SECS: String(PROXY_IDLE_S), UPSTREAM_TIMEOUT_SECS: '2', RATE_LIMIT_PER_MINUTE: '1000',
    });
  }
  return proxy;
}

after(async () => {
  await proxy?.stop();
  db?.drop();
});

async function throughProxy() {
  const { url } = await startedProxy();
  const chat = await openChat({ url: `${url}/`, config: { firstByteTimeoutMs: 10000, idleTimeoutMs: 10000 } });
  return { ...chat, via: 'through the proxy' };
}

test('through the proxy, a reply cut off after text reads cut off, at once, not retried', async () => {
  await checkStall(await throughProxy(), 'cut-text', { words: /cut off/, within: [0, PROMPT_MS], partial: true });
});

test('through the proxy, a reply that stalls after text reads cut off after the proxy\'s idle time-out', async () => {
  const idle = PROXY_IDLE_S * 1000;
  await checkStall(await throughProxy(), 'stall-text', { words: /cut off/, within: [idle - 100, idle + 1000], partial: true });
});

test('through the proxy, a reply that never starts reads took too long, once', async () => {
  // Headers after a second, then nothing: the proxy's idle time-out ends it a second later.
  const idle = 1000 + PROXY_IDLE_S * 1000;
  await checkStall(await throughProxy(), 'stall-body', { words: /took too long/, within: [idle - 100, idle + 1000], partial: false });
});

test('through the proxy, a provider that never answers reads took too long after the proxy\'s 504, once', async () => {
  await checkStall(await throughProxy(), 'stall', { words: /took too long/, within: [1900, 3000], partial: false });
});
