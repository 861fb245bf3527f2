//! Every parser of untrusted input, fed arbitrary bytes and mutations of
//! real documents: none may panic (a wasm panic kills the panel). The
//! number of inputs comes from `PROPTEST_CASES` (default 4,000 per parser;
//! `scripts/fuzz` runs 1,000,000 each) and is printed.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use snapdeck::model::ProviderKind;
use snapdeck::providers::{self, HttpResponse, ListScope};

/// Real documents to mutate: what the providers send, a `snapdeck.json`.
const SEEDS: [&str; 8] = [
    r#"{"status":true,"message":"Snapshot list created","error":null,"data":{"snapshots":[{"name":"DenemeSnapshot","current":false,"state":"running","location":"internal","parent":"-","children":1,"descendants":1,"metadata":true,"params":{"is_cron":true,"last_run":"2020-11-24T02:03:00+03:00","next_run":"2020-11-24T02:03:00+03:00","cron_time":"Her 1 günde bir 02:03 saatinde"},"date":"2020-11-23T15:31:07+03:00"}]}}"#,
    r#"{"status":true,"message":"","error":null,"data":{"pagination":{"current_page":1,"total_page":1},"server_list":[{"name":"web01","osapp":"Ubuntu","service":"active","status":"running","ipv4":"203.0.113.5","ipv6":"","created_time":"10.12.2020 20:56:18"}]}}"#,
    r#"{"status":false,"message":"","error":"Server backup not found!","data":null}"#,
    r#"{"count":1,"results":[{"id":801,"server":{"id":12345,"name":"web-server-01"},"name":"pre-migration","status":"completed","size_mb":5120,"created_at":"2025-01-15T18:30:00Z","description":"x"}]}"#,
    r#"{"count":1,"results":[{"id":12345,"name":"web-server-01","hostname":"h","status":"active","ip_address":"203.0.113.10","os":{"id":5,"name":"Ubuntu"},"created_at":"2025-01-10T14:30:00Z"}]}"#,
    r#"{"status":"success","message":"m","snapshot":{"id":801,"name":"a","created_at":"2025-01-15T18:30:00Z"},"server":{"id":1,"name":"s","status":"restoring"}}"#,
    r#"{"name":["Use letters"],"non_field_errors":["Snapshot limit reached"],"detail":"x"}"#,
    r#"{"proxy":"https://proxy.example.com/","accounts":[{"provider":"ilkbyte","label":"P","base_url":"https://api.ilkbyte.com","access_key":"a","secret_key":"b"},{"provider":"vpsorg","label":"S","proxy":""}]}"#,
];

/// Arbitrary bytes, or a seed with bytes replaced, inserted and cut.
fn inputs() -> impl Strategy<Value = Vec<u8>> {
    let arbitrary = prop::collection::vec(any::<u8>(), 0..600);
    let mutated = (
        0..SEEDS.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..12),
    )
        .prop_map(|(seed, edits)| {
            let mut doc = SEEDS[seed].as_bytes().to_vec();
            for (at, byte, how) in edits {
                if doc.is_empty() {
                    doc.push(byte);
                    continue;
                }
                let i = at.index(doc.len());
                match how {
                    0 => doc[i] = byte,
                    1 => doc.insert(i, byte),
                    _ => {
                        doc.truncate(i);
                    }
                }
            }
            doc
        });
    prop_oneof![arbitrary, mutated]
}

/// Runs `check` on `PROPTEST_CASES` inputs and prints how many.
fn fuzz(name: &str, check: impl Fn(&[u8])) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let count = std::cell::Cell::new(0u64);
    runner
        .run(&inputs(), |bytes| {
            count.set(count.get() + 1);
            check(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    println!("fuzz {name}: {} inputs, no panic", count.get());
}

fn response(status: u16, body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: None,
        body: body.to_vec(),
    }
}

#[test]
fn ilkbyte_response_parsers() {
    fuzz("ilkbyte responses", |bytes| {
        let kind = ProviderKind::Ilkbyte;
        for status in [200, 401, 500] {
            let r = response(status, bytes);
            let _ = providers::parse_snapshots(kind, &ListScope::Server("web01".into()), &r);
            let _ = providers::parse_servers(kind, &r);
            let _ = providers::parse_operation(kind, &r);
            let _ = providers::parse_account_check(kind, &r);
        }
    });
}

#[test]
fn vpsorg_response_parsers() {
    fuzz("VPS.org responses", |bytes| {
        let kind = ProviderKind::Vpsorg;
        for status in [200, 201, 204, 400, 404, 429] {
            let r = response(status, bytes);
            let _ = providers::parse_snapshots(kind, &ListScope::Account, &r);
            let _ = providers::parse_servers(kind, &r);
            let _ = providers::parse_operation(kind, &r);
            let _ = providers::parse_account_check(kind, &r);
        }
    });
}

#[test]
fn snapdeck_json_parser() {
    fuzz("snapdeck.json", |bytes| {
        let _ = snapdeck::config::parse(bytes);
    });
}

#[test]
fn date_parsers() {
    fuzz("dates", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        // Also the tails of a real date: every prefix and suffix shape.
        let _ = snapdeck::time::parse_rfc3339(&text);
        let _ = snapdeck::time::parse_ilkbyte_dmy(&text);
        let date = format!("2020-11-23T15:31:07{text}");
        let _ = snapdeck::time::parse_rfc3339(&date);
        let dmy = format!("23.11.2020 {text}");
        let _ = snapdeck::time::parse_ilkbyte_dmy(&dmy);
    });
}
