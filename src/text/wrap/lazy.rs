//! Wrapping a line at a time: the lines [`wrap`](super::wrap) gives, produced only as far as
//! they are asked for, so showing the start of a long text costs the start only.

use super::{Cluster, clusters, fill_line, is_line_break, render};
use crate::text::ambiguous;

/// Clusters segmented at a time while a line is looked for.
const CHUNK: usize = 64;

/// Clusters kept behind the current line before they are dropped.
const KEEP: usize = 4096;

/// A text being wrapped at a width, a line at a time: the lines come out exactly as
/// [`wrap`](super::wrap) would give them, in order (a property test checks it).
///
/// The text is segmented into grapheme clusters only as far as the next line needs (the
/// first cluster that overflows it), and segmentation resumes at a cluster boundary, which
/// gives the same clusters as segmenting the whole text. Widths follow the thread's
/// ambiguous-width mode, so a wrap is continued on the thread that started it.
#[derive(Clone, Debug)]
pub struct LazyWrap<T = String> {
    text: T,
    width: usize,
    /// Where segmentation continues (a cluster boundary).
    seg: usize,
    /// The current paragraph's clusters from `cls[at]` on not yet laid out.
    cls: Vec<Cluster>,
    at: usize,
    /// The current paragraph's clusters are all in `cls` (its line break or the end was met).
    closed: bool,
    /// A paragraph is open.
    open: bool,
    /// The next line is its paragraph's first.
    first_line: bool,
    /// Lines the open paragraph gave.
    lines: usize,
    done: bool,
}

impl LazyWrap {
    /// Starts wrapping `text` into lines of at most `width` cells (nothing is wrapped yet).
    pub fn new(text: &str, width: usize) -> LazyWrap {
        LazyWrap::over(ambiguous::strip(text).into_owned(), width)
    }
}

impl<T: AsRef<str>> LazyWrap<T> {
    /// As [`LazyWrap::new`], keeping `text` as it is given (text shared with its owner costs
    /// no copy). Text that carries ambiguous-width markers must have them stripped first
    /// ([`ambiguous::strip`]), as [`LazyWrap::new`] does.
    pub fn over(text: T, width: usize) -> LazyWrap<T> {
        LazyWrap {
            text,
            width,
            seg: 0,
            cls: Vec::new(),
            at: 0,
            closed: false,
            open: false,
            first_line: true,
            lines: 0,
            done: width == 0,
        }
    }

    /// Whether every line has been given.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next line, as [`wrap`](super::wrap) renders it; None once the text is used up.
    pub fn next_line(&mut self) -> Option<String> {
        loop {
            if self.done {
                return None;
            }
            if !self.open {
                // Why: like `str::lines`, a final line break opens no (empty) paragraph.
                if self.seg >= self.text.as_ref().len() {
                    self.done = true;
                    self.cls = Vec::new();
                    return None;
                }
                self.open = true;
                self.closed = false;
                self.first_line = true;
                self.lines = 0;
                self.cls.clear();
                self.at = 0;
            }
            while !self.closed && !self.overflows() {
                self.segment();
            }
            match fill_line(&self.cls, self.at, self.first_line, self.width) {
                Some((line, next)) => {
                    self.first_line = false;
                    let shown = (!line.is_empty())
                        .then(|| self.cls[line.start].start..self.cls[line.end - 1].end);
                    self.at = next;
                    if self.at > KEEP {
                        self.cls.drain(..self.at);
                        self.at = 0;
                    }
                    // Why: a line that would hold only spaces (an indent wider than the line)
                    // is skipped, as in the whole wrap.
                    if let Some(r) = shown {
                        return Some(self.emit(r));
                    }
                }
                None => {
                    self.open = false;
                    if self.lines == 0 {
                        return Some(String::new()); // a blank paragraph still takes one line
                    }
                }
            }
        }
    }

    /// The line at byte range `r`, rendered and marked as [`wrap`](super::wrap) does.
    fn emit(&mut self, r: std::ops::Range<usize>) -> String {
        self.lines += 1;
        ambiguous::widen_owned(render(self.text.as_ref().get(r).unwrap_or_default()))
    }

    /// Whether the clusters held reach past the next line: to one that overflows it.
    fn overflows(&self) -> bool {
        let mut i = self.at;
        if !self.first_line {
            while i < self.cls.len() && self.cls[i].space {
                i += 1;
            }
        }
        let mut w = 0;
        for c in &self.cls[i.min(self.cls.len())..] {
            if w + c.width > self.width {
                return true;
            }
            w += c.width;
        }
        false
    }

    /// Segments up to [`CHUNK`] more clusters of the open paragraph.
    fn segment(&mut self) {
        let base = self.seg;
        let rest = self.text.as_ref().get(base..).unwrap_or_default();
        self.cls.reserve(CHUNK);
        for (taken, (i, g)) in clusters(rest).enumerate() {
            if taken == CHUNK {
                return;
            }
            self.seg = base + i + g.len();
            if is_line_break(g) {
                self.closed = true;
                return;
            }
            self.cls.push(Cluster::new(base + i, g));
        }
        self.seg = self.text.as_ref().len();
        self.closed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ambiguous::{AmbiguousWidth, with};
    use crate::text::wrap::wrap;
    use proptest::prelude::*;

    /// Pieces that exercise every rule: CJK and its punctuation (kinsoku, inseparable pairs),
    /// Latin words and soft breaks, spaces of each kind, every line break, tabs, controls,
    /// combining marks, flags (regional-indicator pairs), ZWJ emoji and ambiguous characters.
    const ATOMS: &[&str] = &[
        "中",
        "文",
        "测",
        "试",
        "，",
        "。",
        "（",
        "）",
        "《",
        "》",
        "“",
        "”",
        "……",
        "——",
        "a",
        "b",
        "Z",
        "1",
        "word",
        "http://x.cn/a_b?c=d",
        "-",
        "/",
        " ",
        "  ",
        "\u{3000}",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "\u{1}",
        "e\u{301}",
        "\u{301}",
        "🇨🇳",
        "🇺🇸🇨",
        "👩\u{200D}💻",
        "\u{200B}",
        "·",
        "°",
        "ｱ",
        "한",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(ATOMS), 0..120).prop_map(|v| v.concat())
    }

    fn all(text: &str, width: usize) -> Vec<String> {
        let mut lazy = LazyWrap::new(text, width);
        let mut out = Vec::new();
        while let Some(l) = lazy.next_line() {
            out.push(l);
        }
        assert!(lazy.is_done());
        assert_eq!(lazy.next_line(), None, "nothing after the end");
        out
    }

    #[test]
    fn edge_texts_wrap_as_the_whole_wrap() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a\n",
            "a\n\nb",
            "   ",
            "  a  b  ",
            "\r\n\r",
            "中\u{3000}\u{3000}文",
        ] {
            for width in 0..8 {
                assert_eq!(all(text, width), wrap(text, width), "{text:?} at {width}");
            }
        }
    }

    #[test]
    fn a_long_paragraph_wraps_as_the_whole_wrap_past_the_dropped_clusters() {
        // One paragraph of far more than KEEP clusters, as pasted from a spreadsheet cell.
        let text = "本技术针对5G基站gNodeB的Massive MIMO射频前端，提出了新的“氮化镓”功放架构。"
            .repeat(300);
        for width in [1, 2, 7, 40, 70, 158] {
            assert_eq!(all(&text, width), wrap(&text, width), "at {width}");
        }
    }

    #[test]
    fn the_first_lines_cost_only_their_clusters() {
        let text = "中".repeat(100_000);
        let mut lazy = LazyWrap::new(&text, 70);
        for _ in 0..20 {
            assert_eq!(lazy.next_line().map(|l| l.chars().count()), Some(35));
        }
        assert!(!lazy.is_done());
        // Twenty lines of 35 clusters, and at most one chunk beyond the last line.
        assert!(
            lazy.seg <= 3 * (20 * 35 + CHUNK),
            "segmented {} bytes",
            lazy.seg
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn lazy_lines_are_the_whole_wraps_lines(text in text(), width in 0usize..40) {
            prop_assert_eq!(all(&text, width), wrap(&text, width));
        }

        #[test]
        fn so_they_are_in_wide_ambiguous_mode(text in text(), width in 1usize..40) {
            with(AmbiguousWidth::Wide, || {
                prop_assert_eq!(all(&text, width), wrap(&text, width));
                Ok(())
            })?;
        }

        #[test]
        fn a_prefix_read_then_the_rest_is_the_whole(text in text(), width in 1usize..40, first in 0usize..30) {
            let whole = wrap(&text, width);
            let mut lazy = LazyWrap::new(&text, width);
            let head: Vec<String> = (0..first).map_while(|_| lazy.next_line()).collect();
            prop_assert_eq!(&head[..], &whole[..head.len()]);
            let rest: Vec<String> = std::iter::from_fn(|| lazy.next_line()).collect();
            prop_assert_eq!([head, rest].concat(), whole);
        }
    }
}
