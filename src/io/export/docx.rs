//! DOCX: a renderer of a [`Document`] as a Word file an office edits, prints on A4, stamps and
//! signs; and the report ([`super::report`]) in that form.
//!
//! Layout: A4 with 25 mm margins, 宋体 (SimSun) for Chinese and Times New Roman for Latin text,
//! body in 五号 (10.5 pt), tables full width with single borders and a bold header row, the page
//! and the page count in the footer.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, NumPages, PageMargin, PageNum,
    PageOrientationType, Paragraph, Run, RunFonts, Shading, Style, StyleType, Table as DTable,
    TableCell, TableLayoutType, TableRow, WidthType,
};

use super::doc::{Align, Block, Document, Span, Table};
use super::report::report;
use crate::domain::profile::Profile;
use crate::domain::results::Results;

/// A4 in twips (1/1440 inch), portrait: 210 × 297 mm.
pub const A4_TWIPS: (u32, u32) = (11906, 16838);

/// Page margins: 25 mm in twips.
const MARGIN: i32 = 1417;

/// Font sizes in half points: 小二 (18 pt) for the title, 四号 / 小四 for headings, 五号 body,
/// 小五 in tables.
const TITLE_SIZE: usize = 36;
const BODY_SIZE: usize = 21;
const TABLE_SIZE: usize = 18;

/// How a page is turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Taller than wide: reports.
    Portrait,
    /// Wider than tall: forms with many columns.
    Landscape,
}

/// A Word document that could not be packed.
#[derive(Debug, thiserror::Error)]
#[error("cannot pack the Word document")]
pub struct DocxError(#[source] Box<dyn std::error::Error + Send + Sync>);

/// The report on `r` as a Word document (portrait A4).
pub fn export_docx(r: &Results, profile: &Profile) -> Result<Vec<u8>, DocxError> {
    render(&report(r, profile), Orientation::Portrait)
}

/// A document as the bytes of a `.docx` file, on A4 turned as `orientation`.
pub fn render(doc: &Document, orientation: Orientation) -> Result<Vec<u8>, DocxError> {
    let (w, h) = A4_TWIPS;
    let (w, h, orient) = match orientation {
        Orientation::Portrait => (w, h, PageOrientationType::Portrait),
        Orientation::Landscape => (h, w, PageOrientationType::Landscape),
    };
    let fonts = RunFonts::new()
        .east_asia("宋体")
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman");
    let mut d = Docx::new()
        .page_size(w, h)
        .page_orient(orient)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .default_fonts(fonts)
        .default_size(BODY_SIZE)
        // 第 n 页，共 m 页 under every page: a signed document's pages are counted.
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text("第 "))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" 页，共 "))
                    .add_num_pages(NumPages::new())
                    .add_run(Run::new().add_text(" 页")),
            ),
        );
    for (level, size) in [(1u8, 32usize), (2, 28), (3, 24)] {
        d = d.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .size(size)
                .bold()
                .outline_lvl(usize::from(level - 1)),
        );
    }
    for block in &doc.blocks {
        d = match block {
            Block::Heading { level, text } => d.add_paragraph(
                spans(Paragraph::new(), text)
                    .style(&format!("Heading{}", (*level).clamp(1, 3)))
                    .keep_next(true),
            ),
            Block::Paragraph(text) => d.add_paragraph(spans(Paragraph::new(), text)),
            Block::Bullets(items) => items.iter().fold(d, |d, item| {
                let p = Paragraph::new().add_run(Run::new().add_text("• ")).indent(
                    Some(420),
                    None,
                    None,
                    None,
                );
                d.add_paragraph(spans(p, item))
            }),
            Block::Table(t) => d
                .add_table(table(t, w))
                // Two tables in a row would merge into one without a paragraph between.
                .add_paragraph(Paragraph::new()),
            Block::Title { title, lines } => {
                let d = d.add_paragraph(
                    text(Paragraph::new(), title, Run::new().size(TITLE_SIZE).bold())
                        .align(AlignmentType::Center)
                        .line_spacing(LineSpacing::new().after(240)),
                );
                lines.iter().fold(d, |d, l| {
                    d.add_paragraph(
                        text(Paragraph::new(), l, Run::new()).align(AlignmentType::Center),
                    )
                })
            }
            Block::Signatures(signs) => signs.iter().fold(d, |d, s| {
                // Room above each line for a hand-written signature.
                d.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(xml_text(&s.line(BLANK))))
                        .line_spacing(LineSpacing::new().before(480)),
                )
            }),
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| DocxError(Box::new(e)))?;
    Ok(out.into_inner())
}

/// The blank a signature or a date is written on.
const BLANK: &str = "____________________";

/// A table: full width, single borders, the header row bold and shaded; figures to the right;
/// columns fitted to the text, or fixed to the table's width shares when it has them.
fn table(t: &Table, page_width: u32) -> DTable {
    let grid = grid(t, page_width);
    let cell = |i: usize, s: &str, align: Align, head: bool| {
        let run = if head {
            Run::new().size(TABLE_SIZE).bold()
        } else {
            Run::new().size(TABLE_SIZE)
        };
        let p = text(Paragraph::new(), s, run).align(match (head, align) {
            (true, _) => AlignmentType::Center,
            (false, Align::Left) => AlignmentType::Left,
            (false, Align::Right) => AlignmentType::Right,
        });
        let mut c = TableCell::new().add_paragraph(p);
        if let Some(w) = grid.as_ref().and_then(|g| g.get(i)) {
            c = c.width(*w, WidthType::Dxa);
        }
        if head {
            c.shading(Shading::new().fill("D9D9D9"))
        } else {
            c
        }
    };
    let mut rows = vec![TableRow::new(
        t.columns
            .iter()
            .enumerate()
            .map(|(i, c)| cell(i, &c.head, c.align, true))
            .collect(),
    )];
    rows.extend(t.rows.iter().map(|r| {
        TableRow::new(
            t.columns
                .iter()
                .enumerate()
                .map(|(i, c)| cell(i, r.get(i).map_or("", String::as_str), c.align, false))
                .collect(),
        )
        .cant_split()
    }));
    let table = DTable::new(rows).width(5000, WidthType::Pct);
    match grid {
        Some(g) => table.set_grid(g).layout(TableLayoutType::Fixed),
        None => table.layout(TableLayoutType::Autofit),
    }
}

/// The columns' widths in twips when the table gives their shares of the text width.
fn grid(t: &Table, page_width: u32) -> Option<Vec<usize>> {
    let total: u64 = t.widths.iter().map(|&w| u64::from(w)).sum();
    if t.widths.len() != t.columns.len() || total == 0 {
        return None;
    }
    let text = u64::from(page_width).saturating_sub(2 * u64::from(MARGIN.unsigned_abs()));
    Some(
        t.widths
            .iter()
            .map(|&w| usize::try_from(u64::from(w) * text / total).unwrap_or(0))
            .collect(),
    )
}

/// Inline spans as runs of a paragraph; code in a fixed-width font.
fn spans(p: Paragraph, spans: &[Span]) -> Paragraph {
    spans.iter().fold(p, |p, s| match s {
        Span::Text(t) => text(p, t, Run::new()),
        Span::Code(c) => text(
            p,
            c,
            Run::new().fonts(RunFonts::new().ascii("Consolas").hi_ansi("Consolas")),
        ),
    })
}

/// `s` as runs styled like `run`, a line break for each `\n`.
fn text(mut p: Paragraph, s: &str, run: Run) -> Paragraph {
    for (i, line) in xml_text(s).split('\n').enumerate() {
        let mut r = run.clone();
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        p = p.add_run(r.add_text(line));
    }
    p
}

/// Text Word can read: XML 1.0 has no place for control characters other than tab and line
/// ends (a name pasted from elsewhere may hold one), and `\r\n` is one line end.
fn xml_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_word_cannot_read_is_dropped_and_line_ends_are_one() {
        assert_eq!(xml_text("a\u{1}b\r\nc\td\u{7f}"), "ab\nc\td");
    }

    #[test]
    fn pages_are_a4_either_way_round() {
        let mut doc = Document::default();
        doc.paragraph("一");
        for (o, size) in [
            (Orientation::Portrait, r#"w:w="11906" w:h="16838""#),
            (Orientation::Landscape, r#"w:w="16838" w:h="11906""#),
        ] {
            let bytes = render(&doc, o).unwrap();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
                .unwrap();
            assert!(xml.contains(size), "{o:?}: {xml}");
            assert!(xml.contains(">一</w:t>"));
        }
    }
}
