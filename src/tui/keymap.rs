//! Key bindings: which key press triggers which [`Action`].
//!
//! The built-in bindings live in `keymap.toml` beside this file. A user's
//! keymap file has the same `[keys]` table and lists only the actions it
//! changes. This module also defines [`ConfigError`], which the theme loader
//! shares, so that every configuration error names its file and key alike.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// The built-in keymap, also the reference users copy lines from.
const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

/// How the built-in keymap is named in error messages.
const DEFAULT_LABEL: &str = "built-in keymap.toml";

// ---------------------------------------------------------------------------
// Configuration errors (shared with theme.rs)
// ---------------------------------------------------------------------------

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
        /// Dotted path of the offending key, e.g. `keys.next_item`.
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
        expected: &'static str,
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
    /// One key bound to two actions.
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

impl ConfigError {
    /// Shorthand for an [`ConfigError::Invalid`] error.
    pub(super) fn invalid(file: &str, key: impl Into<String>, problem: Problem) -> Self {
        ConfigError::Invalid {
            file: file.to_string(),
            key: key.into(),
            problem: Box::new(problem),
        }
    }
}

/// Reads a configuration file; returns its label for messages and its text.
pub(super) fn read_config(path: &Path) -> Result<(String, String), ConfigError> {
    let label = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((label, text)),
        Err(source) => Err(ConfigError::Io {
            file: label,
            source,
        }),
    }
}

/// Parses TOML text, turning syntax errors into one-line [`ConfigError::Syntax`].
pub(super) fn parse_toml(text: &str, file: &str) -> Result<toml::Table, ConfigError> {
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
pub(super) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let wanted = name.to_lowercase();
    let best = candidates
        .into_iter()
        .map(|c| (edit_distance(&wanted, &c.to_lowercase()), c))
        .min_by_key(|&(d, _)| d);
    match best {
        // Why: beyond two edits a suggestion is more likely to mislead than help.
        Some((d, c)) if d <= 2 && d < wanted.chars().count() => {
            format!(" (did you mean '{c}'?)")
        }
        _ => String::new(),
    }
}

/// Levenshtein distance, counted in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/// Key names accepted in key strings, lower-case, with what they mean.
const KEY_NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("space", KeyCode::Char(' ')),
];

/// The modifiers a binding can use; others (Super, Hyper, Meta) never match.
const BINDABLE_MODIFIERS: KeyModifiers = KeyModifiers::SHIFT
    .union(KeyModifiers::CONTROL)
    .union(KeyModifiers::ALT);

/// One key press as bindings see it: a key code plus Ctrl/Alt/Shift, normalised.
///
/// Normalisation makes a binding match however the terminal reports the key:
/// Shift is folded into characters (`Shift-g` is `G`, and `G` matches with or
/// without SHIFT), `Shift-Tab` is `BackTab`, and `Ctrl-` letters ignore case
/// (legacy terminals send the same byte for Ctrl-d and Ctrl-D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

/// Why a key string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyParseError(String);

impl Key {
    /// Builds a normalised key from a code and modifiers.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut code = code;
        let mut modifiers = modifiers & BINDABLE_MODIFIERS;
        match code {
            KeyCode::Char(c) => {
                if modifiers.contains(KeyModifiers::SHIFT) {
                    // Why: terminals differ on reporting SHIFT with the shifted
                    // character; the character alone is what counts.
                    modifiers.remove(KeyModifiers::SHIFT);
                    let mut upper = c.to_uppercase();
                    if let (Some(u), None) = (upper.next(), upper.next()) {
                        code = KeyCode::Char(u);
                    }
                }
                if modifiers.contains(KeyModifiers::CONTROL)
                    && let KeyCode::Char(c) = code
                {
                    code = KeyCode::Char(c.to_ascii_lowercase());
                }
                // Why: legacy terminals send these Ctrl chords as the same
                // byte as a named key (some send ^H for Backspace), so they
                // are that key; binding them otherwise could never work.
                if modifiers == KeyModifiers::CONTROL {
                    let same_byte = match code {
                        KeyCode::Char('h') => Some(KeyCode::Backspace),
                        KeyCode::Char('i') => Some(KeyCode::Tab),
                        KeyCode::Char('m') => Some(KeyCode::Enter),
                        KeyCode::Char('[') => Some(KeyCode::Esc),
                        _ => None,
                    };
                    if let Some(named) = same_byte {
                        code = named;
                        modifiers = KeyModifiers::NONE;
                    }
                }
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                modifiers.remove(KeyModifiers::SHIFT);
            }
            // Why: crossterm reports BackTab with SHIFT on most terminals.
            KeyCode::BackTab => modifiers.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        Key { code, modifiers }
    }

    /// The key of a terminal event, or None if it uses Super/Hyper/Meta.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        if event.modifiers.difference(BINDABLE_MODIFIERS).is_empty() {
            Some(Key::new(event.code, event.modifiers))
        } else {
            None
        }
    }

    /// Parses a key string such as `j`, `G`, `Ctrl-d`, `Shift-Tab` or `F5`.
    pub fn parse(text: &str) -> Result<Key, KeyParseError> {
        let mut rest = text;
        let mut modifiers = KeyModifiers::NONE;
        // Why: only split while something follows the dash, so `-` and
        // `Ctrl--` keep the minus key itself.
        while let Some((prefix, tail)) = rest.split_once('-') {
            if tail.is_empty() || prefix.is_empty() {
                break;
            }
            let modifier = match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
                "alt" | "meta" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => {
                    return Err(KeyParseError(format!(
                        "unknown modifier '{prefix}' (expected Ctrl-, Alt- or Shift-)"
                    )));
                }
            };
            modifiers |= modifier;
            rest = tail;
        }
        let code = parse_key_code(rest)?;
        Ok(Key::new(code, modifiers))
    }

    /// True for the digits and '.', which type scores and cannot be bound.
    pub fn is_reserved(&self) -> bool {
        self.modifiers.is_empty() && matches!(self.code, KeyCode::Char('0'..='9' | '.'))
    }
}

/// Parses the part of a key string after its modifiers.
fn parse_key_code(text: &str) -> Result<KeyCode, KeyParseError> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => return Err(KeyParseError("empty key string".to_string())),
        (Some(c), None) if c.is_control() => {
            return Err(KeyParseError(
                "control characters cannot be bound; use a key name such as Tab or Enter"
                    .to_string(),
            ));
        }
        (Some(c), None) => return Ok(KeyCode::Char(c)),
        _ => {}
    }
    let lower = text.to_ascii_lowercase();
    if let Some(&(_, code)) = KEY_NAMES.iter().find(|(name, _)| *name == lower) {
        return Ok(code);
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        if (1..=12).contains(&n) {
            return Ok(KeyCode::F(n));
        }
        return Err(KeyParseError(format!(
            "no function key F{n} (expected F1-F12)"
        )));
    }
    Err(KeyParseError(format!(
        "unknown key name '{text}' (expected a single character or one of Enter, Esc, Tab, \
         BackTab, Backspace, Delete, Insert, Up, Down, Left, Right, Home, End, PageUp, \
         PageDown, Space, F1-F12, with optional Ctrl-, Alt- or Shift-)"
    )))
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        Key::parse(s)
    }
}

/// Plain ASCII display names: arrows and similar symbols are East-Asian
/// ambiguous and take two cells in CJK terminals, breaking layouts.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Keymap
// ---------------------------------------------------------------------------

/// Keys per action, in the order the file lists them.
type Bindings = BTreeMap<Action, Vec<Key>>;

/// The keys bound to each action, and the reverse lookup used on key presses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    by_action: Bindings,
    by_key: HashMap<Key, Action>,
}

impl Default for KeyMap {
    /// The built-in keymap from `keymap.toml`.
    fn default() -> KeyMap {
        // The embedded file is a compile-time constant that the tests load;
        // it is not user input, so failing here is a build defect.
        build(&Bindings::new(), builtin_bindings(), DEFAULT_LABEL)
            .expect("built-in keymap.toml has no conflicts (tested)")
    }
}

/// The built-in bindings, parsed.
fn builtin_bindings() -> Bindings {
    let table = parse_toml(DEFAULT_KEYMAP, DEFAULT_LABEL);
    table
        .and_then(|t| parse_bindings(&t, DEFAULT_LABEL))
        .expect("built-in keymap.toml parses (tested)")
}

impl KeyMap {
    /// Loads a user keymap file and merges it over the built-in keymap.
    pub fn load(path: &Path) -> Result<KeyMap, ConfigError> {
        let (label, text) = read_config(path)?;
        KeyMap::from_toml(&text, &label)
    }

    /// Parses keymap TOML (named `file` in errors) and merges it over the built-in keymap.
    ///
    /// An action the text lists gets exactly the keys given there (an empty
    /// list unbinds it); every other action keeps its built-in keys.
    pub fn from_toml(text: &str, file: &str) -> Result<KeyMap, ConfigError> {
        let table = parse_toml(text, file)?;
        let user = parse_bindings(&table, file)?;
        build(&builtin_bindings(), user, file)
    }

    /// The action bound to a key press; releases and repeats give None.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        Key::from_event(key).and_then(|k| self.by_key.get(&k).copied())
    }

    /// The keys an event stands for: Alt+key is usually Esc then key arriving in one burst
    /// (a fast typist, or a slow SSH link delivering both at once), which terminals cannot
    /// tell apart. Unless the keymap binds that Alt key, it is taken as the two keys.
    pub fn expand(&self, key: KeyEvent) -> Vec<KeyEvent> {
        let alt_char = key.modifiers.contains(KeyModifiers::ALT)
            && matches!(key.code, KeyCode::Char(_))
            && self.action(&key).is_none();
        if !alt_char {
            return vec![key];
        }
        let mut plain = key;
        plain.modifiers.remove(KeyModifiers::ALT);
        vec![
            KeyEvent::new_with_kind(KeyCode::Esc, KeyModifiers::NONE, key.kind),
            plain,
        ]
    }

    /// The first key bound to an action, as hints show it ("" when unbound).
    pub fn first_key(&self, action: Action) -> String {
        self.keys(action).into_iter().next().unwrap_or_default()
    }

    /// Display names of the keys bound to an action, e.g. `["PgDn", "Ctrl-d", "Space"]`.
    pub fn keys(&self, action: Action) -> Vec<String> {
        self.by_action
            .get(&action)
            .map(|keys| keys.iter().map(Key::to_string).collect())
            .unwrap_or_default()
    }

    /// Every action with its key display names, in [`Action::ALL`] order, for the help overlay.
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL.iter().map(|&a| (a, self.keys(a))).collect()
    }
}

/// Reads the `[keys]` table of a parsed keymap file.
fn parse_bindings(table: &toml::Table, file: &str) -> Result<Bindings, ConfigError> {
    if let Some(name) = table.keys().find(|k| k.as_str() != "keys") {
        let hint = did_you_mean(name, ["keys"]);
        let problem = Problem::UnknownSetting {
            hint,
            expected: "only a [keys] table".to_string(),
        };
        return Err(ConfigError::invalid(file, name.as_str(), problem));
    }
    let Some(keys) = table.get("keys") else {
        return Ok(Bindings::new());
    };
    let Some(keys) = keys.as_table() else {
        let problem = Problem::WrongType {
            expected: "a [keys] table",
            found: keys.type_str(),
        };
        return Err(ConfigError::invalid(file, "keys", problem));
    };
    let mut bindings = Bindings::new();
    for (name, value) in keys {
        let path = format!("keys.{name}");
        let Some(action) = Action::from_name(name) else {
            let names = Action::ALL.map(Action::name);
            let problem = Problem::UnknownAction {
                name: name.clone(),
                hint: did_you_mean(name, names),
                expected: names.join(", "),
            };
            return Err(ConfigError::invalid(file, path, problem));
        };
        let strings = key_strings(value).map_err(|p| ConfigError::invalid(file, &path, p))?;
        let mut keys = Vec::with_capacity(strings.len());
        for text in strings {
            let key = Key::parse(text).map_err(|e| {
                let problem = Problem::BadKey {
                    text: text.to_string(),
                    reason: e.0,
                };
                ConfigError::invalid(file, &path, problem)
            })?;
            if key.is_reserved() {
                let problem = Problem::ReservedKey {
                    text: text.to_string(),
                };
                return Err(ConfigError::invalid(file, path, problem));
            }
            // Why: `BackTab` and `Shift-Tab` in one list are the same key; keep one.
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        bindings.insert(action, keys);
    }
    Ok(bindings)
}

/// The key strings of one binding: a list of strings, or a single string.
fn key_strings(value: &toml::Value) -> Result<Vec<&str>, Problem> {
    let wrong = |found| Problem::WrongType {
        expected: "a list of key strings, e.g. [\"j\", \"Down\"]",
        found,
    };
    match value {
        toml::Value::String(s) => Ok(vec![s.as_str()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| wrong(item.type_str())))
            .collect(),
        other => Err(wrong(other.type_str())),
    }
}

/// Merges user bindings over defaults and checks the result.
fn build(defaults: &Bindings, user: Bindings, file: &str) -> Result<KeyMap, ConfigError> {
    let mut by_action = defaults.clone();
    let user_actions: Vec<Action> = user.keys().copied().collect();
    by_action.extend(user);

    if by_action.get(&Action::Quit).is_none_or(Vec::is_empty) {
        return Err(ConfigError::invalid(
            file,
            "keys.quit",
            Problem::QuitUnbound,
        ));
    }

    let mut by_key = HashMap::new();
    for action in Action::ALL {
        for &key in by_action.get(&action).into_iter().flatten() {
            let Some(&other) = by_key.get(&key) else {
                by_key.insert(key, action);
                continue;
            };
            // Name the key path the user wrote; if they wrote only one of
            // the two, the other is a default they may not know about.
            let (named, other, other_is_default) = if user_actions.contains(&action) {
                (action, other, !user_actions.contains(&other))
            } else {
                (other, action, true)
            };
            let advice = if other_is_default {
                format!(
                    " (it is {0}'s default key: list {0} with other keys too, or choose another key)",
                    other.name()
                )
            } else {
                String::new()
            };
            let problem = Problem::Conflict {
                text: key.to_string(),
                action: named.name(),
                other: other.name(),
                advice,
            };
            return Err(ConfigError::invalid(
                file,
                format!("keys.{}", named.name()),
                problem,
            ));
        }
    }
    Ok(KeyMap { by_action, by_key })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn key(text: &str) -> Key {
        match Key::parse(text) {
            Ok(k) => k,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn k(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key::new(code, modifiers)
    }

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn err(text: &str) -> String {
        match KeyMap::from_toml(text, "my-keys.toml") {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;

    #[test]
    fn parses_single_characters() {
        assert_eq!(key("j"), k(KeyCode::Char('j'), NONE));
        assert_eq!(key("G"), k(KeyCode::Char('G'), NONE));
        for c in ['?', '/', '+', '=', '-', ',', '中'] {
            assert_eq!(key(&c.to_string()), k(KeyCode::Char(c), NONE));
        }
        assert_eq!(key(" "), key("Space"));
    }

    #[test]
    fn parses_names_case_insensitively() {
        let cases = [
            ("Enter", KeyCode::Enter),
            ("return", KeyCode::Enter),
            ("ESC", KeyCode::Esc),
            ("Escape", KeyCode::Esc),
            ("tab", KeyCode::Tab),
            ("BackTab", KeyCode::BackTab),
            ("Backspace", KeyCode::Backspace),
            ("Delete", KeyCode::Delete),
            ("Del", KeyCode::Delete),
            ("Insert", KeyCode::Insert),
            ("up", KeyCode::Up),
            ("Down", KeyCode::Down),
            ("LEFT", KeyCode::Left),
            ("Right", KeyCode::Right),
            ("Home", KeyCode::Home),
            ("End", KeyCode::End),
            ("PageUp", KeyCode::PageUp),
            ("pgdn", KeyCode::PageDown),
            ("Space", KeyCode::Char(' ')),
            ("F1", KeyCode::F(1)),
            ("f12", KeyCode::F(12)),
        ];
        for (text, code) in cases {
            assert_eq!(key(text), k(code, NONE), "{text}");
        }
    }

    #[test]
    fn parses_modifiers() {
        assert_eq!(key("Ctrl-d"), k(KeyCode::Char('d'), CTRL));
        assert_eq!(key("ctrl-D"), k(KeyCode::Char('d'), CTRL));
        assert_eq!(key("C-d"), key("Ctrl-d"));
        assert_eq!(key("Alt-x"), k(KeyCode::Char('x'), ALT));
        assert_eq!(key("M-x"), key("Alt-x"));
        assert_eq!(key("Alt-X"), k(KeyCode::Char('X'), ALT));
        assert_eq!(key("Ctrl-Alt-Delete"), k(KeyCode::Delete, CTRL | ALT));
        assert_eq!(key("Shift-Up"), k(KeyCode::Up, SHIFT));
        assert_eq!(key("Ctrl--"), k(KeyCode::Char('-'), CTRL));
        assert_eq!(key("-"), k(KeyCode::Char('-'), NONE));
        assert_eq!(key("Ctrl-Space"), k(KeyCode::Char(' '), CTRL));
        assert_eq!(key("Alt-F4"), k(KeyCode::F(4), ALT));
    }

    #[test]
    fn shift_folds_into_characters_and_backtab() {
        assert_eq!(key("Shift-g"), key("G"));
        assert_eq!(key("Shift-G"), key("G"));
        assert_eq!(key("Shift-?"), key("?"));
        assert_eq!(key("Shift-Tab"), key("BackTab"));
        assert_eq!(key("Shift-BackTab"), key("BackTab"));
        assert_eq!(key("Ctrl-Shift-d"), key("Ctrl-d"));
        // Terminals report these differently; all must be the same key.
        assert_eq!(k(KeyCode::Char('G'), SHIFT), key("G"));
        assert_eq!(k(KeyCode::Char('g'), SHIFT), key("G"));
        assert_eq!(k(KeyCode::BackTab, SHIFT), key("BackTab"));
        assert_eq!(k(KeyCode::Tab, SHIFT), key("BackTab"));
        assert_ne!(key("g"), key("G"));
    }

    #[test]
    fn ctrl_chords_sharing_a_byte_with_named_keys_are_those_keys() {
        assert_eq!(key("Ctrl-h"), key("Backspace"));
        assert_eq!(key("Ctrl-i"), key("Tab"));
        assert_eq!(key("Ctrl-m"), key("Enter"));
        assert_eq!(key("Ctrl-["), key("Esc"));
        // A terminal sending ^H for Backspace still clears the score.
        let map = KeyMap::default();
        let ctrl_h = press(KeyCode::Char('h'), CTRL);
        assert_eq!(map.action(&ctrl_h), Some(Action::ClearScore));
        assert_ne!(key("Ctrl-Alt-h"), key("Backspace"));
    }

    #[test]
    fn refuses_bad_key_strings() {
        for bad in [
            "", "jj", "Ctrl-", "Hyper-x", "F13", "F0", "PageUpp", "\t", " j",
        ] {
            assert!(Key::parse(bad).is_err(), "{bad:?} should not parse");
        }
        match Key::parse("Cmd-x") {
            Err(e) => assert!(e.to_string().contains("unknown modifier 'Cmd'"), "{e}"),
            Ok(k) => panic!("Cmd-x parsed as {k}"),
        }
    }

    #[test]
    fn display_is_plain_ascii_and_round_trips() {
        let texts = [
            "j",
            "G",
            "?",
            "-",
            "Ctrl--",
            "Enter",
            "Esc",
            "Tab",
            "BackTab",
            "Backspace",
            "Delete",
            "Insert",
            "Up",
            "Down",
            "Left",
            "Right",
            "Home",
            "End",
            "PageUp",
            "PageDown",
            "Space",
            "F1",
            "F12",
            "Ctrl-d",
            "Alt-X",
            "Shift-Up",
            "Ctrl-Alt-Delete",
        ];
        for text in texts {
            let shown = key(text).to_string();
            assert!(shown.is_ascii(), "{shown}");
            assert_eq!(key(&shown), key(text), "{text} shown as {shown}");
        }
        assert_eq!(key("PageDown").to_string(), "PgDn");
        assert_eq!(key("BackTab").to_string(), "Shift-Tab");
        assert_eq!(key("ctrl-D").to_string(), "Ctrl-d");
    }

    #[test]
    fn digits_and_dot_are_reserved() {
        for c in "0123456789.".chars() {
            let text = format!("[keys]\nflag = [\"{c}\"]\n");
            let msg = err(&text);
            assert!(msg.contains("my-keys.toml"), "{msg}");
            assert!(msg.contains("`keys.flag`"), "{msg}");
            assert!(msg.contains("reserved for typing scores"), "{msg}");
        }
        // Modified digits do not type scores, so they may be bound.
        let map = KeyMap::from_toml("[keys]\nflag = [\"Alt-1\"]\n", "t.toml");
        assert!(map.is_ok());
    }

    #[test]
    fn default_binds_every_action_once() {
        let map = KeyMap::default();
        let mut seen = HashMap::new();
        for action in Action::ALL {
            let keys = map.by_action.get(&action).cloned().unwrap_or_default();
            assert!(!keys.is_empty(), "{} has no key", action.name());
            for key in keys {
                assert!(!key.is_reserved(), "{key} is reserved");
                if let Some(other) = seen.insert(key, action) {
                    panic!("{key} bound to {} and {}", other.name(), action.name());
                }
            }
        }
    }

    #[test]
    fn default_keys_match_the_brief() {
        let map = KeyMap::default();
        assert_eq!(map.keys(Action::NextItem), ["j", "Down"]);
        assert_eq!(map.keys(Action::LastItem), ["G", "End"]);
        assert_eq!(map.keys(Action::NextCriterion), ["Tab", "l", "Right"]);
        assert_eq!(map.keys(Action::PrevCriterion), ["Shift-Tab", "h", "Left"]);
        assert_eq!(map.keys(Action::ScrollDown), ["PgDn", "Ctrl-d", "Space"]);
        assert_eq!(map.keys(Action::ClearScore), ["Backspace", "Del"]);
        assert_eq!(map.keys(Action::Help), ["?", "F1"]);
        assert_eq!(map.keys(Action::Quit), ["q", "Ctrl-c"]);
    }

    #[test]
    fn bindings_follow_action_all_order() {
        let map = KeyMap::default();
        let order: Vec<Action> = map.bindings().into_iter().map(|(a, _)| a).collect();
        assert_eq!(order, Action::ALL.to_vec());
    }

    #[test]
    fn action_matches_real_events() {
        let map = KeyMap::default();
        let cases = [
            (press(KeyCode::Char('j'), NONE), Some(Action::NextItem)),
            (press(KeyCode::Down, NONE), Some(Action::NextItem)),
            (press(KeyCode::Char('G'), NONE), Some(Action::LastItem)),
            (press(KeyCode::Char('G'), SHIFT), Some(Action::LastItem)),
            (press(KeyCode::Char('g'), NONE), Some(Action::FirstItem)),
            (press(KeyCode::BackTab, SHIFT), Some(Action::PrevCriterion)),
            (press(KeyCode::BackTab, NONE), Some(Action::PrevCriterion)),
            (press(KeyCode::Tab, SHIFT), Some(Action::PrevCriterion)),
            (press(KeyCode::Tab, NONE), Some(Action::NextCriterion)),
            (press(KeyCode::Char('?'), SHIFT), Some(Action::Help)),
            (press(KeyCode::Char('+'), SHIFT), Some(Action::Increment)),
            (press(KeyCode::Char('d'), CTRL), Some(Action::ScrollDown)),
            (press(KeyCode::Char(' '), NONE), Some(Action::ScrollDown)),
            (press(KeyCode::Char('c'), CTRL), Some(Action::Quit)),
            (press(KeyCode::Char('c'), NONE), Some(Action::Comment)),
            (press(KeyCode::Esc, NONE), Some(Action::Cancel)),
            (press(KeyCode::F(1), NONE), Some(Action::Help)),
            (press(KeyCode::Char('5'), NONE), None),
            (press(KeyCode::Char('j'), ALT), None),
            (press(KeyCode::Char('q'), KeyModifiers::SUPER), None),
        ];
        for (event, expected) in cases {
            assert_eq!(map.action(&event), expected, "{event:?}");
        }
    }

    #[test]
    fn action_ignores_release_and_repeat() {
        let map = KeyMap::default();
        for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
            let event = KeyEvent::new_with_kind_and_state(
                KeyCode::Char('q'),
                NONE,
                kind,
                KeyEventState::NONE,
            );
            assert_eq!(map.action(&event), None);
        }
    }

    #[test]
    fn user_file_overrides_only_listed_actions() {
        let map = KeyMap::from_toml("[keys]\nnext_item = [\"Ctrl-n\"]\n", "t.toml");
        let map = map.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(map.keys(Action::NextItem), ["Ctrl-n"]);
        assert_eq!(map.action(&press(KeyCode::Char('j'), NONE)), None);
        assert_eq!(
            map.action(&press(KeyCode::Char('n'), CTRL)),
            Some(Action::NextItem)
        );
        assert_eq!(map.keys(Action::PrevItem), ["k", "Up"]);
        assert_eq!(map.keys(Action::Quit), ["q", "Ctrl-c"]);
    }

    #[test]
    fn freed_default_key_can_be_reused() {
        let text = "[keys]\nrecuse = [\"Z\"]\nflag = [\"x\", \"m\"]\n";
        let map = KeyMap::from_toml(text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            map.action(&press(KeyCode::Char('x'), NONE)),
            Some(Action::Flag)
        );
        assert_eq!(
            map.action(&press(KeyCode::Char('Z'), SHIFT)),
            Some(Action::Recuse)
        );
    }

    #[test]
    fn empty_and_missing_files_keep_defaults() {
        for text in ["", "# nothing\n", "[keys]\n"] {
            let map = KeyMap::from_toml(text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(map, KeyMap::default());
        }
    }

    #[test]
    fn single_string_and_empty_list_are_accepted() {
        let text = "[keys]\nundo = \"Ctrl-z\"\ncontacts = []\n";
        let map = KeyMap::from_toml(text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(map.keys(Action::Undo), ["Ctrl-z"]);
        assert!(map.keys(Action::Contacts).is_empty());
        assert_eq!(map.action(&press(KeyCode::Char('i'), NONE)), None);
    }

    #[test]
    fn conflict_with_a_default_names_both_and_advises() {
        let msg = err("[keys]\nflag = [\"x\"]\n");
        assert!(msg.starts_with("my-keys.toml: key `keys.flag`: "), "{msg}");
        assert!(
            msg.contains("'x' is bound to both flag and recuse"),
            "{msg}"
        );
        assert!(msg.contains("recuse's default key"), "{msg}");
    }

    #[test]
    fn conflict_within_the_file_names_both() {
        let msg = err("[keys]\nflag = [\"z\"]\nundo = [\"Shift-z\", \"z\"]\n");
        assert!(msg.contains("`keys.undo`"), "{msg}");
        assert!(msg.contains("'z' is bound to both undo and flag"), "{msg}");
        assert!(!msg.contains("default"), "{msg}");
    }

    #[test]
    fn shift_tab_conflicts_with_backtab() {
        let msg = err("[keys]\nhelp = [\"Shift-Tab\"]\n");
        assert!(
            msg.contains("'Shift-Tab' is bound to both help and prev_criterion"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_action_is_named_with_a_suggestion() {
        let msg = err("[keys]\nnxt_item = [\"j\"]\n");
        assert!(
            msg.starts_with(
                "my-keys.toml: key `keys.nxt_item`: unknown action 'nxt_item' (did you mean 'next_item'?)"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("expected one of: next_item, prev_item"),
            "{msg}"
        );
    }

    #[test]
    fn bad_key_string_is_named() {
        let msg = err("[keys]\nundo = [\"Ctrl-Foo\"]\n");
        assert!(
            msg.contains("`keys.undo`: cannot parse key 'Ctrl-Foo'"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_types_are_named() {
        let msg = err("[keys]\nundo = 5\n");
        assert!(
            msg.contains("`keys.undo`: expected a list of key strings"),
            "{msg}"
        );
        assert!(msg.contains("found integer"), "{msg}");
        let msg = err("[keys]\nundo = [\"u\", true]\n");
        assert!(msg.contains("found boolean"), "{msg}");
        let msg = err("keys = 3\n");
        assert!(msg.contains("`keys`: expected a [keys] table"), "{msg}");
        let msg = err("[key]\nundo = [\"u\"]\n");
        assert!(
            msg.contains("`key`: unknown setting (did you mean 'keys'?)"),
            "{msg}"
        );
    }

    #[test]
    fn quit_must_keep_a_key() {
        let msg = err("[keys]\nquit = []\n");
        assert!(
            msg.contains("`keys.quit`: quit needs at least one key"),
            "{msg}"
        );
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let msg = err("[keys]\nundo = [\"u\"\n");
        assert!(
            msg.starts_with("my-keys.toml: invalid TOML at line "),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
        let msg = err("[keys]\nundo = [\"u\"]\nundo = [\"U\"]\n");
        assert!(msg.contains("line 3"), "{msg}");
    }

    #[test]
    fn load_reports_missing_file() {
        let path = Path::new("/nonexistent/revdesk-keys.toml");
        let msg = KeyMap::load(path).map(|_| ()).err().map(|e| e.to_string());
        let msg = msg.unwrap_or_default();
        assert!(
            msg.starts_with("/nonexistent/revdesk-keys.toml: cannot read"),
            "{msg}"
        );
    }

    #[test]
    fn suggestions_are_close_only() {
        assert_eq!(
            did_you_mean("selectd", ["selected", "focus"]),
            " (did you mean 'selected'?)"
        );
        assert_eq!(did_you_mean("zzzz", ["selected", "focus"]), "");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
