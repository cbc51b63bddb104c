//! `revdesk chair`: the chair's view, with decisions kept in the chair's store.

use super::exit::view_ended;
use super::opts::{
    BatchOpts, UiOpts, expert_or_default, load_profile, load_usable_batch, need_terminal,
    parse_expert_id, parse_method, parse_range, register, store_dir, ui_settings,
};
use crate::domain::decisions;
use crate::round::{self, Asked, MarkSource, Settings, SheetFiles};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `revdesk chair`.
#[derive(Debug, Args)]
pub struct ChairArgs {
    /// The batch.
    pub batch: PathBuf,
    /// Score sheet files, or directories of them (watched: new sheets update the view).
    #[arg(
        required_unless_present = "server",
        conflicts_with = "server",
        value_name = "SHEET-OR-DIR"
    )]
    pub sheets: Vec<PathBuf>,
    /// The review server's store, in place of sheets: the experts' marks there, live.
    #[arg(long, value_name = "DIR")]
    pub server: Option<PathBuf>,
    /// The chair's store, where decisions are kept (default: the --server store, else
    /// $REVDESK_STORE, else the data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// A panel file (pinned keys, affiliations for conflicts of interest).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// An assignment file (`revdesk assign`; default: the panel's `assignment`): progress is
    /// against each expert's share.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
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
    /// Experts every nomination needs before `trimmed` drops the extremes, else the plain mean
    /// for all (default: 5, or the decisions').
    #[arg(long, value_name = "N")]
    pub trim_min: Option<usize>,
    /// Start in projection mode: experts shown as Expert A, B… for the meeting room's wall
    /// (p toggles it).
    #[arg(long)]
    pub projection: bool,
    #[command(flatten)]
    pub opts: BatchOpts,
    #[command(flatten)]
    pub ui: UiOpts,
}

/// Runs `revdesk chair`.
pub fn run(a: ChairArgs) -> Result<()> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let panel = round::load_panel(a.panel.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let assignment = round::load_assignment(a.assign.as_deref(), panel.as_ref(), &batch)?;
    let chair = expert_or_default(a.chair.clone(), "--chair")?;
    let shortlist = a.shortlist.as_deref().map(parse_range).transpose()?;
    let method = a.method.as_deref().map(parse_method).transpose()?;
    let ui = ui_settings(&a.ui, chair.clone(), chair.clone())?;
    let ambiguous = super::opts::ambiguous_width(&a.ui)?;
    let dir = store_dir(a.store.as_deref().or(a.server.as_deref()))?;
    let source: Box<dyn MarkSource + Send> = match &a.server {
        Some(server) => Box::new(super::opts::server_marks(server)?),
        None => Box::new(SheetFiles(a.sheets.clone())),
    };
    // A damaged log stops here, as in `rank`/`export`: the chair must not decide on a ranking
    // that silently lacks the earlier decisions.
    let log = if dir.join(crate::store::DB_FILE_NAME).exists() {
        round::decision_log(&super::opts::open_store(&dir)?, &batch)?
    } else {
        Vec::new()
    };
    need_terminal()?;
    let store = super::opts::open_store(&dir)?;
    register(&store, &batch, &profile)?;
    // Reopening after decisions: show the ranking they were made under, unless told otherwise.
    let asked = Asked {
        method,
        trim_min: a.trim_min,
        shortlist,
    };
    let made = decisions::made_under(&log);
    let resolved = Settings::resolve(asked, made.as_ref(), a.bootstrap, a.seed);
    let settings = crate::tui::chair::ChairSettings {
        chair,
        lang: ui.lang,
        theme: ui.theme,
        keymap: ui.keymap,
        replicates: resolved.replicates,
        seed: resolved.seed,
        panel,
        shortlist: resolved.shortlist,
        method: resolved.method,
        trim_min: resolved.trim_min,
    };
    let mut app =
        crate::tui::chair::ChairApp::with_source(profile, batch, source, store, settings)?;
    if assignment.is_some() {
        app.set_assignment(assignment);
    }
    // On the experts' store the chair can open the discussion round there (R).
    if let Some(server) = &a.server {
        app.set_experts_store(super::opts::open_store(server)?);
    }
    app.projection = a.projection;
    view_ended(crate::tui::run(app, ambiguous)?)
}
