//! Rules about the whole file: its columns, the profile and domain it names, and what holds
//! across rows (repeated ids, recommenders' quotas).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Ctx, DomainSource, Msg, Options, Severity};
use crate::domain::batch::Field;
use crate::domain::profile::Profile;
use crate::io::import::RawRow;
use crate::text::i18n::T;

/// `missing-column`: a required field has no column (CSV/XLSX).
pub(super) fn missing_columns(cx: &mut Ctx<'_>) {
    for f in Field::ALL.into_iter().filter(|f| f.required()) {
        if !cx.raw.columns.contains(&f) {
            cx.at_header(
                Severity::Error,
                Some(f),
                "missing-column",
                Msg::new(T::FindMissingColumn, &[("field", &f.describe())]),
            );
        }
    }
}

/// `duplicate-column`: a second column names a field already read (CSV/XLSX).
pub(super) fn duplicate_columns(cx: &mut Ctx<'_>) {
    for (f, h) in &cx.raw.duplicate_columns {
        cx.at_header(
            Severity::Error,
            Some(*f),
            "duplicate-column",
            Msg::new(
                T::FindDuplicateColumn,
                &[("header", h), ("field", &f.describe())],
            ),
        );
    }
}

/// `unknown-column`: a column (or JSON key) that names no field is ignored.
pub(super) fn unknown_columns(cx: &mut Ctx<'_>) {
    for h in &cx.raw.unknown_columns {
        cx.at_header(
            Severity::Warning,
            None,
            "unknown-column",
            Msg::new(T::FindUnknownColumn, &[("header", h)]),
        );
    }
}

/// `other-profile`: the batch names another round's profile than the one it is checked against
/// (checked against that round's rules only if asked to).
pub(super) fn other_profile(cx: &mut Ctx<'_>, profile: &Profile) {
    let named = cx.raw.meta.profile.trim();
    if !named.is_empty() && named != profile.id {
        let message = Msg::new(
            T::FindOtherProfile,
            &[("named", named), ("profile", &profile.id)],
        );
        cx.at_header(Severity::Warning, None, "other-profile", message);
    }
}

/// `empty-batch`: no nominations at all.
pub(super) fn empty_batch(cx: &mut Ctx<'_>) {
    if cx.raw.rows.is_empty() {
        cx.at_header(
            Severity::Error,
            None,
            "empty-batch",
            Msg::new(T::FindEmptyBatch, &[]),
        );
    }
}

/// The batch's domain: `--domain`, else the metadata's, else the one most items name.
/// `unknown-domain` (at the header): the given domain is not in the profile.
pub(super) fn decide_domain(
    cx: &mut Ctx<'_>,
    profile: &Profile,
    opts: &Options,
    final_review: bool,
) -> (Option<String>, DomainSource) {
    if final_review {
        return (None, DomainSource::FinalReview);
    }
    let given = opts
        .domain
        .as_ref()
        .map(|d| (d, DomainSource::Option))
        .or_else(|| {
            cx.raw
                .meta
                .domain
                .as_ref()
                .map(|d| (d, DomainSource::Metadata))
        });
    if let Some((d, src)) = given {
        return match profile.domain(d) {
            Some(dom) => (Some(dom.key.clone()), src),
            None => {
                cx.at_header(
                    Severity::Error,
                    Some(Field::Domain),
                    "unknown-domain",
                    Msg::new(
                        T::FindBatchDomain,
                        &[
                            ("domain", d),
                            ("profile", &profile.id),
                            ("domains", &domain_list(profile)),
                        ],
                    ),
                );
                (None, DomainSource::Unknown)
            }
        };
    }
    // The domain most items name; ties go to the profile's order.
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for row in &cx.raw.rows {
        if let Some(pos) = profile
            .domains
            .iter()
            .position(|d| Some(d) == profile.domain(row.get(Field::Domain)))
        {
            *counts.entry(pos).or_default() += 1;
        }
    }
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(pos, _)| *pos);
    match best {
        Some(pos) => (
            Some(profile.domains[pos].key.clone()),
            DomainSource::Majority,
        ),
        None => (None, DomainSource::Unknown),
    }
}

/// The profile's domains, for messages: `电子信息 electronic-information, …`.
pub(super) fn domain_list(profile: &Profile) -> String {
    profile
        .domains
        .iter()
        .map(|d| format!("{} {}", d.name, d.key))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `duplicate-id`: an id an earlier row already used (`first_line`: each id's first line).
pub(super) fn duplicate_id(
    cx: &mut Ctx<'_>,
    row: &RawRow,
    first_line: &mut HashMap<String, usize>,
) {
    let id = row.get(Field::Id);
    if let Some(&prev) = first_line.get(id) {
        cx.push(
            row.line,
            Severity::Error,
            Some(id).filter(|id| !id.is_empty()),
            Some(Field::Id),
            "duplicate-id",
            Msg::new(
                T::FindDuplicateId,
                &[("id", id), ("line", &prev.to_string())],
            ),
        );
    } else if !id.is_empty() {
        first_line.insert(id.to_string(), row.line);
    }
}

/// `over-quota`: more nominations from one recommender in one domain than the quota; one
/// warning per recommender.
///
/// Every nomination that names a recommender and a known domain counts, usable or not: a
/// nomination with a typo still uses up its recommender's quota, and the warning should come
/// in the same round as the typo's error, not after it is fixed.
pub(super) fn over_quota(cx: &mut Ctx<'_>, profile: &Profile) {
    // (domain, recommender) → each nomination's (name for the message, line, id), in file order.
    type Nominations<'r> = Vec<(String, usize, &'r str)>;
    let mut groups: BTreeMap<(&str, &str), Nominations<'_>> = BTreeMap::new();
    let mut counted = HashSet::new();
    for row in &cx.raw.rows {
        let (id, rec) = (row.get(Field::Id), row.get(Field::Recommender));
        let Some(dom) = profile.domain(row.get(Field::Domain)) else {
            continue;
        };
        // A repeated id is one nomination (and its own error).
        if rec.is_empty() || (!id.is_empty() && !counted.insert(id)) {
            continue;
        }
        let name = if id.is_empty() {
            format!("(line {})", row.line)
        } else {
            id.to_string()
        };
        groups
            .entry((dom.key.as_str(), rec))
            .or_default()
            .push((name, row.line, id));
    }
    let mut found = vec![];
    for ((dom, rec), its) in groups {
        let Some(d) = profile.domain(dom) else {
            continue;
        };
        let quota = profile.quota(d) as usize;
        if its.len() > quota {
            let names: Vec<&str> = its.iter().map(|(n, _, _)| n.as_str()).collect();
            let (_, line, id) = &its[quota];
            found.push((
                *line,
                id.to_string(),
                Msg::new(
                    T::FindOverQuota,
                    &[
                        ("recommender", rec),
                        ("n", &its.len().to_string()),
                        ("domain", &d.name),
                        ("quota", &quota.to_string()),
                        ("ids", &names.join(", ")),
                    ],
                ),
            ));
        }
    }
    for (line, id, msg) in found {
        let idv = (!id.is_empty()).then_some(id.as_str());
        cx.push(
            line,
            Severity::Warning,
            idv,
            Some(Field::Recommender),
            "over-quota",
            msg,
        );
    }
}
