//! clap's help and usage errors in the command line's language. The English is the derive's
//! doc comments; the Chinese comes from [`crate::text::help`], looked up by the arguments' and
//! subcommands' ids before parsing (clap's strings are static, so they are replaced in the
//! built `Command`).

use crate::text::help::{self, Key};
use crate::text::i18n::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command, CommandFactory};

/// Where the usage line goes in a Chinese help page (clap's default template, headed 用法).
const TEMPLATE_ZH: &str =
    "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command line's `Command`, built, with every help text in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = super::Cli::command();
    cmd.build();
    match lang {
        Lang::Zh => localize(cmd, &[]),
        Lang::En => cmd,
    }
}

/// The subcommands and arguments of `cmd`, as catalogue keys, with their English help; the
/// help's own `help` subcommand and hidden arguments included, global arguments where defined.
#[cfg(test)]
pub fn keys(cmd: &Command) -> Vec<(Key, String)> {
    let mut out = Vec::new();
    walk(cmd, &[], &mut out);
    out
}

#[cfg(test)]
fn walk(cmd: &Command, path: &[String], out: &mut Vec<(Key, String)>) {
    let about = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
    out.push((Key::command(path), about));
    for a in cmd.get_arguments() {
        if a.is_global_set() && !path.is_empty() {
            continue; // propagated from the root: translated there
        }
        let text = a.get_help().map(|s| s.to_string()).unwrap_or_default();
        out.push((Key::arg(path, a.get_id().as_str()), text));
        for pv in a.get_possible_values() {
            if let Some(h) = pv.get_help() {
                out.push((
                    Key::value(path, a.get_id().as_str(), pv.get_name()),
                    h.to_string(),
                ));
            }
        }
    }
    for s in cmd.get_subcommands() {
        let mut p = path.to_vec();
        p.push(s.get_name().to_string());
        walk(s, &p, out);
    }
}

fn localize(mut cmd: Command, path: &[String]) -> Command {
    if let Some(t) = help::zh(&Key::command(path)) {
        cmd = cmd.about(t).long_about(None);
    }
    cmd = cmd
        .help_template(TEMPLATE_ZH)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令");
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| localize_arg(a, path));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for s in subs {
        let mut p = path.to_vec();
        p.push(s.clone());
        cmd = cmd.mut_subcommand(s, |c| localize(c, &p));
    }
    cmd
}

fn localize_arg(a: Arg, path: &[String]) -> Arg {
    let id = a.get_id().as_str().to_string();
    let a = match a.get_help_heading() {
        Some(_) => a,
        None if a.is_positional() => a.help_heading("参数"),
        None => a.help_heading("选项"),
    };
    let Some(text) = help::zh(&Key::arg(path, &id)) else {
        return a;
    };
    let (mut short, mut long) = (text.to_string(), text.to_string());
    let values = a.get_possible_values();
    if !values.is_empty() && !a.is_hide_possible_values_set() {
        let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
        short.push_str(&format!(" [可选：{}]", names.join("、")));
        long.push_str("\n\n可选值：");
        for v in &values {
            long.push_str(&format!("\n- {}", v.get_name()));
            if let Some(t) = help::zh(&Key::value(path, &id, v.get_name())) {
                long.push_str(&format!("：{t}"));
            }
        }
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !a.is_hide_default_value_set() && a.get_action().takes_values() {
        let d = format!(" [默认：{}]", defaults.join("、"));
        short.push_str(&d);
        long.push_str(&format!("\n\n[默认：{}]", defaults.join("、")));
    }
    a.help(short)
        .long_help(long)
        .hide_possible_values(true)
        .hide_default_value(true)
}

/// A usage error as clap would print it, in `lang` (English: clap's own words).
pub fn usage_error(e: &clap::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.render().to_string();
    }
    let ctx = |k: ContextKind| {
        e.get(k).map(|v| match v {
            ContextValue::Strings(s) => s.join("、"),
            v => v.to_string(),
        })
    };
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => format!(
            "没有命令“{}”",
            ctx(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => match ctx(ContextKind::ValidValue) {
            Some(valid) => format!("“{arg}”的值“{value}”无效，可选：{valid}"),
            None => format!("“{arg}”缺少值"),
        },
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(cause) => format!("“{arg}”的值“{value}”无效：{cause}"),
            None => format!("“{arg}”的值“{value}”无效"),
        },
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::ArgumentConflict => format!(
            "参数“{arg}”不能与“{}”同时使用",
            ctx(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues => format!("“{arg}”的值“{value}”多余"),
        ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("“{arg}”的值个数不对")
        }
        _ => return e.render().to_string(),
    };
    let mut out = format!("错误：{what}\n");
    if let Some(s) = ctx(ContextKind::SuggestedSubcommand) {
        out.push_str(&format!("\n  提示：是否要用命令“{s}”？\n"));
    }
    if let Some(s) = ctx(ContextKind::SuggestedArg) {
        out.push_str(&format!("\n  提示：是否要用“{s}”？\n"));
    }
    if let Some(u) = ctx(ContextKind::Usage) {
        let u = u.trim();
        let u = u.strip_prefix("Usage:").unwrap_or(u).trim();
        out.push_str(&format!("\n用法：{u}\n"));
    }
    out.push_str("\n更多信息请用“--help”查看。\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_and_argument_has_chinese_and_english_help() {
        let cmd = command(Lang::En);
        let keys = keys(&cmd);
        let missing_en: Vec<String> = keys
            .iter()
            .filter(|(_, en)| en.trim().is_empty())
            .map(|(k, _)| k.to_string())
            .collect();
        assert!(missing_en.is_empty(), "no English help: {missing_en:#?}");
        let missing_zh: Vec<String> = keys
            .iter()
            .filter(|(k, _)| help::zh(k).is_none())
            .map(|(k, en)| format!("{k} => \"\"; // {en}"))
            .collect();
        assert!(
            missing_zh.is_empty(),
            "no Chinese help:\n{}",
            missing_zh.join("\n")
        );
        // Every entry is used: a renamed argument does not leave its translation behind.
        let used: std::collections::BTreeSet<String> =
            keys.iter().map(|(k, _)| k.to_string()).collect();
        let unused: Vec<&str> = help::HELP_ZH
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !used.contains(*k) && !help::is_shared(k))
            .collect();
        assert!(
            unused.is_empty(),
            "catalogue entries nothing uses: {unused:?}"
        );
    }

    #[test]
    fn chinese_help_replaces_every_text() {
        let mut cmd = command(Lang::Zh);
        let rank = cmd.find_subcommand_mut("rank").expect("rank");
        let text = rank.render_long_help().to_string();
        assert!(text.contains("用法：") && text.contains("选项"), "{text}");
        assert!(!text.contains("Output format"), "{text}");
        assert!(text.contains("[默认：table]"), "{text}");
    }
}
