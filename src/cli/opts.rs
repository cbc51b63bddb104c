//! What several commands share: the batch and view options, the store directory, expert ids,
//! loading a usable batch, registering it in a store, writing a file whole.

use super::exit::Exit;
use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::validate::Options;
use crate::round::{self, RoundError, StoreMarks};
use crate::store::Store;
use crate::text::i18n::T;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

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

/// Options of the terminal views.
#[derive(Debug, Clone, Args)]
pub struct UiOpts {
    /// Colour theme: default, light, high-contrast, mono, or a theme TOML file (default: light
    /// or default, from the terminal's background colour).
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// A keymap TOML merged over the defaults (default: keymap.toml in the config directory, if any).
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
    /// How the terminal draws East Asian ambiguous characters (“ ” · — … → and box drawing):
    /// two cells or one; auto asks it (default: terminal.toml in the config directory, else auto).
    #[arg(long, value_name = "WIDTH", value_parser = ["auto", "wide", "narrow"])]
    pub ambiguous_width: Option<String>,
}

/// The ambiguous width the views are told: `--ambiguous-width`, else `ambiguous_width` in the
/// configuration directory's terminal.toml; `None` asks the terminal.
pub fn ambiguous_width(ui: &UiOpts) -> Result<Option<crate::text::ambiguous::AmbiguousWidth>> {
    use crate::tui::term::setting;
    if let Some(flag) = &ui.ambiguous_width {
        return setting::parse_choice(flag).map_err(|e| anyhow::anyhow!("--ambiguous-width {e}"));
    }
    let file = directories::ProjectDirs::from("org", "kczg", "revdesk")
        .map(|d| d.config_dir().join(setting::FILE_NAME))
        .filter(|p| p.exists());
    match file {
        Some(p) => Ok(setting::load(&p)?),
        None => Ok(None),
    }
}

/// Loads the profile named on the command line, or the built-in one.
pub fn load_profile(path: Option<&Path>) -> Result<Profile> {
    Ok(round::load_profile(path)?)
}

/// The batch options as the loader takes them.
pub fn batch_options(o: &BatchOpts) -> Options {
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
        .with_context(|| T::CliNoHome.get(super::lang()))
}

/// Opens the store in `dir`, saying which of its files others could read (now repaired).
pub fn open_store(dir: &Path) -> Result<Store> {
    let store = Store::open(dir)?;
    for r in store.repaired() {
        let lang = super::lang();
        errln!(
            "{}: {}",
            T::CliWarning.get(lang),
            T::CliRepaired.fill(
                lang,
                &[
                    ("path", &r.path.display().to_string()),
                    ("mode", &format!("{:03o}", r.was))
                ]
            )
        );
    }
    Ok(store)
}

/// The marks in the review server's store in `dir` (`--server`), saying first which of its
/// files others could read (now repaired).
pub fn server_marks(dir: &Path) -> Result<StoreMarks> {
    if dir.join(crate::store::DB_FILE_NAME).is_file() {
        open_store(dir)?;
    }
    Ok(StoreMarks::open(dir)?)
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
    let Some((source, name)) = from_env
        .or_else(|| account_name().map(|n| (T::CliAccountName.get(super::lang()).to_string(), n)))
    else {
        bail!(T::CliWhoAreYou.fill(super::lang(), &[("flag", flag)]));
    };
    parse_expert_id(&name).map_err(|e| {
        anyhow::anyhow!(T::CliUserNameBad.fill(
            super::lang(),
            &[("source", &source), ("err", &e), ("flag", flag)]
        ))
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
pub fn expert_or_default(given: Option<String>, flag: &str) -> Result<String> {
    match given {
        Some(id) => Ok(id),
        None => default_expert(flag),
    }
}

/// Loads a batch that must be usable: why it is not is printed, and gives exit code 1.
pub fn load_usable_batch(path: &Path, profile: &Profile, opts: &BatchOpts) -> Result<Batch> {
    round::load_batch(path, profile, &batch_options(opts)).map_err(|e| match e {
        RoundError::BatchErrors { report, .. } => {
            let lang = super::lang();
            err!("{}", report.render_text_in(false, profile, lang));
            let path = path.display().to_string();
            Exit::input(T::CliHasErrors.fill(lang, &[("path", &path)]))
        }
        RoundError::EmptyBatch { path } => {
            let path = path.display().to_string();
            Exit::input(T::CliEmptyBatch.fill(super::lang(), &[("path", &path)]))
        }
        e => e.into(),
    })
}

/// Registers a batch in a store (idempotent).
pub fn register(store: &Store, batch: &Batch, profile: &Profile) -> Result<()> {
    crate::round::discussion::register(store, batch, profile)?;
    Ok(())
}

/// Refuses to go on when `path` exists and may not be replaced.
pub fn refuse_existing(path: &Path, overwrite: bool) -> Result<()> {
    if path.exists() && !overwrite {
        bail!(exists(path));
    }
    Ok(())
}

/// Why a file is not replaced.
fn exists(path: &Path) -> String {
    let path = path.display().to_string();
    T::CliExists.fill(super::lang(), &[("path", &path)])
}

/// Writes `bytes` to `path` whole (beside it, then renamed); an existing file is replaced only
/// with `overwrite`.
pub fn write_file(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    // Write beside the target and rename, so a reader never sees half a file.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    // Why: a temporary file is private (0600); an export is an ordinary file (0666 less umask).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).with_context(|| {
        T::CliCannotWriteIn.fill(super::lang(), &[("dir", &dir.display().to_string())])
    })?;
    std::io::Write::write_all(&mut tmp, bytes).with_context(|| {
        T::CliWriting.fill(super::lang(), &[("path", &path.display().to_string())])
    })?;
    // Without --overwrite the rename itself refuses an existing file: a file that appeared
    // since the check at the start is not replaced either.
    let kept = if overwrite {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    kept.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(exists(path))
        } else {
            anyhow::anyhow!(T::CliWritingErr.fill(
                super::lang(),
                &[
                    ("path", &path.display().to_string()),
                    ("err", &e.error.to_string())
                ]
            ))
        }
    })?;
    Ok(())
}

/// Builds the view settings from the command line and the environment.
pub fn ui_settings(
    ui: &UiOpts,
    expert: String,
    expert_name: String,
) -> Result<crate::tui::scoring::Settings> {
    use crate::tui::keymap::KeyMap;
    use crate::tui::theme::Theme;
    let lang = super::lang::lang();
    // Only when no theme is named: the probe writes to the terminal and waits for it.
    // The background probe asks the ambiguous width too, unless a setting fixes it.
    let ask_width = ambiguous_width(ui)?.is_none();
    let mut theme = Theme::choose(ui.theme.as_deref(), || {
        crate::tui::term::local::detect_background(ask_width)
    })?;
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

/// Refuses to open a view without a terminal.
pub fn need_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(T::CliNeedTerminal.get(super::lang()));
    }
    Ok(())
}

/// Parses `25-30` (or `25–30`, `25..30`).
pub fn parse_range(s: &str) -> Result<(usize, usize)> {
    let t = s.trim();
    let (a, b) = t
        .split_once("..")
        .or_else(|| t.split_once('-'))
        .or_else(|| t.split_once('–'))
        .with_context(|| T::CliRangeForm.fill(super::lang(), &[("s", s)]))?;
    let a: usize = a
        .trim()
        .parse()
        .with_context(|| T::CliRangeMin.fill(super::lang(), &[("s", s)]))?;
    let b: usize = b
        .trim()
        .parse()
        .with_context(|| T::CliRangeMax.fill(super::lang(), &[("s", s)]))?;
    if a == 0 || a > b {
        bail!(T::CliRangeOrder.fill(super::lang(), &[("s", s)]));
    }
    Ok((a, b))
}

/// Parses `--method`.
pub fn parse_method(m: &str) -> Result<crate::engine::Method> {
    m.parse::<crate::engine::Method>().map_err(|e| {
        anyhow::anyhow!(T::CliBadMethod.fill(super::lang(), &[("m", m), ("err", &e.to_string())]))
    })
}
