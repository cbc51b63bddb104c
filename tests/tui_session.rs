//! The scoring view in a terminal session over an in-memory stream, as a remote terminal would
//! see it: the bytes are read back through vt100. Scores typed appear, a resize redraws at the
//! new size, setup and teardown frame the session, drafts survive however it ends, and two
//! sessions in one process do not see each other.

mod common;

use common::app;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::store::Store;
use revdesk::tui::Screen;
use revdesk::tui::i18n::Lang;
use revdesk::tui::term::session::{Ended, Flow, Session};
use revdesk::tui::theme::Theme;
use std::io::Write;
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// Setup: alternate screen, clicks-drags-wheel mouse reporting, bracketed paste.
const SETUP: &str = "\x1b[?1049h\x1b[?1000h\x1b[?1002h\x1b[?1006h\x1b[?2004h";
/// Leaving the alternate screen.
const LEAVE: &str = "\x1b[?1049l";
/// A frame's start.
const FRAME: &str = "\x1b[?2026h";

/// A writer the test reads while the session owns it (from any thread).
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().expect("buffer").clone()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

/// A `w`×`h` terminal that has read `bytes`.
fn terminal(bytes: &[u8], w: u16, h: u16) -> vt100::Parser {
    let mut p = vt100::Parser::new(nz(h), nz(w), 0);
    p.process(bytes);
    p
}

/// The screen as text after `bytes`.
fn screen(bytes: &[u8], w: u16, h: u16) -> String {
    terminal(bytes, w, h).screen().contents()
}

/// The view's last frame: the screen just before the session left the alternate screen.
fn last_frame(out: &Shared, w: u16, h: u16) -> String {
    let text = out.text();
    let end = text
        .rfind(LEAVE)
        .expect("the session left the alternate screen");
    screen(&text.as_bytes()[..end], w, h)
}

/// Key events for `s`: `\r` is Enter, `\x1b` Esc, anything else a character.
fn keys(s: &str) -> Vec<Event> {
    s.chars()
        .map(|c| {
            let code = match c {
                '\r' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
        })
        .collect()
}

/// An input channel already holding `input`'s keys.
type Input = (
    Sender<std::io::Result<Event>>,
    Receiver<std::io::Result<Event>>,
);
fn queued(input: &str) -> Input {
    let (tx, rx) = channel();
    for ev in keys(input) {
        tx.send(Ok(ev)).expect("send");
    }
    (tx, rx)
}

fn feed<S: Screen, W: Write>(s: &mut Session<S, W>, input: &str) -> Flow {
    let mut flow = Flow::Continue;
    for ev in keys(input) {
        flow = s.handle(ev);
    }
    flow
}

/// RE-001's stored comment and feasibility score.
fn stored(dir: &Path) -> (String, Option<f64>) {
    let s = Store::open(dir).expect("store");
    let hash = s.batches().expect("batches")[0].hash.clone();
    let marks = s.load("wang", &hash).expect("load");
    let Some(one) = marks.items.get("RE-001") else {
        return (String::new(), None);
    };
    (one.comment.clone(), one.scores.get("feasibility").copied())
}

/// The scoring view on a fresh store in `dir`, in a session of `size`, and what it writes.
fn session(dir: &Path, lang: Lang, size: (u16, u16)) -> (Session<impl Screen, Shared>, Shared) {
    let out = Shared::default();
    let s = Session::new(app(dir, lang, Theme::default()), out.clone(), size).expect("session");
    (s, out)
}

/// A zh session at 80×24 that drew its first frame, then `input` typed and drawn.
fn typed(dir: &Path, input: &str) -> (Session<impl Screen, Shared>, Shared) {
    let (mut s, out) = session(dir, Lang::Zh, (80, 24));
    s.draw().expect("draw");
    feed(&mut s, input);
    s.draw().expect("draw");
    (s, out)
}

#[test]
fn a_typed_score_appears_between_setup_and_teardown() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut s, out) = session(dir.path(), Lang::Zh, (80, 24));
    assert_eq!(out.text(), SETUP, "setup only, no frame before draw");
    s.draw().expect("draw");
    let first = screen(&out.bytes(), 80, 24);
    assert!(first.contains("RE-001 (1/8)"), "{first}");
    assert!(first.contains("-/10"), "{first}");

    assert_eq!(feed(&mut s, "8\r"), Flow::Continue);
    s.draw().expect("draw");
    // Nothing changed: no frame.
    s.draw().expect("draw");
    let now = screen(&out.bytes(), 80, 24);
    assert!(now.contains("8/10"), "{now}");
    assert!(now.contains("(1/6)"), "{now}");
    assert_eq!(
        out.text().matches(FRAME).count(),
        2,
        "one synchronized update per frame"
    );

    assert_eq!(feed(&mut s, "q"), Flow::Quit);
    s.finish();
    let all = out.text();
    let tail = &all[all.rfind("\x1b[?2026l").expect("frames")..];
    for seq in ["\x1b[?2004l", "\x1b[?1000l", "\x1b[?1006l", LEAVE] {
        assert!(tail.contains(seq), "teardown has {seq:?}: {tail:?}");
    }
    assert!(all.ends_with("\x1b[?25h"), "cursor shown last: {tail:?}");
    assert!(
        tail.find(LEAVE) < tail.rfind("\x1b[?25h"),
        "cursor shown after leaving"
    );
    assert_eq!(stored(dir.path()).1, Some(8.0));
}

#[test]
fn a_resize_redraws_at_the_new_size() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut s, out) = typed(dir.path(), "7\r");
    let before = out.bytes().len();
    assert_eq!(s.resize(100, 30), Flow::Continue);
    s.draw().expect("draw");
    let bytes = out.bytes();
    let mut t = terminal(&bytes[..before], 80, 24);
    t.screen_mut().set_size(nz(30), nz(100));
    t.process(&bytes[before..]);
    let resized = t.screen().contents();

    // The same state drawn from scratch at 100×30.
    let dir2 = tempfile::tempdir().expect("dir");
    let (mut fresh, fresh_out) = session(dir2.path(), Lang::Zh, (100, 30));
    feed(&mut fresh, "7\r");
    fresh.draw().expect("draw");
    assert_eq!(resized, screen(&fresh_out.bytes(), 100, 30));
    let widest = resized.lines().map(|l| l.chars().count()).max();
    assert!(widest > Some(90), "drawn across the new width:\n{resized}");
    assert!(resized.contains("7/10"), "{resized}");
}

#[test]
fn a_stopped_session_keeps_the_comment_being_written() {
    let dir = tempfile::tempdir().expect("dir");
    let (s, out) = session(dir.path(), Lang::Zh, (80, 24));
    let (tx, rx) = queued("c断线前的评语");
    // Stopped as a server stops a session, once the text is on the far screen.
    let ended = s
        .run(&rx, || {
            screen(&out.bytes(), 80, 24)
                .contains("断线前的评语")
                .then_some(Ended::Signal(15))
        })
        .expect("run");
    assert_eq!(ended, Ended::Signal(15));
    assert!(out.text().contains(LEAVE), "teardown written");
    assert_eq!(stored(dir.path()).0, "断线前的评语");
    drop(tx);
}

#[test]
fn closed_input_ends_the_session_and_keeps_the_draft() {
    let dir = tempfile::tempdir().expect("dir");
    let (s, out) = session(dir.path(), Lang::Zh, (80, 24));
    let (tx, rx) = queued("9\rc连接关闭");
    drop(tx);
    assert_eq!(s.run(&rx, || None).expect("run"), Ended::HungUp);
    assert_eq!(stored(dir.path()), ("连接关闭".to_string(), Some(9.0)));
    assert!(out.text().ends_with("\x1b[?25h"), "terminal put back");
}

#[test]
fn a_dropped_session_keeps_the_draft_and_puts_the_terminal_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (s, out) = typed(dir.path(), "c任务取消");
    // An async caller's task cancelled mid-session.
    drop(s);
    assert_eq!(stored(dir.path()).0, "任务取消");
    let all = out.text();
    assert!(all.contains(LEAVE), "teardown written");
    assert_eq!(all.matches(LEAVE).count(), 1, "once");
}

#[test]
fn interleaved_sessions_do_not_see_each_other() {
    let (d1, d2) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let (mut s1, o1) = session(d1.path(), Lang::Zh, (80, 24));
    let (mut s2, o2) = session(d2.path(), Lang::En, (100, 30));
    for (a, b) in [("6", "j"), ("\r", "j"), ("", "3")] {
        feed(&mut s1, a);
        s1.draw().expect("draw");
        feed(&mut s2, b);
        s2.draw().expect("draw");
    }
    let (v1, v2) = (screen(&o1.bytes(), 80, 24), screen(&o2.bytes(), 100, 30));
    assert!(v1.contains("RE-001 (1/8)") && v1.contains("6/10"), "{v1}");
    assert!(v2.contains("RE-003 (3/8)") && v2.contains("Scores"), "{v2}");
    assert!(!v2.contains("6/10") && !v1.contains("Scores"), "{v1}\n{v2}");
    s1.finish();
    assert_eq!(stored(d1.path()).1, Some(6.0));
    assert_eq!(
        stored(d2.path()).1,
        None,
        "the other session's store is untouched"
    );
    assert!(
        !o2.text().contains(LEAVE),
        "finishing one leaves the other on screen"
    );
    s2.finish();
}

#[test]
fn two_sessions_run_at_once_on_their_own_threads() {
    let both = Arc::new(Barrier::new(2));
    let run = |input: &'static str, shown: &'static str, lang: Lang, size: (u16, u16)| {
        let both = Arc::clone(&both);
        std::thread::spawn(move || {
            let dir = tempfile::tempdir().expect("dir");
            let (s, out) = session(dir.path(), lang, size);
            // Both sessions exist before either reads a key.
            both.wait();
            let (tx, rx) = channel();
            let feeder = std::thread::spawn(move || {
                for ev in keys(input) {
                    tx.send(Ok(ev)).expect("send");
                    std::thread::sleep(Duration::from_millis(5));
                }
                tx
            });
            // Stopped once the far screen shows `shown` (or after a minute, to fail, not hang).
            let start = Instant::now();
            let ended = s.run(&rx, || {
                let done = screen(&out.bytes(), size.0, size.1).contains(shown);
                (done || start.elapsed() > Duration::from_secs(60)).then_some(Ended::Signal(15))
            });
            drop(feeder.join().expect("feeder"));
            let stored = stored(dir.path());
            (
                ended.expect("run"),
                last_frame(&out, size.0, size.1),
                stored,
            )
        })
    };
    let zh = run("5\r6\r", "(2/6)", Lang::Zh, (80, 24));
    let en = run("j3\r", "(1/6)", Lang::En, (100, 30));
    let (zh_end, zh_screen, zh_store) = zh.join().expect("zh thread");
    let (en_end, en_screen, en_store) = en.join().expect("en thread");
    assert_eq!((zh_end, en_end), (Ended::Signal(15), Ended::Signal(15)));
    assert!(
        zh_screen.contains("RE-001 (1/8)") && zh_screen.contains("(2/6)"),
        "{zh_screen}"
    );
    assert!(
        en_screen.contains("RE-002 (2/8)") && en_screen.contains("(1/6)"),
        "{en_screen}"
    );
    assert!(
        !zh_screen.contains("Scores")
            && en_screen.contains("Scores")
            && !en_screen.contains("评分"),
        "{zh_screen}\n{en_screen}"
    );
    assert_eq!(zh_store, (String::new(), Some(5.0)));
    assert_eq!(en_store, (String::new(), None), "its score went to RE-002");
}
