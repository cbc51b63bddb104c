//! The terminal UI: state + actions + `update` + a pure `render`, over the library's logic.

pub mod action;
pub mod app;
pub mod chair;
pub mod i18n;
pub mod keymap;
pub mod theme;
pub mod view;

use app::App;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute, queue};
use std::io::{Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often an idle view checks for a signal or another session's writes.
const IDLE_POLL: Duration = Duration::from_millis(500);

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

fn setup() -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    let mut out = std::io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(out))
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

/// Runs a view until the user quits or a signal arrives.
pub fn run<S: Screen>(mut app: S) -> anyhow::Result<()> {
    // Every exit path restores the terminal: the hook is in place before raw mode starts.
    install_panic_hook();
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    let mut terminal = match setup() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(anyhow::Error::new(e).context("cannot set up the terminal"));
        }
    };
    let result = event_loop(&mut terminal, &mut app, &stop);
    restore_terminal();
    result
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
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut S,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.set_size(size.width, size.height);
    let mut dirty = true;
    loop {
        if stop.load(Ordering::Relaxed) || app.done() {
            return Ok(());
        }
        if dirty {
            draw(terminal, app)?;
            dirty = false;
        }
        if event::poll(IDLE_POLL)? {
            // Coalesce a burst (key repeat, paste, resize drag) into one frame.
            loop {
                let ev = event::read()?;
                dirty |= app.handle_event(ev);
                if app.done() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            dirty |= app.idle();
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
