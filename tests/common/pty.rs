//! Drives the real binary in a pseudo-terminal and reads its screen through vt100.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{FromRawFd, RawFd};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long to wait for a screen to appear before failing (debug builds on 2 cores are slow).
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A running revdesk in a pseudo-terminal.
pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Option<File>,
    rx: Receiver<Vec<u8>>,
    /// The emulated screen.
    pub parser: vt100::Parser,
    /// Every byte the program wrote.
    pub raw: Vec<u8>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    stop: Arc<AtomicBool>,
    reader_thread: Option<std::thread::JoinHandle<()>>,
    /// The terminal in front of vt100, when it is one of [`super::cjk_term`]'s.
    pub cjk: Option<super::cjk_term::WideAmbiguous>,
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

/// A descriptor of our own on the terminal's other end. Closed on exec, so that no program
/// another test starts meanwhile (`kill`, a second revdesk) holds the terminal open after
/// `hang_up`.
fn own(fd: RawFd) -> File {
    // SAFETY: fcntl makes a new descriptor, which the File then owns alone.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    assert!(new >= 0, "dup: {}", std::io::Error::last_os_error());
    // SAFETY: `new` is open and owned by nothing else.
    unsafe { File::from_raw_fd(new) }
}

impl Tui {
    /// Starts `revdesk ARGS` in a `cols`×`rows` terminal.
    pub fn spawn(args: &[&str], cols: u16, rows: u16, envs: &[(&str, &str)]) -> Tui {
        let bin = assert_cmd::cargo::cargo_bin("revdesk");
        Tui::spawn_program(bin.as_os_str(), args, cols, rows, envs)
    }

    /// Starts `PROGRAM ARGS` (e.g. `ssh` into a review server) in a `cols`×`rows` terminal.
    pub fn spawn_program(
        program: &std::ffi::OsStr,
        args: &[&str],
        cols: u16,
        rows: u16,
        envs: &[(&str, &str)],
    ) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(program);
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // The theme follows COLORFGBG when the terminal does not answer: tests set it if needed.
        cmd.env_remove("COLORFGBG");
        cmd.env("LANG", "zh_CN.UTF-8");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        // Our own descriptors: the reader's is polled with a timeout, so that `hang_up` can
        // stop it and really close every handle on the terminal's other end. The writer is not
        // portable-pty's: dropping that one types a newline and ^D into the terminal, which a
        // dropped connection does not (and in the comment editor, raw mode makes the newline
        // Ctrl-J, "delete to the line's start", which ate the draft under load).
        let fd = pair.master.as_raw_fd().expect("master fd");
        let mut reader = own(fd);
        let writer = own(fd);
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_reader = Arc::clone(&stop);
        let reader_thread = std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            let mut buf = [0u8; 8192];
            while !stop_reader.load(Ordering::Relaxed) {
                let mut p = libc::pollfd {
                    fd: reader.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one pollfd on the stack.
                if unsafe { libc::poll(&mut p, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Tui {
            child,
            writer: Some(writer),
            rx,
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
            master: Some(pair.master),
            stop,
            reader_thread: Some(reader_thread),
            cjk: None,
        }
    }

    /// Starts `revdesk ARGS` in a `cols`×`rows` terminal of [`super::cjk_term`]: drawing
    /// ambiguous characters two cells wide or not, answering cursor-position requests or not.
    pub fn spawn_cjk(args: &[&str], cols: u16, rows: u16, wide: bool, answer: bool) -> Tui {
        // A generous wait for the report: a loaded test machine is slower than any link.
        let mut t = Tui::spawn(args, cols, rows, &[("REVDESK_PROBE_MS", "4000")]);
        t.cjk = Some(super::cjk_term::WideAmbiguous::new(wide, answer));
        t
    }

    /// Shows program output on the emulated screen (through the [`super::cjk_term`]
    /// terminal, which may answer, when there is one).
    fn show(&mut self, bytes: &[u8]) {
        match &mut self.cjk {
            Some(term) => {
                let reply = term.process(&mut self.parser, bytes);
                if !reply.is_empty()
                    && let Some(w) = self.writer.as_mut()
                {
                    let _ = w.write_all(&reply).and_then(|()| w.flush());
                }
            }
            None => self.parser.process(bytes),
        }
        self.raw.extend_from_slice(bytes);
    }

    /// Takes in output until none comes for `quiet` (a frame split over reads is whole then).
    pub fn settle(&mut self, quiet: Duration) {
        while let Ok(bytes) = self.rx.recv_timeout(quiet) {
            self.show(&bytes);
        }
    }

    fn pump(&mut self, wait: Duration) -> bool {
        match self.rx.recv_timeout(wait) {
            Ok(bytes) => {
                self.show(&bytes);
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }

    /// `revdesk chair` on the small 资源环境 batch at 80×24 in English (range 3–5, 100
    /// resamples, chair zhang), its marks from `source` (sheet paths, or `--server DIR`) and
    /// any further options.
    pub fn small_chair(source: &[String]) -> Tui {
        let mut args: Vec<String> = [
            "chair",
            "fixtures/batches/resources-environment-small.json",
            "--shortlist",
            "3-5",
            "--bootstrap",
            "100",
            "--lang",
            "en",
            "--chair",
            "zhang",
        ]
        .map(String::from)
        .to_vec();
        args.extend(source.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Tui::spawn(&args, 80, 24, &[])
    }

    /// Waits until `upper` is listed above `lower` on the screen.
    pub fn wait_ranked_above(&mut self, upper: &str, lower: &str) {
        let line_of = |screen: &str, id: &str| screen.lines().position(|l| l.contains(id));
        self.wait_until(
            &format!("{upper} above {lower}"),
            |s| matches!((line_of(s, upper), line_of(s, lower)), (Some(a), Some(b)) if a < b),
        );
    }

    /// The screen as text (as a [`super::cjk_term`] terminal shows it, when it is one).
    pub fn screen(&self) -> String {
        match &self.cjk {
            Some(term) => {
                let rows = term.rows(self.parser.screen());
                let rows: Vec<&str> = rows.iter().map(|r| r.trim_end()).collect();
                rows.join("\n")
            }
            None => self.parser.screen().contents(),
        }
    }

    /// Waits until the screen contains `needle`; panics with the screen on timeout.
    pub fn wait_for(&mut self, needle: &str) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if self.screen().contains(needle) {
                return;
            }
            if !self.pump(Duration::from_millis(50)) && !self.screen().contains(needle) {
                panic!(
                    "program ended before showing {needle:?}:\n{}",
                    self.screen()
                );
            }
        }
        panic!("timed out waiting for {needle:?}:\n{}", self.screen());
    }

    /// Waits until `pred` holds for the screen text.
    pub fn wait_until(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if pred(&self.screen()) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}:\n{}", self.screen());
    }

    /// Waits until `pred` holds for the emulated screen (cursor, attributes, text).
    pub fn wait_screen(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if pred(self.parser.screen()) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}:\n{}", self.screen());
    }

    /// Whether any cell of the screen has the background `color`.
    pub fn any_background(&self, color: vt100::Color) -> bool {
        let screen = self.parser.screen();
        let (rows, cols) = screen.size();
        (0..rows.get()).any(|r| {
            (0..cols.get()).any(|c| {
                screen
                    .cell(r, c)
                    .is_some_and(|cell| cell.bgcolor() == color)
            })
        })
    }

    /// Waits until the program has written `needle` (e.g. a query the terminal must answer).
    pub fn wait_raw(&mut self, needle: &[u8]) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if self.raw.windows(needle.len()).any(|w| w == needle) {
                return;
            }
            if !self.pump(Duration::from_millis(20)) {
                break;
            }
        }
        panic!("the program never wrote {needle:?}:\n{}", self.screen());
    }

    /// Types text (UTF-8 as a terminal sends it).
    pub fn send(&mut self, s: &str) {
        let w = self.writer.as_mut().expect("the terminal is still open");
        w.write_all(s.as_bytes()).expect("write");
        w.flush().expect("flush");
    }

    /// Sends keys one at a time, letting the program draw in between (as a person types).
    pub fn type_keys(&mut self, s: &str) {
        for c in s.chars() {
            let mut b = [0u8; 4];
            self.send(c.encode_utf8(&mut b));
            self.pump(Duration::from_millis(15));
        }
    }

    /// Resizes the terminal, as a user dragging the window does (the program gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let master = self.master.as_ref().expect("the terminal is still open");
        master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        self.parser.set_size(nz(rows), nz(cols));
    }

    /// Process id of the program.
    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap_or(0)
    }

    /// Waits for the program to exit; its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            self.pump(Duration::from_millis(20));
            if let Ok(Some(status)) = self.child.try_wait() {
                // Drain what is left so `raw` holds the restore sequences.
                while self.pump(Duration::from_millis(50)) {
                    if self.rx.try_recv().is_err() {
                        break;
                    }
                }
                return status.exit_code();
            }
        }
        panic!("program did not exit:\n{}", self.screen());
    }

    /// Closes the terminal's other end, as a dropped SSH connection does (without a byte more);
    /// waits up to `TIMEOUT` for the program to exit and returns whether it did.
    pub fn hang_up(&mut self) -> bool {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.reader_thread.take() {
            let _ = t.join();
        }
        self.writer = None;
        self.master = None;
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Sends a signal to the program.
    pub fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "kill -{sig} failed");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The store file of a store directory exists.
pub fn store_exists(dir: &Path) -> bool {
    dir.join("revdesk.db").exists()
}
