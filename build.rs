//! Turns the translation files (`locales/<lang>.json`, flat objects of
//! key → text) into one `Texts` struct with a field per key and a static
//! per language. A key the code uses but `en.json` lacks is a compile
//! error; a key missing or empty in another language is built as "" and
//! fails `i18n::tests::every_key_in_every_language`.

use std::collections::BTreeMap;
use std::fmt::Write;

const LANGS: [(&str, &str); 2] = [("EN", "en"), ("TR", "tr")];

fn read(code: &str) -> BTreeMap<String, String> {
    let path = format!("locales/{code}.json");
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    let en = read("en");
    let mut out = String::from(
        "/// Every text of the panel, one field per key of `locales/en.json`.\n\
         pub struct Texts {\n",
    );
    for key in en.keys() {
        assert!(
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "locales/en.json: the key {key:?} is not snake_case"
        );
        writeln!(out, "    pub {key}: &'static str,").unwrap();
    }
    out.push_str("}\n");
    for (name, code) in LANGS {
        let texts = read(code);
        writeln!(out, "pub static {name}: Texts = Texts {{").unwrap();
        for key in en.keys() {
            let text = texts.get(key).map(String::as_str).unwrap_or("");
            writeln!(out, "    {key}: {text:?},").unwrap();
        }
        out.push_str("};\n");
    }
    // For the tests: every key with its text, in key order.
    out.push_str("impl Texts {\n    #[cfg(test)]\n    pub fn entries(&self) -> Vec<(&'static str, &'static str)> {\n        vec![\n");
    for key in en.keys() {
        writeln!(out, "            ({key:?}, self.{key}),").unwrap();
    }
    out.push_str("        ]\n    }\n}\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("texts.rs");
    std::fs::write(dest, out).unwrap();
}
