//! The GB/T 4754-2017 industry classification (国民经济行业分类), embedded at build time.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE_CSV: &str = include_str!("../data/gbt4754_2017.csv");
const NOTES_CSV: &str = include_str!("../data/gbt4754_2017_notes.csv");

/// One code of the classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Industry {
    /// The code: a section letter (门类), or 2, 3 or 4 digits (大类, 中类, 小类).
    pub code: String,
    /// The standard's name for the code.
    pub name: String,
    /// 1 = 门类, 2 = 大类, 3 = 中类, 4 = 小类.
    pub level: u8,
    /// The enclosing code, empty for a 门类.
    pub parent: String,
}

struct Table {
    by_code: HashMap<String, Industry>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_code = HashMap::with_capacity(2000);
        let mut rdr = csv::Reader::from_reader(TABLE_CSV.as_bytes());
        for rec in rdr.records().flatten() {
            let (Some(code), Some(name), Some(level), Some(parent)) =
                (rec.get(0), rec.get(1), rec.get(2), rec.get(3))
            else {
                continue;
            };
            let Ok(level) = level.parse::<u8>() else {
                continue;
            };
            by_code.insert(
                code.to_string(),
                Industry {
                    code: code.to_string(),
                    name: name.to_string(),
                    level,
                    parent: parent.to_string(),
                },
            );
        }
        Table { by_code }
    })
}

/// The notes, read on first use only: `validate` looks codes up but shows no note, and the
/// notes are two thirds of the embedded text.
fn notes() -> &'static HashMap<String, String> {
    static NOTES: OnceLock<HashMap<String, String>> = OnceLock::new();
    NOTES.get_or_init(|| {
        let mut notes = HashMap::with_capacity(1100);
        let mut rdr = csv::Reader::from_reader(NOTES_CSV.as_bytes());
        for rec in rdr.records().flatten() {
            if let (Some(code), Some(text)) = (rec.get(0), rec.get(1)) {
                notes.insert(code.to_string(), text.to_string());
            }
        }
        notes
    })
}

/// Looks a code up (exact, without section letter for numeric codes).
pub fn lookup(code: &str) -> Option<&'static Industry> {
    table().by_code.get(code)
}

/// The standard's explanatory note (说明) for a code, where it has one.
pub fn note(code: &str) -> Option<&'static str> {
    notes().get(code).map(String::as_str)
}

/// Codes whose name contains `words`, in code order.
pub fn search(words: &str) -> Vec<&'static Industry> {
    let w = words.trim();
    if w.is_empty() {
        return vec![];
    }
    let mut hits: Vec<&Industry> = table()
        .by_code
        .values()
        .filter(|i| i.name.contains(w))
        .collect();
    hits.sort_by(|a, b| a.code.cmp(&b.code));
    hits
}

/// Number of codes in the embedded table.
pub fn len() -> usize {
    table().by_code.len()
}

/// The section letter (门类) a numeric code belongs to.
pub fn section_of(code: &str) -> Option<char> {
    let mut cur = lookup(code)?;
    while cur.level > 1 {
        cur = lookup(&cur.parent)?;
    }
    cur.code.chars().next()
}

/// A code as written in a nomination, checked against the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// A known 中类 or 小类 code, normalised to `C3971` form.
    Known(&'static Industry),
    /// Text that is not a code, or a code missing from the table.
    Unknown(String),
    /// A real code, but a 门类 or 大类: the form asks for 中类 or 小类.
    TooCoarse(&'static Industry),
    /// The section letter given does not match the code's section.
    WrongSection {
        /// The code as found in the table.
        industry: &'static Industry,
        /// The letter that was written.
        given: char,
    },
    /// The letter given is no section letter at all (they run A–T).
    NotASection {
        /// The code the digits name.
        industry: &'static Industry,
        /// The letter that was written.
        given: char,
    },
}

/// Splits an industry field into its codes (separators `;` `；` `,` `，` `、`, `/` and line
/// breaks), each trimmed, inner white space runs kept as one space (`C2761 生物药品制造`).
pub fn split_codes(field: &str) -> Vec<String> {
    field
        .split([';', '；', ',', '，', '、', '\n', '/'])
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect()
}

/// A code as written, split into the code and the name written beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The code part without spaces (`C2761`), or the whole token when no code is found.
    pub code: String,
    /// A name written with the code: `C2761 生物药品制造`, `生物药品制造（2761）`.
    pub name: Option<String>,
}

/// Splits `C2761 生物药品制造`, `2761生物药品制造` or `生物药品制造（C2761）` into code and name.
pub fn split_written(token: &str) -> Written {
    let compact: String = token.split_whitespace().collect();
    let name_of = |s: &str| {
        let n = s.trim_matches(|c: char| c.is_whitespace() || "()（）[]【】:：-—_".contains(c));
        (!n.is_empty()).then(|| n.to_string())
    };
    // Code first: an optional section letter, then digits.
    let letter_len = compact
        .chars()
        .next()
        .filter(char::is_ascii_alphabetic)
        .map_or(0, char::len_utf8);
    let digits = compact[letter_len..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(compact.len(), |i| letter_len + i);
    if digits > letter_len {
        return Written {
            code: compact[..digits].to_string(),
            name: name_of(&compact[digits..]),
        };
    }
    // Name first, code in brackets at the end: 生物药品制造（2761）.
    if let Some(open) = compact.rfind(['(', '（'])
        && compact.ends_with([')', '）'])
    {
        let inner = compact[open..]
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）']);
        let mut chars = inner.chars();
        let rest = match chars.next() {
            Some(c) if c.is_ascii_alphabetic() => chars.as_str(),
            _ => inner,
        };
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            return Written {
                code: inner.to_string(),
                name: name_of(&compact[..open]),
            };
        }
    }
    Written {
        code: compact,
        name: None,
    }
}

/// Whether a name written beside a code is the table's name for it or for an enclosing code
/// (`2761 生物药品制品制造` names the 中类 of 2761): one contains the other.
pub fn name_matches(ind: &Industry, written: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !"()（）、，,".contains(*c))
            .collect()
    };
    let w = norm(written);
    let mut cur = Some(ind);
    while let Some(i) = cur {
        let n = norm(&i.name);
        if n.contains(&w) || w.contains(&n) {
            return true;
        }
        cur = lookup(&i.parent);
    }
    false
}

/// The code whose table name is exactly `name`, for a hint when only a name was written.
pub fn by_name(name: &str) -> Option<&'static Industry> {
    let n = name.trim();
    table()
        .by_code
        .values()
        .filter(|i| i.level >= 3 && i.name == n)
        .min_by(|a, b| a.code.cmp(&b.code))
}

/// Checks one code token such as `C3971`, `3971` or `c 3971`.
pub fn check_code(token: &str) -> CodeCheck {
    let compact: String = token.split_whitespace().collect();
    let mut chars = compact.chars();
    let (letter, digits) = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => (Some(c.to_ascii_uppercase()), chars.as_str()),
        _ => (None, compact.as_str()),
    };
    if digits.is_empty() {
        // A lone section letter.
        if let Some(l) = letter
            && let Some(ind) = lookup(&l.to_string())
        {
            return CodeCheck::TooCoarse(ind);
        }
        return CodeCheck::Unknown(compact);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return CodeCheck::Unknown(compact);
    }
    let Some(ind) = lookup(digits) else {
        return CodeCheck::Unknown(compact);
    };
    if let Some(given) = letter
        && section_of(digits) != Some(given)
    {
        let is_section = lookup(&given.to_string()).is_some_and(|i| i.level == 1);
        return if is_section {
            CodeCheck::WrongSection {
                industry: ind,
                given,
            }
        } else {
            CodeCheck::NotASection {
                industry: ind,
                given,
            }
        };
    }
    if ind.level < 3 {
        return CodeCheck::TooCoarse(ind);
    }
    CodeCheck::Known(ind)
}

/// How a stored industry code reads on screen: `C3971 电子真空器件制造` when it is a known
/// 中类 or 小类; otherwise what was written, marked, so nothing the nominator wrote is hidden.
pub fn label(code: &str, english: bool) -> String {
    let w = split_written(code);
    match check_code(&w.code) {
        CodeCheck::Known(i) => display(i),
        CodeCheck::TooCoarse(i) => {
            let level = match (i.level, english) {
                (1, true) => "section, too coarse",
                (1, false) => "门类，过粗",
                (_, true) => "division, too coarse",
                (_, false) => "大类，过粗",
            };
            if english {
                format!("{} ({level})", display(i))
            } else {
                format!("{}（{level}）", display(i))
            }
        }
        CodeCheck::WrongSection { industry: i, given } => {
            if english {
                format!("{code} (section {given} is wrong: {})", display(i))
            } else {
                format!("{code}（门类字母 {given} 有误：{}）", display(i))
            }
        }
        CodeCheck::NotASection { industry: i, given } => {
            if english {
                format!("{code} ({given} is not a section letter: {})", display(i))
            } else {
                format!("{code}（{given} 不是门类字母：{}）", display(i))
            }
        }
        _ if english => format!("{code} (not a GB/T 4754-2017 code)"),
        _ => format!("{code}（不是 GB/T 4754-2017 代码）"),
    }
}

/// `C3971 电子真空器件制造`: the code with its section letter and name.
pub fn display(ind: &Industry) -> String {
    match section_of(&ind.code) {
        Some(s) if ind.level > 1 => format!("{s}{} {}", ind.code, ind.name),
        _ => format!("{} {}", ind.code, ind.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_all_codes() {
        assert_eq!(len(), 1971);
        let levels = |l| table().by_code.values().filter(|i| i.level == l).count();
        assert_eq!(
            (levels(1), levels(2), levels(3), levels(4)),
            (20, 97, 473, 1381)
        );
        assert_eq!(lookup("0111").map(|i| i.name.as_str()), Some("稻谷种植"));
    }

    #[test]
    fn codes_in_all_written_forms() {
        for t in ["C3971", "3971", "c3971", "C 3971"] {
            match check_code(t) {
                CodeCheck::Known(i) => assert_eq!(i.name, "电子真空器件制造"),
                other => panic!("{t}: {other:?}"),
            }
        }
        assert!(matches!(check_code("397"), CodeCheck::Known(i) if i.level == 3));
        assert!(matches!(check_code("39"), CodeCheck::TooCoarse(_)));
        assert!(matches!(check_code("C"), CodeCheck::TooCoarse(_)));
        assert!(matches!(check_code("9999"), CodeCheck::Unknown(_)));
        assert!(matches!(check_code("abc"), CodeCheck::Unknown(_)));
        assert!(matches!(
            check_code("I3971"),
            CodeCheck::WrongSection { given: 'I', .. }
        ));
    }

    #[test]
    fn splits_on_every_separator() {
        // Inner spaces stay (as one) so a name written beside a code is kept.
        assert_eq!(
            split_codes("C3971；I6520, 3972，C  3973、 652/C2761 生物药品制造"),
            vec![
                "C3971",
                "I6520",
                "3972",
                "C 3973",
                "652",
                "C2761 生物药品制造"
            ]
        );
        assert!(split_codes(" ；").is_empty());
    }

    #[test]
    fn codes_written_with_names() {
        let w = |code: &str, name: Option<&str>| Written {
            code: code.into(),
            name: name.map(str::to_string),
        };
        assert_eq!(
            split_written("C2761 生物药品制造"),
            w("C2761", Some("生物药品制造"))
        );
        assert_eq!(
            split_written("2761生物药品制造"),
            w("2761", Some("生物药品制造"))
        );
        assert_eq!(split_written("C 2761"), w("C2761", None));
        assert_eq!(
            split_written("生物药品制造（2761）"),
            w("2761", Some("生物药品制造"))
        );
        assert_eq!(
            split_written("生物药品制造(C2761)"),
            w("C2761", Some("生物药品制造"))
        );
        assert_eq!(
            split_written("2761（生物药品制造）"),
            w("2761", Some("生物药品制造"))
        );
        assert_eq!(split_written("生物药品制造"), w("生物药品制造", None));
        assert_eq!(split_written("abc"), w("abc", None));
        let i = lookup("2761").unwrap();
        assert!(name_matches(i, "生物药品制造"));
        assert!(name_matches(i, "生物药品"));
        assert!(name_matches(i, "生物药品制品制造"), "the 中类's name");
        assert!(name_matches(i, "医药制造业"), "the 大类's name");
        assert!(!name_matches(i, "化学药品原料药制造"));
        assert_eq!(
            by_name("生物药品制造").map(|i| i.code.as_str()),
            Some("2761")
        );
    }

    #[test]
    fn labels_mark_what_is_not_a_code() {
        assert_eq!(label("2761", false), "C2761 生物药品制造");
        assert_eq!(
            label("C39", false),
            "C39 计算机、通信和其他电子设备制造业（大类，过粗）"
        );
        assert_eq!(label("9999", false), "9999（不是 GB/T 4754-2017 代码）");
        // A real code under the wrong section letter says which code it is.
        assert_eq!(
            label("I2761", false),
            "I2761（门类字母 I 有误：C2761 生物药品制造）"
        );
        assert_eq!(
            label("I2761", true),
            "I2761 (section I is wrong: C2761 生物药品制造)"
        );
        assert!(matches!(
            check_code("X12"),
            CodeCheck::NotASection { given: 'X', .. }
        ));
    }

    #[test]
    fn display_and_notes() {
        let i = lookup("6520").unwrap();
        assert_eq!(display(i), "I6520 集成电路设计");
        assert_eq!(section_of("0111"), Some('A'));
        assert!(note("011").is_some());
        let hits: Vec<_> = search("集成电路").iter().map(|i| i.code.as_str()).collect();
        assert!(hits.contains(&"6520") && hits.contains(&"3973"), "{hits:?}");
    }
}
