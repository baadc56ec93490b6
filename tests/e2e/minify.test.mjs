// The release build's name minification (scripts/minify-names.mjs): the glue is rewritten to
// the wasm's new names, and a glue it cannot account for stops the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dropClasses } from '../../scripts/drop-classes.mjs';
import { binaryen, minifyModule, rename } from '../../scripts/minify-names.mjs';

// A module importing `a`.`b` and exporting `c`: what binaryen leaves after minifying.
const WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x02, 0x07, 0x01, 0x01, 0x61, 0x01, 0x62, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x05, 0x01, 0x01, 0x63, 0x00, 0x01,
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
]);

const MAPPING = {
  imports: [['./w_bg.js', '__wbg_focus_0123456789abcdef', 'b']],
  exports: [['__wbindgen_start', 'c']],
};

const glue = (key = '__wbg_focus_0123456789abcdef', call = 'wasm.__wbindgen_start();') => `
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        ${key}: function(arg0) {
            arg0.focus();
        },
    };
    return {
        __proto__: null,
        "./w_bg.js": import0,
    };
}
${call}
`;

test('the glue gets the wasm’s new import, module and export names', () => {
  const js = rename(glue(), MAPPING, WASM);
  assert.match(js, /\n {8}"b": function\(arg0\)/);
  assert.match(js, /\n {8}"a": import0/);
  assert.match(js, /wasm\["c"\]\(\);/);
  assert.doesNotMatch(js, /0123456789abcdef|__wbindgen_start|w_bg/);
});

test('a glue that does not match the mapping fails the build', () => {
  assert.throws(() => rename(glue('__wbg_blur_0123456789abcdef'), MAPPING, WASM), /exactly one/);
  assert.throws(() => rename(glue(undefined, 'wasm.__wbindgen_free();'), MAPPING, WASM), /wasm\.__wbindgen_free/);
  const otherExport = { ...MAPPING, exports: [['__wbindgen_start', 'd']] };
  assert.throws(() => rename(glue(), otherExport, WASM), /lacks/);
});

test('the minified glue keeps its module exports and what it does', async () => {
  const js = await minifyModule(`
    // The glue's own helpers have long names and comments.
    function passStringToWasm(longArgumentName) { return longArgumentName.length * 2; }
    export function initSync(module) { return passStringToWasm(module); }
    export default async function __wbg_init(module) { return initSync(module) + 1; }
  `);
  assert.doesNotMatch(js, /passStringToWasm|longArgumentName|helpers/);
  const url = `data:text/javascript,${encodeURIComponent(js)}`;
  const glue = await import(url);
  assert.equal(glue.initSync('abc'), 6);
  assert.equal(await glue.default('abc'), 7);
});

// A wasm exporting a start function and the two functions of a class `Foo`; only `Foo`'s code
// calls the import `a`.`log`.
const CLASS_WAT = `(module
  (import "a" "log" (func $log (param i32)))
  (func $start (export "__wbindgen_start"))
  (func $helper (param i32) (call $log (local.get 0)))
  (func (export "foo_bar") (param i32) (call $helper (local.get 0)))
  (func (export "__wbg_foo_free") (param i32 i32)))`;

const classGlue = (extra = '') => `export class Foo {
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_foo_free(ptr, 0);
    }
    bar(x) {
        wasm.foo_bar(x);
    }
}
if (Symbol.dispose) Foo.prototype[Symbol.dispose] = Foo.prototype.free;

function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        log: function(arg0) {
            console.log(arg0);
        },
        other: function() {
            return 1;
        },
    };
    return { __proto__: null, a: import0 };
}
const FooFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_foo_free(ptr, 1));
wasm.__wbindgen_start();
${extra}`;

function assemble(wat) {
  const dir = mkdtempSync(join(tmpdir(), 'wat-'));
  writeFileSync(join(dir, 'm.wat'), wat);
  execFileSync(binaryen('wasm-as'), [join(dir, 'm.wat'), '-o', join(dir, 'm.wasm')]);
  return readFileSync(join(dir, 'm.wasm'));
}

test('a class the glue exports goes, with its wasm exports, its code and its imports', () => {
  const { js, wasm, classes } = dropClasses(classGlue(), assemble(CLASS_WAT), binaryen('wasm-metadce'));
  assert.deepEqual(classes, ['Foo']);
  assert.doesNotMatch(js, /Foo|foo_bar|__wbg_foo_free|\blog:/);
  assert.match(js, /other: function\(\) \{/);
  assert.match(js, /wasm\.__wbindgen_start\(\);/);
  const module = new WebAssembly.Module(wasm);
  assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name), ['__wbindgen_start']);
  assert.deepEqual(WebAssembly.Module.imports(module), []);
});

test('a class the glue still uses is not removed', () => {
  assert.throws(
    () => dropClasses(classGlue('new Foo();'), assemble(CLASS_WAT), binaryen('wasm-metadce')),
    /still uses Foo/,
  );
  assert.throws(
    () => dropClasses(classGlue('wasm.foo_bar(1);'), assemble(CLASS_WAT), binaryen('wasm-metadce')),
    /still reads wasm\.foo_bar/,
  );
});
