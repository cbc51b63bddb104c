//! Mutations: byte-level havoc (flips, inserts, deletes, splices, dictionary tokens) and
//! structure-aware edits of the seed's parsed shape (CSV cells, JSON and TOML nodes, the XML
//! inside an XLSX zip), so that most inputs get past the outer syntax and reach the checks.

use rand::Rng as _;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use std::io::{Cursor, Read, Write};

/// The generator's random source (deterministic for a seed).
pub type Rng = ChaCha8Rng;

/// The largest input made: bigger inputs only slow the campaign down.
pub const MAX_LEN: usize = 1 << 20;

/// A seed and its parsed shape.
pub struct Seed {
    /// Where it came from (a file, or how it was made).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The parsed form structure-aware mutations work on.
    pub shape: Shape,
}

/// A seed's parsed form.
pub enum Shape {
    /// CSV records (header included) and the text encoding of the file.
    Csv(Vec<Vec<String>>, Enc),
    /// A JSON document.
    Json(serde_json::Value),
    /// A TOML document.
    Toml(toml::Table),
    /// A zip archive's entries, in order.
    Zip(Vec<(String, Vec<u8>)>),
    /// Bytes only.
    Raw,
}

/// The text encodings a CSV may be written in.
#[derive(Clone, Copy, Debug)]
pub enum Enc {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a BOM.
    Utf8Bom,
    /// UTF-16 little-endian with a BOM (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with a BOM.
    Utf16Be,
    /// GB18030 (Excel on Chinese Windows).
    Gb18030,
}

const ENCODINGS: [Enc; 5] = [
    Enc::Utf8,
    Enc::Utf8Bom,
    Enc::Utf16Le,
    Enc::Utf16Be,
    Enc::Gb18030,
];

/// Encodes text.
pub fn encode(text: &str, enc: Enc) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Enc::Utf16Le => {
            let mut out = vec![0xFF, 0xFE];
            text.encode_utf16()
                .for_each(|u| out.extend(u.to_le_bytes()));
            out
        }
        Enc::Utf16Be => {
            let mut out = vec![0xFE, 0xFF];
            text.encode_utf16()
                .for_each(|u| out.extend(u.to_be_bytes()));
            out
        }
        Enc::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
    }
}

/// Bytes that stress the decoders: BOMs, GB18030 lead and four-byte forms, UTF-16 surrogate
/// halves, bytes valid in no encoding, and CSV's own syntax.
pub const ENCODING_TOKENS: &[&[u8]] = &[
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\x81",
    b"\x81\x30",
    b"\x81\x30\x81\x30",
    b"\x84\x31\xA4\x39",
    b"\xFE\x39\xFE\x39",
    b"\xA1\xA1",
    b"\x80",
    b"\xFF",
    b"\xC0\x80",
    b"\xED\xA0\x80",
    b"\xF4\x90\x80\x80",
    b"\x00\xD8",
    b"\xD8\x00",
    b"\x00\xDC\x00\xD8",
    b"\x00",
    b"\"",
    b"\"\"",
    b",",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\",\"",
    b"\"\r\n\"",
];

/// Numbers at the edges.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "7",
    "9",
    "10",
    "11",
    "255",
    "256",
    "65535",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "1e308",
    "1e309",
    "-1e309",
    "5e-324",
    "0.1",
    "7.5",
    "7.05",
    "0.0000001",
    "1.0000000000000002",
    "NaN",
    "inf",
    "-inf",
    "1_000",
    "0x10",
    "+7",
    "1e1",
];

/// Texts at the edges: empty, spaces, control and direction characters, long runs, markup.
fn odd_text(rng: &mut Rng) -> String {
    const FIXED: &[&str] = &[
        "",
        " ",
        "\u{3000}",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\0",
        "\u{1b}[31m",
        "\u{1b}]0;title\u{7}",
        "\u{202e}",
        "\u{200b}",
        "\u{feff}",
        "\u{fffd}",
        "\u{10ffff}",
        "𝕏",
        "é",
        "e\u{301}",
        "=cmd|' /C calc'!A0",
        "\"",
        "\"\"",
        "'",
        ",",
        "，",
        "；",
        "、",
        "\\",
        "\\u0000",
        "%s%n",
        "{}",
        "../../etc/passwd",
        "中",
        "是",
        "否",
        "TRL7",
        "7级",
        "C3971",
        "C 3971 集成电路制造",
        "生物药品制造（2761）",
        "X9999",
        "资源环境",
        "resources-environment",
        "开发研究",
        "applied",
    ];
    match rng.random_range(0..10) {
        0 => {
            let unit = *FIXED.choose(rng).unwrap_or(&"中");
            // Past the form's limits (300, 500, 5,000, 10,000 characters) now and then.
            let n = if rng.random_bool(0.8) {
                [2usize, 10, 40][rng.random_range(0..3)]
            } else {
                [301usize, 501, 5001, 10001][rng.random_range(0..4)]
            };
            unit.repeat(n.min(MAX_LEN / unit.len().max(1) / 4))
        }
        1 => NUMBERS.choose(rng).unwrap_or(&"0").to_string(),
        2 => {
            let n = rng.random_range(0..8);
            (0..n)
                .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('\u{fffd}'))
                .collect()
        }
        _ => FIXED.choose(rng).unwrap_or(&"").to_string(),
    }
}

/// One of `tokens`, or an odd text.
fn token(rng: &mut Rng, tokens: &[&str]) -> String {
    if !tokens.is_empty() && rng.random_bool(0.6) {
        tokens.choose(rng).unwrap_or(&"").to_string()
    } else {
        odd_text(rng)
    }
}

/// A random index below `n` (0 when `n` is 0).
fn below(rng: &mut Rng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

/// A random range inside `0..n`, usually short.
fn span(rng: &mut Rng, n: usize) -> (usize, usize) {
    let a = below(rng, n + 1);
    let max = if rng.random_bool(0.9) { 16 } else { 4096 };
    let b = (a + below(rng, max + 1)).min(n);
    (a, b)
}

/// Byte-level havoc: 1–8 stacked edits; `dict` tokens, `others` to splice from.
pub fn havoc(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&[u8]], others: &[Seed]) {
    for _ in 0..rng.random_range(1..=8) {
        let n = data.len();
        match rng.random_range(0..13) {
            0 if n > 0 => {
                let i = below(rng, n);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 if n > 0 => {
                let i = below(rng, n);
                data[i] = rng.random();
            }
            2 if n > 0 => {
                let i = below(rng, n);
                data[i] = *[
                    0u8, 0xFF, 0x7F, 0x80, b'\n', b'\r', b'"', b',', b'\t', b'<', b'[',
                ]
                .choose(rng)
                .unwrap_or(&0);
            }
            3 => {
                let (a, b) = span(rng, n);
                data.drain(a..b);
            }
            4 => {
                let at = below(rng, n + 1);
                let k = rng.random_range(1..=16);
                let bytes: Vec<u8> = (0..k).map(|_| rng.random()).collect();
                data.splice(at..at, bytes);
            }
            5 => {
                let (a, b) = span(rng, n);
                let chunk = data[a..b].to_vec();
                let at = below(rng, n + 1);
                data.splice(at..at, chunk);
            }
            6 | 7 if !dict.is_empty() => {
                let t = dict.choose(rng).copied().unwrap_or(b"");
                let at = below(rng, n + 1);
                if rng.random_bool(0.5) {
                    data.splice(at..at, t.iter().copied());
                } else {
                    let end = (at + t.len()).min(n);
                    data.splice(at..end, t.iter().copied());
                }
            }
            8 if !others.is_empty() => {
                let o = &others[below(rng, others.len())].bytes;
                let (a, b) = span(rng, o.len());
                let at = below(rng, n + 1);
                if rng.random_bool(0.5) {
                    data.splice(at..at, o[a..b].iter().copied());
                } else {
                    // Splice: our head, their tail.
                    data.truncate(at);
                    data.extend_from_slice(&o[a..]);
                }
            }
            9 if n > 0 => data.truncate(below(rng, n)),
            10 => {
                let (a, b) = span(rng, n);
                let chunk = data[a..b].to_vec();
                if !chunk.is_empty() {
                    let times = rng.random_range(2..=200).min(MAX_LEN / chunk.len());
                    let at = below(rng, n + 1);
                    data.splice(at..at, chunk.repeat(times));
                }
            }
            11 => {
                // An ASCII number becomes an edge value.
                if let Some(start) = (0..4)
                    .map(|_| below(rng, n))
                    .find(|&i| data.get(i).is_some_and(u8::is_ascii_digit))
                {
                    let end = data[start..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(n, |p| start + p);
                    let v = NUMBERS.choose(rng).unwrap_or(&"0");
                    data.splice(start..end, v.bytes());
                }
            }
            _ => {
                let t = ENCODING_TOKENS.choose(rng).copied().unwrap_or(b"");
                let at = below(rng, n + 1);
                data.splice(at..at, t.iter().copied());
            }
        }
        data.truncate(MAX_LEN);
    }
}

/// Text edits valid as UTF-8 (byte havoc, then invalid sequences replaced).
pub fn havoc_text(rng: &mut Rng, text: &str, dict: &[&[u8]], others: &[Seed]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    havoc(rng, &mut bytes, dict, others);
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---------------------------------------------------------------- CSV

/// Parses CSV text into records (ragged rows kept).
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let delimiter = revdesk::io::import::sniff_delimiter(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .records()
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// Structure-aware CSV: cell, row and column edits, then written with random quoting,
/// delimiter and line ends, in a random encoding (usually the seed's).
pub fn mutate_csv(
    rng: &mut Rng,
    records: &[Vec<String>],
    enc: Enc,
    headers: &[&str],
    values: &[&str],
) -> Vec<u8> {
    let mut rows = records.to_vec();
    if rows.is_empty() {
        rows.push(vec![String::new()]);
    }
    for _ in 0..rng.random_range(1..=4) {
        let r = below(rng, rows.len());
        let width = rows[r].len();
        match rng.random_range(0..12) {
            0..=3 if width > 0 => {
                let c = below(rng, width);
                rows[r][c] = token(rng, values);
            }
            4 if width > 0 => {
                // A header cell.
                let c = below(rng, rows[0].len().max(1));
                if let Some(cell) = rows[0].get_mut(c) {
                    *cell = token(rng, headers);
                }
            }
            5 if width > 0 => {
                let c = below(rng, width);
                let extra = odd_text(rng);
                rows[r][c].push_str(&extra);
            }
            6 => {
                let row = rows[r].clone();
                let times = if rng.random_bool(0.9) {
                    1
                } else {
                    rng.random_range(2..200)
                };
                for _ in 0..times {
                    rows.insert(r, row.clone());
                }
            }
            7 if rows.len() > 1 => {
                rows.remove(r);
            }
            8 => {
                // A column removed, duplicated or moved, in every row.
                let c = below(rng, rows[0].len().max(1));
                let op = rng.random_range(0..3);
                let to = below(rng, rows[0].len().max(1));
                for row in &mut rows {
                    if c >= row.len() {
                        continue;
                    }
                    match op {
                        0 => {
                            row.remove(c);
                        }
                        1 => {
                            let v = row[c].clone();
                            row.insert(c, v);
                        }
                        _ => {
                            let v = row.remove(c);
                            let to = to.min(row.len());
                            row.insert(to, v);
                        }
                    }
                }
            }
            9 => {
                // A title row, a blank row or a note above the header.
                let n = rng.random_range(0..3);
                rows.insert(0, (0..n).map(|_| token(rng, values)).collect());
            }
            10 => {
                let n = rng.random_range(0..4);
                for _ in 0..n {
                    rows[r].push(token(rng, values));
                }
            }
            _ if width > 0 => {
                let c = below(rng, width);
                let other = below(rng, rows.len());
                if let Some(v) = rows[other].get(c).cloned() {
                    rows[r][c] = v;
                }
            }
            _ => {}
        }
    }
    let delimiter = if rng.random_bool(0.85) { b',' } else { b'\t' };
    let terminator = match rng.random_range(0..3) {
        0 => csv::Terminator::CRLF,
        1 => csv::Terminator::Any(b'\n'),
        _ => csv::Terminator::Any(b'\r'),
    };
    let style = match rng.random_range(0..4) {
        0 => csv::QuoteStyle::Always,
        1 => csv::QuoteStyle::NonNumeric,
        _ => csv::QuoteStyle::Necessary,
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .terminator(terminator)
        .quote_style(style)
        .from_writer(Vec::new());
    for row in &rows {
        let _ = w.write_record(row);
    }
    let text = w
        .into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let enc = if rng.random_bool(0.8) {
        enc
    } else {
        ENCODINGS[below(rng, ENCODINGS.len())]
    };
    let mut bytes = encode(&text, enc);
    bytes.truncate(MAX_LEN);
    bytes
}

// ---------------------------------------------------------------- JSON

/// A parsed document (JSON or TOML) as the node edits see it.
trait Tree: Clone {
    /// Calls `f` on each child (array element, table value) until it returns true.
    fn any_child(&mut self, f: &mut dyn FnMut(&mut Self) -> bool) -> bool;
    /// The children.
    fn children(&self) -> Vec<&Self>;
    /// The elements, when an array.
    fn array(&mut self) -> Option<&mut Vec<Self>>;
    /// The keys, when a table.
    fn keys(&self) -> Option<Vec<String>>;
    /// Removes a key of a table.
    fn remove(&mut self, key: &str) -> Option<Self>;
    /// Sets a key of a table (nothing when not a table).
    fn insert(&mut self, key: String, value: Self);
    /// The text, when a string.
    fn string(&mut self) -> Option<&mut String>;
}

impl Tree for serde_json::Value {
    fn any_child(&mut self, f: &mut dyn FnMut(&mut Self) -> bool) -> bool {
        match self {
            Self::Array(a) => a.iter_mut().any(f),
            Self::Object(o) => o.values_mut().any(f),
            _ => false,
        }
    }
    fn children(&self) -> Vec<&Self> {
        match self {
            Self::Array(a) => a.iter().collect(),
            Self::Object(o) => o.values().collect(),
            _ => vec![],
        }
    }
    fn array(&mut self) -> Option<&mut Vec<Self>> {
        self.as_array_mut()
    }
    fn keys(&self) -> Option<Vec<String>> {
        self.as_object().map(|o| o.keys().cloned().collect())
    }
    fn remove(&mut self, key: &str) -> Option<Self> {
        self.as_object_mut()?.remove(key)
    }
    fn insert(&mut self, key: String, value: Self) {
        if let Some(o) = self.as_object_mut() {
            o.insert(key, value);
        }
    }
    fn string(&mut self) -> Option<&mut String> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }
}

impl Tree for toml::Value {
    fn any_child(&mut self, f: &mut dyn FnMut(&mut Self) -> bool) -> bool {
        match self {
            Self::Array(a) => a.iter_mut().any(f),
            Self::Table(t) => t.iter_mut().any(|(_, x)| f(x)),
            _ => false,
        }
    }
    fn children(&self) -> Vec<&Self> {
        match self {
            Self::Array(a) => a.iter().collect(),
            Self::Table(t) => t.values().collect(),
            _ => vec![],
        }
    }
    fn array(&mut self) -> Option<&mut Vec<Self>> {
        self.as_array_mut()
    }
    fn keys(&self) -> Option<Vec<String>> {
        self.as_table().map(|t| t.keys().cloned().collect())
    }
    fn remove(&mut self, key: &str) -> Option<Self> {
        self.as_table_mut()?.remove(key)
    }
    fn insert(&mut self, key: String, value: Self) {
        if let Some(t) = self.as_table_mut() {
            t.insert(key, value);
        }
    }
    fn string(&mut self) -> Option<&mut String> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Nodes a document may have before another edit (the seeds have a few thousand).
const MAX_NODES: usize = 100_000;
/// Nodes of the largest node an edit repeats 50 times.
const SMALL_NODE: usize = 1_000;

/// Nodes in a tree, itself included.
fn count<T: Tree>(v: &T) -> usize {
    1 + v.children().into_iter().map(count).sum::<usize>()
}

/// Visits nodes depth-first, counting down `k`; `f` gets the node where it reaches 0.
fn nth<T: Tree>(v: &mut T, k: &mut usize, f: &mut dyn FnMut(&mut T)) -> bool {
    if *k == 0 {
        f(v);
        return true;
    }
    *k -= 1;
    v.any_child(&mut |x| nth(x, k, f))
}

/// One edit of a node: replaced (by an edge value or a node of another seed), a key removed,
/// added or renamed, an element removed, repeated or the array cut, a string changed.
fn edit<T: Tree>(
    node: &mut T,
    op: u32,
    coin: usize,
    key: &str,
    replacement: &T,
    graft: Option<&T>,
) {
    let pick = |n: usize| coin % n.max(1);
    match op {
        0..=2 => *node = replacement.clone(),
        3 => *node = graft.unwrap_or(replacement).clone(),
        4..=6 if node.keys().is_some_and(|k| !k.is_empty()) => {
            let names = node.keys().unwrap_or_default();
            let name = &names[pick(names.len())];
            match op {
                4 => {
                    node.remove(name);
                }
                5 => node.insert(key.to_string(), replacement.clone()),
                _ => {
                    if let Some(x) = node.remove(name) {
                        node.insert(key.to_string(), x);
                    }
                }
            }
        }
        4..=6 if node.array().is_some_and(|a| !a.is_empty()) => {
            let Some(a) = node.array() else { return };
            let i = pick(a.len());
            match op {
                4 => {
                    a.remove(i);
                }
                5 => {
                    // Many copies of small nodes only: repeating large ones, edit after edit,
                    // grew documents past a gigabyte before they were cut to `MAX_LEN`.
                    let small = count(&a[i]) <= SMALL_NODE;
                    let times = if small && coin.is_multiple_of(10) {
                        50
                    } else {
                        1
                    };
                    let x = a[i].clone();
                    a.splice(i..i, std::iter::repeat_n(x, times));
                }
                _ => a.truncate(i),
            }
        }
        7 if node.string().is_some() => {
            if let Some(s) = node.string() {
                s.push_str(key);
            }
        }
        _ if node.string().is_some() => {
            if let Some(s) = node.string() {
                *s = key.to_string();
            }
        }
        _ if node.keys().is_some() => node.insert(key.to_string(), replacement.clone()),
        _ => *node = replacement.clone(),
    }
}

/// 1–4 edits at random nodes (never the root when `keep_root`).
fn edit_tree<T: Tree>(
    rng: &mut Rng,
    doc: &mut T,
    keep_root: bool,
    odd: &mut dyn FnMut(&mut Rng) -> T,
    keys: &[&str],
    donor: &mut dyn FnMut(&mut Rng) -> Option<T>,
) {
    for _ in 0..rng.random_range(1..=4) {
        let n = count(doc);
        if n > MAX_NODES {
            break;
        }
        let mut k = if keep_root {
            1 + below(rng, n.saturating_sub(1))
        } else {
            below(rng, n)
        };
        let op = rng.random_range(0..10);
        let replacement = odd(rng);
        let key = token(rng, keys);
        let coin: usize = rng.random_range(0..usize::MAX);
        let graft = donor(rng).map(|mut d| {
            let mut kk = coin % count(&d);
            let mut out = None;
            nth(&mut d, &mut kk, &mut |x| out = Some(x.clone()));
            out
        });
        let graft = graft.flatten();
        nth(doc, &mut k, &mut |node| {
            edit(node, op, coin, &key, &replacement, graft.as_ref())
        });
    }
}

/// A JSON value at the edges.
fn odd_json(rng: &mut Rng, keys: &[&str], values: &[&str]) -> serde_json::Value {
    use serde_json::{Value, json};
    match rng.random_range(0..14) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random_range(-3i64..12)),
        3 => [
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1e308),
            json!(-0.0),
            json!(5e-324),
            json!(7.5),
            json!(0.1),
        ]
        .choose(rng)
        .cloned()
        .unwrap_or(json!(0)),
        4 => json!([]),
        5 => json!({}),
        6 => {
            // Deep nesting, past serde_json's recursion limit at times.
            let depth = [10usize, 127, 130, 1000][below(rng, 4)];
            let mut v = json!(1);
            for _ in 0..depth {
                v = json!([v]);
            }
            v
        }
        7 => {
            let mut o = serde_json::Map::new();
            o.insert(token(rng, keys), Value::String(token(rng, values)));
            Value::Object(o)
        }
        _ => Value::String(token(rng, values)),
    }
}

/// Structure-aware JSON: 1–4 node edits (types, edge values, keys added, removed or renamed,
/// array elements dropped or repeated), written compact or pretty, then at times a duplicate
/// key or a few byte edits in the text.
pub fn mutate_json(
    rng: &mut Rng,
    doc: &serde_json::Value,
    keys: &[&str],
    values: &[&str],
    others: &[Seed],
) -> Vec<u8> {
    let mut v = doc.clone();
    let mut donor = |rng: &mut Rng| match others.choose(rng).map(|s| &s.shape) {
        Some(Shape::Json(d)) => Some(d.clone()),
        _ => None,
    };
    edit_tree(
        rng,
        &mut v,
        false,
        &mut |rng| odd_json(rng, keys, values),
        keys,
        &mut donor,
    );
    // Written into at most `MAX_LEN` bytes: a deep document indented grows past a gigabyte.
    let mut out = Capped(Vec::new());
    let _ = if rng.random_bool(0.5) {
        serde_json::to_writer(&mut out, &v)
    } else {
        serde_json::to_writer_pretty(&mut out, &v)
    };
    let mut bytes = out.0;
    if rng.random_bool(0.1) {
        // A key twice in one object: the later one must not silently win.
        if let Some(at) = bytes.iter().rposition(|&b| b == b'{') {
            let key = keys.choose(rng).unwrap_or(&"id");
            let dup = format!("\"{key}\":{},", odd_json(rng, keys, values));
            bytes.splice(at + 1..at + 1, dup.into_bytes());
        }
    }
    if rng.random_bool(0.2) {
        let dict: Vec<&[u8]> = [
            b"{".as_slice(),
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b"\"",
            b"\\u0000",
            b"\\ud800",
            b"\\udc00\\ud800",
            b"null",
            b"true",
            b"1e999",
            b"-",
            b"\xEF\xBB\xBF",
        ]
        .to_vec();
        havoc(rng, &mut bytes, &dict, others);
    }
    bytes.truncate(MAX_LEN);
    bytes
}

/// A buffer that takes `MAX_LEN` bytes and refuses the rest.
struct Capped(Vec<u8>);

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = MAX_LEN - self.0.len();
        if room == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------- TOML

/// A TOML value at the edges.
fn odd_toml(rng: &mut Rng, values: &[&str]) -> toml::Value {
    use toml::Value;
    match rng.random_range(0..12) {
        0 => Value::Boolean(rng.random()),
        1 => Value::Integer(
            *[
                0i64,
                -1,
                1,
                9,
                10,
                11,
                255,
                256,
                i64::MAX,
                i64::MIN,
                1 << 32,
            ]
            .choose(rng)
            .unwrap_or(&0),
        ),
        2 => Value::Float(
            *[0.0, -0.0, 0.5, 1e308, f64::INFINITY, f64::NAN, 5e-324, 7.5]
                .choose(rng)
                .unwrap_or(&0.0),
        ),
        3 => Value::Array(vec![]),
        4 => Value::Table(toml::Table::new()),
        5 => "1979-05-27T07:32:00Z"
            .parse()
            .map(Value::Datetime)
            .unwrap_or(Value::Boolean(true)),
        6 => Value::Array(
            (0..rng.random_range(1..5))
                .map(|_| Value::String(token(rng, values)))
                .collect(),
        ),
        _ => Value::String(token(rng, values)),
    }
}

/// Structure-aware TOML: 1–4 node edits (as for JSON), written back, then at times byte edits
/// with TOML's tokens (kept UTF-8, as the loaders read text).
pub fn mutate_toml(
    rng: &mut Rng,
    doc: &toml::Table,
    keys: &[&str],
    values: &[&str],
    others: &[Seed],
) -> Vec<u8> {
    use toml::Value;
    let mut v = Value::Table(doc.clone());
    let mut donor = |rng: &mut Rng| match others.choose(rng).map(|s| &s.shape) {
        Some(Shape::Toml(d)) => Some(Value::Table(d.clone())),
        _ => None,
    };
    // The root stays a table, or there is nothing to write.
    edit_tree(
        rng,
        &mut v,
        true,
        &mut |rng| odd_toml(rng, values),
        keys,
        &mut donor,
    );
    let mut text = match v {
        Value::Table(t) => toml::to_string(&t).unwrap_or_default(),
        _ => String::new(),
    };
    if rng.random_bool(0.25) {
        let dict: Vec<&[u8]> = [
            b"[".as_slice(),
            b"]",
            b"[[",
            b"]]",
            b"=",
            b"\"",
            b"'''",
            b"\"\"\"",
            b"\\u0000",
            b"\\U0010FFFF",
            b"\\x",
            b"inf",
            b"nan",
            b"1979-05-27",
            b"0x7FFF_FFFF_FFFF_FFFF",
            b"{",
            b"}",
            b".",
            b"#",
            b"\n",
            b"\r\n",
            b"\xEF\xBB\xBF",
        ]
        .to_vec();
        text = havoc_text(rng, &text, &dict, others);
    }
    let mut bytes = text.into_bytes();
    bytes.truncate(MAX_LEN);
    bytes
}

// ---------------------------------------------------------------- XLSX

/// Reads a zip's entries.
pub fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        let name = f.name().ok()?.to_string();
        out.push((name, data));
    }
    Some(out)
}

/// Writes entries as a zip, each stored or deflated.
pub fn rezip(rng: &mut Rng, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if rng.random_bool(0.5) {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        if w.start_file(name.as_str(), opts).is_err() || w.write_all(data).is_err() {
            continue;
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A cell reference: usually near the data, at times at the sheet's far corners.
fn cell_ref(rng: &mut Rng) -> String {
    let col = match rng.random_range(0..20) {
        0 => 16383,
        1 => rng.random_range(26..16384),
        _ => rng.random_range(0..30),
    };
    let row = match rng.random_range(0..20) {
        0 => 1_048_576,
        1 => rng.random_range(1..1_048_577),
        2 => 0,
        _ => rng.random_range(1..60),
    };
    format!("{}{row}", revdesk::io::entry::column_letter(col))
}

/// Positions of `needle` in `hay`.
fn find_all(hay: &str, needle: &str) -> Vec<usize> {
    hay.match_indices(needle).map(|(i, _)| i).collect()
}

/// Structure-aware XML edits of a worksheet or shared-strings part.
fn mutate_xml(rng: &mut Rng, xml: &str) -> String {
    const TOKENS: &[&str] = &[
        "&amp;",
        "&lt;",
        "&#0;",
        "&#x1;",
        "&#x10FFFF;",
        "&#x110000;",
        "&#55296;",
        "&bogus;",
        "<![CDATA[x]]>",
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
        "&b;",
        "<is><t>inline</t></is>",
        "<v>0</v>",
        "<v>-1</v>",
        "<v>99999999</v>",
        "<v>1e308</v>",
        "<v>NaN</v>",
        "<f>SUM(A1:A2)</f>",
        " t=\"s\"",
        " t=\"str\"",
        " t=\"inlineStr\"",
        " t=\"b\"",
        " t=\"e\"",
        " t=\"d\"",
        " t=\"n\"",
        " s=\"999\"",
        "<row r=\"0\">",
        "</row>",
        "<c>",
        "</c>",
        "<si><t>编号</t></si>",
        "<si><r><t>x</t></r></si>",
        "xml:space=\"preserve\"",
        "<mergeCell ref=\"A1:XFD1048576\"/>",
        "<dimension ref=\"A1:B2\"/>",
        "\u{0}",
        "<",
        ">",
        "\"",
    ];
    let mut s = xml.to_string();
    for _ in 0..rng.random_range(1..=4) {
        match rng.random_range(0..8) {
            0 | 1 => {
                // A cell moves: r="…".
                let at = find_all(&s, " r=\"");
                if let Some(&i) = at.choose(rng) {
                    let start = i + 4;
                    if let Some(len) = s[start..].find('"') {
                        let new = if s[..i].ends_with("<row") {
                            rng.random_range(0..70).to_string()
                        } else {
                            cell_ref(rng)
                        };
                        s.replace_range(start..start + len, &new);
                    }
                }
            }
            2 => {
                // A value changes.
                let at = find_all(&s, "<v>");
                if let Some(&i) = at.choose(rng) {
                    let start = i + 3;
                    if let Some(len) = s[start..].find("</v>") {
                        let new = NUMBERS.choose(rng).unwrap_or(&"0").to_string();
                        s.replace_range(start..start + len, &new);
                    }
                }
            }
            3 => {
                // A cell, row or string dropped or repeated.
                let (open, close) = *[("<c ", "</c>"), ("<row", "</row>"), ("<si>", "</si>")]
                    .choose(rng)
                    .unwrap_or(&("<c ", "</c>"));
                let at = find_all(&s, open);
                if let Some(&i) = at.choose(rng)
                    && let Some(len) = s[i..].find(close)
                {
                    let end = i + len + close.len();
                    if rng.random_bool(0.5) {
                        s.replace_range(i..end, "");
                    } else {
                        let chunk = s[i..end].to_string();
                        let times = if rng.random_bool(0.9) { 1 } else { 100 };
                        s.insert_str(end, &chunk.repeat(times));
                    }
                }
            }
            4 => {
                // A cell's type.
                let at = find_all(&s, " t=\"");
                if let Some(&i) = at.choose(rng)
                    && let Some(len) = s[i + 4..].find('"')
                {
                    let t = *["s", "str", "inlineStr", "b", "e", "n", "d", "x"]
                        .choose(rng)
                        .unwrap_or(&"s");
                    s.replace_range(i + 4..i + 4 + len, t);
                }
            }
            5 => {
                // Text inside <t>.
                let at = find_all(&s, "<t");
                if let Some(&i) = at.choose(rng)
                    && let Some(gt) = s[i..].find('>')
                {
                    let at = i + gt + 1;
                    let text = odd_text(rng).replace('&', "&amp;").replace('<', "&lt;");
                    s.insert_str(at, &text);
                }
            }
            _ => {
                let t = TOKENS.choose(rng).unwrap_or(&"");
                let mut at = below(rng, s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                s.insert_str(at, t);
            }
        }
        if s.len() > MAX_LEN {
            let mut end = MAX_LEN;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
        }
    }
    s
}

/// Structure-aware XLSX: the XML parts inside the zip are edited (mostly the first sheet and
/// the shared strings) and the zip written again, so the edits pass the CRC; at times entries
/// are dropped or raw bytes of the zip edited instead.
pub fn mutate_xlsx(rng: &mut Rng, entries: &[(String, Vec<u8>)], others: &[Seed]) -> Vec<u8> {
    let mut entries = entries.to_vec();
    for _ in 0..rng.random_range(1..=2) {
        if entries.is_empty() {
            break;
        }
        let pick = match rng.random_range(0..10) {
            0..=5 => entries.iter().position(|(n, _)| n.contains("worksheets/")),
            6 | 7 => entries
                .iter()
                .position(|(n, _)| n.contains("sharedStrings")),
            _ => None,
        }
        .unwrap_or_else(|| below(rng, entries.len()));
        if rng.random_bool(0.03) {
            entries.remove(pick);
            continue;
        }
        let data = &mut entries[pick].1;
        match std::str::from_utf8(data) {
            Ok(xml) if rng.random_bool(0.85) => *data = mutate_xml(rng, xml).into_bytes(),
            _ => havoc(rng, data, &[b"<", b">", b"\"", b"&", b"</c>"], others),
        }
    }
    let mut bytes = rezip(rng, &entries);
    if rng.random_bool(0.05) {
        havoc(
            rng,
            &mut bytes,
            &[b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"],
            others,
        );
    }
    bytes
}
