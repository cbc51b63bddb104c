//! `revdesk serve`: the panel's SSH review server.

use super::opts::{BatchOpts, load_profile, load_usable_batch, register};
use crate::round;
use crate::server::policy::Limits;
use crate::server::{ServeConfig, serve};
use crate::store::Store;
use anyhow::{Result, bail};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `revdesk serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The batch under review.
    pub batch: PathBuf,
    /// The panel file: experts and chairs with their SSH keys.
    #[arg(long, value_name = "FILE")]
    pub panel: PathBuf,
    /// An assignment file (`revdesk assign`; default: the panel's `assignment`): each expert's
    /// session shows their share only.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
    /// The server store: marks, decisions, host key, invites, audit log (created if missing).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Address and port to listen on (`0.0.0.0:2222` for every interface; port 0 picks one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:2222")]
    pub listen: SocketAddr,
    /// Review sessions open at once at most.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_sessions: usize,
    /// A session without input ends after this long (a warning comes a minute before),
    /// e.g. 2h, 30m, 90s.
    #[arg(long, value_name = "TIME", default_value = "2h", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Bootstrap resamples for the chair's stability column (0 skips it).
    #[arg(long, default_value_t = 2000, value_name = "B")]
    pub bootstrap: usize,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Parses `2h`, `30m`, `90s`, `1h30m` (jiff's friendly durations); positive only.
fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let d: jiff::SignedDuration = s
        .trim()
        .parse()
        .map_err(|e| format!("{e}; write e.g. 2h, 30m or 90s"))?;
    Duration::try_from(d)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "must be more than zero".to_string())
}

/// Runs `revdesk serve`.
pub fn run(a: ServeArgs) -> Result<()> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let Some(mut panel) = round::load_panel(Some(&a.panel))? else {
        bail!(
            crate::text::i18n::T::CliNoPanelRead
                .fill(super::lang(), &[("path", &a.panel.display().to_string())])
        );
    };
    // The sessions find the assignment through the panel: an absolute path, so it does not
    // depend on the panel file's directory.
    if let Some(p) = &a.assign {
        panel.assignment = Some(std::path::absolute(p)?);
    }
    if a.max_sessions == 0 {
        bail!(crate::text::i18n::T::CliMaxSessions.get(super::lang()));
    }
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    // A broken assignment stops the server now, not each session later.
    round::load_assignment(None, Some(&panel), &batch)?;
    let store = Store::open(&a.store)?;
    register(&store, &batch, &profile)?;
    drop(store);
    let defaults = Limits::default();
    let limits = Limits {
        max_sessions: a.max_sessions,
        idle: a.idle_timeout,
        // A minute's warning, or half the time when the timeout is short.
        idle_warning: defaults.idle_warning.min(a.idle_timeout / 2),
        ..defaults
    };
    serve(ServeConfig {
        listen: a.listen,
        store_dir: a.store,
        profile,
        batch,
        panel,
        limits,
        replicates: a.bootstrap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_timeouts_read_as_people_write_them() {
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("-5m").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
