//! A view on a terminal at the other end of any byte stream.
//!
//! The session owns nothing of the process: it writes the terminal's setup, frames and teardown
//! as bytes into a writer and is told the terminal's size and input. The local front-end feeds it
//! from the process's own terminal; a remote one can feed it from a network channel, step by
//! step ([`Session::handle`], [`Session::resize`], [`Session::tick`], then [`Session::draw`]).

use super::frames::LeanTerminal;
use super::lean::Lean;
use crate::text::ambiguous::{self, AmbiguousWidth};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, Event,
};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute, queue};
use ratatui::layout::Size;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// How often an idle view checks for a stop or another session's writes.
pub const IDLE_POLL: Duration = Duration::from_millis(500);

/// A full-screen view a session can drive.
pub trait Screen {
    /// Handles one terminal event; whether to redraw.
    fn handle_event(&mut self, ev: Event) -> bool;
    /// Called when idle: picks up changes from elsewhere; whether to redraw.
    fn idle(&mut self) -> bool;
    /// Draws the view.
    fn draw(&self, f: &mut ratatui::Frame);
    /// Whether the user quit.
    fn done(&self) -> bool;
    /// The terminal's size.
    fn set_size(&mut self, w: u16, h: u16);
    /// Called once when the view ends, for any reason: keep unsaved drafts.
    fn on_exit(&mut self) {}
    /// Shows a message from outside the view (a server's idle warning or shutdown notice).
    fn notice(&mut self, _text: String) {}
}

/// Why the view ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal asked us to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT).
    Signal(i32),
    /// The terminal went away (a dropped connection, the input closed).
    HungUp,
}

impl Ended {
    /// The process exit code: 0 on quit, 128 + signal otherwise, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(sig) => u8::try_from(128 + sig).unwrap_or(255),
            Ended::HungUp => 128 + 1,
        }
    }
}

/// Whether the view goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep feeding it.
    Continue,
    /// The user quit: call [`Session::finish`].
    Quit,
}

/// Mouse reporting for clicks, drags and the wheel only (SGR encoding).
///
/// crossterm's `EnableMouseCapture` also asks for every pointer movement (mode 1003): over
/// SSH each twitch of the mouse would then cross the link and wake the view for nothing.
struct ClicksAndWheel;

impl ratatui::crossterm::Command for ClicksAndWheel {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1002h\x1b[?1006h")
    }
}

/// Writes what puts a terminal back as a shell expects it (raw mode aside, which is the
/// terminal driver's, not the stream's).
pub fn write_teardown(w: &mut impl Write) -> io::Result<()> {
    execute!(
        w,
        EndSynchronizedUpdate,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    )
}

/// A writer that goes quiet once its far end fails.
///
/// The first error is reported; after it, writes are dropped and succeed, so the teardown
/// and ratatui's own `Drop` (which prints a failure to stderr, and on a hung-up terminal that
/// print panics) never trip over a dead link. An interrupted write is no failure: `write_all`
/// tries it again.
struct Wire<W> {
    inner: W,
    dead: bool,
}

impl<W: Write> Wire<W> {
    fn guard<T>(&mut self, op: impl FnOnce(&mut W) -> io::Result<T>, dropped: T) -> io::Result<T> {
        if self.dead {
            return Ok(dropped);
        }
        op(&mut self.inner).inspect_err(|e| self.dead = e.kind() != io::ErrorKind::Interrupted)
    }
}

impl<W: Write> Write for Wire<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.guard(|w| w.write(buf), buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.guard(W::flush, ())
    }
}

/// A [`Screen`] on a terminal reached through a writer.
///
/// Ending it ([`Session::finish`], or dropping it) calls the screen's `on_exit` once and
/// writes the teardown.
pub struct Session<S: Screen, W: Write> {
    screen: S,
    terminal: LeanTerminal<CrosstermBackend<Wire<W>>>,
    dirty: bool,
    finished: bool,
    /// How the terminal draws East Asian ambiguous characters.
    ambiguous: AmbiguousWidth,
}

impl<S: Screen, W: Write> Session<S, W> {
    /// Sets up a `w`×`h` terminal behind `writer` (alternate screen, clicks and wheel,
    /// bracketed paste) for `screen`; the first frame comes with the first [`Session::draw`].
    pub fn new(mut screen: S, writer: W, (w, h): (u16, u16)) -> io::Result<Self> {
        let mut wire = Wire {
            inner: writer,
            dead: false,
        };
        execute!(
            wire,
            EnterAlternateScreen,
            ClicksAndWheel,
            EnableBracketedPaste
        )?;
        let backend = Lean::sized(CrosstermBackend::new(wire), Size::new(w, h));
        let terminal = LeanTerminal::new(backend)?;
        screen.set_size(w, h);
        Ok(Session {
            screen,
            terminal,
            dirty: true,
            finished: false,
            ambiguous: AmbiguousWidth::Narrow,
        })
    }

    /// The terminal draws ambiguous characters `width` wide (narrow unless told): the view
    /// measures with it, and in wide mode every frame is [`super::wide::settle`]d.
    pub fn with_ambiguous_width(mut self, width: AmbiguousWidth) -> Self {
        self.ambiguous = width;
        self.dirty = true;
        // The view measured its size's layout in the old mode.
        if let Ok(size) = ratatui::backend::Backend::size(self.terminal.backend()) {
            let screen = &mut self.screen;
            ambiguous::with(width, || screen.set_size(size.width, size.height));
        }
        self
    }

    /// How the terminal draws ambiguous characters, as the session was told.
    pub fn ambiguous_width(&self) -> AmbiguousWidth {
        self.ambiguous
    }

    fn flow(&self) -> Flow {
        if self.screen.done() {
            Flow::Quit
        } else {
            Flow::Continue
        }
    }

    /// Hands one input event to the view (a resize event resizes the terminal too). Nothing is
    /// drawn: handle a burst, then [`Session::draw`] once.
    pub fn handle(&mut self, ev: Event) -> Flow {
        if let Event::Resize(w, h) = ev {
            self.terminal.backend_mut().set_size(Size::new(w, h));
            ambiguous::with(self.ambiguous, || self.screen.set_size(w, h));
        }
        let screen = &mut self.screen;
        self.dirty |= ambiguous::with(self.ambiguous, || screen.handle_event(ev));
        self.flow()
    }

    /// The terminal is now `w`×`h`.
    pub fn resize(&mut self, w: u16, h: u16) -> Flow {
        self.handle(Event::Resize(w, h))
    }

    /// Shows a message from outside the view; drawn with the next frame.
    pub fn notice(&mut self, text: String) {
        self.screen.notice(text);
        self.dirty = true;
    }

    /// Time passed with no input: the view picks up changes from elsewhere.
    pub fn tick(&mut self) -> Flow {
        let screen = &mut self.screen;
        self.dirty |= ambiguous::with(self.ambiguous, || screen.idle());
        self.flow()
    }

    /// Draws a frame if anything changed since the last one, as one synchronized update so
    /// slow links never show half a frame.
    pub fn draw(&mut self) -> io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let screen = &self.screen;
        let mode = self.ambiguous;
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        self.terminal.draw(|f| {
            ambiguous::with(mode, || screen.draw(f));
            if mode == AmbiguousWidth::Wide {
                super::wide::settle(f.buffer_mut());
            }
        })?;
        queue!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        Write::flush(self.terminal.backend_mut())?;
        self.dirty = false;
        Ok(())
    }

    /// Runs the view until the user quits, `stop` names a reason or the input closes (the
    /// sender hung up), then finishes the session. `stop` is asked before every frame and
    /// after every idle wait of [`IDLE_POLL`].
    pub fn run(
        mut self,
        events: &Receiver<io::Result<Event>>,
        mut stop: impl FnMut() -> Option<Ended>,
    ) -> io::Result<Ended> {
        let ended = self.drive(events, &mut stop);
        self.finish();
        ended
    }

    fn drive(
        &mut self,
        events: &Receiver<io::Result<Event>>,
        stop: &mut impl FnMut() -> Option<Ended>,
    ) -> io::Result<Ended> {
        loop {
            if let Some(why) = stop() {
                return Ok(why);
            }
            if self.screen.done() {
                return Ok(Ended::Quit);
            }
            self.draw()?;
            match events.recv_timeout(IDLE_POLL) {
                Ok(ev) => {
                    // Coalesce a burst (key repeat, paste, resize drag) into one frame.
                    let mut flow = self.handle(ev?);
                    while flow == Flow::Continue {
                        match events.try_recv() {
                            Ok(ev) => flow = self.handle(ev?),
                            Err(_) => break,
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(why) = stop() {
                        return Ok(why);
                    }
                    self.tick();
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(Ended::HungUp),
            }
        }
    }

    /// Ends the view: keeps its drafts, puts the terminal back. Write errors are ignored: the
    /// far end may be gone, which is often why the session ends.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        // Unwinding from a panic in the view: its state may be broken, and a second panic
        // would abort before the terminal is put back.
        if !std::thread::panicking() {
            self.screen.on_exit();
        }
        let _ = write_teardown(self.terminal.backend_mut());
        // Plain colours for what comes next (the teardown shows the cursor, not the pen).
        let _ = self.terminal.show_cursor();
    }
}

impl<S: Screen, W: Write> Drop for Session<S, W> {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::text::Line;
    use std::num::NonZeroU16;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Mutex};

    /// A view that counts what it is given.
    #[derive(Default)]
    struct Probe {
        events: usize,
        exits: Arc<AtomicUsize>,
        quit: bool,
    }

    impl Screen for Probe {
        fn handle_event(&mut self, ev: Event) -> bool {
            self.events += 1;
            if let Event::Key(k) = ev {
                self.quit |= k.code == KeyCode::Char('q');
            }
            true
        }
        fn idle(&mut self) -> bool {
            false
        }
        fn draw(&self, f: &mut ratatui::Frame) {
            f.render_widget(Line::raw(format!("events {}", self.events)), f.area());
        }
        fn done(&self) -> bool {
            self.quit
        }
        fn set_size(&mut self, _: u16, _: u16) {}
        fn on_exit(&mut self) {
            self.exits.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A link that works until `cut` is set; `interrupt` fails its next write with EINTR.
    #[derive(Clone, Default)]
    struct Link {
        bytes: Arc<Mutex<Vec<u8>>>,
        cut: Arc<AtomicBool>,
        interrupt: Arc<AtomicBool>,
    }

    impl Write for Link {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.cut.load(Ordering::Relaxed) {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if self.interrupt.swap(false, Ordering::Relaxed) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            self.bytes.lock().expect("bytes").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            if self.cut.load(Ordering::Relaxed) {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            Ok(())
        }
    }

    impl Link {
        fn frames(&self) -> usize {
            let bytes = self.bytes.lock().expect("bytes");
            String::from_utf8_lossy(&bytes)
                .matches("\x1b[?2026h")
                .count()
        }
    }

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    /// A view of a bordered box around marked text.
    struct Boxed;

    impl Screen for Boxed {
        fn handle_event(&mut self, _: Event) -> bool {
            true
        }
        fn idle(&mut self) -> bool {
            false
        }
        fn draw(&self, f: &mut ratatui::Frame) {
            use ratatui::widgets::{Block, Paragraph};
            let text = crate::text::wrap::truncate("“量子”·x", 20);
            f.render_widget(Paragraph::new(text).block(Block::bordered()), f.area());
        }
        fn done(&self) -> bool {
            false
        }
        fn set_size(&mut self, _: u16, _: u16) {}
    }

    #[test]
    fn a_wide_session_sends_ascii_borders_and_steps_past_ambiguous_characters() {
        let link = Link::default();
        let mut s = Session::new(Boxed, link.clone(), (14, 3))
            .expect("session")
            .with_ambiguous_width(AmbiguousWidth::Wide);
        s.draw().expect("draw");
        let bytes = String::from_utf8(link.bytes.lock().expect("bytes").clone()).expect("utf-8");
        assert!(!bytes.contains('─') && !bytes.contains('│'), "{bytes:?}");
        assert!(bytes.contains("+------------+"), "{bytes:?}");
        assert!(!bytes.contains(crate::text::ambiguous::MARKER), "{bytes:?}");
        // After “ the cursor is placed explicitly (two cells on), never assumed.
        assert!(bytes.contains("“\x1b[2;4H量"), "{bytes:?}");
        assert!(bytes.contains("”\x1b[2;10H·\x1b[2;12Hx"), "{bytes:?}");
        s.finish();
        // Narrow, as before: box drawing and no marker either.
        let link = Link::default();
        let mut s = Session::new(Boxed, link.clone(), (14, 3)).expect("session");
        s.draw().expect("draw");
        let bytes = String::from_utf8(link.bytes.lock().expect("bytes").clone()).expect("utf-8");
        assert!(bytes.contains("┌────────────┐"), "{bytes:?}");
        assert!(bytes.contains("“量子”·x"), "{bytes:?}");
    }

    #[test]
    fn a_session_moves_between_threads_when_its_view_and_writer_do() {
        fn is_send<T: Send>() {}
        is_send::<Session<Probe, Link>>();
    }

    #[test]
    fn a_burst_of_input_is_one_frame() {
        let link = Link::default();
        let s = Session::new(Probe::default(), link.clone(), (20, 2)).expect("session");
        let (tx, rx) = channel();
        for _ in 0..50 {
            tx.send(Ok(key('x'))).expect("send");
        }
        drop(tx);
        assert_eq!(s.run(&rx, || None).expect("run"), Ended::HungUp);
        // The first frame, then one for the whole burst.
        assert_eq!(link.frames(), 2);
    }

    #[test]
    fn quitting_mid_burst_leaves_the_rest_unread() {
        let probe = Probe::default();
        let exits = Arc::clone(&probe.exits);
        let s = Session::new(probe, Link::default(), (20, 2)).expect("session");
        let (tx, rx) = channel();
        for c in "abqcd".chars() {
            tx.send(Ok(key(c))).expect("send");
        }
        assert_eq!(s.run(&rx, || None).expect("run"), Ended::Quit);
        assert_eq!(rx.try_iter().count(), 2, "c and d were not handled");
        assert_eq!(exits.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn on_exit_runs_once_whether_finished_or_dropped() {
        let probe = Probe::default();
        let exits = Arc::clone(&probe.exits);
        Session::new(probe, Link::default(), (20, 2))
            .expect("session")
            .finish();
        assert_eq!(exits.load(Ordering::Relaxed), 1);
        let probe = Probe::default();
        let exits = Arc::clone(&probe.exits);
        drop(Session::new(probe, Link::default(), (20, 2)).expect("session"));
        assert_eq!(exits.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_dead_link_is_reported_once_then_ignored() {
        let link = Link::default();
        let probe = Probe::default();
        let exits = Arc::clone(&probe.exits);
        let mut s = Session::new(probe, link.clone(), (20, 2)).expect("session");
        s.draw().expect("draw");
        link.cut.store(true, Ordering::Relaxed);
        s.handle(key('x'));
        assert!(s.draw().is_err(), "the first failure is reported");
        s.handle(key('y'));
        assert!(s.draw().is_ok(), "later output is dropped");
        // Teardown and ratatui's Drop write to the dead link without failing.
        s.finish();
        assert_eq!(exits.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn an_interrupted_write_is_retried_not_taken_for_a_dead_link() {
        let link = Link::default();
        let mut s = Session::new(Probe::default(), link.clone(), (20, 2)).expect("session");
        link.interrupt.store(true, Ordering::Relaxed);
        s.draw().expect("draw");
        s.handle(key('x'));
        s.draw().expect("draw");
        assert_eq!(link.frames(), 2);
        let n = |n| NonZeroU16::new(n).expect("size");
        let mut t = vt100::Parser::new(n(2), n(20), 0);
        t.process(&link.bytes.lock().expect("bytes"));
        assert_eq!(t.screen().contents().trim_end(), "events 1");
    }
}
