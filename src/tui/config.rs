//! Reading configuration files (keymaps, themes): one error type, so that every configuration
//! error names its file and key alike, and the helpers both loaders share.

use crate::text::i18n::{Lang, T};
use std::borrow::Cow;
use std::path::Path;

/// An error in a keymap or theme file; the message names the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read")]
    Io {
        /// The file, as it was given.
        file: String,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{file}: invalid TOML at line {line}, column {column}: {message}")]
    Syntax {
        /// The file, as it was given.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in characters) of the error.
        column: usize,
        /// The TOML parser's description.
        message: String,
    },
    /// One key of the file has a value revdesk cannot use.
    #[error("{file}: key `{key}`: {problem}")]
    Invalid {
        /// The file, as it was given.
        file: String,
        /// Dotted path of the offending key, e.g. `scoring.next_item`.
        key: String,
        /// What is wrong with it (boxed to keep `Result`s small).
        problem: Box<Problem>,
    },
    /// A theme argument is neither a built-in theme nor an existing file.
    #[error("unknown theme '{name}'{hint}: not a built-in theme ({expected}) and no such file")]
    UnknownTheme {
        /// The argument as given.
        name: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
        /// The built-in theme names, comma-separated.
        expected: String,
    },
}

/// What is wrong with one key of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The value has the wrong TOML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the key needs.
        expected: Cow<'static, str>,
        /// The TOML type found instead.
        found: &'static str,
    },
    /// The file format has no such setting.
    #[error("unknown setting{hint} (expected {expected})")]
    UnknownSetting {
        /// A " did you mean" suffix, or empty.
        hint: String,
        /// The settings the file may contain.
        expected: String,
    },
    /// A keymap file mixes the old `[keys]` table with view sections.
    #[error("the old [keys] table cannot be mixed with {sections}: move its lines into them")]
    MixedLayout {
        /// The view sections, e.g. `[scoring] and [chair]`.
        sections: String,
    },
    /// No action has this name.
    #[error("unknown action '{name}'{hint} (expected one of: {expected})")]
    UnknownAction {
        /// The name as written.
        name: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
        /// Every action name, comma-separated.
        expected: String,
    },
    /// A key string that cannot be parsed.
    #[error("cannot parse key '{text}': {reason}")]
    BadKey {
        /// The key string as written.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// A digit or '.', which type scores and so cannot be bound.
    #[error("'{text}' cannot be bound: digits 0-9 and '.' are reserved for typing scores")]
    ReservedKey {
        /// The key string as written.
        text: String,
    },
    /// One key bound to two actions of one view.
    #[error("'{text}' is bound to both {action} and {other}{advice}")]
    Conflict {
        /// The key, in display form.
        text: String,
        /// The action this key path sets.
        action: &'static str,
        /// The other action holding the same key.
        other: &'static str,
        /// How to resolve it, or empty.
        advice: String,
    },
    /// `quit` was left without keys.
    #[error("quit needs at least one key, or revdesk could not be left")]
    QuitUnbound,
    /// No theme style has this name.
    #[error("unknown style '{name}'{hint} (expected one of: {expected})")]
    UnknownStyle {
        /// The name as written.
        name: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
        /// Every style name, comma-separated.
        expected: String,
    },
    /// A style attribute that does not exist.
    #[error(
        "unknown attribute '{name}'{hint} (expected one of: fg, bg, bold, italic, underline, reversed, dim)"
    )]
    UnknownAttribute {
        /// The name as written.
        name: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
    },
    /// A value that is not a colour.
    #[error(
        "'{value}' is not a colour{hint} (use a name such as red, lightblue or darkgray, reset, none, an index 0-255, or #rrggbb)"
    )]
    BadColor {
        /// The value as written.
        value: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
    },
    /// `extends` names no built-in theme.
    #[error("unknown built-in theme '{name}'{hint} (expected one of: {expected})")]
    UnknownBuiltin {
        /// The name as written.
        name: String,
        /// A " did you mean" suffix, or empty.
        hint: String,
        /// The built-in theme names, comma-separated.
        expected: String,
    },
}

/// A " did you mean" suffix (made by [`did_you_mean`]) in `lang`.
fn hint_in(hint: &str, lang: Lang) -> String {
    match hint
        .strip_prefix(" (did you mean '")
        .and_then(|h| h.strip_suffix("'?)"))
    {
        Some(name) => T::CfgHint.fill(lang, &[("name", name)]),
        None => hint.to_string(),
    }
}

impl Problem {
    /// The problem in `lang` (English: this problem's `Display`).
    pub fn text(&self, lang: Lang) -> String {
        let h = |hint: &str| hint_in(hint, lang);
        match self {
            Problem::WrongType { expected, found } => {
                T::CfgWrongType.fill(lang, &[("expected", expected), ("found", found)])
            }
            Problem::UnknownSetting { hint, expected } => {
                T::CfgUnknownSetting.fill(lang, &[("hint", &h(hint)), ("expected", expected)])
            }
            Problem::MixedLayout { sections } => {
                T::CfgMixedLayout.fill(lang, &[("sections", sections)])
            }
            Problem::UnknownAction {
                name,
                hint,
                expected,
            } => T::CfgUnknownAction.fill(
                lang,
                &[("name", name), ("hint", &h(hint)), ("expected", expected)],
            ),
            Problem::BadKey { text, reason } => {
                T::CfgBadKey.fill(lang, &[("text", text), ("reason", reason)])
            }
            Problem::ReservedKey { text } => T::CfgReservedKey.fill(lang, &[("text", text)]),
            Problem::Conflict {
                text,
                action,
                other,
                advice,
            } => T::CfgConflict.fill(
                lang,
                &[
                    ("text", text),
                    ("action", action),
                    ("other", other),
                    ("advice", advice),
                ],
            ),
            Problem::QuitUnbound => T::CfgQuitUnbound.get(lang).to_string(),
            Problem::UnknownStyle {
                name,
                hint,
                expected,
            } => T::CfgUnknownStyle.fill(
                lang,
                &[("name", name), ("hint", &h(hint)), ("expected", expected)],
            ),
            Problem::UnknownAttribute { name, hint } => {
                T::CfgUnknownAttribute.fill(lang, &[("name", name), ("hint", &h(hint))])
            }
            Problem::BadColor { value, hint } => {
                T::CfgBadColor.fill(lang, &[("value", value), ("hint", &h(hint))])
            }
            Problem::UnknownBuiltin {
                name,
                hint,
                expected,
            } => T::CfgUnknownBuiltin.fill(
                lang,
                &[("name", name), ("hint", &h(hint)), ("expected", expected)],
            ),
        }
    }
}

impl ConfigError {
    /// The error in `lang` (English: this error's `Display`; an I/O error's cause is its
    /// source, not part of this text).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ConfigError::Io { file, .. } => T::CfgCannotRead.fill(lang, &[("file", file)]),
            ConfigError::Syntax {
                file,
                line,
                column,
                message,
            } => T::CfgSyntax.fill(
                lang,
                &[
                    ("file", file),
                    ("line", &line.to_string()),
                    ("column", &column.to_string()),
                    ("message", message),
                ],
            ),
            ConfigError::Invalid { file, key, problem } => T::CfgInvalid.fill(
                lang,
                &[
                    ("file", file),
                    ("key", key),
                    ("problem", &problem.text(lang)),
                ],
            ),
            ConfigError::UnknownTheme {
                name,
                hint,
                expected,
            } => T::CfgUnknownTheme.fill(
                lang,
                &[
                    ("name", name),
                    ("hint", &hint_in(hint, lang)),
                    ("expected", expected),
                ],
            ),
        }
    }

    /// Shorthand for an [`ConfigError::Invalid`] error.
    pub fn invalid(file: &str, key: impl Into<String>, problem: Problem) -> Self {
        ConfigError::Invalid {
            file: file.to_string(),
            key: key.into(),
            problem: Box::new(problem),
        }
    }
}

/// Reads a configuration file; returns its label for messages and its text.
pub fn read_config(path: &Path) -> Result<(String, String), ConfigError> {
    let label = path.display().to_string();
    match crate::io::fsafe::read_to_string(path, crate::io::fsafe::MAX_CONFIG_BYTES) {
        Ok(text) => Ok((label, text)),
        Err(source) => Err(ConfigError::Io {
            file: label,
            source,
        }),
    }
}

/// Parses TOML text, turning syntax errors into one-line [`ConfigError::Syntax`].
pub fn parse_toml(text: &str, file: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        ConfigError::Syntax {
            file: file.to_string(),
            line,
            column,
            // Why: the parser's message may span lines; keep errors to one line.
            message: e.message().trim().replace('\n', "; "),
        }
    })
}

/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// A " (did you mean 'x'?)" suffix naming the closest candidate, or "".
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let wanted = name.to_lowercase();
    let best = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&wanted, &c.to_lowercase()), c))
        .min_by_key(|&(d, _)| d);
    match best {
        // Why: beyond two edits a suggestion is more likely to mislead than help.
        Some((d, c)) if d <= 2 && d < wanted.chars().count() => {
            format!(" (did you mean '{c}'?)")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_only() {
        assert_eq!(
            did_you_mean("selectd", ["selected", "focus"]),
            " (did you mean 'selected'?)"
        );
        assert_eq!(did_you_mean("zzzz", ["selected", "focus"]), "");
        // Counted in characters, not bytes.
        assert_eq!(
            did_you_mean("帮主", ["帮助", "x"]),
            " (did you mean '帮助'?)"
        );
    }

    #[test]
    fn syntax_errors_are_one_line_with_a_position() {
        let e = parse_toml("[a]\nb = [\"u\"\n", "f.toml").map(drop);
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("f.toml: invalid TOML at line "), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }

    #[test]
    fn every_error_in_english_is_its_display_and_chinese_differs() {
        let hint = did_you_mean("scorng", ["scoring"]);
        assert_eq!(hint, " (did you mean 'scoring'?)");
        let problems = vec![
            Problem::WrongType {
                expected: "a string".into(),
                found: "integer",
            },
            Problem::UnknownSetting {
                hint: hint.clone(),
                expected: "a, b".into(),
            },
            Problem::MixedLayout {
                sections: "[scoring]".into(),
            },
            Problem::UnknownAction {
                name: "nxt".into(),
                hint: hint.clone(),
                expected: "next".into(),
            },
            Problem::BadKey {
                text: "Ctrl-".into(),
                reason: "no key".into(),
            },
            Problem::ReservedKey { text: "7".into() },
            Problem::Conflict {
                text: "j".into(),
                action: "next",
                other: "prev",
                advice: String::new(),
            },
            Problem::QuitUnbound,
            Problem::UnknownStyle {
                name: "x".into(),
                hint: String::new(),
                expected: "a".into(),
            },
            Problem::UnknownAttribute {
                name: "blod".into(),
                hint: hint.clone(),
            },
            Problem::BadColor {
                value: "rde".into(),
                hint: hint.clone(),
            },
            Problem::UnknownBuiltin {
                name: "lite".into(),
                hint: hint.clone(),
                expected: "light".into(),
            },
        ];
        let mut errors: Vec<ConfigError> = problems
            .into_iter()
            .map(|p| ConfigError::invalid("k.toml", "scoring.next", p))
            .collect();
        errors.push(ConfigError::Syntax {
            file: "k.toml".into(),
            line: 3,
            column: 7,
            message: "expected `=`".into(),
        });
        errors.push(ConfigError::UnknownTheme {
            name: "lite".into(),
            hint,
            expected: "default, light".into(),
        });
        errors.push(ConfigError::Io {
            file: "k.toml".into(),
            source: std::io::ErrorKind::NotFound.into(),
        });
        for e in &errors {
            assert_eq!(e.text(Lang::En), e.to_string());
            let zh = e.text(Lang::Zh);
            assert_ne!(zh, e.to_string(), "{zh}");
            assert!(!zh.contains("did you mean"), "{zh}");
        }
        let e = &errors[1];
        assert_eq!(
            e.text(Lang::Zh),
            "k.toml：键 `scoring.next`：未知设置（是否指“scoring”？）（可用：a, b）"
        );
    }
}
