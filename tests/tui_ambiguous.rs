//! Terminals that draw East Asian ambiguous characters two cells wide: the real binary's
//! scoring and chair views under such a terminal (tests/common/cjk_term.rs), detected by a
//! cursor-position report or forced, keep every border line intact and leave nothing behind
//! after `j`, PgDn and a resize; in narrow mode, or on a terminal that does not answer, the
//! screen is what it was before.

mod common;

use common::cjk_term::WideAmbiguous;
use common::pty::Tui;
use common::sheets::expert_sheet;
use std::num::NonZeroU16;
use std::path::Path;
use std::time::Duration;

const BATCH: &str = "fixtures/batches/resources-environment.json";
const PGDN: &str = "\x1b[6~";
const QUIET: Duration = Duration::from_millis(400);

fn score_args(store: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "score", BATCH, "--expert", "wang", "--lang", "zh", "--store",
    ]
    .map(String::from)
    .to_vec();
    a.push(store.display().to_string());
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn spawn(args: &[String], cols: u16, rows: u16, wide: bool, answer: bool) -> Tui {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Tui::spawn_cjk(&args, cols, rows, wide, answer)
}

/// The screen one string per cell, as the test's terminal shows it.
fn grid(t: &Tui) -> Vec<Vec<String>> {
    t.cjk
        .as_ref()
        .expect("a cjk_term terminal")
        .grid(t.parser.screen())
}

/// Checks every box on the screen: each top border `+…+` whose corners stand over `|` runs
/// down, with `|` at both its columns on every row, to a bottom border with `+` at both. A
/// character drawn wider than the view counted pushes the right border out of its column, or
/// wraps the row; either breaks a box. Returns how many boxes there are.
fn boxes_intact(g: &[Vec<String>]) -> Result<usize, String> {
    let at = |y: usize, x: usize| g.get(y).and_then(|r| r.get(x)).map_or("", String::as_str);
    let mut found = 0;
    for y in 0..g.len() {
        let plus: Vec<usize> = (0..g[y].len()).filter(|&x| at(y, x) == "+").collect();
        for pair in plus.chunks(2) {
            let &[a, b] = pair else { continue };
            if at(y + 1, a) != "|" {
                continue;
            }
            let mut bottom = None;
            for y2 in y + 1..g.len() {
                if at(y2, a) == "+" && at(y2, b) == "+" {
                    bottom = Some(y2);
                    break;
                }
                if at(y2, a) != "|" || at(y2, b) != "|" {
                    return Err(format!(
                        "box at row {y} columns {a}..{b}: row {y2} has {:?} and {:?}",
                        at(y2, a),
                        at(y2, b)
                    ));
                }
            }
            if bottom.is_none() {
                return Err(format!("box at row {y} columns {a}..{b} has no bottom"));
            }
            found += 1;
        }
    }
    Ok(found)
}

fn show(g: &[Vec<String>]) -> String {
    g.iter()
        .map(|r| r.iter().filter(|c| *c != "\0").cloned().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that the screen has at least `min` boxes, all intact, and no box-drawing glyph.
fn assert_borders(t: &Tui, min: usize, when: &str) {
    let g = grid(t);
    match boxes_intact(&g) {
        Ok(n) => assert!(n >= min, "{when}: {n} boxes, expected {min}:\n{}", show(&g)),
        Err(e) => panic!("{when}: {e}:\n{}", show(&g)),
    }
    let text = show(&g);
    assert!(
        !text.chars().any(|c| ('\u{2500}'..='\u{257F}').contains(&c)),
        "{when}: a box-drawing glyph in wide mode:\n{text}"
    );
}

/// What is left on the screen after incremental frames must be what a full redraw gives:
/// resizing away and back makes the view clear the screen and draw everything again.
fn assert_no_leftovers(t: &mut Tui, cols: u16, rows: u16, when: &str) {
    t.settle(QUIET);
    let before = grid(t);
    t.resize(cols + 3, rows);
    t.wait_screen("the wider frame", |s| {
        s.cell(1, cols + 2).is_some_and(|c| c.contents() == "+")
    });
    t.resize(cols, rows);
    t.wait_screen("the frame back at its size", |s| {
        s.cell(1, cols - 1).is_some_and(|c| c.contents() == "+")
    });
    t.settle(QUIET);
    let after = grid(t);
    assert!(
        before == after,
        "{when}: the screen differs from a full redraw\n--- incremental:\n{}\n--- redrawn:\n{}",
        show(&before),
        show(&after)
    );
}

#[test]
fn scoring_view_on_a_wide_ambiguous_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let mut t = spawn(&score_args(&dir.path().join("s"), &[]), 80, 24, true, true);
    t.wait_for("RE-001 (1/46)");
    t.settle(QUIET);
    assert_eq!(t.cjk.as_ref().map(|c| c.answered), Some(1), "one probe");
    // Both questions in one write, the DA1 sentinel after them, asked once.
    let query = "\x1b]11;?\x1b\\\r“\x1b[6n\x1b[c".as_bytes();
    assert!(contains(&t.raw, query), "one combined query");
    assert_eq!(t.cjk.as_ref().map(|c| c.da1), Some(1), "one sentinel");
    // The quotes of the data are kept, each two cells wide, and the header still fits.
    t.wait_for("2020年“科创中国”先导技术榜");
    assert_borders(&t, 2, "first frame");

    t.type_keys("j");
    t.wait_for("RE-002 (2/46)");
    t.settle(QUIET);
    assert_borders(&t, 2, "after j");
    assert_no_leftovers(&mut t, 80, 24, "after j");

    t.send(PGDN);
    t.wait_for("11-30/");
    t.settle(QUIET);
    assert_borders(&t, 2, "after PgDn");
    assert_no_leftovers(&mut t, 80, 24, "after PgDn");

    t.resize(101, 31);
    t.wait_screen("the resized frame", |s| {
        s.cell(1, 100).is_some_and(|c| c.contents() == "+")
    });
    t.settle(QUIET);
    assert_borders(&t, 2, "after a resize");
    t.type_keys("j");
    t.wait_for("RE-003 (3/46)");
    t.send(PGDN);
    t.settle(QUIET);
    assert_borders(&t, 2, "after a resize, j and PgDn");
    assert_no_leftovers(&mut t, 101, 31, "after a resize, j and PgDn");

    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn chair_view_on_a_wide_ambiguous_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (profile, batch) = common::batch("batches/resources-environment.json");
    let sheets = root.join("sheets");
    for e in 0..4 {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let args: Vec<String> = [
        "chair",
        BATCH,
        "--bootstrap",
        "100",
        "--lang",
        "zh",
        "--chair",
        "zhang",
    ]
    .map(String::from)
    .into_iter()
    .chain([
        sheets.display().to_string(),
        "--store".into(),
        root.join("chair").display().to_string(),
    ])
    .collect();
    let mut t = spawn(&args, 100, 30, true, true);
    t.wait_for("RE-0");
    t.settle(QUIET);
    assert_borders(&t, 1, "first frame");
    assert_no_leftovers(&mut t, 100, 30, "first frame");

    t.type_keys("jj");
    t.settle(QUIET);
    assert_borders(&t, 1, "after j");
    assert_no_leftovers(&mut t, 100, 30, "after j");

    t.send(PGDN);
    t.settle(QUIET);
    assert_borders(&t, 1, "after PgDn");
    assert_no_leftovers(&mut t, 100, 30, "after PgDn");

    t.resize(84, 26);
    t.wait_screen("the resized frame", |s| {
        s.cell(1, 83).is_some_and(|c| c.contents() == "+")
    });
    t.type_keys("j");
    t.send(PGDN);
    t.settle(QUIET);
    assert_borders(&t, 1, "after a resize, j and PgDn");
    assert_no_leftovers(&mut t, 84, 26, "after a resize, j and PgDn");

    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn forced_wide_needs_no_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let args = score_args(&dir.path().join("s"), &["--ambiguous-width", "wide"]);
    let mut t = spawn(&args, 80, 24, true, false);
    t.wait_for("RE-001 (1/46)");
    t.settle(QUIET);
    assert!(!contains(&t.raw, b"\x1b[6n"), "no probe when forced");
    // The background is still asked (no theme is named), on its own.
    assert!(
        contains(&t.raw, b"\x1b]11;?\x1b\\\x1b[c"),
        "background only"
    );
    assert_borders(&t, 1, "forced wide");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The screen after start and `j`, on a plain vt100 terminal.
fn narrow_screen(args: &[String], t: Option<Tui>) -> (String, Vec<u8>) {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = t.unwrap_or_else(|| Tui::spawn(&argv, 80, 24, &[]));
    t.wait_for("RE-001 (1/46)");
    t.type_keys("j");
    t.wait_for("RE-002 (2/46)");
    t.settle(QUIET);
    let screen: Vec<String> = t
        .screen()
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    let screen = screen.join("\n");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    (screen, t.raw.clone())
}

#[test]
fn narrow_terminals_and_silent_ones_see_what_they_saw_before() {
    let dir = tempfile::tempdir().expect("dir");
    let args = |name: &str, extra: &[&str]| score_args(&dir.path().join(name), extra);
    // Forced narrow on the plain terminal: no probe, box-drawing borders as ever.
    let (before, raw) = narrow_screen(&args("a", &["--ambiguous-width", "narrow"]), None);
    assert!(!contains(&raw, b"\x1b[6n"));
    assert!(before.contains('─') && before.contains('│'), "{before}");
    // A narrow terminal that answers: detected narrow, the same screen.
    let t = spawn(&args("b", &[]), 80, 24, false, true);
    let (answered, raw) = narrow_screen(&args("b", &[]), Some(t));
    assert!(contains(&raw, b"\x1b[6n"), "probed");
    assert_eq!(answered, before);
    // A terminal that never answers: the probe gives up, the view is as it was.
    let t = spawn(&args("c", &[]), 80, 24, false, false);
    let (silent, _) = narrow_screen(&args("c", &[]), Some(t));
    assert_eq!(silent, before);
    // The probe's character is erased: nothing is left of it on the main screen.
    let mut p = vt100::Parser::new(nz(24), nz(80), 0);
    p.process(b"$ revdesk score\r\n");
    p.process(&raw[..raw.len().min(64)]);
    assert!(!p.screen().contents().contains('“'));
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

// The test terminal itself.

#[test]
fn the_test_terminal_draws_ambiguous_characters_two_cells_wide() {
    let mut p = vt100::Parser::new(nz(2), nz(10), 0);
    let mut t = WideAmbiguous::new(true, true);
    let reply = t.process(&mut p, "\r“\x1b[6n".as_bytes());
    assert_eq!(reply, b"\x1b[1;3R");
    t.process(&mut p, "a·b".as_bytes());
    assert_eq!(p.screen().cursor_position(), (0, 6));
    assert_eq!(t.rows(p.screen())[0], "“a·b    ");
    let g = t.grid(p.screen());
    assert_eq!(&g[0][..4], ["“", "\0", "a", "·"]);
}

#[test]
fn the_test_terminal_narrow_and_silent() {
    let mut p = vt100::Parser::new(nz(2), nz(10), 0);
    let mut t = WideAmbiguous::new(false, true);
    assert_eq!(t.process(&mut p, "\r“\x1b[6n".as_bytes()), b"\x1b[1;2R");
    let mut t = WideAmbiguous::new(true, false);
    assert!(t.process(&mut p, b"\x1b[6n").is_empty());
    assert_eq!(t.answered, 0);
    assert!(t.process(&mut p, b"\x1b[c").is_empty());
    assert_eq!(t.da1, 0);
}

#[test]
fn the_test_terminal_answers_device_attributes_in_order() {
    let mut p = vt100::Parser::new(nz(2), nz(10), 0);
    let mut t = WideAmbiguous::new(true, true);
    let query = "\x1b]11;?\x1b\\\r“\x1b[6n\x1b[c".as_bytes();
    let mut reply = Vec::new();
    for b in query {
        reply.extend(t.process(&mut p, std::slice::from_ref(b)));
    }
    assert_eq!(reply, b"\x1b[1;3R\x1b[?62;22c");
    assert_eq!((t.answered, t.da1), (1, 1));
}

#[test]
fn the_test_terminal_joins_characters_and_requests_split_across_reads() {
    let mut p = vt100::Parser::new(nz(2), nz(10), 0);
    let mut t = WideAmbiguous::new(true, true);
    let bytes = "x”\x1b[6n".as_bytes();
    let mut reply = Vec::new();
    for b in bytes {
        reply.extend(t.process(&mut p, std::slice::from_ref(b)));
    }
    assert_eq!(reply, b"\x1b[1;4R");
    assert_eq!(t.rows(p.screen())[0].trim_end(), "x”");
    // A wide character at the last column wraps, as on such a terminal.
    let mut p = vt100::Parser::new(nz(2), nz(4), 0);
    t.process(&mut p, "abc…".as_bytes());
    assert_eq!(t.rows(p.screen())[1].trim_end(), "…");
}

#[test]
fn the_box_check_finds_a_drifted_border() {
    let cells = |rows: &[&str]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.chars().map(|c| c.to_string()).collect())
            .collect()
    };
    let good = cells(&["+--++-+", "|ab||c|", "+--++-+"]);
    assert_eq!(boxes_intact(&good), Ok(2));
    let drifted = cells(&["+--+", "|abc|", "+--+"]);
    assert!(boxes_intact(&drifted).is_err());
    let open = cells(&["+--+", "|ab|", "|ab|"]);
    assert!(boxes_intact(&open).is_err());
}

#[test]
fn the_checks_catch_the_old_drawing_on_a_wide_terminal() {
    // Told narrow, revdesk draws as before: box-drawing borders and unmarked quotes, which a
    // wide-ambiguous terminal draws two cells wide. The checks above must see that.
    let dir = tempfile::tempdir().expect("dir");
    let args = score_args(&dir.path().join("s"), &["--ambiguous-width", "narrow"]);
    let mut t = spawn(&args, 80, 24, true, true);
    // The frame runs over its rows here, so its first rows scroll away.
    t.wait_for("已评 0/46");
    t.settle(QUIET);
    let g = grid(&t);
    // Borders are box-drawing here, so read them as the ASCII the box check knows.
    let ascii: Vec<Vec<String>> = g
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c.as_str() {
                    "┌" | "┐" | "└" | "┘" => "+".to_string(),
                    "│" => "|".to_string(),
                    "─" => "-".to_string(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(
        !matches!(boxes_intact(&ascii), Ok(n) if n >= 2),
        "the two boxes look intact:\n{}",
        show(&g)
    );
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
