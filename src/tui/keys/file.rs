//! Keymap files: one section per view (`[scoring]`, `[chair]`), each listing only the actions it
//! changes; the old layout, one `[keys]` table for every view, still loads.

use std::collections::{BTreeMap, HashMap};

use super::bindings::{ViewAction, default_keys};
use super::key::Key;
use crate::tui::config::{ConfigError, Problem, did_you_mean, parse_toml};

/// What a keymap file may bind in one view: its section and its actions.
#[derive(Debug, Clone)]
pub struct Section {
    /// The section's name, e.g. `scoring`.
    pub name: &'static str,
    /// The view's actions, in table order.
    pub actions: Vec<Spec>,
}

/// One action as a keymap file sees it.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Its name in the view's section.
    pub name: &'static str,
    /// Its name in the old `[keys]` table.
    pub legacy: &'static str,
    /// The built-in keys.
    pub keys: Vec<Key>,
    /// Whether it leaves the view (and so must keep a key).
    pub quit: bool,
}

impl Section {
    /// The section of a view, from its action table.
    pub fn of<A: ViewAction>() -> Section {
        Section {
            name: A::SECTION,
            actions: A::TABLE
                .iter()
                .map(|i| Spec {
                    name: i.name,
                    legacy: i.legacy,
                    keys: default_keys(i),
                    quit: i.action == A::QUIT,
                })
                .collect(),
        }
    }
}

/// Which layout a keymap file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Nothing to bind (an empty file, or only comments).
    Empty,
    /// One section per view.
    Sections,
    /// One `[keys]` table for every view, as before the views had sections.
    Legacy,
}

/// The name of the old layout's table.
const LEGACY_TABLE: &str = "keys";

/// Every view's keys: for each section, each action's keys (built-in unless the file changed
/// them). Built by `tui::keymap`, which knows the views; each view reads its section through
/// [`super::Bindings::from_keymap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    sections: BTreeMap<&'static str, BTreeMap<&'static str, Vec<Key>>>,
}

/// How a file names an action in messages: as its section does, or as the old `[keys]` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    Section,
    Legacy,
}

impl Naming {
    fn name(self, spec: &Spec) -> &'static str {
        match self {
            Naming::Section => spec.name,
            Naming::Legacy => spec.legacy,
        }
    }

    fn path(self, section: &Section, spec: &Spec) -> String {
        match self {
            Naming::Section => format!("{}.{}", section.name, spec.name),
            Naming::Legacy => format!("{LEGACY_TABLE}.{}", spec.legacy),
        }
    }
}

/// Keys the file gives, per action (by index in its section).
type Given = BTreeMap<usize, Vec<Key>>;

impl KeyMap {
    /// The built-in keys of these sections.
    pub fn defaults(sections: &[Section]) -> KeyMap {
        let sections = sections
            .iter()
            .map(|s| {
                let keys = s.actions.iter().map(|a| (a.name, a.keys.clone())).collect();
                (s.name, keys)
            })
            .collect();
        KeyMap { sections }
    }

    /// The keys of an action of a section, if the keymap knows it.
    pub fn keys(&self, section: &str, action: &str) -> Option<&[Key]> {
        self.sections
            .get(section)
            .and_then(|s| s.get(action))
            .map(Vec::as_slice)
    }

    /// Parses keymap TOML (named `file` in errors) over these sections' built-in keys.
    ///
    /// An action the text lists gets exactly the keys given there (an empty list unbinds it);
    /// every other action keeps its built-in keys. Within a view no key may do two things.
    pub fn parse(
        text: &str,
        file: &str,
        sections: &[Section],
    ) -> Result<(KeyMap, Layout), ConfigError> {
        let table = parse_toml(text, file)?;
        let names: Vec<&str> = sections.iter().map(|s| s.name).collect();
        let listing = names
            .iter()
            .map(|n| format!("[{n}]"))
            .collect::<Vec<_>>()
            .join(" and ");
        if let Some(name) = table
            .keys()
            .find(|k| k.as_str() != LEGACY_TABLE && !names.contains(&k.as_str()))
        {
            let problem = Problem::UnknownSetting {
                hint: did_you_mean(name, names.iter().copied().chain([LEGACY_TABLE])),
                expected: format!("{listing} tables (or the old [{LEGACY_TABLE}] table)"),
            };
            return Err(ConfigError::invalid(file, name.as_str(), problem));
        }
        let mut map = KeyMap::defaults(sections);
        if let Some(keys) = table.get(LEGACY_TABLE) {
            if table.len() > 1 {
                let problem = Problem::MixedLayout { sections: listing };
                return Err(ConfigError::invalid(file, LEGACY_TABLE, problem));
            }
            let keys = section_table(keys, LEGACY_TABLE, file)?;
            let given = legacy_keys(keys, file, sections)?;
            for (section, given) in sections.iter().zip(given) {
                map.merge(section, given, file, Naming::Legacy)?;
            }
            return Ok((map, Layout::Legacy));
        }
        let mut layout = Layout::Empty;
        for section in sections {
            let Some(value) = table.get(section.name) else {
                continue;
            };
            layout = Layout::Sections;
            let keys = section_table(value, section.name, file)?;
            let given = section_keys(keys, file, section)?;
            map.merge(section, given, file, Naming::Section)?;
        }
        Ok((map, layout))
    }

    /// Sets the keys a file gives in one section and checks the section's bindings.
    fn merge(
        &mut self,
        section: &Section,
        given: Given,
        file: &str,
        naming: Naming,
    ) -> Result<(), ConfigError> {
        let keys_of = |i: usize| given.get(&i).unwrap_or(&section.actions[i].keys);
        if let Some((i, quit)) = section.actions.iter().enumerate().find(|(_, a)| a.quit)
            && keys_of(i).is_empty()
        {
            let path = naming.path(section, quit);
            return Err(ConfigError::invalid(file, path, Problem::QuitUnbound));
        }
        let mut by_key: HashMap<Key, usize> = HashMap::new();
        for i in 0..section.actions.len() {
            for &key in keys_of(i) {
                let Some(&other) = by_key.get(&key) else {
                    by_key.insert(key, i);
                    continue;
                };
                // Name the key path the user wrote; if they wrote only one of the two, the
                // other is a default they may not know about.
                let (named, other, other_is_default) = if given.contains_key(&i) {
                    (i, other, !given.contains_key(&other))
                } else {
                    (other, i, true)
                };
                let (named, other) = (&section.actions[named], &section.actions[other]);
                let advice = if other_is_default {
                    format!(
                        " (it is {0}'s default key: list {0} with other keys too, or choose another key)",
                        naming.name(other)
                    )
                } else {
                    String::new()
                };
                let problem = Problem::Conflict {
                    text: key.to_string(),
                    action: naming.name(named),
                    other: naming.name(other),
                    advice,
                };
                return Err(ConfigError::invalid(
                    file,
                    naming.path(section, named),
                    problem,
                ));
            }
        }
        let keys = self.sections.entry(section.name).or_default();
        for (i, k) in given {
            keys.insert(section.actions[i].name, k);
        }
        Ok(())
    }
}

/// A section's value, which must be a table.
fn section_table<'a>(
    value: &'a toml::Value,
    name: &str,
    file: &str,
) -> Result<&'a toml::Table, ConfigError> {
    value.as_table().ok_or_else(|| {
        let problem = Problem::WrongType {
            expected: format!("a [{name}] table").into(),
            found: value.type_str(),
        };
        ConfigError::invalid(file, name, problem)
    })
}

/// The keys a view's section gives, by action.
fn section_keys(keys: &toml::Table, file: &str, section: &Section) -> Result<Given, ConfigError> {
    let mut given = Given::new();
    for (name, value) in keys {
        let path = format!("{}.{name}", section.name);
        let Some(i) = section.actions.iter().position(|a| a.name == name) else {
            let names = section.actions.iter().map(|a| a.name);
            return Err(unknown_action(file, path, name, names));
        };
        given.insert(i, key_list(value, file, &path)?);
    }
    Ok(given)
}

/// The keys an old `[keys]` table gives, per section: each line applies to every view that has
/// an action of that name.
fn legacy_keys(
    keys: &toml::Table,
    file: &str,
    sections: &[Section],
) -> Result<Vec<Given>, ConfigError> {
    let mut given = vec![Given::new(); sections.len()];
    for (name, value) in keys {
        let path = format!("{LEGACY_TABLE}.{name}");
        let targets: Vec<(usize, usize)> = sections
            .iter()
            .enumerate()
            .filter_map(|(s, section)| {
                let i = section.actions.iter().position(|a| a.legacy == name)?;
                Some((s, i))
            })
            .collect();
        if targets.is_empty() {
            let mut names: Vec<&str> = Vec::new();
            for a in sections.iter().flat_map(|s| &s.actions) {
                if !names.contains(&a.legacy) {
                    names.push(a.legacy);
                }
            }
            return Err(unknown_action(file, path, name, names));
        }
        let list = key_list(value, file, &path)?;
        for (s, i) in targets {
            given[s].insert(i, list.clone());
        }
    }
    Ok(given)
}

fn unknown_action<'a>(
    file: &str,
    path: String,
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> ConfigError {
    let names: Vec<&str> = names.into_iter().collect();
    let problem = Problem::UnknownAction {
        name: name.to_string(),
        hint: did_you_mean(name, names.iter().copied()),
        expected: names.join(", "),
    };
    ConfigError::invalid(file, path, problem)
}

/// The keys of one binding: a list of key strings, or a single string.
fn key_list(value: &toml::Value, file: &str, path: &str) -> Result<Vec<Key>, ConfigError> {
    let strings = key_strings(value).map_err(|p| ConfigError::invalid(file, path, p))?;
    let mut keys = Vec::with_capacity(strings.len());
    for text in strings {
        let key = Key::parse(text).map_err(|e| {
            let problem = Problem::BadKey {
                text: text.to_string(),
                reason: e.to_string(),
            };
            ConfigError::invalid(file, path, problem)
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
    Ok(keys)
}

/// The key strings of one binding: a list of strings, or a single string.
fn key_strings(value: &toml::Value) -> Result<Vec<&str>, Problem> {
    let wrong = |found| Problem::WrongType {
        expected: "a list of key strings, e.g. [\"j\", \"Down\"]".into(),
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
