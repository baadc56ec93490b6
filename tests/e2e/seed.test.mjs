// The seed's three turns through the demo store page, in headless Chromium, against the
// scripted OpenAI-compatible server: streaming, the tool call, the order card, the refund
// question answered from the bundled help articles with its source, and the history after a
// reload.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

import { useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser();
const SHOTS = join(import.meta.dirname, 'screenshots');

before(() => mkdirSync(SHOTS, { recursive: true }));

const TURNS = [
  ['I want a refund for my keyboard', 'provide your order ID'],
  ["It's ORD-1002", 'The refund is currently processing'],
  ['How long will the refund take?', '5 to 10 business days'],
];

test('the seed conversation, then a reload that keeps it', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled&api_key=e2e-key`);

  const launcher = page.getByTestId('launcher');
  await launcher.click();
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  await assert.doesNotReject(page.getByTestId('composer').waitFor({ state: 'visible' }));

  for (const [question, answer] of TURNS) {
    await page.getByTestId('composer').fill(question);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=message][data-role=assistant]', { hasText: answer }).waitFor({ timeout: 15000 });
  }
  const card = page.getByTestId('order-card');
  await card.waitFor();
  const cardText = await card.innerText();
  assert.match(cardText, /Mechanical Keyboard/);
  assert.match(cardText, /Processing/);
  assert.match(cardText, /\$89\.50/);
  await page.screenshot({ path: join(SHOTS, 'seed.png') });

  // Five completion requests; the third carries the lookup and its result, the fifth the
  // help search and the passages it found.
  const requests = env.server.requests;
  assert.equal(requests.length, 5);
  assert.ok(requests.every((r) => r.authorization === 'Bearer e2e-key'));
  assert.ok(requests.every((r) => r.body.stream === true && r.body.max_tokens === 512 && r.body.tools[0].function.name === 'lookup_order'));
  const third = requests[2].body.messages;
  const call = third.at(-2);
  const result = third.at(-1);
  assert.equal(call.role, 'assistant');
  assert.equal('content' in call, false);
  assert.equal(result.role, 'tool');
  assert.equal(result.tool_call_id, call.tool_calls[0].id);
  assert.deepEqual(
    (({ status, item, amount }) => ({ status, item, amount }))(JSON.parse(result.content)),
    { status: 'processing', item: 'Mechanical Keyboard', amount: 89.5 },
  );

  // The refund question ran search_help in the widget, on the bundled help.json, and the
  // answer quotes the passage it was given, with its article linked under it.
  const fifth = requests[4].body.messages;
  const search = fifth.at(-2).tool_calls?.[0];
  assert.equal(search?.function.name, 'search_help');
  assert.equal(JSON.parse(search.function.arguments).query, 'How long will the refund take?');
  const found = fifth.at(-1);
  assert.equal(found.role, 'tool');
  assert.equal(found.tool_call_id, search.id);
  const best = JSON.parse(found.content).results[0];
  assert.equal(best.title, 'When will I get my refund?');
  assert.equal(best.url, 'https://voltaire.example/help/refund-timing');
  const answer = page.locator('[data-testid=message][data-role=assistant]').last();
  const quoted = best.text.split('\n').find((line) => line.includes('5 to 10 business days'));
  assert.ok(quoted, best.text);
  assert.ok((await answer.innerText()).includes(quoted.replace(/^- /, '')), 'the answer quotes the passage');
  const source = answer.getByTestId('source');
  assert.match(await source.first().innerText(), /When will I get my refund\?/);
  assert.equal(await source.first().getAttribute('href'), best.url);
  assert.equal(await source.first().getAttribute('target'), '_blank');
  assert.equal(await source.first().getAttribute('rel'), 'noopener');
  assert.equal(await page.getByTestId('source').count(), await answer.getByTestId('source').count(), 'only the grounded answer cites sources');

  // After a reload the conversation is still there.
  await page.reload();
  await page.getByTestId('launcher').click();
  const messages = page.getByTestId('message');
  await page.waitForFunction(() => document.querySelector('support-widget').shadowRoot.querySelectorAll('[data-testid=message]').length === 6);
  assert.equal(await messages.count(), 6);
  assert.equal(await page.getByTestId('order-card').count(), 1);
  assert.match(await messages.last().innerText(), /5 to 10 business days/);
  assert.match(await messages.last().getByTestId('source').first().innerText(), /When will I get my refund\?/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Escape closes the panel and gives focus back to the launcher', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1`);
  await page.getByTestId('launcher').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('composer').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.testid), 'composer');
  await page.getByTestId('composer').fill('a draft');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('panel').isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.testid), 'launcher');
  assert.equal(await page.getByTestId('launcher').getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('composer').inputValue(), 'a draft', 'the draft survives closing');
  await page.close();
});

test('a phone gets a full-screen panel, with no motion when reduced motion is asked for', async () => {
  const page = await env.browser.newPage({ viewport: { width: 390, height: 800 }, reducedMotion: 'reduce' });
  await page.goto(`${env.server.url}/?endpoint=${env.server.url}/v1`);
  await page.getByTestId('launcher').click();
  const box = await page.getByTestId('panel').boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 800]);
  const animation = await page.getByTestId('panel').evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(animation, 'none');
  await page.screenshot({ path: join(SHOTS, 'phone.png') });
  await page.close();
});
