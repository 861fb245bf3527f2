use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use snapdeck_sim::{Config, Faults, Scale, Sim, Timing, router};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Switch {
    On,
    Off,
}

impl Switch {
    fn on(self) -> bool {
        matches!(self, Switch::On)
    }
}

/// A local simulator of the ilkbyte and VPS.org snapshot APIs.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SNAPDECK_SIM_LISTEN", default_value = "127.0.0.1:8790")]
    listen: SocketAddr,
    /// Every operation stays in flight exactly this many seconds (instead of
    /// the providers' ranges).
    #[arg(long, env = "SNAPDECK_SIM_OP_SECONDS")]
    op_seconds: Option<f64>,
    /// Operations take the providers' real ranges (create 3–10 min, restore
    /// 5–15 min, …) times this factor: 0.1 makes a create last 18–60 s.
    #[arg(long, env = "SNAPDECK_SIM_TIME_SCALE", default_value_t = 1.0)]
    time_scale: f64,
    /// Generate this many servers per provider (with --snapshots) instead of the demo set.
    #[arg(long, requires = "snapshots")]
    servers: Option<usize>,
    /// Snapshots per generated server (VPS.org keeps at most 5).
    #[arg(long, requires = "servers")]
    snapshots: Option<usize>,
    /// Servers per page of ilkbyte's /server/list.
    #[arg(long, default_value_t = 25)]
    page_size: usize,
    /// CORS headers for both providers (overridden by the per-provider flags).
    #[arg(long, value_enum)]
    cors: Option<Switch>,
    /// CORS headers on the ilkbyte API (the real one sends none).
    #[arg(long, value_enum)]
    cors_ilkbyte: Option<Switch>,
    /// CORS headers on the VPS.org API.
    #[arg(long, value_enum)]
    cors_vpsorg: Option<Switch>,
    /// Milliseconds added to every provider response.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share (0..1) of requests answered with a 500.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share (0..1) of requests that hang for --hang-seconds.
    #[arg(long, default_value_t = 0.0)]
    hang_rate: f64,
    #[arg(long, default_value_t = 120)]
    hang_seconds: u64,
    /// Share (0..1) of responses with a malformed or truncated JSON body.
    #[arg(long, default_value_t = 0.0)]
    garbage_rate: f64,
    /// Requests per second per provider before answering 429 with Retry-After (0: no limit).
    #[arg(long, default_value_t = 0)]
    rate_limit: u32,
    /// Seed for the fault draws, so a run can be repeated.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let both = args.cors.map(Switch::on).unwrap_or(false);
    let config = Config {
        timing: match args.op_seconds {
            Some(secs) => Timing::Fixed(Duration::from_secs_f64(secs.max(0.0))),
            None => Timing::Realistic {
                scale: args.time_scale,
            },
        },
        scale: args
            .servers
            .zip(args.snapshots)
            .map(|(servers, snapshots)| Scale { servers, snapshots }),
        page_size: args.page_size,
        cors_ilkbyte: args.cors_ilkbyte.map(Switch::on).unwrap_or(both),
        cors_vpsorg: args.cors_vpsorg.map(Switch::on).unwrap_or(both),
        faults: Faults {
            latency_ms: args.latency_ms,
            error_rate: args.error_rate,
            hang_rate: args.hang_rate,
            hang_seconds: args.hang_seconds,
            garbage_rate: args.garbage_rate,
            rate_limit: args.rate_limit,
            only: None,
        },
        seed: args.seed,
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("snapdeck-sim: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    println!(
        "snapdeck-sim listening on http://{addr}  ilkbyte: http://{addr}/ilkbyte  VPS.org: http://{addr}/vpsorg/api/v1"
    );
    let app = router(Sim::new(config)).into_make_service_with_connect_info::<SocketAddr>();
    // Exit at once on a signal: a request hanging on purpose must not hold
    // the simulator up.
    tokio::select! {
        r = axum::serve(listener, app) => {
            if let Err(e) = r {
                eprintln!("snapdeck-sim: {e}");
                std::process::exit(1);
            }
        }
        _ = shutdown_signal() => {}
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
