//! `revdesk history`: the audit trail of a store. Every change to the experts' marks (who,
//! when, nomination, criterion, old and new value, round, keyboard, paper or undo) and every
//! sheet the chair's view read or refused, with the reason, in time order.

use super::opts::{open_store, parse_expert_id, store_dir};
use crate::store::{
    BatchInfo, DB_FILE_NAME, Field, SheetReadRow, Source, TrailChange, TrailFilter,
};
use crate::text::i18n::{Lang, T};
use crate::text::wrap;
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// The `format` tag of `history --format json`.
pub const HISTORY_FORMAT: &str = "revdesk-history/1";

/// How many cells of an old or new value (a comment) the table shows.
const VALUE_CELLS: usize = 30;

/// Output formats of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// An aligned table in the CLI's language, times in local time.
    #[value(alias = "text")]
    Table,
    /// JSON: stable English keys, times in RFC 3339 UTC.
    Json,
    /// CSV with the JSON's keys as columns, UTF-8 with a BOM, safe to open in Excel.
    Csv,
}

/// `revdesk history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The store (default: $REVDESK_STORE, else the data directory).
    #[arg(long, value_name = "DIR", conflicts_with = "server")]
    pub store: Option<PathBuf>,
    /// The review server's store (`revdesk serve --store DIR`).
    #[arg(long, value_name = "DIR")]
    pub server: Option<PathBuf>,
    /// Only this expert's changes, and the chair's reads of this expert's sheets.
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
    /// Only this batch: its hash, the start of it, or its label.
    #[arg(long, value_name = "BATCH")]
    pub batch: Option<String>,
    /// Only this nomination's changes (sheet reads, of whole sheets, are left out).
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
}

/// One entry of the trail, a change or a sheet read, in the shape every format shares (the
/// JSON keys and CSV columns; absent values are null or empty).
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Entry {
    /// `change`, `sheet_accepted` or `sheet_refused`.
    kind: &'static str,
    /// When, RFC 3339 UTC.
    at: String,
    /// The review round (1 until the store records rounds).
    round: i64,
    /// Who did it: the expert for a change, the chair for a read.
    who: String,
    /// Whose marks or sheet.
    expert: Option<String>,
    /// The batch hash.
    batch: String,
    /// The batch's label in the store.
    batch_label: Option<String>,
    /// The nomination changed.
    item: Option<String>,
    /// The criterion key, or `comment`, `recusal`, `flag`, `confidence`.
    criterion: Option<String>,
    /// The value before (null: no score, not recused).
    old: Option<String>,
    /// The value after.
    new: Option<String>,
    /// `keyboard`, `paper`, `import` or `undo`.
    source: Option<&'static str>,
    /// The change's transaction.
    txn: Option<i64>,
    /// For an undo, the transaction it reverts.
    undoes: Option<i64>,
    /// The sheet read: its file, or `…/revdesk.db#expert` for a server's marks.
    sheet: Option<String>,
    /// The sheet's number.
    sequence: Option<u64>,
    /// Why the sheet was refused.
    reason: Option<String>,
    /// The accepted sheet's content hash.
    digest: Option<String>,
}

/// The CSV columns, in the JSON's key order.
const COLUMNS: [&str; 18] = [
    "kind",
    "at",
    "round",
    "who",
    "expert",
    "batch",
    "batch_label",
    "item",
    "criterion",
    "old",
    "new",
    "source",
    "txn",
    "undoes",
    "sheet",
    "sequence",
    "reason",
    "digest",
];

/// Runs `revdesk history`.
pub fn run(a: HistoryArgs) -> Result<()> {
    let lang = super::lang();
    let dir = match &a.server {
        Some(d) => d.clone(),
        None => store_dir(a.store.as_deref())?,
    };
    // Reading must not leave a store behind where there was none (a mistyped path).
    if !dir.join(DB_FILE_NAME).is_file() {
        bail!(T::HistNoStore.fill(
            lang,
            &[("dir", &dir.display().to_string()), ("file", DB_FILE_NAME)]
        ));
    }
    let store = open_store(&dir)?;
    let batches = store.batches()?;
    let batch = a
        .batch
        .as_deref()
        .map(|b| find_batch(&batches, b, lang))
        .transpose()?;
    let filter = TrailFilter {
        expert: a.expert.clone(),
        batch,
        item: a.item.clone(),
    };
    let changes = store.trail(&filter)?;
    let reads = if filter.item.is_some() {
        Vec::new()
    } else {
        store.sheet_reads(&filter)?
    };
    let entries = entries(changes, reads, &batches);
    match a.format {
        HistoryFormat::Table => {
            super::print::out(&table(&entries, lang, &jiff::tz::TimeZone::system()))
        }
        HistoryFormat::Json => super::print::out_json(&json(&entries)?),
        HistoryFormat::Csv => super::print::out(&String::from_utf8_lossy(&csv(&entries))),
    }
    Ok(())
}

/// The hash of the batch `wanted` names: its hash, a unique start of it, or its label.
fn find_batch(batches: &[BatchInfo], wanted: &str, lang: Lang) -> Result<String> {
    let w = wanted.trim();
    if let Some(b) = batches.iter().find(|b| b.hash.eq_ignore_ascii_case(w)) {
        return Ok(b.hash.clone());
    }
    let lower = w.to_ascii_lowercase();
    let found: Vec<&BatchInfo> = batches
        .iter()
        .filter(|b| b.label == w || (!w.is_empty() && b.hash.starts_with(&lower)))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.hash.clone()),
        [] => bail!(T::HistNoBatch.fill(lang, &[("batch", w)])),
        many => {
            let hashes: Vec<&str> = many.iter().map(|b| b.hash.as_str()).collect();
            bail!(T::HistAmbiguousBatch.fill(lang, &[("batch", w), ("hashes", &hashes.join(", "))]))
        }
    }
}

/// The criterion key of a score, else the field's name.
fn criterion(f: &Field) -> String {
    match f {
        Field::Score(c) => c.clone(),
        other => other.to_string(),
    }
}

/// Changes and reads as entries in time order (a change before a read of the same instant).
fn entries(
    changes: Vec<TrailChange>,
    reads: Vec<SheetReadRow>,
    batches: &[BatchInfo],
) -> Vec<Entry> {
    let label = |hash: &str| {
        batches
            .iter()
            .find(|b| b.hash == hash)
            .map(|b| b.label.clone())
    };
    let mut out: Vec<Entry> = changes
        .into_iter()
        .map(|c| {
            let r = c.row;
            Entry {
                kind: "change",
                round: c.round,
                who: r.expert.clone(),
                expert: Some(r.expert),
                batch_label: label(&r.batch),
                batch: r.batch,
                item: Some(r.item),
                criterion: Some(criterion(&r.field)),
                old: r.old_value,
                new: r.new_value,
                source: Some(r.source.as_str()),
                txn: Some(r.txn),
                undoes: r.undoes,
                at: r.at,
                sheet: None,
                sequence: None,
                reason: c.reason,
                digest: None,
            }
        })
        .collect();
    out.extend(reads.into_iter().map(|r| Entry {
        kind: if r.read.reason.is_some() {
            "sheet_refused"
        } else {
            "sheet_accepted"
        },
        at: r.at,
        round: r.round,
        who: r.chair,
        expert: r.read.expert,
        batch_label: label(&r.batch),
        batch: r.batch,
        item: None,
        criterion: None,
        old: None,
        new: None,
        source: None,
        txn: None,
        undoes: None,
        sheet: Some(r.read.sheet),
        sequence: r.read.sequence,
        reason: r.read.reason,
        digest: r.read.digest,
    }));
    // Stable: changes keep their order, and come before reads at the same time.
    out.sort_by(|a, b| a.at.cmp(&b.at));
    out
}

/// What happened, in `lang`.
fn event(e: &Entry, lang: Lang) -> String {
    let t = match (e.kind, e.source) {
        ("sheet_accepted", _) => T::HistSheetAccepted,
        ("sheet_refused", _) => T::HistSheetRefused,
        (_, Some(s)) if s == Source::Paper.as_str() => T::HistPaper,
        (_, Some(s)) if s == Source::Import.as_str() => T::HistImport,
        (_, Some(s)) if s == Source::Undo.as_str() => T::HistUndo,
        _ => T::HistKeyboard,
    };
    t.get(lang).to_string()
}

/// The criterion cell, the fields other than scores in `lang`.
fn criterion_cell(e: &Entry, lang: Lang) -> String {
    let Some(c) = e.criterion.as_deref() else {
        return String::new();
    };
    let t = match c.parse::<Field>() {
        Ok(Field::Comment) => T::HistFieldComment,
        Ok(Field::Recusal) => T::HistFieldRecusal,
        Ok(Field::Flag) => T::HistFieldFlag,
        Ok(Field::Confidence) => T::HistFieldConfidence,
        _ => return c.to_string(),
    };
    t.get(lang).to_string()
}

/// `old → new`, each value on one line and cut to [`VALUE_CELLS`].
fn change_cell(e: &Entry, lang: Lang) -> String {
    if e.kind != "change" {
        return String::new();
    }
    // An empty comment is no comment: shown as absent, like a missing score.
    let value = |v: &Option<String>| match v {
        Some(v) if !v.is_empty() => wrap::truncate(v, VALUE_CELLS),
        _ => T::HistAbsent.get(lang).to_string(),
    };
    format!("{} → {}", value(&e.old), value(&e.new))
}

/// The detail cell: what an undo reverts, which sheet was read and why it was refused.
fn detail_cell(e: &Entry, lang: Lang) -> String {
    if let Some(txn) = e.undoes {
        return T::HistUndoes.fill(lang, &[("txn", &txn.to_string())]);
    }
    let Some(sheet) = &e.sheet else {
        // A revision in a discussion round: its reason.
        return e.reason.clone().unwrap_or_default();
    };
    let absent = T::HistAbsent.get(lang);
    let seq = e.sequence.map(|s| s.to_string());
    let mut text = T::HistSheet.fill(
        lang,
        &[
            ("expert", e.expert.as_deref().unwrap_or(absent)),
            ("seq", seq.as_deref().unwrap_or(absent)),
            ("sheet", sheet),
        ],
    );
    if let Some(why) = &e.reason {
        text.push_str(" — ");
        text.push_str(why);
    }
    text
}

/// The trail as an aligned table in `lang`, times in `tz`; every cell on one line, with no
/// control characters. The batch column is shown when the entries span several batches.
fn table(entries: &[Entry], lang: Lang, tz: &jiff::tz::TimeZone) -> String {
    if entries.is_empty() {
        return format!("{}\n", T::HistEmpty.get(lang));
    }
    let several = entries.iter().any(|e| e.batch != entries[0].batch);
    let mut heads = vec![T::HistTime, T::HistRound, T::HistWho, T::HistEvent];
    if several {
        heads.push(T::HistBatch);
    }
    heads.extend([T::HistItem, T::HistCriterion, T::HistChange, T::HistDetail]);
    let mut cells: Vec<Vec<String>> = vec![heads.iter().map(|t| t.get(lang).to_string()).collect()];
    for e in entries {
        let mut row = vec![
            super::audit::local(&e.at, tz),
            e.round.to_string(),
            e.who.clone(),
            event(e, lang),
        ];
        if several {
            let short: String = e.batch.chars().take(12).collect();
            let label = e.batch_label.clone().filter(|l| !l.is_empty());
            row.push(wrap::truncate(&label.unwrap_or(short), 24));
        }
        row.extend([
            e.item.clone().unwrap_or_default(),
            criterion_cell(e, lang),
            change_cell(e, lang),
            detail_cell(e, lang),
        ]);
        cells.push(row);
    }
    // Why: ids, comments, reasons and paths come from experts' files and the network; an escape
    // sequence must not reach a terminal (truncating to the full width only replaces controls
    // and line breaks).
    for row in &mut cells {
        for c in row.iter_mut() {
            *c = wrap::truncate(c, wrap::width(c));
        }
    }
    let n = cells[0].len();
    let mut widths = vec![0usize; n];
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(wrap::width(c));
        }
    }
    let mut out = String::new();
    for row in &cells {
        let mut line: Vec<String> = row[..n - 1]
            .iter()
            .zip(&widths)
            .map(|(c, w)| wrap::pad(c, *w))
            .collect();
        line.push(row[n - 1].clone());
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The trail as JSON: `{"format": "revdesk-history/1", "entries": [...]}`.
fn json(entries: &[Entry]) -> Result<String> {
    #[derive(Serialize)]
    struct Doc<'a> {
        format: &'static str,
        entries: &'a [Entry],
    }
    let mut text = serde_json::to_string_pretty(&Doc {
        format: HISTORY_FORMAT,
        entries,
    })?;
    text.push('\n');
    Ok(text)
}

/// The trail as CSV, the columns of [`COLUMNS`].
fn csv(entries: &[Entry]) -> Vec<u8> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut records = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for e in entries {
        records.push(vec![
            e.kind.to_string(),
            e.at.clone(),
            e.round.to_string(),
            e.who.clone(),
            opt(&e.expert),
            e.batch.clone(),
            opt(&e.batch_label),
            opt(&e.item),
            opt(&e.criterion),
            opt(&e.old),
            opt(&e.new),
            e.source.unwrap_or_default().to_string(),
            num(e.txn),
            num(e.undoes),
            opt(&e.sheet),
            e.sequence.map(|s| s.to_string()).unwrap_or_default(),
            opt(&e.reason),
            opt(&e.digest),
        ]);
    }
    crate::io::export::excel_csv(&records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{HistoryRow, SheetRead};

    fn change(
        at: &str,
        source: Source,
        field: Field,
        old: Option<&str>,
        new: Option<&str>,
    ) -> TrailChange {
        TrailChange {
            row: HistoryRow {
                seq: 1,
                txn: 4,
                expert: "wang".into(),
                batch: "abcdef0123456789".into(),
                item: "N01".into(),
                field,
                old_value: old.map(Into::into),
                new_value: new.map(Into::into),
                at: at.into(),
                source,
                undoes: (source == Source::Undo).then_some(3),
            },
            round: 1,
            reason: None,
        }
    }

    fn sample() -> Vec<Entry> {
        let batches = vec![BatchInfo {
            hash: "abcdef0123456789".into(),
            label: "资源环境".into(),
            domain: "resources-environment".into(),
            item_count: 3,
            registered_at: "2026-03-01T00:00:00Z".into(),
        }];
        let changes = vec![
            change(
                "2026-03-01T08:00:00.000000Z",
                Source::Keyboard,
                Field::Score("feasibility".into()),
                None,
                Some("7"),
            ),
            change(
                "2026-03-01T08:05:00.000000Z",
                Source::Undo,
                Field::Recusal,
                Some("合作\u{1b}[2J"),
                None,
            ),
        ];
        let reads = vec![SheetReadRow {
            seq: 1,
            at: "2026-03-01T08:02:00.000000Z".into(),
            chair: "zhao".into(),
            batch: "abcdef0123456789".into(),
            round: 1,
            read: SheetRead {
                sheet: "sheets/x.json".into(),
                expert: None,
                sequence: None,
                reason: Some("=bad\r\n\u{9b}31m".into()),
                digest: None,
                round: 1,
            },
        }];
        entries(changes, reads, &batches)
    }

    #[test]
    fn entries_are_in_time_order_and_the_table_is_local_and_safe() {
        let e = sample();
        let kinds: Vec<&str> = e.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["change", "sheet_refused", "change"]);
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        let t = table(&e, Lang::En, &tz);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].starts_with("time"), "{t}");
        assert!(
            lines[1].starts_with("2026-03-01 16:00:00  1      wang  keyboard"),
            "{t}"
        );
        assert!(lines[1].contains("feasibility  — → 7"), "{t}");
        assert!(lines[2].contains("zhao  sheet refused"), "{t}");
        assert!(
            lines[2].ends_with("— no. —: sheets/x.json — =bad \u{FFFD}31m"),
            "{t}"
        );
        assert!(lines[3].contains("undo"), "{t}");
        assert!(lines[3].contains("recusal"), "{t}");
        assert!(lines[3].contains("undoes change 3"), "{t}");
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t}");
        let zh = table(&e, Lang::Zh, &tz);
        assert!(
            zh.contains("键盘录入") && zh.contains("拒收评分表") && zh.contains("撤销"),
            "{zh}"
        );
        assert_eq!(table(&[], Lang::En, &tz), "(nothing recorded)\n");
    }

    #[test]
    fn json_has_stable_keys_and_csv_is_excel_safe() {
        let e = sample();
        let v: serde_json::Value = serde_json::from_str(&json(&e).unwrap()).unwrap();
        assert_eq!(v["format"], HISTORY_FORMAT);
        let first = v["entries"][0].as_object().unwrap();
        let keys: Vec<&str> = first.keys().map(String::as_str).collect();
        let mut want = COLUMNS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["entries"][0]["source"], "keyboard");
        assert_eq!(v["entries"][0]["old"], serde_json::Value::Null);
        assert_eq!(v["entries"][1]["reason"], "=bad\r\n\u{9b}31m");
        assert_eq!(v["entries"][2]["undoes"], 3);
        let bytes = csv(&e);
        assert!(bytes.starts_with(crate::io::export::UTF8_BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.starts_with(&format!("{}\r\n", COLUMNS.join(","))),
            "{text}"
        );
        assert!(text.contains("\"'=bad\r\n"), "a formula is defused: {text}");
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[2][11], "undo");
        assert_eq!(&rows[2][9], "合作\u{1b}[2J");
    }

    #[test]
    fn a_batch_is_found_by_hash_start_or_label() {
        let b = |hash: &str, label: &str| BatchInfo {
            hash: hash.into(),
            label: label.into(),
            domain: "d".into(),
            item_count: 1,
            registered_at: String::new(),
        };
        let all = [b("abc123", "资源环境"), b("abd999", "信息技术")];
        assert_eq!(find_batch(&all, "ABC123", Lang::En).unwrap(), "abc123");
        assert_eq!(find_batch(&all, "abd", Lang::En).unwrap(), "abd999");
        assert_eq!(find_batch(&all, "资源环境", Lang::En).unwrap(), "abc123");
        let e = find_batch(&all, "ab", Lang::En).unwrap_err().to_string();
        assert!(e.contains("several batches"), "{e}");
        let e = find_batch(&all, "zz", Lang::En).unwrap_err().to_string();
        assert!(e.contains("no batch 'zz'"), "{e}");
    }
}
