//! The process's own terminal: raw mode, signals, a hung-up terminal, the event-reader thread
//! and a panic hook that puts the terminal back; the view itself runs in a [`Session`] over
//! stdout.

use super::probe::{self, Answers, Ask};
use super::probe_bg::{self, Background};
use super::probe_width;
use super::session::{Ended, Screen, Session, write_teardown};
use crate::text::ambiguous::AmbiguousWidth;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyModifiers};
use ratatui::crossterm::terminal::{self, disable_raw_mode, enable_raw_mode};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

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
    // Asked with the background when that was asked; else now, before the event reader
    // starts, so the report is read here and never taken for keys. A report or DA1 reply that
    // comes after the timeout is one crossterm parses as such and drops; keys typed during
    // the probe (at most its timeout) are lost.
    let width = match ambiguous {
        Some(w) => w,
        None => match EARLY_WIDTH.lock().ok().and_then(|mut w| w.take()) {
            Some(told) => told,
            None => {
                let ask = Ask {
                    background: false,
                    width: true,
                };
                probe::probe(
                    &mut std::io::stdout(),
                    probe_width::read_stdin,
                    ask,
                    probe_width::timeout(),
                )?
                .width
            }
        }
        .unwrap_or_default(),
    };
    let size = terminal::size()?;
    Ok(Session::new(screen, std::io::stdout(), size)?.with_ambiguous_width(width))
}

/// Set when the terminal did not answer the background probe in time: its answer may still
/// come, and must not be read as keys.
static LATE_REPLY: AtomicBool = AtomicBool::new(false);

/// The ambiguous width the background's probe asked for too (`Some`), and what it told: the
/// view's start takes it instead of asking again.
static EARLY_WIDTH: Mutex<Option<Option<AmbiguousWidth>>> = Mutex::new(None);

/// The background of the process's terminal: its answer to OSC 11 (asked in raw mode, for
/// at most [`probe_width::timeout`]), else `COLORFGBG`; None when neither tells.
///
/// With `ask_width` (no setting fixes the ambiguous width) the same write asks that too
/// ([`probe`]), and [`run`] uses the answer. Keys typed during the probe are dropped:
/// crossterm reads the terminal itself, so they cannot be handed to it.
pub fn detect_background(ask_width: bool) -> Option<Background> {
    let ask = Ask {
        background: true,
        width: ask_width,
    };
    let probed = probe_terminal(ask).ok().and_then(|p| {
        LATE_REPLY.store(p.late_replies(), Ordering::Relaxed);
        if p.asked
            && ask_width
            && let Ok(mut w) = EARLY_WIDTH.lock()
        {
            *w = Some(p.width);
        }
        p.background
    });
    let colorfgbg = std::env::var("COLORFGBG").ok();
    probe_bg::decide(probed, colorfgbg.as_deref())
}

#[cfg(unix)]
fn probe_terminal(ask: Ask) -> std::io::Result<Answers> {
    use std::io::IsTerminal;
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if dumb || !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Ok(Answers::default());
    }
    // Raw mode: the replies must neither echo nor wait for a newline.
    enable_raw_mode()?;
    // Straight from the descriptor, so nothing stays behind in a buffer crossterm does not
    // read.
    let probed = probe::probe(
        &mut std::io::stdout(),
        probe_width::read_stdin,
        ask,
        probe_width::timeout(),
    );
    disable_raw_mode()?;
    probed
}

#[cfg(not(unix))]
fn probe_terminal(_ask: Ask) -> std::io::Result<Answers> {
    Ok(Answers::default())
}

/// Drops a background reply that came after the probe gave up.
///
/// crossterm does not parse OSC: `ESC ] 11 ; rgb:… ESC \` reaches the view as Alt+`]`, the
/// reply's characters as keys, and Alt+`\` (or Ctrl+G for BEL). Once, while a late reply may
/// come, that run of events is swallowed.
#[derive(Debug, Default)]
struct LateReplyFilter {
    inside: bool,
}

impl LateReplyFilter {
    /// Whether to drop `ev`.
    fn drops(&mut self, ev: &Event) -> bool {
        let Event::Key(k) = ev else {
            return false;
        };
        if !self.inside {
            let starts = k.code == KeyCode::Char(']') && k.modifiers == KeyModifiers::ALT;
            if starts && LATE_REPLY.swap(false, Ordering::Relaxed) {
                self.inside = true;
            }
            return self.inside;
        }
        match k.code {
            KeyCode::Char('\\') if k.modifiers == KeyModifiers::ALT => self.inside = false,
            KeyCode::Char('g') if k.modifiers == KeyModifiers::CONTROL => self.inside = false,
            KeyCode::Char(c)
                if c.is_ascii_graphic() && !k.modifiers.contains(KeyModifiers::CONTROL) => {}
            // Not a reply's character: the reply is over (or was never one).
            _ => {
                self.inside = false;
                return false;
            }
        }
        true
    }
}

/// Reads terminal events on their own thread.
///
/// crossterm 0.29 spins forever inside `poll`/`read` once the terminal is gone (its read
/// loop never leaves on EOF: crossterm issue #793), so the session must never block in it:
/// it waits on this channel instead and can always see a signal or a hung-up terminal.
fn spawn_reader() -> Receiver<std::io::Result<Event>> {
    let (tx, rx) = sync_channel(1024);
    std::thread::spawn(move || {
        let mut late = LateReplyFilter::default();
        loop {
            let ev = event::read();
            if ev.as_ref().is_ok_and(|ev| late.drops(ev)) {
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn key(c: char, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), m))
    }

    #[test]
    fn a_late_reply_is_swallowed_once_and_keys_go_on() {
        let none = KeyModifiers::NONE;
        let mut reply = vec![key(']', KeyModifiers::ALT)];
        reply.extend("11;rgb:ffff/ffff/ffff".chars().map(|c| key(c, none)));
        reply.push(key('\\', KeyModifiers::ALT));
        let mut f = LateReplyFilter::default();
        LATE_REPLY.store(true, Ordering::Relaxed);
        assert!(reply.iter().all(|ev| f.drops(ev)));
        assert!(!f.drops(&key('j', none)));
        // Only once: a later Alt+] is the user's.
        assert!(!f.drops(&reply[0]));
        assert!(!f.drops(&reply[1]));
    }
}
