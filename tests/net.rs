//! net.rs in a real browser (headless Chromium through wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use snapdeck::net::{self, Abort, NetError};
use snapdeck::providers::{HttpRequest, Method};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(url: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: url.into(),
        headers: Vec::new(),
        body: None,
    }
}

#[wasm_bindgen_test]
async fn a_missing_deployment_file_is_none_not_an_error() {
    let got = net::get_static("no-such-snapdeck.json").await;
    assert_eq!(got, Ok(None));
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_network_error() {
    // Port 9 (discard) is closed on the test machine.
    let got = net::send(&get("http://127.0.0.1:9/account"), "", None).await;
    assert!(matches!(got, Err(NetError::Network(_))), "{got:?}");
}

#[wasm_bindgen_test]
async fn an_aborted_view_aborts_its_requests() {
    let abort = Abort::new().expect("AbortController");
    abort.abort();
    let got = net::send(&get("http://127.0.0.1:9/account"), "", Some(&abort)).await;
    assert_eq!(got, Err(NetError::Aborted));
}

#[wasm_bindgen_test]
async fn responses_carry_status_and_body() {
    // The test runner serves the page itself: fetch its own origin.
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let got = net::send(&get(&format!("{origin}/")), "", None)
        .await
        .expect("a response");
    assert_eq!(got.status, 200);
    assert!(!got.body.is_empty());
    // Through a "proxy" prefix that is the same origin: the URL is the prefix
    // form, so the runner answers 404 for it, and that is still a response.
    let proxied = net::send(
        &get("https://api.ilkbyte.com/account"),
        &format!("{origin}/"),
        None,
    )
    .await
    .expect("a response");
    assert_eq!(proxied.status, 404);
}
