//! An error as one line of text: its message, then each cause, as anyhow's `{:#}` prints it.
//!
//! Errors name their cause once: a cause is a `#[source]`, never also part of the message. So
//! wherever an error becomes text outside anyhow (a status line, a list of refused sheets), it
//! goes through [`error_chain`] or the cause would be lost.

use std::error::Error;

/// `message: cause: cause's cause`.
pub fn error_chain(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read panel.toml")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn each_cause_once_in_order() {
        let e = Outer(std::io::Error::other("permission denied"));
        assert_eq!(error_chain(&e), "cannot read panel.toml: permission denied");
        let plain = std::io::Error::other("disk full");
        assert_eq!(error_chain(&plain), "disk full");
    }
}
