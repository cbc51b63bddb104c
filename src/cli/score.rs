//! `revdesk score` and `revdesk demo`: the scoring view, on a batch or on the bundled demo.

use super::exit::view_ended;
use super::opts::{
    BatchOpts, UiOpts, expert_or_default, load_profile, load_usable_batch, need_terminal,
    parse_expert_id, register, store_dir, ui_settings,
};
use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::assign::Assignment;
use crate::io::validate::{self, Options};
use crate::text::i18n::T;
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};

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
    /// An assignment file (`revdesk assign`): you see and are counted against your share only.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
    /// A panel file whose `assignment` names the assignment file (when --assign is not given).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
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

/// The demo batch, bundled in the binary.
pub const DEMO_BATCH: &[u8] = include_bytes!("../../fixtures/batches/resources-environment.json");

/// Opens the store, registers the batch and the expert, and runs the scoring view (on the
/// expert's share when there is an assignment).
#[allow(clippy::too_many_arguments)]
fn open_and_score(
    profile: Profile,
    batch: Batch,
    assignment: Option<&Assignment>,
    dir: &Path,
    expert: Option<String>,
    name: Option<String>,
    ui: &UiOpts,
    submit: &SubmitOpts,
) -> Result<()> {
    // Configuration errors first: nothing is created or changed for a typo in a theme.
    let mut settings = ui_settings(ui, String::new(), String::new())?;
    let ambiguous = super::opts::ambiguous_width(ui)?;
    settings.submit_dir = submit.submit_dir.clone();
    let expert = expert_or_default(expert, "--expert")?;
    settings.expert = expert.clone();
    settings.expert_name = expert.clone();
    need_terminal()?;
    let store = super::opts::open_store(dir)?;
    store.ensure_expert(&expert, name.as_deref())?;
    register(&store, &batch, &profile)?;
    if let Some(n) = store.expert(&expert)?.and_then(|e| e.display_name) {
        settings.expert_name = n;
    }
    // A vote waiting for this expert's ballot comes first: the vote screen, then nothing else.
    if let Some(v) = crate::round::vote::waiting_for(&store, &batch.hash, &expert)? {
        let app = crate::tui::vote::VoteApp::new(
            store,
            v,
            &batch,
            expert,
            settings.expert_name.clone(),
            settings.lang,
            settings.theme.clone(),
        );
        return view_ended(crate::tui::run(app, ambiguous)?);
    }
    let batch = match assignment {
        Some(a) => {
            let marks = store.load(&expert, &batch.hash)?;
            let n = a.outside(&expert, marks.items.keys().map(String::as_str));
            if n > 0 {
                let lang = super::lang();
                errln!(
                    "{}: {}",
                    T::CliNote.get(lang),
                    T::CliUnassigned.fill(lang, &[("expert", &expert), ("n", &n.to_string())])
                );
            }
            if a.share(&expert).is_empty() {
                let path = a.path.display().to_string();
                let lang = super::lang();
                return Err(super::exit::Exit::input(
                    T::NoShare.fill(lang, &[("path", &path), ("expert", &expert)]),
                ));
            }
            a.view(&batch, &expert)
        }
        None => batch,
    };
    let app = crate::tui::scoring::App::new(profile, batch, store, settings)?;
    view_ended(crate::tui::run(app, ambiguous)?)
}

/// Runs `revdesk score`.
pub fn run(a: ScoreArgs) -> Result<()> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let dir = store_dir(a.store.as_deref())?;
    let assignment = crate::round::load_assignment(
        a.assign.as_deref(),
        crate::round::load_panel(a.panel.as_deref())?.as_ref(),
        &batch,
    )?;
    open_and_score(
        profile,
        batch,
        assignment.as_ref(),
        &dir,
        a.expert.clone(),
        a.name.clone(),
        &a.ui,
        &a.submit,
    )
}

/// Runs `revdesk demo`.
pub fn demo(a: DemoArgs) -> Result<()> {
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
        .with_context(|| crate::text::i18n::T::CliDemoTemp.get(super::lang::lang()))?;
    let name = Some(
        crate::tui::i18n::T::DemoExpert
            .get(super::lang::lang())
            .to_string(),
    );
    open_and_score(
        profile,
        report.batch,
        None,
        tmp.path(),
        Some(a.expert.clone()),
        name,
        &a.ui,
        &a.submit,
    )
}
