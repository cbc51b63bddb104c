//! Rules about a nomination's industry codes (GB/T 4754-2017).

use std::fmt::Write as _;

use super::RowCheck;
use crate::domain::batch::Field;
use crate::domain::industry::{self, CodeCheck, Industry};

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
            format!(
                "required field {} is empty (it holds only '{text}')",
                Field::Industry.describe()
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
                    Some(name) if !industry::name_matches(ind, name) => Some(format!(
                        "industry code '{}' is {} in GB/T 4754-2017, not '{name}': check which was meant",
                        written.code,
                        industry::display(ind)
                    )),
                    _ => None,
                }
            }
            CodeCheck::Unknown(t) => {
                let hint = industry::by_name(t)
                    .map(|i| format!(" (its code is {})", industry::display(i)))
                    .unwrap_or_default();
                Some(format!(
                    "industry code '{t}' is not a GB/T 4754-2017 中类 or 小类{hint}"
                ))
            }
            CodeCheck::TooCoarse(ind) => Some(format!(
                "industry code '{tok}' ({}) is a {}; the form asks for a 中类 (3 digits) or 小类 (4 digits)",
                ind.name,
                level_name(ind)
            )),
            CodeCheck::WrongSection {
                industry: ind,
                given,
            } => {
                let mut m = format!(
                    "industry code '{tok}': {} {} belongs to section {}, not {given}",
                    ind.code,
                    ind.name,
                    industry::section_of(&ind.code).unwrap_or('?')
                );
                if ind.level < 3 {
                    let _ = write!(m, "; and {}", coarse(ind));
                }
                Some(m)
            }
            CodeCheck::NotASection {
                industry: ind,
                given,
            } => {
                let mut m = format!(
                    "industry code '{tok}': {given} is not a GB/T 4754-2017 section letter (A–T)"
                );
                if ind.level < 3 {
                    let _ = write!(m, "; and {}", coarse(ind));
                } else {
                    let _ = write!(m, "; {} is {}", ind.code, industry::display(ind));
                }
                Some(m)
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

/// Why a 门类 or 大类 is not enough, for messages.
fn coarse(ind: &Industry) -> String {
    format!(
        "{} {} is a {}, too coarse: the form asks for a 中类 (3 digits) or 小类 (4 digits)",
        ind.code,
        ind.name,
        level_name(ind)
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
        .find(|i| i.level >= 3)
        .map(|i| format!(" ({} {} would read as {text})", i.code, i.name))
        .unwrap_or_default();
    r.warning(
        Some(Field::Industry),
        "numeric-industry",
        format!(
            "{} is a number in the spreadsheet, so leading zeros may have been lost{guess}; \
             format the column as text and retype the codes",
            Field::Industry.describe()
        ),
    );
}
