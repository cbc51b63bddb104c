//! Extended grapheme clusters, as `unicode-segmentation` gives them, with a shortcut for
//! characters that are a cluster of their own whatever their neighbours: printable ASCII and
//! Latin-1, general and CJK punctuation, CJK ideographs, fullwidth forms. Chinese material is
//! almost all such characters, and segmenting it was most of wrapping and padding it.

use unicode_segmentation::UnicodeSegmentation;

/// Whether `c` has no grapheme-joining property at all (Grapheme_Cluster_Break Other, no
/// Indic conjunct property, not a control): between two such characters there is always a
/// cluster boundary. Deliberately a short list of ranges; anything else is segmented.
pub fn is_lone(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{A1}'..='\u{AC}'
        | '\u{AE}'..='\u{FF}'
        | '\u{2010}'..='\u{2027}'
        | '\u{3000}'..='\u{3029}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF01}'..='\u{FF60}'
    )
}

/// Whether `c` is a CJK unified ideograph (U+4E00..=U+9FFF): a cluster of its own, two cells
/// wide in either ambiguous-width mode and on every terminal.
pub fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// Whether `s` is one CJK unified ideograph and nothing else (three bytes in UTF-8).
pub fn one_ideograph(s: &str) -> bool {
    s.len() == 3 && s.chars().next().is_some_and(is_ideograph)
}

/// The clusters of `s` with their byte offsets: exactly `s.grapheme_indices(true)`.
pub fn clusters(s: &str) -> Clusters<'_> {
    Clusters { s, at: 0 }
}

/// See [`clusters`].
#[derive(Clone, Debug)]
pub struct Clusters<'a> {
    s: &'a str,
    /// A cluster boundary: where the next cluster starts.
    at: usize,
}

impl<'a> Iterator for Clusters<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let rest = self.s.get(self.at..).filter(|r| !r.is_empty())?;
        let mut chars = rest.chars();
        let first = chars.next()?;
        // Why: `at` is a boundary, so a lone character followed by another (or by the end)
        // is a cluster by itself; otherwise segmentation from a boundary gives the clusters
        // segmenting the whole text gives.
        let len = if is_lone(first) && chars.next().is_none_or(is_lone) {
            first.len_utf8()
        } else {
            rest.graphemes(true).next().map_or(rest.len(), str::len)
        };
        let start = self.at;
        self.at += len;
        Some((start, &rest[..len]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every lone character stands alone beside itself, ASCII, an ideograph, a joiner, marks,
    /// a prepended sign, a virama and a regional indicator.
    #[test]
    fn lone_characters_never_join_a_neighbour() {
        let mut n = 0;
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_lone(c))
        {
            n += 1;
            for (probe, last_alone) in [
                (format!("{c}{c}"), true),
                (format!("a{c}b"), true),
                (format!("中{c}、"), true),
                (format!("\u{915}\u{94D}{c}"), true),
                (format!("\u{1F1E8}{c}"), true),
                (format!("\u{1100}{c}"), true),
                (format!("{c}\u{1100}"), true),
            ] {
                let got: Vec<(usize, &str)> = clusters(&probe).collect();
                let want: Vec<(usize, &str)> = probe.grapheme_indices(true).collect();
                assert_eq!(got, want, "{probe:?}");
                if last_alone {
                    assert!(want.iter().any(|&(_, g)| g == c.to_string()), "{probe:?}");
                }
            }
        }
        assert!(n > 20_000, "the shortcut covers CJK text ({n} characters)");
    }

    const ATOMS: &[&str] = &[
        "中",
        "，",
        "。",
        "“",
        "”",
        "—",
        "…",
        "a",
        "Z",
        " ",
        "\u{3000}",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\u{1}",
        "\u{AD}",
        "©",
        "®",
        "\u{200D}",
        "\u{200B}",
        "\u{301}",
        "\u{FE0F}",
        "\u{600}",
        "\u{915}",
        "\u{94D}",
        "\u{93F}",
        "\u{1F1E8}",
        "\u{1F1F3}",
        "👩",
        "💻",
        "🏽",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "한",
        "ｶ",
        "\u{FF9E}",
        "\u{302A}",
        "\u{F8FF}",
        "é",
        "\u{1F600}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn clusters_are_the_segmenters(parts in prop::collection::vec(prop::sample::select(ATOMS), 0..40)) {
            let s = parts.concat();
            let got: Vec<(usize, &str)> = clusters(&s).collect();
            let want: Vec<(usize, &str)> = s.grapheme_indices(true).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn so_on_any_text(s in "\\PC*|[\\x00-\\x1f\\u{300}-\\u{36f}a \u{200d}\u{1f1e6}-\u{1f1ff}中]*") {
            let got: Vec<(usize, &str)> = clusters(&s).collect();
            let want: Vec<(usize, &str)> = s.grapheme_indices(true).collect();
            prop_assert_eq!(got, want);
        }
    }
}
