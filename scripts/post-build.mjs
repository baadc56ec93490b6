#!/usr/bin/env node
// Trunk's post_build hook (see Trunk.toml). In a release build it touches only our own
// loader.js, never what wasm-bindgen or wasm-opt produced:
// 1. stamps it with a hash of the glue, the wasm, the order dataset, the help articles'
//    passages (help.json, written by the pre_build hook) and the language tables,
//    which it puts on their URLs (`support-widget.js?v=…`), so a cache can keep them for good
//    and never pairs one build's glue with another's wasm;
// 2. minifies it with terser (from tools/), since every page view downloads it.
// Debug builds (`trunk serve`) are left as they are.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const MARKER = "const build = 'dev';";

/** The build's id: a hash of the files the loader fetches, in a fixed order. */
export function buildId(dir) {
  const hash = createHash('sha256');
  const locales = readdirSync(join(dir, 'locales')).sort().map((file) => join('locales', file));
  for (const file of ['support-widget.js', 'support-widget_bg.wasm', 'orders.json', 'help.json', ...locales]) {
    hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes the build's id into `loader.js` in `dir`, and returns it. */
export function stamp(dir) {
  const build = buildId(dir);
  const path = join(dir, 'loader.js');
  const loader = readFileSync(path, 'utf8');
  if (loader.split(MARKER).length !== 2) throw new Error(`expected exactly one ${MARKER} in ${path}`);
  writeFileSync(path, loader.replace(MARKER, `const build = '${build}';`));
  return build;
}

/** An ES module minified: its exports keep their names. */
export async function minifyModule(js) {
  const { minify } = createRequire(join(ROOT, 'tools/package.json'))('terser');
  const { code } = await minify(js, { module: true, ecma: 2020, compress: { passes: 2 } });
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) throw new Error('usage: post-build.mjs DIR (or run as a Trunk hook)');
  if (process.argv[2] || process.env.TRUNK_PROFILE === 'release') {
    console.log(`post-build: loader.js stamped with build ${stamp(dir)}`);
    const loader = join(dir, 'loader.js');
    writeFileSync(loader, await minifyModule(readFileSync(loader, 'utf8')));
    console.log('post-build: loader.js minified');
  }
}
