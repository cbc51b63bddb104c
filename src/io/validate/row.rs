//! Rules about one nomination's fields (industry codes apart, in `industry`).

use super::batch::domain_list;
use super::values::{parse_trl, valid_email, valid_phone};
use super::{Msg, RowCheck};
use crate::domain::batch::{Field, ProjectType};
use crate::domain::profile::Profile;
use crate::io::import::Format;
use crate::text::i18n::T;

/// `missing-field`: a required field is empty (reported once, at the header, when its whole
/// column is missing; the row is unusable either way).
pub(super) fn required_fields(r: &mut RowCheck<'_, '_>) {
    for f in Field::ALL.into_iter().filter(|f| f.required()) {
        let column_missing = r.cx.raw.format != Format::Json && !r.cx.raw.columns.contains(&f);
        if r.row.get(f).is_empty() {
            if column_missing {
                r.ok = false;
            } else {
                r.error(
                    Some(f),
                    "missing-field",
                    Msg::new(T::FindMissingField, &[("field", &f.describe())]),
                );
            }
        }
    }
}

/// `extra-cells`: cells beyond the header. In CSV an unquoted comma split a field and its tail
/// would be lost (an error); in a sheet, text typed to the right of the table (a warning). Empty
/// ones (Excel writes trailing commas) are fine.
pub(super) fn extra_cells(r: &mut RowCheck<'_, '_>) {
    let raw = r.cx.raw;
    if raw.format == Format::Json || r.row.cells <= raw.header_width {
        return;
    }
    let (cells, columns) = (r.row.cells.to_string(), raw.header_width.to_string());
    let counts = Msg::new(
        T::FindExtraCells,
        &[("cells", &cells), ("columns", &columns)],
    );
    if raw.format == Format::Csv {
        r.error(None, "extra-cells", counts.and(T::FindExtraCellsCsv, &[]));
    } else {
        r.warning(None, "extra-cells", counts.and(T::FindExtraCellsXlsx, &[]));
    }
}

/// `unknown-domain`: the row's domain is not in the profile; `wrong-domain`: it is another
/// domain than the batch's (outside a final review). The domain's key, empty when unknown.
pub(super) fn domain(
    r: &mut RowCheck<'_, '_>,
    profile: &Profile,
    batch_domain: Option<&str>,
    final_review: bool,
) -> String {
    let text = r.row.get(Field::Domain);
    if text.is_empty() {
        return String::new();
    }
    let Some(d) = profile.domain(text) else {
        r.error(
            Some(Field::Domain),
            "unknown-domain",
            Msg::new(
                T::FindRowDomain,
                &[
                    ("domain", text),
                    ("profile", &profile.id),
                    ("domains", &domain_list(profile)),
                ],
            ),
        );
        return String::new();
    };
    if !final_review
        && let Some(bd) = batch_domain
        && bd != d.key
    {
        let bname = profile.domain(bd).map(|x| x.name.as_str()).unwrap_or(bd);
        r.error(
            Some(Field::Domain),
            "wrong-domain",
            Msg::new(T::FindWrongDomain, &[("item", &d.name), ("batch", bname)]),
        );
    }
    d.key.clone()
}

/// `bad-project-type`: neither 应用研究 nor 开发研究. The type, when it is one.
pub(super) fn project_type(r: &mut RowCheck<'_, '_>) -> Option<ProjectType> {
    parsed(
        r,
        Field::ProjectType,
        ProjectType::parse,
        "bad-project-type",
        |text| Msg::new(T::FindProjectType, &[("value", text)]),
    )
}

/// `bad-trl`: the readiness level is not a whole number from 1 to 9. The level, when it is one.
pub(super) fn trl(r: &mut RowCheck<'_, '_>) -> Option<u8> {
    parsed(r, Field::Trl, parse_trl, "bad-trl", |text| {
        Msg::new(T::FindTrl, &[("value", text)])
    })
}

/// A field's value, parsed; an error `code` saying `message(text)` when its text is there but
/// does not parse.
fn parsed<T>(
    r: &mut RowCheck<'_, '_>,
    field: Field,
    parse: impl Fn(&str) -> Option<T>,
    code: &'static str,
    message: impl Fn(&str) -> Msg,
) -> Option<T> {
    let text = r.row.get(field);
    let value = parse(text);
    if value.is_none() && !text.is_empty() {
        r.error(Some(field), code, message(text));
    }
    value
}

/// `too-long`: a text over the profile's limit, in Unicode characters.
pub(super) fn lengths(r: &mut RowCheck<'_, '_>, profile: &Profile) {
    let lim = &profile.limits;
    for (f, max) in [
        (Field::Team, lim.team),
        (Field::Level, lim.level),
        (Field::Benefits, lim.benefits),
        (Field::LevelDetail, lim.level_detail),
        (Field::BenefitsDetail, lim.benefits_detail),
    ] {
        let n = r.row.get(f).chars().count();
        if n > max as usize {
            r.warning(
                Some(f),
                "too-long",
                Msg::new(
                    T::FindTooLong,
                    &[
                        ("field", &f.describe()),
                        ("n", &n.to_string()),
                        ("max", &max.to_string()),
                    ],
                ),
            );
        }
    }
}

/// `bad-email`: an email address that is not a plausible one.
pub(super) fn email(r: &mut RowCheck<'_, '_>) {
    let email = r.row.get(Field::Email);
    if !email.is_empty() && !valid_email(email) {
        r.warning(
            Some(Field::Email),
            "bad-email",
            Msg::new(T::FindEmail, &[("value", email)]),
        );
    }
}

/// `bad-phone`: neither a mobile nor a landline with its area code.
pub(super) fn phone(r: &mut RowCheck<'_, '_>) {
    let phone = r.row.get(Field::Phone);
    if !phone.is_empty() && !valid_phone(phone) {
        r.warning(
            Some(Field::Phone),
            "bad-phone",
            Msg::new(T::FindPhone, &[("value", phone)]),
        );
    }
}

/// `bad-number`: a preliminary rank or score that is not a number. Both, when they are.
pub(super) fn preliminary(r: &mut RowCheck<'_, '_>) -> (Option<u32>, Option<f64>) {
    let not_a_number = |f: Field| {
        move |text: &str| Msg::new(T::FindNumber, &[("field", &f.describe()), ("value", text)])
    };
    let rank = parsed(
        r,
        Field::PreliminaryRank,
        |t| t.parse::<u32>().ok(),
        "bad-number",
        not_a_number(Field::PreliminaryRank),
    );
    let score = parsed(
        r,
        Field::PreliminaryScore,
        |t| t.parse::<f64>().ok().filter(|s| s.is_finite()),
        "bad-number",
        not_a_number(Field::PreliminaryScore),
    );
    (rank, score)
}
