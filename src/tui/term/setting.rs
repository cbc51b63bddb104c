//! The ambiguous-width setting: `terminal.toml` in the configuration directory, e.g.
//! `ambiguous_width = "wide"`, which `--ambiguous-width` overrides.

use crate::text::ambiguous::AmbiguousWidth;
use crate::tui::config::{ConfigError, Problem, did_you_mean, parse_toml, read_config};
use std::path::Path;

/// The file's name in the configuration directory.
pub const FILE_NAME: &str = "terminal.toml";

const SETTINGS: [&str; 1] = ["ambiguous_width"];

/// Parses `auto`, `wide` or `narrow`: `Ok(None)` is auto (ask the terminal).
pub fn parse_choice(s: &str) -> Result<Option<AmbiguousWidth>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(None),
        other => AmbiguousWidth::parse(other)
            .map(Some)
            .ok_or_else(|| format!("'{s}': expected auto, wide or narrow")),
    }
}

/// Reads the setting from a `terminal.toml`: `None` when it says auto or nothing.
pub fn load(path: &Path) -> Result<Option<AmbiguousWidth>, ConfigError> {
    let (file, text) = read_config(path)?;
    parse(&text, &file)
}

/// Parses the text of a `terminal.toml` named `file`.
pub fn parse(text: &str, file: &str) -> Result<Option<AmbiguousWidth>, ConfigError> {
    let table = parse_toml(text, file)?;
    if let Some(name) = table.keys().find(|k| !SETTINGS.contains(&k.as_str())) {
        let problem = Problem::UnknownSetting {
            hint: did_you_mean(name, SETTINGS),
            expected: SETTINGS.join(", "),
        };
        return Err(ConfigError::invalid(file, name.as_str(), problem));
    }
    let wrong = |found| {
        let problem = Problem::WrongType {
            expected: "\"auto\", \"wide\" or \"narrow\"".into(),
            found,
        };
        ConfigError::invalid(file, "ambiguous_width", problem)
    };
    match table.get("ambiguous_width") {
        None => Ok(None),
        Some(toml::Value::String(s)) => parse_choice(s).map_err(|_| wrong("another string")),
        Some(other) => Err(wrong(other.type_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_choices_and_nothing() {
        assert_eq!(parse("", "t.toml").expect("empty"), None);
        let p = |v: &str| parse(&format!("ambiguous_width = \"{v}\""), "t.toml");
        assert_eq!(p("auto").expect("auto"), None);
        assert_eq!(p("wide").expect("wide"), Some(AmbiguousWidth::Wide));
        assert_eq!(p("narrow").expect("narrow"), Some(AmbiguousWidth::Narrow));
    }

    #[test]
    fn mistakes_name_the_file_and_key() {
        let e = parse("ambiguous_width = \"double\"", "t.toml").expect_err("bad value");
        assert!(
            e.to_string().contains("t.toml: key `ambiguous_width`"),
            "{e}"
        );
        let e = parse("ambiguous_widht = \"wide\"", "t.toml").expect_err("typo");
        assert!(e.to_string().contains("ambiguous_width"), "{e}");
        let e = parse("ambiguous_width = 2", "t.toml").expect_err("a number");
        assert!(e.to_string().contains("integer"), "{e}");
    }

    #[test]
    fn the_flag_values() {
        assert_eq!(parse_choice("auto"), Ok(None));
        assert_eq!(parse_choice("WIDE"), Ok(Some(AmbiguousWidth::Wide)));
        assert!(parse_choice("double").is_err());
    }
}
