// The release build's post_build hook (scripts/post-build.mjs): loader.js carries the id of
// the files it loads, and the minified loader still parses and works.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildId, minifyModule, stamp } from '../../scripts/post-build.mjs';
import { DIST, useServerAndBrowser } from './browser.mjs';

const env = useServerAndBrowser();
const SOURCE = readFileSync(join(import.meta.dirname, '../../src/loader/loader.js'), 'utf8');
const MARKER = "const build = 'dev';";

/** A staging directory with the files the id covers, and `loader` as loader.js. */
function staging(loader = SOURCE) {
  const dir = mkdtempSync(join(tmpdir(), 'post-build-'));
  mkdirSync(join(dir, 'locales'));
  const files = {
    'support-widget.js': 'export default 1;',
    'support-widget_bg.wasm': 'wasm',
    'orders.json': '[]',
    'help.json': '[{"h":1}]',
    'locales/fr.json': '{"fr":1}',
    'locales/de.json': '{"de":1}',
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 'loader.js'), loader);
  return dir;
}

test('the source loader has exactly one build marker', () => {
  assert.equal(SOURCE.split(MARKER).length, 2);
});

test('the id is a hash of the glue, the wasm, the orders, the help and the sorted tables', () => {
  const dir = staging();
  const expected = createHash('sha256')
    .update('export default 1;').update('wasm').update('[]').update('[{"h":1}]').update('{"de":1}').update('{"fr":1}')
    .digest('hex').slice(0, 16);
  assert.equal(buildId(dir), expected);
  writeFileSync(join(dir, 'help.json'), '[{"h":2}]');
  assert.notEqual(buildId(dir), expected, 'changed articles change the id');
  writeFileSync(join(dir, 'help.json'), '[{"h":1}]');
  writeFileSync(join(dir, 'locales/de.json'), '{"de":2}');
  assert.notEqual(buildId(dir), expected, 'a changed table changes the id');
});

test('stamping replaces the marker, once, with the id', () => {
  const dir = staging();
  const id = stamp(dir);
  const stamped = readFileSync(join(dir, 'loader.js'), 'utf8');
  assert.equal(stamped, SOURCE.replace(MARKER, `const build = '${id}';`));
  assert.throws(() => stamp(dir), /exactly one/, 'a stamped loader is not stamped again');
  assert.throws(() => stamp(staging(`${SOURCE}\n${MARKER}`)), /exactly one/);
});

test('the minified module keeps its exports and what it does', async () => {
  const js = await minifyModule(`
    // Our own helpers have long names and comments.
    function passStringAlong(longArgumentName) { return longArgumentName.length * 2; }
    export function initSync(module) { return passStringAlong(module); }
    export default async function init(module) { return initSync(module) + 1; }
  `);
  assert.doesNotMatch(js, /passStringAlong|longArgumentName|helpers/);
  const module = await import(`data:text/javascript,${encodeURIComponent(js)}`);
  assert.equal(module.initSync('abc'), 6);
  assert.equal(await module.default('abc'), 7);
});

test('the release loader is the stamped source, minified, with the id of the built files', async () => {
  const built = readFileSync(join(DIST, 'loader.js'), 'utf8');
  const id = buildId(DIST);
  assert.equal(built, await minifyModule(SOURCE.replace(MARKER, `const build = '${id}';`)));
  assert.ok(built.length < SOURCE.length / 1.5, `${built.length} bytes against ${SOURCE.length}`);
});

test('the minified loader draws the launcher and loads this build’s files', async () => {
  const context = await env.browser.newContext();
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const requested = [];
  p.on('request', (r) => requested.push(new URL(r.url())));
  await p.goto(`${env.server.url}/?endpoint=${env.server.url}/v1&orders=bundled`);
  await p.getByTestId('launcher').click();
  await p.getByTestId('composer').waitFor({ state: 'visible' });
  const widget = requested.filter((u) => /\/support-widget(_bg)?\.(js|wasm)$/.test(u.pathname));
  assert.deepEqual(widget.map((u) => u.searchParams.get('v')), [buildId(DIST), buildId(DIST)]);
  assert.deepEqual(errors, []);
  await context.close();
});
