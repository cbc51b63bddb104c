//! A fuzzer for revdesk's parsers of untrusted input, on stable Rust.
//!
//! Why not `cargo fuzz`, AFL or bolero: cargo-fuzz needs a nightly compiler for its sanitizer
//! coverage, cargo-afl a toolchain of its own, and bolero's stable engine only draws random
//! values; none isolates a run that aborts on allocation. So: structure-aware mutation of
//! seeds from the fixtures (`mutate`, `corpus`), without coverage feedback, each input run
//! under `catch_unwind` in a worker process that a supervisor watches through a shared page
//! (`page`). A panic is a finding; so is an input that asks for more than the memory cap
//! (`alloc` aborts the worker, the supervisor names the input), one that runs longer than the
//! timeout (the worker is killed), and any other death of the worker (stack overflow, abort).
//!
//! Inputs are a pure function of (seed, target, index): any input can be made again from the
//! three numbers a finding reports, and a campaign resumes after a dead worker at the next
//! index.

pub mod alloc;
pub mod corpus;
pub mod mutate;
pub mod page;
pub mod targets;

use corpus::Ctx;
use mutate::Rng;
use page::{IDLE, Page, Slot};
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::backtrace::Backtrace;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use targets::{Corpus, Target};

/// The environment variable that makes a process a worker (its value: the job, as JSON).
pub const WORKER_ENV: &str = "REVDESK_FUZZ_WORKER";
/// What starts a worker's report lines on its standard output.
const MARK: &str = "REVDESK-FUZZ\t";
/// The worker thread's stack: the size of a main thread's, as the CLI runs parsers there.
const STACK: usize = 8 << 20;
/// The default memory cap: the most heap a worker may hold at once. The fixtures' batches
/// need under 20 MiB; an input of at most 1 MiB that makes a parser hold 256 MiB is a finding.
pub const DEFAULT_CAP: usize = 256 << 20;
/// The default time one input may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a worker may take to load its fixtures before its first input.
const STARTUP: Duration = Duration::from_secs(300);

/// What one worker runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The target's name.
    pub target: String,
    /// The campaign's seed.
    pub seed: u64,
    /// The first input's index.
    pub start: u64,
    /// One past the last input's index.
    pub end: u64,
    /// The shared page's file.
    pub page: PathBuf,
    /// The memory cap in bytes.
    pub cap: usize,
    /// More seeds (`<dir>/<target>/*`).
    pub corpus: Option<PathBuf>,
    /// Files to run instead of generated inputs (input `i` is file `i`).
    pub replay: Vec<PathBuf>,
}

/// The random source of input `index` of `target` in the campaign of `seed`.
pub fn rng_for(seed: u64, target: &str, index: u64) -> Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    Rng::seed_from_u64(splitmix(seed ^ splitmix(h ^ splitmix(index))))
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Input `index` of `target` in the campaign of `seed`.
pub fn input(target: &Target, corpus: &Corpus, seed: u64, index: u64) -> Vec<u8> {
    target.generate(&mut rng_for(seed, target.name, index), corpus)
}

/// A panic as the hook saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Caught {
    index: u64,
    location: String,
    message: String,
    stack: String,
}

thread_local! {
    static LAST: RefCell<Option<Caught>> = const { RefCell::new(None) };
}
/// Panic locations already seen: a stack is taken once per place (taking one is slow).
static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Whether a frame's function is the standard library's (panicking, allocation, iterators).
fn is_machinery(name: &str) -> bool {
    // `<T as alloc::…>::…` and `<alloc::…>::…` are the standard library's too.
    let inner = name.trim_start_matches('<');
    let inner = inner.split_once(" as ").map_or(inner, |(_, t)| t);
    ["std::", "core::", "alloc::", "__rust", "rust_"]
        .iter()
        .any(|p| inner.starts_with(p))
        || name.contains("harness::alloc")
        || name.contains("backtrace")
}

/// A stack frame's number and function, when `line` starts one.
fn frame(line: &str) -> Option<&str> {
    let (n, name) = line.trim_start().split_once(": ")?;
    (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some(name)
}

/// Keeps the frames of a stack between the standard library's and the harness's.
pub fn trim_stack(stack: &str) -> String {
    let mut out = Vec::new();
    let mut keep = false;
    let mut frames = 0;
    for line in stack.lines() {
        if let Some(name) = frame(line) {
            if name.contains("harness::") && !name.contains("harness::alloc") && frames > 0 {
                out.push(line.to_string());
                break;
            }
            keep = !is_machinery(name);
            frames += usize::from(keep);
        }
        if keep {
            out.push(line.to_string());
        }
        if frames > 40 {
            break;
        }
    }
    out.join("\n")
}

fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message: String = message.chars().take(2000).collect();
        let first = SEEN.lock().is_ok_and(|mut s| s.insert(location.clone()));
        let stack = if first {
            trim_stack(&Backtrace::force_capture().to_string())
        } else {
            String::new()
        };
        LAST.with(|l| {
            *l.borrow_mut() = Some(Caught {
                index: 0,
                location,
                message,
                stack,
            })
        });
    }));
}

/// Runs a worker's job (called in the worker process); returns when the range is done or the
/// supervisor asks it to stop.
pub fn worker(job: &Job) -> io::Result<()> {
    let target = targets::find(&job.target)
        .ok_or_else(|| io::Error::other(format!("no fuzz target '{}'", job.target)))?;
    // A worker whose supervisor is gone has no one to report to.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    let page: &'static Page = Box::leak(Box::new(Page::open(&job.page)?));
    alloc::arm(job.cap, page.get(Slot::Over));
    install_hook();
    let job = job.clone();
    std::thread::Builder::new()
        .name("fuzz-worker".into())
        .stack_size(STACK)
        .spawn(move || run_inputs(target, page, &job))?
        .join()
        .map_err(|_| io::Error::other("the worker thread panicked outside an input"))
}

fn run_inputs(target: &Target, page: &Page, job: &Job) {
    let ctx = Ctx::load(job.corpus.clone());
    // Replaying files needs no seeds.
    let corpus = job.replay.is_empty().then(|| target.corpus(&ctx));
    for index in job.start..job.end {
        if page.load(Slot::Stop) != 0 {
            break;
        }
        let bytes = match (job.replay.get(index as usize), &corpus) {
            (Some(p), _) => std::fs::read(p).unwrap_or_default(),
            (None, Some(c)) => input(target, c, job.seed, index),
            (None, None) => break,
        };
        alloc::reset_peak();
        page.get(Slot::Current).store(index, Relaxed);
        let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(&ctx, &bytes)));
        page.get(Slot::Current).store(IDLE, Relaxed);
        page.get(Slot::Peak)
            .fetch_max(alloc::peak() as u64, Relaxed);
        if outcome.is_err() {
            let mut caught = LAST.with(|l| l.borrow_mut().take()).unwrap_or(Caught {
                index,
                location: String::new(),
                message: String::new(),
                stack: String::new(),
            });
            caught.index = index;
            if let Ok(line) = serde_json::to_string(&caught) {
                println!("{MARK}{line}");
            }
        }
        page.get(Slot::Done).fetch_add(1, Relaxed);
    }
}

/// What went wrong with an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// A panic (caught).
    Panic,
    /// More heap asked for than the cap.
    Memory,
    /// Longer than the timeout.
    Hang,
    /// The worker died otherwise (stack overflow, abort, signal).
    Crash,
}

impl Kind {
    /// Its name in file names and reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Panic => "panic",
            Kind::Memory => "memory",
            Kind::Hang => "hang",
            Kind::Crash => "crash",
        }
    }
}

/// One input that went wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The target.
    pub target: String,
    /// What went wrong.
    pub kind: Kind,
    /// The input's index (a replayed file's position).
    pub index: u64,
    /// What makes two findings the same: the panic's place, or the first frame of ours.
    pub signature: String,
    /// The panic message or the worker's last words.
    pub message: String,
    /// Where (trimmed stack).
    pub stack: String,
}

impl std::fmt::Display for Finding {
    /// What, where and how: for reports and the `.txt` beside a saved input.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} at input {}: {}\n  {}\n{}",
            self.target,
            self.kind.name(),
            self.index,
            self.signature,
            self.message,
            self.stack
        )
    }
}

/// One target's run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The target.
    pub target: &'static str,
    /// Inputs run.
    pub executions: u64,
    /// Wall time.
    pub wall: Duration,
    /// The most heap a worker held at once (bytes, fixtures included).
    pub peak: u64,
    /// Every finding, in input order.
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// The first finding of each signature.
    pub fn unique(&self) -> Vec<&Finding> {
        let mut seen = BTreeSet::new();
        self.findings
            .iter()
            .filter(|f| seen.insert((f.kind, f.signature.clone())))
            .collect()
    }

    /// One line for the report table.
    pub fn row(&self) -> String {
        let secs = self.wall.as_secs_f64();
        format!(
            "{:<11} {:>12} {:>9.1} {:>11.0} {:>9.1} {:>6} {:>6}",
            self.target,
            self.executions,
            secs,
            self.executions as f64 / secs.max(1e-9),
            self.peak as f64 / (1 << 20) as f64,
            self.unique().len(),
            self.findings.len()
        )
    }
}

/// The report table's heading.
pub const HEADING: &str = "target        executions    wall s     exec/s  peak MiB unique  total";

/// What a supervisor runs.
#[derive(Clone)]
pub struct Plan {
    /// The target.
    pub target: &'static Target,
    /// The campaign's seed.
    pub seed: u64,
    /// The first index.
    pub start: u64,
    /// How many inputs at most.
    pub count: u64,
    /// Stop after this long (the inputs started are finished).
    pub time: Option<Duration>,
    /// An input taking longer is a hang.
    pub timeout: Duration,
    /// The memory cap (bytes).
    pub cap: usize,
    /// More seeds.
    pub corpus: Option<PathBuf>,
    /// Files to run instead of generated inputs.
    pub replay: Vec<PathBuf>,
}

impl Plan {
    /// A plan of `count` generated inputs from index 0, with the default limits.
    pub fn new(target: &'static Target, seed: u64, count: u64) -> Plan {
        Plan {
            target,
            seed,
            start: 0,
            count,
            time: None,
            timeout: DEFAULT_TIMEOUT,
            cap: DEFAULT_CAP,
            corpus: None,
            replay: vec![],
        }
    }

    /// A plan that runs `files` once each.
    pub fn replay(target: &'static Target, files: Vec<PathBuf>) -> Plan {
        Plan {
            count: files.len() as u64,
            replay: files,
            ..Plan::new(target, 0, 0)
        }
    }
}

/// The first frame of a stack that is not the standard library's or the harness's.
fn first_frame(stack: &str) -> Option<String> {
    let name = stack.lines().filter_map(frame).find(|n| !is_machinery(n))?;
    // Drop the hash suffix (`::h0123…`) so signatures match across builds.
    Some(match name.rfind("::h") {
        Some(i) if name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => name[..i].to_string(),
        _ => name.to_string(),
    })
}

/// Runs a plan: workers made by `spawn` (a command that becomes a worker when [`WORKER_ENV`]
/// is set), restarted after each input that kills one.
pub fn supervise(plan: &Plan, spawn: &dyn Fn() -> Command) -> io::Result<Outcome> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let page_path = dir.path().join("page");
    let page = Page::create(&page_path)?;
    let end = plan.start + plan.count;
    let deadline = plan.time.map(|t| started + t);
    let mut out = Outcome {
        target: plan.target.name,
        executions: 0,
        wall: Duration::ZERO,
        peak: 0,
        findings: vec![],
    };
    let mut next = plan.start;
    while next < end && deadline.is_none_or(|d| Instant::now() < d) {
        page.reset();
        let job = Job {
            target: plan.target.name.to_string(),
            seed: plan.seed,
            start: next,
            end,
            page: page_path.clone(),
            cap: plan.cap,
            corpus: plan.corpus.clone(),
            replay: plan.replay.clone(),
        };
        let run = run_worker(&job, &page, plan.timeout, deadline, spawn)?;
        out.executions += page.load(Slot::Done);
        out.peak = out.peak.max(page.load(Slot::Peak));
        for c in run.caught {
            out.findings.push(Finding {
                target: job.target.clone(),
                kind: Kind::Panic,
                index: c.index,
                signature: format!("panic at {}", c.location),
                message: c.message,
                stack: c.stack,
            });
        }
        let Some((kind, index)) = run.died else { break };
        out.executions += 1;
        let memory = kind == Kind::Memory;
        let tail = run.stderr;
        // The largest request holds the memory: it names the finding when it is known.
        let culprit = tail
            .split_once(alloc::LARGEST_MARK)
            .map_or(tail.as_str(), |(_, b)| b);
        let stack = trim_stack(culprit);
        let message = tail
            .lines()
            .find(|l| {
                l.starts_with("fuzz: memory")
                    || l.contains("overflowed its stack")
                    || l.starts_with("memory allocation")
                    || l.contains("panicked")
            })
            .unwrap_or(if kind == Kind::Hang {
                "killed after the timeout"
            } else {
                "the worker died"
            })
            .to_string();
        let signature = match kind {
            Kind::Hang => format!("hang in {}", plan.target.name),
            _ if memory => format!("memory in {}", first_frame(culprit).unwrap_or_default()),
            _ => format!("crash: {message}"),
        };
        out.findings.push(Finding {
            target: job.target.clone(),
            kind,
            index,
            signature,
            message: format!("{message} ({})", run.status),
            stack,
        });
        next = index + 1;
    }
    out.wall = started.elapsed();
    Ok(out)
}

/// How one worker ended.
struct Run {
    caught: Vec<Caught>,
    /// The kind of death and the input it died on; None when it finished.
    died: Option<(Kind, u64)>,
    stderr: String,
    status: String,
}

fn run_worker(
    job: &Job,
    page: &Page,
    timeout: Duration,
    deadline: Option<Instant>,
    spawn: &dyn Fn() -> Command,
) -> io::Result<Run> {
    let mut child = spawn()
        .env(
            WORKER_ENV,
            serde_json::to_string(job).map_err(io::Error::other)?,
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut caught = Vec::new();
        if let Some(s) = stdout {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(json) = line.strip_prefix(MARK)
                    && let Ok(c) = serde_json::from_str::<Caught>(json)
                {
                    caught.push(c);
                }
            }
        }
        caught
    });
    let stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        // Keep the last 64 KiB: the worker's last words.
        let mut tail = Vec::new();
        if let Some(mut s) = stderr {
            let mut buf = [0u8; 8192];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 128 << 10 {
                    tail.drain(..tail.len() - (64 << 10));
                }
            }
        }
        String::from_utf8_lossy(&tail).into_owned()
    });
    let mut last = (IDLE, 0);
    let mut since = Instant::now();
    let mut hung = None;
    let status: ExitStatus = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            page.get(Slot::Stop).store(1, Relaxed);
        }
        let now = (page.load(Slot::Current), page.load(Slot::Done));
        if now != last {
            last = now;
            since = Instant::now();
        } else if (now.0 != IDLE && since.elapsed() > timeout)
            || (now == (IDLE, 0) && since.elapsed() > STARTUP)
        {
            let _ = child.kill();
            hung = Some(now.0);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let caught = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let current = page.load(Slot::Current);
    let died = match hung {
        Some(IDLE) => {
            return Err(io::Error::other(format!(
                "the {} worker did not start within {STARTUP:?}\n{stderr}",
                job.target
            )));
        }
        Some(index) => Some((Kind::Hang, index)),
        None if status.success() => None,
        None if current == IDLE => {
            return Err(io::Error::other(format!(
                "the {} worker died outside an input ({status})\n{stderr}",
                job.target
            )));
        }
        None if page.load(Slot::Over) != 0 => Some((Kind::Memory, current)),
        None => Some((Kind::Crash, current)),
    };
    Ok(Run {
        caught,
        died,
        stderr,
        status: status.to_string(),
    })
}

/// Writes a finding's input and description into `dir/<target>/`; returns the input's path.
pub fn save(dir: &Path, f: &Finding, seed: u64, bytes: &[u8]) -> io::Result<PathBuf> {
    let dir = dir.join(&f.target);
    std::fs::create_dir_all(&dir)?;
    let stem = format!("{}-s{seed}-i{}", f.kind.name(), f.index);
    let input = dir.join(format!("{stem}.bin"));
    std::fs::write(&input, bytes)?;
    std::fs::write(
        dir.join(format!("{stem}.txt")),
        format!("seed {seed}: {f}\n"),
    )?;
    Ok(input)
}
