//! The command line: argument parsing and the subcommands' glue, one file per command. Exit
//! codes: 0 success, 1 the input has errors, 2 usage error or unreadable file.

/// `println!` through the sanitiser ([`print::out`]).
macro_rules! outln {
    () => { $crate::cli::print::out("\n") };
    ($($t:tt)*) => { $crate::cli::print::out(&format!("{}\n", format_args!($($t)*))) };
}
/// `print!` through the sanitiser.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::print::out(&format!($($t)*)) };
}
/// `eprintln!` through the sanitiser ([`print::err`]).
macro_rules! errln {
    ($($t:tt)*) => { $crate::cli::print::err(&format!("{}\n", format_args!($($t)*))) };
}
/// `eprint!` through the sanitiser.
macro_rules! err {
    ($($t:tt)*) => { $crate::cli::print::err(&format!($($t)*)) };
}

mod assign;
mod audit;
mod chair;
mod completions;
mod enter;
mod exit;
mod export;
mod form;
mod r#gen;
mod help;
mod history;
mod industry;
mod invite;
mod key;
mod lang;
mod man;
mod merge;
mod opts;
mod print;
mod profile;
mod rank;
mod round;
mod score;
mod serve;
mod sheet;
mod sheets;
mod stats;
mod validate;
mod vote;

pub use assign::AssignArgs;
pub use audit::{AuditArgs, AuditFormat};
pub use chair::ChairArgs;
pub use enter::EnterArgs;
pub use exit::{EXIT_INPUT, EXIT_USAGE, Exit, ExitKind, error_text};
pub use export::{ExportArgs, ExportFormat};
pub use form::{FormArgs, FormFormat};
pub use r#gen::GenArgs;
pub use history::{HistoryArgs, HistoryFormat};
pub use industry::IndustryArgs;
pub use invite::InviteArgs;
pub use key::KeyArgs;
pub use lang::lang;
pub use merge::MergeArgs;
pub use opts::{
    BatchOpts, UiOpts, default_expert, load_profile, load_usable_batch, parse_expert_id,
    parse_range, register, store_dir, ui_settings,
};
pub use profile::ProfileCmd;
pub use rank::{RankArgs, RankFormat};
pub use round::RoundCmd;
pub use score::{DEMO_BATCH, DemoArgs, ScoreArgs, SubmitOpts};
pub use serve::ServeArgs;
pub use sheet::SheetArgs;
pub use sheets::{Gathered, SheetsOpts, gather};
pub use stats::{StatsArgs, StatsFormat};
pub use validate::{ReportFormat, ValidateArgs};
pub use vote::{TallyFormat, VoteCmd};

use crate::text::i18n::Lang;
use clap::{FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// revdesk: score and rank technology nominations from the keyboard, offline.
#[derive(Debug, Parser)]
#[command(name = "revdesk", version, about, long_about = None)]
pub struct Cli {
    /// Language of everything printed: zh or en (default: from LC_ALL/LC_MESSAGES/LANG;
    /// Chinese when unset or C).
    #[arg(long, global = true, value_name = "zh|en", value_parser = lang::parse_lang)]
    pub lang: Option<Lang>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a batch of nominations (XLSX, CSV or JSON) and list every problem found.
    Validate(ValidateArgs),
    /// Assign nominations to experts: K per nomination, loads capped, no conflicts, well mixed.
    Assign(AssignArgs),
    /// Type in a paper score sheet: store one expert's scores from a CSV file.
    Enter(EnterArgs),
    /// Score a batch in the terminal: read each nomination beside the rubric, score from the keyboard.
    Score(ScoreArgs),
    /// Try the scoring view on a bundled demo batch, with a throw-away store.
    Demo(DemoArgs),
    /// Print an expert's signing key (created on first use) and its fingerprint, for the panel file.
    Key(KeyArgs),
    /// Write an expert's signed score sheet for a batch, to hand to the panel chair.
    Sheet(SheetArgs),
    /// Aggregate score sheets: the ranking, the shortlist, its stability.
    Rank(RankArgs),
    /// The discussion round (会评): open round 2 for chosen nominations; its status.
    #[command(subcommand)]
    Round(RoundCmd),
    /// Panel statistics: per expert, per nomination, agreement (ICC, Kendall's W).
    Stats(StatsArgs),
    /// Export the shortlist and full results as XLSX, CSV, JSON, Markdown or DOCX.
    Export(ExportArgs),
    /// Print a paper score form (XLSX or DOCX), blank or with an expert's name.
    Form(FormArgs),
    /// The chair's view: ranking with the cut, detail, panel; decisions with reasons; live sheets.
    Chair(ChairArgs),
    /// The final review: merge the domains' JSON shortlist exports into one final-review batch.
    Merge(MergeArgs),
    /// A one-time code with which an expert first logs in to the review server.
    Invite(InviteArgs),
    /// The review server's audit log: logins, refusals, invites, pinned keys.
    Audit(AuditArgs),
    /// The audit trail: every change to the marks (keyboard, paper, undo) and every sheet the
    /// chair read or refused, with times and reasons.
    History(HistoryArgs),
    /// Generate a large synthetic batch, for benchmarks and load tests.
    Gen(GenArgs),
    /// Show or check a review profile (the rules of a round).
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Look up GB/T 4754-2017 industry codes.
    Industry(IndustryArgs),
    /// Votes at the meeting and final reviews: open, close, tally (counts only; ballots are secret).
    #[command(subcommand)]
    Vote(VoteCmd),
    /// Run the panel's SSH review server: experts and chairs log in with `ssh` to their views.
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish or powershell) to standard output.
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff) to standard output.
    Man,
}

/// Parses the arguments and runs; the process exit code.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language first: `--help` and usage errors already speak it.
    let lang = lang::from_args(&args);
    let parsed = help::command(lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_exit(&e, lang),
    };
    ExitCode::from(match run(cli) {
        Ok(()) => 0,
        Err(e) => exit::report(&e),
    })
}

/// Prints clap's help, version or usage error in `lang`; the exit code (0 for help, 2 else).
fn usage_exit(e: &clap::Error, lang: Lang) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // Help is for a pager or a terminal: printed as clap styles it.
        let _ = e.print();
    } else {
        errln!("{}", help::usage_error(e, lang).trim_end());
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE))
}

/// Runs a parsed command line; an [`Exit`] in the error says how to stop.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    lang::set(cli.lang.unwrap_or_else(Lang::from_env));
    match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Assign(a) => assign::run(a),
        Command::Enter(a) => enter::run(a),
        Command::Score(a) => score::run(a),
        Command::Demo(a) => score::demo(a),
        Command::Key(a) => key::run(a),
        Command::Sheet(a) => sheet::run(a),
        Command::Rank(a) => rank::run(a),
        Command::Round(c) => round::run(c),
        Command::Stats(a) => stats::run(a),
        Command::Export(a) => export::run(a),
        Command::Form(a) => form::run(a),
        Command::Chair(a) => chair::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Invite(a) => invite::run(a),
        Command::Audit(a) => audit::run(a),
        Command::History(a) => history::run(a),
        Command::Gen(a) => r#gen::run(a),
        Command::Profile(p) => profile::run(p),
        Command::Industry(a) => industry::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Vote(v) => vote::run(v),
        Command::Completions(a) => completions::run(a),
        Command::Man => man::run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_does_not_repeat_causes() {
        let io = || std::io::Error::from_raw_os_error(17);
        let e = anyhow::Error::new(crate::store::StoreError::CreateDir {
            path: "notadir".into(),
            source: io(),
        });
        assert_eq!(
            error_text(&e),
            format!("cannot create store directory notadir: {}", io())
        );
        // A context without the cause's text still gets it appended.
        let e = anyhow::Error::new(io()).context("writing out.json");
        assert_eq!(error_text(&e), format!("writing out.json: {}", io()));
        let e = anyhow::Error::new(crate::store::StoreError::CreateDir {
            path: "d".into(),
            source: io(),
        })
        .context("opening the store");
        assert_eq!(
            error_text(&e).matches("os error 17").count(),
            1,
            "{}",
            error_text(&e)
        );
    }
}
