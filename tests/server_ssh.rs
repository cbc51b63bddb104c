//! The review server with the real OpenSSH client under a pseudo-terminal: an expert scores,
//! resizes, quits and finds the scores again; SIGKILL of the server loses nothing shown as
//! saved; a chair sees an expert's marks arrive live.

mod common;
mod openssh_support;
mod server_support;

use openssh_support::ssh;
use revdesk::store::Store;
use server_support::{Server, batch_hash, setup};
use std::path::Path;

fn scores(store: &Path, expert: &str) -> Vec<(String, usize)> {
    let s = Store::open(store).expect("store");
    let marks = s.load(expert, &batch_hash(&s)).expect("load");
    let mut v: Vec<(String, usize)> = marks
        .items
        .iter()
        .map(|(id, r)| (id.clone(), r.scores.len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    v.sort();
    v
}

#[test]
fn an_expert_scores_resizes_quits_and_finds_the_scores_again() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.wait_for("已评 0/8");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("RE-002 (2/8)");
    t.wait_for("已评 1/8");
    // Wider than the side-by-side threshold: the list of all eight appears.
    t.resize(130, 40);
    t.wait_for("RE-008");
    t.type_keys("5\r");
    t.wait_for("(1/6)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    server.wait_log("session_end wang");
    assert_eq!(
        scores(&s.store, "wang"),
        [("RE-001".to_string(), 6), ("RE-002".to_string(), 1)]
    );
    let log = server.log().join("\n");
    assert!(
        log.contains(&format!("login wang {}", s.wang.fingerprint())),
        "{log}"
    );

    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.wait_for("已评 1/8");
    t.type_keys("j");
    t.wait_for("RE-002 (2/8)");
    t.wait_for("(1/6)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_wide_ambiguous_terminal_is_detected_over_ssh() {
    let s = setup();
    // A generous wait for the report: a loaded test machine is slower than any link.
    let server = Server::start_env(&s, &[], &[("REVDESK_PROBE_MS", "4000")]);
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.cjk = Some(common::cjk_term::WideAmbiguous::new(true, true));
    t.wait_for("RE-001 (1/8)");
    t.settle(std::time::Duration::from_millis(400));
    assert_eq!(
        t.cjk.as_ref().map(|c| c.answered),
        Some(1),
        "probed over the channel"
    );
    let screen = t.screen();
    assert!(screen.contains("+-") && !screen.contains('─'), "{screen}");
    // Every row ends with its right border: nothing drawn wider than counted.
    let rows: Vec<&str> = screen.lines().collect();
    assert!(rows[1].ends_with('+'), "{screen}");
    // The report did not reach the view as a key; typed keys do.
    t.type_keys("j");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn the_client_terminal_background_picks_the_theme() {
    let s = setup();
    let server = Server::start(&s, &[]);
    // A light terminal: the server asks it over the channel, before the first frame.
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.wait_raw(b"\x1b]11;?");
    // A key typed before the answer reaches the view; the answer itself does not.
    t.send("j\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62;22c");
    t.wait_for("RE-002 (2/8)");
    // The light theme's focused criterion is white on magenta; the default theme has none.
    assert!(t.any_background(vt100::Color::Idx(5)), "{}", t.screen());
    assert!(!t.screen().contains("rgb:"), "{}", t.screen());
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    // A terminal that answers nothing: the default theme, after the probe's timeout.
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.wait_for("RE-001 (1/8)");
    assert!(!t.any_background(vt100::Color::Idx(5)), "{}", t.screen());
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn sigkill_of_the_server_loses_nothing_shown_as_saved() {
    let s = setup();
    let mut server = Server::start(&s, &[]);
    let mut t = ssh(&s, &server, "li", &s.li, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("4\r5\r6\r");
    t.wait_for("(3/6)");
    server.kill9();
    // The client sees its connection go.
    t.wait_exit();
    drop(t);

    let server = Server::start(&s, &[]);
    let mut t = ssh(&s, &server, "li", &s.li, 80, 24);
    t.wait_for("已评 1/8");
    t.type_keys("j");
    t.wait_for("(3/6)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(
        scores(&s.store, "li"),
        [("RE-001".to_string(), 6), ("RE-002".to_string(), 3)]
    );
}

#[test]
fn a_chair_sees_an_experts_marks_arrive_live() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let mut chair = ssh(&s, &server, "zhang", &s.zhang, 140, 40);
    chair.wait_for("revdesk 主席");
    chair.wait_for("评分表 0");
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for("已评 1/8");
    chair.wait_for("评分表 1");
    chair.wait_for("RE-001");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    chair.type_keys("q");
    assert_eq!(chair.wait_exit(), 0);
}

#[test]
fn with_an_assignment_an_expert_sees_only_their_share() {
    let s = setup();
    let profile = revdesk::round::load_profile(None).expect("profile");
    let batch = revdesk::round::load_batch(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(server_support::BATCH),
        &profile,
        &Default::default(),
    )
    .expect("batch");
    let (a, b) = (&batch.items[1].id, &batch.items[4].id);
    let assign = s.dir.path().join("assign.toml");
    std::fs::write(
        &assign,
        format!(
            "batch = \"{}\"\nper_item = 1\n\n[[experts]]\nid = \"wang\"\nitems = [\"{a}\", \"{b}\"]\n",
            batch.hash
        ),
    )
    .expect("assignment");
    let server = Server::start(&s, &["--assign", &assign.display().to_string()]);
    let mut t = ssh(&s, &server, "wang", &s.wang, 80, 24);
    // Two nominations, not eight: the rest are hidden, not unscored.
    t.wait_for(&format!("{a} (1/2)"));
    t.wait_for("已评 0/2");
    t.type_keys("8\r7\r9\r6\r8\r7\r");
    t.wait_for(&format!("{b} (2/2)"));
    t.wait_for("已评 1/2");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    server.wait_log("session_end wang");
    assert_eq!(scores(&s.store, "wang"), [(a.clone(), 6)]);
}
