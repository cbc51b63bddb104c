//! The real binary under a pseudo-terminal: score, comment, recuse, quit, reopen; SIGKILL
//! loses nothing that was shown as saved; signals restore the terminal.

mod common;

use common::fixture;
use common::pty::Tui;
use revdesk::store::Store;
use std::path::Path;

const BATCH: &str = "fixtures/batches/resources-environment-small.json";

fn score_args(store: &Path) -> Vec<String> {
    vec![
        "score".into(),
        BATCH.into(),
        "--expert".into(),
        "wang".into(),
        "--name".into(),
        "王专家".into(),
        "--store".into(),
        store.display().to_string(),
        "--lang".into(),
        "zh".into(),
    ]
}

fn spawn(store: &Path, cols: u16, rows: u16) -> Tui {
    let args = score_args(store);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Tui::spawn(&args, cols, rows, &[])
}

fn open(store: &Path) -> (Store, String) {
    let s = Store::open(store).expect("store");
    let hash = s.batches().expect("batches")[0].hash.clone();
    (s, hash)
}

#[test]
fn score_comment_recuse_quit_and_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.wait_for("已评 0/8");

    // Two nominations, six criteria each, digits and Enter.
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("5\r6\r7\r8\r9\r1\r");
    t.wait_for("RE-003 (3/8)");
    t.wait_for("已评 2/8");

    // A score outside the rubric is refused and not stored.
    t.type_keys("11\r");
    t.wait_for("未保存");

    // Back to RE-002 for a Chinese comment (Esc saves).
    t.type_keys("k");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("c");
    t.wait_for("评语（Esc 保存并关闭）");
    t.send("建议关注MVR能耗");
    t.wait_for("建议关注MVR能耗");
    t.send("\x1b");
    t.wait_for("评语已保存");

    // Recuse from RE-003 with a reason.
    t.type_keys("j");
    t.wait_for("RE-003 (3/8)");
    t.type_keys("x");
    t.wait_for("回避原因");
    t.send("本人参与该项目\r");
    t.wait_for("已回避 RE-003");
    t.wait_for("已评 3/8");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    let (s, hash) = open(&store);
    let marks = s.load("wang", &hash).expect("load");
    let one = &marks.items["RE-001"].scores;
    assert_eq!(
        [
            "feasibility",
            "novelty",
            "originality",
            "irreplaceability",
            "maturity",
            "market"
        ]
        .map(|k| one[k]),
        [8.0, 7.0, 9.0, 6.0, 8.0, 7.0]
    );
    assert_eq!(marks.items["RE-002"].scores["market"], 1.0);
    assert_eq!(marks.items["RE-002"].comment, "建议关注MVR能耗");
    assert_eq!(
        marks.items["RE-003"].recusal.as_deref(),
        Some("本人参与该项目")
    );
    assert!(
        marks.items["RE-003"].scores.is_empty(),
        "the refused 11 was not stored"
    );
    assert_eq!(s.rebuild("wang", &hash).expect("rebuild"), marks);
    drop(s);

    // Reopen: everything is there.
    let mut t = spawn(&store, 80, 24);
    t.wait_for("已评 3/8");
    t.type_keys("jj");
    t.wait_for("RE-003 (3/8)");
    t.wait_for("回避原因：本人参与该项目");
    t.type_keys("k");
    t.wait_for("RE-002 (2/8)");
    // The comment is in the scoring pane, even at 80×24.
    t.wait_for("建议关注MVR能耗");
    t.type_keys("g");
    t.wait_for("RE-001 (1/8)");
    t.wait_for("总分 75.0");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_dropped_connection_ends_the_program_and_keeps_the_comment_draft() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("8\r");
    t.wait_for("(1/6)");
    t.type_keys("c");
    t.wait_for("评语（Esc 保存并关闭）");
    t.send("酒店网络断开前写的评语");
    t.wait_for("酒店网络断开前写的评语");
    // The terminal goes away: the program must end (not spin on a dead terminal) and keep
    // what was typed.
    assert!(
        t.hang_up(),
        "revdesk kept running after its terminal closed"
    );
    drop(t);
    let (s, hash) = open(&store);
    let marks = s.load("wang", &hash).expect("load");
    assert_eq!(marks.items["RE-001"].scores["feasibility"], 8.0);
    assert_eq!(marks.items["RE-001"].comment, "酒店网络断开前写的评语");
}

#[test]
fn sigkill_loses_nothing_shown_as_saved() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store, 100, 30);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("4\r5\r6\r");
    // The partial total is on screen: those three scores are stored.
    t.wait_for("(3/6)");
    t.signal("KILL");
    t.wait_exit();
    drop(t);
    let (s, hash) = open(&store);
    let marks = s.load("wang", &hash).expect("load");
    assert_eq!(marks.items["RE-001"].scores.len(), 6);
    let two = &marks.items["RE-002"].scores;
    assert_eq!(
        (
            two["feasibility"],
            two["novelty"],
            two["originality"],
            two.len()
        ),
        (4.0, 5.0, 6.0, 3)
    );
    assert_eq!(s.rebuild("wang", &hash).expect("rebuild"), marks);
}

#[test]
fn sigkill_keeps_the_comment_draft_being_typed() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("c");
    t.wait_for("评语（Esc 保存并关闭）");
    t.send("被强行结束前写的评语");
    t.wait_for("被强行结束前写的评语");
    // No Esc: the draft reaches the store on its own while the editor stays open.
    let (s, hash) = open(&store);
    let start = std::time::Instant::now();
    while s.draft("wang", &hash, "RE-001").expect("draft").is_none() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the draft was never saved"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    t.signal("KILL");
    t.wait_exit();
    drop(t);
    assert_eq!(
        s.load("wang", &hash)
            .expect("load")
            .items
            .get("RE-001")
            .map(|r| r.comment.as_str())
            .unwrap_or(""),
        ""
    );
    // The next session offers it back in the editor.
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("c");
    t.wait_for("已恢复上次未保存的评语草稿");
    t.wait_for("被强行结束前写的评语");
    t.type_keys("\x1b");
    t.wait_for("评语已保存");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    let marks = s.load("wang", &hash).expect("load");
    assert_eq!(marks.items["RE-001"].comment, "被强行结束前写的评语");
    assert_eq!(s.draft("wang", &hash, "RE-001").expect("draft"), None);
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in ["TERM", "HUP"] {
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("store");
        let mut t = spawn(&store, 80, 24);
        t.wait_for("RE-001 (1/8)");
        t.type_keys("9\r");
        t.wait_for("(1/6)");
        t.signal(sig);
        // Ended by a signal: 128 + its number, as shells report it.
        let code = if sig == "TERM" { 128 + 15 } else { 128 + 1 };
        assert_eq!(t.wait_exit(), code, "{sig}");
        let raw = String::from_utf8_lossy(&t.raw).into_owned();
        let enter = raw
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        let leave = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
        assert!(leave > enter, "{sig}: restore after start");
        assert!(
            raw[leave..].contains("\x1b[?25h") || raw[..leave].contains("\x1b[?25h"),
            "cursor shown"
        );
        drop(t);
        let (s, hash) = open(&store);
        assert_eq!(
            s.load("wang", &hash).expect("load").items["RE-001"].scores["feasibility"],
            9.0
        );
    }
}

#[test]
fn demo_opens_and_quits() {
    let mut t = Tui::spawn(&["demo", "--lang", "en"], 80, 24, &[]);
    t.wait_for("RE-001 (1/46)");
    t.wait_for("Scores");
    t.type_keys("?");
    t.wait_for("Help: keys");
    t.type_keys("?q");
    assert_eq!(t.wait_exit(), 0);
}

/// The demo in a terminal that answers the background query with `reply` (None: no answer);
/// whether the light theme was chosen, and whether the query was sent at all.
fn theme_for_reply(args: &[&str], reply: Option<&str>, envs: &[(&str, &str)]) -> (bool, bool) {
    let mut all = vec!["demo", "--lang", "en"];
    all.extend_from_slice(args);
    let mut t = Tui::spawn(&all, 80, 24, envs);
    if let Some(reply) = reply {
        t.wait_raw(b"\x1b]11;?");
        t.send(reply);
    }
    t.wait_for("Scores");
    t.wait_for("RE-001 (1/46)");
    // The light theme's focused criterion is white on magenta; the default theme has no magenta.
    let light = t.any_background(vt100::Color::Idx(5));
    let asked = t.raw.windows(6).any(|w| w == b"\x1b]11;?");
    let screen = t.screen();
    assert!(
        !screen.contains("rgb:"),
        "the reply leaked into the view:\n{screen}"
    );
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    (light, asked)
}

#[test]
fn the_terminal_background_picks_the_theme_unless_one_is_named() {
    let light = "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62;22c";
    let dark = "\x1b]11;rgb:0000/0000/0000\x07\x1b[?62;22c";
    assert_eq!(theme_for_reply(&[], Some(light), &[]), (true, true));
    assert_eq!(theme_for_reply(&[], Some(dark), &[]), (false, true));
    // No answer at all: default after the timeout.
    assert_eq!(theme_for_reply(&[], None, &[]), (false, true));
    // No answer: COLORFGBG decides.
    assert_eq!(
        theme_for_reply(&[], None, &[("COLORFGBG", "0;15")]),
        (true, true)
    );
    // A named theme wins, and the terminal is not even asked.
    let named = theme_for_reply(&["--theme", "default"], None, &[("COLORFGBG", "0;15")]);
    assert_eq!(named, (false, false));
}

#[test]
fn bad_theme_is_a_clear_error_before_the_terminal_changes() {
    let bad = fixture("../tests/invalid_configs/theme_bad_color.toml");
    let dir = tempfile::tempdir().expect("dir");
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("bin")
        .env("LC_ALL", "en_US.UTF-8")
        .args(["score", BATCH, "--store"])
        .arg(dir.path().join("store"))
        .arg("--theme")
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("theme_bad_color.toml"), "{err}");
    assert!(!dir.path().join("store").exists(), "nothing created");
}

/// The cells of the editor's row between its borders, around the cursor.
fn editor_row(t: &Tui) -> Vec<(u16, bool, String)> {
    let s = t.parser.screen();
    let (row, col) = s.cursor_position();
    let border = |c: u16| s.cell(row, c).is_some_and(|x| x.contents() == "│");
    let left = (0..col).rev().find(|&c| border(c)).expect("left border");
    let right = (col..s.size().1.get())
        .find(|&c| border(c))
        .expect("right border");
    (left + 1..right)
        .filter_map(|c| {
            s.cell(row, c)
                .map(|x| (c, x.inverse(), x.contents().to_string()))
        })
        .collect()
}

#[test]
fn the_comment_editor_shows_exactly_one_caret() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("c");
    t.wait_for("评语（Esc 保存并关闭）");
    t.send("abc");
    t.wait_for("abc");
    // The terminal's cursor is the caret: shown, after the text, on a cell drawn plain (a
    // reversed cell under xterm's block cursor reads as no caret at all), and no other
    // reversed cell beside it.
    let s = t.parser.screen();
    assert!(!s.hide_cursor(), "the terminal cursor is shown");
    let (row, col) = s.cursor_position();
    assert_eq!(
        s.cell(row, col.saturating_sub(1)).map(|c| c.contents()),
        Some("c"),
        "the caret follows the text"
    );
    let cells = editor_row(&t);
    assert!(
        cells.iter().all(|(_, inverse, _)| !inverse),
        "no drawn caret besides the cursor: {cells:?}"
    );
    // Moved back onto a character, the character stays plain under the cursor.
    t.send("\x1b[D");
    t.wait_screen("the cursor on the c", |s| {
        s.cursor_position() == (row, col - 1)
    });
    let s = t.parser.screen();
    assert_eq!(
        s.cell(row, col - 1).map(|c| (c.contents(), c.inverse())),
        Some(("c", false))
    );
    assert!(editor_row(&t).iter().all(|(_, inverse, _)| !inverse));
    t.send("\x1b");
    t.wait_for("评语已保存");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn with_an_assignment_the_view_lists_the_share_and_keeps_other_marks() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    // Before the assignment: wang scores RE-001.
    let mut t = spawn(&store, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("已评 1/8");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    let (_, hash) = open(&store);
    let assign = dir.path().join("assign.toml");
    std::fs::write(
        &assign,
        format!(
            "batch = \"{hash}\"\nper_item = 1\n\n[[experts]]\nid = \"wang\"\nitems = [\"RE-002\", \"RE-005\"]\n"
        ),
    )
    .expect("assignment");
    let mut args = score_args(&store);
    args.extend(["--assign".into(), assign.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::spawn(&args, 80, 24, &[]);
    // Two nominations: RE-001 is hidden, and its marks do not count towards the share.
    t.wait_for("RE-002 (1/2)");
    t.wait_for("已评 0/2");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    let (s, hash) = open(&store);
    let marks = s.load("wang", &hash).expect("marks");
    assert_eq!(marks.items["RE-001"].scores.len(), 6, "kept in the store");
    // An expert the assignment gives nothing is told so, not shown an empty list.
    let mut args = score_args(&store);
    args[3] = "li".into();
    args.extend(["--assign".into(), assign.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::spawn(&args, 80, 24, &[]);
    t.wait_for("没有给 li 分配任何项目");
    assert_eq!(t.wait_exit(), 1);
}

#[test]
fn one_probe_asks_background_and_width_and_da1_ends_it() {
    // A terminal that answers only Device Attributes: neither question is supported.
    let mut t = Tui::spawn(&["demo", "--lang", "en"], 80, 24, &[]);
    t.wait_raw(b"\x1b[c");
    t.send("\x1b[?62;22c");
    t.wait_for("RE-001 (1/46)");
    let count = |needle: &[u8]| t.raw.windows(needle.len()).filter(|w| *w == needle).count();
    // Both questions in one write, then the sentinel, once; the probe's `“` erased after.
    let query = "\x1b]11;?\x1b\\\r“\x1b[6n\x1b[c\r\x1b[K".as_bytes();
    assert_eq!(count(query), 1, "one combined probe");
    assert_eq!(count(b"\x1b[c"), 1, "no second probe");
    assert_eq!(count(b"\x1b[6n"), 1);
    // Default theme and narrow borders: what an unanswered probe leaves.
    assert!(!t.any_background(vt100::Color::Idx(5)), "{}", t.screen());
    assert!(t.screen().contains('─'), "{}", t.screen());
    t.type_keys("j");
    t.wait_for("RE-002 (2/46)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
