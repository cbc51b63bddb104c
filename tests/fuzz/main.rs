//! The fuzzer's CI smoke run and its regression inputs (the harness is in `harness/`; long
//! campaigns run with `cargo bench --bench fuzz -- …`, see the README's Fuzzing section).
//!
//! The test binary is also its own worker: the supervisor starts it again running only the
//! `worker` test, with the job in `REVDESK_FUZZ_WORKER`.

// The campaign runner (benches/fuzz.rs) uses parts the smoke run does not.
#[allow(dead_code)]
mod harness;

use harness::targets::{TARGETS, Target};
use harness::{Outcome, Plan, WORKER_ENV};
use std::path::PathBuf;
use std::process::Command;

#[global_allocator]
static ALLOC: harness::alloc::Counting = harness::alloc::Counting;

/// The smoke run's seed (any fixed number: the run is the same every time).
const SMOKE_SEED: u64 = 20_261_203;

/// A finding not fixed yet: its input in `fixtures/fuzz-regressions/`, replayed by an
/// `#[ignore]`d test below until the fix lands.
struct Open {
    /// The input, `<target>/<file>` under `fixtures/fuzz-regressions/`.
    file: &'static str,
    /// The finding's signature, as the harness reports it.
    signature: &'static str,
}

/// The open findings. The smoke run reports inputs with these signatures as known and fails
/// on any other; `regressions` replays every input but these. None is open now.
const OPEN: &[Open] = &[];

/// Whether a finding is one of the open ones.
fn is_open(f: &harness::Finding) -> bool {
    OPEN.iter()
        .any(|o| o.file.starts_with(&format!("{}/", f.target)) && o.signature == f.signature)
}

/// Replays one regression input; it must run clean.
fn assert_clean(file: &str) {
    let (target, _) = file.split_once('/').expect("<target>/<file>");
    let o = replay(target, vec![regressions_dir().join(file)]);
    assert_eq!(o.executions, 1, "{file} ran");
    assert!(o.findings.is_empty(), "{file}:{}", describe(&[o], false));
}

// Issue 10, fixed on l10-hard (XLSX read cell by cell): a cell at XFD1048576 made calamine
// allocate the whole 16,384 × 1,048,576 grid (512 GiB) and the process aborted.
#[test]
fn xlsx_far_corner_cell() {
    assert_clean("xlsx/far-corner-cell.xlsx");
}

// The same, found by the fuzzer: one cell in row 1,048,576 of column T (a 23 KB file) made a
// 20 × 1,048,576 grid, 670 MB and seconds of work; a fix that rejected only the far corner
// would not have fixed this.
#[test]
fn xlsx_far_row_cell() {
    assert_clean("xlsx/far-row-cell.xlsx");
}

/// This binary, started again as a worker.
fn spawn_self() -> Command {
    let mut c = Command::new(std::env::current_exe().expect("the test binary's path"));
    c.args(["worker", "--exact", "--nocapture", "--test-threads=1"]);
    c
}

fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions")
}

/// Replays regression files of a target; the outcome's findings are what still goes wrong.
fn replay(target: &str, files: Vec<PathBuf>) -> Outcome {
    let t = harness::targets::find(target).expect("a fuzz target");
    harness::supervise(&Plan::replay(t, files), &spawn_self).expect("the worker runs")
}

/// Describes findings for a failure message (the open ones left out when `skip_open`).
fn describe(outcomes: &[Outcome], skip_open: bool) -> String {
    let mut s = String::new();
    for o in outcomes {
        for f in o.unique() {
            if !(skip_open && is_open(f)) {
                s.push_str(&format!("\n{f}\n"));
            }
        }
    }
    s
}

/// In a worker process: the worker. Run as a test: input `i` of every target is the same
/// each time it is made (what replaying a finding from its seed and index relies on), and
/// mutation does change the seeds.
#[test]
fn worker() {
    if let Ok(job) = std::env::var(WORKER_ENV) {
        let job = serde_json::from_str(&job).expect("a job");
        harness::worker(&job).expect("the worker runs");
        return;
    }
    let ctx = harness::corpus::Ctx::load(None);
    for t in TARGETS {
        let corpus = t.corpus(&ctx);
        assert!(!corpus.seeds.is_empty(), "{}: no seeds", t.name);
        let mut changed = 0;
        for i in 0..20 {
            let a = harness::input(t, &corpus, SMOKE_SEED, i);
            assert_eq!(
                a,
                harness::input(t, &corpus, SMOKE_SEED, i),
                "{} input {i}",
                t.name
            );
            changed += usize::from(corpus.seeds.iter().all(|s| s.bytes != a));
        }
        assert!(
            changed >= 15,
            "{}: only {changed} of 20 inputs differ from every seed",
            t.name
        );
    }
}

/// Every target for its smoke count, two at a time: no panic, no input past the memory cap,
/// none past the timeout, no dead worker.
#[test]
fn smoke() {
    let queue = std::sync::Mutex::new(TARGETS.iter());
    let next = || queue.lock().expect("queue").next();
    let run = |t: &'static Target| {
        let plan = Plan::new(t, SMOKE_SEED, t.smoke);
        harness::supervise(&plan, &spawn_self).expect("the worker runs")
    };
    let mut outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(t) = next() {
                        done.push(run(t));
                    }
                    done
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|l| l.join().expect("a lane"))
            .collect()
    });
    outcomes.sort_by_key(|o| TARGETS.iter().position(|t| t.name == o.target));
    println!("fuzz smoke run, seed {SMOKE_SEED}\n{}", harness::HEADING);
    for o in &outcomes {
        println!("{}", o.row());
    }
    for (o, t) in outcomes.iter().zip(TARGETS) {
        assert_eq!(o.executions, t.smoke, "{}: every input ran", t.name);
    }
    for o in &outcomes {
        for f in o.unique().into_iter().filter(|f| is_open(f)) {
            let times = o
                .findings
                .iter()
                .filter(|g| g.signature == f.signature)
                .count();
            println!(
                "known, open: {} {} ×{times} (first at input {})",
                f.target, f.signature, f.index
            );
        }
    }
    assert!(
        outcomes.iter().flat_map(|o| &o.findings).all(is_open),
        "findings (replay: cargo bench --bench fuzz -- --target T --seed {SMOKE_SEED} --index I):{}",
        describe(&outcomes, true)
    );
}

/// Every regression input that is not an open finding runs clean.
#[test]
fn regressions() {
    let mut outcomes = Vec::new();
    let mut count = 0;
    for t in TARGETS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(regressions_dir().join(t.name))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let file = format!("{}/{name}", t.name);
                !name.ends_with(".txt") && !OPEN.iter().any(|o| o.file == file)
            })
            .collect();
        files.sort();
        if files.is_empty() {
            continue;
        }
        count += files.len();
        let n = files.len() as u64;
        let o = replay(t.name, files);
        assert_eq!(o.executions, n, "{}: every regression input ran", t.name);
        outcomes.push(o);
    }
    for dir in std::fs::read_dir(regressions_dir())
        .expect("fixtures/fuzz-regressions")
        .flatten()
    {
        let name = dir.file_name().to_string_lossy().into_owned();
        assert!(
            harness::targets::find(&name).is_some(),
            "fixtures/fuzz-regressions/{name}: no such target"
        );
    }
    println!(
        "{count} regression inputs replayed ({} open, not replayed here)",
        OPEN.len()
    );
    assert!(
        outcomes.iter().all(|o| o.findings.is_empty()),
        "{}",
        describe(&outcomes, false)
    );
    for o in OPEN {
        assert!(
            regressions_dir().join(o.file).is_file(),
            "open finding {} has no input",
            o.file
        );
    }
}
