//! The `revdesk` binary: all logic lives in the library.

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    revdesk::cli::main()
}

/// Rust ignores SIGPIPE, so `println!` into a closed pipe (`revdesk validate … | head`)
/// panics; a command-line tool should end quietly instead, as `cat` does.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called first thing in main, before any other thread exists; setting a
    // signal's disposition to SIG_DFL installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
