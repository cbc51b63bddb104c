//! The reading pane's lazily wrapped material: what it shows is what wrapping the whole
//! material shows, at any width and scroll position, and its line count is honest.

mod common;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Line;
use revdesk::domain::profile::Profile;
use revdesk::io::synth::{self, OutFormat, Spec};
use revdesk::io::validate::{self, Options};
use revdesk::store::Store;
use revdesk::text::wrap;
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::scoring::reading;
use revdesk::tui::scoring::{App, Settings};
use revdesk::tui::theme::Theme;

fn key(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn text_of(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// A scoring view on a generated batch of `items` nominations with `detail`-character
/// material in each long field.
fn long_app(dir: &std::path::Path, items: usize, detail: usize) -> App {
    let p = Profile::kczg_2020();
    let spec = Spec {
        domain: "electronic-information".into(),
        items,
        detail_chars: detail,
        seed: 7,
    };
    let path = dir.join("batch.json");
    synth::write(
        &p,
        &synth::items(&p, &spec),
        "t",
        "electronic-information",
        OutFormat::Json,
        &path,
    )
    .expect("write");
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

/// The reading pane's bottom border: the position indicator.
fn indicator(t: &Terminal<TestBackend>, a: &App) -> String {
    let pane = a
        .panes(ratatui::layout::Rect::new(0, 0, a.size.0, a.size.1))
        .reading;
    let buf = t.backend().buffer();
    (pane.x..pane.right())
        .map(|x| buf[(x, pane.bottom() - 1)].symbol().to_string())
        .collect::<String>()
        .trim_matches(|c| c == '─' || c == '┘' || c == '└')
        .trim()
        .to_string()
}

/// The reading pane's text rows as drawn, inside its borders, wide characters once.
fn shown_rows(t: &Terminal<TestBackend>, a: &App) -> Vec<String> {
    let pane = a
        .panes(ratatui::layout::Rect::new(0, 0, a.size.0, a.size.1))
        .reading;
    let buf = t.backend().buffer();
    (pane.y + 1..pane.bottom() - 1)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in pane.x + 1..pane.right() - 1 {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                row.push_str(sym);
            }
            row.trim_end().to_string()
        })
        .collect()
}

#[test]
fn moving_to_a_long_nomination_wraps_about_a_screen_and_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = long_app(dir.path(), 4, 10_000);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    a.set_size(80, 24);
    key(&mut a, KeyCode::Char('j'));
    revdesk::tui::render_to(&mut t, &a).expect("draw");
    let it = a.current().expect("an item").clone();
    let width = a
        .panes(ratatui::layout::Rect::new(0, 0, 80, 24))
        .reading
        .width
        - 2;
    let whole = reading::build(&a, &it, width);
    let (m, _) = a
        .reading_in(a.panes(ratatui::layout::Rect::new(0, 0, 80, 24)).reading)
        .expect("material");
    // The pane shows 20 lines and a page (10) ahead is wrapped, not the hundreds there are.
    assert!(m.total().is_none());
    let wrapped = m.lines().len();
    assert!((30..60).contains(&wrapped), "{wrapped} of {}", whole.len());
    assert!(whole.len() > 300, "{}", whole.len());
    assert_eq!(indicator(&t, &a), format!("1-20/{wrapped}+"));
    // Idle, the rest is wrapped and the count is exact; the screen is otherwise the same.
    let before = shown_rows(&t, &a);
    assert!(a.finish_reading(), "there was more to wrap");
    assert!(!a.finish_reading(), "once");
    revdesk::tui::render_to(&mut t, &a).expect("draw");
    assert_eq!(indicator(&t, &a), format!("1-20/{}", whole.len()));
    assert_eq!(shown_rows(&t, &a), before);
}

/// Scrolls the material with `PgDn` to its end at a size, checking every screen against the
/// whole material wrapped at once.
fn page_to_the_end(w: u16, h: u16) {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = long_app(dir.path(), 3, 4_000);
    let mut t;
    a.set_size(w, h);
    key(&mut a, KeyCode::Char('j'));
    let pane = a.panes(ratatui::layout::Rect::new(0, 0, w, h)).reading;
    let it = a.current().expect("an item").clone();
    let whole: Vec<String> = reading::build(&a, &it, pane.width - 2)
        .iter()
        .map(text_of)
        .collect();
    let rows = usize::from(pane.height - 2);
    let mut last = usize::MAX;
    loop {
        // A fresh terminal each frame: the frame as drawn, not as diffed onto the last one.
        t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        revdesk::tui::render_to(&mut t, &a).expect("draw");
        a.settle();
        let shown = shown_rows(&t, &a);
        let scroll = a.scroll.min(a.reading_max);
        for (i, row) in shown.iter().enumerate() {
            let want = whole.get(scroll + i).map(String::as_str).unwrap_or("");
            assert_eq!(
                row,
                want.trim_end(),
                "{w}x{h} row {i} at {scroll}:\n{}",
                shown.join("\n")
            );
        }
        if scroll == last {
            break;
        }
        last = scroll;
        key(&mut a, KeyCode::PageDown);
    }
    // At the end every line was wrapped and the count is the whole material's.
    assert_eq!(last, whole.len() - rows, "{w}x{h}: scrolled to the end");
    assert_eq!(
        indicator(&t, &a),
        format!("{}-{}/{}", whole.len() - rows + 1, whole.len(), whole.len())
    );
}

#[test]
fn paging_to_the_end_shows_the_whole_material_at_80x24() {
    page_to_the_end(80, 24);
}

#[test]
fn paging_to_the_end_shows_the_whole_material_at_160x48() {
    page_to_the_end(160, 48);
}

/// Pieces of nomination text: Chinese with its punctuation, Latin words and URLs, spaces of
/// each kind, line breaks, tabs, emoji and flags.
const ATOMS: &[&str] = &[
    "氮化镓",
    "功放",
    "，",
    "。",
    "（",
    "）",
    "《标准》",
    "“",
    "”",
    "——",
    "Massive MIMO",
    "5G",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "\r\n",
    "\n\n",
    "https://example.cn/a/b?c=1",
    "👩\u{200D}🔬",
    "🇨🇳",
    "e\u{301}",
];

fn long_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ATOMS), 0..400).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any prefix the pane asks for is the whole material's prefix, the whole is every field
    /// wrapped at once, and a long field's lines are its text wrapped by `text::wrap`.
    #[test]
    fn lazy_material_is_the_whole_material(
        team in long_text(),
        benefits in long_text(),
        width in 10u16..120,
        asks in prop::collection::vec(0usize..200, 1..6),
    ) {
        let dir = tempfile::tempdir().expect("dir");
        let a = common::app(dir.path(), Lang::Zh, Theme::default());
        let mut it = a.batch.items[0].clone();
        it.team = team.clone();
        it.benefits = benefits;
        let whole = reading::build(&a, &it, width);
        let mut m = reading::material(&a, &it, width);
        for n in asks {
            m.fill_to(n);
            let got = m.lines();
            prop_assert!(got.len() >= n.min(whole.len()));
            prop_assert_eq!(got, &whole[..got.len()]);
            prop_assert_eq!(m.total().is_some(), got.len() == whole.len());
        }
        m.fill_all();
        prop_assert_eq!(m.total(), Some(whole.len()));
        prop_assert_eq!(m.lines(), &whole[..]);
        // The team block: its label, its text wrapped two cells in, a blank line.
        let texts: Vec<String> = whole.iter().map(text_of).collect();
        let label = texts.iter().position(|l| l == "技术团队简介").expect("team label");
        let wrapped = wrap::wrap(&team, usize::from(width).max(10) - 2);
        if team.trim().is_empty() {
            prop_assert_eq!(&texts[label + 1], "  -");
        } else {
            let want: Vec<String> = wrapped.iter().map(|l| format!("  {l}")).collect();
            prop_assert_eq!(&texts[label + 1..label + 1 + want.len()], &want[..]);
            prop_assert_eq!(&texts[label + 1 + want.len()], "");
        }
    }
}

/// The reading pane's count on a screen, when it is exact: `a-b/N ` with no `+`.
fn exact_count(screen: &str) -> Option<(String, usize)> {
    let at = screen.find(" 1-20/")?;
    let rest = &screen[at + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest[digits.len()..].chars().next();
    (after == Some(' ')).then(|| (digits.clone(), digits.parse().unwrap_or(0)))
}

#[test]
fn the_real_view_makes_the_count_exact_while_the_expert_reads() {
    // The demo at 80×24: the material of each nomination is longer than a screen and a page.
    let mut t = common::pty::Tui::spawn(&["demo", "--lang", "en"], 80, 24, &[]);
    t.wait_until("an exact line count", |s| exact_count(s).is_some());
    let first = exact_count(&t.screen()).map(|(_, n)| n);
    assert!(first.is_some_and(|n| n > 40), "{}", t.screen());
    t.type_keys("j");
    t.wait_for("(2/");
    t.wait_until("the next nomination's exact count", |s| {
        s.contains("(2/") && exact_count(s).is_some()
    });
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
