//! The process's own terminal: raw mode, signals, a hung-up terminal, the event-reader thread
//! and a panic hook that puts the terminal back; the view itself runs in a [`Session`] over
//! stdout.

use super::probe_width;
use super::session::{Ended, Screen, Session, write_teardown};
use crate::text::ambiguous::AmbiguousWidth;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::terminal::{self, disable_raw_mode, enable_raw_mode};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};

/// Puts the terminal back as the shell expects it. Safe to call twice.
pub fn restore_terminal() {
    let _ = write_teardown(&mut std::io::stdout());
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

/// The signals that end the view, each with its own exit code.
const STOP_SIGNALS: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

/// Runs a view on the process's terminal until the user quits, a signal arrives or the
/// terminal goes away. `ambiguous` is how the terminal draws East Asian ambiguous characters;
/// `None` asks it ([`probe_width`]).
pub fn run<S: Screen>(screen: S, ambiguous: Option<AmbiguousWidth>) -> anyhow::Result<Ended> {
    // Every exit path restores the terminal: the hook is in place before raw mode starts.
    install_panic_hook();
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in STOP_SIGNALS {
        signal_hook::flag::register_usize(sig, Arc::clone(&stop), sig as usize)?;
    }
    let session = match start(screen, ambiguous) {
        Ok(s) => s,
        Err(e) => {
            restore_terminal();
            return Err(anyhow::Error::new(e).context("cannot set up the terminal"));
        }
    };
    let events = spawn_reader();
    // The session keeps the drafts and writes the teardown however it ended.
    let ended = session.run(&events, || match stop.load(Ordering::Relaxed) {
        0 => terminal_hung_up().then_some(Ended::HungUp),
        sig => Some(Ended::Signal(i32::try_from(sig).unwrap_or(1))),
    });
    let _ = disable_raw_mode();
    Ok(ended?)
}

fn start<S: Screen>(
    screen: S,
    ambiguous: Option<AmbiguousWidth>,
) -> std::io::Result<Session<S, std::io::Stdout>> {
    enable_raw_mode()?;
    // Before the event reader starts, so the report is read here and never taken for keys. A
    // report that comes after the timeout is one crossterm parses as such and drops; keys
    // typed during the probe (at most its timeout) are lost.
    let width = match ambiguous {
        Some(w) => w,
        None => probe_width::probe(
            &mut std::io::stdout(),
            probe_width::read_stdin,
            probe_width::timeout(),
        )?
        .width
        .unwrap_or_default(),
    };
    let size = terminal::size()?;
    Ok(Session::new(screen, std::io::stdout(), size)?.with_ambiguous_width(width))
}

/// Reads terminal events on their own thread.
///
/// crossterm 0.29 spins forever inside `poll`/`read` once the terminal is gone (its read
/// loop never leaves on EOF: crossterm issue #793), so the session must never block in it:
/// it waits on this channel instead and can always see a signal or a hung-up terminal.
fn spawn_reader() -> Receiver<std::io::Result<Event>> {
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

/// Elsewhere a lost console ends the event stream, which the session already handles.
#[cfg(not(unix))]
fn terminal_hung_up() -> bool {
    false
}
