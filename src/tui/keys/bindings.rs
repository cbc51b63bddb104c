//! A view's actions and the keys bound to them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::hash::Hash;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::file::KeyMap;
use super::key::Key;
use crate::text::i18n::Lang;

/// One row of a view's action table: everything said anywhere about one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo<A: 'static> {
    /// The action.
    pub action: A,
    /// Its name in the view's section of a keymap file.
    pub name: &'static str,
    /// Its name in the old one-table (`[keys]`) keymap files, shared across views.
    pub legacy: &'static str,
    /// The built-in keys, in the order hints and help show them.
    pub keys: &'static [&'static str],
    /// What it does, in Chinese, for the help overlay.
    pub zh: &'static str,
    /// What it does, in English, for the help overlay and the built-in keymap file.
    pub en: &'static str,
}

impl<A> ActionInfo<A> {
    /// What the action does, in a language.
    pub fn help(&self, lang: Lang) -> &'static str {
        if lang.en() { self.en } else { self.zh }
    }
}

/// A status-bar hint: the first keys of some actions (`j/k`), then a short label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint<A: 'static> {
    /// The actions whose first keys the hint shows, joined by `/`.
    pub actions: &'static [A],
    /// A key an editor reads itself, outside the keymap (Esc, Enter), when `actions` is empty.
    pub fixed: &'static str,
    /// The label in Chinese.
    pub zh: &'static str,
    /// The label in English.
    pub en: &'static str,
}

impl<A> Hint<A> {
    /// A hint for these actions.
    pub const fn new(actions: &'static [A], zh: &'static str, en: &'static str) -> Self {
        Hint {
            actions,
            fixed: "",
            zh,
            en,
        }
    }

    /// A hint for a key a text editor or prompt reads itself (not rebindable).
    pub const fn fixed(key: &'static str, zh: &'static str, en: &'static str) -> Self {
        Hint {
            actions: &[],
            fixed: key,
            zh,
            en,
        }
    }

    /// The label in a language.
    pub fn label(&self, lang: Lang) -> &'static str {
        if lang.en() { self.en } else { self.zh }
    }
}

/// The actions of one view: its keymap section and its table.
pub trait ViewAction: Copy + Eq + Ord + Hash + Debug + 'static {
    /// The view's section in keymap files.
    const SECTION: &'static str;
    /// Every action, in the order the help overlay lists them.
    const TABLE: &'static [ActionInfo<Self>];
    /// The action that leaves the view: it must keep a key.
    const QUIT: Self;
}

/// Makes a view's action enum a [`ViewAction`] with its table; tests check the table (every
/// action once, in declaration order) and each context's hints.
macro_rules! view_actions {
    ($action:ident, $section:literal, $table:ident, [$($hints:ident),+ $(,)?]) => {
        impl $crate::tui::keys::ViewAction for $action {
            const SECTION: &'static str = $section;
            const TABLE: &'static [$crate::tui::keys::ActionInfo<$action>] = $table;
            const QUIT: $action = $action::Quit;
        }

        #[cfg(test)]
        mod table_tests {
            #[test]
            fn the_table_lists_every_action_once_in_declaration_order() {
                $crate::tui::keys::check_table::<super::$action>();
            }

            #[test]
            fn hints_say_the_same_in_both_languages() {
                $($crate::tui::keys::check_hints(super::$hints);)+
            }
        }
    };
}
pub(crate) use view_actions;

/// The keys bound to each action of a view, and the reverse lookup used on key presses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bindings<A: ViewAction> {
    by_action: BTreeMap<A, Vec<Key>>,
    by_key: HashMap<Key, A>,
}

impl<A: ViewAction> Default for Bindings<A> {
    /// The built-in keys of the view's table.
    fn default() -> Self {
        Self::from_keys(|info| default_keys(info))
    }
}

/// The built-in keys of one action, parsed (the table's strings parse: tested).
pub(super) fn default_keys<A>(info: &ActionInfo<A>) -> Vec<Key> {
    info.keys
        .iter()
        .filter_map(|k| Key::parse(k).ok())
        .collect()
}

impl<A: ViewAction> Bindings<A> {
    /// The view's keys in a keymap: its section, the table's keys for what the section lacks.
    pub fn from_keymap(map: &KeyMap) -> Self {
        Self::from_keys(|info| {
            map.keys(A::SECTION, info.name)
                .map(<[Key]>::to_vec)
                .unwrap_or_else(|| default_keys(info))
        })
    }

    fn from_keys(keys_of: impl Fn(&ActionInfo<A>) -> Vec<Key>) -> Self {
        let mut by_action = BTreeMap::new();
        let mut by_key = HashMap::new();
        for info in A::TABLE {
            let keys = keys_of(info);
            for &k in &keys {
                // A keymap is checked for conflicts when loaded: the first action keeps a key.
                by_key.entry(k).or_insert(info.action);
            }
            by_action.insert(info.action, keys);
        }
        Bindings { by_action, by_key }
    }

    /// The action bound to a key press; releases and repeats give None.
    pub fn action(&self, key: &KeyEvent) -> Option<A> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        Key::from_event(key).and_then(|k| self.by_key.get(&k).copied())
    }

    /// The key presses a terminal event stands for (see [`Bindings::expand`]); None when it
    /// is no key press.
    pub fn presses(&self, ev: &Event) -> Option<Vec<KeyEvent>> {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => Some(self.expand(*k)),
            _ => None,
        }
    }

    /// The keys an event stands for: Alt+key is usually Esc then key arriving in one burst
    /// (a fast typist, or a slow SSH link delivering both at once), which terminals cannot
    /// tell apart. Unless the view binds that Alt key, it is taken as the two keys.
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
    pub fn first_key(&self, action: A) -> String {
        self.keys(action).into_iter().next().unwrap_or_default()
    }

    /// Display names of the keys bound to an action, e.g. `["PgDn", "Ctrl-d", "Space"]`.
    pub fn keys(&self, action: A) -> Vec<String> {
        self.by_action
            .get(&action)
            .map(|keys| keys.iter().map(Key::to_string).collect())
            .unwrap_or_default()
    }

    /// A hint's keys as the status bar shows them, e.g. `j/k` ("" for an unbound action).
    pub fn hint_keys(&self, hint: &Hint<A>) -> String {
        if hint.actions.is_empty() {
            return hint.fixed.to_string();
        }
        let keys: Vec<String> = hint.actions.iter().map(|&a| self.first_key(a)).collect();
        keys.join("/")
    }

    /// Every action's table row with its keys' display names, in table order, for help.
    pub fn rows(&self) -> Vec<(&'static ActionInfo<A>, Vec<String>)> {
        A::TABLE.iter().map(|i| (i, self.keys(i.action))).collect()
    }
}

/// Checks a view's table: every action once, in declaration order, with distinct names, keys
/// that parse, help in both languages with the same placeholders.
#[cfg(test)]
pub(crate) fn check_table<A: ViewAction + strum::IntoEnumIterator>() {
    use crate::text::i18n::placeholders;
    let all: Vec<A> = A::iter().collect();
    let listed: Vec<A> = A::TABLE.iter().map(|i| i.action).collect();
    assert_eq!(
        listed,
        all,
        "{}: the table lists every action in order",
        A::SECTION
    );
    for info in A::TABLE {
        assert!(!info.zh.is_empty() && !info.en.is_empty(), "{}", info.name);
        assert_eq!(
            placeholders(info.zh),
            placeholders(info.en),
            "{}",
            info.name
        );
        for k in info.keys {
            assert!(Key::parse(k).is_ok(), "{}: {k}", info.name);
        }
        let same =
            |f: fn(&ActionInfo<A>) -> &str| A::TABLE.iter().filter(|o| f(o) == f(info)).count();
        assert_eq!(same(|i| i.name), 1, "{} named twice", info.name);
        assert_eq!(same(|i| i.legacy), 1, "{} named twice", info.legacy);
    }
}

/// Checks a view's status-bar hints: labels in both languages, with the same placeholders.
#[cfg(test)]
pub(crate) fn check_hints<A>(hints: &[Hint<A>]) {
    use crate::text::i18n::placeholders;
    for h in hints {
        // Either actions (keys from the keymap) or one fixed key, never both or neither.
        assert!(h.actions.is_empty() != h.fixed.is_empty(), "{}", h.en);
        assert!(!h.zh.is_empty() && !h.en.is_empty());
        assert_eq!(placeholders(h.zh), placeholders(h.en), "{}", h.en);
    }
}
