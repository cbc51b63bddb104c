//! `revdesk round`: the discussion round (会评). The chair opens round 2 for chosen nominations
//! in the store the experts score in; `status` shows the rounds and who revised what, why.

use super::exit::Exit;
use super::opts::{BatchOpts, expert_or_default, load_profile, load_usable_batch, parse_expert_id};
use super::sheets::{SheetsOpts, gather};
use crate::domain::rounds::{Selection, TOTAL};
use crate::round::discussion::{self, Compared};
use crate::text::i18n::{Lang, T};
use crate::text::wrap::{pad, width};
use anyhow::Result;
use clap::{ArgGroup, Args, Subcommand};
use std::path::{Path, PathBuf};

/// `revdesk round`.
#[derive(Debug, Subcommand)]
pub enum RoundCmd {
    /// Open a discussion round for chosen nominations: the experts see the panel's anonymised
    /// spread beside their own scores and may revise them with a reason.
    Open(Box<OpenArgs>),
    /// The discussion rounds of a batch: which nominations, when, by whom; who revised what, why.
    Status(StatusArgs),
}

/// `revdesk round open`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("pick").required(true).args(["items", "borderline", "disputed"])))]
pub struct OpenArgs {
    /// The round to open: 2 for the first discussion round.
    #[arg(value_name = "ROUND")]
    pub number: u32,
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// The nominations to discuss, by id, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "ID,ID")]
    pub items: Vec<String>,
    /// The nominations near the cut (flagged borderline in round 1's ranking).
    #[arg(long)]
    pub borderline: bool,
    /// The nominations the experts disagree on (flagged spread in round 1's ranking).
    #[arg(long)]
    pub disputed: bool,
    /// The store the experts score in, where the round is opened (default: the --server store).
    #[arg(long = "in", value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Who opens the round (default: your user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub chair: Option<String>,
}

/// `revdesk round status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The batch.
    pub batch: PathBuf,
    /// The store the experts score in (the review server's, or a shared one).
    #[arg(long = "in", value_name = "DIR")]
    pub into: PathBuf,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk round`.
pub fn run(cmd: RoundCmd) -> Result<()> {
    match cmd {
        RoundCmd::Open(a) => open(*a),
        RoundCmd::Status(a) => status(a),
    }
}

/// The store a round is opened in: `--in`, else the `--server` store.
fn target(into: Option<&Path>, server: Option<&Path>) -> Result<PathBuf> {
    into.or(server)
        .map(Path::to_path_buf)
        .ok_or_else(|| Exit::input(T::RoundNeedStore.get(super::lang())))
}

fn open(a: OpenArgs) -> Result<()> {
    let lang = super::lang();
    let dir = target(a.into.as_deref(), a.sheets.server.as_deref())?;
    let chair = expert_or_default(a.chair.clone(), "--chair")?;
    let mut so = a.sheets.clone();
    // The round opens on round 1's results, whatever was revised before.
    so.round = Some(1);
    let g = gather(&a.batch, &a.opts, &so)?;
    let (selection, items) = if a.borderline {
        let s = Selection::Borderline;
        (s, discussion::select(&g.results, s))
    } else if a.disputed {
        let s = Selection::Disputed;
        (s, discussion::select(&g.results, s))
    } else {
        let unknown: Vec<&str> = a
            .items
            .iter()
            .filter(|id| !g.batch.items.iter().any(|i| &i.id == *id))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            let ids = unknown.join(", ");
            return Err(Exit::input(
                T::RoundUnknownItems.fill(lang, &[("ids", &ids)]),
            ));
        }
        (Selection::Items, a.items.clone())
    };
    if items.is_empty() {
        return Err(Exit::input(T::RoundNothingSelected.get(lang)));
    }
    let store = super::opts::open_store(&dir)?;
    let opening = discussion::open(
        &store, &g.batch, &g.profile, &g.sheets, a.number, selection, items, &chair,
    )?;
    outln!(
        "{}",
        T::RoundOpened.fill(
            lang,
            &[
                ("round", &a.number.to_string()),
                ("n", &opening.items.len().to_string()),
                ("items", &opening.items.join(", ")),
                ("dir", &dir.display().to_string()),
            ]
        )
    );
    Ok(())
}

fn status(a: StatusArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    if !a.into.join(crate::store::DB_FILE_NAME).is_file() {
        let dir = a.into.display().to_string();
        return Err(Exit::input(T::RoundNoStoreAt.fill(lang, &[("dir", &dir)])));
    }
    let store = super::opts::open_store(&a.into)?;
    let rounds = store.rounds(&batch.hash)?;
    if rounds.is_empty() {
        outln!("{}", T::RoundNone.get(lang));
        return Ok(());
    }
    let revisions = store.revisions(&batch.hash)?;
    for o in &rounds {
        let how = match o.selection {
            Selection::Items => T::RoundByItems,
            Selection::Borderline => T::RoundByBorderline,
            Selection::Disputed => T::RoundByDisputed,
        };
        outln!(
            "{}",
            T::RoundStatusLine.fill(
                lang,
                &[
                    ("round", &o.round.to_string()),
                    ("at", &o.opened_at),
                    ("by", &o.opened_by),
                    ("how", how.get(lang)),
                    ("n", &o.items.len().to_string()),
                ]
            )
        );
        for id in &o.items {
            let total = o
                .spread
                .get(id)
                .and_then(|s| s.get(TOTAL))
                .map(|s| spread_text(s.n, s.min, s.median, s.max, lang))
                .unwrap_or_default();
            let revs: Vec<String> = revisions
                .iter()
                .filter(|r| r.round == o.round && &r.item == id)
                .map(|r| format!("{}: {}", r.expert, r.reason))
                .collect();
            let who = if revs.is_empty() {
                T::RoundNotRevised.get(lang).to_string()
            } else {
                revs.join("; ")
            };
            outln!("  {id}  {total}  {who}");
        }
    }
    Ok(())
}

/// `n 5 · 60–72–81`: how many, lowest, median, highest.
pub fn spread_text(n: usize, min: f64, median: f64, max: f64, lang: Lang) -> String {
    T::RoundSpread.fill(
        lang,
        &[
            ("n", &n.to_string()),
            ("min", &fmt(min)),
            ("median", &fmt(median)),
            ("max", &fmt(max)),
        ],
    )
}

/// A score as tables show it: up to two decimals, no trailing zeros.
fn fmt(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Round 2 beside round 1: each nomination discussed, revised, or whose rank or place on the
/// shortlist moved, with its scores and ranks in both rounds and who revised it.
pub fn compare_table(rows: &[Compared], lang: Lang) -> String {
    let opt = |v: Option<f64>| v.map(fmt).unwrap_or_else(|| "—".into());
    let rank = |v: Option<usize>| v.map(|r| r.to_string()).unwrap_or_else(|| "—".into());
    let head = [
        T::RoundColId,
        T::RoundColScore1,
        T::RoundColRank1,
        T::RoundColScore2,
        T::RoundColRank2,
        T::RoundColShortlist,
        T::RoundColRevisedBy,
    ]
    .map(|t| t.get(lang).to_string());
    let mut table: Vec<[String; 7]> = vec![head];
    let moved = rows.iter().filter(|r| {
        r.discussed || !r.revised_by.is_empty() || r.rank_1 != r.rank_2 || !r.change().is_empty()
    });
    for r in moved {
        let change = match r.change() {
            "in" => T::RoundIn.get(lang),
            "out" => T::RoundOut.get(lang),
            _ => "",
        };
        let who: Vec<&str> = r.revised_by.iter().map(|(e, _)| e.as_str()).collect();
        table.push([
            r.id.clone(),
            opt(r.score_1),
            rank(r.rank_1),
            opt(r.score_2),
            rank(r.rank_2),
            change.to_string(),
            who.join(", "),
        ]);
    }
    let mut out = format!("\n{}\n", T::RoundCompareHead.get(lang));
    if table.len() == 1 {
        out.push_str(T::RoundNoChange.get(lang));
        out.push('\n');
        return out;
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| table.iter().map(|row| width(&row[c])).max().unwrap_or(0))
        .collect();
    for row in &table {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let joined = rows.iter().filter(|r| r.change() == "in").count();
    let left = rows.iter().filter(|r| r.change() == "out").count();
    out.push_str(&T::RoundShortlistChange.fill(
        lang,
        &[("in", &joined.to_string()), ("out", &left.to_string())],
    ));
    out.push('\n');
    out
}
