//! The batch model: one alliance's nominations, as on the form (附件2).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// A field of the nomination form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    /// 编号.
    Id,
    /// 技术名称.
    Name,
    /// 所属领域.
    Domain,
    /// 重点服务行业.
    Industry,
    /// 技术项目类型.
    ProjectType,
    /// 技术就绪水平.
    Trl,
    /// 申报单位.
    Applicant,
    /// 推荐单位.
    Recommender,
    /// 联系人.
    Contact,
    /// 联系电话.
    Phone,
    /// 通信地址.
    Address,
    /// 电子邮箱.
    Email,
    /// 技术团队简介.
    Team,
    /// 知识产权情况.
    Ip,
    /// 技术获奖情况.
    Awards,
    /// 技术水平介绍.
    Level,
    /// 技术效益介绍.
    Benefits,
    /// 技术水平详细材料.
    LevelDetail,
    /// 技术效益详细材料.
    BenefitsDetail,
    /// 初评排名 (final-review batches only).
    PreliminaryRank,
    /// 初评得分 (final-review batches only).
    PreliminaryScore,
}

impl Field {
    /// Every field, in the form's order.
    pub const ALL: [Field; 21] = [
        Field::Id,
        Field::Name,
        Field::Domain,
        Field::Industry,
        Field::ProjectType,
        Field::Trl,
        Field::Applicant,
        Field::Recommender,
        Field::Contact,
        Field::Phone,
        Field::Address,
        Field::Email,
        Field::Team,
        Field::Ip,
        Field::Awards,
        Field::Level,
        Field::Benefits,
        Field::LevelDetail,
        Field::BenefitsDetail,
        Field::PreliminaryRank,
        Field::PreliminaryScore,
    ];

    /// The English key (JSON key, CSV alias), as serde names the field.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The Chinese header as on the form.
    pub fn header(self) -> &'static str {
        match self {
            Field::Id => "编号",
            Field::Name => "技术名称",
            Field::Domain => "所属领域",
            Field::Industry => "重点服务行业",
            Field::ProjectType => "技术项目类型",
            Field::Trl => "技术就绪水平",
            Field::Applicant => "申报单位",
            Field::Recommender => "推荐单位",
            Field::Contact => "联系人",
            Field::Phone => "联系电话",
            Field::Address => "通信地址",
            Field::Email => "电子邮箱",
            Field::Team => "技术团队简介",
            Field::Ip => "知识产权情况",
            Field::Awards => "技术获奖情况",
            Field::Level => "技术水平介绍",
            Field::Benefits => "技术效益介绍",
            Field::LevelDetail => "技术水平详细材料",
            Field::BenefitsDetail => "技术效益详细材料",
            Field::PreliminaryRank => "初评排名",
            Field::PreliminaryScore => "初评得分",
        }
    }

    /// An English label for UI and messages.
    pub fn label_en(self) -> &'static str {
        match self {
            Field::Id => "ID",
            Field::Name => "Technology",
            Field::Domain => "Domain",
            Field::Industry => "Industries served",
            Field::ProjectType => "Project type",
            Field::Trl => "Technology readiness level",
            Field::Applicant => "Applicant",
            Field::Recommender => "Recommender",
            Field::Contact => "Contact person",
            Field::Phone => "Phone",
            Field::Address => "Address",
            Field::Email => "Email",
            Field::Team => "Team",
            Field::Ip => "Intellectual property",
            Field::Awards => "Awards",
            Field::Level => "Technical level",
            Field::Benefits => "Benefits",
            Field::LevelDetail => "Technical level (detail)",
            Field::BenefitsDetail => "Benefits (detail)",
            Field::PreliminaryRank => "Preliminary rank",
            Field::PreliminaryScore => "Preliminary score",
        }
    }

    /// Other headers seen on real spreadsheets for this field.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["项目编号", "序号编号"],
            Field::Domain => &["领域"],
            Field::Industry => &["服务行业", "行业代码"],
            Field::ProjectType => &["项目类型"],
            Field::Trl => &["技术就绪水平量值", "就绪水平"],
            Field::Email => &["邮箱"],
            Field::Team => &["团队简介", "技术完成团队简介"],
            Field::Ip => &["技术知识产权情况"],
            Field::Awards => &["获奖情况"],
            _ => &[],
        }
    }

    /// Matches a column header (Chinese, alias or English key) to a field.
    ///
    /// The form's own notes and markers are ignored: `*技术名称`, `技术团队简介（不超过300字）`,
    /// `重点服务行业（参照GB/T4754-2017）`, `Project Type`.
    pub fn from_header(header: &str) -> Option<Field> {
        let h: String = strip_header_notes(header)
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
            .collect();
        if h.is_empty() {
            return None;
        }
        // English keys match with or without their underscores, in any case.
        let lower: String = h
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .collect();
        Field::ALL.into_iter().find(|f| {
            f.header() == h
                || f.key().replace('_', "") == lower
                || f.aliases().contains(&h.as_str())
                || (*f == Field::Trl && lower == "trl")
        })
    }

    /// Whether an item is unusable without this field.
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::Id
                | Field::Name
                | Field::Domain
                | Field::Industry
                | Field::ProjectType
                | Field::Trl
                | Field::Applicant
                | Field::Recommender
                | Field::Team
                | Field::Level
                | Field::Benefits
        )
    }

    /// `技术团队简介 (team)`: how messages name a field.
    pub fn describe(self) -> String {
        format!("{} ({})", self.header(), self.key())
    }
}

/// A header cell without a BOM, notes in brackets (`（不超过300字）`, `(必填)`, `【】`) and
/// required-field stars; inner spaces are kept (`Market prospects`).
pub fn strip_header_notes(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.trim_start_matches('\u{feff}').chars() {
        match c {
            '(' | '（' | '[' | '【' | '〔' => depth += 1,
            ')' | '）' | ']' | '】' | '〕' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            '*' | '＊' => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// 技术项目类型, per GB/T 22900-2009.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectType {
    /// 应用研究.
    Applied,
    /// 开发研究.
    Development,
}

impl ProjectType {
    /// Parses 应用研究/开发研究 or applied/development.
    pub fn parse(s: &str) -> Option<ProjectType> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "应用研究" | "applied" | "applied research" => Some(ProjectType::Applied),
            "开发研究" | "development" | "development research" => {
                Some(ProjectType::Development)
            }
            _ => None,
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ProjectType::Applied => "应用研究",
            ProjectType::Development => "开发研究",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            ProjectType::Applied => "applied research",
            ProjectType::Development => "development research",
        }
    }
}

/// One nomination (推荐表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// 编号.
    pub id: String,
    /// 技术名称.
    pub name: String,
    /// The domain's key in the profile.
    pub domain: String,
    /// Industry codes: known 中类/小类 normalised to digits (`3971`); anything else (unknown,
    /// too coarse, wrong section letter) kept as written, so nothing the form said is lost.
    pub industry: Vec<String>,
    /// 技术项目类型.
    pub project_type: ProjectType,
    /// 技术就绪水平, 1–9.
    pub trl: u8,
    /// 申报单位.
    pub applicant: String,
    /// 推荐单位.
    pub recommender: String,
    /// 联系人.
    pub contact: String,
    /// 联系电话.
    pub phone: String,
    /// 通信地址.
    pub address: String,
    /// 电子邮箱.
    pub email: String,
    /// 技术团队简介.
    pub team: String,
    /// 知识产权情况.
    pub ip: String,
    /// 技术获奖情况.
    pub awards: String,
    /// 技术水平介绍.
    pub level: String,
    /// 技术效益介绍.
    pub benefits: String,
    /// 技术水平详细材料.
    pub level_detail: String,
    /// 技术效益详细材料.
    pub benefits_detail: String,
    /// Rank in the domain's preliminary review (final-review batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preliminary_rank: Option<u32>,
    /// Score in the domain's preliminary review (final-review batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preliminary_score: Option<f64>,
    /// Where the item is in its file: CSV line, sheet row or JSON index.
    #[serde(skip)]
    pub line: usize,
}

impl Item {
    /// The text of a field, as stored.
    pub fn text(&self, f: Field) -> String {
        match f {
            Field::Id => self.id.clone(),
            Field::Name => self.name.clone(),
            Field::Domain => self.domain.clone(),
            Field::Industry => self.industry.join("；"),
            Field::ProjectType => self.project_type.zh().to_string(),
            Field::Trl => self.trl.to_string(),
            Field::Applicant => self.applicant.clone(),
            Field::Recommender => self.recommender.clone(),
            Field::Contact => self.contact.clone(),
            Field::Phone => self.phone.clone(),
            Field::Address => self.address.clone(),
            Field::Email => self.email.clone(),
            Field::Team => self.team.clone(),
            Field::Ip => self.ip.clone(),
            Field::Awards => self.awards.clone(),
            Field::Level => self.level.clone(),
            Field::Benefits => self.benefits.clone(),
            Field::LevelDetail => self.level_detail.clone(),
            Field::BenefitsDetail => self.benefits_detail.clone(),
            Field::PreliminaryRank => self
                .preliminary_rank
                .map(|r| r.to_string())
                .unwrap_or_default(),
            Field::PreliminaryScore => self
                .preliminary_score
                .map(|s| format!("{s:.4}"))
                .unwrap_or_default(),
        }
    }

    /// Whether `needle` (already lower-cased) occurs in the id, name, applicant or texts.
    pub fn matches(&self, needle: &str) -> bool {
        if needle.is_empty() {
            return true;
        }
        [
            &self.id,
            &self.name,
            &self.applicant,
            &self.recommender,
            &self.team,
            &self.ip,
            &self.awards,
            &self.level,
            &self.benefits,
            &self.level_detail,
            &self.benefits_detail,
        ]
        .iter()
        .any(|t| t.to_lowercase().contains(needle))
    }
}

/// Metadata of a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchMeta {
    /// A title for screens and exports.
    #[serde(default)]
    pub title: String,
    /// The profile id the batch was prepared for.
    #[serde(default)]
    pub profile: String,
    /// The domain key, when the batch says it.
    #[serde(default)]
    pub domain: Option<String>,
    /// A final-review batch holds all domains.
    #[serde(default)]
    pub final_review: bool,
}

/// A validated batch of nominations.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Where it was read from.
    pub path: PathBuf,
    /// Metadata from the file or the command line.
    pub meta: BatchMeta,
    /// The domain key (None for a final-review batch).
    pub domain: Option<String>,
    /// The usable items, in file order.
    pub items: Vec<Item>,
    /// Content hash of the normalised items.
    pub hash: String,
}

impl Batch {
    /// Builds a batch and computes its content hash.
    pub fn new(path: PathBuf, meta: BatchMeta, domain: Option<String>, items: Vec<Item>) -> Self {
        let hash = content_hash(&items);
        Batch {
            path,
            meta,
            domain,
            items,
            hash,
        }
    }

    /// The first 12 hex digits of the hash, for display.
    pub fn short_hash(&self) -> &str {
        short_hash(&self.hash)
    }

    /// Finds an item by id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The ids in file order.
    pub fn ids(&self) -> Vec<String> {
        self.items.iter().map(|i| i.id.clone()).collect()
    }
}

/// The first 12 hex digits of a content hash, for display.
pub fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// What the content hash covers before the items, which follow one JSON line each.
const HASH_PREFIX: &[u8] = b"revdesk-batch/1\n";
/// How much JSON is hashed at a time.
const HASH_BLOCK: usize = 256 * 1024;

/// Hex SHA-256 of the items sorted by id, in canonical JSON: the same nominations
/// give the same hash whatever the file format, row order or spreadsheet layout.
///
/// SHA-256 (SHA-NI where the CPU has it) takes about twice as long as writing the JSON, so a
/// second thread hashes each 256 KiB of JSON while the next is written.
pub fn content_hash(items: &[Item]) -> String {
    let mut sorted: Vec<&Item> = items.iter().collect();
    // Batches usually come in id order: then the (stable) sort has nothing to do.
    if !sorted.is_sorted_by(|a, b| a.id <= b.id) {
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
    }
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let hasher = s.spawn(move || {
            let mut h = Sha256::new();
            h.update(HASH_PREFIX);
            for block in rx {
                h.update(&block);
            }
            hex::encode(h.finalize())
        });
        let mut block = Vec::with_capacity(HASH_BLOCK + 4096);
        for it in sorted {
            write_item_json(&mut block, it);
            block.push(b'\n');
            if block.len() >= HASH_BLOCK {
                // The hasher only stops early by panicking, which `join` passes on.
                let _ = tx.send(std::mem::replace(
                    &mut block,
                    Vec::with_capacity(HASH_BLOCK + 4096),
                ));
            }
        }
        let _ = tx.send(block);
        drop(tx);
        hasher
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`content_hash`] of items given one at a time, in id order, and owned: a batch read as a
/// stream is hashed without being kept.
///
/// A second thread hashes each item's JSON as it writes it and frees the item, so the
/// reading thread does none of that.
pub struct ItemHasher {
    items: Vec<Item>,
    tx: Option<std::sync::mpsc::SyncSender<Vec<Item>>>,
    hasher: Option<std::thread::JoinHandle<String>>,
}

impl ItemHasher {
    /// Items handed over at a time: few enough to keep the two threads in step.
    const ITEMS: usize = 16;

    /// A hasher with nothing hashed yet.
    pub fn new() -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(2);
        let hasher = std::thread::spawn(move || {
            let mut h = Sha256::new();
            h.update(HASH_PREFIX);
            for items in rx {
                for it in &items {
                    // Straight into the hash: the text is read once, not copied first.
                    write_item_json(&mut h, it);
                    h.update(b"\n");
                }
            }
            hex::encode(h.finalize())
        });
        ItemHasher {
            items: Vec::with_capacity(Self::ITEMS),
            tx: Some(tx),
            hasher: Some(hasher),
        }
    }

    /// Hashes the next item (the caller keeps them in id order).
    pub fn push(&mut self, it: Item) {
        self.items.push(it);
        if self.items.len() >= Self::ITEMS {
            self.send();
        }
    }

    fn send(&mut self) {
        let items = std::mem::replace(&mut self.items, Vec::with_capacity(Self::ITEMS));
        if let Some(tx) = &self.tx {
            // The hasher only stops early by panicking, which `finish` passes on.
            let _ = tx.send(items);
        }
    }

    /// The hash of every item pushed.
    pub fn finish(mut self) -> String {
        self.send();
        self.tx.take();
        match self.hasher.take().map(std::thread::JoinHandle::join) {
            Some(Ok(hash)) => hash,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            // Not reached: only `finish` takes the thread, and it takes `self`.
            None => String::new(),
        }
    }
}

impl Default for ItemHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ItemHasher {
    /// A hasher given up on ends its thread rather than leave it waiting.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.hasher.take() {
            let _ = h.join();
        }
    }
}

/// Appends an item's JSON exactly as `serde_json::to_writer` writes it (compact, fields in
/// declaration order, the optional numbers only when present), for the content hash.
///
/// serde_json looks at every byte of a string through its escape table, one at a time; this
/// tests 32 at once and copies the runs with nothing to escape: about half serde_json's time on
/// a batch of long texts (by `perf`). A test holds it to serde_json's bytes.
fn write_item_json(out: &mut impl JsonOut, it: &Item) {
    fn text(out: &mut impl JsonOut, key: &str, value: &str) {
        out.put(b",\"");
        out.put(key.as_bytes());
        out.put(b"\":");
        write_json_str(out, value);
    }
    out.put(b"{\"id\":");
    write_json_str(out, &it.id);
    text(out, "name", &it.name);
    text(out, "domain", &it.domain);
    out.put(b",\"industry\":[");
    for (i, code) in it.industry.iter().enumerate() {
        if i > 0 {
            out.put(b",");
        }
        write_json_str(out, code);
    }
    out.put(b"],\"project_type\":");
    // Small values: serde_json's own formatting (they always serialise).
    put_json(out, &it.project_type);
    out.put(b",\"trl\":");
    put_json(out, &it.trl);
    text(out, "applicant", &it.applicant);
    text(out, "recommender", &it.recommender);
    text(out, "contact", &it.contact);
    text(out, "phone", &it.phone);
    text(out, "address", &it.address);
    text(out, "email", &it.email);
    text(out, "team", &it.team);
    text(out, "ip", &it.ip);
    text(out, "awards", &it.awards);
    text(out, "level", &it.level);
    text(out, "benefits", &it.benefits);
    text(out, "level_detail", &it.level_detail);
    text(out, "benefits_detail", &it.benefits_detail);
    if let Some(rank) = it.preliminary_rank {
        out.put(b",\"preliminary_rank\":");
        put_json(out, &rank);
    }
    if let Some(score) = it.preliminary_score {
        out.put(b",\"preliminary_score\":");
        put_json(out, &score);
    }
    out.put(b"}");
}

/// Where an item's JSON goes: a buffer, or straight into the hash (no copy of the text).
trait JsonOut {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);
}

impl JsonOut for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl JsonOut for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A small value as serde_json writes it.
fn put_json(out: &mut impl JsonOut, value: &impl Serialize) {
    let mut buf = Vec::with_capacity(32);
    // Writing a number or a unit variant into memory does not fail.
    let _ = serde_json::to_writer(&mut buf, value);
    out.put(&buf);
}

/// Whether serde_json escapes this byte: control characters, `"` and `\`.
fn json_escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends a JSON string as serde_json writes it: `\"`, `\\`, `\b \t \n \f \r`, other control
/// characters as `\u00xx`, everything else (non-ASCII and DEL included) as it is.
fn write_json_str(out: &mut impl JsonOut, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.put(b"\"");
    let mut run = 0;
    while let Some(i) = find_escaped(bytes, run) {
        out.put(&bytes[run..i]);
        let b = bytes[i];
        match b {
            b'"' => out.put(b"\\\""),
            b'\\' => out.put(b"\\\\"),
            0x08 => out.put(b"\\b"),
            b'\t' => out.put(b"\\t"),
            b'\n' => out.put(b"\\n"),
            0x0c => out.put(b"\\f"),
            b'\r' => out.put(b"\\r"),
            _ => out.put(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        run = i + 1;
    }
    out.put(&bytes[run..]);
    out.put(b"\"");
}

/// The first byte at or after `from` that JSON escapes.
///
/// 64 bytes a step, tested without an early exit so that the compiler makes it vector compares:
/// a byte-at-a-time scan was a fifth of hashing a batch of long texts, eight bytes in a `u64`
/// still 6% of `validate` of a large workbook.
fn find_escaped(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut steps = rest.chunks_exact(64);
    let mut at = from;
    for step in &mut steps {
        if step.iter().fold(false, |any, &b| any | json_escaped(b)) {
            return step.iter().position(|&b| json_escaped(b)).map(|p| at + p);
        }
        at += 64;
    }
    let tail = steps.remainder();
    tail.iter().position(|&b| json_escaped(b)).map(|p| at + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn json_strings_are_serde_jsons_whatever_the_escapes(
            s in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just('"'),
                    proptest::prelude::Just('\\'),
                    proptest::prelude::Just('\n'),
                    proptest::char::range('\u{0}', '\u{7f}'),
                    proptest::char::range('\u{80}', '\u{10ffff}'),
                    proptest::prelude::Just('技'),
                ],
                0..120,
            )
        ) {
            let s: String = s.into_iter().collect();
            let mut mine = Vec::new();
            write_json_str(&mut mine, &s);
            proptest::prop_assert_eq!(
                String::from_utf8_lossy(&mine),
                serde_json::to_string(&s).unwrap()
            );
        }
    }

    #[test]
    fn item_json_is_serde_jsons_byte_for_byte() {
        // Every ASCII character, alone and between other text; long runs with escapes at
        // every place within and across the 32-byte steps; multi-byte characters.
        let mut samples: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        samples.extend((0u8..0x80).map(|b| format!("前{}后\u{7f}", char::from(b))));
        for at in 0..70 {
            for esc in ["\"", "\\", "\n", "\u{1}", "\r\n", "\u{1f}"] {
                let mut t = "技".repeat(30) + &"a".repeat(at);
                t.push_str(esc);
                t.push_str(&"术x".repeat(at));
                samples.push(t);
            }
        }
        samples.push(String::new());
        samples.push("长".repeat(100_000));
        for s in &samples {
            let mut mine = Vec::new();
            write_json_str(&mut mine, s);
            assert_eq!(
                String::from_utf8_lossy(&mine),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
        let base = |id: &str, text: &str| Item {
            id: id.to_string(),
            name: text.to_string(),
            domain: "d".into(),
            industry: vec![],
            project_type: ProjectType::Applied,
            trl: 7,
            applicant: text.to_string(),
            recommender: "r".into(),
            contact: "c".into(),
            phone: "p".into(),
            address: "a".into(),
            email: "e".into(),
            team: text.to_string(),
            ip: "i".into(),
            awards: "w".into(),
            level: "l".into(),
            benefits: "b".into(),
            level_detail: text.to_string(),
            benefits_detail: text.to_string(),
            preliminary_rank: None,
            preliminary_score: None,
            line: 3,
        };
        let mut items = Vec::new();
        for (n, s) in samples.iter().enumerate().step_by(7) {
            let mut it = base(&format!("A-{n}"), s);
            it.industry = (0..n % 3).map(|k| format!("{k}\"{s}")).collect();
            it.project_type = if n % 2 == 0 {
                ProjectType::Applied
            } else {
                ProjectType::Development
            };
            it.trl = (n % 9) as u8 + 1;
            it.preliminary_rank = (n % 3 == 1).then_some(n as u32);
            it.preliminary_score = match n % 4 {
                0 => None,
                1 => Some(n as f64 / 7.0),
                2 => Some(1e21),
                _ => Some(-0.0),
            };
            items.push(it);
        }
        for it in &items {
            let mut mine = Vec::new();
            write_item_json(&mut mine, it);
            assert_eq!(mine, serde_json::to_vec(it).unwrap(), "{}", it.id);
        }
    }

    #[test]
    fn headers_and_aliases() {
        assert_eq!(Field::from_header("技术名称"), Some(Field::Name));
        assert_eq!(Field::from_header("\u{feff}编号"), Some(Field::Id));
        assert_eq!(Field::from_header(" Name "), Some(Field::Name));
        assert_eq!(Field::from_header("技术就绪水平量值"), Some(Field::Trl));
        assert_eq!(Field::from_header("TRL"), Some(Field::Trl));
        assert_eq!(Field::from_header("*技术名称"), Some(Field::Name));
        assert_eq!(Field::from_header("备注"), None);
        // The form's notes and markers, as people copy them into a header row.
        for (h, f) in [
            ("技术团队简介（不超过300字）", Field::Team),
            ("重点服务行业（参照GB/T4754-2017）", Field::Industry),
            ("*技术名称", Field::Name),
            ("＊ 技术名称 ", Field::Name),
            (" 技术 名称", Field::Name),
            ("技术效益介绍(500字以内)", Field::Benefits),
            ("Project Type", Field::ProjectType),
            ("LEVEL DETAIL", Field::LevelDetail),
            ("联系电话：", Field::Phone),
        ] {
            assert_eq!(Field::from_header(h), Some(f), "{h}");
        }
        assert_eq!(Field::from_header("（备注）"), None);
        assert_eq!(
            strip_header_notes("Market prospects（0–10）"),
            "Market prospects"
        );
        for f in Field::ALL {
            assert_eq!(Field::from_header(f.header()), Some(f));
            assert_eq!(Field::from_header(f.key()), Some(f));
        }
    }

    #[test]
    fn keys_are_the_forms_english_names() {
        let keys = Field::ALL.map(Field::key);
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "domain",
                "industry",
                "project_type",
                "trl",
                "applicant",
                "recommender",
                "contact",
                "phone",
                "address",
                "email",
                "team",
                "ip",
                "awards",
                "level",
                "benefits",
                "level_detail",
                "benefits_detail",
                "preliminary_rank",
                "preliminary_score",
            ]
        );
        for f in Field::ALL {
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.key())
            );
        }
    }

    #[test]
    fn the_hash_is_of_the_items_sorted_by_id_whatever_their_order() {
        let item = |id: &str, name: &str| -> Item {
            let empty = "recommender contact phone address email ip awards level benefits \
                         level_detail benefits_detail";
            let mut v = serde_json::json!({
                "id": id, "name": name, "domain": "d", "industry": ["3971"],
                "project_type": "applied", "trl": 7, "applicant": "a\"引号\"", "team": "t\n两行",
            });
            for k in empty.split_whitespace() {
                v[k] = "".into();
            }
            serde_json::from_value(v).unwrap()
        };
        let long = "长".repeat(100_000);
        let items = [item("B-2", "x"), item("A-1", &long), item("B-2", "z")];
        // The definition: SHA-256 of the tag, then each item's JSON and a newline, by id
        // (a stable sort: equal ids keep their order).
        let mut sorted: Vec<&Item> = items.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut bytes = b"revdesk-batch/1\n".to_vec();
        for it in sorted {
            bytes.extend(serde_json::to_vec(it).unwrap());
            bytes.push(b'\n');
        }
        let want = hex::encode(Sha256::digest(&bytes));
        assert_eq!(content_hash(&items), want);
        let in_order = [items[1].clone(), items[0].clone(), items[2].clone()];
        assert_eq!(content_hash(&in_order), want);
    }

    #[test]
    fn project_types() {
        assert_eq!(ProjectType::parse(" 应用研究 "), Some(ProjectType::Applied));
        assert_eq!(
            ProjectType::parse("Development"),
            Some(ProjectType::Development)
        );
        assert_eq!(ProjectType::parse("基础研究"), None);
    }
}
