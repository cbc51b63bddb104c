//! East Asian "ambiguous" characters (“ ” · — … → ─ │ and many more): one cell in most
//! terminals, two in many used in China (Xshell, SecureCRT, PuTTY, iTerm2 and GNOME Terminal
//! options, `xterm -cjk_width`).
//!
//! The width the terminal draws them with is the [`AmbiguousWidth`] of the thread, set for a
//! view's calls with [`with`]; [`crate::text::wrap`] measures with it. In wide mode, text made for
//! a screen carries a [`MARKER`] after each ambiguous character ([`widen`]): ratatui counts the
//! pair as two cells, as the terminal draws the character, and the terminal front-end turns the
//! marker's cell into the hidden second half of the character before anything is sent.

use std::borrow::Cow;
use std::cell::Cell;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// How many cells the terminal draws an ambiguous character with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmbiguousWidth {
    /// One cell, as Unicode recommends outside East Asian contexts (and as ratatui measures).
    #[default]
    Narrow,
    /// Two cells, as CJK-configured terminals draw them.
    Wide,
}

impl AmbiguousWidth {
    /// Parses `wide` or `narrow`.
    pub fn parse(s: &str) -> Option<AmbiguousWidth> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wide" | "2" => Some(AmbiguousWidth::Wide),
            "narrow" | "1" => Some(AmbiguousWidth::Narrow),
            _ => None,
        }
    }
}

/// Stands after an ambiguous character in wide mode: one more cell for ratatui, never sent to
/// the terminal (a private-use character; one found in the text is replaced by U+FFFD).
pub const MARKER: char = '\u{F8FF}';

thread_local! {
    static MODE: Cell<AmbiguousWidth> = const { Cell::new(AmbiguousWidth::Narrow) };
}

/// The ambiguous width the text functions of this thread measure with.
pub fn mode() -> AmbiguousWidth {
    MODE.with(Cell::get)
}

/// Runs `f` with this thread's ambiguous width set to `mode`, then puts the previous one back
/// (also when `f` panics), so sessions of different terminals may share a thread.
pub fn with<T>(mode: AmbiguousWidth, f: impl FnOnce() -> T) -> T {
    struct Restore(AmbiguousWidth);
    impl Drop for Restore {
        fn drop(&mut self) {
            MODE.with(|m| m.set(self.0));
        }
    }
    let _restore = Restore(MODE.with(|m| m.replace(mode)));
    f()
}

/// Whether the grapheme cluster `g` is one cell wide to ratatui but two in a CJK terminal.
pub fn is_ambiguous(g: &str) -> bool {
    g.width() == 1 && g.width_cjk() == 2
}

/// The width of cluster `g` in cells under `mode` (the marker is none: it belongs to the
/// character before it).
pub fn cluster_width(g: &str, mode: AmbiguousWidth) -> usize {
    if g.starts_with(MARKER) {
        return 0;
    }
    match mode {
        AmbiguousWidth::Wide if is_ambiguous(g) => 2,
        _ => g.width(),
    }
}

/// `s` without markers.
pub fn strip(s: &str) -> Cow<'_, str> {
    if s.contains(MARKER) {
        Cow::Owned(s.replace(MARKER, ""))
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` made for the screen under this thread's mode: in wide mode each ambiguous character is
/// followed by one [`MARKER`] (idempotent); in narrow mode `s` as it is.
pub fn widen(s: &str) -> Cow<'_, str> {
    if mode() == AmbiguousWidth::Narrow || s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let s = strip(s);
    if !s.graphemes(true).any(is_ambiguous) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for g in s.graphemes(true) {
        out.push_str(g);
        if is_ambiguous(g) {
            out.push(MARKER);
        }
    }
    Cow::Owned(out)
}

/// [`widen`] for a string owned already: returned as it is when nothing changes, without a
/// copy (most lines, and every line in narrow mode).
pub fn widen_owned(s: String) -> String {
    match widen(&s) {
        Cow::Borrowed(_) => {}
        Cow::Owned(wide) => return wide,
    }
    s
}

/// An ASCII stand-in for an ambiguous glyph drawn without a reserved second cell (borders,
/// symbols and text that did not go through [`widen`]): what a wide-mode screen shows instead.
pub fn ascii_for(g: &str) -> char {
    let Some(c) = g.chars().next() else {
        return ' ';
    };
    match c {
        '“' | '”' | '„' | '″' | '«' | '»' => '"',
        '‘' | '’' | '′' | '´' | '`' => '\'',
        '·' | '•' | '‧' | '∙' | '⋅' => '.',
        '—' | '–' | '―' | '‐' | '¯' => '-',
        '…' | '⋯' | '～' => '~',
        '→' | '⇒' | '▶' | '▸' | '►' | '▷' | '›' => '>',
        '←' | '⇐' | '◀' | '◂' | '◄' | '◁' | '‹' => '<',
        '↑' | '▲' | '△' | '▴' => '^',
        '↓' | '▼' | '▽' | '▾' => 'v',
        '↔' | '↕' => '=',
        '×' => 'x',
        '÷' => '/',
        '±' => '+',
        '°' | '○' | '◯' | '◦' => 'o',
        '✓' | '✔' | '√' => 'v',
        '─' | '━' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍' | '═' | '╴' | '╶' | '╸' | '╺' => {
            '-'
        }
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' | '║' | '╵' | '╷' | '╹' | '╻' => {
            '|'
        }
        '\u{2500}'..='\u{257F}' => '+',
        '\u{2580}'..='\u{259F}' | '■' | '□' | '▪' | '▫' => '#',
        '●' | '◆' | '◇' | '◎' | '★' | '☆' | '※' | '◉' | '◐' | '◑' => '*',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_characters_are_the_east_asian_ambiguous_ones() {
        for g in ["“", "”", "·", "—", "…", "→", "─", "│", "┌", "●", "°"] {
            assert!(is_ambiguous(g), "{g}");
        }
        for g in ["a", " ", "中", "，", "「", "～", "😀", "\u{301}", "~"] {
            assert!(!is_ambiguous(g), "{g}");
        }
    }

    #[test]
    fn widths_in_both_modes() {
        use AmbiguousWidth::{Narrow, Wide};
        assert_eq!(cluster_width("“", Narrow), 1);
        assert_eq!(cluster_width("“", Wide), 2);
        assert_eq!(cluster_width("中", Narrow), 2);
        assert_eq!(cluster_width("中", Wide), 2);
        assert_eq!(cluster_width("a", Wide), 1);
        assert_eq!(cluster_width(&MARKER.to_string(), Wide), 0);
    }

    #[test]
    fn the_marker_is_one_cell_to_ratatui_and_never_joins_a_cluster() {
        let m = MARKER.to_string();
        assert_eq!(m.width(), 1, "ratatui must give it a cell");
        assert!(!is_ambiguous(&format!("“{m}")));
        assert_eq!(format!("“{m}").graphemes(true).count(), 2);
        assert_eq!(format!("……{m}").graphemes(true).count(), 3);
    }

    #[test]
    fn widen_marks_each_ambiguous_character_once_and_only_in_wide_mode() {
        let s = "“量子”·ABC—中";
        assert_eq!(widen(s), s, "narrow mode leaves text as it is");
        with(AmbiguousWidth::Wide, || {
            let m = MARKER;
            let w = widen(s).into_owned();
            assert_eq!(w, format!("“{m}量子”{m}·{m}ABC—{m}中"));
            assert_eq!(widen(&w), w, "idempotent");
            // ratatui's count of the marked text is the terminal's.
            assert_eq!(w.width(), s.width_cjk());
            assert_eq!(strip(&w), s);
            assert!(matches!(widen("plain ASCII"), Cow::Borrowed(_)));
        });
        assert_eq!(mode(), AmbiguousWidth::Narrow, "restored after");
    }

    #[test]
    fn the_mode_is_restored_after_a_panic() {
        let r = std::panic::catch_unwind(|| with(AmbiguousWidth::Wide, || panic!("view")));
        assert!(r.is_err());
        assert_eq!(mode(), AmbiguousWidth::Narrow);
    }

    #[test]
    fn ascii_stand_ins_are_one_cell_everywhere() {
        for g in ["“", "─", "│", "┼", "╭", "▌", "●", "→", "…"] {
            let c = ascii_for(g);
            assert!(c.is_ascii_graphic(), "{g} -> {c}");
        }
        assert_eq!(ascii_for("─"), '-');
        assert_eq!(ascii_for("│"), '|');
        assert_eq!(ascii_for("┌"), '+');
    }

    #[test]
    fn parse_accepts_the_two_words() {
        assert_eq!(AmbiguousWidth::parse("Wide"), Some(AmbiguousWidth::Wide));
        assert_eq!(
            AmbiguousWidth::parse("narrow"),
            Some(AmbiguousWidth::Narrow)
        );
        assert_eq!(AmbiguousWidth::parse("auto"), None);
    }
}
