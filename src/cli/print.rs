//! Everything the command line prints goes through here, so text from files (cells, ids,
//! names, reasons, paths) reaches a terminal only through [`sanitize`]. Use the macros
//! `outln!`, `out!`, `errln!` and `err!` (defined in `cli/mod.rs`) as `println!` and friends.

use crate::text::sanitize::sanitize;
use std::io::Write;

/// Writes `text` to standard output, sanitised.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    // A closed pipe ends the process through SIGPIPE (see main.rs); other errors have nowhere
    // to be reported.
    let _ = o.write_all(sanitize(text).as_bytes());
}

/// Writes `text` to standard error, sanitised.
pub fn err(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(sanitize(text).as_bytes());
}

/// Writes JSON text to standard output with what a terminal would act on escaped as JSON
/// escapes (the same JSON).
pub fn out_json(json: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(crate::text::sanitize::sanitize_json(json).as_bytes());
}
