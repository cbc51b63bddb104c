//! The command line's language: `--lang` (global), else the locale (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`), else Chinese. Chosen once, before parsing, so `--help` and usage errors speak it.

use crate::text::i18n::Lang;
use std::ffi::OsString;
use std::sync::OnceLock;

static LANG: OnceLock<Lang> = OnceLock::new();

/// The language everything the command line prints is in.
pub fn lang() -> Lang {
    *LANG.get_or_init(Lang::from_env)
}

/// Fixes the language for the rest of the process (the first call wins).
pub fn set(lang: Lang) {
    let _ = LANG.set(lang);
}

/// `--lang`'s value parser.
pub fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("'{s}': expected zh or en"))
}

/// The language `--lang` in `args` asks for (before clap has parsed them), else the locale's.
/// A value that is not a language is left for clap to refuse.
pub fn from_args(args: &[OsString]) -> Lang {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next().map(|v| v.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(l) = value.as_deref().and_then(Lang::parse) {
            return l;
        }
    }
    Lang::from_env()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn lang_flag_wins_wherever_it_stands() {
        assert_eq!(
            from_args(&args(&["revdesk", "--lang", "en", "rank"])),
            Lang::En
        );
        assert_eq!(
            from_args(&args(&["revdesk", "rank", "x", "--lang=zh"])),
            Lang::Zh
        );
        assert_eq!(
            from_args(&args(&[
                "revdesk", "rank", "--lang", "en", "--", "--lang", "zh"
            ])),
            Lang::En
        );
        assert_eq!(parse_lang("en_US"), Ok(Lang::En));
        assert!(parse_lang("fr").is_err());
    }
}
