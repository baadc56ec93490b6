//! Entry point of the widget's wasm bundle.

// talc instead of the default dlmalloc: smaller in the wasm (0.5 KB brotli) and faster.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // A panic is a bug: say where on the console. (The console shows the JavaScript stack
    // with it.)
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("support-widget: {info}").into());
    }));
    support_widget::mount();
}
