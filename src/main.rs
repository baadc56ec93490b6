//! Entry point of the widget's wasm bundle.

fn main() {
    // A panic is a bug: say where on the console.
    console_error_panic_hook::set_once();
    support_widget::mount();
}
