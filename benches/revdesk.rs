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
use revdesk::store::Store;
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

fn app(dir: &Path) -> App {
    let p = Profile::kczg_2020();
    let path = write_batch(dir, 300, 8000, OutFormat::Json, "json");
    let batch = validate::load(&path, &p, &Options::default())
        .expect("load")
        .batch;
    let store = Store::open(&dir.join("store")).expect("store");
    store.ensure_expert("e", None).expect("expert");
    store
        .register_batch(&batch.hash, "b", "electronic-information", &batch.ids())
        .expect("register");
    let settings = Settings {
        expert: "e".into(),
        expert_name: "专家".into(),
        lang: Lang::Zh,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        submit_dir: None,
    };
    App::new(p, batch, store, settings).expect("app")
}

fn press(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn bench_render(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path());
    a.size = (250, 80);
    let mut t = Terminal::new(TestBackend::new(250, 80)).expect("terminal");
    c.bench_function("render_full_frame_250x80", |b| {
        b.iter(|| revdesk::tui::render_to(&mut t, &a).expect("draw"))
    });
    // Moving to the next nomination redraws list, material and scores.
    let mut t = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    a.size = (160, 48);
    // Every timed `j` moves the selection (checked); at the end of the list the view is
    // rewound to the top outside the timing, so no iteration runs out of work.
    c.bench_function("keystroke_j_and_redraw_160x48", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if a.selected + 1 >= a.visible.len() {
                    press(&mut a, KeyCode::Home);
                    revdesk::tui::render_to(&mut t, &a).expect("draw");
                }
                let before = a.selected;
                let started = Instant::now();
                press(&mut a, KeyCode::Char('j'));
                revdesk::tui::render_to(&mut t, &a).expect("draw");
                spent += started.elapsed();
                assert_eq!(a.selected, before + 1, "j moved the selection");
            }
            spent
        })
    });
    // A score typed and committed: one store transaction (synchronous=FULL) and a frame. Every
    // timed commit changes a stored score (checked): the value alternates between 7 and 8 on
    // each pass over the batch, which is rewound outside the timing at its end. As the session
    // goes on, more nominations are scored: the figure is for a growing session.
    c.bench_function("keystroke_score_commit_stored_160x48", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            let last = a.criteria().len() - 1;
            for _ in 0..iters {
                if a.selected + 1 >= a.visible.len() && a.crit == last {
                    press(&mut a, KeyCode::Home);
                    a.crit = 0;
                    revdesk::tui::render_to(&mut t, &a).expect("draw");
                }
                let id = a.current().map(|i| i.id.clone()).expect("a nomination");
                let key = a.criteria()[a.crit].key.clone();
                let stored = |a: &App| {
                    a.scores
                        .items
                        .get(&id)
                        .and_then(|r| r.scores.get(&key))
                        .copied()
                };
                let (digit, value) = if stored(&a) == Some(7.0) {
                    ('8', 8.0)
                } else {
                    ('7', 7.0)
                };
                let started = Instant::now();
                press(&mut a, KeyCode::Char(digit));
                press(&mut a, KeyCode::Enter);
                revdesk::tui::render_to(&mut t, &a).expect("draw");
                spent += started.elapsed();
                assert_eq!(stored(&a), Some(value), "the score was stored");
            }
            spent
        })
    });
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

/// A realistic panel: `ni` nominations, `ne` experts, each expert scoring ~80% of them (the
/// rest recused or not reached), six criteria on 0–10, with per-expert leniency.
fn panel(ni: usize, ne: usize) -> revdesk::engine::Panel {
    use rand::{Rng, SeedableRng};
    use revdesk::engine::Panel;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let experts: Vec<String> = (0..ne).map(|e| format!("e{e:02}")).collect();
    let items: Vec<String> = (0..ni).map(|i| format!("EI-{i:03}")).collect();
    let mut panel = Panel::new(experts.clone(), items.clone(), 6).expect("panel");
    let quality: Vec<f64> = (0..ni).map(|_| rng.random_range(3.0..9.0)).collect();
    for e in &experts {
        let lenient: f64 = rng.random_range(-1.5..1.5);
        for (i, it) in items.iter().enumerate() {
            if rng.random_bool(0.2) {
                continue;
            }
            let c: Vec<f64> = (0..6)
                .map(|_| {
                    (quality[i] + lenient + rng.random_range(-2.0..2.0))
                        .round()
                        .clamp(0.0, 10.0)
                })
                .collect();
            let total = c.iter().sum::<f64>() / 60.0 * 100.0;
            panel.add(e, it, total, c, 1.0).expect("add");
        }
    }
    panel
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
    bench_rank,
    report_bytes
);
criterion_main!(benches);
