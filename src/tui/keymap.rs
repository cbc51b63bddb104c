//! The keymap file: one section per view, `[scoring]` and `[chair]`, each listing only the
//! actions it changes. The views' action tables are the built-in keymap; `keymap.toml` beside
//! this file is generated from them (a test keeps it in step) for users to copy lines from.
//!
//! [`KeyMap`] itself lives in [`crate::tui::keys`], below the views, so that a view can read
//! its section; it is loaded here, above them, where both tables are known.

use std::path::Path;

use super::chair::Action as ChairAction;
use super::config::{ConfigError, read_config};
pub use super::keys::{KeyMap, Layout};
use super::keys::{Section, ViewAction};
use super::scoring::Action as ScoringAction;
use crate::text::wrap;

/// The views' sections, in the order files and messages list them.
fn sections() -> [Section; 2] {
    [Section::of::<ScoringAction>(), Section::of::<ChairAction>()]
}

impl Default for KeyMap {
    /// Every view's built-in keys.
    fn default() -> KeyMap {
        KeyMap::defaults(&sections())
    }
}

impl KeyMap {
    /// Loads a user keymap file and merges it over the built-in keys; a file in the old
    /// `[keys]` layout loads too, with a one-line notice on stderr.
    pub fn load(path: &Path) -> Result<KeyMap, ConfigError> {
        let (label, text) = read_config(path)?;
        let (map, layout) = KeyMap::parse_layout(&text, &label)?;
        if layout == Layout::Legacy {
            eprintln!("{}", legacy_notice(&label));
        }
        Ok(map)
    }

    /// Parses keymap TOML (named `file` in errors) and merges it over the built-in keys.
    pub fn from_toml(text: &str, file: &str) -> Result<KeyMap, ConfigError> {
        KeyMap::parse_layout(text, file).map(|(map, _)| map)
    }

    /// Like [`KeyMap::from_toml`], also saying which layout the file uses.
    pub fn parse_layout(text: &str, file: &str) -> Result<(KeyMap, Layout), ConfigError> {
        KeyMap::parse(text, file, &sections())
    }
}

/// What `load` says about a file in the old layout.
pub fn legacy_notice(file: &str) -> String {
    format!(
        "revdesk: note: {file} uses the old [keys] layout; it still works, but [scoring] and \
         [chair] sections give each view its own keys (see the built-in keymap.toml)"
    )
}

/// The built-in keymap file's introduction.
const INTRO: &str = "\
revdesk built-in keymap, generated from the views' action tables.

To change a binding, put the action's line in your own keymap file under its view's section: \
[scoring] for the expert's scoring view (revdesk score, revdesk demo), [chair] for the chair's \
view (revdesk chair). An action you list gets exactly the keys you give, every other action \
keeps the keys below; within one view no key may do two things. A key is a single character \
(j, G, ?, /, +) or a name (Enter, Esc, Tab, BackTab, Backspace, Delete, Insert, Up, Down, \
Left, Right, Home, End, PageUp, PageDown, Space, F1-F12), optionally prefixed with Ctrl-, Alt- \
or Shift- (Shift-Tab is BackTab). Digits 0-9 and \".\" type scores and cannot be bound.";

/// The built-in keymap as a file: every view's section with every action, its keys and what
/// it does. `src/tui/keymap.toml` holds this text.
pub fn default_file() -> String {
    let mut renamed = Vec::new();
    for info in ChairAction::TABLE.iter().filter(|i| i.name != i.legacy) {
        renamed.push(format!("{} = {}", info.legacy, info.name));
    }
    let legacy = format!(
        "A file with one [keys] table, the layout before views had sections, still loads: each \
         of its lines applies to every view with an action of that name, the chair's under \
         their old names ({}).",
        renamed.join(", ")
    );
    let mut out = String::new();
    for (i, paragraph) in INTRO.split("\n\n").chain([legacy.as_str()]).enumerate() {
        if i > 0 {
            out.push_str("#\n");
        }
        for line in wrap::wrap(paragraph, 96) {
            out.push_str(&format!("# {line}\n").replace(" \n", "\n"));
        }
    }
    out.push_str(&section_text::<ScoringAction>());
    out.push_str(&section_text::<ChairAction>());
    out
}

/// One view's section of the built-in keymap file.
fn section_text<A: ViewAction>() -> String {
    let value = |keys: &[&str]| {
        let quoted: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let name_w = A::TABLE.iter().map(|i| i.name.len()).max().unwrap_or(0);
    let value_w = A::TABLE
        .iter()
        .map(|i| value(i.keys).len())
        .max()
        .unwrap_or(0);
    let mut out = format!("\n[{}]\n", A::SECTION);
    for info in A::TABLE {
        out.push_str(&format!(
            "{:name_w$} = {:value_w$} # {}\n",
            info.name,
            value(info.keys),
            info.en
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::Bindings;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
    use std::collections::HashMap;

    type S = ScoringAction;
    type C = ChairAction;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn err(text: &str) -> String {
        match KeyMap::from_toml(text, "my-keys.toml") {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn ok(text: &str) -> KeyMap {
        KeyMap::from_toml(text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn scoring(map: &KeyMap) -> Bindings<S> {
        Bindings::from_keymap(map)
    }

    fn chair(map: &KeyMap) -> Bindings<C> {
        Bindings::from_keymap(map)
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;

    #[test]
    fn the_shipped_keymap_file_is_the_tables() {
        let want = default_file();
        if std::env::var_os("REVDESK_WRITE_KEYMAP").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tui/keymap.toml");
            std::fs::write(path, &want).unwrap_or_else(|e| panic!("{path}: {e}"));
            return;
        }
        let shipped = include_str!("keymap.toml");
        assert!(
            shipped == want,
            "src/tui/keymap.toml differs from the action tables (REVDESK_WRITE_KEYMAP=1 cargo \
             test --lib keymap writes it); it should read:\n{want}"
        );
        let (map, layout) = KeyMap::parse_layout(shipped, "keymap.toml").unwrap_or_else(|e| {
            panic!("{e}");
        });
        assert_eq!((map, layout), (KeyMap::default(), Layout::Sections));
    }

    #[test]
    fn ctrl_chords_sharing_a_byte_with_named_keys_are_those_keys() {
        // A terminal sending ^H for Backspace still clears the score.
        let ctrl_h = press(KeyCode::Char('h'), CTRL);
        assert_eq!(
            Bindings::<S>::default().action(&ctrl_h),
            Some(S::ClearScore)
        );
    }

    #[test]
    fn digits_and_dot_are_reserved() {
        for c in "0123456789.".chars() {
            for (section, action) in [("keys", "flag"), ("scoring", "flag"), ("chair", "include")] {
                let text = format!("[{section}]\n{action} = [\"{c}\"]\n");
                let msg = err(&text);
                assert!(msg.contains("my-keys.toml"), "{msg}");
                assert!(msg.contains(&format!("`{section}.{action}`")), "{msg}");
                assert!(msg.contains("reserved for typing scores"), "{msg}");
            }
        }
        // Modified digits do not type scores, so they may be bound.
        assert!(KeyMap::from_toml("[keys]\nflag = [\"Alt-1\"]\n", "t.toml").is_ok());
    }

    /// Every action of a view has a key, and no key does two things in it.
    fn binds_every_action_once<A: ViewAction>(b: &Bindings<A>) {
        let mut seen = HashMap::new();
        for (info, keys) in b.rows() {
            assert!(!keys.is_empty(), "{} has no key", info.name);
            for key in keys {
                if let Some(other) = seen.insert(key.clone(), info.name) {
                    panic!("{key} bound to {other} and {}", info.name);
                }
            }
        }
    }

    #[test]
    fn default_binds_every_action_once_per_view() {
        binds_every_action_once(&Bindings::<S>::default());
        binds_every_action_once(&Bindings::<C>::default());
        let map = KeyMap::default();
        assert_eq!(scoring(&map), Bindings::default());
        assert_eq!(chair(&map), Bindings::default());
    }

    #[test]
    fn default_keys_match_the_brief() {
        let b = Bindings::<S>::default();
        assert_eq!(b.keys(S::NextItem), ["j", "Down"]);
        assert_eq!(b.keys(S::LastItem), ["G", "End"]);
        assert_eq!(b.keys(S::NextCriterion), ["Tab", "l", "Right"]);
        assert_eq!(b.keys(S::PrevCriterion), ["Shift-Tab", "h", "Left"]);
        assert_eq!(b.keys(S::ScrollDown), ["PgDn", "Ctrl-d", "Space"]);
        assert_eq!(b.keys(S::ClearScore), ["Backspace", "Del"]);
        assert_eq!(b.keys(S::Help), ["?", "F1"]);
        assert_eq!(b.keys(S::Quit), ["q", "Ctrl-c"]);
        let c = Bindings::<C>::default();
        assert_eq!(c.keys(C::JumpToCut), ["c"]);
        assert_eq!(c.keys(C::OpenDetail), ["Enter"]);
        assert_eq!(c.keys(C::NextPane), ["Tab", "l", "Right"]);
        assert_eq!(c.keys(C::PageDown), ["PgDn", "Ctrl-d", "Space"]);
    }

    #[test]
    fn rows_follow_the_table() {
        let b = Bindings::<S>::default();
        let order: Vec<S> = b.rows().into_iter().map(|(i, _)| i.action).collect();
        let table: Vec<S> = S::TABLE.iter().map(|i| i.action).collect();
        assert_eq!(order, table);
    }

    #[test]
    fn action_matches_real_events() {
        let b = Bindings::<S>::default();
        let cases = [
            (press(KeyCode::Char('j'), NONE), Some(S::NextItem)),
            (press(KeyCode::Down, NONE), Some(S::NextItem)),
            (press(KeyCode::Char('G'), NONE), Some(S::LastItem)),
            (press(KeyCode::Char('G'), SHIFT), Some(S::LastItem)),
            (press(KeyCode::Char('g'), NONE), Some(S::FirstItem)),
            (press(KeyCode::BackTab, SHIFT), Some(S::PrevCriterion)),
            (press(KeyCode::BackTab, NONE), Some(S::PrevCriterion)),
            (press(KeyCode::Tab, SHIFT), Some(S::PrevCriterion)),
            (press(KeyCode::Tab, NONE), Some(S::NextCriterion)),
            (press(KeyCode::Char('?'), SHIFT), Some(S::Help)),
            (press(KeyCode::Char('+'), SHIFT), Some(S::Increment)),
            (press(KeyCode::Char('d'), CTRL), Some(S::ScrollDown)),
            (press(KeyCode::Char(' '), NONE), Some(S::ScrollDown)),
            (press(KeyCode::Char('c'), CTRL), Some(S::Quit)),
            (press(KeyCode::Char('c'), NONE), Some(S::Comment)),
            (press(KeyCode::Esc, NONE), Some(S::Cancel)),
            (press(KeyCode::F(1), NONE), Some(S::Help)),
            (press(KeyCode::Char('5'), NONE), None),
            (press(KeyCode::Char('j'), ALT), None),
            (press(KeyCode::Char('q'), KeyModifiers::SUPER), None),
        ];
        for (event, expected) in cases {
            assert_eq!(b.action(&event), expected, "{event:?}");
        }
        let c = Bindings::<C>::default();
        assert_eq!(
            c.action(&press(KeyCode::Char('c'), NONE)),
            Some(C::JumpToCut)
        );
        assert_eq!(c.action(&press(KeyCode::Enter, NONE)), Some(C::OpenDetail));
        assert_eq!(c.action(&press(KeyCode::Char('x'), NONE)), None);
    }

    #[test]
    fn action_ignores_release_and_repeat() {
        let b = Bindings::<S>::default();
        for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
            let event = KeyEvent::new_with_kind_and_state(
                KeyCode::Char('q'),
                NONE,
                kind,
                KeyEventState::NONE,
            );
            assert_eq!(b.action(&event), None);
        }
    }

    #[test]
    fn user_file_overrides_only_listed_actions() {
        for text in [
            "[keys]\nnext_item = [\"Ctrl-n\"]\n",
            "[scoring]\nnext_item = [\"Ctrl-n\"]\n",
        ] {
            let b = scoring(&ok(text));
            assert_eq!(b.keys(S::NextItem), ["Ctrl-n"]);
            assert_eq!(b.action(&press(KeyCode::Char('j'), NONE)), None);
            assert_eq!(
                b.action(&press(KeyCode::Char('n'), CTRL)),
                Some(S::NextItem)
            );
            assert_eq!(b.keys(S::PrevItem), ["k", "Up"]);
            assert_eq!(b.keys(S::Quit), ["q", "Ctrl-c"]);
        }
    }

    #[test]
    fn freed_default_key_can_be_reused() {
        let b = scoring(&ok("[keys]\nrecuse = [\"Z\"]\nflag = [\"x\", \"m\"]\n"));
        assert_eq!(b.action(&press(KeyCode::Char('x'), NONE)), Some(S::Flag));
        assert_eq!(b.action(&press(KeyCode::Char('Z'), SHIFT)), Some(S::Recuse));
    }

    #[test]
    fn empty_and_missing_files_keep_defaults() {
        for text in ["", "# nothing\n", "[keys]\n", "[scoring]\n[chair]\n"] {
            assert_eq!(ok(text), KeyMap::default(), "{text:?}");
        }
    }

    #[test]
    fn the_layout_is_reported() {
        let layout = |text| KeyMap::parse_layout(text, "t.toml").map(|(_, l)| l).ok();
        assert_eq!(layout(""), Some(Layout::Empty));
        assert_eq!(layout("[keys]\nundo = \"U\"\n"), Some(Layout::Legacy));
        assert_eq!(layout("[chair]\n"), Some(Layout::Sections));
        let notice = legacy_notice("my-keys.toml");
        assert!(
            notice.contains("my-keys.toml uses the old [keys] layout"),
            "{notice}"
        );
        assert!(!notice.contains('\n'), "{notice}");
    }

    #[test]
    fn single_string_and_empty_list_are_accepted() {
        let b = scoring(&ok("[keys]\nundo = \"Ctrl-z\"\ncontacts = []\n"));
        assert_eq!(b.keys(S::Undo), ["Ctrl-z"]);
        assert!(b.keys(S::Contacts).is_empty());
        assert_eq!(b.action(&press(KeyCode::Char('i'), NONE)), None);
    }

    #[test]
    fn an_old_file_applies_each_line_to_every_view_by_the_old_names() {
        let map =
            ok("[keys]\ncomment = [\"Ctrl-k\"]\ncommit = [\"Enter\", \"o\"]\nflag = [\"F\"]\n");
        let (s, c) = (scoring(&map), chair(&map));
        assert_eq!(s.keys(S::Comment), ["Ctrl-k"]);
        assert_eq!(c.keys(C::JumpToCut), ["Ctrl-k"]);
        assert_eq!(s.keys(S::Commit), ["Enter", "o"]);
        assert_eq!(c.keys(C::OpenDetail), ["Enter", "o"]);
        // A scoring-only action leaves the chair as it was.
        assert_eq!(s.keys(S::Flag), ["F"]);
        let defaults = Bindings::<C>::default();
        for info in C::TABLE {
            if !matches!(info.action, C::JumpToCut | C::OpenDetail) {
                assert_eq!(
                    c.keys(info.action),
                    defaults.keys(info.action),
                    "{}",
                    info.name
                );
            }
        }
        // Every name an old file could use still loads.
        for name in [
            "next_item",
            "prev_item",
            "first_item",
            "last_item",
            "next_todo",
            "search",
            "cycle_filter",
            "next_criterion",
            "prev_criterion",
            "commit",
            "increment",
            "decrement",
            "clear_score",
            "scroll_down",
            "scroll_up",
            "comment",
            "recuse",
            "flag",
            "confidence",
            "undo",
            "submit_sheet",
            "contacts",
            "toggle_list",
            "help",
            "cancel",
            "quit",
            "cycle_method",
            "cut_down",
            "cut_up",
            "include",
            "exclude",
            "clear_override",
            "resolve_ties",
        ] {
            let text = format!("[keys]\n{name} = [\"F5\"]\n");
            assert!(KeyMap::from_toml(&text, "t.toml").is_ok(), "{name}");
        }
    }

    #[test]
    fn the_views_are_bound_apart() {
        // M switches the method in the chair and may flag in the scoring view.
        let map = ok("[scoring]\nflag = [\"M\"]\n\n[chair]\njump_to_cut = [\"m\"]\n");
        let m = press(KeyCode::Char('M'), NONE);
        assert_eq!(scoring(&map).action(&m), Some(S::Flag));
        assert_eq!(chair(&map).action(&m), Some(C::CycleMethod));
        let lower = press(KeyCode::Char('m'), NONE);
        assert_eq!(chair(&map).action(&lower), Some(C::JumpToCut));
        assert_eq!(scoring(&map).action(&lower), None);
        assert_eq!(chair(&map).keys(C::NextItem), ["j", "Down"]);
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
        let msg = err("[chair]\ninclude = [\"X\"]\n");
        assert!(
            msg.starts_with("my-keys.toml: key `chair.include`: "),
            "{msg}"
        );
        assert!(
            msg.contains("'X' is bound to both include and exclude"),
            "{msg}"
        );
        assert!(msg.contains("exclude's default key"), "{msg}");
    }

    #[test]
    fn conflict_within_the_file_names_both() {
        let msg = err("[keys]\nflag = [\"z\"]\nundo = [\"Shift-z\", \"z\"]\n");
        assert!(msg.contains("`keys.undo`"), "{msg}");
        assert!(msg.contains("'z' is bound to both undo and flag"), "{msg}");
        assert!(!msg.contains("default"), "{msg}");
        let msg = err("[chair]\ncut_up = [\"z\"]\ncut_down = [\"z\"]\n");
        assert!(msg.contains("`chair.cut_up`"), "{msg}");
        assert!(
            msg.contains("'z' is bound to both cut_up and cut_down"),
            "{msg}"
        );
    }

    #[test]
    fn an_old_file_names_the_chair_s_actions_as_it_wrote_them() {
        // Ctrl-i is Tab, the chair's next pane, which old files called next_criterion.
        let msg = err("[keys]\ninclude = [\"Ctrl-i\"]\n");
        assert!(msg.contains("`keys.include`"), "{msg}");
        assert!(
            msg.contains("'Tab' is bound to both include and next_criterion"),
            "{msg}"
        );
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
        // In a section, only that view's names count: the chair has no comment.
        let msg = err("[chair]\ncomment = [\"c\"]\n");
        assert!(
            msg.contains("`chair.comment`: unknown action 'comment'"),
            "{msg}"
        );
        assert!(msg.contains("jump_to_cut"), "{msg}");
        let msg = err("[chair]\njump_to_cutt = [\"c\"]\n");
        assert!(msg.contains("(did you mean 'jump_to_cut'?)"), "{msg}");
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
        let msg = err("scoring = 3\n");
        assert!(
            msg.contains("`scoring`: expected a [scoring] table, found integer"),
            "{msg}"
        );
        let msg = err("[key]\nundo = [\"u\"]\n");
        assert!(
            msg.contains("`key`: unknown setting (did you mean 'keys'?)"),
            "{msg}"
        );
        let msg = err("[chiar]\nundo = [\"u\"]\n");
        assert!(
            msg.contains("`chiar`: unknown setting (did you mean 'chair'?)"),
            "{msg}"
        );
        assert!(msg.contains("[scoring] and [chair] tables"), "{msg}");
    }

    #[test]
    fn old_and_new_layouts_do_not_mix() {
        let msg = err("[keys]\nundo = [\"U\"]\n\n[scoring]\nflag = [\"F\"]\n");
        assert!(
            msg.contains("`keys`: the old [keys] table cannot be mixed"),
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
        let msg = err("[chair]\nquit = []\n");
        assert!(
            msg.contains("`chair.quit`: quit needs at least one key"),
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
}
