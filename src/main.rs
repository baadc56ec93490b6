//! Entry point of the widget's wasm bundle.

fn main() {
    console_error_panic_hook::set_once();
    support_widget::mount();
}
