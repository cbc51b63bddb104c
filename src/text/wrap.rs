//! Display-width-aware wrapping and truncation for Chinese and mixed Chinese/Latin text.
//!
//! Every function here measures text the same way, so what is measured is what gets drawn:
//! - The width of a string is the sum, over its extended grapheme clusters, of each cluster's
//!   `unicode-width` width. CJK is 2 cells, combining marks 0, emoji as unicode-width says (ZWJ
//!   sequences, flags and FE0F emoji are 2). Ambiguous-width characters such as “ ” … — are 1,
//!   which matches ratatui, unless the thread's [`ambiguous::mode`] is wide: then they are 2, and
//!   the text [`wrap`], [`truncate`] and [`pad`] return carries the marker that makes ratatui
//!   count them as 2 too ([`ambiguous::widen`]). Clusters are summed one by one, as ratatui's buffer does, rather than
//!   using unicode-width's whole-string rules.
//! - A tab is drawn as [`TAB_WIDTH`] spaces, with no tab stops, so a line's width never depends on
//!   where it starts.
//! - Any other control character is drawn as U+FFFD (1 cell), so a terminal never receives one.
//! - In the single-line functions ([`width`], [`truncate`], [`pad`]) a line break ("\n", "\r\n" or
//!   "\r") is drawn as one space. [`wrap`] treats a line break as a paragraph break.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use super::ambiguous::{self, AmbiguousWidth};

mod clusters;
mod lazy;
pub use clusters::{clusters, is_ideograph, is_lone, one_ideograph};
pub use lazy::LazyWrap;

/// Number of spaces a tab is drawn as, everywhere in this module.
pub const TAB_WIDTH: usize = 4;
const TAB_SPACES: &str = "    ";
const _: () = assert!(TAB_SPACES.len() == TAB_WIDTH);

// ASCII on purpose: '…' is East-Asian-ambiguous and takes two cells in many CJK-locale
// terminals (Xshell, PuTTY with CJK settings), which would push every truncated row out of line.
const ELLIPSIS: char = '~';
const REPLACEMENT: &str = "\u{FFFD}";
const IDEOGRAPHIC_SPACE: char = '\u{3000}';

/// Width of `s` in terminal cells, measured by the conventions in the module docs.
pub fn width(s: &str) -> usize {
    // Why: most table cells are printable ASCII, so skip grapheme segmentation for them.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    clusters(s).map(|(_, g)| shown(g).1).sum()
}

/// Wraps `text` into lines of at most `width` cells (details in [`wrap_ranges`]).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let text = ambiguous::strip(text);
    wrap_ranges(&text, width)
        .into_iter()
        .map(|r| ambiguous::widen_owned(render(text.get(r).unwrap_or_default())))
        .collect()
}

/// Wraps `text` and returns byte ranges into it, one per line. This lets callers style search hits inside wrapped lines.
///
/// - Each hard line break ("\n", "\r\n", "\r") starts a new paragraph. An empty or all-space
///   paragraph gives one empty line, as `str::lines` does: a final line break adds no line, and ""
///   gives no lines.
/// - Chinese (and other wide characters and emoji) may break between any two clusters. Latin words
///   and numbers break only at spaces or next to wide characters, so no space is ever inserted.
/// - Kinsoku: a line never starts with closing punctuation (，。、；：？！）》」』” …) and never ends
///   with opening punctuation (（《「『“ …), and "——" and "……" are never split. The only
///   exception is a line that could not be filled otherwise.
/// - A word wider than `width` is broken by cells. A break after `/ - _ . ? & = ,` is preferred
///   if it keeps the line at least half full.
/// - Spaces at break points are dropped, so no line has trailing spaces and no continuation line
///   has leading spaces. A paragraph keeps its own indentation.
/// - Grapheme clusters are never split. A cluster wider than `width` gets a line of its own, so
///   every line fits in `max(width, widest cluster)` cells.
/// - A line's text may contain tabs and control characters. [`wrap`] renders them, and the width
///   of each line counts them as rendered.
/// - `width == 0` gives no lines.
pub fn wrap_ranges(text: &str, width: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if width == 0 {
        return out;
    }
    let mut cls = Vec::new();
    let mut para_start = 0;
    for (i, g) in clusters(text) {
        if is_line_break(g) {
            wrap_paragraph(&cls, para_start, width, &mut out);
            cls.clear();
            para_start = i + g.len();
        } else {
            cls.push(Cluster::new(i, g));
        }
    }
    // Why: like `str::lines`, a trailing line break does not open another (empty) paragraph.
    if para_start < text.len() {
        wrap_paragraph(&cls, para_start, width, &mut out);
    }
    out
}

/// Fits `s` on one line of `width` cells, ending with "~" when cut; the result is exactly `min(width(s), width)` cells.
pub fn truncate(s: &str, width: usize) -> String {
    let (out, _) = truncate_measured(&ambiguous::strip(s), width);
    ambiguous::widen_owned(out)
}

/// Truncates `s` to `width` cells, then pads it with spaces to exactly `width` cells (for table columns).
pub fn pad(s: &str, width: usize) -> String {
    let (mut out, w) = truncate_measured(&ambiguous::strip(s), width);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    ambiguous::widen_owned(out)
}

/// Returns the truncated text and its width, in one pass that stops once the cut is known.
fn truncate_measured(s: &str, max: usize) -> (String, usize) {
    if max == 0 {
        return (String::new(), 0);
    }
    let budget = max - 1; // one cell is kept for the ellipsis if the text turns out too wide
    let mut out = String::with_capacity(s.len().min(max * 4) + 4);
    let mut w = 0;
    // Length and width of `out` at the last point where an ellipsis would still fit.
    let mut cut: Option<(usize, usize)> = None;
    for (_, g) in clusters(s) {
        let (shown_text, cw) = shown(g);
        if cut.is_none() && w + cw > budget {
            cut = Some((out.len(), w));
        }
        if w + cw > max {
            let (len, cut_w) = cut.unwrap_or((out.len(), w));
            out.truncate(len);
            return (finish_with_ellipsis(out, cut_w, max), max);
        }
        out.push_str(shown_text);
        w += cw;
    }
    (out, w)
}

/// Appends "~" to a prefix of width `w` and pads it to exactly `max` cells.
fn finish_with_ellipsis(mut out: String, mut w: usize, max: usize) -> String {
    // Why: "word …" reads like a separate token, so attach the ellipsis to the text.
    loop {
        if out.ends_with(' ') {
            out.pop();
            w -= 1;
        } else if out.ends_with(IDEOGRAPHIC_SPACE) {
            out.pop();
            w -= 2;
        } else {
            break;
        }
    }
    out.push(ELLIPSIS);
    w += 1;
    // Why: a wide character that did not fit leaves a cell free; fill it so columns line up.
    out.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    out
}

/// How one grapheme cluster is drawn on a single line: its text and width in cells.
fn shown(g: &str) -> (&str, usize) {
    // Why: printable ASCII is one cell in either ambiguous mode, and most of what is measured.
    if let [b] = g.as_bytes()
        && (0x20..0x7f).contains(b)
    {
        return (g, 1);
    }
    match g {
        "\t" => (TAB_SPACES, TAB_WIDTH),
        "\n" | "\r\n" | "\r" => (" ", 1),
        // Why: control characters stand alone in a cluster (except "\r\n", handled above).
        _ if g.starts_with(char::is_control) => (REPLACEMENT, 1),
        _ => match ambiguous::mode() {
            AmbiguousWidth::Narrow if !g.starts_with(ambiguous::MARKER) => (g, g.width()),
            mode => (g, ambiguous::cluster_width(g, mode)),
        },
    }
}

/// Turns a slice of the input into drawable text: tabs become spaces and controls become U+FFFD.
fn render(s: &str) -> String {
    if !s.contains(char::is_control) {
        return s.to_owned();
    }
    clusters(s).map(|(_, g)| shown(g).0).collect()
}

fn is_line_break(g: &str) -> bool {
    matches!(g, "\n" | "\r\n" | "\r")
}

/// One grapheme cluster of a paragraph, with what the line breaker needs to know about it.
#[derive(Clone, Copy, Debug)]
struct Cluster {
    start: usize,
    end: usize,
    width: usize,
    first: char,
    /// A break opportunity that is dropped at a break: ' ', tab or U+3000.
    space: bool,
    /// Must not end a line.
    open: bool,
    /// Must not start a line.
    close: bool,
    /// Breaks are allowed on either side of it (ideographs, kana, hangul, emoji, wide punctuation).
    cjk: bool,
    /// A zero-width space, which allows a break after it.
    zwsp: bool,
}

impl Cluster {
    fn new(start: usize, g: &str) -> Self {
        let first = g.chars().next().unwrap_or(' ');
        // Why: compare whole clusters, since " \u{301}" (space plus combining mark) is not a space.
        let space = matches!(g, " " | "\t" | "\u{3000}");
        // Why: most clusters of Chinese material are one ideograph, two cells in either
        // ambiguous mode (tested): no width lookups for them.
        let ideograph = one_ideograph(g);
        let width = if ideograph { 2 } else { shown(g).1 };
        Cluster {
            start,
            end: start + g.len(),
            width,
            first,
            space,
            open: !space && is_open(first),
            close: !space && is_close(first),
            // The narrow width: an ambiguous character drawn wide is no ideograph to break at.
            cjk: !space && (ideograph || g.width() >= 2 || is_cjk_narrow(first)),
            zwsp: first == '\u{200B}',
        }
    }
}

/// Whether a line may break between `a` and the non-space cluster `b` that follows it.
fn can_break(a: &Cluster, b: &Cluster) -> bool {
    if b.close || a.open {
        return false;
    }
    if a.space || a.zwsp {
        return true;
    }
    // Why: clreq forbids splitting the two halves of "——" or "……".
    if a.first == b.first && is_inseparable(a.first) {
        return false;
    }
    a.cjk || b.cjk
}

/// Greedy line filling of one paragraph (clusters hold no line breaks), appending byte ranges.
fn wrap_paragraph(cls: &[Cluster], para_start: usize, width: usize, out: &mut Vec<Range<usize>>) {
    let lines_before = out.len();
    let mut i = 0;
    let mut first_line = true;
    while let Some((line, next)) = fill_line(cls, i, first_line, width) {
        first_line = false;
        // Why: a line that would hold only spaces (an indent wider than the line) is skipped.
        if !line.is_empty() {
            out.push(cls[line.start].start..cls[line.end - 1].end);
        }
        i = next;
    }
    if out.len() == lines_before {
        out.push(para_start..para_start); // a blank paragraph still takes one line
    }
}

/// One line of a paragraph from cluster `i`: the clusters it shows (break spaces trimmed,
/// possibly none) and where the next line starts; None when the paragraph has no more.
///
/// It reads clusters up to the first one that overflows the line, never further, so `cls`
/// may stop there: this is what lets [`LazyWrap`] segment a long paragraph as it goes.
fn fill_line(
    cls: &[Cluster],
    mut i: usize,
    first_line: bool,
    width: usize,
) -> Option<(Range<usize>, usize)> {
    let n = cls.len();
    if !first_line {
        // Why: spaces at a break point are consumed by the break.
        while i < n && cls[i].space {
            i += 1;
        }
    }
    if i >= n {
        return None;
    }
    let start = i;
    let mut w = 0;
    let mut k = start;
    let mut last_break = None;
    while k < n {
        if k > start && !cls[k].space && can_break(&cls[k - 1], &cls[k]) {
            last_break = Some(k);
        }
        if w + cls[k].width > width {
            break;
        }
        w += cls[k].width;
        k += 1;
    }
    let end = if k == n {
        n
    } else if k == start {
        start + 1 // a cluster wider than the line goes on a line of its own
    } else if cls[k].space {
        k
    } else if let Some(b) = last_break {
        b
    } else {
        emergency_break(cls, start, k, w, width)
    };
    let mut e = end;
    while e > start && cls[e - 1].space {
        e -= 1;
    }
    Some((start..e, end))
}

/// Where to break when `cls[start..k]` (width `w`) has no break opportunity: inside a long word.
fn emergency_break(cls: &[Cluster], start: usize, k: usize, mut w: usize, width: usize) -> usize {
    let mut fallback = None;
    let mut e = k;
    // Candidate e means the line is cls[start..e]; cls[e] exists because k < cls.len().
    while e > start {
        if !cls[e].close && !cls[e - 1].open {
            fallback = fallback.or(Some(e));
            if is_soft(cls[e - 1].first) && !is_soft(cls[e].first) && 2 * w >= width {
                return e;
            }
        }
        if fallback.is_some() && 2 * w < width {
            break;
        }
        w -= cls[e - 1].width;
        e -= 1;
    }
    // Why: when kinsoku cannot be met, filling the line beats overflowing it.
    fallback.unwrap_or(k)
}

/// Characters after which a long Latin word (URL, path, identifier) breaks most readably.
fn is_soft(c: char) -> bool {
    matches!(c, '/' | '-' | '_' | '.' | '?' | '&' | '=' | ',' | '\\')
}

/// Dashes and ellipses, which must not be split from their twin.
fn is_inseparable(c: char) -> bool {
    matches!(c, '—' | '…' | '⋯' | '―' | '⸺' | '⸻')
}

/// Narrow characters that behave like CJK for breaking: halfwidth forms and CJK dashes/ellipses.
fn is_cjk_narrow(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}') || is_inseparable(c)
}

/// Punctuation that must not start a line (closing brackets/quotes, stops, percent signs).
fn is_close(c: char) -> bool {
    matches!(
        c,
        '!' | ')'
            | ','
            | '.'
            | ':'
            | ';'
            | '?'
            | ']'
            | '}'
            | '%'
            | '\u{00B0}' // °
            | '\u{00B7}' // ·
            | '\u{2019}' // ’
            | '\u{201D}' // ”
            | '\u{2030}' // ‰
            | '\u{203C}'..='\u{203D}' // ‼ ‽
            | '\u{2047}'..='\u{2049}' // ⁇ ⁈ ⁉
            | '\u{2103}' // ℃
            | '\u{3001}' // 、
            | '\u{3002}' // 。
            | '\u{3005}' // 々
            | '\u{3009}' // 〉
            | '\u{300B}' // 》
            | '\u{300D}' // 」
            | '\u{300F}' // 』
            | '\u{3011}' // 】
            | '\u{3015}' // 〕
            | '\u{3017}' // 〗
            | '\u{3019}' // 〙
            | '\u{301B}' // 〛
            | '\u{301E}' // 〞
            | '\u{301F}' // 〟
            | '\u{30FB}' // ・
            | '\u{FE10}'..='\u{FE16}' // vertical ，、。：；！？
            | '\u{FE50}'..='\u{FE57}' // small ，、．；：？！
            | '\u{FF01}' // ！
            | '\u{FF05}' // ％
            | '\u{FF09}' // ）
            | '\u{FF0C}' // ，
            | '\u{FF0E}' // ．
            | '\u{FF1A}' // ：
            | '\u{FF1B}' // ；
            | '\u{FF1F}' // ？
            | '\u{FF3D}' // ］
            | '\u{FF5D}' // ｝
            | '\u{FF60}' // ｠
            | '\u{FF61}' // ｡
            | '\u{FF63}' // ｣
            | '\u{FF64}' // ､
    )
}

/// Punctuation that must not end a line (opening brackets/quotes, currency prefixes).
fn is_open(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '$'
            | '\u{00A3}' // £
            | '\u{00A5}' // ¥
            | '\u{20AC}' // €
            | '\u{2018}' // ‘
            | '\u{201C}' // “
            | '\u{3008}' // 〈
            | '\u{300A}' // 《
            | '\u{300C}' // 「
            | '\u{300E}' // 『
            | '\u{3010}' // 【
            | '\u{3014}' // 〔
            | '\u{3016}' // 〖
            | '\u{3018}' // 〘
            | '\u{301A}' // 〚
            | '\u{301D}' // 〝
            | '\u{FF04}' // ＄
            | '\u{FF08}' // （
            | '\u{FF3B}' // ［
            | '\u{FF5B}' // ｛
            | '\u{FF5F}' // ｟
            | '\u{FF62}' // ｢
            | '\u{FFE1}' // ￡
            | '\u{FFE5}' // ￥
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    const CLOSERS: &str = "，。、；：？！）》」』”";
    const OPENERS: &str = "（《「『“";

    fn w(text: &str, width: usize) -> Vec<String> {
        wrap(text, width)
    }

    fn widest_cluster(text: &str) -> usize {
        text.graphemes(true)
            .filter(|g| !is_line_break(g))
            .map(|g| shown(g).1)
            .max()
            .unwrap_or(0)
    }

    fn is_space_char(c: char) -> bool {
        matches!(c, ' ' | '\t' | '\u{3000}')
    }

    /// Asserts the invariants of every wrap: widths, spaces, and that nothing is lost or duplicated.
    fn check_wrap(text: &str, width: usize) {
        let ranges = wrap_ranges(text, width);
        let lines = wrap(text, width);
        assert_eq!(ranges.len(), lines.len());
        if width == 0 {
            assert!(lines.is_empty());
            return;
        }
        let limit = width.max(widest_cluster(text));
        let mut prev_end = 0;
        for (idx, (r, line)) in ranges.iter().zip(&lines).enumerate() {
            assert!(r.start >= prev_end, "ranges overlap or go back in {text:?}");
            let gap = &text[prev_end..r.start];
            // Only whitespace and line breaks may be left out of the lines.
            assert!(
                gap.chars()
                    .all(|c| is_space_char(c) || c == '\n' || c == '\r'),
                "lost {gap:?} in {text:?} at width {width}"
            );
            let continuation = idx > 0 && !gap.contains(['\n', '\r']);
            assert_eq!(*line, render(&text[r.clone()]));
            assert!(!line.contains(['\n', '\r', '\t']));
            assert!(
                width_of_line(line) <= limit,
                "line {line:?} too wide for {width}"
            );
            assert!(!line.ends_with(is_space_char), "trailing space: {line:?}");
            if continuation {
                // A space carrying a combining mark (" \u{301}") is a visible cluster, not a space.
                let first = line.graphemes(true).next().unwrap_or_default();
                assert!(
                    !matches!(first, " " | "\u{3000}"),
                    "leading space: {line:?}"
                );
                assert!(!line.is_empty(), "empty continuation line in {text:?}");
            }
            prev_end = r.end;
        }
        let tail = &text[prev_end..];
        assert!(
            tail.chars()
                .all(|c| is_space_char(c) || c == '\n' || c == '\r'),
            "lost tail {tail:?}"
        );
        // One empty line per blank paragraph, and none otherwise.
        let blank_paragraphs = text
            .lines()
            .filter(|p| p.chars().all(is_space_char))
            .count();
        assert_eq!(
            lines.iter().filter(|l| l.is_empty()).count(),
            blank_paragraphs
        );
        assert!(lines.len() >= text.lines().count());
        // The brief's formulation: all text minus whitespace comes back in order.
        let strip = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
        assert_eq!(strip(&lines.concat()), strip(&render(text)));
    }

    fn width_of_line(line: &str) -> usize {
        line.graphemes(true).map(|g| shown(g).1).sum()
    }

    #[test]
    fn width_basics() {
        assert_eq!(width(""), 0);
        assert_eq!(width("abc"), 3);
        assert_eq!(width("中文"), 4);
        assert_eq!(width("，。"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 2);
        assert_eq!(width("🇨🇳"), 2);
        assert_eq!(width("👍🏽"), 2);
        assert_eq!(width("a\tb"), 2 + TAB_WIDTH);
        assert_eq!(width("a\r\nb"), 3);
        assert_eq!(width("\u{7}"), 1);
        assert_eq!(width("“…”"), 3);
    }

    #[test]
    fn pure_chinese() {
        let text = "这是一个很长的中文句子用来测试换行功能是否正常";
        let lines = w(text, 10);
        assert_eq!(lines[0], "这是一个很");
        assert!(
            lines
                .iter()
                .all(|l| width(l) == 10 || l == lines.last().unwrap())
        );
        assert_eq!(lines.concat(), text);
        // Odd width: the spare cell stays empty instead of splitting a character.
        assert!(w(text, 11).iter().all(|l| width(l) <= 10));
        check_wrap(text, 11);
    }

    #[test]
    fn mixed_cjk_latin_digits() {
        let text = "采用5G NR标准的gNodeB基站，支持Massive MIMO技术。";
        assert_eq!(
            w(text, 10),
            [
                "采用5G NR",
                "标准的",
                "gNodeB基",
                "站，支持",
                "Massive",
                "MIMO技术。"
            ]
        );
        assert_eq!(
            w(text, 20),
            ["采用5G NR标准的", "gNodeB基站，支持", "Massive MIMO技术。"]
        );
        assert_eq!(w(text, 100), [text]);
        for width in 1..=40 {
            check_wrap(text, width);
            // Latin words and numbers are never split when they fit on a line.
            let lines = w(text, width.max(7));
            for word in ["5G", "gNodeB", "Massive", "MIMO"] {
                assert!(
                    lines.iter().any(|l| l.contains(word)),
                    "{word} split at {width}"
                );
            }
        }
    }

    #[test]
    fn long_url_breaks_at_slashes() {
        let text = "见 https://example.com/a/very/long/path/that/keeps/going?q=1 后";
        let lines = w(text, 20);
        assert_eq!(
            lines,
            [
                "见",
                "https://example.com/",
                "a/very/long/path/",
                "that/keeps/going?q=1",
                "后"
            ]
        );
        for width in 1..=30 {
            check_wrap(text, width);
        }
        // Without soft break points a long word is cut by cells.
        assert_eq!(w("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn emoji_clusters_are_never_split() {
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
        let text = format!("{family}🇨🇳👍🏽{family}");
        assert_eq!(w(&text, 2), [family, "🇨🇳", "👍🏽", family]);
        assert_eq!(w(&text, 1), [family, "🇨🇳", "👍🏽", family]);
        assert_eq!(w(&text, 5), [format!("{family}🇨🇳"), format!("👍🏽{family}")]);
        for width in 1..=10 {
            check_wrap(&text, width);
            check_wrap(&format!("ab{family}cd 中{family}文"), width);
        }
    }

    #[test]
    fn combining_marks_stay_with_their_base() {
        let text = "e\u{301}e\u{301}e\u{301} a\u{308}";
        assert_eq!(w(text, 1), ["e\u{301}", "e\u{301}", "e\u{301}", "a\u{308}"]);
        // A mark after a space forms one cluster with it and must not be trimmed away.
        check_wrap(" \u{301}x \u{301}", 1);
        assert_eq!(w("a \u{301}", 1), ["a", " \u{301}"]);
        for width in 1..=6 {
            check_wrap(text, width);
        }
    }

    #[test]
    fn kinsoku_closing_punctuation_is_pushed_out() {
        // "。" would start line 2; the last character moves down with it.
        assert_eq!(w("这是一个测试。", 12), ["这是一个测", "试。"]);
        assert_eq!(w("甲乙丙丁」。", 8), ["甲乙丙", "丁」。"]);
        // Opening punctuation is not left at the end of a line.
        assert_eq!(w("我喜欢《三体》", 8), ["我喜欢", "《三体》"]);
        assert_eq!(w("说：“你好”", 6), ["说：", "“你好”"]);
    }

    #[test]
    fn kinsoku_holds_across_widths() {
        let text = "他说：“这是《三体》的第一章。”然后，她问道：“你读过吗？”我回答：“读过！（很多遍）”……这本书——真的很好，价格￥50。";
        for width in 6..=50 {
            check_wrap(text, width);
            let lines = w(text, width);
            for pair in lines.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                assert!(!b.starts_with(|c| CLOSERS.contains(c)), "{b:?} at {width}");
                assert!(!a.ends_with(|c| OPENERS.contains(c)), "{a:?} at {width}");
                assert!(
                    !(a.ends_with('…') && b.starts_with('…')),
                    "…… split at {width}"
                );
                assert!(
                    !(a.ends_with('—') && b.starts_with('—')),
                    "—— split at {width}"
                );
                assert!(!a.ends_with('￥'), "currency split from amount at {width}");
            }
        }
    }

    #[test]
    fn kinsoku_falls_back_when_impossible() {
        // Only a comma can follow the character, and the line has room for just one of them.
        assert_eq!(w("中，", 2), ["中", "，"]);
        assert_eq!(w("（（（", 2), ["（", "（", "（"]);
        assert_eq!(w("。。。。", 4), ["。。", "。。"]);
        check_wrap("（（（（）））））", 3);
    }

    #[test]
    fn blank_lines_and_line_endings() {
        assert_eq!(w("", 10), Vec::<String>::new());
        assert_eq!(w("\n", 10), [""]);
        assert_eq!(w("a\n", 10), ["a"]);
        assert_eq!(w("a\n\nb", 10), ["a", "", "b"]);
        assert_eq!(w("a\r\n\r\nb\r\n", 10), ["a", "", "b"]);
        assert_eq!(w("a\rb", 10), ["a", "b"]);
        assert_eq!(w("a\n   \nb", 10), ["a", "", "b"]);
        assert_eq!(w("第一段\n\n\n第二段", 10), ["第一段", "", "", "第二段"]);
        check_wrap("a\r\n\r\n中文\r\n", 3);
    }

    #[test]
    fn spaces_at_breaks_are_dropped_but_kept_inside() {
        assert_eq!(w("aaa   bbb", 4), ["aaa", "bbb"]);
        assert_eq!(w("aaa   bbb", 20), ["aaa   bbb"]);
        assert_eq!(w("trailing   ", 20), ["trailing"]);
        // Paragraph indentation survives; continuation lines are not indented.
        assert_eq!(w("  缩进的段落很长", 10), ["  缩进的段", "落很长"]);
        assert_eq!(
            w("\u{3000}\u{3000}首行缩进", 8),
            ["\u{3000}\u{3000}首行", "缩进"]
        );
        // An indent wider than the line is dropped rather than giving empty lines.
        assert_eq!(w("        ab", 3), ["ab"]);
    }

    #[test]
    fn tabs_become_four_spaces() {
        assert_eq!(w("a\tb", 10), ["a    b"]);
        assert_eq!(w("a\tb", 4), ["a", "b"]);
        assert_eq!(w("\tab", 10), ["    ab"]);
        assert_eq!(w("\t\tab", 2), ["ab"]);
        check_wrap("x\ty\t中\t", 3);
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(w("a\u{7}b", 10), ["a\u{FFFD}b"]);
        assert_eq!(truncate("a\u{1b}[31m", 10), "a\u{FFFD}[31m");
    }

    #[test]
    fn narrow_widths_with_wide_chars() {
        assert_eq!(w("中文", 1), ["中", "文"]);
        assert_eq!(w("中文", 2), ["中", "文"]);
        assert_eq!(w("中文", 3), ["中", "文"]);
        assert_eq!(w("中文", 4), ["中文"]);
        assert_eq!(w("a中b", 3), ["a中", "b"]);
        assert_eq!(w("a中b", 1), ["a", "中", "b"]);
        assert_eq!(w("ab", 1), ["a", "b"]);
        for width in 1..=3 {
            check_wrap("a中，b。“c”（d）", width);
        }
    }

    #[test]
    fn zero_width_gives_no_lines() {
        assert!(w("中文 abc\n\n", 0).is_empty());
        assert!(wrap_ranges("x", 0).is_empty());
        assert_eq!(truncate("中文", 0), "");
        assert_eq!(pad("中文", 0), "");
    }

    #[test]
    fn zero_width_space_is_a_break_opportunity() {
        assert_eq!(w("abc\u{200B}def", 4), ["abc\u{200B}", "def"]);
    }

    #[test]
    fn ranges_point_into_the_text() {
        let text = "第一行\r\n  second line here";
        let ranges = wrap_ranges(text, 8);
        let pieces: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(pieces, ["第一行", "  second", "line", "here"]);
    }

    #[test]
    fn truncate_cases() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 4), "abc~");
        assert_eq!(truncate("中文中文", 8), "中文中文");
        assert_eq!(truncate("中文中文", 7), "中文中~");
        assert_eq!(truncate("中文中文", 6), "中文~ ");
        assert_eq!(truncate("中文中文", 2), "~ ");
        assert_eq!(truncate("中文中文", 1), "~");
        assert_eq!(truncate("hello world", 7), "hello~ ");
        assert_eq!(truncate("多行\n文本", 10), "多行 文本");
        assert_eq!(truncate("a\tb", 10), "a    b");
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
        assert_eq!(
            truncate(&format!("{family}{family}"), 3),
            format!("{family}~")
        );
        assert_eq!(truncate(&format!("{family}{family}"), 2), "~ ");
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}~");
    }

    #[test]
    fn pad_cases() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("中文", 5), "中文 ");
        assert_eq!(pad("中文中文", 5), "中文~");
        assert_eq!(pad("中文中文", 4), "中~ ");
        assert_eq!(width(&pad("", 3)), 3);
    }

    /// Text pieces for random inputs: CJK, punctuation, Latin, digits, spaces, emoji, marks, breaks.
    const ATOMS: &[&str] = &[
        "中",
        "文",
        "测",
        "试",
        "标",
        "准",
        "的",
        "基",
        "站",
        "，",
        "。",
        "、",
        "：",
        "？",
        "！",
        "（",
        "）",
        "《",
        "》",
        "“",
        "”",
        "「",
        "」",
        "……",
        "——",
        "a",
        "b",
        "c",
        "x",
        "Z",
        "1",
        "5",
        "G",
        ".",
        "/",
        "-",
        " ",
        " ",
        " ",
        "  ",
        "\u{3000}",
        "\t",
        "\n",
        "\n",
        "\r\n",
        "😀",
        "👨\u{200D}👩\u{200D}👧\u{200D}👦",
        "🇨🇳",
        "👍🏽",
        "e\u{301}",
        "\u{301}",
        "\u{200B}",
        "gNodeB",
        "Massive",
        "https://example.com/path",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(ATOMS), 0..80).prop_map(|v| v.concat())
    }

    #[test]
    fn a_lone_combining_mark_truncates_and_pads_exactly() {
        // A proptest case once failed on this input: a mark with no base character.
        for text in ["\u{301}", "a\u{301}", "\u{301}\u{301}b"] {
            for width in 0..60 {
                let t = truncate(text, width);
                assert_eq!(
                    super::width(&t),
                    super::width(text).min(width),
                    "{text:?} {width}"
                );
                assert_eq!(super::width(&pad(text, width)), width, "{text:?} {width}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn wrap_invariants(text in text_strategy(), width in 1usize..60) {
            check_wrap(&text, width);
        }

        #[test]
        fn truncate_width_is_exact(text in text_strategy(), width in 0usize..60) {
            let t = truncate(&text, width);
            prop_assert_eq!(super::width(&t), super::width(&text).min(width));
            prop_assert!(!t.contains(['\n', '\r', '\t']));
            if super::width(&text) <= width {
                prop_assert_eq!(t, render(&text));
            } else if width > 0 {
                prop_assert!(t.trim_end().ends_with(ELLIPSIS));
            }
            prop_assert_eq!(super::width(&pad(&text, width)), width);
        }

        #[test]
        fn wrap_never_panics_on_arbitrary_input(text in "\\PC*|[\\x00-\\x1f\\u{300}-\\u{36f}a ]*", width in 0usize..8) {
            let lines = wrap(&text, width);
            for line in &lines {
                prop_assert!(super::width(line) <= width.max(widest_cluster(&text)));
            }
            let _ = truncate(&text, width);
        }
    }
}

#[cfg(test)]
mod ambiguous_width {
    use super::*;
    use crate::text::ambiguous::{AmbiguousWidth, MARKER, with};

    const QUOTED: &str = "“量子计算”·原型机—第二代…";

    /// The ideograph shortcut of `Cluster::new` gives what measuring does, in both modes.
    #[test]
    fn ideograph_clusters_measure_as_measured() {
        for mode in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
            with(mode, || {
                for c in ('\u{4E00}'..='\u{9FFF}').map(String::from) {
                    let k = Cluster::new(0, &c);
                    assert_eq!((k.width, k.cjk), (shown(&c).1, c.width() >= 2), "{c}");
                }
            });
        }
    }

    #[test]
    fn narrow_mode_counts_ambiguous_characters_as_one_cell() {
        assert_eq!(width(QUOTED), 2 * 10 + 5);
        assert_eq!(truncate(QUOTED, 8), "“量子计~");
        assert!(!wrap(QUOTED, 10).concat().contains(MARKER));
    }

    #[test]
    fn wide_mode_counts_them_as_two_and_marks_them_for_ratatui() {
        with(AmbiguousWidth::Wide, || {
            assert_eq!(width(QUOTED), 2 * 10 + 2 * 5);
            assert_eq!(width("a·b"), 4);
            // Every output is as wide for ratatui (markers included) as for the terminal.
            for w in 1..30 {
                for line in wrap(QUOTED, w) {
                    assert!(line.width() <= w.max(2), "{line:?} in {w}");
                    assert_eq!(line.width(), width(&line), "{line:?}");
                }
                let t = truncate(QUOTED, w);
                assert_eq!(t.width(), width(&t), "{t:?}");
                assert!(t.width() <= w, "{t:?}");
                assert_eq!(pad(QUOTED, w).width(), w);
            }
            let m = MARKER;
            assert_eq!(truncate(QUOTED, 8), format!("“{m}量子~ "));
            // Text already marked is measured and cut the same way.
            let marked = truncate(QUOTED, 40);
            assert_eq!(truncate(&marked, 8), truncate(QUOTED, 8));
            assert_eq!(width(&marked), width(QUOTED));
        });
    }

    #[test]
    fn wide_mode_does_not_break_latin_words_at_ambiguous_letters() {
        with(AmbiguousWidth::Wide, || {
            let lines = wrap("don’t stop", 7);
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert!(lines[0].starts_with("don’"));
        });
    }
}
