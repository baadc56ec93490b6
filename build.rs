//! Release builds embed the widget's stylesheet minified (comments and spaces out: 0.3 KB
//! brotli of the download); other builds embed it as written, for reading in the dev tools.

use std::path::PathBuf;

fn main() {
    const SOURCE: &str = "src/widget.css";
    println!("cargo:rerun-if-changed={SOURCE}");
    let css = std::fs::read_to_string(SOURCE).expect("src/widget.css is readable");
    let css = if std::env::var("PROFILE").as_deref() == Ok("release") {
        minifier::css::minify(&css)
            .expect("src/widget.css is valid CSS")
            .to_string()
    } else {
        css
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("widget.css"), css).expect("OUT_DIR is writable");
}
