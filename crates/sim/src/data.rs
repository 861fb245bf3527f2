//! The simulator's starting data: a small hand-written demo set, or large
//! generated accounts for scale tests.

use std::time::Instant;

use chrono::{Duration as Days, Utc};

use crate::timing::{OpKind, Timing};
use crate::{ilkbyte, vpsorg};

pub const ILKBYTE_ACCESS: &str = "demo-access";
pub const ILKBYTE_SECRET: &str = "demo-secret";
pub const VPSORG_TOKEN: &str = "demo-token";

/// How big a generated data set is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub servers: usize,
    pub snapshots: usize,
}

pub fn ilkbyte_world(scale: Option<Scale>, page_size: usize) -> ilkbyte::World {
    let servers = match scale {
        Some(scale) => ilkbyte_generated(scale),
        None => ilkbyte_demo(),
    };
    ilkbyte::World {
        access: ILKBYTE_ACCESS.into(),
        secret: ILKBYTE_SECRET.into(),
        servers,
        page_size,
    }
}

fn ilkbyte_snap(
    name: &str,
    hours_ago: i64,
    parent: Option<&str>,
    state: &str,
) -> ilkbyte::Snapshot {
    ilkbyte::Snapshot {
        name: name.into(),
        date: ilkbyte::now_tr() - Days::hours(hours_ago),
        parent: parent.map(str::to_string),
        state: state.into(),
        cron: None,
    }
}

fn ilkbyte_demo() -> Vec<ilkbyte::Server> {
    let now = ilkbyte::now_tr();
    // web01: a small tree. base -> preupgrade (current) -> ..., base -> experiment
    let mut web = ilkbyte::Server::new("web01", "running", now - Days::days(400));
    web.ipv4 = "203.0.113.5".into();
    // experiment: a weekly schedule that stopped running nine days ago.
    let mut experiment = ilkbyte_snap("experiment", 26, Some("base"), "shutoff");
    let mut weekly = ilkbyte::Cron::new(7, 4, 0, now);
    weekly.next_run = now - Days::days(9);
    weekly.last_run = now - Days::days(16);
    weekly.stalled = true;
    experiment.cron = Some(weekly);
    web.snapshots = vec![
        ilkbyte_snap("base", 24 * 30, None, "running"),
        ilkbyte_snap("preupgrade", 24 * 3, Some("base"), "running"),
        experiment,
    ];
    web.current = Some("preupgrade".into());

    // db01: a nightly snapshot with a schedule.
    let mut db = ilkbyte::Server::new("db01", "running", now - Days::days(200));
    db.ipv4 = "203.0.113.6".into();
    db.osapp = "Debian 12 / PostgreSQL".into();
    let mut nightly = ilkbyte_snap("nightly", 9, Some("beforemigration"), "running");
    let mut cron = ilkbyte::Cron::new(1, 3, 30, now);
    cron.last_run = cron.next_run - Days::days(1);
    nightly.cron = Some(cron);
    db.snapshots = vec![
        ilkbyte_snap("beforemigration", 24 * 12, None, "shutoff"),
        nightly,
    ];
    db.current = Some("nightly".into());

    // mail01: stopped, no snapshots yet.
    let mut mail = ilkbyte::Server::new("mail01", "shut off", now - Days::days(90));
    mail.ipv4 = "203.0.113.7".into();

    // A removed server: only in /server/list/all.
    let mut old = ilkbyte::Server::new("old01_REMOVE1605012345", "nil", now - Days::days(800));
    old.service = "cancel".into();

    vec![web, db, mail, old]
}

fn ilkbyte_generated(scale: Scale) -> Vec<ilkbyte::Server> {
    let now = ilkbyte::now_tr();
    (0..scale.servers)
        .map(|i| {
            let mut s =
                ilkbyte::Server::new(&format!("srv{i:04}"), "running", now - Days::days(100));
            s.ipv4 = format!("198.51.{}.{}", i / 250, i % 250 + 1);
            let mut parent: Option<String> = None;
            for j in 0..scale.snapshots {
                let name = format!("snap{j}");
                s.snapshots.push(ilkbyte_snap(
                    &name,
                    (scale.snapshots - j) as i64 * 24,
                    parent.as_deref(),
                    "running",
                ));
                parent = Some(name);
            }
            s.current = parent;
            s
        })
        .collect()
}

pub fn vpsorg_world(scale: Option<Scale>, timing: &Timing) -> vpsorg::World {
    match scale {
        Some(scale) => vpsorg_generated(scale),
        None => vpsorg_demo(timing),
    }
}

fn vpsorg_demo(timing: &Timing) -> vpsorg::World {
    let now = Utc::now();
    let servers = vec![
        vpsorg::Server::new(
            12345,
            "web-server-01",
            "active",
            "us-west",
            now - Days::days(300),
        ),
        vpsorg::Server::new(
            12346,
            "db-server-01",
            "active",
            "eu-central",
            now - Days::days(120),
        ),
        vpsorg::Server::new(
            12347,
            "staging-01",
            "stopped",
            "us-west",
            now - Days::days(40),
        ),
    ];
    let snap = |id, server, name: &str, days: i64, desc: &str| {
        vpsorg::Snapshot::new(id, server, name, now - Days::days(days), desc)
    };
    let snapshots = vec![
        // web-server-01 is at the 5-snapshot limit.
        snap(
            801,
            12345,
            "pre-migration-snapshot",
            2,
            "Before major migration",
        ),
        snap(
            798,
            12345,
            "weekly-snapshot-2025-01-08",
            9,
            "Weekly snapshot",
        ),
        snap(
            790,
            12345,
            "weekly-snapshot-2025-01-01",
            16,
            "Weekly snapshot",
        ),
        snap(781, 12345, "before-php-upgrade", 30, "Before PHP 8.3"),
        snap(770, 12345, "initial-setup", 60, ""),
        // db-server-01 has one snapshot still being taken.
        snap(
            802,
            12346,
            "before-update-snapshot",
            0,
            "Snapshot before system update",
        )
        .in_progress(Instant::now() + timing.duration(OpKind::Create, 0.5)),
        snap(760, 12346, "db-baseline", 45, "Fresh database install"),
        // staging-01 is stopped.
        snap(750, 12347, "staging-clean", 20, "Clean staging image"),
    ];
    vpsorg::World {
        token: VPSORG_TOKEN.into(),
        servers,
        snapshots,
        next_id: 803,
    }
}

fn vpsorg_generated(scale: Scale) -> vpsorg::World {
    let now = Utc::now();
    let mut servers = Vec::with_capacity(scale.servers);
    let mut snapshots = Vec::with_capacity(scale.servers * scale.snapshots);
    let mut next_id = 100_000;
    // The provider never holds more than its limit per server.
    let per_server = scale.snapshots.min(vpsorg::SNAPSHOT_LIMIT);
    for i in 0..scale.servers {
        let id = 20_000 + i as u64;
        servers.push(vpsorg::Server::new(
            id,
            &format!("server-{i:04}"),
            "active",
            "us-west",
            now - Days::days(100),
        ));
        for j in 0..per_server {
            snapshots.push(vpsorg::Snapshot::new(
                next_id,
                id,
                &format!("snapshot-{j}"),
                now - Days::days((per_server - j) as i64),
                "Generated",
            ));
            next_id += 1;
        }
    }
    vpsorg::World {
        token: VPSORG_TOKEN.into(),
        servers,
        snapshots,
        next_id,
    }
}
