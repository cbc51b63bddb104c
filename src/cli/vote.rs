//! `revdesk vote open|close|tally`: votes at the meeting review (会评) and the final review
//! (终审). Experts cast their ballots in `revdesk score` (or over SSH), or a secretary types in
//! a paper ballot with `revdesk enter --votes`. The tally prints counts only.

use super::exit::Exit;
use super::opts::{BatchOpts, load_profile, load_usable_batch, register, store_dir};
use crate::domain::vote::{Against, Stage};
use crate::io::fsafe;
use crate::round::vote::{self, Counted, VoteError};
use crate::text::i18n::{Lang, T};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// `revdesk vote …`.
#[derive(Debug, Subcommand)]
pub enum VoteCmd {
    /// Open a vote on nominations of a batch: experts then vote 同意/不同意/弃权 on each.
    Open(OpenArgs),
    /// Close the open vote: no ballot is taken after.
    Close(CloseArgs),
    /// Count a vote: per nomination, pass or fail, and the list against its target (counts only).
    Tally(TallyArgs),
}

/// Where the vote is and what it is on.
#[derive(Debug, Args)]
pub struct Where {
    /// The batch voted on.
    pub batch: PathBuf,
    /// The store the experts vote in (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// `revdesk vote open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    #[command(flatten)]
    pub at: Where,
    /// The nominations to vote on, by id, comma separated.
    #[arg(
        long,
        value_name = "ID,…",
        value_delimiter = ',',
        required_unless_present = "shortlist",
        conflicts_with = "shortlist"
    )]
    pub items: Vec<String>,
    /// The nominations to vote on, from a file: a JSON export (`export --format json`; its
    /// shortlisted rows) or one id per line (# starts a comment).
    #[arg(long, value_name = "FILE")]
    pub shortlist: Option<PathBuf>,
    /// Which review: meeting (会评, held against the shortlist range) or final (终审, against
    /// the final list's size).
    #[arg(long, value_name = "STAGE", default_value = "meeting", value_parser = parse_stage)]
    pub stage: Stage,
    /// The panel file: its experts are the panel the quorum counts.
    #[arg(long, value_name = "FILE", required_unless_present = "panel_size")]
    pub panel: Option<PathBuf>,
    /// The panel's size, when there is no panel file.
    #[arg(long, value_name = "N", conflicts_with = "panel", value_parser = clap::value_parser!(u32).range(1..))]
    pub panel_size: Option<u32>,
    /// Who opens the vote (recorded with it; default: your user name).
    #[arg(long, value_name = "ID", value_parser = super::opts::parse_expert_id)]
    pub chair: Option<String>,
}

/// `revdesk vote close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    #[command(flatten)]
    pub at: Where,
    /// Who closes the vote (default: your user name).
    #[arg(long, value_name = "ID", value_parser = super::opts::parse_expert_id)]
    pub chair: Option<String>,
}

/// How the tally is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TallyFormat {
    /// A table for people.
    Table,
    /// JSON.
    Json,
    /// CSV, one row per nomination.
    Csv,
}

/// `revdesk vote tally`.
#[derive(Debug, Args)]
pub struct TallyArgs {
    #[command(flatten)]
    pub at: Where,
    /// The vote's number (default: the latest on the batch).
    #[arg(long, value_name = "N")]
    pub vote: Option<i64>,
    /// A panel file: ballots count only when signed by the key it pins for their expert
    /// (default: the expert's key in the store).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// Count without refused ballots instead of stopping (each refusal is still listed).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: TallyFormat,
}

/// Largest shortlist file read (a JSON export of a large batch is a few MiB).
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;

fn parse_stage(s: &str) -> std::result::Result<Stage, String> {
    Stage::parse(s).ok_or_else(|| T::VoteBadStage.fill(super::lang(), &[("stage", s)]))
}

/// A vote error as the CLI reports it: the store's failures as such, the rest as input errors.
fn fail(e: VoteError) -> anyhow::Error {
    match e {
        VoteError::Store(s) => s.into(),
        VoteError::Key(k) => k.into(),
        other => Exit::input(other.msg().render(super::lang())),
    }
}

/// Runs `revdesk vote …`.
pub fn run(cmd: VoteCmd) -> Result<()> {
    match cmd {
        VoteCmd::Open(a) => open(a),
        VoteCmd::Close(a) => close(a),
        VoteCmd::Tally(a) => tally(a),
    }
}

/// The ids a shortlist file lists: a JSON export's shortlisted rows (`export --format json`),
/// else the first field of each line, blank lines and comments skipped.
fn read_list(path: &Path) -> Result<Vec<String>> {
    let text = fsafe::read_to_string(path, MAX_LIST_BYTES).with_context(|| {
        T::CliReading.fill(super::lang(), &[("path", &path.display().to_string())])
    })?;
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(rows) = v.get("rows").and_then(|r| r.as_array())
    {
        return Ok(rows
            .iter()
            .filter(|r| r.get("shortlisted").and_then(|s| s.as_bool()) == Some(true))
            .filter_map(|r| r.get("id").and_then(|i| i.as_str()))
            .map(str::to_string)
            .collect());
    }
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .filter_map(|l| l.split([',', '\t']).next())
        .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

fn open(a: OpenArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.at.opts.profile.as_deref())?;
    let rule = vote::rule(&profile).map_err(fail)?;
    let batch = load_usable_batch(&a.at.batch, &profile, &a.at.opts)?;
    let items = match &a.shortlist {
        Some(f) => read_list(f)?,
        None => a.items.iter().map(|s| s.trim().to_string()).collect(),
    };
    let panel_size = match (&a.panel, a.panel_size) {
        (_, Some(n)) => n,
        (p, None) => {
            let panel = crate::round::load_panel(p.as_deref())?;
            panel.map_or(0, |p| u32::try_from(p.experts.len()).unwrap_or(u32::MAX))
        }
    };
    let chair = super::opts::expert_or_default(a.chair, "--chair")?;
    let store = super::opts::open_store(&store_dir(a.at.store.as_deref())?)?;
    register(&store, &batch, &profile)?;
    let v = vote::open(&store, &batch, a.stage, &items, panel_size, &chair).map_err(fail)?;
    let quorum_n = rule.quorum.needed(panel_size).to_string();
    outln!(
        "{}",
        T::VoteOpened.fill(
            lang,
            &[
                ("vote", &v.id.to_string()),
                ("stage", a.stage.label().get(lang)),
                ("batch", batch.short_hash()),
                ("n", &v.items.len().to_string()),
                ("panel", &panel_size.to_string()),
                ("pass", &rule.pass.text(lang)),
                ("quorum", &rule.quorum.text(lang)),
                ("quorum_n", &quorum_n),
                ("ties", ties_word(rule.ties, lang)),
            ],
        )
    );
    Ok(())
}

fn ties_word(t: crate::domain::vote::TieRule, lang: Lang) -> &'static str {
    use crate::domain::vote::TieRule;
    match t {
        TieRule::Fail => T::VoteTiesFail.get(lang),
        TieRule::Pass => T::VoteTiesPass.get(lang),
        TieRule::Chair => T::VoteTiesChair.get(lang),
    }
}

fn close(a: CloseArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.at.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.at.batch, &profile, &a.at.opts)?;
    let chair = super::opts::expert_or_default(a.chair, "--chair")?;
    let store = super::opts::open_store(&store_dir(a.at.store.as_deref())?)?;
    let Some(v) = store.open_vote_on(&batch.hash)? else {
        return Err(Exit::input(T::VoteNoneOpen.get(lang)));
    };
    store.close_vote(v.id, &chair)?;
    let n = store.ballots(v.id)?.len().to_string();
    outln!(
        "{}",
        T::VoteClosed.fill(lang, &[("vote", &v.id.to_string()), ("n", &n)])
    );
    Ok(())
}

fn tally(a: TallyArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.at.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.at.batch, &profile, &a.at.opts)?;
    let panel = crate::round::load_panel(a.panel.as_deref())?;
    let store = super::opts::open_store(&store_dir(a.at.store.as_deref())?)?;
    let v = vote::find(&store, &batch.hash, a.vote).map_err(fail)?;
    let counted = vote::count(&store, &profile, v, panel.as_ref()).map_err(fail)?;
    for r in &counted.refused {
        errln!(
            "{}: {}{}",
            T::CliRejected.get(lang),
            T::VoteRefused.fill(lang, &[("expert", &r.expert)]),
            r.reason.msg().render(lang)
        );
    }
    if !counted.refused.is_empty() && !a.skip_invalid {
        let n = counted.refused.len().to_string();
        return Err(Exit::input(T::VoteRefusedCount.fill(lang, &[("n", &n)])));
    }
    match a.format {
        TallyFormat::Table => print_table(&counted, lang),
        TallyFormat::Json => outln!("{}", to_json(&counted)),
        TallyFormat::Csv => print_csv(&counted, lang)?,
    }
    Ok(())
}

fn against_word(a: Against, lang: Lang) -> &'static str {
    match a {
        Against::Within => T::VoteWithin.get(lang),
        Against::Below => T::VoteBelow.get(lang),
        Against::Above => T::VoteAbove.get(lang),
    }
}

fn target_text(t: (u32, u32)) -> String {
    if t.0 == t.1 {
        t.0.to_string()
    } else {
        format!("{}–{}", t.0, t.1)
    }
}

fn print_table(c: &Counted, lang: Lang) {
    let t = &c.tally;
    let state = match c.vote.closed_at {
        Some(_) => T::VoteStateClosed.get(lang),
        None => T::VoteStateOpen.get(lang),
    };
    let met = if t.quorum_met {
        T::VoteQuorumMet.get(lang)
    } else {
        T::VoteQuorumNotMet.get(lang)
    };
    outln!(
        "{}",
        T::VoteHead.fill(
            lang,
            &[
                ("vote", &c.vote.id.to_string()),
                ("stage", c.vote.stage.label().get(lang)),
                ("state", state),
                ("present", &t.present.to_string()),
                ("panel", &t.panel.to_string()),
                ("quorum", &t.quorum_needed.to_string()),
                ("met", met),
                ("pass", &c.rule.pass.text(lang)),
                ("ties", ties_word(c.rule.ties, lang)),
            ],
        )
    );
    let id_w = t
        .items
        .iter()
        .map(|i| crate::text::wrap::width(&i.id))
        .chain([crate::text::wrap::width(T::VoteColId.get(lang))])
        .max()
        .unwrap_or(8);
    let heads = [
        T::VoteYes.get(lang),
        T::VoteNo.get(lang),
        T::VoteAbstain.get(lang),
        T::VoteColNeeded.get(lang),
    ];
    let col = |s: &str| {
        let w = crate::text::wrap::width(s);
        format!("{}{s}", " ".repeat(8usize.saturating_sub(w)))
    };
    let mut head = crate::text::wrap::pad(T::VoteColId.get(lang), id_w);
    for h in heads {
        head.push_str(&col(h));
    }
    head.push_str("  ");
    head.push_str(T::VoteColResult.get(lang));
    outln!("{}", head.trim_end());
    for i in &t.items {
        let mut line = crate::text::wrap::pad(&i.id, id_w);
        for n in [
            u64::from(i.yes),
            u64::from(i.no),
            u64::from(i.abstain),
            i.needed,
        ] {
            line.push_str(&col(&n.to_string()));
        }
        line.push_str("  ");
        line.push_str(i.outcome.label().get(lang));
        outln!("{line}");
    }
    outln!(
        "{}",
        T::VotePassing.fill(
            lang,
            &[
                ("n", &t.passing.len().to_string()),
                ("items", &t.items.len().to_string()),
                ("target", &target_text(t.target)),
                ("against", against_word(t.against, lang)),
            ],
        )
    );
    if !t.passing.is_empty() {
        outln!("  {}", t.passing.join(", "));
    }
    outln!("{}", T::VoteSecretNote.get(lang));
}

fn to_json(c: &Counted) -> String {
    let t = &c.tally;
    let items: Vec<serde_json::Value> = t
        .items
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id, "yes": i.yes, "no": i.no, "abstain": i.abstain,
                "needed": i.needed, "outcome": i.outcome,
            })
        })
        .collect();
    let refused: Vec<serde_json::Value> = c
        .refused
        .iter()
        .map(|r| serde_json::json!({"expert": r.expert, "reason": r.reason.to_string()}))
        .collect();
    let v = serde_json::json!({
        "vote": c.vote.id,
        "batch": c.vote.batch,
        "stage": c.vote.stage,
        "closed": c.vote.closed_at.is_some(),
        "rule": {
            "pass": c.rule.pass.to_string(),
            "quorum": c.rule.quorum.to_string(),
            "ties": c.rule.ties,
        },
        "panel": t.panel,
        "present": t.present,
        "quorum_needed": t.quorum_needed,
        "quorum_met": t.quorum_met,
        "items": items,
        "passing": t.passing,
        "target": { "min": t.target.0, "max": t.target.1 },
        "against": t.against,
        "refused": refused,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

fn print_csv(c: &Counted, lang: Lang) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        T::VoteColId.get(lang),
        T::VoteYes.get(lang),
        T::VoteNo.get(lang),
        T::VoteAbstain.get(lang),
        T::VoteColNeeded.get(lang),
        T::VoteColResult.get(lang),
    ])?;
    for i in &c.tally.items {
        w.write_record([
            i.id.clone(),
            i.yes.to_string(),
            i.no.to_string(),
            i.abstain.to_string(),
            i.needed.to_string(),
            i.outcome.label().get(lang).to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    out!("{}", String::from_utf8_lossy(&bytes));
    Ok(())
}
