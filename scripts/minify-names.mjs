#!/usr/bin/env node
// Shortens the names the widget's wasm and its JavaScript glue use for each other, in a release
// build (called by post-build.mjs, Trunk's post_build hook).
//
// wasm-bindgen names every import after the JS function it calls plus a 16-digit hash
// (`__wbg_addEventListener_3acb0aad4483804c`), and each name is written twice: in the wasm's
// import section and in the glue's import object. The hashes do not compress, so the names
// cost about 4 KB brotli of the widget's download. binaryen's
// `--minify-imports-and-exports-and-modules` renames them in the wasm and prints the mapping;
// this script applies the mapping to the glue and then checks that every import the wasm asks
// for is provided under its new name and that every export the glue reads exists, so a
// wasm-bindgen that writes its glue differently fails the build instead of the page. Then
// terser minifies the glue (its comments and long helper names are another 2 KB brotli).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = 'support-widget';
const ROOT = join(import.meta.dirname, '..');

export async function minify(dir, wasmOpt = binaryen('wasm-opt')) {
  const wasmPath = join(dir, `${NAME}_bg.wasm`);
  const jsPath = join(dir, `${NAME}.js`);
  const tmp = `${wasmPath}.min`;
  const mapping = JSON.parse(
    // The producers and target-features sections are notes for tools; browsers skip them.
    execFileSync(wasmOpt, ['--minify-imports-and-exports-and-modules', '--strip-producers', '--strip-target-features', wasmPath, '-o', tmp], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    }),
  );
  const wasm = readFileSync(tmp);
  const js = await minifyModule(rename(readFileSync(jsPath, 'utf8'), mapping, wasm));
  renameSync(tmp, wasmPath);
  writeFileSync(jsPath, js);
  return { imports: mapping.imports.length, exports: mapping.exports.length };
}

/** The glue `js` with the names in `mapping` applied, checked against the renamed `wasm`. */
export function rename(js, mapping, wasm) {
  const module = new WebAssembly.Module(wasm);
  const modules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  const oldModules = new Set(mapping.imports.map(([m]) => m));
  if (modules.size !== 1 || oldModules.size !== 1) {
    throw new Error(`expected one import module, found ${[...oldModules]} -> ${[...modules]}`);
  }
  const [oldModule] = oldModules;
  const [newModule] = modules;
  // The import object is `{ __proto__: null, "<module>": import0 }`; its key is the module.
  js = replaceOnce(js, `${JSON.stringify(oldModule)}:`, `${JSON.stringify(newModule)}:`);
  for (const [, oldName, newName] of mapping.imports) {
    // Each import is one key of the import object: `<name>: function(…) {…}`.
    js = replaceOnce(js, `\n        ${oldName}: `, `\n        ${JSON.stringify(newName)}: `);
  }
  for (const [oldName, newName] of mapping.exports) {
    js = js.replaceAll(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, 'g'), `wasm[${JSON.stringify(newName)}]`);
  }
  check(js, module, newModule);
  return js;
}

function check(js, module, moduleName) {
  const provided = new Set([...js.matchAll(/\n {8}("(?:[^"\\]|\\.)*"): /g)].map((m) => JSON.parse(m[1])));
  for (const { module: m, name } of WebAssembly.Module.imports(module)) {
    if (m !== moduleName || !provided.has(name)) throw new Error(`the glue does not provide import ${m}.${name}`);
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const [, name] of js.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)) {
    throw new Error(`the glue still reads wasm.${name}, which the mapping did not cover`);
  }
  for (const [, name] of js.matchAll(/\bwasm\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (!exported.has(JSON.parse(name))) throw new Error(`the glue reads export ${name}, which the wasm lacks`);
  }
}

/** An ES module minified (the glue, the loader): its exports keep their names. */
export async function minifyModule(js) {
  const { minify: terser } = createRequire(join(ROOT, 'tools/package.json'))('terser');
  const { code } = await terser(js, { module: true, ecma: 2020, compress: { passes: 2 } });
  return code;
}

function replaceOnce(text, from, to) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`expected exactly one ${JSON.stringify(from.trim())} in the glue`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The path of binaryen's `tool`: the one in tools/ (see its package.json), else the PATH's. */
export function binaryen(tool) {
  const local = join(ROOT, 'tools/node_modules/.bin', tool);
  return existsSync(local) ? local : tool;
}
