//! `cargo bench --bench import`: `revdesk validate` on large batches, as a whole process, with
//! its peak memory (the child's `ru_maxrss`, from `wait4`) against the file's size.
//!
//! Inputs: CSV and JSON batches of 5,000 nominations with 10,000-character details, an XLSX of
//! 500 (`revdesk gen` would write 5,000 too, but that workbook unpacks past the 64 MiB limit).
//! Every run is checked to have read every nomination (its summary line). Prints per format the
//! time and peak RSS as min–median–max of the runs, and the peak against 1.5 × file + 30 MB, the
//! target for CSV and JSON. Not criterion: a process and its memory, not a function, is timed.
//! `-- --runs N` (default 7); `-- --quick` for a smoke run (2 runs, 200 nominations).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_revdesk");
const MIB: f64 = 1024.0 * 1024.0;

/// One run of `revdesk validate PATH`: wall time and peak RSS in bytes; checked to have read
/// `items` nominations.
fn validate_once(path: &Path, items: usize) -> (Duration, u64) {
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let started = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by wait4 below, for its rusage"
    )]
    let child = Command::new(BIN)
        .arg("validate")
        .arg(path)
        .stdout(out.reopen().expect("reopen"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("revdesk runs");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let spent = started.elapsed();
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "revdesk validate {} ended with {status}",
        path.display()
    );
    let text = std::fs::read_to_string(out.path()).expect("output");
    let read = format!(": {items} items read,");
    assert!(
        text.contains(&read),
        "revdesk validate {} did not read {items} items: {}",
        path.display(),
        text.lines().last().unwrap_or("")
    );
    // Linux reports ru_maxrss in KiB.
    (spent, u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}

fn generate(dir: &Path, ext: &str, items: usize) -> PathBuf {
    let path = dir.join(format!("batch.{ext}"));
    let status = Command::new(BIN)
        .args([
            "gen",
            "--items",
            &items.to_string(),
            "--detail-chars",
            "10000",
            "-o",
        ])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("revdesk gen runs");
    assert!(status.success(), "revdesk gen {ext}");
    path
}

fn spread<T: Copy + PartialOrd>(v: &mut [T]) -> (T, T, T) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 2 } else { 7 });
    let (many, sheet) = if quick { (200, 200) } else { (5000, 500) };
    let dir = tempfile::tempdir().expect("dir");
    let inputs = [
        (generate(dir.path(), "csv", many), many),
        (generate(dir.path(), "json", many), many),
        (generate(dir.path(), "xlsx", sheet), sheet),
    ];
    for (path, items) in &inputs {
        let size = std::fs::metadata(path).expect("size").len();
        let (mut times, mut peaks) = (vec![], vec![]);
        for _ in 0..runs {
            let (t, rss) = validate_once(path, *items);
            times.push(t.as_secs_f64());
            peaks.push(rss);
        }
        let (t0, t1, t2) = spread(&mut times);
        let (r0, r1, r2) = spread(&mut peaks);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let target = if name.ends_with(".xlsx") {
            String::new()
        } else {
            let limit = 1.5 * size as f64 + 30.0 * MIB;
            let met = if (r2 as f64) <= limit {
                "met"
            } else {
                "NOT met"
            };
            format!("; target 1.5 × file + 30 MB = {:.1} MB: {met}", limit / MIB)
        };
        println!(
            "import {name} ({items} nominations, {:.1} MB): {t0:.3}–{t1:.3}–{t2:.3} s; \
             peak RSS {:.1}–{:.1}–{:.1} MB = {:.2}× the file (median){target}",
            size as f64 / MIB,
            r0 as f64 / MIB,
            r1 as f64 / MIB,
            r2 as f64 / MIB,
            r1 as f64 / size as f64,
        );
    }
}
