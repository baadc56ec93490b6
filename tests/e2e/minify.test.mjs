// The release build's name minification (scripts/minify-names.mjs): the glue is rewritten to
// the wasm's new names, and a glue it cannot account for stops the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { minifyModule, rename } from '../../scripts/minify-names.mjs';

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
