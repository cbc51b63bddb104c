//! Rules about a nomination's industry codes (GB/T 4754-2017).

use super::{Msg, RowCheck};
use crate::domain::batch::Field;
use crate::domain::industry::{self, CodeCheck, Industry};
use crate::text::i18n::T;

/// `missing-field`: the industry field holds no code at all (only separators);
/// `unknown-industry`: a code that is unknown, too coarse, in another section or written with a
/// name that is not its own.
///
/// The codes to keep: known ones normalised, anything else as written (with its warning), so the
/// scoring view shows it (marked) instead of silently losing it.
pub(super) fn industry_codes(r: &mut RowCheck<'_, '_>) -> Vec<String> {
    let text = r.row.get(Field::Industry);
    let tokens = industry::split_codes(text);
    if !text.is_empty() && tokens.is_empty() {
        r.error(
            Some(Field::Industry),
            "missing-field",
            Msg::new(
                T::FindIndustryEmpty,
                &[("field", &Field::Industry.describe()), ("value", text)],
            ),
        );
    }
    let mut codes: Vec<String> = Vec::new();
    let mut keep = |code: &str| {
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_string());
        }
    };
    for tok in &tokens {
        let written = industry::split_written(tok);
        let check = industry::check_code(&written.code);
        let problem = match &check {
            CodeCheck::Known(ind) => {
                keep(&ind.code);
                match &written.name {
                    Some(name) if !industry::name_matches(ind, name) => Some(Msg::new(
                        T::FindIndustryName,
                        &[
                            ("code", &written.code),
                            ("industry", &industry::display(ind)),
                            ("name", name),
                        ],
                    )),
                    _ => None,
                }
            }
            CodeCheck::Unknown(t) => {
                let m = Msg::new(T::FindIndustryUnknown, &[("code", t)]);
                Some(match industry::by_name(t) {
                    Some(i) => m.and(T::FindIndustryHint, &[("industry", &industry::display(i))]),
                    None => m,
                })
            }
            CodeCheck::TooCoarse(ind) => Some(Msg::new(
                T::FindIndustryCoarse,
                &[
                    ("code", tok),
                    ("name", &ind.name),
                    ("level", level_name(ind)),
                ],
            )),
            CodeCheck::WrongSection {
                industry: ind,
                given,
            } => {
                let section = industry::section_of(&ind.code).unwrap_or('?').to_string();
                let m = Msg::new(
                    T::FindIndustrySection,
                    &[
                        ("code", tok),
                        ("icode", &ind.code),
                        ("name", &ind.name),
                        ("section", &section),
                        ("given", &given.to_string()),
                    ],
                );
                Some(if ind.level < 3 { and_coarse(m, ind) } else { m })
            }
            CodeCheck::NotASection {
                industry: ind,
                given,
            } => {
                let m = Msg::new(
                    T::FindIndustryNotSection,
                    &[("code", tok), ("given", &given.to_string())],
                );
                Some(if ind.level < 3 {
                    and_coarse(m, ind)
                } else {
                    m.and(
                        T::FindIndustryIs,
                        &[("icode", &ind.code), ("industry", &industry::display(ind))],
                    )
                })
            }
        };
        if let Some(message) = problem {
            if !matches!(check, CodeCheck::Known(_)) {
                keep(tok);
            }
            r.warning(Some(Field::Industry), "unknown-industry", message);
        }
    }
    codes
}

/// `门类` or `大类`: the name of a level coarser than the form asks for.
fn level_name(ind: &Industry) -> &'static str {
    if ind.level == 1 { "门类" } else { "大类" }
}

/// `m`, then why a 门类 or 大类 is not enough.
fn and_coarse(m: Msg, ind: &Industry) -> Msg {
    m.and(
        T::FindIndustryAndCoarse,
        &[
            ("icode", &ind.code),
            ("name", &ind.name),
            ("level", level_name(ind)),
        ],
    )
}

/// `numeric-industry`: the spreadsheet cell is a number, which drops leading zeros: 0111 稻谷种植
/// becomes 111. Only a number shorter than a 小类 can have lost one.
pub(super) fn numeric_industry(r: &mut RowCheck<'_, '_>) {
    let text = r.row.get(Field::Industry);
    if !(r.row.numeric.contains(&Field::Industry) && text.len() < 4) {
        return;
    }
    let guess = ["0", "00"]
        .iter()
        .filter_map(|z| industry::lookup(&format!("{z}{text}")))
        .find(|i| i.level >= 3);
    let mut m = Msg::new(
        T::FindNumericIndustry,
        &[("field", &Field::Industry.describe())],
    );
    if let Some(i) = guess {
        m = m.and(
            T::FindNumericGuess,
            &[("code", &i.code), ("name", &i.name), ("value", text)],
        );
    }
    r.warning(
        Some(Field::Industry),
        "numeric-industry",
        m.and(T::FindNumericRetype, &[]),
    );
}
