//! TEMPORARY stub until the keymap module lands.
use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Key bindings.
#[derive(Debug, Clone, Default)]
pub struct KeyMap;

impl KeyMap {
    /// The action for a key.
    pub fn action(&self, k: &KeyEvent) -> Option<Action> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        Some(match k.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char('d') if ctrl => Action::ScrollDown,
            KeyCode::Char('u') if ctrl => Action::ScrollUp,
            KeyCode::Char('j') | KeyCode::Down => Action::NextItem,
            KeyCode::Char('k') | KeyCode::Up => Action::PrevItem,
            KeyCode::Char('g') | KeyCode::Home => Action::FirstItem,
            KeyCode::Char('G') | KeyCode::End => Action::LastItem,
            KeyCode::Char('n') => Action::NextTodo,
            KeyCode::Char('/') => Action::Search,
            KeyCode::Char('f') => Action::CycleFilter,
            KeyCode::Tab | KeyCode::Char('l') | KeyCode::Right => Action::NextCriterion,
            KeyCode::BackTab | KeyCode::Char('h') | KeyCode::Left => Action::PrevCriterion,
            KeyCode::Enter => Action::Commit,
            KeyCode::Char('+') | KeyCode::Char('=') => Action::Increment,
            KeyCode::Char('-') => Action::Decrement,
            KeyCode::Backspace | KeyCode::Delete => Action::ClearScore,
            KeyCode::PageDown | KeyCode::Char(' ') => Action::ScrollDown,
            KeyCode::PageUp => Action::ScrollUp,
            KeyCode::Char('c') => Action::Comment,
            KeyCode::Char('x') => Action::Recuse,
            KeyCode::Char('m') => Action::Flag,
            KeyCode::Char('w') => Action::Confidence,
            KeyCode::Char('u') => Action::Undo,
            KeyCode::Char('i') => Action::Contacts,
            KeyCode::Char('v') => Action::ToggleList,
            KeyCode::Char('?') | KeyCode::F(1) => Action::Help,
            KeyCode::Esc => Action::Cancel,
            KeyCode::Char('q') => Action::Quit,
            _ => return None,
        })
    }
    /// Display keys of an action.
    pub fn keys(&self, a: Action) -> Vec<String> {
        vec![a.name().to_string()]
    }
    /// All bindings.
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL.iter().map(|a| (*a, self.keys(*a))).collect()
    }
}

impl KeyMap {
    /// Stub.
    pub fn load(_p: &std::path::Path) -> anyhow::Result<KeyMap> {
        Ok(KeyMap)
    }
}
