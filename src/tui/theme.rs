//! Colour themes: a named [`Style`] for every part of the screen.
//!
//! Built-in themes live in `themes/*.toml` at the crate root. A user theme
//! file lists only the styles it changes and is merged over a built-in
//! (`default` unless it says `extends = "…"`). [`Theme::without_color`]
//! serves `NO_COLOR`, keeping selection and focus visible by attributes alone.

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use super::config::{ConfigError, Problem, did_you_mean, parse_toml, read_config};
use super::term::probe_bg::Background;

/// The built-in themes: name and embedded file.
const BUILTINS: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// The built-in theme names, in the order `--help` lists them.
const BUILTIN_NAMES: [&str; 4] = ["default", "light", "high-contrast", "mono"];

/// Settings a theme file may contain at top level.
const FILE_SETTINGS: [&str; 3] = ["name", "extends", "styles"];

/// Attributes a style entry may set.
const ATTRIBUTES: [&str; 7] = ["fg", "bg", "bold", "italic", "underline", "reversed", "dim"];

/// Colour words for "did you mean" hints.
const COLOR_WORDS: [&str; 18] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
    "reset",
    "none",
];

/// Declares [`Theme`] and the name-based accessors from one list of styles,
/// so a style added here is at once readable from files.
macro_rules! theme_styles {
    ($($(#[doc = $doc:literal])+ $field:ident,)+) => {
        /// Named styles for every part of the screen, plus the theme's name.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            /// The theme's name: a built-in name, or the file's `name` or stem.
            pub name: String,
            $($(#[doc = $doc])+ pub $field: Style,)+
        }

        impl Theme {
            /// Every style name, as written in theme files.
            pub const STYLE_NAMES: &'static [&'static str] = &[$(stringify!($field)),+];

            /// A theme whose styles are all empty; built-in files fill it in.
            fn blank(name: &str) -> Theme {
                Theme {
                    name: name.to_string(),
                    $($field: Style::new(),)+
                }
            }

            /// The style a theme file calls `name`.
            fn style_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($field) => Some(&mut self.$field),)+
                    _ => None,
                }
            }

            /// Every style with its file name, in declaration order.
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($field), self.$field)),+]
            }

            /// Combines each style of `self` with the same style of `other`.
            fn zip_styles(&self, other: &Theme, f: impl Fn(Style, Style) -> Style) -> Theme {
                Theme {
                    name: self.name.clone(),
                    $($field: f(self.$field, other.$field),)+
                }
            }
        }
    };
}

theme_styles! {
    /// The whole screen's background and foreground.
    base,
    /// The top bar.
    title,
    /// The bottom status bar.
    status,
    /// Pane borders.
    border,
    /// The border of the focused pane.
    border_focus,
    /// The selected row of the nomination list.
    selected,
    /// The focused criterion, or the focused element of a pane.
    focus,
    /// Field labels in the reading pane.
    label,
    /// Body text.
    text,
    /// Secondary text.
    muted,
    /// Key names in hints and help.
    key,
    /// Error messages.
    error,
    /// Warnings.
    warn,
    /// The "saved" indicator and other confirmations.
    ok,
    /// A fully scored nomination.
    done,
    /// A partly scored nomination.
    partial,
    /// A nomination with no score yet.
    unscored,
    /// A nomination the expert recused from.
    recused,
    /// A nomination flagged for discussion.
    flagged,
    /// Search hits.
    search_match,
    /// The rubric band matching the current score.
    band_active,
    /// A popup's body.
    popup,
}

impl Default for Theme {
    /// The built-in `default` theme.
    fn default() -> Theme {
        // Why: the tests load every built-in, so the fallback never shows;
        // a plain screen is still usable if it somehow did.
        Theme::builtin("default").unwrap_or_else(|| Theme::blank("default"))
    }
}

impl Theme {
    /// A built-in theme by name (case and `_`/`-` insensitive), or None.
    pub fn builtin(name: &str) -> Option<Theme> {
        let wanted = name.to_ascii_lowercase().replace('_', "-");
        let (name, text) = BUILTINS.iter().find(|(n, _)| *n == wanted)?;
        // Why: `.ok()` is safe because the tests load every built-in; built-ins
        // say `extends = "none"`, so this never recurses.
        parse_theme(text, &format!("built-in theme {name}.toml")).ok()
    }

    /// The built-in theme names.
    pub fn names() -> &'static [&'static str] {
        &BUILTIN_NAMES
    }

    /// Loads a theme file and merges it over the built-in it extends.
    pub fn load(path: &Path) -> Result<Theme, ConfigError> {
        let (label, text) = read_config(path)?;
        Theme::from_toml(&text, &label)
    }

    /// Parses theme TOML (named `file` in errors) and merges it over the built-in it extends.
    pub fn from_toml(text: &str, file: &str) -> Result<Theme, ConfigError> {
        parse_theme(text, file)
    }

    /// The theme a `--theme` argument names: a built-in, or else a file path; None gives `default`.
    pub fn resolve(arg: Option<&str>) -> Result<Theme, ConfigError> {
        let Some(arg) = arg else {
            return Ok(Theme::default());
        };
        if let Some(theme) = Theme::builtin(arg) {
            return Ok(theme);
        }
        let path = Path::new(arg);
        // Why: something that looks like a path should report the file
        // problem (not found, unreadable), not "unknown theme".
        if path.exists() || arg.contains(['/', '\\']) || arg.ends_with(".toml") {
            return Theme::load(path);
        }
        Err(ConfigError::UnknownTheme {
            name: arg.to_string(),
            hint: did_you_mean(arg, BUILTIN_NAMES),
            expected: BUILTIN_NAMES.join(", "),
        })
    }

    /// The theme when none is named, for the terminal's background: `light` on a light one,
    /// `default` on a dark one or when it could not be told.
    pub fn for_background(background: Option<Background>) -> Theme {
        match background {
            Some(Background::Light) => Theme::builtin("light").unwrap_or_default(),
            Some(Background::Dark) | None => Theme::default(),
        }
    }

    /// The theme to use: the one `arg` names (`--theme`) if any, else the one for the
    /// background `detect` finds; `detect` runs only when no theme is named.
    pub fn choose(
        arg: Option<&str>,
        detect: impl FnOnce() -> Option<Background>,
    ) -> Result<Theme, ConfigError> {
        match arg {
            Some(arg) => Theme::resolve(Some(arg)),
            None => Ok(Theme::for_background(detect())),
        }
    }

    /// This theme for `NO_COLOR`: no colours, with `mono`'s emphasis added.
    ///
    /// Every fg/bg is dropped; each style keeps its own attributes and gains
    /// the ones `mono` gives it, so the selection, focus, bars, active band
    /// and search hits stay visible through REVERSED/BOLD/UNDERLINED alone.
    pub fn without_color(&self) -> Theme {
        let mono = Theme::builtin("mono").unwrap_or_else(|| Theme::blank("mono"));
        // Why: rebuilding from Style::new() also drops the underline colour
        // and any sub-modifiers, which only made sense next to the colours.
        self.zip_styles(&mono, |own, emphasis| {
            Style::new().add_modifier(own.add_modifier | emphasis.add_modifier)
        })
    }
}

/// True when the `NO_COLOR` environment variable is set and not empty (no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Parses a theme file over the built-in it extends.
fn parse_theme(text: &str, file: &str) -> Result<Theme, ConfigError> {
    let table = parse_toml(text, file)?;
    if let Some(name) = table.keys().find(|k| !FILE_SETTINGS.contains(&k.as_str())) {
        let problem = Problem::UnknownSetting {
            hint: did_you_mean(name, FILE_SETTINGS),
            expected: "name, extends or a [styles] table".to_string(),
        };
        return Err(ConfigError::invalid(file, name.as_str(), problem));
    }

    let mut theme = extended_theme(table.get("extends"), file)?;
    theme.name = match table.get("name") {
        Some(toml::Value::String(name)) => name.clone(),
        Some(other) => {
            let problem = Problem::WrongType {
                expected: "a string".into(),
                found: other.type_str(),
            };
            return Err(ConfigError::invalid(file, "name", problem));
        }
        None => Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned()),
    };

    let Some(styles) = table.get("styles") else {
        return Ok(theme);
    };
    let Some(styles) = styles.as_table() else {
        let problem = Problem::WrongType {
            expected: "a [styles] table".into(),
            found: styles.type_str(),
        };
        return Err(ConfigError::invalid(file, "styles", problem));
    };
    for (name, value) in styles {
        let path = format!("styles.{name}");
        let Some(style) = theme.style_mut(name) else {
            let problem = Problem::UnknownStyle {
                name: name.clone(),
                hint: did_you_mean(name, Theme::STYLE_NAMES.iter().copied()),
                expected: Theme::STYLE_NAMES.join(", "),
            };
            return Err(ConfigError::invalid(file, path, problem));
        };
        apply_style(style, value, file, &path)?;
    }
    Ok(theme)
}

/// The theme a file starts from: the built-in its `extends` names
/// (`none` for all-plain styles), or `default`.
fn extended_theme(extends: Option<&toml::Value>, file: &str) -> Result<Theme, ConfigError> {
    let name = match extends {
        None => return Ok(Theme::default()),
        Some(toml::Value::String(name)) => name,
        Some(other) => {
            let problem = Problem::WrongType {
                expected: "a built-in theme name".into(),
                found: other.type_str(),
            };
            return Err(ConfigError::invalid(file, "extends", problem));
        }
    };
    if name.eq_ignore_ascii_case("none") {
        return Ok(Theme::blank("none"));
    }
    Theme::builtin(name).ok_or_else(|| {
        let candidates = BUILTIN_NAMES.into_iter().chain(["none"]);
        let problem = Problem::UnknownBuiltin {
            name: name.clone(),
            hint: did_you_mean(name, candidates.clone()),
            expected: candidates.collect::<Vec<_>>().join(", "),
        };
        ConfigError::invalid(file, "extends", problem)
    })
}

/// Applies one `[styles]` entry: the attributes it gives replace the style's.
fn apply_style(
    style: &mut Style,
    value: &toml::Value,
    file: &str,
    path: &str,
) -> Result<(), ConfigError> {
    let Some(entries) = value.as_table() else {
        let problem = Problem::WrongType {
            expected: "an inline table such as { fg = \"red\", bold = true }".into(),
            found: value.type_str(),
        };
        return Err(ConfigError::invalid(file, path, problem));
    };
    for (attribute, value) in entries {
        let path = format!("{path}.{attribute}");
        let invalid = |problem| ConfigError::invalid(file, &path, problem);
        match attribute.as_str() {
            "fg" => style.fg = parse_color(value).map_err(invalid)?,
            "bg" => style.bg = parse_color(value).map_err(invalid)?,
            name => {
                let Some(modifier) = modifier_named(name) else {
                    let problem = Problem::UnknownAttribute {
                        name: name.to_string(),
                        hint: did_you_mean(name, ATTRIBUTES),
                    };
                    return Err(invalid(problem));
                };
                let Some(on) = value.as_bool() else {
                    let problem = Problem::WrongType {
                        expected: "true or false".into(),
                        found: value.type_str(),
                    };
                    return Err(invalid(problem));
                };
                if on {
                    style.add_modifier.insert(modifier);
                    style.sub_modifier.remove(modifier);
                } else {
                    // Why: `false` means "not from this theme", not "strip it
                    // from whatever is underneath", so patching stays simple.
                    style.add_modifier.remove(modifier);
                }
            }
        }
    }
    Ok(())
}

/// The modifier a boolean style attribute sets.
fn modifier_named(name: &str) -> Option<Modifier> {
    match name {
        "bold" => Some(Modifier::BOLD),
        "italic" => Some(Modifier::ITALIC),
        "underline" => Some(Modifier::UNDERLINED),
        "reversed" => Some(Modifier::REVERSED),
        "dim" => Some(Modifier::DIM),
        _ => None,
    }
}

/// Parses a colour value; `none` means "inherit" (no colour set).
fn parse_color(value: &toml::Value) -> Result<Option<Color>, Problem> {
    match value {
        toml::Value::String(s) if s.trim().eq_ignore_ascii_case("none") => Ok(None),
        toml::Value::String(s) => {
            Color::from_str(s.trim())
                .map(Some)
                .map_err(|_| Problem::BadColor {
                    value: s.clone(),
                    hint: did_you_mean(s, COLOR_WORDS),
                })
        }
        toml::Value::Integer(n) => {
            u8::try_from(*n)
                .map(|n| Some(Color::Indexed(n)))
                .map_err(|_| Problem::BadColor {
                    value: n.to_string(),
                    hint: String::new(),
                })
        }
        other => Err(Problem::WrongType {
            expected: "a colour string such as \"red\", \"208\" or \"#1e90ff\"".into(),
            found: other.type_str(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(name: &str) -> Theme {
        Theme::builtin(name).unwrap_or_else(|| panic!("built-in {name} does not load"))
    }

    fn err(text: &str) -> String {
        match Theme::from_toml(text, "my-theme.toml") {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn ok(text: &str) -> Theme {
        Theme::from_toml(text, "my-theme.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn colors(theme: &Theme) -> Vec<(&'static str, Color)> {
        theme
            .styles()
            .into_iter()
            .flat_map(|(name, s)| [s.fg, s.bg].into_iter().flatten().map(move |c| (name, c)))
            .collect()
    }

    fn emphasised(style: Style) -> bool {
        style
            .add_modifier
            .intersects(Modifier::REVERSED | Modifier::BOLD)
    }

    #[test]
    fn a_copied_builtin_file_loads_as_that_builtin() {
        for (name, text) in BUILTINS {
            assert_eq!(ok(text), builtin(name), "{name}");
        }
    }

    #[test]
    fn extends_none_starts_from_plain_styles() {
        let theme = ok("extends = \"none\"\n[styles]\nkey = { bold = true }\n");
        assert_eq!(theme.selected, Style::new());
        assert_eq!(theme.key, Style::new().add_modifier(Modifier::BOLD));
    }

    #[test]
    fn every_builtin_parses_with_its_name() {
        assert_eq!(Theme::names(), BUILTIN_NAMES);
        for name in Theme::names() {
            assert_eq!(builtin(name).name, *name);
        }
        assert_eq!(Theme::default(), builtin("default"));
        assert_eq!(builtin("High_Contrast"), builtin("high-contrast"));
        assert!(Theme::builtin("solarized").is_none());
    }

    #[test]
    fn every_builtin_file_lists_every_style() {
        // Built-ins start from a blank theme, so a missing style would be plain.
        for (name, text) in BUILTINS {
            let table = parse_toml(text, name).unwrap_or_else(|e| panic!("{e}"));
            let styles = table.get("styles").and_then(toml::Value::as_table);
            let styles = styles.unwrap_or_else(|| panic!("{name}: no [styles]"));
            for style in Theme::STYLE_NAMES {
                assert!(styles.contains_key(*style), "{name} lacks {style}");
            }
        }
    }

    #[test]
    fn colour_builtins_use_only_the_16_ansi_colours() {
        for name in ["default", "light", "high-contrast"] {
            for (style, color) in colors(&builtin(name)) {
                assert!(
                    !matches!(color, Color::Rgb(..) | Color::Indexed(_)),
                    "{name}.{style} uses {color:?}"
                );
            }
        }
    }

    #[test]
    fn high_contrast_uses_black_white_yellow_only() {
        for (style, color) in colors(&builtin("high-contrast")) {
            assert!(
                matches!(
                    color,
                    Color::Black | Color::White | Color::Gray | Color::Yellow
                ),
                "high-contrast.{style} uses {color:?}"
            );
        }
    }

    #[test]
    fn default_keeps_the_terminal_palette_for_base_text() {
        let theme = builtin("default");
        assert_eq!(theme.base, Style::new());
        assert_eq!(theme.text, Style::new());
    }

    #[test]
    fn selection_and_focus_differ_from_plain_text_everywhere() {
        for name in Theme::names() {
            let theme = builtin(name);
            assert_ne!(theme.selected, theme.text, "{name}");
            assert_ne!(theme.focus, theme.text, "{name}");
            assert_ne!(theme.border_focus, theme.border, "{name}");
            assert_ne!(theme.muted, Style::new(), "{name}: muted looks like text");
        }
    }

    #[test]
    fn mono_has_no_colour_and_emphasises_selection() {
        let mono = builtin("mono");
        assert!(colors(&mono).is_empty(), "{:?}", colors(&mono));
        assert!(emphasised(mono.selected));
        assert!(emphasised(mono.focus));
        assert!(mono.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn without_color_drops_colours_and_keeps_emphasis() {
        for name in Theme::names() {
            let plain = builtin(name).without_color();
            assert_eq!(plain.name, *name);
            assert!(colors(&plain).is_empty(), "{name}: {:?}", colors(&plain));
            for (style, s) in plain.styles() {
                assert_eq!(
                    s,
                    Style::new().add_modifier(s.add_modifier),
                    "{name}.{style}"
                );
            }
            for style in [
                plain.selected,
                plain.focus,
                plain.band_active,
                plain.search_match,
                plain.status,
                plain.title,
            ] {
                assert!(emphasised(style), "{name}: {style:?}");
            }
        }
    }

    #[test]
    fn without_color_keeps_a_themes_own_attributes() {
        let theme = ok("[styles]\nlabel = { fg = \"red\", italic = true }\n");
        let plain = theme.without_color();
        assert!(plain.label.add_modifier.contains(Modifier::ITALIC));
        assert_eq!(plain.label.fg, None);
    }

    #[test]
    fn user_file_merges_over_default() {
        let theme = ok("[styles]\nselected = { fg = \"red\" }\n");
        let default = builtin("default");
        assert_eq!(theme.name, "my-theme");
        assert_eq!(theme.selected.fg, Some(Color::Red));
        assert_eq!(theme.selected.bg, default.selected.bg);
        assert_eq!(theme.focus, default.focus);
        assert_eq!(theme.title, default.title);
    }

    #[test]
    fn attributes_given_replace_the_defaults() {
        let theme = ok("[styles]\ntitle = { bold = false, underline = true, bg = \"none\" }\n");
        let default = builtin("default");
        assert!(!theme.title.add_modifier.contains(Modifier::BOLD));
        assert!(theme.title.add_modifier.contains(Modifier::UNDERLINED));
        assert_eq!(theme.title.bg, None);
        assert_eq!(theme.title.fg, default.title.fg);
    }

    #[test]
    fn extends_picks_the_base_theme() {
        let theme = ok("name = \"mine\"\nextends = \"light\"\n[styles]\nkey = { fg = 208 }\n");
        let light = builtin("light");
        assert_eq!(theme.name, "mine");
        assert_eq!(theme.key.fg, Some(Color::Indexed(208)));
        assert_eq!(theme.selected, light.selected);
    }

    #[test]
    fn colour_forms() {
        let text = "[styles]\n\
            text = { fg = \"lightblue\", bg = \"#1e90ff\" }\n\
            muted = { fg = \"240\", bg = \"reset\" }\n\
            label = { fg = \"Light Red\", bg = \"grey\" }\n";
        let theme = ok(text);
        assert_eq!(theme.text.fg, Some(Color::LightBlue));
        assert_eq!(theme.text.bg, Some(Color::Rgb(0x1e, 0x90, 0xff)));
        assert_eq!(theme.muted.fg, Some(Color::Indexed(240)));
        assert_eq!(theme.muted.bg, Some(Color::Reset));
        assert_eq!(theme.label.fg, Some(Color::LightRed));
        assert_eq!(theme.label.bg, Some(Color::Gray));
    }

    #[test]
    fn errors_name_file_and_key() {
        let cases = [
            (
                "[styles]\nselectd = { fg = \"red\" }\n",
                "my-theme.toml: key `styles.selectd`: unknown style 'selectd' (did you mean 'selected'?)",
            ),
            (
                "[styles]\nselected = { fg = \"purpel\" }\n",
                "my-theme.toml: key `styles.selected.fg`: 'purpel' is not a colour",
            ),
            (
                "[styles]\nselected = { bg = \"magneta\" }\n",
                "(did you mean 'magenta'?)",
            ),
            (
                "[styles]\nselected = { fg = 300 }\n",
                "`styles.selected.fg`: '300' is not a colour",
            ),
            (
                "[styles]\nselected = { fg = \"#12345\" }\n",
                "'#12345' is not a colour",
            ),
            (
                "[styles]\nselected = { bold = \"yes\" }\n",
                "`styles.selected.bold`: expected true or false, found string",
            ),
            (
                "[styles]\nselected = { fg = true }\n",
                "`styles.selected.fg`: expected a colour",
            ),
            (
                "[styles]\nselected = { colour = \"red\" }\n",
                "`styles.selected.colour`: unknown attribute 'colour'",
            ),
            (
                "[styles]\nselected = \"red\"\n",
                "`styles.selected`: expected an inline table",
            ),
            (
                "styles = 1\n",
                "`styles`: expected a [styles] table, found integer",
            ),
            ("name = 1\n", "`name`: expected a string, found integer"),
            (
                "extends = \"ligth\"\n",
                "`extends`: unknown built-in theme 'ligth' (did you mean 'light'?)",
            ),
            (
                "[style]\n",
                "`style`: unknown setting (did you mean 'styles'?)",
            ),
            ("[styles\n", "my-theme.toml: invalid TOML at line 1"),
        ];
        for (text, expected) in cases {
            let msg = err(text);
            assert!(msg.contains(expected), "{msg}\n  lacks: {expected}");
            assert!(msg.starts_with("my-theme.toml: "), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn a_named_theme_wins_over_the_background() {
        let light = Some(Background::Light);
        let chosen = |arg, bg| Theme::choose(arg, || bg).map(|t| t.name).ok();
        assert_eq!(chosen(None, light), Some("light".to_string()));
        assert_eq!(chosen(None, Some(Background::Dark)), Some("default".into()));
        assert_eq!(chosen(None, None), Some("default".into()));
        assert_eq!(chosen(Some("default"), light), Some("default".into()));
        assert_eq!(chosen(Some("mono"), light), Some("mono".into()));
        let probed = std::cell::Cell::new(false);
        let _ = Theme::choose(Some("high-contrast"), || {
            probed.set(true);
            None
        });
        assert!(!probed.get(), "a named theme needs no probe");
    }

    #[test]
    fn resolve_finds_builtins_files_and_reports_the_rest() {
        assert_eq!(Theme::resolve(None).ok(), Some(builtin("default")));
        assert_eq!(Theme::resolve(Some("mono")).ok(), Some(builtin("mono")));
        let msg = Theme::resolve(Some("ligth")).err().map(|e| e.to_string());
        let msg = msg.unwrap_or_default();
        assert!(
            msg.starts_with("unknown theme 'ligth' (did you mean 'light'?)"),
            "{msg}"
        );
        let msg = Theme::resolve(Some("/nonexistent/x.toml"))
            .err()
            .map(|e| e.to_string());
        let msg = msg.unwrap_or_default();
        assert!(msg.starts_with("/nonexistent/x.toml: cannot read"), "{msg}");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/light.toml");
        let from_file = Theme::resolve(Some(path)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_file, builtin("light"));
    }
}
