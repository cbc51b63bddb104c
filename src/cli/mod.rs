//! The command line: argument parsing and the subcommands' glue. Exit codes: 0 success,
//! 1 the input has errors, 2 usage error or unreadable file.

use crate::domain::batch::Batch;
use crate::domain::industry;
use crate::domain::profile::Profile;
use crate::io::entry;
use crate::io::import::ImportError;
use crate::io::synth;
use crate::io::validate::{self, Options, Report};
use crate::store::{Change, Source, Store};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code: the input has errors.
pub const EXIT_INPUT: u8 = 1;
/// Exit code: usage error or unreadable file.
pub const EXIT_USAGE: u8 = 2;

/// revdesk: score and rank technology nominations from the keyboard, offline.
#[derive(Debug, Parser)]
#[command(name = "revdesk", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a batch of nominations (XLSX, CSV or JSON) and list every problem found.
    Validate(ValidateArgs),
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
    /// Panel statistics: per expert, per nomination, agreement (ICC, Kendall's W).
    Stats(StatsArgs),
    /// Export the shortlist and full results as XLSX, CSV, JSON or Markdown.
    Export(ExportArgs),
    /// The chair's view: ranking with the cut, detail, panel; decisions with reasons; live sheets.
    Chair(ChairArgs),
    /// The final review: merge the domains' JSON shortlist exports into one final-review batch.
    Merge(MergeArgs),
    /// Generate a large synthetic batch, for benchmarks and load tests.
    Gen(GenArgs),
    /// Show or check a review profile (the rules of a round).
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Look up GB/T 4754-2017 industry codes.
    Industry(IndustryArgs),
}

/// Options shared by commands that read a batch.
#[derive(Debug, Clone, Args)]
pub struct BatchOpts {
    /// A review profile (TOML); default: the built-in 2020 rules (kczg-2020).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The batch's domain (key or Chinese name), when the file does not say it.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// The batch is a final-review batch holding all domains.
    #[arg(long)]
    pub final_review: bool,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One finding a line, then a summary.
    Text,
    /// The findings as a JSON array.
    Json,
}

/// `revdesk validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The batch file (.xlsx, .csv or .json).
    pub batch: PathBuf,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Treat warnings (quota, lengths, codes, contacts) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `revdesk enter`.
#[derive(Debug, Args)]
pub struct EnterArgs {
    /// The batch the scores are for.
    pub batch: PathBuf,
    /// The expert whose sheet this is.
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: String,
    /// The expert's display name (stored with the id).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The typed-in sheet: 编号/id, one column per criterion, optional 回避, 回避原因, 评语.
    #[arg(long, value_name = "SCORES.csv")]
    pub from: PathBuf,
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Options of the terminal views.
#[derive(Debug, Clone, Args)]
pub struct UiOpts {
    /// Colour theme: default, light, high-contrast, mono, or a theme TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// UI language (default: from LANG/LC_ALL; Chinese unless the locale is another language).
    #[arg(long, value_name = "zh|en")]
    pub lang: Option<String>,
    /// A keymap TOML merged over the defaults (default: keymap.toml in the config directory, if any).
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
}

/// Where the scoring view's sheet key writes.
#[derive(Debug, Clone, Args)]
pub struct SubmitOpts {
    /// Where the sheet key (S) writes signed score sheets, e.g. a directory the chair reads on a
    /// shared server (default: sheets/ inside the store directory).
    #[arg(long, value_name = "DIR")]
    pub submit_dir: Option<PathBuf>,
}

/// `revdesk score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The batch file (.xlsx, .csv or .json).
    pub batch: PathBuf,
    /// Your expert id (default: your user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
    /// Your display name, stored with the id.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub opts: BatchOpts,
    #[command(flatten)]
    pub ui: UiOpts,
    #[command(flatten)]
    pub submit: SubmitOpts,
}

/// `revdesk demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The expert id to score as.
    #[arg(long, value_name = "ID", default_value = "demo", value_parser = parse_expert_id)]
    pub expert: String,
    #[command(flatten)]
    pub ui: UiOpts,
    #[command(flatten)]
    pub submit: SubmitOpts,
}

/// `revdesk key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The expert whose key to print; each expert in a store has their own (default: your
    /// user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
}

/// `revdesk sheet`.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// The batch the sheet is for.
    pub batch: PathBuf,
    /// The expert whose marks go on the sheet (default: your user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The sheet file to write (JSON).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Which sheets to read and how to aggregate them.
#[derive(Debug, Clone, Args)]
pub struct SheetsOpts {
    /// Score sheet files, or directories of them (every *.json inside).
    #[arg(required = true, value_name = "SHEET-OR-DIR")]
    pub sheets: Vec<PathBuf>,
    /// A panel file: only sheets signed by a listed expert's pinned key count, and
    /// affiliations are checked for conflicts of interest.
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// Go on without the sheets that fail their checks (they are listed).
    #[arg(long)]
    pub skip_invalid: bool,
    /// mean, trimmed, median, zscore or calibrated (default: trimmed; with --decisions, the
    /// method the chair's decisions were made under).
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Experts needed before `trimmed` drops the highest and lowest total (default: 5; with
    /// --decisions, the chair's).
    #[arg(long, value_name = "N")]
    pub trim_min: Option<usize>,
    /// The shortlist size range (default: the profile's, e.g. 25-30; with --decisions, the
    /// chair's).
    #[arg(long, value_name = "MIN-MAX")]
    pub shortlist: Option<String>,
    /// Bootstrap resamples for the stability analysis (0 skips it; `stats` shows no stability
    /// and ignores it).
    #[arg(long, default_value_t = 2000, value_name = "B")]
    pub bootstrap: usize,
    /// Bootstrap seed: the same seed gives the same figures (`stats` ignores it).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The chair's store: its decisions (cut, overrides with reasons) are applied.
    #[arg(long = "decisions", visible_alias = "store", value_name = "DIR")]
    pub decisions: Option<PathBuf>,
}

/// Output formats of `rank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankFormat {
    /// An aligned table with the cut line, threshold map and borderline items.
    Table,
    /// CSV: rank,id,name,score,n, criterion means, sd, p_shortlist, shortlisted, flags.
    Csv,
    /// Everything, as JSON.
    Json,
}

/// `revdesk rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RankFormat::Table)]
    pub format: RankFormat,
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Aligned tables: experts, nominations, agreement.
    #[value(alias = "text")]
    Table,
    /// Everything, as JSON.
    Json,
}

/// `revdesk stats` (no stability analysis: `stats` shows none of it, so `--bootstrap` is ignored).
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format (`text` is the same as `table`).
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A workbook: shortlist, full ranking, score matrix, panel statistics, method.
    Xlsx,
    /// The full ranking, UTF-8 with BOM (opens in Excel on Chinese Windows).
    Csv,
    /// Everything, as JSON.
    Json,
    /// A report for the meeting minutes.
    Md,
}

/// `revdesk export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Write even when the shortlist is outside the profile's range (checked against the
    /// profile, also when `--shortlist` gives another range).
    #[arg(long)]
    pub force: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
}

/// `revdesk chair`.
#[derive(Debug, Args)]
pub struct ChairArgs {
    /// The batch.
    pub batch: PathBuf,
    /// Score sheet files, or directories of them (watched: new sheets update the view).
    #[arg(required = true, value_name = "SHEET-OR-DIR")]
    pub sheets: Vec<PathBuf>,
    /// The chair's store, where decisions are kept (default: $REVDESK_STORE, else the data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// A panel file (pinned keys, affiliations for conflicts of interest).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// The chair's id, recorded with every decision (default: your user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub chair: Option<String>,
    /// Bootstrap resamples for the stability column (0 skips it).
    #[arg(long, default_value_t = 2000, value_name = "B")]
    pub bootstrap: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The shortlist size range (default: the profile's, e.g. 25-30; once decisions are
    /// recorded, the range they were made under).
    #[arg(long, value_name = "MIN-MAX")]
    pub shortlist: Option<String>,
    /// The method to start with, M switches (default: trimmed; once decisions are recorded, the
    /// method they were made under).
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Experts needed before `trimmed` drops the extremes (default: 5, or the decisions').
    #[arg(long, value_name = "N")]
    pub trim_min: Option<usize>,
    #[command(flatten)]
    pub opts: BatchOpts,
    #[command(flatten)]
    pub ui: UiOpts,
}

/// `revdesk merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The domains' shortlist exports (`revdesk export --format json`).
    #[arg(required = true, value_name = "SHORTLIST.json")]
    pub shortlists: Vec<PathBuf>,
    /// The final-review batch to write (JSON).
    #[arg(short, long, value_name = "FINAL.json")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// A review profile (TOML); default: kczg-2020.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// `revdesk gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Domain key or name.
    #[arg(long, default_value = "electronic-information")]
    pub domain: String,
    /// Number of nominations.
    #[arg(long, default_value_t = 5000)]
    pub items: usize,
    /// Characters of detailed material per nomination (capped at the profile's limits).
    #[arg(long, default_value_t = 10000)]
    pub detail_chars: usize,
    /// Random seed: the same seed gives the same batch.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file; the format follows the extension (.csv, .json, .xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// A review profile (TOML); default: kczg-2020.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// `revdesk profile ...`.
#[derive(Debug, Subcommand)]
pub enum ProfileCmd {
    /// Print a profile as TOML (default: the built-in kczg-2020), to copy and adapt.
    Show {
        /// A profile file to show instead.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
    /// Check a profile file and summarise it.
    Check {
        /// The profile file.
        file: PathBuf,
    },
}

/// `revdesk industry`.
#[derive(Debug, Args)]
pub struct IndustryArgs {
    /// Codes such as C3971, 3971 or 397, or words to search in the names.
    #[arg(required = true)]
    pub query: Vec<String>,
}

/// Parses the arguments and runs; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("revdesk: error: {}", error_text(&e));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// An error and its causes on one line, like anyhow's `{:#}`, but without a cause whose
/// text the message already holds: most of revdesk's error types name their source in
/// their own message (`cannot create store directory x: File exists (os error 17)`), and
/// printing the chain again repeated it.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
    }
    text
}

/// Runs a parsed command line; `Ok` carries the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Validate(a) => cmd_validate(a),
        Command::Enter(a) => cmd_enter(a),
        Command::Score(a) => cmd_score(a),
        Command::Demo(a) => cmd_demo(a),
        Command::Key(a) => cmd_key(a),
        Command::Sheet(a) => cmd_sheet(a),
        Command::Rank(a) => cmd_rank(a),
        Command::Stats(a) => cmd_stats(a),
        Command::Export(a) => cmd_export(a),
        Command::Chair(a) => cmd_chair(a),
        Command::Merge(a) => cmd_merge(a),
        Command::Gen(a) => cmd_gen(a),
        Command::Profile(p) => cmd_profile(p),
        Command::Industry(a) => cmd_industry(a),
    }
}

/// Loads the profile named on the command line, or the built-in one.
pub fn load_profile(path: Option<&Path>) -> Result<Profile> {
    match path {
        Some(p) => Ok(Profile::load(p)?),
        None => Ok(Profile::kczg_2020()),
    }
}

fn options(o: &BatchOpts) -> Options {
    Options {
        domain: o.domain.clone(),
        final_review: o.final_review,
    }
}

/// Where the store lives: `--store`, `$REVDESK_STORE`, else the user data directory.
pub fn store_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("REVDESK_STORE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("org", "kczg", "revdesk")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory to keep the store in: pass --store DIR or set REVDESK_STORE")
}

/// Parses an expert id given on the command line: trimmed, then checked (a usage error,
/// exit 2, when empty or holding white space or control characters).
pub fn parse_expert_id(s: &str) -> std::result::Result<String, String> {
    let id = s.trim();
    crate::store::check_expert_id(id)
        .map(|()| id.to_string())
        .map_err(|e| format!("{e}; give a short id such as wang or li.ming"))
}

/// The default expert id: the user name from USER, LOGNAME or USERNAME. Without one (a
/// scrubbed environment) there is no safe default: every expert would share one id.
pub fn default_expert(flag: &str) -> Result<String> {
    let from_env = ["USER", "LOGNAME", "USERNAME"].iter().find_map(|k| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (format!("${k}"), v))
    });
    // Containers and cron jobs often set none of those: ask the system for the account.
    let Some((source, name)) =
        from_env.or_else(|| account_name().map(|n| ("the account name".to_string(), n)))
    else {
        bail!(
            "cannot tell who you are (USER, LOGNAME and USERNAME are unset and the account has no name): pass {flag} ID"
        );
    };
    parse_expert_id(&name).map_err(|e| {
        anyhow::anyhow!("the user name in {source} cannot be used: {e}; pass {flag} ID")
    })
}

/// The name of the account the process runs as.
#[cfg(unix)]
fn account_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: getpwuid_r writes into `pwd` and `buf`, which outlive the call; `result` points
    // at `pwd` or is null, and `pw_name` points into `buf`, read before `buf` is dropped.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

#[cfg(not(unix))]
fn account_name() -> Option<String> {
    None
}

/// The id from the command line, else the default.
fn expert_or_default(given: Option<String>, flag: &str) -> Result<String> {
    match given {
        Some(id) => Ok(id),
        None => default_expert(flag),
    }
}

/// Loads a batch that must be usable: any error is printed and gives exit code 1.
pub fn load_usable_batch(
    path: &Path,
    profile: &Profile,
    opts: &BatchOpts,
) -> Result<std::result::Result<Batch, u8>> {
    let report = match validate::load(path, profile, &options(opts)) {
        Ok(r) => r,
        Err(e) => return Err(import_error(e)),
    };
    if report.errors(false) > 0 {
        eprint!("{}", report.render_text(false, profile));
        eprintln!(
            "revdesk: {} has errors: fix them first (see `revdesk validate`)",
            path.display()
        );
        return Ok(Err(EXIT_INPUT));
    }
    if report.batch.items.is_empty() {
        eprintln!("revdesk: {} holds no nominations", path.display());
        return Ok(Err(EXIT_INPUT));
    }
    Ok(Ok(report.batch))
}

fn import_error(e: ImportError) -> anyhow::Error {
    anyhow::Error::new(e)
}

fn cmd_validate(a: ValidateArgs) -> Result<u8> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let report: Report = match validate::load(&a.batch, &profile, &options(&a.opts)) {
        Ok(r) => r,
        Err(e) => {
            // An unreadable file is still one finding, in the same formats.
            // The line starts with the path already: the message must not repeat it.
            let (line, msg) = match &e {
                ImportError::Malformed { line, message, .. } => (*line, message.clone()),
                ImportError::Io { source, .. } => (0, format!("cannot read: {source}")),
                ImportError::Format { .. } => (
                    0,
                    "unknown batch format (use .xlsx, .csv or .json)".to_string(),
                ),
            };
            match a.format {
                ReportFormat::Text => {
                    // Line 0 is "no particular line": name the file only.
                    let place = if line == 0 {
                        a.batch.display().to_string()
                    } else {
                        format!("{}:{line}", a.batch.display())
                    };
                    println!("{place}: error: -: {msg}");
                }
                ReportFormat::Json => {
                    let f = serde_json::json!([{
                        "path": a.batch, "line": line, "severity": "error", "id": null,
                        "field": null, "code": "unreadable", "message": msg,
                    }]);
                    println!("{}", serde_json::to_string_pretty(&f)?);
                }
            }
            return Ok(EXIT_USAGE);
        }
    };
    match a.format {
        ReportFormat::Text => print!("{}", report.render_text(a.strict, &profile)),
        ReportFormat::Json => {
            let mut findings = report.findings.clone();
            if a.strict {
                for f in &mut findings {
                    f.severity = validate::Severity::Error;
                }
            }
            println!("{}", serde_json::to_string_pretty(&findings)?);
        }
    }
    Ok(if report.errors(a.strict) > 0 {
        EXIT_INPUT
    } else {
        0
    })
}

fn cmd_enter(a: EnterArgs) -> Result<u8> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = match load_usable_batch(&a.batch, &profile, &a.opts)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let rows = match entry::read(&a.from, &batch, profile.rubric()) {
        Ok(r) => r,
        // A missing or unreadable file is exit 2, like every other unreadable file.
        Err(e @ entry::ReadError::Unreadable { .. }) => return Err(e.into()),
        Err(entry::ReadError::Rejected(errs)) => {
            for e in &errs {
                eprintln!("{e}");
            }
            eprintln!(
                "revdesk: {} rejected: {} problem(s); nothing was stored",
                a.from.display(),
                errs.len()
            );
            return Ok(EXIT_INPUT);
        }
    };
    if rows.is_empty() {
        // A header and nothing under it is a sheet typed into the wrong file, not a sheet.
        eprintln!(
            "revdesk: {} holds no rows under its header: nothing to enter",
            a.from.display()
        );
        return Ok(EXIT_INPUT);
    }
    let dir = store_dir(a.store.as_deref())?;
    let store = Store::open(&dir)?;
    store.ensure_expert(&a.expert, a.name.as_deref())?;
    register(&store, &batch, &profile)?;
    let mut changes = Vec::new();
    for r in &rows {
        for (key, v) in &r.scores {
            changes.push(Change::score(r.id.clone(), key.clone(), *v));
        }
        if let Some(rec) = &r.recusal {
            changes.push(Change::recusal(r.id.clone(), rec.clone()));
        }
        if let Some(c) = &r.comment {
            changes.push(Change::comment(r.id.clone(), c.clone()));
        }
    }
    let txn = store.apply(&a.expert, &batch.hash, &changes, Source::Paper)?;
    let changed = match txn {
        Some(_) => store
            .history(&a.expert, &batch.hash)?
            .iter()
            .filter(|h| Some(h.txn) == txn)
            .count(),
        None => 0,
    };
    println!(
        "{}: {} rows entered for expert {} into {} ({} values changed)",
        a.from.display(),
        rows.len(),
        a.expert,
        store.path().display(),
        changed
    );
    Ok(0)
}

/// Registers a batch in a store (idempotent).
pub fn register(store: &Store, batch: &Batch, profile: &Profile) -> Result<()> {
    let label = if batch.meta.title.is_empty() {
        batch.path.display().to_string()
    } else {
        batch.meta.title.clone()
    };
    let domain = batch
        .domain
        .as_deref()
        .and_then(|d| profile.domain(d))
        .map(|d| d.key.clone())
        .unwrap_or_else(|| "final".to_string());
    store.register_batch(&batch.hash, &label, &domain, &batch.ids())?;
    Ok(())
}

fn cmd_gen(a: GenArgs) -> Result<u8> {
    let profile = load_profile(a.profile.as_deref())?;
    let Some(domain) = profile.domain(&a.domain) else {
        bail!(
            "unknown domain '{}' (profile {} has: {})",
            a.domain,
            profile.id,
            profile
                .domains
                .iter()
                .map(|d| d.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let format = match a
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => synth::OutFormat::Csv,
        Some("json") => synth::OutFormat::Json,
        Some("xlsx") => synth::OutFormat::Xlsx,
        _ => bail!(
            "{}: the output name must end in .csv, .json or .xlsx",
            a.output.display()
        ),
    };
    if a.output.exists() && !a.overwrite {
        bail!(
            "{} exists; pass --overwrite to replace it",
            a.output.display()
        );
    }
    let spec = synth::Spec {
        domain: domain.key.clone(),
        items: a.items,
        detail_chars: a.detail_chars,
        seed: a.seed,
    };
    let items = synth::items(&profile, &spec);
    let title = format!(
        "合成批次 {}（{} 项，种子 {}）",
        domain.name, a.items, a.seed
    );
    synth::write(&profile, &items, &title, &domain.key, format, &a.output)?;
    println!(
        "{}: {} synthetic {} nominations written",
        a.output.display(),
        items.len(),
        domain.name
    );
    Ok(0)
}

fn cmd_profile(p: ProfileCmd) -> Result<u8> {
    match p {
        ProfileCmd::Show { profile: None } => {
            print!("{}", crate::domain::profile::KCZG_2020_TOML);
            Ok(0)
        }
        ProfileCmd::Show { profile: Some(f) } => {
            Profile::load(&f)?;
            let text =
                std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
            print!("{text}");
            Ok(0)
        }
        ProfileCmd::Check { file } => {
            let p = match Profile::load(&file) {
                Ok(p) => p,
                Err(e @ crate::domain::profile::ProfileError::Read { .. }) => return Err(e.into()),
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(EXIT_INPUT);
                }
            };
            println!("{}: profile {} ({})", file.display(), p.id, p.name);
            println!(
                "  domains: {}",
                p.domains
                    .iter()
                    .map(|d| format!("{} {} → {}", d.key, d.name, d.alliance))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            println!(
                "  quota {} per recommender per domain; shortlist {}–{}; final list {}",
                p.quota_per_recommender, p.shortlist.min, p.shortlist.max, p.final_list_size
            );
            println!(
                "  criteria: {}",
                p.criteria
                    .criteria
                    .iter()
                    .map(|c| format!(
                        "{} {} {}–{} step {} weight {}",
                        c.key, c.label, c.min, c.max, c.step, c.weight
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            println!("  rubric hash {}", &p.rubric_hash()[..12]);
            Ok(0)
        }
    }
}

fn cmd_industry(a: IndustryArgs) -> Result<u8> {
    let mut missing = 0;
    for q in &a.query {
        match industry::check_code(&industry::split_written(q).code) {
            industry::CodeCheck::Known(i) | industry::CodeCheck::TooCoarse(i) => {
                println!("{}", industry::display(i));
                if let Some(n) = industry::note(&i.code) {
                    println!("    {n}");
                }
            }
            industry::CodeCheck::WrongSection { industry: i, given } => {
                println!(
                    "{}  (section {} given, but the code is in {})",
                    industry::display(i),
                    given,
                    industry::section_of(&i.code).unwrap_or('?')
                );
            }
            industry::CodeCheck::NotASection { industry: i, given } => {
                println!(
                    "{}  ({given} is not a section letter; the code is in {})",
                    industry::display(i),
                    industry::section_of(&i.code).unwrap_or('?')
                );
            }
            industry::CodeCheck::Unknown(_) => {
                let hits = industry::search(q);
                if hits.is_empty() {
                    eprintln!("{q}: no such code or name in GB/T 4754-2017");
                    missing += 1;
                }
                for i in hits {
                    println!("{}", industry::display(i));
                }
            }
        }
    }
    Ok(if missing > 0 { EXIT_INPUT } else { 0 })
}

/// The demo batch, bundled in the binary.
pub const DEMO_BATCH: &[u8] = include_bytes!("../../fixtures/batches/resources-environment.json");

/// The UI language: `--lang`, else the locale.
fn ui_lang(ui: &UiOpts) -> Result<crate::text::i18n::Lang> {
    use crate::text::i18n::Lang;
    Ok(match ui.lang.as_deref() {
        Some(l) => Lang::parse(l).with_context(|| format!("--lang {l}: expected zh or en"))?,
        None => Lang::from_env(),
    })
}

/// Builds the view settings from the command line and the environment.
pub fn ui_settings(
    ui: &UiOpts,
    expert: String,
    expert_name: String,
) -> Result<crate::tui::scoring::Settings> {
    use crate::tui::keymap::KeyMap;
    use crate::tui::theme::Theme;
    let lang = ui_lang(ui)?;
    let mut theme = Theme::resolve(ui.theme.as_deref())?;
    if crate::tui::theme::no_color_requested() {
        theme = theme.without_color();
    }
    let keymap = match &ui.keymap {
        Some(p) => KeyMap::load(p)?,
        None => {
            let user = directories::ProjectDirs::from("org", "kczg", "revdesk")
                .map(|d| d.config_dir().join("keymap.toml"))
                .filter(|p| p.exists());
            match user {
                Some(p) => KeyMap::load(&p)?,
                None => KeyMap::default(),
            }
        }
    };
    Ok(crate::tui::scoring::Settings {
        expert,
        expert_name,
        lang,
        theme,
        keymap,
        submit_dir: None,
    })
}

fn need_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("revdesk's views need a terminal (stdin and stdout must be a TTY)");
    }
    Ok(())
}

/// Opens the store, registers the batch and the expert, and runs the scoring view.
fn open_and_score(
    profile: Profile,
    batch: Batch,
    dir: &Path,
    expert: Option<String>,
    name: Option<String>,
    ui: &UiOpts,
    submit: &SubmitOpts,
) -> Result<u8> {
    // Configuration errors first: nothing is created or changed for a typo in a theme.
    let mut settings = ui_settings(ui, String::new(), String::new())?;
    settings.submit_dir = submit.submit_dir.clone();
    let expert = expert_or_default(expert, "--expert")?;
    settings.expert = expert.clone();
    settings.expert_name = expert.clone();
    need_terminal()?;
    let store = Store::open(dir)?;
    store.ensure_expert(&expert, name.as_deref())?;
    register(&store, &batch, &profile)?;
    if let Some(n) = store.expert(&expert)?.and_then(|e| e.display_name) {
        settings.expert_name = n;
    }
    let app = crate::tui::scoring::App::new(profile, batch, store, settings)?;
    Ok(crate::tui::run(app)?.exit_code())
}

fn cmd_score(a: ScoreArgs) -> Result<u8> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = match load_usable_batch(&a.batch, &profile, &a.opts)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let dir = store_dir(a.store.as_deref())?;
    open_and_score(
        profile,
        batch,
        &dir,
        a.expert.clone(),
        a.name.clone(),
        &a.ui,
        &a.submit,
    )
}

fn cmd_demo(a: DemoArgs) -> Result<u8> {
    let profile = Profile::kczg_2020();
    let report = validate::load_bytes(
        Path::new("demo/resources-environment.json"),
        crate::io::import::Format::Json,
        DEMO_BATCH,
        &profile,
        &Options::default(),
    )?;
    let tmp = tempfile::Builder::new()
        .prefix("revdesk-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo store")?;
    let name = Some(
        crate::tui::i18n::T::DemoExpert
            .get(ui_lang(&a.ui)?)
            .to_string(),
    );
    open_and_score(
        profile,
        report.batch,
        tmp.path(),
        Some(a.expert.clone()),
        name,
        &a.ui,
        &a.submit,
    )
}

fn cmd_key(a: KeyArgs) -> Result<u8> {
    // Who first: nothing is created for a missing id.
    let expert = expert_or_default(a.expert, "--expert")?;
    let dir = store_dir(a.store.as_deref())?;
    let store = Store::open(&dir)?;
    let key = crate::round::submit::signing_key(&store, &expert)?;
    let public = key.verifying_key();
    let sharing = store.experts_sharing_key(&expert)?;
    if !sharing.is_empty() {
        eprintln!(
            "note: {expert} shares this key with {} (they signed sheets with the store's single key of an older revdesk); a panel file can pin it for one of them only",
            sharing.join(", ")
        );
    }
    let name = store
        .expert(&expert)?
        .and_then(|e| e.display_name)
        .unwrap_or_else(|| expert.clone());
    println!("store:       {}", store.path().display());
    println!("expert:      {expert}");
    println!(
        "public key:  {}",
        crate::io::sheet::public_key_to_hex(&public)
    );
    println!("fingerprint: {}", crate::io::sheet::fingerprint(&public));
    println!();
    println!("# for the chair's panel file (panel.toml):");
    println!("[[experts]]");
    println!("id = {}", toml_str(&expert));
    println!("name = {}", toml_str(&name));
    println!("affiliations = []");
    println!(
        "public_key = \"{}\"",
        crate::io::sheet::public_key_to_hex(&public)
    );
    Ok(0)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn cmd_sheet(a: SheetArgs) -> Result<u8> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = match load_usable_batch(&a.batch, &profile, &a.opts)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    if a.output.exists() && !a.overwrite {
        bail!(
            "{} exists; pass --overwrite to replace it",
            a.output.display()
        );
    }
    let expert = expert_or_default(a.expert, "--expert")?;
    let dir = store_dir(a.store.as_deref())?;
    let store = Store::open(&dir)?;
    if store.expert(&expert)?.is_none() {
        bail!(
            "expert '{expert}' has no marks in {} (score or enter some first)",
            store.path().display()
        );
    }
    register(&store, &batch, &profile)?;
    let sheet = crate::round::submit::produce(&store, &batch, &profile, &expert)?;
    crate::io::sheet::write(&sheet, &a.output, a.overwrite).map_err(|source| {
        crate::io::sheet::SheetFileError {
            path: a.output.clone(),
            source,
        }
    })?;
    let scored = sheet
        .items
        .iter()
        .filter(|i| profile.rubric().total(&i.scores).is_some())
        .count();
    let recused = sheet.items.iter().filter(|i| i.recused).count();
    println!(
        "{}: sheet {} of expert {} for batch {}: {} of {} nominations fully scored, {} recused; signed {}",
        a.output.display(),
        sheet.sequence,
        expert,
        batch.short_hash(),
        scored,
        batch.items.len(),
        recused,
        sheet.key_fingerprint()
    );
    Ok(0)
}

/// Parses `25-30` (or `25–30`, `25..30`).
pub fn parse_range(s: &str) -> Result<(usize, usize)> {
    let t = s.trim();
    let (a, b) = t
        .split_once("..")
        .or_else(|| t.split_once('-'))
        .or_else(|| t.split_once('–'))
        .with_context(|| format!("--shortlist {s}: expected MIN-MAX, e.g. 25-30"))?;
    let a: usize = a
        .trim()
        .parse()
        .with_context(|| format!("--shortlist {s}: bad minimum"))?;
    let b: usize = b
        .trim()
        .parse()
        .with_context(|| format!("--shortlist {s}: bad maximum"))?;
    if a == 0 || a > b {
        bail!("--shortlist {s}: the minimum must be at least 1 and at most the maximum");
    }
    Ok((a, b))
}

/// Everything `rank`, `stats` and `export` work from.
pub struct Gathered {
    /// The round's rules.
    pub profile: Profile,
    /// The batch.
    pub batch: Batch,
    /// The aggregated results.
    pub results: crate::domain::results::Results,
}

/// Parses `--method`.
fn parse_method(m: &str) -> Result<crate::engine::Method> {
    m.parse().map_err(|e| anyhow::anyhow!("--method {m}: {e}"))
}

/// The chair's decision log for a batch from `--decisions DIR`; a damaged log is an error.
fn chair_log(dir: &Path, batch: &Batch) -> Result<Vec<crate::domain::decisions::Recorded>> {
    if !dir.join(crate::store::DB_FILE_NAME).exists() {
        bail!("--decisions {}: no chair's store there", dir.display());
    }
    let store = Store::open(dir)?;
    let log = crate::domain::decisions::parse_log(&store.decisions(&batch.hash)?)?;
    if log.is_empty() {
        eprintln!(
            "note: the chair's store {} has no decisions for this batch ({}): nothing to apply",
            dir.display(),
            batch.short_hash()
        );
    }
    Ok(log)
}

/// Reads the batch and the sheets and aggregates; `Err(code)` after printing why not.
///
/// With `--decisions`, the settings of the chair's latest decision (method, range, trim_min) are
/// the defaults: a decided K means the list the chair saw only under them. Options given on the
/// command line win, with a warning when they differ.
pub fn gather(
    batch: &Path,
    opts: &BatchOpts,
    so: &SheetsOpts,
) -> Result<std::result::Result<Gathered, u8>> {
    let profile = load_profile(opts.profile.as_deref())?;
    let method = so.method.as_deref().map(parse_method).transpose()?;
    let range = so.shortlist.as_deref().map(parse_range).transpose()?;
    let batch = match load_usable_batch(batch, &profile, opts)? {
        Ok(b) => b,
        Err(code) => return Ok(Err(code)),
    };
    let log = so
        .decisions
        .as_deref()
        .map(|dir| chair_log(dir, &batch))
        .transpose()?;
    let made = log
        .as_deref()
        .and_then(crate::domain::decisions::made_under);
    let panel = match &so.panel {
        Some(p) => Some(crate::io::panel::Panel::load(p)?),
        None => None,
    };
    let collected = crate::io::panel::collect(&so.sheets, &batch, &profile, panel.as_ref());
    for n in &collected.notes {
        eprintln!("note: {n}");
    }
    for c in &collected.conflicts {
        eprintln!("conflict of interest: {c}; that score is excluded");
    }
    if !collected.rejected.is_empty() {
        for r in &collected.rejected {
            let lead = if so.skip_invalid {
                "skipped"
            } else {
                "rejected"
            };
            eprintln!("{lead}: {r}");
        }
        if !so.skip_invalid {
            eprintln!(
                "revdesk: {} sheet(s) rejected; fix them or pass --skip-invalid to go on without them",
                collected.rejected.len()
            );
            return Ok(Err(EXIT_INPUT));
        }
    }
    if collected.accepted.is_empty() {
        eprintln!("revdesk: no valid score sheet to aggregate");
        return Ok(Err(EXIT_INPUT));
    }
    let mut ropts = crate::domain::results::Options::for_profile(&profile, batch.meta.final_review);
    ropts.method = method
        .or_else(|| {
            made.as_ref()
                .and_then(crate::domain::decisions::Context::method)
        })
        .unwrap_or_default();
    ropts.trim_min = so
        .trim_min
        .or(made.as_ref().map(|c| c.trim_min))
        .unwrap_or(ropts.trim_min);
    ropts.replicates = so.bootstrap;
    ropts.seed = so.seed;
    if let Some(r) = range.or(made.as_ref().map(|c| (c.shortlist_min, c.shortlist_max))) {
        ropts.shortlist = r;
    }
    let exclusions = collected.exclusions();
    let sheets: Vec<crate::io::sheet::Sheet> =
        collected.accepted.into_iter().map(|(_, s)| s).collect();
    let mut results = crate::round::build::build(&batch, &profile, &sheets, &exclusions, &ropts)?;
    if let Some(log) = &log {
        crate::domain::decisions::apply(&mut results, log);
        if let Some(a) = &results.decided {
            if let Some(c) = &a.made_under {
                eprintln!(
                    "note: {} chair's decision(s) applied; they were made under {c}",
                    log.len()
                );
            }
            if let Some(p) = a.context_problem() {
                eprintln!("warning: {p}");
            }
        }
    }
    Ok(Ok(Gathered {
        profile,
        batch,
        results,
    }))
}

fn cmd_rank(a: RankArgs) -> Result<u8> {
    let g = match gather(&a.batch, &a.opts, &a.sheets)? {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    let out = match a.format {
        RankFormat::Table => crate::io::export::rank_table(&g.results).into_bytes(),
        RankFormat::Csv => crate::io::export::rank_csv(&g.results, false),
        RankFormat::Json => crate::io::export::rank_json(&g.results).into_bytes(),
    };
    if a.format != RankFormat::Table
        && let Some(p) = g.results.decided.as_ref().and_then(|d| d.range_problem())
    {
        // The table says it in its summary; CSV and JSON readers need it on stderr.
        eprintln!("warning: {p}");
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(0)
}

fn cmd_stats(a: StatsArgs) -> Result<u8> {
    // The bootstrap only feeds the ranking's stability, which stats never prints.
    let so = SheetsOpts {
        bootstrap: 0,
        ..a.sheets.clone()
    };
    let g = match gather(&a.batch, &a.opts, &so)? {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    let out = match a.format {
        StatsFormat::Table => crate::io::export::stats_table(&g.results),
        StatsFormat::Json => crate::io::export::stats_json(&g.results),
    };
    print!("{out}");
    Ok(0)
}

fn cmd_export(a: ExportArgs) -> Result<u8> {
    if a.output.exists() && !a.overwrite {
        bail!(
            "{} exists; pass --overwrite to replace it",
            a.output.display()
        );
    }
    let g = match gather(&a.batch, &a.opts, &a.sheets)? {
        Ok(g) => g,
        Err(code) => return Ok(code),
    };
    let r = &g.results;
    // The list goes to the association, so the profile's range is the rule, whatever range
    // `--shortlist` computed the cut on (that option is for exploring with `rank`).
    let (lo, hi) =
        crate::domain::results::Options::for_profile(&g.profile, g.batch.meta.final_review)
            .shortlist;
    let size = r.rows.iter().filter(|x| x.shortlisted).count();
    if (size < lo || size > hi) && !a.force {
        match r.decided.as_ref().and_then(|d| d.range_problem()) {
            Some(p) => {
                eprintln!("revdesk: {p}");
                eprintln!(
                    "revdesk: nothing written. Bring the list into {lo}–{hi} in `revdesk chair`: move the cut ([ or ]) or withdraw an include/exclude (C); or pass --force to export this list anyway"
                );
            }
            None => {
                eprintln!(
                    "revdesk: the shortlist has {size} nominations, outside {lo}–{hi}, the range of profile {}: {}",
                    g.profile.id, r.cut_note
                );
                eprintln!("revdesk: nothing written; pass --force to export it anyway");
            }
        }
        return Ok(EXIT_INPUT);
    }
    match a.format {
        ExportFormat::Xlsx => {
            let bytes = crate::io::export::xlsx_bytes(r, &g.profile)
                .with_context(|| format!("cannot build {}", a.output.display()))?;
            write_file(&a.output, &bytes, a.overwrite)?
        }
        ExportFormat::Csv => write_file(&a.output, &crate::io::export::export_csv(r), a.overwrite)?,
        ExportFormat::Json => write_file(
            &a.output,
            crate::io::export::export_json(r).as_bytes(),
            a.overwrite,
        )?,
        ExportFormat::Md => write_file(
            &a.output,
            crate::io::export::export_markdown(r, &g.profile).as_bytes(),
            a.overwrite,
        )?,
    }
    let makeup = match &r.decided {
        Some(d) => format!("{}, chair's decisions applied", d.makeup()),
        None => format!("K = {}", r.k),
    };
    let full = match a.format {
        ExportFormat::Csv | ExportFormat::Json => {
            format!(", full ranking of {} rows", r.rows.len())
        }
        ExportFormat::Xlsx | ExportFormat::Md => String::new(),
    };
    println!(
        "{}: shortlist of {size} written ({makeup}){full}; {} nominations ranked ({}), method {}",
        a.output.display(),
        r.rows.iter().filter(|x| x.rank.is_some()).count(),
        g.batch.short_hash(),
        r.method
    );
    Ok(0)
}

fn write_file(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    // Write beside the target and rename, so a reader never sees half a file.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    // Why: a temporary file is private (0600); an export is an ordinary file (0666 less umask).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    // Without --overwrite the rename itself refuses an existing file: a file that appeared
    // since the check at the start is not replaced either.
    let kept = if overwrite {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    kept.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} exists; pass --overwrite to replace it", path.display())
        } else {
            anyhow::anyhow!("writing {}: {}", path.display(), e.error)
        }
    })?;
    Ok(())
}

fn cmd_chair(a: ChairArgs) -> Result<u8> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let panel = match &a.panel {
        Some(p) => Some(crate::io::panel::Panel::load(p)?),
        None => None,
    };
    let batch = match load_usable_batch(&a.batch, &profile, &a.opts)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let chair = expert_or_default(a.chair.clone(), "--chair")?;
    let shortlist = a.shortlist.as_deref().map(parse_range).transpose()?;
    let method = a.method.as_deref().map(parse_method).transpose()?;
    let ui = ui_settings(&a.ui, chair.clone(), chair.clone())?;
    let dir = store_dir(a.store.as_deref())?;
    // A damaged log stops here, as in `rank`/`export`: the chair must not decide on a ranking
    // that silently lacks the earlier decisions.
    let log = if dir.join(crate::store::DB_FILE_NAME).exists() {
        crate::domain::decisions::parse_log(&Store::open(&dir)?.decisions(&batch.hash)?)?
    } else {
        Vec::new()
    };
    need_terminal()?;
    let store = Store::open(&dir)?;
    register(&store, &batch, &profile)?;
    // Reopening after decisions: show the ranking they were made under, unless told otherwise.
    let made = crate::domain::decisions::made_under(&log);
    let method = method
        .or_else(|| {
            made.as_ref()
                .and_then(crate::domain::decisions::Context::method)
        })
        .unwrap_or_default();
    let shortlist = shortlist.or(made.as_ref().map(|c| (c.shortlist_min, c.shortlist_max)));
    let trim_min = a.trim_min.or(made.as_ref().map(|c| c.trim_min));
    let settings = crate::tui::chair::ChairSettings {
        chair,
        lang: ui.lang,
        theme: ui.theme,
        keymap: ui.keymap,
        replicates: a.bootstrap,
        seed: a.seed,
        panel,
        shortlist,
        method,
        trim_min,
    };
    let app = crate::tui::chair::ChairApp::new(profile, batch, a.sheets.clone(), store, settings)?;
    Ok(crate::tui::run(app)?.exit_code())
}

fn cmd_merge(a: MergeArgs) -> Result<u8> {
    let profile = load_profile(a.profile.as_deref())?;
    if a.output.exists() && !a.overwrite {
        bail!(
            "{} exists; pass --overwrite to replace it",
            a.output.display()
        );
    }
    let mut inputs = Vec::new();
    for p in &a.shortlists {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
        inputs.push((p.clone(), text));
    }
    let merged = match crate::io::merge::merge(&inputs, &profile) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("revdesk: cannot merge: {e}");
            return Ok(EXIT_INPUT);
        }
    };
    let name_of = |key: &str| {
        profile
            .domain(key)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    for part in merged.parts.iter().filter(|p| p.forced.is_some()) {
        if let Some((min, max)) = part.forced {
            eprintln!(
                "note: {} ({}) was exported with --force: its shortlist of {} is outside {min}–{max}",
                part.path.display(),
                name_of(&part.domain),
                part.count
            );
        }
    }
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(|k| name_of(k)).collect();
        eprintln!(
            "warning: {} of the profile's {} domains given; missing: {}",
            merged.parts.len(),
            profile.domains.len(),
            missing.join(", ")
        );
    }
    if merged.items.len() < profile.final_list_size as usize {
        eprintln!(
            "warning: {} nominations cannot fill the final list of {}",
            merged.items.len(),
            profile.final_list_size
        );
    }
    let title = format!("{} 终审", profile.name);
    write_file(&a.output, merged.to_json(&title).as_bytes(), a.overwrite)?;
    for part in &merged.parts {
        let name = profile
            .domain(&part.domain)
            .map(|d| d.name.as_str())
            .unwrap_or(&part.domain);
        println!(
            "{}: {} {} nominations",
            part.path.display(),
            name,
            part.count
        );
    }
    println!(
        "{}: final-review batch of {} nominations from {} domains (final list: {})",
        a.output.display(),
        merged.items.len(),
        merged.parts.len(),
        profile.final_list_size
    );
    Ok(0)
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
