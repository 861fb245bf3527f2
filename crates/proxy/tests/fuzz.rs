//! The request target parser, fed arbitrary bytes: it runs before the
//! origin check, so any client reaches it. It must never panic. Inputs
//! from `PROPTEST_CASES` (default 4,000; `scripts/fuzz` runs 1,000,000).

use hyper::Uri;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[test]
fn the_target_parser_takes_any_bytes() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    // Text after one of the prefixes a target starts with: visible ASCII
    // and any Unicode character (the HTTP layer passes UTF-8 through: the
    // panic that was found came from an `é`), now and then a raw byte.
    let prefixes = prop::sample::select(vec!["/", "/http:", "/https:/", "/HTTPS://", "/http://h"]);
    let piece = prop_oneof![
        8 => (0x21u8..0x7f).prop_map(|b| vec![b]),
        3 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    let strategy = (
        prefixes,
        prop::collection::vec(piece, 0..80).prop_map(|p| p.concat()),
    );
    let count = std::cell::Cell::new(0u64);
    let parsed = std::cell::Cell::new(0u64);
    runner
        .run(&strategy, |(prefix, tail)| {
            count.set(count.get() + 1);
            let mut raw = prefix.as_bytes().to_vec();
            raw.extend_from_slice(&tail);
            // What the HTTP layer accepts as a target reaches the parser.
            if let Ok(uri) = Uri::from_maybe_shared(bytes::Bytes::from(raw)) {
                parsed.set(parsed.get() + 1);
                let _ = snapdeck_proxy::parse_target(&uri);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("target parser: {e}"));
    println!(
        "fuzz proxy target: {} inputs ({} accepted by the HTTP layer), no panic",
        count.get(),
        parsed.get()
    );
    assert!(
        parsed.get() > count.get() / 10,
        "the generator reaches the parser"
    );
}
