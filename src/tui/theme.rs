//! TEMPORARY stub until the theme module lands.
use ratatui::style::{Color, Modifier, Style};

/// Colours and attributes.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct Theme {
    pub base: Style,
    pub title: Style,
    pub status: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    pub focus: Style,
    pub label: Style,
    pub text: Style,
    pub muted: Style,
    pub key: Style,
    pub error: Style,
    pub warn: Style,
    pub ok: Style,
    pub done: Style,
    pub partial: Style,
    pub unscored: Style,
    pub recused: Style,
    pub flagged: Style,
    pub search_match: Style,
    pub band_active: Style,
    pub popup: Style,
}

impl Default for Theme {
    fn default() -> Self {
        let s = Style::default();
        Theme {
            base: s,
            title: s.add_modifier(Modifier::BOLD),
            status: s.bg(Color::DarkGray),
            border: s.fg(Color::DarkGray),
            border_focus: s.fg(Color::Cyan),
            selected: s.bg(Color::Blue).add_modifier(Modifier::BOLD),
            focus: s.add_modifier(Modifier::REVERSED),
            label: s.fg(Color::Yellow),
            text: s,
            muted: s.fg(Color::DarkGray),
            key: s.fg(Color::Cyan),
            error: s.fg(Color::Red),
            warn: s.fg(Color::Yellow),
            ok: s.fg(Color::Green),
            done: s.fg(Color::Green),
            partial: s.fg(Color::Yellow),
            unscored: s.fg(Color::DarkGray),
            recused: s.fg(Color::Magenta),
            flagged: s.fg(Color::Red),
            search_match: s.fg(Color::Yellow),
            band_active: s.add_modifier(Modifier::REVERSED),
            popup: s,
        }
    }
}

impl Theme {
    /// Stub.
    pub fn resolve(_a: Option<&str>) -> anyhow::Result<Theme> {
        Ok(Theme::default())
    }
    /// Stub.
    pub fn without_color(&self) -> Theme {
        self.clone()
    }
}
/// Stub.
pub fn no_color_requested() -> bool {
    false
}
