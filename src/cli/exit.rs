//! Stopping with an exit code: an [`Exit`] carried in the error says how, and `main` prints
//! every other error and exits 2.

use crate::text::i18n::{Lang, T};
use std::fmt;

/// Exit code: the input has errors.
pub const EXIT_INPUT: u8 = 1;
/// Exit code: usage error or unreadable file.
pub const EXIT_USAGE: u8 = 2;

/// How the process ends when a command stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// The input has errors (exit 1).
    Input,
    /// A usage error or an unreadable file (exit 2).
    Usage,
    /// A terminal view ended on a signal or a hang-up (128 + the signal).
    View(u8),
}

impl ExitKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitKind::Input => EXIT_INPUT,
            ExitKind::Usage => EXIT_USAGE,
            ExitKind::View(code) => code,
        }
    }
}

/// Stop with an exit code. What went wrong is printed already, or is `message`, which `main`
/// prints as `revdesk: message`.
#[derive(Debug)]
pub struct Exit {
    /// The exit code.
    pub kind: ExitKind,
    /// What to print before exiting (None: printed already).
    pub message: Option<String>,
}

impl Exit {
    /// Exit 1 after printing `revdesk: message`.
    pub fn input(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Exit {
            kind: ExitKind::Input,
            message: Some(message.into()),
        })
    }

    /// Exit with `kind`; the reason is printed already.
    pub fn reported(kind: ExitKind) -> anyhow::Error {
        anyhow::Error::new(Exit {
            kind,
            message: None,
        })
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => f.write_str(m),
            None => write!(f, "exit {}", self.kind.code()),
        }
    }
}

impl std::error::Error for Exit {}

/// How a terminal view ended: nothing when the user quit, else its exit code.
pub fn view_ended(ended: crate::tui::Ended) -> anyhow::Result<()> {
    match ended.exit_code() {
        0 => Ok(()),
        code => Err(Exit::reported(ExitKind::View(code))),
    }
}

/// An error and its causes on one line, as anyhow's `{:#}` prints them.
pub fn error_text(e: &anyhow::Error) -> String {
    format!("{e:#}")
}

/// An error in `lang`: the core errors the command line meets most (an unreadable batch) from
/// the catalogue, every other one as [`error_text`] (English causes).
pub fn error_text_in(e: &anyhow::Error, lang: Lang) -> String {
    use crate::io::import::ImportError;
    use crate::round::RoundError;
    let import = e.downcast_ref::<ImportError>().or(match e.downcast_ref() {
        Some(RoundError::Import(i)) => Some(i),
        _ => None,
    });
    match import {
        Some(ImportError::Io { path, source }) => format!(
            "{}: {}",
            path.display(),
            T::CliCannotRead.fill(lang, &[("err", &source.to_string())])
        ),
        Some(ImportError::Format { path }) => {
            format!("{}: {}", path.display(), T::CliUnknownFormat.get(lang))
        }
        _ => error_text(e),
    }
}

/// Prints an error the way revdesk does and gives the exit code: an [`Exit`] its own, any
/// other error `revdesk: error: …` with each cause, and 2.
pub fn report(e: &anyhow::Error) -> u8 {
    match e.downcast_ref::<Exit>() {
        Some(x) => {
            if let Some(m) = &x.message {
                errln!("revdesk: {m}");
            }
            x.kind.code()
        }
        None => {
            let lang = super::lang();
            errln!(
                "revdesk: {}: {}",
                T::CliError.get(lang),
                error_text_in(e, lang)
            );
            EXIT_USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_survives_context_and_keeps_its_code() {
        let e = Exit::input("nothing written").context("exporting");
        let x = e.downcast_ref::<Exit>().expect("an exit");
        assert_eq!(x.kind.code(), 1);
        assert_eq!(x.message.as_deref(), Some("nothing written"));
        assert_eq!(report(&Exit::reported(ExitKind::Usage)), 2);
        assert_eq!(report(&Exit::reported(ExitKind::View(143))), 143);
        assert_eq!(report(&anyhow::anyhow!("bad")), 2);
    }
}
