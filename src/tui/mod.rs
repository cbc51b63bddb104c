//! The terminal UI: state + actions + `update` + a pure `render`, over the library's logic.

pub mod action;
pub mod app;
pub mod chair;
pub mod i18n;
pub mod keymap;
pub mod term;
pub mod theme;
pub mod view;

pub use term::lean;

use app::App;
use lean::Lean;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste,
};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute, queue};
use std::io::{Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::Duration;

/// How often an idle view checks for a signal or another session's writes.
const IDLE_POLL: Duration = Duration::from_millis(500);

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

/// Puts the terminal back as the shell expects it. Safe to call twice.
pub fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before any panic message is printed.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

fn setup() -> std::io::Result<Terminal<Lean<CrosstermBackend<Stdout>>>> {
    enable_raw_mode()?;
    let mut out = std::io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        ClicksAndWheel,
        EnableBracketedPaste
    )?;
    Terminal::new(Lean::new(CrosstermBackend::new(out)))
}

/// A full-screen view the event loop can drive.
pub trait Screen {
    /// Handles one terminal event; whether to redraw.
    fn handle_event(&mut self, ev: event::Event) -> bool;
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
}

impl Screen for App {
    fn handle_event(&mut self, ev: event::Event) -> bool {
        App::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        self.poll_store()
    }
    fn draw(&self, f: &mut ratatui::Frame) {
        view::render(self, f)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }
    fn on_exit(&mut self) {
        self.save_draft();
    }
}

impl Screen for chair::ChairApp {
    fn handle_event(&mut self, ev: event::Event) -> bool {
        chair::ChairApp::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        self.poll_sheets()
    }
    fn draw(&self, f: &mut ratatui::Frame) {
        view::chair::render(self, f)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }
}

/// Why the view ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal asked us to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT).
    Signal(i32),
    /// The terminal went away (a dropped SSH connection without a SIGHUP reaching us).
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

/// Runs a view until the user quits, a signal arrives or the terminal goes away.
pub fn run<S: Screen>(mut app: S) -> anyhow::Result<Ended> {
    // Every exit path restores the terminal: the hook is in place before raw mode starts.
    install_panic_hook();
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&stop), sig as usize)?;
    }
    let mut terminal = match setup() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(anyhow::Error::new(e).context("cannot set up the terminal"));
        }
    };
    let events = spawn_reader();
    let result = event_loop(&mut terminal, &mut app, &stop, &events);
    // Whatever ended the view, keep what the user typed but had not yet saved.
    app.on_exit();
    restore_terminal();
    if terminal_hung_up() {
        // ratatui's Drop prints to the dead terminal and that print panics: skip it.
        std::mem::forget(terminal);
    }
    result
}

/// Reads terminal events on their own thread.
///
/// crossterm 0.29 spins forever inside `poll`/`read` once the terminal is gone (its read
/// loop never leaves on EOF: crossterm issue #793), so the main loop must never block in it:
/// it waits on this channel instead and can always see a signal or a hung-up terminal.
fn spawn_reader() -> Receiver<std::io::Result<event::Event>> {
    let (tx, rx) = sync_channel(1024);
    std::thread::spawn(move || {
        loop {
            let ev = event::read();
            let failed = ev.is_err();
            if tx.send(ev).is_err() || failed {
                return;
            }
        }
    });
    rx
}

/// Whether the controlling terminal has hung up (the pseudo-terminal's other end closed).
///
/// The views start only on a terminal; once it hangs up, `isatty` itself fails on it, so
/// only `poll` can tell.
#[cfg(unix)]
fn terminal_hung_up() -> bool {
    use std::os::fd::AsRawFd;
    let fds = [std::io::stdin().as_raw_fd(), std::io::stdout().as_raw_fd()];
    fds.iter().any(|&fd| {
        // SAFETY: poll only reads the descriptor's state; the pollfd lives on the stack.
        unsafe {
            let mut p = libc::pollfd {
                fd,
                events: 0,
                revents: 0,
            };
            libc::poll(&mut p, 1, 0) == 1
                && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
        }
    })
}

/// Elsewhere a lost console ends the event stream, which the loop already handles.
#[cfg(not(unix))]
fn terminal_hung_up() -> bool {
    false
}

fn draw<B: Backend + Write, S: Screen>(terminal: &mut Terminal<B>, app: &S) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    // One synchronized update per frame: slow links never show half a frame.
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| app.draw(f))?;
    queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Write::flush(terminal.backend_mut())?;
    Ok(())
}

fn event_loop<S: Screen>(
    terminal: &mut Terminal<Lean<CrosstermBackend<Stdout>>>,
    app: &mut S,
    stop: &AtomicUsize,
    events: &Receiver<std::io::Result<event::Event>>,
) -> anyhow::Result<Ended> {
    let size = terminal.size()?;
    app.set_size(size.width, size.height);
    let mut dirty = true;
    loop {
        match stop.load(Ordering::Relaxed) {
            0 => {}
            sig => return Ok(Ended::Signal(i32::try_from(sig).unwrap_or(1))),
        }
        if app.done() {
            return Ok(Ended::Quit);
        }
        if dirty {
            if terminal_hung_up() {
                return Ok(Ended::HungUp);
            }
            draw(terminal, app)?;
            dirty = false;
        }
        match events.recv_timeout(IDLE_POLL) {
            Ok(ev) => {
                dirty |= app.handle_event(ev?);
                // Coalesce a burst (key repeat, paste, resize drag) into one frame.
                while !app.done() {
                    match events.try_recv() {
                        Ok(ev) => dirty |= app.handle_event(ev?),
                        Err(_) => break,
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if terminal_hung_up() {
                    return Ok(Ended::HungUp);
                }
                dirty |= app.idle();
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(Ended::HungUp),
        }
    }
}

/// Renders one frame into a test backend (for snapshot tests and benchmarks).
pub fn render_to<B: Backend, S: Screen>(
    terminal: &mut Terminal<B>,
    app: &S,
) -> Result<(), B::Error> {
    terminal.draw(|f| app.draw(f)).map(|_| ())
}
