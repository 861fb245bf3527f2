//! The one place that calls fetch: proxy prefix, timeout, abort.

use std::cell::Cell;
use std::rc::Rc;

use crate::providers::{HttpRequest, HttpResponse, Method, proxied_url};

/// How long a request may take, body included.
pub const TIMEOUT_MS: u32 = 20_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// No answer within the timeout.
    Timeout,
    /// The view that asked went away.
    Aborted,
    /// fetch failed: offline, refused, DNS, or a response without CORS
    /// headers (the browser does not tell which).
    Network(String),
    /// The CORS proxy answered itself and did not forward the request (an
    /// upstream or origin off its allowlist, its rate limit).
    Proxy {
        status: u16,
        message: String,
        retry_after: Option<u32>,
    },
}

impl NetError {
    pub fn message(&self) -> String {
        match self {
            NetError::Timeout => crate::i18n::fill(
                crate::i18n::t().net_timeout().inner(),
                &[("s", &(TIMEOUT_MS / 1000))],
            ),
            NetError::Aborted => crate::i18n::t().net_cancelled().inner().into(),
            NetError::Network(why) => why.clone(),
            NetError::Proxy { message, .. } => message.clone(),
        }
    }
}

/// Aborts the requests of a view when it goes away.
#[derive(Clone)]
pub struct Abort(web_sys::AbortController);

impl Abort {
    pub fn new() -> Option<Abort> {
        web_sys::AbortController::new().ok().map(Abort)
    }

    pub fn abort(&self) {
        self.0.abort();
    }
}

/// Sends `req` directly, or through `proxy` (a cors-anywhere style prefix)
/// when it is not empty.
pub async fn send(
    req: &HttpRequest,
    proxy: &str,
    abort: Option<&Abort>,
) -> Result<HttpResponse, NetError> {
    // One controller per request: the timeout aborts it, and so does the
    // view's controller (through the abort listener below) when the view
    // goes away.
    let controller = web_sys::AbortController::new()
        .map_err(|_| NetError::Network("fetch is not available".into()))?;
    let signal = controller.signal();
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let outer = abort.map(|a| a.0.signal());
    if outer.as_ref().is_some_and(|s| s.aborted()) {
        return Err(NetError::Aborted);
    }
    // Follow the view's controller: abort ours when it aborts.
    let _follow = outer.as_ref().map(|s| {
        let controller = controller.clone();
        abort_listener::on_abort(s, move || controller.abort())
    });

    let url = proxied_url(proxy, &req.url);
    let builder = match req.method {
        Method::Get => gloo_net::http::Request::get(&url),
        Method::Post => gloo_net::http::Request::post(&url),
        Method::Delete => gloo_net::http::Request::delete(&url),
    };
    let mut builder = builder
        .abort_signal(Some(&signal))
        .cache(web_sys::RequestCache::NoStore)
        .referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let request = match &req.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|e| NetError::Network(e.to_string()))?;

    let failed = |e: gloo_net::Error| {
        if timed_out.get() {
            NetError::Timeout
        } else if signal.aborted() {
            NetError::Aborted
        } else {
            NetError::Network(e.to_string())
        }
    };
    let resp = request.send().await.map_err(failed)?;
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let from_proxy = resp.headers().get("x-snapdeck-proxy").is_some();
    let body = resp.binary().await.map_err(failed)?;
    drop(timer);
    if from_proxy {
        return Err(NetError::Proxy {
            status,
            message: crate::providers::proxy_refusal(&body),
            retry_after,
        });
    }
    Ok(HttpResponse {
        status,
        retry_after,
        body,
    })
}

/// A tiny abort-event listener, removed when dropped.
mod abort_listener {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    pub struct Listener {
        target: web_sys::AbortSignal,
        callback: Closure<dyn FnMut()>,
    }

    pub fn on_abort(target: &web_sys::AbortSignal, f: impl FnMut() + 'static) -> Listener {
        let callback = Closure::<dyn FnMut()>::new(f);
        let _ = target.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            callback,
        }
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            let _ = self.target.remove_event_listener_with_callback(
                "abort",
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Fetches a file served beside the panel (`snapdeck.json`); `None` when
/// there is none.
pub async fn get_static(path: &str) -> Result<Option<Vec<u8>>, NetError> {
    let resp = gloo_net::http::Request::get(path)
        .cache(web_sys::RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| NetError::Network(e.to_string()))?;
    match resp.status() {
        404 => Ok(None),
        200..=299 => resp
            .binary()
            .await
            .map(Some)
            .map_err(|e| NetError::Network(e.to_string())),
        status => Err(NetError::Network(format!("HTTP {status}"))),
    }
}
