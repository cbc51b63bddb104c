//! The "terminal too small" gate both views share: below the smallest usable size the view is
//! replaced by a notice, and behind it nothing may change.

use crate::tui::keys::{Bindings, ViewAction};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Smallest usable terminal width.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal height.
pub const MIN_HEIGHT: u16 = 15;

/// Whether the screen is below the smallest usable size (the view is replaced by a notice).
pub fn too_small((w, h): (u16, u16)) -> bool {
    w < MIN_WIDTH || h < MIN_HEIGHT
}

/// Ctrl-C quits from anywhere, whatever the keymap says.
fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

/// Behind the "terminal too small" notice nothing may change: only quitting and resizing act.
/// Returns whether the event was taken here (the screen is too small).
pub fn while_too_small<A: ViewAction>(
    ev: &Event,
    keys: &Bindings<A>,
    size: &mut (u16, u16),
    quit: &mut bool,
) -> bool {
    if !too_small(*size) {
        return false;
    }
    match ev {
        Event::Key(k)
            if k.kind == KeyEventKind::Press
                && (keys.action(k) == Some(A::QUIT) || is_ctrl_c(k)) =>
        {
            *quit = true
        }
        Event::Resize(w, h) => *size = (*w, *h),
        _ => {}
    }
    true
}
