// The widget's derived colours in headless Chromium: the focus ring reads (3:1) against what is
// behind it on every surface, in light and dark and on store accents; an accent written in
// oklch or display-p3 gets the right text colour, before the widget loads too; the colours
// follow a change of colour scheme and an accent changed later; placeholders and form controls
// follow the theme; and in forced colours the chosen rating stands out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { useServerAndBrowser } from './browser.mjs';
import { YELLOW, fail, newPage as pageOn, open, say } from './widget-page.mjs';

const env = useServerAndBrowser({ delayMs: 0 });
const newPage = (options) => pageOn(env, options);
const SHOTS = join(import.meta.dirname, 'screenshots');
const DARK_INK = 'rgb(17, 17, 17)';

/** In the page: the focused control's outline colour, and the colour behind the outline. */
const focusedRing = () => {
  const parse = (c) => c.match(/[\d.]+/g).map(Number);
  const opaque = (c) => c !== 'transparent' && !/rgba\(.*, 0\)$/.test(c);
  const active = document.querySelector('support-widget').shadowRoot.activeElement;
  let behind = active.parentElement;
  while (behind && !opaque(getComputedStyle(behind).backgroundColor)) behind = behind.parentElement;
  const luminance = (c) => {
    const [r, g, b] = parse(c).slice(0, 3).map((v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(active);
  const ring = style.outlineColor;
  const background = getComputedStyle(behind).backgroundColor;
  const [a, b] = [luminance(ring), luminance(background)];
  return {
    id: active.dataset.testid ?? active.tagName,
    outline: style.outlineStyle,
    ring,
    background,
    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
  };
};

/** Focuses `locator` from the keyboard (Tab away and back), so :focus-visible applies. */
async function keyboardFocus(page, locator) {
  await locator.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  const ring = await page.evaluate(focusedRing);
  assert.equal(ring.outline, 'solid', `${ring.id} shows a ring`);
  return ring;
}

const THEMES = [
  ['light', {}], ['dark', { colorScheme: 'dark' }],
  ['light yellow', { css: YELLOW }], ['dark yellow', { colorScheme: 'dark', css: YELLOW }],
  ['dark white', { colorScheme: 'dark', css: 'support-widget { --support-widget-accent: #ffffff; }' }],
];

// Regression: the ring was derived against the panel only: 1:1 on the accent header, under 3:1
// on the bubble and the error banner.
test('the focus ring reads against what is behind it: header buttons, links in a reply, Retry', async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const [theme, options] of THEMES) {
    const page = await newPage(options);
    await open(page);
    await say(page, 'How long will the refund take?', '5 to 10 business days');
    const seen = [];
    for (const id of ['handoff', 'reset', 'close']) seen.push(await keyboardFocus(page, page.getByTestId(id)));
    if (theme === 'dark' || theme === 'light yellow') {
      await page.screenshot({ path: join(SHOTS, `focus-ring-${theme.replace(' ', '-')}.png`) });
    }
    seen.push(await keyboardFocus(page, page.getByTestId('source').first()));
    await page.context().close();
    const failing = await newPage({ ...options, endpoint: 'http://127.0.0.1:9/v1' });
    await open(failing);
    await fail(failing);
    seen.push(await keyboardFocus(failing, failing.getByTestId('retry')));
    await failing.context().close();
    for (const ring of seen) assert.ok(ring.ratio >= 3, `${theme}: ${JSON.stringify(ring)}`);
  }
});

// Regression: colours in other spaces than sRGB were not read, and white text stayed on them.
test('an accent in oklch or display-p3 gets dark text where it is light, before the widget loads too', async () => {
  for (const accent of ['oklch(0.852 0.199 91.936)', 'color(display-p3 1 0.8 0)']) {
    const page = await newPage({ css: `support-widget { --support-widget-accent: ${accent}; }` });
    const icon = () => page.evaluate(() => getComputedStyle(document.querySelector('support-widget').shadowRoot
      .querySelector('[data-testid=launcher]')).color);
    assert.ok(await page.evaluate(() => document.querySelector('support-widget').shadowRoot.querySelector('[data-sw-placeholder]')));
    assert.equal(await icon(), DARK_INK, `${accent}: the placeholder's icon`);
    await open(page);
    const title = await page.evaluate(() => getComputedStyle(document.querySelector('support-widget').shadowRoot.querySelector('.sw-title')).color);
    assert.equal(title, DARK_INK, `${accent}: the title`);
    assert.equal(await icon(), DARK_INK, `${accent}: the launcher's icon`);
    await page.context().close();
  }
});

test("the loader's placeholder icon is dark on a light accent and white on a dark one", async () => {
  for (const [css, expected] of [[YELLOW, DARK_INK], ['support-widget { --support-widget-accent: #0b1f4d; }', 'rgb(255, 255, 255)'],
    ['support-widget { --support-widget-accent: #ffcc00; --support-widget-accent-text: #0000ff; }', 'rgb(0, 0, 255)']]) {
    const page = await newPage({ css });
    const icon = await page.evaluate(() => getComputedStyle(document.querySelector('support-widget').shadowRoot
      .querySelector('[data-sw-placeholder] [data-testid=launcher]')).color);
    assert.equal(icon, expected, css);
    await page.context().close();
  }
});

// Regression: the colours were computed once, from the accent of the scheme at load, for both.
test('the text on the accent follows a change of colour scheme and an accent changed later', async () => {
  const css = 'support-widget { --support-widget-accent: #0b1f4d; } @media (prefers-color-scheme: dark) { support-widget { --support-widget-accent: #ffcc00; } }';
  const page = await newPage({ css });
  await open(page);
  const title = () => page.evaluate(() => getComputedStyle(document.querySelector('support-widget').shadowRoot.querySelector('.sw-title')).color);
  assert.equal(await title(), 'rgb(255, 255, 255)', 'white on navy');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction((ink) => getComputedStyle(document.querySelector('support-widget').shadowRoot.querySelector('.sw-title')).color === ink, DARK_INK);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => getComputedStyle(document.querySelector('support-widget').shadowRoot.querySelector('.sw-title')).color === 'rgb(255, 255, 255)');
  // A theme switcher on the page sets a light accent: the next open follows it.
  await page.getByTestId('close').click();
  await page.evaluate(() => document.querySelector('support-widget').style.setProperty('--support-widget-accent', '#ffcc00'));
  await open(page);
  assert.equal(await title(), DARK_INK);
  await page.context().close();
});

// Regression: Chromium's light placeholder grey (3.74:1) stayed on the dark composer.
test('the placeholder and form controls follow the theme', async () => {
  for (const [scheme, muted] of [['light', 'rgb(91, 100, 120)'], ['dark', 'rgb(154, 163, 181)']]) {
    const page = await newPage({ colorScheme: scheme });
    await open(page);
    const seen = await page.evaluate(() => {
      const root = document.querySelector('support-widget').shadowRoot;
      return {
        placeholder: getComputedStyle(root.querySelector('[data-testid=composer]'), '::placeholder').color,
        scheme: getComputedStyle(root.querySelector('.sw-root')).colorScheme,
      };
    });
    assert.deepEqual(seen, { placeholder: muted, scheme });
    await page.context().close();
  }
});

// Regression: in forced colours the pressed and the unpressed rating looked the same.
test('in forced colours the chosen rating is drawn differently from the other', async () => {
  const page = await newPage({ forcedColors: 'active' });
  await open(page);
  await say(page, 'How long will the refund take?', '5 to 10 business days');
  await page.getByTestId('rate-up').last().click();
  const look = (id) => page.evaluate((testId) => {
    const buttons = document.querySelector('support-widget').shadowRoot.querySelectorAll(`[data-testid=${testId}]`);
    const s = getComputedStyle(buttons[buttons.length - 1]);
    return { pressed: buttons[buttons.length - 1].getAttribute('aria-pressed'), background: s.backgroundColor, color: s.color };
  }, id);
  const [up, down] = [await look('rate-up'), await look('rate-down')];
  assert.equal(up.pressed, 'true');
  assert.notEqual(up.background, down.background, JSON.stringify({ up, down }));
  await page.context().close();
});
