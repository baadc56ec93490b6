// Launches Debian's Chromium for the end-to-end tests (never a downloaded browser), and the
// per-file setup they share.
import { after, before } from 'node:test';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { start } from './server.mjs';

/** The built widget and demo page. */
export const DIST = process.env.DIST ?? join(import.meta.dirname, '../../dist');

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
      '--disable-background-networking', '--disable-component-update'],
  });
}

/**
 * Registers hooks that start the scripted server (serving `DIST`) and Chromium for the test
 * file, and stop them after it; `server` and `browser` are set on the returned object.
 */
export function useServerAndBrowser(options = {}) {
  const env = {};
  before(async () => {
    env.server = await start({ dist: DIST, ...options });
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
