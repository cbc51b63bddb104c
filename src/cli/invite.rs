//! `revdesk invite`: a one-time code with which an expert first logs in to the review server.

use super::opts::parse_expert_id;
use crate::domain::access::{invite_code_hash, new_invite_code};
use crate::io::panel::Panel;
use crate::io::sheet::{fingerprint, public_key_to_hex};
use crate::text::i18n::T;
use crate::text::wrap;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;

/// `revdesk invite`.
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The expert to invite: an id of the panel's [[experts]].
    #[arg(value_name = "EXPERT", value_parser = parse_expert_id)]
    pub expert: String,
    /// The server's store (`revdesk serve --store DIR`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// The panel file the server runs with.
    #[arg(long, value_name = "FILE")]
    pub panel: PathBuf,
    /// How long the code works, in hours (1 to 720).
    #[arg(long, default_value_t = 72, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub hours: u32,
    /// The server's name as the expert reaches it (default: this machine's host name).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// The port the server listens on, when not 22.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

/// This machine's host name, when the system says it.
fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Runs `revdesk invite`.
pub fn run(a: InviteArgs) -> Result<()> {
    let panel = Panel::load(&a.panel)?;
    let Some(expert) = panel.expert(&a.expert) else {
        if panel.chair(&a.expert).is_some() {
            bail!(T::CliInviteChair.fill(
                super::lang(),
                &[("id", &a.expert), ("panel", &a.panel.display().to_string())]
            ));
        }
        let ids: Vec<&str> = panel.experts.iter().map(|e| e.id.as_str()).collect();
        bail!(T::CliInviteNotExpert.fill(
            super::lang(),
            &[
                ("id", &a.expert),
                ("panel", &a.panel.display().to_string()),
                ("ids", &ids.join(", "))
            ]
        ));
    };
    let store = super::opts::open_store(&a.store)?;
    let hours = i64::from(a.hours);
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(hours))
        .with_context(|| T::CliExpiryRange.get(super::lang()))?;
    let code = new_invite_code();
    let seq = store.create_invite(
        &expert.id,
        &invite_code_hash(&code),
        &format!("{expires:.0}"),
    )?;
    let revoked = store
        .invites(&expert.id)?
        .iter()
        .filter(|i| i.revoked_by == Some(seq))
        .count();

    let local = expires
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M %Z");
    let host = a.host.or_else(host_name).unwrap_or_else(|| "SERVER".into());
    let port = a.port.map(|p| format!("-p {p} ")).unwrap_or_default();
    let who = if expert.name.is_empty() {
        expert.id.clone()
    } else {
        format!("{} ({})", expert.id, expert.name)
    };
    // Why: the names come from the panel file; an escape sequence must not reach a terminal.
    let who = wrap::truncate(&who, wrap::width(&who));
    let lang = super::lang();
    let head = if hours == 1 {
        T::InviteHeadOneHour
    } else {
        T::InviteHead
    };
    let head = head.fill(
        lang,
        &[
            ("seq", &seq.to_string()),
            ("who", &who),
            ("hours", &hours.to_string()),
            ("until", &local.to_string()),
            ("utc", &format!("{expires:.0}")),
        ],
    );
    outln!("{head}");
    outln!();
    outln!("    {code}");
    outln!();
    outln!("{}", T::InviteLogsIn.get(lang));
    outln!();
    outln!("    ssh {port}{}@{host}", expert.id);
    outln!();
    outln!("{}", T::InviteTypes.get(lang));
    if revoked > 0 {
        let revoked = revoked.to_string();
        let line = T::InviteRevoked.fill(lang, &[("n", &revoked), ("id", &expert.id)]);
        outln!("{line}");
    }
    outln!("{}", T::InviteShownOnce.get(lang));

    // The panel must pin the key this store signs the expert's sheets with, or the chair's
    // view and `--server` refuse the expert's marks.
    let key = crate::round::submit::signing_key(&store, &expert.id)?.verifying_key();
    if key != expert.public_key {
        let warning = T::CliInviteKey.fill(
            lang,
            &[
                ("panel", &a.panel.display().to_string()),
                ("pinned", &expert.fingerprint()),
                ("id", &expert.id),
                ("fp", &fingerprint(&key)),
                ("hex", &public_key_to_hex(&key)),
            ],
        );
        errln!("{warning}");
    }
    Ok(())
}
