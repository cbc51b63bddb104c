//! Benchmarks: batch import + validation, wrapping, a full frame of the scoring view, and
//! the bytes one keystroke costs over the wire, the aggregation methods and their bootstrap.
//! Figures are quoted in the README.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use revdesk::domain::profile::Profile;
use revdesk::io::synth::{self, OutFormat, Spec};
use revdesk::io::validate::{self, Options};
use revdesk::store::{Change, Source, Store};
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
    let xlsx = write_batch(dir.path(), 300, 3000, OutFormat::Xlsx, "xlsx");
    g.bench_function("xlsx_300_items", |b| {
        b.iter(|| {
            let r = validate::load(black_box(&xlsx), &p, &Options::default()).expect("load");
            assert_eq!(r.batch.items.len(), 300);
        })
    });
    g.finish();
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
    a.size = (w, h);
    press(a, KeyCode::Home);
    c.bench_function(&format!("keystroke_j_and_redraw_{w}x{h}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if a.selected + 1 >= a.visible.len() {
                    press(a, KeyCode::Home);
                    revdesk::tui::render_to(&mut t, a).expect("draw");
                }
                let before = a.selected;
                let started = Instant::now();
                press(a, KeyCode::Char('j'));
                revdesk::tui::render_to(&mut t, a).expect("draw");
                spent += started.elapsed();
                assert_eq!(a.selected, before + 1, "j moved the selection");
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

/// One `digit Enter` that changes a stored score (7 and 8 alternate) on the first criterion
/// of the selected nomination, so the number of scored nominations stays what it was; the
/// focus is put back outside the timing. Returns the time of the two keys, after checking
/// that the score was stored and the history grew by one row.
fn timed_commit(a: &mut App, t: Option<&mut Terminal<TestBackend>>) -> Duration {
    a.crit = 0;
    let (id, key, v) = stored_here(a);
    let (digit, value) = if v == Some(7.0) {
        ('8', 8.0)
    } else {
        ('7', 7.0)
    };
    let seq = a.history_seq();
    let started = Instant::now();
    press(a, KeyCode::Char(digit));
    press(a, KeyCode::Enter);
    if let Some(t) = t {
        revdesk::tui::render_to(t, a).expect("draw");
    }
    let spent = started.elapsed();
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
    spent
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
            b.iter_custom(|iters| (0..iters).map(|_| timed_commit(&mut a, Some(&mut t))).sum())
        });
        assert_eq!(a.progress().0, scored, "the session stayed at its size");
    }
}

/// A raw SQLite database with the pragmas revdesk uses (WAL, synchronous=FULL) and `rows`
/// history-shaped rows, for the commit-rate peer.
fn raw_db(path: &Path, rows: usize) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("raw db");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute_batch(
        "CREATE TABLE marks (seq INTEGER PRIMARY KEY, expert TEXT NOT NULL, batch TEXT NOT NULL,
             item TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT, new_value TEXT,
             at TEXT NOT NULL, source TEXT NOT NULL);",
    )
    .expect("table");
    let tx = conn.unchecked_transaction().expect("tx");
    for i in 0..rows {
        raw_insert(&tx, i);
    }
    tx.commit().expect("commit");
    conn
}

fn raw_insert(conn: &rusqlite::Connection, i: usize) {
    conn.prepare_cached(
        "INSERT INTO marks (expert, batch, item, field, old_value, new_value, at, source)
         VALUES ('e', 'b', ?1, 'score:feasibility', '7', '8', '2026-12-03T16:00:00Z', 'keyboard')",
    )
    .expect("prepare")
    .execute([format!("EI-{i:04}")])
    .expect("insert");
}

/// One durable commit of raw SQLite: one insert in its own transaction.
fn raw_commit(conn: &rusqlite::Connection, i: usize) -> Duration {
    let started = Instant::now();
    let tx = conn.unchecked_transaction().expect("tx");
    raw_insert(&tx, i);
    tx.commit().expect("commit");
    started.elapsed()
}

/// min, median and max of some figures.
fn spread(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// Durable commits per second of revdesk's `7 Enter` (keys only, no frame) against raw
/// rusqlite durable commits (WAL, synchronous=FULL, one transaction per insert), in
/// interleaved rounds of 20 each, at 0, 2,000 and 5,000 scored nominations. Prints the
/// ratio revdesk/raw per round as min–median–max, both rates, and `Enter` at each size
/// against `Enter` on the store with none scored.
fn bench_commit_rate(c: &mut Criterion) {
    const ROUNDS: usize = 15;
    const PER_ROUND: usize = 20;
    let mut g = c.benchmark_group("commit_rate");
    g.sample_size(10);
    let mut empty_enter = None;
    for scored in [0, 2000, 5000] {
        let dir = tempfile::tempdir().expect("dir");
        let mut a = app_with(dir.path(), 5000, 300, scored);
        press(&mut a, KeyCode::End);
        let raw = raw_db(&dir.path().join("raw.db"), scored * 6);
        let mut n = scored * 6;
        let (mut ratios, mut ours, mut theirs) = (vec![], vec![], vec![]);
        g.bench_function(format!("enter_vs_raw_sqlite_{scored}_scored"), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    spent += timed_commit(&mut a, None);
                }
                spent
            });
            for _ in 0..ROUNDS {
                let t_raw: Duration = (0..PER_ROUND)
                    .map(|_| {
                        n += 1;
                        raw_commit(&raw, n)
                    })
                    .sum();
                let t_ours: Duration = (0..PER_ROUND).map(|_| timed_commit(&mut a, None)).sum();
                let rate = |t: Duration| PER_ROUND as f64 / t.as_secs_f64();
                ours.push(rate(t_ours));
                theirs.push(rate(t_raw));
                ratios.push(rate(t_ours) / rate(t_raw));
            }
        });
        if ratios.is_empty() {
            continue; // filtered out
        }
        let (lo, mid, hi) = spread(&mut ratios);
        let (_, ours_mid, _) = spread(&mut ours);
        let (_, raw_mid, _) = spread(&mut theirs);
        println!(
            "commit_rate at {scored} scored: revdesk/raw SQLite {lo:.2}–{mid:.2}–{hi:.2} \
             (min–median–max of {ROUNDS} interleaved rounds of {PER_ROUND}); \
             revdesk {ours_mid:.0} commits/s, raw rusqlite {raw_mid:.0} commits/s"
        );
        let enter_ms = 1000.0 / ours_mid;
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
        leant = Terminal::with_options(Lean::new(CrosstermBackend::new(out.clone())), opts())
            .expect("terminal");
        Box::new(move |a: &App| revdesk::tui::render_to(&mut leant, a).expect("draw"))
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
