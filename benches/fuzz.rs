//! Long fuzz campaigns over revdesk's parsers (the harness is shared with the CI smoke run in
//! `tests/fuzz/`). `cargo bench --bench fuzz -- --help` lists the options; the README's
//! Fuzzing section says how to run one and what the last one found.

// The smoke run (tests/fuzz) uses parts this runner does not.
#[allow(dead_code)]
#[path = "../tests/fuzz/harness/mod.rs"]
mod harness;

use clap::Parser;
use harness::targets::{TARGETS, Target};
use harness::{Finding, Outcome, Plan, WORKER_ENV};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

#[global_allocator]
static ALLOC: harness::alloc::Counting = harness::alloc::Counting;

/// Fuzz revdesk's parsers of untrusted input.
#[derive(Debug, Parser)]
#[command(name = "fuzz")]
struct Args {
    /// Targets to run (repeat the flag; default: all). `--list` names them.
    #[arg(long = "target", value_name = "NAME")]
    targets: Vec<String>,
    /// Inputs per target.
    #[arg(long, default_value_t = 10_000_000)]
    count: u64,
    /// Stop each target after this many seconds (whichever of count and time comes first).
    #[arg(long)]
    seconds: Option<f64>,
    /// The campaign's seed: the same seed makes the same inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The first input's index (to resume a campaign).
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Targets run at once (one worker process each).
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// More seeds: files in DIR/<target>/.
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
    /// Where findings are written (DIR/<target>/<kind>-s<seed>-i<index>.bin and .txt).
    #[arg(long, value_name = "DIR", default_value = "target/fuzz-findings")]
    out: PathBuf,
    /// The memory cap per worker, MiB of heap held at once.
    #[arg(long, default_value_t = harness::DEFAULT_CAP >> 20)]
    cap_mib: usize,
    /// An input running longer is a hang.
    #[arg(long, default_value_t = 10)]
    timeout_secs: u64,
    /// With one --target: write input INDEX of --seed to --output (and run it).
    #[arg(long, value_name = "INDEX")]
    index: Option<u64>,
    /// With one --target: run these files, once each, and report.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    replay: Vec<PathBuf>,
    /// With one --target: shrink this input while it still fails the same way.
    #[arg(long, value_name = "FILE")]
    minimise: Option<PathBuf>,
    /// Output file of --index and --minimise.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// List the targets and their seed counts.
    #[arg(long)]
    list: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// This binary, started again as a worker.
fn spawn_self() -> Command {
    Command::new(std::env::current_exe().unwrap_or_else(|_| PathBuf::from("fuzz")))
}

fn main() -> ExitCode {
    if let Ok(job) = std::env::var(WORKER_ENV) {
        let job = match serde_json::from_str(&job) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("fuzz worker: bad job: {e}");
                return ExitCode::from(2);
            }
        };
        return match harness::worker(&job) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fuzz worker: {e}");
                ExitCode::from(2)
            }
        };
    }
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn targets(args: &Args) -> Result<Vec<&'static Target>, String> {
    if args.targets.is_empty() {
        return Ok(TARGETS.iter().collect());
    }
    args.targets
        .iter()
        .map(|n| {
            harness::targets::find(n).ok_or_else(|| {
                let names: Vec<_> = TARGETS.iter().map(|t| t.name).collect();
                format!("no target '{n}' (targets: {})", names.join(", "))
            })
        })
        .collect()
}

fn plan(args: &Args, t: &'static Target) -> Plan {
    Plan {
        start: args.start,
        time: args.seconds.map(Duration::from_secs_f64),
        timeout: Duration::from_secs(args.timeout_secs),
        cap: args.cap_mib << 20,
        corpus: args.corpus.clone(),
        ..Plan::new(t, args.seed, args.count)
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let chosen = targets(args)?;
    if args.list {
        let ctx = harness::corpus::Ctx::load(args.corpus.clone());
        for t in &chosen {
            let seeds = (t.seeds)(&ctx);
            println!("{:<11} {:>3} seeds  {}", t.name, seeds.len(), t.about);
            for s in &seeds {
                println!("    {}", s.name);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let one = || match chosen.as_slice() {
        [t] if !args.targets.is_empty() => Ok(*t),
        _ => Err("give exactly one --target".to_string()),
    };
    if let Some(index) = args.index {
        let t = one()?;
        let ctx = harness::corpus::Ctx::load(args.corpus.clone());
        let bytes = harness::input(t, &t.corpus(&ctx), args.seed, index);
        let path = args
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}-s{}-i{index}.bin", t.name, args.seed)));
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!(
            "{}: input {index} of seed {} ({} bytes)",
            path.display(),
            args.seed,
            bytes.len()
        );
        return replay(args, t, vec![path]);
    }
    if !args.replay.is_empty() {
        return replay(args, one()?, args.replay.clone());
    }
    if let Some(file) = &args.minimise {
        return minimise(args, one()?, file);
    }
    campaign(args, &chosen)
}

fn replay(args: &Args, t: &'static Target, files: Vec<PathBuf>) -> Result<ExitCode, String> {
    let p = Plan {
        timeout: Duration::from_secs(args.timeout_secs),
        cap: args.cap_mib << 20,
        ..Plan::replay(t, files.clone())
    };
    let o = harness::supervise(&p, &spawn_self).map_err(|e| e.to_string())?;
    for f in &o.findings {
        let file = files
            .get(f.index as usize)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        println!("{file}: {f}");
    }
    println!("{} run, {} failed", o.executions, o.findings.len());
    Ok(if o.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn campaign(args: &Args, chosen: &[&'static Target]) -> Result<ExitCode, String> {
    println!(
        "fuzz campaign: seed {}, from index {}, {} inputs or {} per target, {} at once, cap {} MiB, timeout {} s",
        args.seed,
        args.start,
        args.count,
        args.seconds
            .map_or("no time limit".into(), |s| format!("{s} s")),
        args.jobs,
        args.cap_mib,
        args.timeout_secs
    );
    let queue = std::sync::Mutex::new(chosen.iter());
    let next = || queue.lock().ok().and_then(|mut q| q.next().copied());
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..args.jobs.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(t) = next() {
                        let o = harness::supervise(&plan(args, t), &spawn_self)
                            .map_err(|e| format!("{}: {e}", t.name));
                        if let Ok(o) = &o {
                            println!("done: {}", o.row());
                        }
                        done.push(o);
                    }
                    done
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|l| l.join().unwrap_or_default())
            .collect()
    });
    // A target whose worker failed outside an input (a harness fault) does not hide the others.
    let mut outcomes = Vec::new();
    let mut failed = false;
    for r in results {
        match r {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                eprintln!("fuzz: {e}");
                failed = true;
            }
        }
    }
    outcomes.sort_by_key(|o| TARGETS.iter().position(|t| t.name == o.target));
    println!("\n{}", harness::HEADING);
    for o in &outcomes {
        println!("{}", o.row());
    }
    let mut any = false;
    for o in &outcomes {
        let Some(t) = harness::targets::find(o.target) else {
            continue;
        };
        let unique = o.unique();
        if unique.is_empty() {
            continue;
        }
        any = true;
        let ctx = harness::corpus::Ctx::load(args.corpus.clone());
        let corpus = t.corpus(&ctx);
        for f in unique {
            let bytes = harness::input(t, &corpus, args.seed, f.index);
            let path = harness::save(&args.out, f, args.seed, &bytes).map_err(|e| e.to_string())?;
            let times = o
                .findings
                .iter()
                .filter(|g| g.kind == f.kind && g.signature == f.signature)
                .count();
            println!("\n×{times}, the first: {f}\n  → {}", path.display());
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else if any {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether `candidates` fail as `want` does; the first that does.
fn first_failing(
    args: &Args,
    t: &'static Target,
    dir: &Path,
    candidates: &[Vec<u8>],
    want: &Finding,
) -> Result<Option<usize>, String> {
    let mut files = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let p = dir.join(format!("c{i}"));
        std::fs::write(&p, c).map_err(|e| e.to_string())?;
        files.push(p);
    }
    let p = Plan {
        timeout: Duration::from_secs(args.timeout_secs),
        cap: args.cap_mib << 20,
        ..Plan::replay(t, files)
    };
    let o = harness::supervise(&p, &spawn_self).map_err(|e| e.to_string())?;
    Ok(o.findings
        .iter()
        .filter(|f| f.kind == want.kind && f.signature == want.signature)
        .map(|f| f.index as usize)
        .min())
}

/// Delta debugging over bytes (inside the first worksheet of a zip, which is zipped again):
/// remove chunks, halving their size, while the input still fails the same way.
fn minimise(args: &Args, t: &'static Target, file: &Path) -> Result<ExitCode, String> {
    let original = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let base = first_finding(args, t, dir.path(), &original)?;
    let Some(want) = base else {
        println!("{}: runs clean; nothing to minimise", file.display());
        return Ok(ExitCode::SUCCESS);
    };
    println!("minimising: {} {}", want.kind.name(), want.signature);
    // In a zip, shrink the worksheet (bytes of the zip itself would break its CRCs).
    let entries = harness::mutate::unzip(&original);
    let sheet_at = entries
        .as_ref()
        .and_then(|e| e.iter().position(|(n, _)| n.contains("worksheets/")));
    let wrap = |data: &[u8]| -> Vec<u8> {
        match (&entries, sheet_at) {
            (Some(e), Some(i)) => {
                let mut e = e.clone();
                e[i].1 = data.to_vec();
                let mut rng = harness::rng_for(0, "minimise", 0);
                stored_zip(&mut rng, &e)
            }
            _ => data.to_vec(),
        }
    };
    let mut data = match (&entries, sheet_at) {
        (Some(e), Some(i)) => e[i].1.clone(),
        _ => original.clone(),
    };
    let mut chunk = data.len().div_ceil(2).max(1);
    while chunk >= 1 {
        let mut progressed = true;
        while progressed {
            progressed = false;
            let cuts: Vec<(usize, usize)> = (0..data.len())
                .step_by(chunk)
                .map(|a| (a, (a + chunk).min(data.len())))
                .collect();
            for batch in cuts.chunks(64) {
                let cands: Vec<Vec<u8>> = batch
                    .iter()
                    .map(|&(a, b)| {
                        let mut d = data.clone();
                        d.drain(a..b);
                        wrap(&d)
                    })
                    .collect();
                if let Some(i) = first_failing(args, t, dir.path(), &cands, &want)? {
                    let (a, b) = batch[i];
                    data.drain(a..b);
                    progressed = true;
                    break;
                }
            }
        }
        println!("  chunk {chunk}: {} bytes", data.len());
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| file.with_extension("min"));
    let bytes = wrap(&data);
    std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "{}: {} bytes (from {})",
        out.display(),
        bytes.len(),
        original.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn first_finding(
    args: &Args,
    t: &'static Target,
    dir: &Path,
    bytes: &[u8],
) -> Result<Option<Finding>, String> {
    let p = dir.join("base");
    std::fs::write(&p, bytes).map_err(|e| e.to_string())?;
    let plan = Plan {
        timeout: Duration::from_secs(args.timeout_secs),
        cap: args.cap_mib << 20,
        ..Plan::replay(t, vec![p])
    };
    let o = harness::supervise(&plan, &spawn_self).map_err(|e| e.to_string())?;
    Ok(o.findings.into_iter().next())
}

/// Zips entries again (the minimiser keeps one compression so results are stable).
fn stored_zip(rng: &mut harness::mutate::Rng, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    harness::mutate::rezip(rng, entries)
}
