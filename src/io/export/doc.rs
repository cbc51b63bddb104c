//! A report as a document model: what it says, without any output syntax.
//!
//! [`super::report`] builds the content once from the results; a renderer
//! ([`super::markdown`], [`super::docx`]) turns it into its format. Text in the model is plain: no
//! Markdown markup, no escaping (each renderer escapes for its format); inline styles are
//! [`Span`] kinds.

/// A document: its blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The blocks, top to bottom.
    pub blocks: Vec<Block>,
}

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; level 1 is the document's title, 2 a section, 3 a subsection.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading's text.
        text: Vec<Span>,
    },
    /// A paragraph.
    Paragraph(Vec<Span>),
    /// A bulleted list, one entry per item.
    Bullets(Vec<Vec<Span>>),
    /// A table.
    Table(Table),
    /// The title block of a printed document: the title and the facts under it, one a line.
    Title {
        /// The title.
        title: String,
        /// Facts under the title (alliance, domain, round, date), in order.
        lines: Vec<String>,
    },
    /// Lines to sign on paper, one per signatory.
    Signatures(Vec<Signature>),
}

/// One signature line: who signs, a blank to sign on and a blank for the date.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// The role, as printed before the blank (`专家组组长签字`).
    pub role: String,
    /// The signatory's name, printed after the role when known.
    pub name: Option<String>,
}

impl Signature {
    /// The text before the blank: the role, with the name in brackets when known.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{}（{n}）", self.role),
            None => self.role.clone(),
        }
    }

    /// The whole line with `blank` to sign on and to date (each format draws its own blank).
    pub fn line(&self, blank: &str) -> String {
        format!("{}：{blank}　　{DATE_LABEL}：{blank}", self.label())
    }
}

/// What a date line says before its blank, in every rendering.
pub const DATE_LABEL: &str = "日期";

/// A run of inline text with its style.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// A machine value shown verbatim in a fixed-width font (a hash).
    Code(String),
}

/// A table: a header row and rows of plain-text cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<String>>,
    /// The columns' shares of the page width, for printed formats (empty: fitted to the text).
    /// A form's blank cells need room to write in, which no text measures.
    pub widths: Vec<u32>,
}

/// A table column: its heading and how its cells line up.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The heading.
    pub head: String,
    /// How the cells line up.
    pub align: Align,
}

/// How a column's cells line up: text to the left, figures to the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Figures.
    Right,
}

impl Span {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Span {
        Span::Text(s.into())
    }
}

impl Table {
    /// A table with these (heading, alignment) columns and no rows yet.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = (S, Align)>) -> Table {
        Table {
            columns: columns
                .into_iter()
                .map(|(head, align)| Column {
                    head: head.into(),
                    align,
                })
                .collect(),
            rows: Vec::new(),
            widths: Vec::new(),
        }
    }
}

impl Document {
    /// Adds a heading of plain text.
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: vec![Span::text(text)],
        });
    }

    /// Adds a paragraph of plain text.
    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(vec![Span::text(text)]));
    }

    /// Adds a bulleted list of plain-text items.
    pub fn bullets<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) {
        self.blocks.push(Block::Bullets(
            items.into_iter().map(|s| vec![Span::text(s)]).collect(),
        ));
    }

    /// Adds a table.
    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }
}
