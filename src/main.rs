//! Entry point of the widget's wasm bundle.

// talc instead of the default dlmalloc: smaller in the wasm (0.5 KB brotli) and faster.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    console_error_panic_hook::set_once();
    support_widget::mount();
}
