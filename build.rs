//! The texts in `locales/` are read at compile time (`load_locales!` in
//! `src/i18n.rs`), which cargo does not see: without this, a changed text
//! would keep the old build.
fn main() {
    println!("cargo::rerun-if-changed=locales");
}
