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

/// An error in `lang`: each link of the chain whose type the command line knows (the core's
/// errors with a catalogue message) from the catalogue, any other in its own text (the CLI's
/// own contexts are written in its language already); in English exactly [`error_text`].
pub fn error_text_in(e: &anyhow::Error, lang: Lang) -> String {
    if lang.en() {
        return error_text(e);
    }
    let mut parts = Vec::new();
    for link in e.chain() {
        let (text, whole) = link_text(link, lang);
        parts.push(text);
        // A text that already holds its causes ends the line.
        if whole {
            break;
        }
    }
    parts.join(": ")
}

/// One link of an error chain in `lang`, and whether that text includes the link's causes.
fn link_text(e: &(dyn std::error::Error + 'static), lang: Lang) -> (String, bool) {
    use crate::domain::decisions::DecisionError;
    use crate::domain::marks::{ExpertIdError, TooLong};
    use crate::domain::rubric::ScoreError;
    use crate::io::import::{DecodeError, ImportError};
    use crate::io::sheet::{SheetError, SheetFileError, describe_sheet_error};
    use crate::round::RoundError;
    use crate::round::submit::SubmitError;
    use crate::store::StoreError;
    let part = |m: crate::text::i18n::Msg| (m.render(lang), false);
    if let Some(x) = e.downcast_ref::<ImportError>() {
        return part(x.msg());
    }
    if let Some(x) = e.downcast_ref::<DecodeError>() {
        return part(x.msg());
    }
    if let Some(x) = e.downcast_ref::<StoreError>() {
        return part(x.msg());
    }
    if let Some(x) = e.downcast_ref::<ExpertIdError>() {
        return part(x.msg());
    }
    if let Some(x) = e.downcast_ref::<TooLong>() {
        return part(x.msg());
    }
    if let Some(crate::io::entry::ReadError::Workbook { path, message }) = e.downcast_ref() {
        let head = T::ImpCannotRead.fill(lang, &[("path", &path.display().to_string())]);
        return (format!("{head}: {}", message.render(lang)), true);
    }
    if let Some(crate::io::entry::ReadError::Unreadable { path, .. }) = e.downcast_ref() {
        return (
            T::ImpCannotRead.fill(lang, &[("path", &path.display().to_string())]),
            false,
        );
    }
    if let Some(x) = e.downcast_ref::<ScoreError>() {
        return part(x.msg());
    }
    if let Some(x) = e.downcast_ref::<crate::tui::config::ConfigError>() {
        return (x.text(lang), false);
    }
    if let Some(x) = e.downcast_ref::<crate::domain::profile::ProfileError>() {
        return part(x.msg());
    }
    if let Some(m) = e
        .downcast_ref::<crate::io::panel::PanelError>()
        .and_then(|x| x.msg())
    {
        return part(m);
    }
    if let Some(x) = e.downcast_ref::<DecisionError>() {
        return (crate::tui::chair::text::decision_error(x, lang), false);
    }
    if let Some(x) = e.downcast_ref::<SheetFileError>() {
        let why = describe_sheet_error(&x.source, lang);
        return (format!("{}: {why}", x.path.display()), true);
    }
    if let Some(x) = e.downcast_ref::<SheetError>() {
        return (describe_sheet_error(x, lang), true);
    }
    if let Some(x) = e.downcast_ref::<SubmitError>() {
        match x {
            SubmitError::Store(s) => return part(s.msg()),
            SubmitError::TooLong { item, .. } => {
                return (T::SubmitTooLong.fill(lang, &[("item", item)]), false);
            }
            SubmitError::Sheet(f) => {
                let why = describe_sheet_error(&f.source, lang);
                return (format!("{}: {why}", f.path.display()), true);
            }
            SubmitError::Key { .. } => {}
        }
    }
    if let Some(x) = e.downcast_ref::<RoundError>() {
        match (x, x.msg()) {
            (RoundError::Decisions(d), _) => {
                return (crate::tui::chair::text::decision_error(d, lang), false);
            }
            (_, Some(m)) => return part(m),
            _ => {}
        }
    }
    if let Some(x) = e.downcast_ref::<std::io::Error>()
        && let Some(code) = x.raw_os_error()
    {
        let t = match x.kind() {
            std::io::ErrorKind::NotFound => Some(T::IoNotFound),
            std::io::ErrorKind::PermissionDenied => Some(T::IoPermission),
            std::io::ErrorKind::AlreadyExists => Some(T::IoExists),
            _ => None,
        };
        if let Some(t) = t {
            return (t.fill(lang, &[("code", &code.to_string())]), false);
        }
    }
    (e.to_string(), false)
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
