//! Reading the sheets and the decisions into results: what the chair's view shows, built from
//! the sheets under its sources and the decisions in its store, re-read when either changes.

use super::state::{ChairApp, Handed};
use super::text::decision_error;
use crate::domain::decisions;
use crate::domain::results;
use crate::engine::Method;
use crate::io::panel;
use crate::io::sheet::Sheet;
use crate::tui::i18n::T;
use crate::tui::widgets::Level;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A sheet candidate in a watched directory: the rule of `panel::collect` (`*.json` in any
/// case, not hidden), so every file it would read also triggers a live update.
fn is_sheet_name(p: &Path) -> bool {
    let hidden = p
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden
        && p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
}

/// The files under the sources, with size and time: a change means new or changed sheets.
fn signature(sources: &[PathBuf]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut add = |p: PathBuf| {
        if let Ok(m) = std::fs::metadata(&p) {
            out.push((p, m.len(), m.modified().ok()));
        }
    };
    for s in sources {
        if s.is_dir() {
            if let Ok(rd) = std::fs::read_dir(s) {
                for e in rd.flatten() {
                    let p = e.path();
                    if is_sheet_name(&p) {
                        add(p);
                    }
                }
            }
        } else {
            add(s.clone());
        }
    }
    out.sort();
    out
}

impl ChairApp {
    fn options(&self, method: Method, replicates: usize) -> results::Options {
        let mut o = results::Options::for_profile(&self.profile, self.batch.meta.final_review);
        o.method = method;
        o.replicates = replicates;
        o.seed = self.settings.seed;
        if let Some(t) = self.settings.trim_min {
            o.trim_min = t;
        }
        if let Some(r) = self.settings.shortlist {
            o.shortlist = r;
        }
        o
    }

    /// Reads every sheet again and recomputes; keeps the selected nomination.
    pub fn reload(&mut self) {
        self.signature = signature(&self.sources);
        let c = panel::collect(
            &self.sources,
            &self.batch,
            &self.profile,
            self.settings.panel.as_ref(),
        );
        self.rejected = c
            .rejected
            .iter()
            .map(|e| {
                let why = crate::io::sheet::describe_sheet_error(&e.source, self.lang());
                (e.path.clone(), why)
            })
            .collect();
        self.notes = c.notes.clone();
        self.notes
            .extend(c.conflicts.iter().map(|x| format!("{x}; score excluded")));
        let exclusions = c.exclusions();
        self.handed = c
            .accepted
            .iter()
            .map(|(p, s)| Handed {
                path: p.clone(),
                expert: s.expert.id.clone(),
                name: s.expert.name.clone(),
                sequence: s.sequence,
            })
            .collect();
        let sheets: Vec<Sheet> = c.accepted.into_iter().map(|(_, s)| s).collect();
        self.accepted = (sheets, exclusions);
        self.built.clear();
        self.compare_methods();
        self.show();
    }

    /// The default method's ranks (for the arrows) and everyone's leniency: they depend on the
    /// sheets only, not on the method shown or the decisions.
    fn compare_methods(&mut self) {
        let (sheets, exclusions) = &self.accepted;
        self.baseline.clear();
        self.leniency.clear();
        if sheets.is_empty() {
            return;
        }
        let build = |m: Method| {
            crate::round::build::build(
                &self.batch,
                &self.profile,
                sheets,
                exclusions,
                &self.options(m, 0),
            )
        };
        let (base, cal) = (build(Method::default()), build(Method::Calibrated));
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
        if self.accepted.0.is_empty() {
            self.results = None;
            self.visible.clear();
            return;
        }
        let raw = match self.built.get(&self.method) {
            Some(r) => r.clone(),
            None => {
                let (sheets, exclusions) = &self.accepted;
                let built = crate::round::build::build(
                    &self.batch,
                    &self.profile,
                    sheets,
                    exclusions,
                    &self.options(self.method, self.settings.replicates),
                );
                match built {
                    Ok(r) => {
                        self.built.insert(self.method, r.clone());
                        r
                    }
                    Err(e) => {
                        self.say(Level::Error, e.to_string());
                        return;
                    }
                }
            }
        };
        let mut results = raw;
        let lang = self.lang();
        match self
            .store
            .decisions(&self.batch.hash)
            .map_err(|e| e.to_string())
            .and_then(|rows| decisions::parse_log(&rows).map_err(|e| decision_error(&e, lang)))
        {
            Ok(log) => decisions::apply(&mut results, &log),
            // Checked at startup; this is a log damaged during the meeting.
            Err(e) => self.say(Level::Error, e),
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
        let now = signature(&self.sources);
        if now == self.signature {
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
