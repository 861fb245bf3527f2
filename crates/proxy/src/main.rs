use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use snapdeck_proxy::{Config, DEFAULT_UPSTREAMS, LogSink, Origins, Proxy, Upstream, serve};

/// A small, allowlisted CORS proxy for the Snapdeck panel.
///
/// Requests take the form METHOD http://proxy/<absolute upstream URL>.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SNAPDECK_PROXY_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Upstream origins that may be reached (scheme://host[:port]); replaces the defaults.
    #[arg(long = "allow-upstream", env = "SNAPDECK_PROXY_ALLOW_UPSTREAM", value_delimiter = ',', num_args = 1..)]
    allow_upstream: Vec<String>,
    /// Browser origins that may use the proxy (exact match; `*` for any).
    #[arg(long = "allow-origin", env = "SNAPDECK_PROXY_ALLOW_ORIGIN", value_delimiter = ',', num_args = 1.., required = true)]
    allow_origin: Vec<String>,
    /// Also serve requests that carry no Origin header (same-origin hosting, scripts).
    #[arg(long, env = "SNAPDECK_PROXY_ALLOW_NO_ORIGIN")]
    allow_no_origin: bool,
    /// Largest request body, in bytes.
    #[arg(long, env = "SNAPDECK_PROXY_MAX_BODY", default_value_t = 64 * 1024)]
    max_body: usize,
    /// Largest upstream response body, in bytes (a larger one is a 502).
    #[arg(long, env = "SNAPDECK_PROXY_MAX_RESPONSE", default_value_t = 8 * 1024 * 1024)]
    max_response: usize,
    /// Seconds for a whole upstream exchange (connect, headers, body) before a 504.
    #[arg(long, env = "SNAPDECK_PROXY_TIMEOUT", default_value_t = 30.0)]
    timeout: f64,
    /// Seconds for a client's whole request (headers, body) before a 408; also
    /// how long an idle keep-alive connection stays open.
    #[arg(long, env = "SNAPDECK_PROXY_REQUEST_TIMEOUT", default_value_t = 10.0)]
    request_timeout: f64,
    /// Requests per second per client address before a 429 (0: no limit).
    #[arg(long, env = "SNAPDECK_PROXY_RATE_LIMIT", default_value_t = 20)]
    rate_limit: u32,
    /// Requests a client may send at once before the rate applies.
    #[arg(long, env = "SNAPDECK_PROXY_RATE_BURST", default_value_t = 40)]
    rate_burst: u32,
    /// Open connections in all; more are answered 503 and closed.
    #[arg(long, env = "SNAPDECK_PROXY_MAX_CONNECTIONS", default_value_t = 768)]
    max_connections: usize,
    /// Open connections per client address; more are answered 429 and closed.
    #[arg(
        long,
        env = "SNAPDECK_PROXY_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 64
    )]
    max_connections_per_client: usize,
    /// Read the client address from X-Forwarded-For (only behind a reverse proxy you run).
    #[arg(long, env = "SNAPDECK_PROXY_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Do not log requests.
    #[arg(long, env = "SNAPDECK_PROXY_QUIET")]
    quiet: bool,
}

fn main() {
    // A panic's message can quote request data: print where, not what.
    snapdeck_proxy::install_panic_hook();
    let args = Args::parse();
    let upstream_list: Vec<String> = if args.allow_upstream.is_empty() {
        DEFAULT_UPSTREAMS.iter().map(|s| s.to_string()).collect()
    } else {
        args.allow_upstream.clone()
    };
    let upstreams: Vec<Upstream> = match upstream_list.iter().map(|u| Upstream::parse(u)).collect()
    {
        Ok(u) => u,
        Err(e) => fail(&format!("--allow-upstream {e}")),
    };
    let origins = if args.allow_origin.iter().any(|o| o == "*") {
        Origins::Any
    } else {
        Origins::List(
            args.allow_origin
                .iter()
                .map(|o| o.trim_end_matches('/').to_string())
                .collect(),
        )
    };
    let config = Config {
        upstreams,
        origins,
        allow_no_origin: args.allow_no_origin,
        max_request_body: args.max_body,
        max_response_body: args.max_response,
        upstream_timeout: Duration::from_secs_f64(args.timeout.max(0.001)),
        request_timeout: Duration::from_secs_f64(args.request_timeout.max(0.001)),
        rate_limit: args.rate_limit,
        rate_burst: args.rate_burst,
        max_connections: args.max_connections.max(1),
        max_connections_per_client: args.max_connections_per_client.max(1),
        trust_forwarded_for: args.trust_forwarded_for,
        ..Config::default()
    };
    let log: Option<LogSink> = if args.quiet {
        None
    } else {
        Some(Arc::new(Mutex::new(std::io::stderr())))
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => fail(&format!("cannot start: {e}")),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => fail(&format!("cannot listen on {}: {e}", args.listen)),
        };
        let addr = listener.local_addr().unwrap_or(args.listen);
        let allowed: Vec<String> = config.upstreams.iter().map(|u| u.to_string()).collect();
        println!(
            "snapdeck-proxy listening on http://{addr}/ for {}",
            allowed.join(", ")
        );
        serve(
            listener,
            Proxy::new(config, log),
            shutdown_signal(),
            Duration::from_secs(10),
        )
        .await;
    });
}

fn fail(message: &str) -> ! {
    eprintln!("snapdeck-proxy: {message}");
    std::process::exit(2);
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
