//! Paper score forms: the sheet a meeting hands out, blank or with the expert's name, as XLSX
//! or DOCX from one description ([`Form`]).
//!
//! The columns are exactly those `enter` reads ([`crate::io::entry`]): 编号, 技术名称 (ignored on
//! entry), one column per criterion with its range in brackets (ignored on entry), 回避, 回避原因
//! and 评语. The title row above the header (`专家评分表（李四）`) and the lines under it are
//! skipped by `enter` the way title rows of batches are; the signature line is the XLSX page
//! footer (so it prints on every page but never lands in the cells the secretary saves as CSV),
//! and the last lines of the DOCX.

use std::fmt::Write as _;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Workbook, XlsxError,
};

use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::domain::rubric::Criterion;
use crate::io::export::doc::{Align, Block, DATE_LABEL, Document, Signature, Table};
use crate::io::export::docx::{self, DocxError, Orientation};

/// The form's fixed words (document text, in Chinese like the forms themselves).
mod words {
    /// The title, before the expert's name.
    pub const TITLE: &str = "专家评分表";
    /// The id column, as `enter` reads it.
    pub const ID: &str = "编号";
    /// The name column (ignored by `enter`).
    pub const NAME: &str = "技术名称";
    /// The recusal column.
    pub const RECUSED: &str = "回避";
    /// The recusal-reason column.
    pub const REASON: &str = "回避原因";
    /// The comment column.
    pub const COMMENT: &str = "评语";
    /// What the expert signs as.
    pub const SIGN: &str = "评审专家签字";
    /// How to fill the form in.
    pub const HOW: &str = "填写说明：每项按括号内的范围打分；回避的项目在“回避”栏填“是”并写明回避原因，不打分；评语可不填。";
}

/// The height of a nomination's row in the XLSX form, in points.
const ROW_HEIGHT: f64 = 30.0;

/// Column widths of the XLSX form, in Excel character units (the DOCX form's shares too).
const WIDTH_ID: f64 = 12.0;
const WIDTH_NAME: f64 = 32.0;
const WIDTH_SCORE: f64 = 10.0;
const WIDTH_RECUSED: f64 = 6.0;
const WIDTH_REASON: f64 = 16.0;
const WIDTH_COMMENT: f64 = 30.0;

/// Who a form is for: an expert's id and, when known, their name.
#[derive(Debug, Clone, PartialEq)]
pub struct FormExpert {
    /// The expert id (as `enter --expert` takes it).
    pub id: String,
    /// The name printed in the title and by the signature line.
    pub name: Option<String>,
}

/// One column of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormColumn {
    /// The header cell, as `enter` reads it.
    pub head: String,
    /// The XLSX column width, in Excel character units.
    pub width: f64,
    /// A score column: the criterion's range, for the XLSX cell check.
    pub range: Option<(f64, f64)>,
}

/// A paper score form: the title, the lines under it, the columns and one row per nomination.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// `专家评分表（李四）`, or `专家评分表` when blank.
    pub title: String,
    /// The lines under the title: batch, profile, expert id, how to fill it in.
    pub lines: Vec<String>,
    /// The columns, left to right.
    pub columns: Vec<FormColumn>,
    /// One row per nomination: id and name filled, the rest blank.
    pub rows: Vec<Vec<String>>,
    /// The signature line's label.
    pub signature: Signature,
}

/// A form that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The workbook could not be built.
    #[error("cannot build the workbook")]
    Xlsx(#[source] XlsxError),
    /// The Word document could not be built.
    #[error(transparent)]
    Docx(#[from] DocxError),
}

/// The header of a criterion's column: its label and range (`可行性（0–10分）`).
fn criterion_head(c: &Criterion) -> String {
    let mut h = format!("{}（{}–{}分", c.label, c.min, c.max);
    if (c.step - 1.0).abs() > f64::EPSILON {
        let _ = write!(h, "，步长 {}", c.step);
    }
    h.push('）');
    h
}

/// The form for `batch` under `profile`, for `expert` or blank.
pub fn form(batch: &Batch, profile: &Profile, expert: Option<&FormExpert>) -> Form {
    let name = expert
        .and_then(|e| e.name.as_deref())
        .filter(|n| !n.trim().is_empty());
    let title = match name {
        Some(n) => format!("{}（{n}）", words::TITLE),
        None => words::TITLE.to_string(),
    };
    let mut lines = Vec::new();
    let mut facts = Vec::new();
    if !batch.meta.title.trim().is_empty() {
        facts.push(format!("批次：{}", batch.meta.title.trim()));
    }
    facts.push(format!("评审方案：{}", profile.name));
    facts.push(format!("批次哈希：{}", batch.short_hash()));
    if let Some(e) = expert {
        facts.push(format!("专家编号：{}", e.id));
    }
    lines.push(facts.join("　"));
    lines.push(words::HOW.to_string());
    let col = |head: &str, width: f64| FormColumn {
        head: head.to_string(),
        width,
        range: None,
    };
    let mut columns = vec![col(words::ID, WIDTH_ID), col(words::NAME, WIDTH_NAME)];
    columns.extend(profile.rubric().criteria.iter().map(|c| FormColumn {
        head: criterion_head(c),
        width: WIDTH_SCORE,
        range: Some((c.min, c.max)),
    }));
    columns.extend([
        col(words::RECUSED, WIDTH_RECUSED),
        col(words::REASON, WIDTH_REASON),
        col(words::COMMENT, WIDTH_COMMENT),
    ]);
    let rows = batch
        .items
        .iter()
        .map(|i| {
            let mut row = vec![i.id.clone(), i.name.clone()];
            row.resize(columns.len(), String::new());
            row
        })
        .collect();
    Form {
        title,
        lines,
        columns,
        rows,
        signature: Signature {
            role: words::SIGN.into(),
            name: name.map(str::to_string),
        },
    }
}

impl Form {
    /// The form as a document (title block, how to fill it in, the table, the signature line),
    /// for the DOCX renderer.
    pub fn document(&self) -> Document {
        let mut table = Table::new(self.columns.iter().map(|c| {
            (
                c.head.clone(),
                if c.range.is_some() {
                    Align::Right
                } else {
                    Align::Left
                },
            )
        }));
        table.rows = self.rows.clone();
        // Room to write in: the blank columns keep their share of the page.
        table.widths = self
            .columns
            .iter()
            .map(|c| (c.width * 10.0).round() as u32)
            .collect();
        Document {
            blocks: vec![
                Block::Title {
                    title: self.title.clone(),
                    lines: self.lines.clone(),
                },
                Block::Table(table),
                Block::Signatures(vec![self.signature.clone()]),
            ],
        }
    }

    /// The form as a Word document: A4 landscape.
    pub fn docx(&self) -> Result<Vec<u8>, FormError> {
        Ok(docx::render(&self.document(), Orientation::Landscape)?)
    }

    /// The form as a workbook: the title row, the lines, the header and the rows, printed on
    /// A4 landscape one page wide, the rows down to the header repeated on every page, and
    /// the signature line in the page footer.
    pub fn xlsx(&self) -> Result<Vec<u8>, FormError> {
        self.workbook().map_err(FormError::Xlsx)
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(words::TITLE)?;
        let last = u16::try_from(self.columns.len().saturating_sub(1))
            .map_err(|_| XlsxError::RowColumnLimitError)?;
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let line = Format::new().set_text_wrap();
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let head = cell.clone().set_bold().set_align(FormatAlign::Center);
        ws.merge_range(0, 0, 0, last, &self.title, &title)?;
        ws.set_row_height(0, 24.0)?;
        let mut r = 1u32;
        // Merged cells do not grow with their text: two lines each, for the header too.
        for l in &self.lines {
            ws.merge_range(r, 0, r, last, l, &line)?;
            ws.set_row_height(r, ROW_HEIGHT)?;
            r += 1;
        }
        let header = r;
        ws.set_row_height(header, ROW_HEIGHT)?;
        for (c, col) in self.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.write_string_with_format(header, c, &col.head, &head)?;
            ws.set_column_width(c, col.width)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = header + 1 + u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
            // Room to write by hand, and for a name over two lines.
            ws.set_row_height(r, ROW_HEIGHT)?;
            for (c, text) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                ws.write_string_with_format(r, c, text, &cell)?;
            }
        }
        let end =
            header + u32::try_from(self.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        // Excel itself refuses a score outside the range as it is typed (a warning, so a
        // secretary can still type what the paper says and let `enter` name the problem).
        for (c, col) in self.columns.iter().enumerate() {
            if let (Some((lo, hi)), true) = (col.range, end > header) {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                let v = DataValidation::new()
                    .allow_decimal_number(DataValidationRule::Between(lo, hi))
                    .set_error_style(DataValidationErrorStyle::Warning);
                ws.add_data_validation(header + 1, c, end, c, &v)?;
            }
        }
        ws.set_freeze_panes(header + 1, 0)?;
        ws.set_paper_size(PAPER_A4);
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, header)?;
        ws.set_footer(footer(&self.signature.label()));
        wb.save_to_buffer()
    }
}

/// Excel's paper size code for A4.
pub const PAPER_A4: u8 = 9;

/// An XLSX page footer: the signature and date blanks left and right, the page in the middle
/// (`&` is the footer's escape character, so it is doubled in the name).
pub fn footer(label: &str) -> String {
    format!(
        "&L{}：__________________&C第 &P 页，共 &N 页&R{DATE_LABEL}：________年____月____日",
        label.replace('&', "&&")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_heads_carry_the_range_and_an_odd_step() {
        let p = Profile::kczg_2020();
        let mut c = p.rubric().criteria[0].clone();
        assert_eq!(criterion_head(&c), "可行性（0–10分）");
        c.step = 0.5;
        assert_eq!(criterion_head(&c), "可行性（0–10分，步长 0.5）");
        // `enter` reads the head as the criterion: the bracket is a note.
        assert_eq!(
            crate::domain::batch::strip_header_notes(&criterion_head(&c)),
            "可行性"
        );
    }

    #[test]
    fn an_ampersand_in_a_name_is_not_a_footer_code() {
        assert_eq!(
            footer("评审专家签字（A&B）"),
            "&L评审专家签字（A&&B）：__________________&C第 &P 页，共 &N 页&R日期：________年____月____日"
        );
    }
}
