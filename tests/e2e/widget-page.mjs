// The demo page with the widget, for the accessibility and theming tests: a page in a context
// of its own (viewport, colour scheme, language, forced colours, the page's own CSS), opening
// the panel, a question answered, and axe-core's WCAG 2.1 AA violations inside the widget.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DIST } from './browser.mjs';

const AXE = createRequire(import.meta.url)('axe-core').source;
export const PHONE = { width: 390, height: 760 };
export const YELLOW = 'support-widget { --support-widget-accent: #ffcc00; }';

/** `days` days before today (UTC), as the orders write dates. */
const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Adds `css` to the head of every document `page` loads, as a store's own stylesheet. */
export async function addPageCss(page, css) {
  await page.addInitScript((text) => {
    document.addEventListener('DOMContentLoaded', () => {
      const style = document.createElement('style');
      style.textContent = text;
      document.head.append(style);
    });
  }, css);
}

/**
 * The demo page on `env`'s server. `css` is added to the page's head; `recentOrder` makes
 * ORD-1004 delivered two days ago, so "refund ORD-1004" gets a confirmation card.
 */
export async function newPage(env, { viewport = { width: 1100, height: 800 }, colorScheme = 'light', locale = 'en-US', forcedColors = 'none', css, endpoint, recentOrder } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme, locale, forcedColors, reducedMotion: 'reduce' });
  const page = await context.newPage();
  if (css) await addPageCss(page, css);
  if (recentOrder) {
    const orders = JSON.parse(readFileSync(join(DIST, 'orders.json'), 'utf8'));
    orders.find((o) => o.order_id === 'ORD-1004').delivery_date = daysAgo(2);
    await page.route('**/orders.json', (route) => route.fulfill({ json: orders }));
  }
  const target = endpoint ?? `${env.server.url}/v1`;
  await page.goto(`${env.server.url}/?endpoint=${target}&orders=bundled`);
  await page.getByTestId('launcher').waitFor();
  return page;
}

export async function open(page) {
  await page.getByTestId('launcher').click();
  await page.getByTestId('composer').waitFor({ state: 'visible' });
}

/** Sends `text`; waits for a reply containing `reply`, when given. */
export async function say(page, text, reply) {
  await page.getByTestId('composer').fill(text);
  await page.keyboard.press('Enter');
  if (reply) await page.locator('[data-testid=message][data-role=assistant]', { hasText: reply }).waitFor({ timeout: 15000 });
}

/** An error banner, from an endpoint nothing listens on. */
export async function fail(page) {
  await say(page, 'hello');
  await page.getByTestId('error').waitFor({ timeout: 15000 });
}

/** axe's WCAG 2.1 A and AA violations whose nodes are inside the widget. */
export async function violations(page) {
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

export async function expectClean(page, state) {
  const found = await violations(page);
  assert.deepEqual(found, [], `${state}: ${JSON.stringify(found, null, 1)}`);
}
