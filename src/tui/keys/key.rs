//! One key press as bindings see it, parsed from and shown as key strings such as `Ctrl-d`.

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Key {
        match Key::parse(text) {
            Ok(k) => k,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn k(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key::new(code, modifiers)
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
    fn digits_and_dot_are_reserved_but_not_with_modifiers() {
        for c in "0123456789.".chars() {
            assert!(key(&c.to_string()).is_reserved(), "{c}");
        }
        assert!(!key("Alt-1").is_reserved());
        assert!(!key("j").is_reserved());
    }
}
