//! One review session: a scoring or chair's view on its own OS thread, with its own store
//! connection, fed by the SSH handler and writing its frames back through a bounded queue.
//!
//! SQLite commits with `synchronous=FULL` block for a disk flush, so the views never run on
//! the async runtime; the queue bounds what a slow client can make the server hold.

use super::input::{ESC_WAIT, Input, InputParser};
use super::policy::{Idle, Limits, idle_state};
use super::text::{Say, say};
use crate::domain::access::{Identity, Role};
use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::panel::Panel;
use crate::round::StoreMarks;
use crate::store::Store;
use crate::text::ambiguous::AmbiguousWidth;
use crate::text::i18n::Lang;
use crate::tui::Screen;
use crate::tui::chair::{ChairApp, ChairSettings};
use crate::tui::keymap::KeyMap;
use crate::tui::scoring::{App, Settings};
use crate::tui::term::probe::{self, Ask};
use crate::tui::term::probe_bg::{self, Background};
use crate::tui::term::probe_width;
use crate::tui::term::session::{IDLE_POLL, Session};
use crate::tui::theme::Theme;
use crate::tui::vote::VoteApp;
use anyhow::{Context, Result};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Frames queued for one client at most; a view that gets ahead of its link waits.
pub const OUTPUT_QUEUE: usize = 8;

/// What the SSH side tells a view.
#[derive(Debug)]
pub enum ToView {
    /// Bytes the client typed.
    Data(Vec<u8>),
    /// The client's terminal is now this size.
    Resize(u16, u16),
    /// The server stops: show this, then end.
    Stop,
    /// The connection is gone.
    HungUp,
}

/// What a view sends to its SSH channel.
#[derive(Debug)]
pub enum FromView {
    /// Terminal output.
    Bytes(Vec<u8>),
    /// The view ended: the exit status for the client, then the channel closes.
    Exit(u32),
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The user quit.
    Quit,
    /// The connection dropped.
    HungUp,
    /// No input for the idle time.
    Idle,
    /// The server stopped.
    Shutdown,
}

impl End {
    /// The word the log and the audit use.
    pub fn word(self) -> &'static str {
        match self {
            End::Quit => "quit",
            End::HungUp => "connection closed",
            End::Idle => "idle timeout",
            End::Shutdown => "server stopped",
        }
    }
}

/// What a session's view needs: who, where, what.
pub struct ViewSpec {
    /// Who logged in.
    pub who: Identity,
    /// The language from the client's locale.
    pub lang: Lang,
    /// The client's terminal size.
    pub size: (u16, u16),
    /// The server store's directory.
    pub store_dir: PathBuf,
    /// The round's rules.
    pub profile: Arc<Profile>,
    /// The batch.
    pub batch: Arc<Batch>,
    /// The panel file.
    pub panel: Arc<Panel>,
    /// The chair's bootstrap resamples.
    pub replicates: usize,
    /// The limits (idle time).
    pub limits: Limits,
    /// `COLORFGBG` if the client sent it: the background's fallback when the terminal does
    /// not answer OSC 11.
    pub colorfgbg: Option<String>,
}

/// Writes into the queue towards the SSH channel, one message per flush (one frame).
#[derive(Clone)]
pub struct ChannelWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<FromView>,
}

impl ChannelWriter {
    /// A writer into `tx`.
    pub fn new(tx: tokio::sync::mpsc::Sender<FromView>) -> ChannelWriter {
        ChannelWriter {
            buf: Vec::new(),
            tx,
        }
    }

    /// Sends the end of the session.
    fn exit(&self, status: u32) {
        let _ = self.tx.blocking_send(FromView::Exit(status));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        // Blocks while the queue is full: the client's link sets the pace.
        self.tx
            .blocking_send(FromView::Bytes(std::mem::take(&mut self.buf)))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

/// Runs a session to its end on the calling thread: opens the store, builds the view for the
/// identity's role, drives it. Drafts are kept however it ends.
pub fn run(spec: ViewSpec, rx: Receiver<ToView>, out: ChannelWriter) -> Result<End> {
    let lang = spec.lang;
    let limits = spec.limits;
    let (background, early) = probe_client(&rx, out.clone(), spec.colorfgbg.as_deref());
    // The server names no theme: the client's background picks light or default.
    let theme = Theme::for_background(background);
    let result = match spec.who.role {
        // A vote waiting for the expert's ballot comes first, as in `revdesk score`.
        Role::Expert => match vote_view(&spec, &theme) {
            Ok(Some(app)) => drive(app, &spec, &rx, early, out.clone(), lang, &limits),
            Ok(None) => expert_view(&spec, theme)
                .and_then(|app| drive(app, &spec, &rx, early, out.clone(), lang, &limits)),
            Err(e) => Err(e),
        },
        Role::Chair => chair_view(&spec, theme)
            .and_then(|app| drive(app, &spec, &rx, early, out.clone(), lang, &limits)),
    };
    let status = match &result {
        Ok(End::Quit) => 0,
        _ => 1,
    };
    if let Err(e) = &result {
        let mut w = out.clone();
        let _ = write!(
            w,
            "\r\n{}: {}\r\n",
            say(lang, Say::CannotOpen),
            crate::text::errors::error_chain(e.as_ref())
        );
        let _ = w.flush();
    }
    out.exit(status);
    result
}

/// What the start-up probe left for the view.
struct Early {
    /// The ambiguous width the client's terminal reported, if it did.
    width: Option<AmbiguousWidth>,
    /// A cursor-position report may still come (the probe gave up waiting): drop it.
    report_owed: bool,
    /// What came meanwhile, to be handled first: keys typed early (the replies taken out),
    /// then resizes, a stop or hang-up, in order.
    backlog: Vec<ToView>,
}

/// Asks the client's terminal for its background and its ambiguous width over the channel,
/// in one write, before the first frame ([`probe`]).
///
/// Returns the background (or `COLORFGBG`'s, or None) and what the view needs of the rest;
/// a stop or hang-up ends the wait at once.
fn probe_client(
    rx: &Receiver<ToView>,
    mut out: ChannelWriter,
    colorfgbg: Option<&str>,
) -> (Option<Background>, Early) {
    let mut kept = Vec::new();
    let read = |deadline: Instant| loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ToView::Data(bytes)) => return Some(bytes),
            Ok(other) => {
                let last = matches!(other, ToView::Stop | ToView::HungUp);
                kept.push(other);
                if last {
                    return None;
                }
            }
            Err(_) => return None,
        }
    };
    let ask = Ask {
        background: true,
        width: true,
    };
    let probed = probe::probe(&mut out, read, ask, probe_width::timeout()).unwrap_or_default();
    let mut backlog = Vec::new();
    if !probed.rest.is_empty() {
        backlog.push(ToView::Data(probed.rest));
    }
    backlog.extend(kept);
    let early = Early {
        width: probed.width,
        report_owed: !probed.reported && !probed.answered,
        backlog,
    };
    (probe_bg::decide(probed.background, colorfgbg), early)
}

/// The vote screen, when a vote on the batch waits for this expert's ballot.
fn vote_view(spec: &ViewSpec, theme: &Theme) -> Result<Option<VoteApp>> {
    let store = Store::open(&spec.store_dir)?;
    let who = &spec.who;
    let name = (!who.name.is_empty()).then_some(who.name.as_str());
    store.ensure_expert(&who.id, name)?;
    let Some(vote) = crate::round::vote::waiting_for(&store, &spec.batch.hash, &who.id)? else {
        return Ok(None);
    };
    Ok(Some(VoteApp::new(
        store,
        vote,
        &spec.batch,
        who.id.clone(),
        name.unwrap_or(&who.id).to_string(),
        spec.lang,
        theme.clone(),
    )))
}

fn expert_view(spec: &ViewSpec, theme: Theme) -> Result<App> {
    let store = Store::open(&spec.store_dir)?;
    let who = &spec.who;
    let name = (!who.name.is_empty()).then_some(who.name.as_str());
    store.ensure_expert(&who.id, name)?;
    let settings = Settings {
        expert: who.id.clone(),
        expert_name: name.unwrap_or(&who.id).to_string(),
        lang: spec.lang,
        theme,
        keymap: KeyMap::default(),
        submit_dir: None,
    };
    // With an assignment, the expert sees and is counted against their share only.
    let batch = match crate::round::load_assignment(None, Some(&spec.panel), &spec.batch)? {
        Some(a) if a.share(&who.id).is_empty() => {
            let path = a.path.display().to_string();
            anyhow::bail!(
                "{}",
                crate::text::i18n::T::NoShare
                    .fill(spec.lang, &[("path", &path), ("expert", &who.id)])
            );
        }
        Some(a) => Arc::new(a.view(&spec.batch, &who.id)),
        None => Arc::clone(&spec.batch),
    };
    App::new(Profile::clone(&spec.profile), batch, store, settings)
        .context("cannot open the scoring view")
}

fn chair_view(spec: &ViewSpec, theme: Theme) -> Result<ChairApp> {
    let store = Store::open(&spec.store_dir)?;
    let marks = StoreMarks::open(&spec.store_dir)?;
    let log = crate::round::decision_log(&store, &spec.batch)?;
    let made = crate::domain::decisions::made_under(&log);
    let asked = crate::round::Asked::default();
    let resolved = crate::round::Settings::resolve(asked, made.as_ref(), spec.replicates, 1);
    let settings = ChairSettings {
        chair: spec.who.id.clone(),
        lang: spec.lang,
        theme,
        keymap: KeyMap::default(),
        replicates: resolved.replicates,
        seed: resolved.seed,
        panel: Some(Panel::clone(&spec.panel)),
        shortlist: resolved.shortlist,
        method: resolved.method,
        trim_min: resolved.trim_min,
    };
    let assignment = crate::round::load_assignment(None, Some(&spec.panel), &spec.batch)?;
    let mut app = ChairApp::with_source(
        Profile::clone(&spec.profile),
        Batch::clone(&spec.batch),
        Box::new(marks),
        store,
        settings,
    )
    .context("cannot open the chair's view")?;
    if assignment.is_some() {
        app.set_assignment(assignment);
    }
    Ok(app)
}

/// Feeds the view until it ends; the terminal is put back and drafts kept on every path.
fn drive<S: Screen>(
    screen: S,
    spec: &ViewSpec,
    rx: &Receiver<ToView>,
    early: Early,
    out: ChannelWriter,
    lang: Lang,
    limits: &Limits,
) -> Result<End> {
    let mut session = Session::new(screen, out.clone(), spec.size)?
        .with_ambiguous_width(early.width.unwrap_or_default());
    let mut parser = InputParser::new();
    if early.report_owed {
        parser.expect_report();
    }
    let end = steps(&mut session, rx, parser, early.backlog, lang, limits);
    session.finish();
    // After the teardown the alternate screen is gone: say why on the client's own screen.
    let why = match end {
        End::Idle => Some(say(lang, Say::IdleEnded)),
        End::Shutdown => Some(say(lang, Say::ServerStopped)),
        End::Quit | End::HungUp => None,
    };
    if let Some(why) = why {
        let mut w = out;
        let _ = write!(w, "{why}\r\n");
        let _ = w.flush();
    }
    Ok(end)
}

fn steps<S: Screen>(
    s: &mut Session<S, ChannelWriter>,
    rx: &Receiver<ToView>,
    mut parser: InputParser,
    mut backlog: Vec<ToView>,
    lang: Lang,
    limits: &Limits,
) -> End {
    let mut last_input = Instant::now();
    let mut warned = false;
    loop {
        if s.draw().is_err() {
            return End::HungUp;
        }
        let wait = if parser.waiting_esc() {
            ESC_WAIT
        } else {
            IDLE_POLL
        };
        let mut got = if backlog.is_empty() {
            match rx.recv_timeout(wait) {
                Ok(msg) => vec![msg],
                Err(RecvTimeoutError::Timeout) => Vec::new(),
                Err(RecvTimeoutError::Disconnected) => return End::HungUp,
            }
        } else {
            std::mem::take(&mut backlog)
        };
        // Coalesce a burst (key repeat, paste, resize drag) into one frame.
        got.extend(rx.try_iter());
        if got.is_empty() {
            for input in parser.flush() {
                if let Some(end) = take(s, input, lang) {
                    return end;
                }
            }
            s.tick();
        }
        for msg in got {
            match msg {
                ToView::Data(bytes) => {
                    last_input = Instant::now();
                    warned = false;
                    for input in parser.feed(&bytes) {
                        if let Some(end) = take(s, input, lang) {
                            return end;
                        }
                    }
                }
                ToView::Resize(w, h) => {
                    if s.resize(w, h) == crate::tui::term::session::Flow::Quit {
                        return End::Quit;
                    }
                }
                ToView::Stop => {
                    s.notice(say(lang, Say::ServerStopping));
                    let _ = s.draw();
                    return End::Shutdown;
                }
                ToView::HungUp => return End::HungUp,
            }
        }
        match idle_state(last_input.elapsed(), limits) {
            Idle::Active => {}
            Idle::Warn(left) => {
                if !std::mem::replace(&mut warned, true) {
                    s.notice(idle_warning(lang, left));
                }
            }
            Idle::Expired => return End::Idle,
        }
    }
}

/// Hands one input to the view; `Some` when the user quit.
fn take<S: Screen>(s: &mut Session<S, ChannelWriter>, input: Input, lang: Lang) -> Option<End> {
    match input {
        Input::Event(ev) => {
            (s.handle(ev) == crate::tui::term::session::Flow::Quit).then_some(End::Quit)
        }
        Input::TooLarge(bytes) => {
            s.notice(say(lang, Say::PasteTooLarge(bytes)));
            None
        }
    }
}

fn idle_warning(lang: Lang, left: Duration) -> String {
    say(lang, Say::IdleWarning(left.as_secs().max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    /// Runs the probe against a client that has sent `msgs`; the background, what the view
    /// is left, what the client was sent, and the messages the probe did not read.
    fn probe_with(
        msgs: Vec<ToView>,
        colorfgbg: Option<&str>,
    ) -> (Option<Background>, Early, Vec<u8>, Vec<ToView>) {
        let (tx, rx) = sync_channel(16);
        for m in msgs {
            tx.send(m).expect("send");
        }
        let (out_tx, mut out_rx) = tokio::sync::mpsc::channel(OUTPUT_QUEUE);
        let (bg, early) = probe_client(&rx, ChannelWriter::new(out_tx), colorfgbg);
        let mut sent = Vec::new();
        while let Ok(FromView::Bytes(b)) = out_rx.try_recv() {
            sent.extend(b);
        }
        (bg, early, sent, rx.try_iter().collect())
    }

    fn data(b: &[u8]) -> ToView {
        ToView::Data(b.to_vec())
    }

    #[test]
    fn the_client_is_asked_once_and_its_answers_taken_out_of_the_input() {
        let (bg, early, sent, _) = probe_with(
            vec![
                data(b"j\x1b]11;rgb:ffff/ffff/"),
                ToView::Resize(100, 30),
                data(b"ffff\x1b\\\x1b[1;3"),
                data(b"R\x1b[?62;22c"),
            ],
            None,
        );
        // One write: both questions and DA1; then the probe's character erased.
        let query = Ask {
            background: true,
            width: true,
        }
        .query();
        assert_eq!(sent, [query.as_slice(), probe_width::ERASE].concat());
        assert_eq!(bg, Some(Background::Light));
        assert_eq!(early.width, Some(AmbiguousWidth::Wide));
        assert!(!early.report_owed);
        assert!(
            matches!(&early.backlog[..], [ToView::Data(d), ToView::Resize(100, 30)] if d == b"j")
        );
        let (bg, early, _, _) = probe_with(
            vec![data(b"\x1b]11;rgb:1e1e/1e1e/1e1e\x07\x1b[?1;2c")],
            None,
        );
        assert_eq!(bg, Some(Background::Dark));
        assert_eq!(early.width, None);
        assert!(early.backlog.is_empty() && !early.report_owed);
    }

    #[test]
    fn a_terminal_answering_only_da1_is_not_waited_for() {
        // DA1, then a key a moment later: the probe returns on DA1 and leaves the key unread
        // (it would have read it while waiting for the other answers).
        let (bg, early, _, unread) =
            probe_with(vec![data(b"\x1b[?1;2c"), data(b"j")], Some("0;15"));
        assert_eq!(bg, Some(Background::Light), "COLORFGBG's");
        assert_eq!(early.width, None);
        assert!(!early.report_owed, "DA1 came: no report will");
        assert!(early.backlog.is_empty());
        assert!(matches!(&unread[..], [ToView::Data(d)] if d == b"j"));
    }

    #[test]
    fn no_answer_falls_back_to_colorfgbg_after_the_timeout() {
        let (bg, early, _, _) = probe_with(Vec::new(), None);
        assert_eq!(bg, None);
        assert!(early.report_owed, "a late report must not be typed");
        assert_eq!(
            probe_with(Vec::new(), Some("0;15")).0,
            Some(Background::Light)
        );
        // A hang-up ends the wait and is handled next.
        let (bg, early, _, _) = probe_with(vec![ToView::HungUp], Some("15;0"));
        assert_eq!(bg, Some(Background::Dark));
        assert!(matches!(&early.backlog[..], [ToView::HungUp]));
    }
}
