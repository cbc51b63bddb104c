//! Agreement from all scores in words and figures, shared by the terminal table and the report.

use super::{fixed, opt};
use crate::domain::results::Results;
use crate::engine::{AllScores, Estimate};
use crate::text::i18n::{Lang, T};

/// The design the all-scores figures used, e.g. "1234 scores, 300 nominations x 25 experts,
/// incomplete (5 experts per nomination)".
pub fn design(a: &AllScores, lang: Lang) -> String {
    let d = &a.design;
    let (scores, items, experts) = (
        d.scores.to_string(),
        d.items.to_string(),
        d.experts.to_string(),
    );
    let k = if d.k_min == d.k_max {
        d.k_min.to_string()
    } else {
        format!("{}–{}", d.k_min, d.k_max)
    };
    let args = [
        ("scores", scores.as_str()),
        ("items", items.as_str()),
        ("experts", experts.as_str()),
        ("k", k.as_str()),
    ];
    let mut s = if d.complete {
        T::DesignComplete.fill(lang, &args)
    } else {
        T::DesignIncomplete.fill(lang, &args)
    };
    if d.groups > 1 {
        s.push_str(&T::DesignGroups.fill(lang, &[("groups", &d.groups.to_string())]));
    }
    s
}

/// `0.585 [0.470, 0.690]`, `-` when undefined; an undefined bound prints as `-`.
pub fn estimate(e: Option<Estimate>) -> String {
    match e {
        Some(e) if e.estimate.is_finite() => format!(
            "{} [{}, {}]",
            fixed(e.estimate, 3),
            opt(e.lo, 3, "-"),
            opt(e.hi, 3, "-")
        ),
        _ => "-".to_string(),
    }
}

/// The variance components line, None when not computable.
pub(super) fn components(a: &AllScores, lang: Lang) -> Option<String> {
    let f = |x: Option<f64>| opt(x, 2, "-");
    a.anova?;
    Some(T::TabAllComponents.fill(
        lang,
        &[
            ("item", &f(a.var_item)),
            ("expert", &f(a.var_expert)),
            ("error", &f(a.var_error)),
        ],
    ))
}

/// The six all-scores ICCs with their names and meanings (Chinese with `zh`), in a fixed order.
pub(super) fn lines(
    a: &AllScores,
    zh: bool,
) -> [(&'static str, Option<Estimate>, &'static str); 6] {
    let say = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    [
        (
            "ICC(1,1)",
            a.icc1_1,
            say("one-way random, single expert", "单向随机，单个专家"),
        ),
        (
            "ICC(A,1)",
            a.icc2_1,
            say(
                "absolute agreement, single expert (Shrout–Fleiss ICC(2,1))",
                "绝对一致，单个专家（Shrout–Fleiss ICC(2,1)）",
            ),
        ),
        (
            "ICC(C,1)",
            a.icc3_1,
            say(
                "consistency, single expert (Shrout–Fleiss ICC(3,1))",
                "一致性，单个专家（Shrout–Fleiss ICC(3,1)）",
            ),
        ),
        (
            "ICC(1,k)",
            a.icc1_k,
            say(
                "one-way random, mean of k experts",
                "单向随机，k 位专家平均",
            ),
        ),
        (
            "ICC(A,k)",
            a.icc2_k,
            say(
                "absolute agreement, mean of k experts",
                "绝对一致，k 位专家平均",
            ),
        ),
        (
            "ICC(C,k)",
            a.icc3_k,
            say("consistency, mean of k experts", "一致性，k 位专家平均"),
        ),
    ]
}

/// Each criterion's label with its all-scores figures (rubric order).
pub(super) fn criteria(r: &Results) -> Vec<(&str, &AllScores)> {
    r.criteria
        .iter()
        .zip(&r.aggregation.agreement.criteria_all)
        .map(|((_, label), a)| (label.as_str(), a))
        .collect()
}

/// The method line (catalogue), with k to 2 decimals.
pub(super) fn method(a: &AllScores, lang: Lang) -> String {
    T::TabAllMethod.fill(lang, &[("k", &fixed(a.design.k_mean, 2))])
}
