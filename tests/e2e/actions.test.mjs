// Acting for the customer, in headless Chromium: refund requests and cancellations the
// customer confirms on a card, and hand-offs to a person. In bundled mode (the demo applies the
// change to its own stored copy of the dataset) and through the real proxy on SQLite and on
// PostgreSQL (the database shows the change and one `refund_requests` row). A scripted model
// that claims consent, asks for two changes at once or is answered by a message instead of a
// click changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { start } from './server.mjs';
import { launch, DIST } from './browser.mjs';
import { POSTGRES, REQUIRE_POSTGRES, postgresDatabase, proxyRunner, sqliteDatabase } from './proxy.mjs';

const SHOTS = join(import.meta.dirname, 'screenshots');
const SECRET = 'e2e-webhook-secret-0123456789';
let upstream;
let browser;
let startProxy;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  upstream = await start({ dist: DIST, delayMs: 2 });
  ({ startProxy } = proxyRunner(upstream));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await upstream?.close();
});

/** `days` days before today (UTC), as the orders write dates. */
const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Generous limits: one test makes more requests than a customer would in a minute. */
const LIMITS = { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '600', ACTIONS_RATE_LIMIT_PER_MINUTE: '600' };

/**
 * Opens the demo page in `mode` ('bundled', or a database from proxy.mjs): ORD-1004 was
 * delivered two days ago, so it may be refunded whatever today's date. Returns the page, a
 * reader of an order's status where the mode keeps it, and the page events seen.
 */
async function open(mode, extraEnv = {}) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let proxy = null;
  let status;
  let url;
  if (mode === 'bundled') {
    const orders = JSON.parse(readFileSync(join(DIST, 'orders.json'), 'utf8'));
    orders.find((o) => o.order_id === 'ORD-1004').delivery_date = daysAgo(2);
    await page.route('**/orders.json', (route) => route.fulfill({ json: orders }));
    url = `${upstream.url}/?endpoint=${upstream.url}/v1&orders=bundled&api_key=e2e-key`;
    status = async (id) => {
      const stored = await page.evaluate(() => localStorage.getItem('support-widget.demo-orders'));
      const changed = JSON.parse(stored ?? '[]').find((o) => o.order_id === id);
      return changed?.status ?? orders.find((o) => o.order_id === id).status;
    };
  } else {
    mode.prepare();
    proxy = await startProxy(mode.url, { ...LIMITS, ...extraEnv });
    mode.exec(`UPDATE orders SET delivery_date = '${daysAgo(2)}' WHERE order_id = 'ORD-1004'`);
    url = `${proxy.url}/`;
    status = async (id) => mode.rows(`SELECT status FROM orders WHERE order_id = '${id}'`)[0].status;
  }
  await page.addInitScript(() => {
    window.__events = [];
    for (const name of ['refund', 'handoff']) {
      document.addEventListener(`support-widget:${name}`, (e) => window.__events.push({ name, detail: e.detail }), true);
    }
  });
  await page.goto(url);
  await page.getByTestId('launcher').click();
  const events = () => page.evaluate(() => window.__events);
  const close = async () => {
    assert.deepEqual(errors, []);
    await page.close();
    await proxy?.stop();
    if (mode !== 'bundled') mode.drop();
  };
  return { page, status, events, close, proxy };
}

const assistant = (page) => page.locator('[data-testid=message][data-role=assistant]');

async function say(page, text, answer) {
  await page.getByTestId('composer').fill(text);
  await page.keyboard.press('Enter');
  if (answer) await assistant(page).filter({ hasText: answer }).last().waitFor({ timeout: 15000 });
}

async function refunds(mode) {
  const { page, status, events, close } = await open(mode);
  const rows = () => (mode === 'bundled' ? [] : mode.rows('SELECT order_id, kind FROM refund_requests ORDER BY order_id'));
  try {
    // A model that says the customer agreed, and asks for two changes at once: one card, for
    // the first, and nothing changes without a click.
    await say(page, 'agree ORD-1004 ORD-1009');
    const card = page.getByTestId('action-card');
    await card.waitFor();
    assert.match(await card.innerText(), /27-inch 4K Monitor[\s\S]*ORD-1004[\s\S]*\$329\.99/);
    assert.equal(await page.getByTestId('action-card').count(), 1);
    // The card itself takes focus, not Confirm: a key pressed while typing confirms nothing.
    assert.ok(await card.evaluate((el) => el.getRootNode().activeElement === el), 'the card takes focus');
    await page.screenshot({ path: join(SHOTS, `action-card-${mode.name ?? mode}.png`) });
    assert.equal(await status('ORD-1004'), 'delivered');
    assert.equal(await status('ORD-1009'), 'processing');
    // Writing instead of clicking withdraws the card.
    await say(page, 'refund ORD-1003', 'on its way');
    assert.equal(await card.count(), 0);
    assert.equal(await status('ORD-1004'), 'delivered');
    assert.equal(await status('ORD-1003'), 'shipped', 'an ineligible order is explained, not changed');
    assert.deepEqual(rows(), []);

    // Declined: nothing changes.
    await say(page, 'refund ORD-1004');
    await page.getByTestId('action-decline').click();
    await assistant(page).filter({ hasText: 'not changed anything' }).waitFor();
    assert.equal(await status('ORD-1004'), 'delivered');
    assert.deepEqual(rows(), []);

    // Confirmed: the refund is requested once, and the order card shows the new status.
    await say(page, 'refund ORD-1004');
    await page.getByTestId('action-confirm').click();
    await assistant(page).filter({ hasText: 'ORD-1004 is now refund_requested' }).waitFor();
    assert.equal(await status('ORD-1004'), 'refund_requested');
    assert.match(await page.getByTestId('order-card').last().innerText(), /Refund requested/);
    // The same again is explained by the rules, and makes no second row.
    await say(page, 'refund ORD-1004', 'already requested');

    // A processing order is cancelled on confirmation.
    await say(page, 'cancel ORD-1002');
    await page.getByTestId('action-confirm').click();
    await assistant(page).filter({ hasText: 'ORD-1002 is now cancelled' }).waitFor();
    assert.equal(await status('ORD-1002'), 'cancelled');
    if (mode !== 'bundled') {
      assert.deepEqual(rows(), [{ order_id: 'ORD-1002', kind: 'cancel' }, { order_id: 'ORD-1004', kind: 'refund' }]);
    }
    const refundEvents = (await events()).filter((e) => e.name === 'refund').map((e) => e.detail);
    assert.deepEqual(refundEvents, [
      { order_id: 'ORD-1004', kind: 'refund', changed: true, status: 'refund_requested' },
      { order_id: 'ORD-1002', kind: 'cancel', changed: true, status: 'cancelled' },
    ]);
    await page.screenshot({ path: join(SHOTS, `actions-${mode.name ?? mode}.png`) });
  } finally {
    await close();
  }
}

test('refunds and cancellations the customer confirms, in bundled mode', () => refunds('bundled'));
test('refunds and cancellations the customer confirms, through the proxy on SQLite', () => refunds(sqliteDatabase()));
test(
  'refunds and cancellations the customer confirms, through the proxy on PostgreSQL',
  { skip: !POSTGRES && !REQUIRE_POSTGRES && 'TEST_DATABASE_URL is not set' },
  () => {
    assert.ok(POSTGRES, 'TEST_DATABASE_URL must name a PostgreSQL server: run under scripts/test-services.sh');
    return refunds(postgresDatabase(POSTGRES, upstream));
  },
);

test('a card waiting when the page reloads is withdrawn, and nothing changed', async () => {
  const { page, status, close } = await open('bundled');
  try {
    await say(page, 'refund ORD-1004');
    await page.getByTestId('action-card').waitFor();
    await page.reload();
    // The panel was open, so it reopens on the reloaded page.
    await page.getByTestId('composer').waitFor();
    assert.equal(await page.getByTestId('action-card').count(), 0);
    assert.equal(await status('ORD-1004'), 'delivered');
    await say(page, 'refund ORD-1004');
    await page.getByTestId('action-card').waitFor();
  } finally {
    await close();
  }
});

/** A help desk on 127.0.0.1 that takes webhook deliveries and checks their signature: an HMAC
 * of the attempt's timestamp, a dot and the body, as the README tells receivers. */
async function helpDesk() {
  const deliveries = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const timestamp = req.headers['x-support-timestamp'] ?? '';
      const signed = Buffer.concat([Buffer.from(`${timestamp}.`), body]);
      const expected = `sha256=${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      deliveries.push({ signed: fresh && req.headers['x-support-signature'] === expected, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, deliveries, close: () => new Promise((r) => server.close(r)) };
}

async function waitFor(check, what, ms = 10000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Both ways to a person: the header's control, and the model's hand-off the customer sends. */
async function handoffs(mode, webhook) {
  const env = webhook ? { HANDOFF_WEBHOOK_URL: webhook.url, HANDOFF_WEBHOOK_SECRET: SECRET, HANDOFF_WEBHOOK_ATTEMPTS: '2', HANDOFF_WEBHOOK_BACKOFF_MS: '100' } : {};
  const { page, events, close } = await open(mode, env);
  try {
    await say(page, "It's ORD-1004", 'currently delivered');
    await page.getByTestId('handoff').click();
    const form = page.getByTestId('handoff-form');
    await form.waitFor();
    await page.getByTestId('handoff-email').fill('not an email');
    await page.getByTestId('handoff-send').click();
    await page.getByTestId('handoff-email-error').waitFor();
    assert.equal(await page.getByTestId('handoff-email').getAttribute('aria-invalid'), 'true');
    await page.getByTestId('handoff-email').fill(' Priya.Patel@Example.com ');
    await page.getByTestId('handoff-send').click();
    await assistant(page).filter({ hasText: 'Your reference is H-' }).waitFor();
    assert.equal(await form.count(), 0);
    assert.match(await assistant(page).last().innerText(), /priya\.patel@example\.com/);

    // The model's hand-off: the form knows the email now; the receipt is in the log.
    await say(page, 'I want to talk to a person');
    await page.getByTestId('handoff-form').waitFor();
    assert.equal(await page.getByTestId('handoff-email').inputValue(), 'priya.patel@example.com');
    assert.match(await page.getByTestId('handoff-summary').textContent(), /broken monitor/);
    await page.getByTestId('handoff-send').click();
    await page.getByTestId('handoff-receipt').waitFor();
    await assistant(page).filter({ hasText: "I've passed this to our team (reference H-" }).waitFor();
    await page.screenshot({ path: join(SHOTS, `handoff-${mode.name ?? mode}.png`) });

    const sent = (await events()).filter((e) => e.name === 'handoff').map((e) => e.detail);
    assert.equal(sent.length, 2);
    assert.ok(sent.every((d) => d.email === 'priya.patel@example.com' && /^H-/.test(d.reference)), JSON.stringify(sent));
    assert.ok(sent[0].conversation.some((l) => l.role === 'user' && l.content === "It's ORD-1004"));
    if (mode === 'bundled') {
      const kept = JSON.parse(await page.evaluate(() => localStorage.getItem('support-widget.demo-handoffs')));
      assert.deepEqual(kept.map((t) => t.reference), sent.map((d) => d.reference));
      return;
    }
    const tickets = () => mode.rows('SELECT reference, email, summary, status, conversation FROM handoffs ORDER BY created_at, reference');
    assert.deepEqual(new Set(tickets().map((t) => t.reference)), new Set(sent.map((d) => d.reference)));
    assert.ok(tickets().every((t) => t.email === 'priya.patel@example.com'));
    assert.ok(tickets().some((t) => JSON.parse(t.conversation).some((l) => l.content === "It's ORD-1004")));
    if (webhook.deliveries) {
      await waitFor(() => webhook.deliveries.length === 2 && tickets().every((t) => t.status === 'delivered'), 'both deliveries');
      assert.ok(webhook.deliveries.every((d) => d.signed), 'signed with the shared secret');
      assert.deepEqual(new Set(webhook.deliveries.map((d) => d.body.ticket.reference)), new Set(sent.map((d) => d.reference)));
    } else {
      await waitFor(() => tickets().every((t) => t.status === 'delivery_failed'), 'the failed deliveries');
    }
  } finally {
    await close();
  }
}

test('hand-offs to a person in bundled mode stay in this browser', () => handoffs('bundled'));

test('hand-offs through the proxy on SQLite reach a signed webhook', async () => {
  const desk = await helpDesk();
  try {
    await handoffs(sqliteDatabase(), desk);
  } finally {
    await desk.close();
  }
});

test('hand-offs through the proxy on SQLite are kept when the webhook is down', async () => {
  const desk = await helpDesk();
  await desk.close();
  await handoffs(sqliteDatabase(), { url: desk.url });
});

test(
  'hand-offs through the proxy on PostgreSQL reach a signed webhook',
  { skip: !POSTGRES && !REQUIRE_POSTGRES && 'TEST_DATABASE_URL is not set' },
  async () => {
    assert.ok(POSTGRES, 'TEST_DATABASE_URL must name a PostgreSQL server: run under scripts/test-services.sh');
    const desk = await helpDesk();
    try {
      await handoffs(postgresDatabase(POSTGRES, upstream), desk);
    } finally {
      await desk.close();
    }
  },
);
