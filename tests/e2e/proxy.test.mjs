// The whole product: the demo page served by the real support proxy, which forwards to the
// scripted OpenAI-compatible server with its own key, answers order lookups and help searches
// from its database and keeps the ratings in its `feedback` table. Once with SQLite, and once
// with PostgreSQL on the server TEST_DATABASE_URL names (scripts/test-services.sh starts one),
// each test on a database of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { start } from './server.mjs';
import { launch, DIST } from './browser.mjs';
import { KEY, POSTGRES, REQUIRE_POSTGRES, postgresDatabase, proxyRunner, sqliteDatabase } from './proxy.mjs';

const SHOTS = join(import.meta.dirname, 'screenshots');
let upstream;
let browser;
let startProxy;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  upstream = await start({ dist: DIST });
  ({ startProxy } = proxyRunner(upstream));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await upstream?.close();
});

const assistant = (page) => page.locator('[data-testid=message][data-role=assistant]');
const isPath = (response, method, path) => response.request().method() === method && new URL(response.url()).pathname === path;

/** Sends a question and waits for the reply that says `answer`. */
async function say(page, question, answer) {
  await page.getByTestId('composer').fill(question);
  await page.keyboard.press('Enter');
  await assistant(page).filter({ hasText: answer }).waitFor({ timeout: 15000 });
}

/** Clicks a rating button of the last reply and waits for the proxy to have stored it. */
async function rate(page, button) {
  const [stored] = await Promise.all([
    page.waitForResponse((r) => isPath(r, 'POST', '/v1/feedback')),
    page.getByTestId('feedback').last().getByTestId(button).click(),
  ]);
  assert.equal(stored.status(), 204);
}

/**
 * The seed conversation through the proxy on `db`: the order from the proxy's database, the
 * refund question answered from the help passage the proxy found, with its article linked
 * under the reply, then two ratings in the feedback table.
 */
async function groundedSeed(db) {
  db.prepare();
  const proxy = await startProxy(db.url);
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const calls = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/v1/orders/') || path.endsWith('/help.json')) calls.push(r.url());
  });
  const asked = upstream.requests.length;
  try {
    await page.goto(`${proxy.url}/`);
    await page.getByTestId('launcher').click();
    await say(page, 'I want a refund for my keyboard', 'provide your order ID');
    await say(page, "It's ORD-1002", 'currently processing');
    const searched = page.waitForResponse((r) => isPath(r, 'GET', '/v1/help/search'));
    await say(page, 'How long will the refund take?', 'business days');
    assert.match(await page.getByTestId('order-card').innerText(), /Mechanical Keyboard/);
    assert.deepEqual(calls, [`${proxy.url}/v1/orders/ORD-1002`], 'the lookup went to the proxy, and no help.json was fetched');

    // The widget asked the proxy, which found the refund-timing article in its database.
    const search = await searched;
    assert.equal(search.status(), 200);
    assert.deepEqual(Object.fromEntries(new URL(search.url()).searchParams), { q: 'How long will the refund take?', limit: '3' });
    const found = await search.json();
    const best = found.results[0];
    assert.equal(best.title, 'When will I get my refund?');
    assert.equal(best.url, 'https://voltaire.example/help/refund-timing');

    // The provider was given exactly what the proxy found, and quoted it.
    const requests = upstream.requests.slice(asked);
    assert.equal(requests.length, 5);
    assert.ok(requests.every((r) => r.authorization === `Bearer ${KEY}`));
    const fifth = requests[4].body.messages;
    assert.equal(JSON.parse(fifth.at(-2).tool_calls[0].function.arguments).query, 'How long will the refund take?');
    assert.equal(fifth.at(-1).role, 'tool');
    assert.deepEqual(
      JSON.parse(fifth.at(-1).content),
      { results: found.results },
    );
    const reply = assistant(page).last();
    const quoted = best.text.split('\n').find((line) => line.includes('business days'));
    assert.ok(quoted, best.text);
    assert.ok((await reply.innerText()).includes(quoted.replace(/^- /, '')), 'the reply quotes the passage');
    const source = reply.getByTestId('source');
    assert.equal(await source.count(), new Set(found.results.map((r) => r.url)).size);
    assert.match(await source.first().innerText(), /When will I get my refund\?/);
    assert.equal(await source.first().getAttribute('href'), best.url);
    await page.screenshot({ path: join(SHOTS, `proxy-${db.name}.png`) });

    // A rating lands in the feedback table with the reply's text and sources; a changed one
    // is a second row.
    await rate(page, 'rate-up');
    let rows = db.rows('SELECT rating, text, sources FROM feedback');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].rating, 'up');
    assert.ok(rows[0].text.includes(quoted), rows[0].text);
    assert.deepEqual(JSON.parse(rows[0].sources), [...new Set(found.results.map((r) => r.url))]);
    await rate(page, 'rate-down');
    rows = db.rows('SELECT rating FROM feedback ORDER BY rating');
    assert.deepEqual(rows.map((r) => r.rating), ['down', 'up']);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await proxy.stop();
    db.drop();
  }
}

test('the grounded seed conversation and a rating through the proxy, on SQLite', async () => {
  await groundedSeed(sqliteDatabase());
});

test(
  'the grounded seed conversation and a rating through the proxy, on PostgreSQL',
  { skip: !POSTGRES && !REQUIRE_POSTGRES && 'TEST_DATABASE_URL is not set' },
  async () => {
    assert.ok(POSTGRES, 'TEST_DATABASE_URL must name a PostgreSQL server: run under scripts/test-services.sh');
    await groundedSeed(postgresDatabase(POSTGRES, upstream));
  },
);

test('the proxy shuts down cleanly on SIGTERM', async () => {
  const db = sqliteDatabase();
  try {
    const proxy = await startProxy(db.url);
    assert.equal((await fetch(`${proxy.url}/healthz`)).status, 200);
    assert.deepEqual(await proxy.stop(), { code: 0, signal: null });
  } finally {
    db.drop();
  }
});
