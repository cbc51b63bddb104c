//! Checks of single values: a readiness level, an email address, a Chinese phone number.

/// Parses a TRL: `7`, `7.0` (spreadsheets), `TRL7`, `TRL 7`, `7级`.
pub fn parse_trl(s: &str) -> Option<u8> {
    let t = s.trim();
    let t = t
        .strip_prefix("TRL")
        .or_else(|| t.strip_prefix("trl"))
        .unwrap_or(t);
    let t = t.trim_start_matches(['-', ' ', ':', '：']);
    let t = t.strip_suffix('级').unwrap_or(t).trim();
    let v: f64 = t.parse().ok()?;
    (v.fract() == 0.0 && (1.0..=9.0).contains(&v)).then_some(v as u8)
}

/// A plausible email address (one `@`, a dotted domain, no spaces).
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    !local.is_empty()
        && local.chars().all(ok_char)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// A Chinese phone number: mobile `1[3-9]` + 9 digits, a landline with its area code
/// (`010`/`02x` + 8 digits, `0xxx` + 7–8 digits), or a 400/800 number. Written as people
/// write them: spaces, dashes and brackets anywhere (`138-1037-7984`, `(010)68600642`),
/// a country code (`+86 10 68600642`, `0086 13810377984`, `86-010-68600642`), an
/// extension (`转123`, `-801`, `ext. 5`). Several numbers may be given, separated by `；`,
/// `;`, `/`, `、`, `,` or `，`.
pub fn valid_phone(s: &str) -> bool {
    let mut parts = s
        .split([';', '；', '/', '、', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .peekable();
    parts.peek().is_some() && parts.all(valid_one_phone)
}

fn valid_one_phone(p: &str) -> bool {
    // Full-width digits and dashes, as typed with a Chinese input method.
    let p: String = p
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' | '—' | '–' => '-',
            '＋' => '+',
            c => c,
        })
        .collect();
    // An extension after 转, 分机, ext or x is not part of the number.
    let lower = p.to_lowercase();
    let cut = ["转", "分机", "ext", "x", "#"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(lower.len());
    let (main, ext) = lower.split_at(cut);
    let ext_ok = ext
        .trim_start_matches(['转', '分', '机', 'e', 'x', 't', '.', ':', '：', '#', ' '])
        .chars()
        .all(|c| c.is_ascii_digit());
    let sep = |c: char| matches!(c, ' ' | '-' | '(' | ')' | '（' | '）' | '.' | '\u{3000}');
    if !ext_ok
        || !main
            .chars()
            .all(|c| c.is_ascii_digit() || sep(c) || c == '+')
    {
        return false;
    }
    // The last dash may also start an extension: "010-68600642-801".
    let whole = main
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let without_dash_ext = main
        .rsplit_once('-')
        .filter(|(_, e)| {
            let e = e.trim();
            (1..=6).contains(&e.len()) && e.chars().all(|c| c.is_ascii_digit())
        })
        .map(|(m, _)| m.chars().filter(char::is_ascii_digit).collect::<String>());
    let plus = main.trim_start().starts_with('+');
    std::iter::once(whole)
        .chain(without_dash_ext)
        .any(|d| national_number(&d, plus))
}

/// Whether digits (country code included or not) make a Chinese number.
fn national_number(d: &str, plus: bool) -> bool {
    let national = if let Some(rest) = d.strip_prefix("0086") {
        rest
    } else if let Some(rest) = d.strip_prefix("86").filter(|_| plus || d.len() >= 12) {
        rest
    } else if plus {
        // Another country's number: leave it be if it has a plausible length.
        return (8..=15).contains(&d.len());
    } else {
        d
    };
    let mobile =
        |n: &str| n.len() == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9');
    let landline = |n: &str| {
        let b = n.as_bytes();
        match (b.first(), b.get(1), b.get(2)) {
            (Some(b'0'), Some(b'1'), Some(b'0')) | (Some(b'0'), Some(b'2'), _) => n.len() == 11,
            (Some(b'0'), Some(b'3'..=b'9'), _) => (11..=12).contains(&n.len()),
            _ => false,
        }
    };
    let service =
        (national.starts_with("400") || national.starts_with("800")) && national.len() == 10;
    // After a country code the trunk 0 of the area code is dropped: +86 10 68600642.
    let with_trunk = format!("0{national}");
    let international = national.len() != d.len();
    mobile(national)
        || landline(national)
        || service
        || (international && !national.starts_with('0') && landline(&with_trunk))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trl_forms() {
        for (s, v) in [
            ("7", Some(7)),
            ("7.0", Some(7)),
            ("TRL7", Some(7)),
            ("TRL 9", Some(9)),
            ("6级", Some(6)),
            ("0", None),
            ("10", None),
            ("6.5", None),
            ("高", None),
        ] {
            assert_eq!(parse_trl(s), v, "{s}");
        }
    }

    #[test]
    fn emails() {
        assert!(valid_email("li.xiaopeng@example.edu.cn"));
        assert!(!valid_email("li@example"));
        assert!(!valid_email("li example@x.cn"));
        assert!(!valid_email("@x.cn"));
        assert!(!valid_email("a@b..cn"));
    }

    #[test]
    fn phones() {
        for p in [
            "13810377984",
            "010-68600642",
            "0755-86001234",
            "+86 138 1037 7984",
            "(010)68600642",
            "010-68600642-801",
            "010-68600642转801",
            "4008001234",
            "010-68600642；13810377984",
        ] {
            assert!(valid_phone(p), "{p}");
        }
        // Written as people really write them.
        for p in [
            "138-1037-7984",
            "138 1037 7984",
            "+86 10 68600642",
            "+86-10-68600642",
            "+86 (10) 6860 0642",
            "0086 13810377984",
            "+8613810377984",
            "86-010-68600642",
            "(010)68600642",
            "（010）68600642",
            "010-68600642转123",
            "010-68600642 分机 123",
            "010-68600642 ext. 5",
            "0755-8600-1234",
            "0571-8888888",
            "010 6860 0642",
            "１３８１０３７７９８４",
            "010-68600642；13810377984",
            "010-68600642;13810377984",
            "010-68600642、13810377984",
            "010-68600642,13810377984",
            "010-68600642/13810377984",
            "400-800-1234",
            "+1 650 253 0000",
        ] {
            assert!(valid_phone(p), "{p}");
        }
        for p in [
            "12345",
            "23810377984",
            "电话",
            "010-686",
            "138103779841",
            "1381037798",
            "+86 1381037798",
            "138-1037-798a",
            "tel 13810377984",
            "0101234567",
            "68600642",
            "010-68600642转abc",
            "；",
            "+86",
        ] {
            assert!(!valid_phone(p), "{p}");
        }
    }
}
