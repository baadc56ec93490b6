#!/usr/bin/env node
// Trunk's post_build hook (see Trunk.toml). In a release build:
// 1. removes the classes the glue exports for dependencies (drop-classes.mjs), then optimizes
//    the wasm for size with wasm-opt -Oz (here rather than by Trunk, so that it runs after
//    the removal);
// 2. shortens the names between the wasm and its glue and minifies the glue
//    (minify-names.mjs);
// 3. stamps loader.js with a hash of the glue, the wasm, the order dataset and the language
//    tables, which it puts on their URLs (`support-widget.js?v=…`), so a cache can keep them
//    for good and never pairs one build's glue with another's wasm;
// 4. minifies loader.js, which every page view downloads.
// Debug builds (`trunk serve`) are left as they are.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { dropClasses } from './drop-classes.mjs';
import { binaryen, minify, minifyModule } from './minify-names.mjs';

/** Removes the glue's exported classes and optimizes the wasm in `dir` for size. */
export function optimize(dir) {
  const wasmPath = join(dir, 'support-widget_bg.wasm');
  const jsPath = join(dir, 'support-widget.js');
  const { js, wasm, classes } = dropClasses(readFileSync(jsPath, 'utf8'), readFileSync(wasmPath), binaryen('wasm-metadce'));
  writeFileSync(jsPath, js);
  writeFileSync(wasmPath, wasm);
  execFileSync(binaryen('wasm-opt'), ['-Oz', wasmPath, '-o', wasmPath], { stdio: 'inherit' });
  return classes;
}

/** Writes the build's id into `loader.js` in `dir`, and returns it. */
export function stamp(dir) {
  const hash = createHash('sha256');
  const locales = readdirSync(join(dir, 'locales')).sort().map((file) => join('locales', file));
  for (const file of ['support-widget.js', 'support-widget_bg.wasm', 'orders.json', ...locales]) hash.update(readFileSync(join(dir, file)));
  const build = hash.digest('hex').slice(0, 16);
  const path = join(dir, 'loader.js');
  const loader = readFileSync(path, 'utf8');
  const marker = "const build = 'dev';";
  if (loader.split(marker).length !== 2) throw new Error(`expected exactly one ${marker} in ${path}`);
  writeFileSync(path, loader.replace(marker, `const build = '${build}';`));
  return build;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) throw new Error('usage: post-build.mjs DIR (or run as a Trunk hook)');
  if (process.argv[2] || process.env.TRUNK_PROFILE === 'release') {
    console.log(`post-build: removed the glue's classes ${optimize(dir).join(', ') || '(none)'}; wasm optimized`);
    const { imports, exports } = await minify(dir);
    console.log(`post-build: ${imports} imports and ${exports} exports renamed, glue minified`);
    console.log(`post-build: loader.js stamped with build ${stamp(dir)}`);
    // Every page view downloads the loader: it goes out without its comments.
    const loader = join(dir, 'loader.js');
    writeFileSync(loader, await minifyModule(readFileSync(loader, 'utf8')));
  }
}
