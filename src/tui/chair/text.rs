//! The chair's decisions and their settings in words, in the UI language: for messages
//! (update) and for the title, status and panel (view).

use crate::domain::decisions::{self, Context, DecisionError, Override};
use crate::tui::i18n::{Lang, T};

/// The settings a decision was made under, in words.
pub fn context_text(c: &Context, lang: Lang) -> String {
    T::ChairContext.fill(
        lang,
        &[
            ("m", &c.method),
            ("min", &c.shortlist_min.to_string()),
            ("max", &c.shortlist_max.to_string()),
        ],
    )
}

/// How the decided list is made up, in the UI language: `K = 28 + 3 included (…)`.
pub fn makeup_text(a: &decisions::Applied, lang: Lang) -> String {
    a.makeup_with(|kind, n, ids| {
        let t = match kind {
            Override::Include => T::ChairMakeupIncluded,
            Override::Exclude => T::ChairMakeupExcluded,
        };
        t.fill(lang, &[("n", &n.to_string()), ("ids", &ids.join(", "))])
    })
}

/// The decided list's size against the range, with how it is made up.
pub fn out_of_range_text(a: &decisions::Applied, lang: Lang) -> String {
    T::ChairOutOfRange.fill(
        lang,
        &[
            ("n", &a.list_size.to_string()),
            ("min", &a.shortlist_min.to_string()),
            ("max", &a.shortlist_max.to_string()),
            ("makeup", &makeup_text(a, lang)),
        ],
    )
}

/// A refused decision, in the UI language.
pub fn decision_error(e: &DecisionError, lang: Lang) -> String {
    match e {
        DecisionError::NoReason => T::ChairReasonRequired.get(lang).to_string(),
        DecisionError::CutOutOfRange { k, min, max } => T::ErrCutOutOfRange.fill(
            lang,
            &[
                ("k", &k.to_string()),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
            ],
        ),
        DecisionError::SplitsTie { k, rank, items } => T::ErrSplitsTie.fill(
            lang,
            &[
                ("k", &k.to_string()),
                ("rank", &rank.to_string()),
                ("items", &items.join(", ")),
            ],
        ),
        DecisionError::AlreadyIn(item) => T::ErrAlreadyIn.fill(lang, &[("item", item)]),
        DecisionError::AlreadyOut(item) => T::ErrAlreadyOut.fill(lang, &[("item", item)]),
        DecisionError::NoOverride(item) => T::ErrNoOverride.fill(lang, &[("item", item)]),
        DecisionError::NoTieAtCut(k) => T::ErrNoTieAtCut.fill(lang, &[("k", &k.to_string())]),
        DecisionError::UnknownItem(item) => T::ErrUnknownItem.fill(lang, &[("item", item)]),
        DecisionError::Damaged { seq, message } => {
            T::ErrDamagedDecision.fill(lang, &[("seq", &seq.to_string()), ("message", message)])
        }
    }
}

/// A decision time in local time: the same function the exports use.
pub use crate::io::export::local_time;
