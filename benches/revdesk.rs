//! Benchmarks: batch import + validation, wrapping, a full frame of the scoring view, and
//! the bytes one keystroke costs over the wire, the aggregation methods and their bootstrap.
//! Figures are quoted in the README.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use revdesk::domain::profile::Profile;
use revdesk::io::synth::{self, OutFormat, Spec};
use revdesk::io::validate::{self, Options};
use revdesk::store::{Change, Source, Store};
use revdesk::tui::LeanTerminal;
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::lean::Lean;
use revdesk::tui::scoring::{App, Settings};
use revdesk::tui::theme::Theme;
use std::cell::RefCell;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The engine benchmarks' panel, shared with the numpy peer's helper.
#[path = "peers/engine_panel.rs"]
mod engine_panel;
use engine_panel::panel;

fn write_batch(
    dir: &Path,
    items: usize,
    detail: usize,
    format: OutFormat,
    ext: &str,
) -> std::path::PathBuf {
    let p = Profile::kczg_2020();
    let spec = Spec {
        domain: "electronic-information".into(),
        items,
        detail_chars: detail,
        seed: 1,
    };
    let its = synth::items(&p, &spec);
    let path = dir.join(format!("batch.{ext}"));
    synth::write(&p, &its, "bench", "electronic-information", format, &path).expect("write");
    path
}

fn bench_validate(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let p = Profile::kczg_2020();
    let csv = write_batch(dir.path(), 5000, 10000, OutFormat::Csv, "csv");
    let mut g = c.benchmark_group("validate");
    g.sample_size(10);
    g.bench_function("csv_5000_items_10k_details", |b| {
        b.iter(|| {
            let r = validate::load(black_box(&csv), &p, &Options::default()).expect("load");
            assert_eq!(r.batch.items.len(), 5000);
        })
    });
    bench_streamed(
        &mut g,
        "csv_5000_items_10k_details_streamed",
        &csv,
        &p,
        5000,
    );
    let xlsx = write_batch(dir.path(), 300, 3000, OutFormat::Xlsx, "xlsx");
    g.bench_function("xlsx_300_items", |b| {
        b.iter(|| {
            let r = validate::load(black_box(&xlsx), &p, &Options::default()).expect("load");
            assert_eq!(r.batch.items.len(), 300);
        })
    });
    // Rows checked and hashed as they are taken from the sheet.
    bench_streamed(&mut g, "xlsx_300_items_streamed", &xlsx, &p, 300);
    g.finish();
}

/// Times what `revdesk validate` does with `path`: the checks and hash of `load`, each row
/// dropped once hashed; every run checked to give `n` usable nominations and the kept batch's
/// hash.
fn bench_streamed(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    path: &Path,
    p: &Profile,
    n: usize,
) {
    let hash = validate::load(path, p, &Options::default())
        .expect("load")
        .batch
        .hash;
    g.bench_function(name, |b| {
        b.iter(|| {
            let v = validate::check_file(black_box(path), p, &Options::default()).expect("check");
            assert_eq!((v.usable, &v.hash), (n, &hash));
        })
    });
}

fn bench_wrap(c: &mut Criterion) {
    let text =
        "本技术针对5G基站gNodeB的Massive MIMO射频前端，提出了新的氮化镓功放架构。".repeat(250);
    c.bench_function("wrap_10k_chars_width_70", |b| {
        b.iter(|| revdesk::text::wrap::wrap(black_box(&text), 70))
    });
}

/// A scoring view on a generated batch of `items` nominations with `detail`-character
/// material, its store already holding `scored` of them fully scored (6 criteria each).
fn app_with(dir: &Path, items: usize, detail: usize, scored: usize) -> App {
    let p = Profile::kczg_2020();
    let path = write_batch(dir, items, detail, OutFormat::Json, "json");
    let batch = validate::load(&path, &p, &Options::default())
        .expect("load")
        .batch;
    let store = Store::open(&dir.join("store")).expect("store");
    store.ensure_expert("e", None).expect("expert");
    store
        .register_batch(&batch.hash, "b", "electronic-information", &batch.ids())
        .expect("register");
    let keys: Vec<String> = p.rubric().criteria.iter().map(|c| c.key.clone()).collect();
    let changes: Vec<Change> = batch
        .items
        .iter()
        .skip(items - scored)
        .flat_map(|it| {
            keys.iter()
                .map(|k| Change::score(it.id.as_str(), k.as_str(), Some(6.0)))
        })
        .collect();
    store
        .apply("e", &batch.hash, &changes, Source::Import)
        .expect("scored");
    let settings = Settings {
        expert: "e".into(),
        expert_name: "专家".into(),
        lang: Lang::Zh,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        submit_dir: None,
    };
    let a = App::new(p, batch, store, settings).expect("app");
    assert_eq!(
        a.progress(),
        (scored, items),
        "the store holds what was asked"
    );
    a
}

fn app(dir: &Path) -> App {
    app_with(dir, 300, 8000, 0)
}

fn press(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Times `j` to a nomination not shown before, with its frame, on a terminal of `w`×`h`.
/// Every timed `j` moves the selection (checked); at the end of the list the view is rewound
/// to the top outside the timing (the wrapped-material cache holds 8 nominations, so with
/// 2,000 every nomination is new again), so no iteration runs out of work.
fn bench_j(c: &mut Criterion, a: &mut App, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let mut draw = |a: &App| revdesk::tui::render_to(&mut t, a).expect("draw");
    timed_j(c, a, w, h, &mut draw, "", |_| {});
}

/// `j` as [`bench_j`] times it, drawn through the backend the terminal session really uses
/// (revdesk's lean backend writing escape sequences, as to a local terminal or an SSH
/// channel) instead of ratatui's test backend; every timed frame is checked to send bytes.
fn bench_j_lean(c: &mut Criterion, a: &mut App, w: u16, h: u16) {
    let out = Shared::default();
    let mut t = LeanTerminal::fixed(
        // Sized, as over SSH: without a terminal to ask, crossterm's size runs `tput`.
        Lean::sized(CrosstermBackend::new(out.clone()), Size::new(w, h)),
        Rect::new(0, 0, w, h),
    )
    .expect("terminal");
    let mut draw = move |a: &App| revdesk::tui::render_lean(&mut t, a).expect("draw");
    timed_j(c, a, w, h, &mut draw, "_lean", move |sent| {
        let mut bytes = out.0.borrow_mut();
        if sent {
            assert!(!bytes.is_empty(), "the frame sent bytes");
        }
        bytes.clear();
    });
}

/// The timing loop of [`bench_j`] and [`bench_j_lean`]: `after(sent)` runs outside the
/// timing after each frame, `sent` true after a timed `j`.
fn timed_j(
    c: &mut Criterion,
    a: &mut App,
    w: u16,
    h: u16,
    draw: &mut impl FnMut(&App),
    suffix: &str,
    mut after: impl FnMut(bool),
) {
    a.size = (w, h);
    press(a, KeyCode::Home);
    draw(a);
    after(false);
    c.bench_function(&format!("keystroke_j_and_redraw_{w}x{h}{suffix}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if a.selected + 1 >= a.visible.len() {
                    press(a, KeyCode::Home);
                    draw(a);
                    after(false);
                }
                let before = a.selected;
                let started = Instant::now();
                press(a, KeyCode::Char('j'));
                draw(a);
                spent += started.elapsed();
                assert_eq!(a.selected, before + 1, "j moved the selection");
                after(true);
            }
            spent
        })
    });
}

/// Times PgDn in the material of a nomination, with its frame, on a terminal of `w`×`h`:
/// every timed PgDn moves the material down a page (checked), into lines not shown before;
/// after three pages the next nomination is selected outside the timing (each has far more
/// than three pages of material).
fn bench_pgdn(c: &mut Criterion, a: &mut App, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    a.size = (w, h);
    press(a, KeyCode::Home);
    revdesk::tui::render_to(&mut t, a).expect("draw");
    let mut pages = 0;
    c.bench_function(&format!("keystroke_pgdn_and_redraw_{w}x{h}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if pages == 3 {
                    if a.selected + 1 >= a.visible.len() {
                        press(a, KeyCode::Home);
                    } else {
                        press(a, KeyCode::Char('j'));
                    }
                    revdesk::tui::render_to(&mut t, a).expect("draw");
                    pages = 0;
                }
                let before = a.scroll;
                let started = Instant::now();
                press(a, KeyCode::PageDown);
                revdesk::tui::render_to(&mut t, a).expect("draw");
                spent += started.elapsed();
                assert!(a.scroll > before, "PgDn moved the material");
                pages += 1;
            }
            spent
        })
    });
}

/// Times a typed digit (the score being typed, not yet committed) with its frame on a
/// terminal of `w`×`h`: every timed digit shows in the input (checked); Esc drops it outside
/// the timing, and every 16 digits the next nomination is selected, outside the timing too.
fn bench_digit(c: &mut Criterion, a: &mut App, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    a.size = (w, h);
    press(a, KeyCode::Home);
    revdesk::tui::render_to(&mut t, a).expect("draw");
    let mut typed = 0;
    c.bench_function(&format!("keystroke_digit_and_redraw_{w}x{h}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                typed += 1;
                if typed % 16 == 0 {
                    if a.selected + 1 >= a.visible.len() {
                        press(a, KeyCode::Home);
                    } else {
                        press(a, KeyCode::Char('j'));
                    }
                    revdesk::tui::render_to(&mut t, a).expect("draw");
                }
                let digit = char::from(b'1' + (typed % 9) as u8);
                assert!(a.input.is_empty(), "nothing typed before");
                let started = Instant::now();
                press(a, KeyCode::Char(digit));
                revdesk::tui::render_to(&mut t, a).expect("draw");
                spent += started.elapsed();
                assert_eq!(a.input, digit.to_string(), "the digit was typed");
                press(a, KeyCode::Esc);
                revdesk::tui::render_to(&mut t, a).expect("draw");
            }
            spent
        })
    });
}

/// The stored value of the focused criterion of the selected nomination.
fn stored_here(a: &App) -> (String, String, Option<f64>) {
    let id = a.current().map(|i| i.id.clone()).expect("a nomination");
    let key = a.criteria()[a.crit].key.clone();
    let v = a
        .scores
        .items
        .get(&id)
        .and_then(|r| r.scores.get(&key))
        .copied();
    (id, key, v)
}

/// What some commits cost the calling thread: wall time; CPU time (user and kernel, from
/// `/proc/thread-self/schedstat`); write calls and the bytes handed to them
/// (`/proc/thread-self/io`: `syscw`, `wchar`). CPU, calls and bytes do not depend on the
/// machine's load the way the wall time (mostly waiting for `fsync`) does. Linux only: the
/// probes read zero elsewhere.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: Duration,
    cpu_ns: u64,
    writes: u64,
    bytes: u64,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            wall: self.wall + o.wall,
            cpu_ns: self.cpu_ns + o.cpu_ns,
            writes: self.writes + o.writes,
            bytes: self.bytes + o.bytes,
        }
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(it: I) -> Cost {
        it.fold(Cost::default(), |a, b| a + b)
    }
}

/// This thread's CPU nanoseconds so far.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// This thread's write calls and bytes written so far.
fn thread_writes() -> (u64, u64) {
    let io = std::fs::read_to_string("/proc/thread-self/io").unwrap_or_default();
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("syscw:"), field("wchar:"))
}

/// Runs `f` and measures what it cost (the probes themselves are outside the wall time).
fn costed(f: impl FnOnce()) -> Cost {
    let (w0, b0) = thread_writes();
    let cpu0 = thread_cpu_ns();
    let started = Instant::now();
    f();
    let wall = started.elapsed();
    let cpu1 = thread_cpu_ns();
    let (w1, b1) = thread_writes();
    Cost {
        wall,
        cpu_ns: cpu1 - cpu0,
        writes: w1 - w0,
        bytes: b1 - b0,
    }
}

/// One `digit Enter` that changes a stored score (7 and 8 alternate) on the first criterion
/// of the selected nomination, so the number of scored nominations stays what it was; the
/// focus is put back outside the timing. Returns the cost of the two keys (and the frame when
/// a terminal is given), after checking that the score was stored and the history grew by
/// exactly one row holding it.
fn timed_commit(a: &mut App, t: Option<&mut Terminal<TestBackend>>) -> Cost {
    a.crit = 0;
    let (id, key, v) = stored_here(a);
    let (digit, value) = if v == Some(7.0) {
        ('8', 8.0)
    } else {
        ('7', 7.0)
    };
    let seq = a.history_seq();
    let cost = costed(|| {
        press(a, KeyCode::Char(digit));
        press(a, KeyCode::Enter);
        if let Some(t) = t {
            revdesk::tui::render_to(t, a).expect("draw");
        }
    });
    let news = a
        .store()
        .changes_since(&a.expert, &a.batch.hash, seq)
        .expect("history");
    assert_eq!(news.len(), 1, "one stored change per commit");
    assert_eq!(
        news[0].change,
        Change::score(id.as_str(), key.as_str(), Some(value))
    );
    let got = a.scores.items.get(&id).and_then(|r| r.scores.get(&key));
    assert_eq!(got, Some(&value), "the view shows the stored score");
    cost
}

fn bench_render(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path());
    a.size = (250, 80);
    let mut t = Terminal::new(TestBackend::new(250, 80)).expect("terminal");
    c.bench_function("render_full_frame_250x80", |b| {
        b.iter(|| revdesk::tui::render_to(&mut t, &a).expect("draw"))
    });
    // A real panel's batch: 2,000 nominations with 10,000-character material each.
    let dir = tempfile::tempdir().expect("dir");
    let mut big = app_with(dir.path(), 2000, 10_000, 0);
    bench_j(c, &mut big, 80, 24);
    bench_j(c, &mut big, 160, 48);
    bench_j_lean(c, &mut big, 80, 24);
    bench_j_lean(c, &mut big, 160, 48);
    for (w, h) in [(80, 24), (160, 48)] {
        bench_pgdn(c, &mut big, w, h);
        bench_digit(c, &mut big, w, h);
    }
}

/// `7 Enter` (a durable commit and its frame at 160×48) with 0, 2,000 and 5,000 nominations
/// already scored in the store; see [`timed_commit`] for what each iteration checks.
fn bench_commit(c: &mut Criterion) {
    for scored in [0, 2000, 5000] {
        let dir = tempfile::tempdir().expect("dir");
        let mut a = app_with(dir.path(), 5000, 300, scored);
        // Scoring happens on a scored nomination when there are any.
        press(&mut a, KeyCode::End);
        a.size = (160, 48);
        let mut t = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
        let name = format!("keystroke_score_commit_160x48_{scored}_scored");
        c.bench_function(&name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| timed_commit(&mut a, Some(&mut t)).wall)
                    .sum()
            })
        });
        assert_eq!(a.progress().0, scored, "the session stayed at its size");
    }
}

/// The raw SQLite peers of a commit, with the pragmas revdesk uses (WAL, synchronous=FULL):
/// `history` is revdesk's history table as schema versions 1 to 7 created it, the peer the
/// target was set against (the same columns, STRICT, AUTOINCREMENT, and the two indexes a
/// history row needs: by expert and batch for reading a session's changes back, by
/// transaction for undo; version 8 dropped the AUTOINCREMENT), `bare` the plain table earlier
/// figures used (rowid key, no index). Each row is the one revdesk writes for `7 Enter`: the batch's
/// hash, a nomination's id, the criterion's field, a microsecond timestamp.
struct Raw {
    conn: rusqlite::Connection,
    table: &'static str,
    batch: String,
    item: String,
    field: String,
    rows: usize,
}

impl Raw {
    fn open(path: &Path, table: &'static str, a: &App, rows: usize) -> Raw {
        let conn = rusqlite::Connection::open(path).expect("raw db");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.pragma_update(None, "synchronous", "FULL")
            .expect("full");
        conn.execute_batch(match table {
            "history" => {
                "CREATE TABLE history (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT, txn INTEGER NOT NULL,
                     expert TEXT NOT NULL, batch TEXT NOT NULL, item TEXT NOT NULL,
                     field TEXT NOT NULL, old_value TEXT, new_value TEXT, at TEXT NOT NULL,
                     source TEXT NOT NULL, undoes INTEGER, round INTEGER NOT NULL DEFAULT 1
                 ) STRICT;
                 CREATE INDEX history_by_expert_batch ON history(expert, batch, seq);
                 CREATE INDEX history_by_txn ON history(txn, seq);"
            }
            _ => {
                "CREATE TABLE bare (seq INTEGER PRIMARY KEY, txn INTEGER NOT NULL,
                     expert TEXT NOT NULL, batch TEXT NOT NULL, item TEXT NOT NULL,
                     field TEXT NOT NULL, old_value TEXT, new_value TEXT, at TEXT NOT NULL,
                     source TEXT NOT NULL, undoes INTEGER, round INTEGER NOT NULL DEFAULT 1);"
            }
        })
        .expect("table");
        let mut raw = Raw {
            conn,
            table,
            batch: a.batch.hash.clone(),
            item: a.current().map(|i| i.id.clone()).expect("a nomination"),
            field: format!("score:{}", a.criteria()[0].key),
            rows: 0,
        };
        let tx = raw.conn.unchecked_transaction().expect("tx");
        for _ in 0..rows {
            raw.rows += raw.insert(&tx);
        }
        tx.commit().expect("commit");
        raw
    }

    fn insert(&self, conn: &rusqlite::Connection) -> usize {
        let at = format!("{:.6}", jiff::Timestamp::now());
        conn.prepare_cached(&format!(
            "INSERT INTO {} (txn, expert, batch, item, field, old_value, new_value, at, source)
             VALUES (?1, 'e', ?2, ?3, ?4, '7', '8', ?5, 'keyboard')",
            self.table
        ))
        .expect("prepare")
        .execute(rusqlite::params![
            self.rows as i64 + 1,
            self.batch,
            self.item,
            self.field,
            at
        ])
        .expect("insert")
    }

    /// One durable commit: one insert in its own transaction (checked to store its row).
    fn commit(&mut self) -> Cost {
        let mut stored = 0;
        let cost = costed(|| {
            let tx = self.conn.unchecked_transaction().expect("tx");
            stored = self.insert(&tx);
            tx.commit().expect("commit");
        });
        assert_eq!(stored, 1, "one row per commit");
        self.rows += stored;
        cost
    }

    /// Checks every commit's row is in the table.
    fn check(&self) {
        let n: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM {}", self.table), [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(n as usize, self.rows, "every committed row is stored");
    }
}

/// min, median and max of some figures.
fn spread(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// Per-round figures of one side of the commit-rate comparison.
#[derive(Default)]
struct Side {
    rate: Vec<f64>,
    cpu_us: Vec<f64>,
    writes: Vec<f64>,
    kb: Vec<f64>,
}

impl Side {
    fn push(&mut self, c: Cost, n: usize) {
        let n = n as f64;
        self.rate.push(n / c.wall.as_secs_f64());
        self.cpu_us.push(c.cpu_ns as f64 / 1000.0 / n);
        self.writes.push(c.writes as f64 / n);
        self.kb.push(c.bytes as f64 / 1024.0 / n);
    }

    /// Medians: commits/s, CPU µs, write calls and KiB written per commit.
    fn medians(&mut self) -> [f64; 4] {
        [
            spread(&mut self.rate).1,
            spread(&mut self.cpu_us).1,
            spread(&mut self.writes).1,
            spread(&mut self.kb).1,
        ]
    }
}

/// Durable commits per second of revdesk's `7 Enter` (keys only, no frame) against raw
/// rusqlite durable commits of the same history row (WAL, synchronous=FULL, one transaction
/// per insert, as many rows already stored): interleaved rounds of 20 commits of each side at
/// 0, 2,000 and 5,000 scored nominations. The peer the targets are judged against is
/// revdesk's history table with its indexes; the bare table is printed beside it. Prints the
/// ratio revdesk/peer per round as min–median–max, each side's commits/s, CPU time, write
/// calls and bytes per commit (medians), and `Enter` at each size against `Enter` on the
/// store with none scored.
fn bench_commit_rate(c: &mut Criterion) {
    const ROUNDS: usize = 30;
    const PER_ROUND: usize = 20;
    let mut g = c.benchmark_group("commit_rate");
    g.sample_size(10);
    let mut empty_enter = None;
    for scored in [0, 2000, 5000] {
        let dir = tempfile::tempdir().expect("dir");
        let mut a = app_with(dir.path(), 5000, 300, scored);
        press(&mut a, KeyCode::End);
        let mut history = Raw::open(&dir.path().join("history.db"), "history", &a, scored * 6);
        let mut bare = Raw::open(&dir.path().join("bare.db"), "bare", &a, scored * 6);
        let (mut ours, mut peer, mut plain) = (Side::default(), Side::default(), Side::default());
        let (mut ratios, mut bare_ratios) = (vec![], vec![]);
        let first = a.history_seq();
        g.bench_function(format!("enter_vs_raw_sqlite_{scored}_scored"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| timed_commit(&mut a, None).wall).sum());
            // Criterion calls this once per warm-up step and sample: the rounds run once.
            if !ratios.is_empty() {
                return;
            }
            for _ in 0..ROUNDS {
                let t_peer: Cost = (0..PER_ROUND).map(|_| history.commit()).sum();
                let t_ours: Cost = (0..PER_ROUND).map(|_| timed_commit(&mut a, None)).sum();
                let t_bare: Cost = (0..PER_ROUND).map(|_| bare.commit()).sum();
                ratios.push(t_peer.wall.as_secs_f64() / t_ours.wall.as_secs_f64());
                bare_ratios.push(t_bare.wall.as_secs_f64() / t_ours.wall.as_secs_f64());
                ours.push(t_ours, PER_ROUND);
                peer.push(t_peer, PER_ROUND);
                plain.push(t_bare, PER_ROUND);
            }
        });
        if ratios.is_empty() {
            continue; // filtered out
        }
        history.check();
        bare.check();
        let (lo, mid, hi) = spread(&mut ratios);
        let (blo, bmid, bhi) = spread(&mut bare_ratios);
        let [o, p, r] = [ours.medians(), peer.medians(), plain.medians()];
        println!(
            "commit_rate at {scored} scored: revdesk/raw SQLite {lo:.2}–{mid:.2}–{hi:.2} \
             (history table with its indexes), {blo:.2}–{bmid:.2}–{bhi:.2} (bare table) \
             (min–median–max of {ROUNDS} interleaved rounds of {PER_ROUND}); revdesk {:.0} \
             commits/s, history {:.0} commits/s, bare {:.0} commits/s (medians); {} revdesk \
             commits in all (criterion's too), {} of each peer",
            o[0],
            p[0],
            r[0],
            a.history_seq() - first,
            ROUNDS * PER_ROUND
        );
        println!(
            "commit_rate at {scored} scored, per commit (medians): CPU revdesk {:.0} µs, \
             history {:.0} µs, bare {:.0} µs; write calls {:.1} / {:.1} / {:.1}; \
             KiB written {:.1} / {:.1} / {:.1}",
            o[1], p[1], r[1], o[2], p[2], r[2], o[3], p[3], r[3]
        );
        let enter_ms = 1000.0 / o[0];
        match empty_enter {
            None => empty_enter = Some(enter_ms),
            Some(e) => println!(
                "commit_rate: Enter at {scored} scored = {:.2}× Enter at 0 scored ({enter_ms:.2} ms against {e:.2} ms, medians)",
                enter_ms / e
            ),
        }
    }
    g.finish();
}

/// A writer the benchmark can read while the terminal owns it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes per frame for a key sequence, at a size, through revdesk's backend or ratatui's plain one.
fn bytes_per_frame(lean: bool, w: u16, h: u16) -> [usize; 5] {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path());
    a.size = (w, h);
    let out = Shared::default();
    let opts = || TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
    };
    let mut plain;
    let mut leant;
    let mut draw: Box<dyn FnMut(&App)> = if lean {
        leant = LeanTerminal::fixed(
            Lean::new(CrosstermBackend::new(out.clone())),
            Rect::new(0, 0, w, h),
        )
        .expect("terminal");
        Box::new(move |a: &App| revdesk::tui::render_lean(&mut leant, a).expect("draw"))
    } else {
        plain =
            Terminal::with_options(CrosstermBackend::new(out.clone()), opts()).expect("terminal");
        Box::new(move |a: &App| revdesk::tui::render_to(&mut plain, a).expect("draw"))
    };
    let mut measure = |keys: &[KeyCode]| {
        for k in keys {
            press(&mut a, *k);
        }
        let before = out.0.borrow().len();
        draw(&a);
        out.0.borrow().len() - before
    };
    [
        measure(&[]),
        measure(&[KeyCode::Char('7')]),
        measure(&[KeyCode::Enter]),
        measure(&[KeyCode::Char('j')]),
        measure(&[KeyCode::PageDown]),
    ]
}

/// Not timed: prints how many bytes a keystroke sends to the terminal (what crosses SSH).
fn report_bytes(_c: &mut Criterion) {
    for (w, h) in [(80, 24), (160, 48)] {
        for lean in [false, true] {
            let [full, digit, commit, next, scroll] = bytes_per_frame(lean, w, h);
            let which = if lean {
                "revdesk (lean)"
            } else {
                "ratatui plain"
            };
            println!(
                "bytes per frame at {w}x{h}, {which}: first frame {full}, typed digit {digit}, commit {commit}, next nomination {next}, scroll {scroll}"
            );
        }
    }
}

/// Runs the bootstrap and checks it did the work: B resamples, each with a K, every item seen.
fn checked_bootstrap(
    panel: &revdesk::engine::Panel,
    config: &revdesk::engine::AggregateConfig,
    boot: &revdesk::engine::BootstrapConfig,
) -> revdesk::engine::Stability {
    let s = revdesk::engine::bootstrap(black_box(panel), config, boot).expect("bootstrap");
    assert_eq!(s.replicates, boot.replicates, "every resample ran");
    assert_eq!(
        s.k_counts.iter().map(|&(_, n)| n).sum::<usize>(),
        boot.replicates,
        "every resample chose a list"
    );
    assert_eq!(s.items.len(), panel.items().len());
    s
}

fn bench_rank(c: &mut Criterion) {
    use revdesk::engine::{AggregateConfig, BootstrapConfig, Method, aggregate};
    let panel300 = panel(300, 30);
    let mut g = c.benchmark_group("rank_300_items_30_experts");
    g.sample_size(10);
    for method in [
        Method::Trimmed,
        Method::Median,
        Method::Mean,
        Method::Zscore,
        Method::Calibrated,
    ] {
        let config = AggregateConfig {
            method,
            ..AggregateConfig::default()
        };
        g.bench_function(format!("aggregate_{}", method.as_str()), |b| {
            b.iter(|| {
                let a = aggregate(black_box(&panel300), &config).expect("aggregate");
                // Every nomination is scored by someone: each got a score.
                assert_eq!(a.ranking.n_ranked, 300, "every item ranked");
                a
            })
        });
        let boot = BootstrapConfig::default();
        g.bench_function(format!("bootstrap_2000_{}", method.as_str()), |b| {
            b.iter(|| checked_bootstrap(&panel300, &config, &boot))
        });
    }
    g.finish();
    // Cost linear in the scores: ten times the experts (90,000 scores against 9,000).
    let wide = panel(300, 300);
    let mut g = c.benchmark_group("rank_300_items_300_experts");
    g.sample_size(10);
    let config = AggregateConfig {
        method: Method::Calibrated,
        ..AggregateConfig::default()
    };
    let boot = BootstrapConfig::default();
    g.bench_function("bootstrap_2000_calibrated", |b| {
        b.iter(|| checked_bootstrap(&wide, &config, &boot))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_validate,
    bench_wrap,
    bench_render,
    bench_commit,
    bench_commit_rate,
    bench_rank,
    report_bytes
);
criterion_main!(benches);
