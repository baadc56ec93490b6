// Removes from a release build the classes the glue exports for dependencies' own
// `#[wasm_bindgen]` types (wasm-streams' stream adapters, which Leptos's server functions link
// in). The widget's Rust exports no class, and loader.js only calls the glue's `init`, so
// nothing can construct them. wasm-bindgen keeps every export, and so does wasm-opt; binaryen's
// wasm-metadce takes them out of the wasm with the code only they reached, then the imports
// only that code called go from the glue as well.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The glue `js` and the `wasm` without the glue's exported classes. `metadce` is the path of
 * binaryen's wasm-metadce. Throws when the glue still uses what it removes.
 */
export function dropClasses(js, wasm, metadce) {
  const classes = [...js.matchAll(/^export class (\w+) \{$/gm)].map((m) => m[1]);
  if (classes.length === 0) return { js, wasm, classes };
  let removed = '';
  const cut = (pattern, what) => {
    const match = js.match(pattern);
    if (!match) throw new Error(`expected ${what} in the glue`);
    removed += match[0];
    js = js.replace(pattern, '');
  };
  for (const name of classes) {
    cut(new RegExp(`^export class ${name} \\{\\n[\\s\\S]*?\\n\\}\\n`, 'm'), `the class ${name}`);
    cut(
      new RegExp(`^if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\\n`, 'm'),
      `${name}'s dispose`,
    );
    cut(new RegExp(`^const ${name}Finalization = [\\s\\S]*?\\);\\n`, 'm'), `${name}'s finalization registry`);
    if (new RegExp(`\\b${name}\\b`).test(js)) throw new Error(`the glue still uses ${name}`);
  }
  const dropped = new Set([...removed.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1]));
  for (const name of dropped) {
    if (new RegExp(`\\bwasm\\.${name}\\b`).test(js)) throw new Error(`the glue still reads wasm.${name}`);
  }

  const module = new WebAssembly.Module(wasm);
  const graph = WebAssembly.Module.exports(module)
    .map((e) => e.name)
    .filter((name) => !dropped.has(name))
    .map((name, i) => ({ name: `export${i}`, root: true, export: name }));
  const dir = mkdtempSync(join(tmpdir(), 'drop-classes-'));
  try {
    writeFileSync(join(dir, 'graph.json'), JSON.stringify(graph));
    writeFileSync(join(dir, 'in.wasm'), wasm);
    execFileSync(metadce, ['--graph-file', join(dir, 'graph.json'), join(dir, 'in.wasm'), '-o', join(dir, 'out.wasm')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    wasm = readFileSync(join(dir, 'out.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Each import is one key of the glue's import object: `<name>: function(…) {…},`.
  const imported = new Set(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map((i) => i.name));
  for (const { name } of WebAssembly.Module.imports(module)) {
    if (imported.has(name)) continue;
    const entry = new RegExp(`\\n {8}${name}: function\\([^)]*\\) \\{\\n[\\s\\S]*?\\n {8}\\},`);
    if (!entry.test(js)) throw new Error(`expected the import ${name} in the glue`);
    js = js.replace(entry, '');
  }
  return { js, wasm, classes };
}
