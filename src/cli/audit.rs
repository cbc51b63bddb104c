//! `revdesk audit`: the review server's audit log.

use crate::domain::access::AuditRow;
use crate::store::DB_FILE_NAME;
use crate::text::i18n::{Lang, T};
use crate::text::wrap;
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// An aligned table, times in local time.
    #[value(alias = "text")]
    Table,
    /// A JSON array, times in RFC 3339 UTC.
    Json,
}

/// `revdesk audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The server's store (`revdesk serve --store DIR`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// Runs `revdesk audit`.
pub fn run(a: AuditArgs) -> Result<()> {
    if !a.store.join(DB_FILE_NAME).is_file() {
        bail!(crate::text::i18n::T::CliNoStoreAt.fill(
            super::lang(),
            &[
                ("dir", &a.store.display().to_string()),
                ("file", DB_FILE_NAME)
            ]
        ));
    }
    let rows = super::opts::open_store(&a.store)?.audit()?;
    match a.format {
        AuditFormat::Table => {
            let tz = jiff::tz::TimeZone::system();
            super::print::out(&table(&rows, &tz, super::lang()))
        }
        AuditFormat::Json => super::print::out_json(&json(&rows)?),
    }
    Ok(())
}

/// A stored time in `tz`, to the second; a time that does not parse is shown as stored.
pub(super) fn local(at: &str, tz: &jiff::tz::TimeZone) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

/// The log as an aligned table; every cell on one line, with no control characters.
fn table(rows: &[AuditRow], tz: &jiff::tz::TimeZone, lang: Lang) -> String {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut cells: Vec<[String; 7]> = vec![
        [
            T::AuditSeq,
            T::AuditTime,
            T::AuditKind,
            T::AuditWho,
            T::AuditFingerprint,
            T::AuditAddress,
            T::AuditDetail,
        ]
        .map(|t| t.get(lang).to_string()),
    ];
    for r in rows {
        let e = &r.event;
        cells.push([
            r.seq.to_string(),
            local(&r.at, tz),
            e.kind.to_string(),
            dash(&e.who),
            dash(&e.fingerprint),
            dash(&e.address),
            e.detail.clone(),
        ]);
    }
    // Why: who, addresses and details come from the network; an escape sequence must not
    // reach a terminal (truncating to the full width only replaces controls and line breaks).
    for row in &mut cells {
        for c in row.iter_mut() {
            *c = wrap::truncate(c, wrap::width(c));
        }
    }
    let mut widths = [0usize; 7];
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(wrap::width(c));
        }
    }
    let mut out = String::new();
    for row in &cells {
        let mut line: Vec<String> = row[..6]
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap::pad(c, w))
            .collect();
        line.push(row[6].clone());
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if rows.is_empty() {
        out.push_str(T::AuditEmpty.get(lang));
        out.push('\n');
    }
    out
}

/// The log as JSON; control characters JSON allows raw (DEL, C1) are escaped too.
fn json(rows: &[AuditRow]) -> Result<String> {
    let text = serde_json::to_string_pretty(rows)?;
    // Raw line breaks in serde_json's output are its own layout: in strings they are escaped.
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{AuditEvent, AuditKind};

    fn rows() -> Vec<AuditRow> {
        vec![
            AuditRow {
                seq: 1,
                at: "2026-03-01T08:00:05.123456Z".into(),
                event: AuditEvent::new(AuditKind::ServerStart, "listening on 0.0.0.0:2222"),
            },
            AuditRow {
                seq: 2,
                at: "2026-03-01T08:01:00.000000Z".into(),
                event: AuditEvent {
                    who: Some("wang\u{1b}[2J".into()),
                    fingerprint: Some("SHA256:abc".into()),
                    address: Some("10.0.0.7:5022".into()),
                    ..AuditEvent::new(AuditKind::LoginFailed, "bad code\r\n\u{9b}31m")
                },
            },
        ]
    }

    #[test]
    fn the_table_is_aligned_local_and_safe() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        let t = table(&rows(), &tz, Lang::En);
        assert_eq!(
            t,
            "seq  time                 kind          who       fingerprint  address        detail\n\
             1    2026-03-01 16:00:05  server_start  -         -            -              listening on 0.0.0.0:2222\n\
             2    2026-03-01 16:01:00  login_failed  wang\u{FFFD}[2J  SHA256:abc   10.0.0.7:5022  bad code \u{FFFD}31m\n"
        );
        assert!(table(&[], &tz, Lang::En).ends_with("(the audit log is empty)\n"));
        let zh = table(&rows(), &tz, Lang::Zh);
        assert!(zh.starts_with("序号  时间 "), "{zh}");
        assert!(zh.contains("  login_failed  wang"), "{zh}");
        assert!(table(&[], &tz, Lang::Zh).ends_with("（审计日志为空）\n"));
    }

    #[test]
    fn json_keeps_every_field_and_escapes_controls() {
        let j = json(&rows()).unwrap();
        assert!(!j.chars().any(|c| c.is_control() && c != '\n'), "{j}");
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v[1]["who"], "wang\u{1b}[2J");
        assert_eq!(v[1]["detail"], "bad code\r\n\u{9b}31m");
        assert_eq!(v[1]["kind"], "login_failed");
        assert_eq!(v[0]["at"], "2026-03-01T08:00:05.123456Z");
        assert_eq!(v[0]["who"], serde_json::Value::Null);
    }
}
