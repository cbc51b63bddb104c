//! Text from files made safe to print on a terminal: control characters are shown, not sent.
//!
//! A cell holding `ESC ] 0 ; … BEL` retitles the terminal that prints it, and worse sequences
//! exist, so every line the command line prints that may carry file content (findings, cell
//! errors, sheet rejections, notes, error chains, tables) passes through [`sanitize`]. Control
//! characters (C0, DEL, C1) and the bidirectional overrides and isolates, which reorder what is
//! shown, are written as Rust escapes (`\u{1b}`); line breaks and tabs stay, as the lines are
//! meant to show them. The terminal views draw through `wrap`, which never sends a control
//! character either.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as it is.
fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t' && c != '\r'
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character but line breaks (`\n`, `\r\n`) and tabs, and every
/// bidirectional override, written as a visible escape (`\u{1b}`).
pub fn sanitize(s: &str) -> Cow<'_, str> {
    escape(s, |c| format!("\\u{{{:x}}}", u32::from(c)))
}

/// JSON text (as serde_json writes it: C0 escaped already) with DEL, C1 and the bidirectional
/// overrides escaped as JSON escapes (`\u009b`): still the same JSON, and safe to print.
pub fn sanitize_json(s: &str) -> Cow<'_, str> {
    escape(s, |c| format!("\\u{:04x}", u32::from(c)))
}

/// `s` with each character to escape written by `write`.
fn escape(s: &str, write: impl Fn(char) -> String) -> Cow<'_, str> {
    let lone_cr = |i: usize| s.as_bytes().get(i + 1) != Some(&b'\n');
    let escaped = |i: usize, c: char| unsafe_char(c) || (c == '\r' && lone_cr(i));
    if !s.char_indices().any(|(i, c)| escaped(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        if escaped(i, c) {
            out.push_str(&write(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_line_breaks_kept() {
        assert!(matches!(sanitize("王五 wang\tok\n"), Cow::Borrowed(_)));
        assert_eq!(sanitize("\u{1b}]0;pwned\u{7}x"), "\\u{1b}]0;pwned\\u{7}x");
        assert_eq!(sanitize("a\u{9b}31m\u{7f}"), "a\\u{9b}31m\\u{7f}");
        assert_eq!(sanitize("a\r\nb\rc"), "a\r\nb\\u{d}c");
        assert_eq!(sanitize("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(sanitize("\u{0}"), "\\u{0}");
        let json = serde_json::to_string("a\u{1b}\u{9b}\u{202e}").unwrap();
        let safe = sanitize_json(&json);
        assert_eq!(safe, "\"a\\u001b\\u009b\\u202e\"");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{1b}\u{9b}\u{202e}"
        );
    }
}
