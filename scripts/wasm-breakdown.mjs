#!/usr/bin/env node
// Where the release wasm's bytes go, by crate, measured with twiggy (installed from crates.io
// on first use). Run after `trunk build --release` (scripts/bench-widget.mjs calls it):
//   node scripts/wasm-breakdown.mjs [--top N]
//
// The shipped wasm has no names: Trunk's wasm-opt drops the `name` section. wasm-bindgen's
// output, which Trunk keeps under the cargo target directory, still has it, so this runs the
// same `wasm-opt -Oz` on that file twice: once as Trunk does, which must give back
// dist/support-widget_bg.wasm byte for byte (else the breakdown would be of another build),
// and once with `--debuginfo`, which keeps the names. twiggy lists every item of the named
// copy with its shallow size; the shallow sizes add up to the file, so grouping them by crate
// accounts for every byte once. A function belongs to the first crate its demangled name
// mentions, except that code of core/alloc/std instantiated for another crate's type
// (`core::ptr::drop_in_place<leptos::…>`, `<alloc::vec::Vec<T> as serde::Serialize>`) counts
// for that crate: it is there because of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const NAME = 'support-widget';
const STD = new Set(['core', 'alloc', 'std']);
const PATH = `${join(ROOT, 'tools/node_modules/.bin')}:${process.env.PATH}`;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, PATH } });

/** Installs twiggy unless it is already on PATH. */
function ensureTwiggy() {
  if (spawnSync('twiggy', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.error('wasm-breakdown: installing twiggy (cargo install --locked twiggy)');
  const install = spawnSync('cargo', ['install', '--locked', 'twiggy'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (install.status !== 0) throw new Error('`cargo install --locked twiggy` failed');
}

/** Whether twiggy's item is part of the `name` section, which the shipped wasm lacks. */
const isName = (name) => / subsection$/.test(name) || name === "custom section 'name' headers";

/** The crate (or group) an item of the wasm is counted for, from twiggy's name for it. */
export function crateOf(name) {
  if (name.startsWith('data segment ')) return '(data: constants, strings, the stylesheet)';
  if (/^code\[\d+\]$/.test(name)) return '(unnamed functions)';
  if (name.startsWith('import ')) return "(imports: the glue's functions, by wasm-bindgen's names)";
  if (/^(type|table|elem|global|memory)\[|^export |^custom section |section headers$|^wasm magic bytes$/.test(name)) {
    return '(module structure: exports, types, tables, headers)';
  }
  // Inherent methods of primitive types (`<u32>::_fmt`, `<[u8]>::starts_with`) are core's.
  if (/^<(\[.*\]|[a-z]+\d*)>::/.test(name)) return 'core';
  // v0 symbols keep the crate's disambiguator: `core[c5930c85a12de822]::str::…`.
  const crates = [...name.replace(/\[[0-9a-f]+\]::/g, '::').matchAll(/(?<![\w:])([a-z_][a-z0-9_]*)::/g)].map((m) => m[1]);
  if (crates[0] === '__rustc') return 'std'; // rustc's allocator and panic shims
  if (crates.length > 0) return STD.has(crates[0]) ? crates.find((c) => !STD.has(c)) ?? crates[0] : crates[0];
  // Exports wasm-bindgen generates for a dependency's exported classes, by the class.
  if (/^(__wbg_)?intounderlying/.test(name)) return 'wasm_streams';
  if (/^__wbindgen|^__externref| externref shim$/.test(name)) return 'wasm_bindgen';
  if (/^(__\w+|mem(cpy|set|move|cmp)|round|floor|ceil|trunc|fmod|fmin|fmax)f?$/.test(name)) return 'compiler_builtins';
  if (name === 'main') return 'std';
  return '(other symbols)';
}

/**
 * `{ crates: [{ crate, bytes }], total, shipped, nameSection }` for the release wasm in `dist`,
 * largest crate first. Throws if the cargo target directory holds another build's output.
 */
export function breakdown(dist = join(ROOT, 'dist')) {
  ensureTwiggy();
  const target = JSON.parse(run('cargo', ['metadata', '--format-version', '1', '--no-deps'])).target_directory;
  const bindgen = join(target, 'wasm-bindgen', 'release', `${NAME}_bg.wasm`);
  const tmp = mkdtempSync(join(tmpdir(), 'wasm-breakdown-'));
  try {
    const plain = join(tmp, 'plain.wasm');
    const named = join(tmp, 'named.wasm');
    // Trunk's own arguments (src/pipelines/rust in trunk 0.21), so the result can be compared.
    run('wasm-opt', [`--output=${plain}`, '-Oz', bindgen]);
    const shipped = readFileSync(join(dist, `${NAME}_bg.wasm`));
    if (!readFileSync(plain).equals(shipped)) {
      throw new Error(`${bindgen} does not optimise to dist/${NAME}_bg.wasm: rebuild with \`trunk build --release\``);
    }
    run('wasm-opt', [`--output=${named}`, '-Oz', '--debuginfo', bindgen]);
    const items = JSON.parse(run('twiggy', ['top', '-n', '1000000', '--format', 'json', named]));
    const bytes = new Map();
    let nameSection = 0;
    for (const { name, shallow_size: size } of items) {
      if (isName(name)) { nameSection += size; continue; }
      const crate = crateOf(name);
      bytes.set(crate, (bytes.get(crate) ?? 0) + size);
    }
    const crates = [...bytes].map(([crate, n]) => ({ crate, bytes: n })).sort((a, b) => b.bytes - a.bytes);
    const total = crates.reduce((sum, c) => sum + c.bytes, 0);
    return { crates, total, shipped: shipped.length, nameSection };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A Markdown table of `result` with the `top` largest crates and the rest summed. */
export function table({ crates, total, shipped }, top = 15) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const pct = (n) => `${((100 * n) / total).toFixed(1)} %`;
  const lines = ['| crate (twiggy, shallow bytes after wasm-opt) | size | share |', '|---|---|---|'];
  for (const { crate, bytes } of crates.slice(0, top)) lines.push(`| ${crate} | ${kb(bytes)} | ${pct(bytes)} |`);
  const rest = crates.slice(top);
  if (rest.length) {
    const bytes = rest.reduce((sum, c) => sum + c.bytes, 0);
    lines.push(`| ${rest.length} other crates and groups | ${kb(bytes)} | ${pct(bytes)} |`);
  }
  const of = total === shipped ? 'every byte of the shipped wasm' : `the shipped wasm is ${kb(shipped)}`;
  lines.push(`| total (${of}) | ${kb(total)} | 100 % |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--top');
  console.log(table(breakdown(), at > 0 ? Number(process.argv[at + 1]) : undefined));
}
