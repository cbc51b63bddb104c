//! Markdown: a renderer of the report's [`Document`].

use std::fmt::Write as _;

use super::doc::{Align, Block, Document, Span, Table};
use super::report::report;
use crate::domain::profile::Profile;
use crate::domain::results::Results;

/// Plain text for Markdown: `|` and `\` escaped (safe in a table cell), line breaks as spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The blank a signature or a date is written on: full-width low lines, which Markdown leaves
/// as they are (ASCII underscores would be read as emphasis).
const BLANK: &str = "＿＿＿＿＿＿＿＿";

/// A table: header, alignment row, one line per row, every cell escaped.
fn md_table(out: &mut String, t: &Table) {
    out.push('|');
    for c in &t.columns {
        let _ = write!(out, " {} |", md(&c.head));
    }
    out.push_str("\n|");
    for c in &t.columns {
        out.push_str(match c.align {
            Align::Right => "---:|",
            Align::Left => "---|",
        });
    }
    out.push('\n');
    for row in &t.rows {
        out.push('|');
        for cell in row {
            let _ = write!(out, " {} |", md(cell));
        }
        out.push('\n');
    }
}

/// A Markdown report a panel chair can paste.
///
/// Sections: parameters, shortlist, cut and threshold map, borderline and disputed items,
/// agreement, per-expert statistics and warnings.
pub fn export_markdown(r: &Results, profile: &Profile) -> String {
    render(&report(r, profile))
}

/// A document as Markdown: blocks apart by a blank line; text escaped by [`md`], code verbatim.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match block {
            Block::Heading { level, text } => {
                out.push_str(&"#".repeat(usize::from(*level)));
                out.push(' ');
                inline(&mut out, text);
                out.push('\n');
            }
            Block::Paragraph(text) => {
                inline(&mut out, text);
                out.push('\n');
            }
            Block::Bullets(items) => {
                for item in items {
                    out.push_str("- ");
                    inline(&mut out, item);
                    out.push('\n');
                }
            }
            Block::Table(t) => md_table(&mut out, t),
            Block::Title { title, lines } => {
                let _ = writeln!(out, "# {}", md(title));
                for l in lines {
                    let _ = write!(out, "\n{}\n", md(l));
                }
            }
            Block::Signatures(signs) => {
                for (i, s) in signs.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "{}", md(&s.line(BLANK)));
                }
            }
        }
    }
    out
}

/// Inline text: plain text escaped, code in backticks as it is.
fn inline(out: &mut String, spans: &[Span]) {
    for s in spans {
        match s {
            Span::Text(t) => out.push_str(&md(t)),
            Span::Code(c) => {
                out.push('`');
                out.push_str(c);
                out.push('`');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(md("a|b\\c\r\nd\ne"), "a\\|b\\\\c d e");
    }

    #[test]
    fn blocks_are_apart_by_a_blank_line_and_code_is_verbatim() {
        let mut doc = Document::default();
        doc.heading(2, "标题|1");
        doc.blocks.push(Block::Bullets(vec![vec![
            Span::text("哈希："),
            Span::Code("a|b".into()),
        ]]));
        let mut t = Table::new([("编号", Align::Left), ("得分", Align::Right)]);
        t.rows.push(vec!["x|y".into(), "1.0".into()]);
        doc.table(t);
        doc.paragraph("无。");
        assert_eq!(
            render(&doc),
            "## 标题\\|1\n\n- 哈希：`a|b`\n\n| 编号 | 得分 |\n|---|---:|\n| x\\|y | 1.0 |\n\n无。\n"
        );
    }
}
