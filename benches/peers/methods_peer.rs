//! revdesk's side of the numpy methods peer (`benches/peers/methods.sh`).
//!
//! `methods_peer dump DIR` writes, for each benchmark size (`300x30`, `300x300`), the panel of
//! `cargo bench --bench revdesk -- rank_300` (`DIR/SIZE/panel.csv`: item, expert, total, weight
//! as panel indices), the bootstrap's resample counts (`DIR/SIZE/mult.txt`: one line of counts
//! per expert for each of the B resamples, from the engine's own `Draws`) and
//! revdesk's results (`DIR/SIZE/expected.json`: per method the real panel's scores and each
//! item's inclusion count and rank interval), so the peer can check it computes the same.
//!
//! `methods_peer time METHOD SIZE [THREADS]` runs one bootstrap (default configuration,
//! B = 2000) and prints its wall time in milliseconds; building the panel is not timed. Without
//! THREADS it runs as revdesk does (`bootstrap`: as many threads as the machine offers, up to
//! `MAX_THREADS`); `THREADS` = 1 times it on one thread (`bootstrap_on`).

#[path = "engine_panel.rs"]
mod engine_panel;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use revdesk::engine::{
    AggregateConfig, BootstrapConfig, Draws, Method, Panel, aggregate, bootstrap, bootstrap_on,
};
use serde_json::json;

/// The sizes timed, as (name, nominations, experts, methods).
const SIZES: [(&str, usize, usize, &[Method]); 2] = [
    ("300x30", 300, 30, &Method::ALL),
    ("300x300", 300, 300, &[Method::Calibrated]),
];

fn config(method: Method) -> AggregateConfig {
    AggregateConfig {
        method,
        ..AggregateConfig::default()
    }
}

fn dump(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let boot = BootstrapConfig::default();
    for (name, ni, ne, methods) in SIZES {
        let out = dir.join(name);
        std::fs::create_dir_all(&out)?;
        let p: Panel = engine_panel::panel(ni, ne);
        let mut csv = String::from("item,expert,total,weight\n");
        for o in p.observations() {
            writeln!(csv, "{},{},{:?},{:?}", o.item, o.expert, o.total, o.weight)?;
        }
        std::fs::write(out.join("panel.csv"), csv)?;
        let mut draws = Draws::new(boot.seed, ne)?;
        let mut mult = String::new();
        for _ in 0..boot.replicates {
            let line: Vec<String> = draws.next_counts().iter().map(u32::to_string).collect();
            writeln!(mult, "{}", line.join(" "))?;
        }
        std::fs::write(out.join("mult.txt"), mult)?;
        let mut expected = serde_json::Map::new();
        for &method in methods {
            let c = config(method);
            let a = aggregate(&p, &c)?;
            let s = bootstrap(&p, &c, &boot)?;
            let field = |f: fn(&revdesk::engine::ItemStability) -> usize| -> Vec<usize> {
                s.items.iter().map(f).collect()
            };
            expected.insert(
                method.as_str().into(),
                json!({
                    "scores": a.items.iter().map(|i| i.score).collect::<Vec<_>>(),
                    "included": field(|i| i.included),
                    "rank_lo": field(|i| i.rank_lo),
                    "rank_median": field(|i| i.rank_median),
                    "rank_hi": field(|i| i.rank_hi),
                }),
            );
        }
        let doc = json!({
            "items": ni,
            "experts": ne,
            "replicates": boot.replicates,
            "seed": boot.seed,
            "trim_min": AggregateConfig::default().trim_min,
            "shortlist_min": AggregateConfig::default().shortlist_min,
            "shortlist_max": AggregateConfig::default().shortlist_max,
            "methods": expected,
        });
        std::fs::write(out.join("expected.json"), serde_json::to_string(&doc)?)?;
    }
    Ok(())
}

fn time(method: &str, size: &str, threads: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let threads: Option<usize> = threads.map(str::parse).transpose()?;
    let method: Method = method.parse()?;
    let (_, ni, ne, _) = SIZES
        .into_iter()
        .find(|s| s.0 == size)
        .ok_or_else(|| format!("unknown size {size}: 300x30 or 300x300"))?;
    let p = engine_panel::panel(ni, ne);
    let boot = BootstrapConfig::default();
    let start = Instant::now();
    let s = match threads {
        None => bootstrap(std::hint::black_box(&p), &config(method), &boot)?,
        Some(t) => bootstrap_on(std::hint::black_box(&p), &config(method), &boot, t)?,
    };
    let ms = start.elapsed().as_secs_f64() * 1e3;
    // The run did the work it names: every resample chose a list.
    let chosen: usize = s.k_counts.iter().map(|&(_, n)| n).sum();
    if chosen != boot.replicates {
        return Err(format!("{chosen} of {} resamples ran", boot.replicates).into());
    }
    println!("{ms:.3}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["dump", dir] => dump(Path::new(dir)),
        ["time", method, size] => time(method, size, None),
        ["time", method, size, threads] => time(method, size, Some(threads)),
        _ => Err(
            "usage: methods_peer dump DIR | methods_peer time METHOD 300x30|300x300 [THREADS]"
                .into(),
        ),
    }
}
