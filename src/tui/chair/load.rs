//! Reading the marks and the decisions into results: what the chair's view shows, built by the
//! round service from the marks of its source and the decisions in its store, re-read when
//! either changes.

use super::state::{ChairApp, Handed};
use super::text::decision_error;
use crate::domain::decisions;
use crate::engine::Method;
use crate::text::errors::error_chain;
use crate::tui::i18n::T;
use crate::tui::widgets::Level;
use std::path::PathBuf;

impl ChairApp {
    /// Uses an assignment: each expert counts for their share, progress is against it.
    pub fn set_assignment(&mut self, assignment: Option<crate::io::assign::Assignment>) {
        self.round.set_assignment(assignment);
        self.reload();
    }

    /// Reads every sheet again and recomputes; keeps the selected nomination.
    pub fn reload(&mut self) {
        self.stamp = self.round.stamp();
        let lang = self.lang();
        self.round.reload_sheets();
        // The audit trail: what the chair saw, accepted or refused and why. A store that cannot
        // take it must not stop the meeting, but the chair is told.
        let c = self.round.reading();
        let recorded = crate::round::record_reading(
            &self.store,
            &self.settings.chair,
            &self.round.batch.hash,
            c,
            self.round.source(),
        );
        let unrecorded = recorded
            .err()
            .map(|e| T::ChairReadsNotRecorded.fill(lang, &[("err", &error_chain(&e))]));
        let rejected = c
            .rejected
            .iter()
            .map(|e| {
                let why = crate::io::sheet::describe_sheet_error(&e.source, lang);
                (e.path.clone(), why)
            })
            .collect();
        let mut notes: Vec<String> = c.notes.iter().map(|n| n.render(lang)).collect();
        notes.extend(c.conflicts.iter().map(|x| {
            let conflict = x.describe(lang);
            T::ChairConflictExcluded.fill(lang, &[("conflict", &conflict)])
        }));
        let handed = c
            .accepted
            .iter()
            .map(|(p, s)| Handed {
                path: p.clone(),
                expert: s.expert.id.clone(),
                name: s.expert.name.clone(),
                sequence: s.sequence,
            })
            .collect();
        notes.extend(self.round.unassigned().iter().map(|(expert, n)| {
            T::CliUnassigned.fill(lang, &[("expert", expert), ("n", &n.to_string())])
        }));
        (self.rejected, self.notes, self.handed) = (rejected, notes, handed);
        self.compare_methods();
        self.show();
        if let Some(text) = unrecorded {
            self.message = Some((Level::Error, text));
        }
    }

    /// The default method's ranks (for the arrows) and everyone's leniency: they depend on the
    /// sheets only, not on the method shown or the decisions.
    fn compare_methods(&mut self) {
        self.baseline.clear();
        self.leniency.clear();
        if self.handed.is_empty() {
            return;
        }
        let (base, cal) = (
            self.round.compute(Method::default(), 0),
            self.round.compute(Method::Calibrated, 0),
        );
        if let Ok(b) = base {
            self.baseline = b
                .rows
                .iter()
                .filter_map(|r| r.rank.map(|k| (r.id.clone(), k)))
                .collect();
        }
        if let Ok(c) = cal {
            self.leniency = c
                .experts
                .iter()
                .filter_map(|e| e.bias.map(|b| (e.id.clone(), b)))
                .collect();
        }
    }

    /// Re-applies the decisions when another session on the same store recorded some, so no
    /// decision is ever taken on a stale list; true if it did.
    pub(super) fn refresh_decisions(&mut self) -> bool {
        match self.store.data_version() {
            Ok(v) if v != self.decisions_seen => {
                self.decisions_seen = v;
                self.show();
                true
            }
            _ => false,
        }
    }

    /// Shows the results under the current method with the decisions applied, computing them
    /// (bootstrap included) only the first time this method is shown for these sheets.
    pub(super) fn show(&mut self) {
        let keep = self.current_id();
        if self.handed.is_empty() {
            self.results = None;
            self.visible.clear();
            return;
        }
        let lang = self.lang();
        let log = self
            .store
            .decisions(&self.round.batch.hash)
            .map_err(|e| error_chain(&e))
            .and_then(|rows| decisions::parse_log(&rows).map_err(|e| decision_error(&e, lang)));
        let (log, damaged) = match log {
            Ok(log) => (Some(log), None),
            // Checked at startup; this is a log damaged during the meeting.
            Err(e) => (None, Some(e)),
        };
        let results = match self.round.decided(self.method, log.as_deref()) {
            Ok(d) => d.results,
            Err(e) => {
                self.say(Level::Error, error_chain(&e));
                return;
            }
        };
        if let Some(e) = damaged {
            self.say(Level::Error, e);
        }
        self.results = Some(results);
        self.refilter();
        if let Some(id) = keep
            && let Some(pos) = self.visible_pos(&id)
        {
            self.selected = pos;
        }
    }

    /// Re-reads the sheets when a file under the sources appeared or changed; true if so.
    pub fn poll_sheets(&mut self) -> bool {
        let decided_elsewhere = self.refresh_decisions();
        if self.round.stamp() == self.stamp {
            return decided_elsewhere;
        }
        let before = self.handed.len();
        let old = self.rejected.clone();
        self.reload();
        let after = self.handed.len();
        // A sheet refused while the room waits for it must not pass unnoticed.
        let fresh: Vec<&(PathBuf, String)> =
            self.rejected.iter().filter(|r| !old.contains(r)).collect();
        if let Some((path, reason)) = fresh.first() {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            let msg = T::ChairSheetRejectedLive.fill(
                self.lang(),
                &[
                    ("n", &fresh.len().to_string()),
                    ("file", &file),
                    ("reason", reason),
                ],
            );
            self.say(Level::Error, msg);
            return true;
        }
        let msg = T::ChairSheetsReread.fill(
            self.lang(),
            &[
                ("after", &after.to_string()),
                ("before", &before.to_string()),
            ],
        );
        self.say(Level::Info, msg);
        true
    }
}
