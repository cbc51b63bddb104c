//! The fuzz targets: each calls the parser the CLI uses on one input, then what the CLI does
//! with the result (renders findings and errors, checks, signs, merges). A panic is a finding;
//! an `Err` is the parser doing its job. A few targets also check a round trip that must hold
//! (an `assert!`, so a break is a finding too).

use super::corpus::{self, Ctx};
use super::mutate::{self, Rng, Seed, Shape};
use rand::Rng as _;
use revdesk::domain::access::ssh_fingerprint;
use revdesk::domain::profile::Profile;
use revdesk::io::entry;
use revdesk::io::import::{Format, decode};
use revdesk::io::merge;
use revdesk::io::panel::Panel;
use revdesk::io::sheet::{Sheet, describe_sheet_error};
use revdesk::io::validate::{self, Options};
use revdesk::text::errors::error_chain;
use revdesk::text::i18n::Lang;
use revdesk::tui::keymap::{KeyMap, legacy_notice};
use revdesk::tui::keys::Bindings;
use revdesk::tui::theme::Theme;
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// A fuzz target.
pub struct Target {
    /// Its name (`--target`, the regression folder).
    pub name: &'static str,
    /// What it calls.
    pub about: &'static str,
    /// Executions in the CI smoke run (debug build; all targets together well under 2 minutes).
    pub smoke: u64,
    /// Its seeds.
    pub seeds: fn(&Ctx) -> Vec<Seed>,
    /// Names and values for structure-aware edits.
    dict: fn(&Ctx) -> Dict,
    /// Runs one input.
    pub run: fn(&Ctx, &[u8]),
}

/// Every target, in the order campaigns run them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "batch-csv",
        about: "validate::load_bytes on a .csv batch (UTF-8, UTF-8 BOM, UTF-16 LE/BE, GB18030), findings rendered",
        smoke: 600,
        seeds: corpus::batch_csv,
        dict: batch_dict,
        run: |ctx, b| batch(ctx, "fuzz.csv", Format::Csv, b),
    },
    Target {
        name: "xlsx",
        about: "validate::load_bytes on an .xlsx batch (the sheet XML edited inside the zip)",
        smoke: 200,
        seeds: corpus::xlsx,
        dict: batch_dict,
        run: |ctx, b| batch(ctx, "fuzz.xlsx", Format::Xlsx, b),
    },
    Target {
        name: "batch-json",
        about: "validate::load_bytes on a .json batch, findings rendered",
        smoke: 600,
        seeds: corpus::batch_json,
        dict: batch_dict,
        run: |ctx, b| batch(ctx, "fuzz.json", Format::Json, b),
    },
    Target {
        name: "entry",
        about: "a paper score CSV: import::decode, then entry::parse against the batch and rubric",
        smoke: 1500,
        seeds: corpus::entry,
        dict: entry_dict,
        run: entry_target,
    },
    Target {
        name: "sheet",
        about: "Sheet::parse, verify, check (as the chair reads sheets); then signed again: check, write and read back",
        smoke: 300,
        seeds: corpus::sheet,
        dict: sheet_dict,
        run: sheet_target,
    },
    Target {
        name: "panel",
        about: "Panel::from_toml (experts, chairs, SSH keys); conflicts against the batch; to_toml read back",
        smoke: 1500,
        seeds: corpus::panel,
        dict: |_| Dict::of(PANEL_KEYS, PANEL_VALUES),
        run: panel_target,
    },
    Target {
        name: "profile",
        about: "Profile::from_toml; hashes; a small batch validated under it",
        smoke: 600,
        seeds: corpus::profile,
        dict: profile_dict,
        run: profile_target,
    },
    Target {
        name: "theme",
        about: "Theme::from_toml (merged over the built-in it extends)",
        smoke: 1500,
        seeds: corpus::theme,
        dict: |_| Dict::of(THEME_KEYS, THEME_VALUES),
        run: theme_target,
    },
    Target {
        name: "keymap",
        about: "KeyMap::parse_layout; both views' bindings built from it",
        smoke: 1500,
        seeds: corpus::keymap,
        dict: |_| Dict::of(KEYMAP_KEYS, KEYMAP_VALUES),
        run: keymap_target,
    },
    Target {
        name: "merge",
        about: "merge::merge of a shortlist export (alone and with the other domains'); the result read back as a batch",
        smoke: 250,
        seeds: corpus::merge,
        dict: merge_dict,
        run: merge_target,
    },
];

/// The target named `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Names and values structure-aware edits put in.
pub struct Dict {
    /// Field names, headers, keys.
    pub keys: Vec<&'static str>,
    /// Values.
    pub values: Vec<&'static str>,
}

impl Dict {
    fn of(keys: &[&'static str], values: &[&'static str]) -> Dict {
        Dict {
            keys: keys.to_vec(),
            values: values.to_vec(),
        }
    }

    /// Adds names made at run time (kept for the worker's life).
    fn with_keys(mut self, names: impl IntoIterator<Item = String>) -> Dict {
        self.keys
            .extend(names.into_iter().map(|n| &*Box::leak(n.into_boxed_str())));
        self
    }
}

/// A target's seeds and dictionary, made once per worker.
pub struct Corpus {
    /// The seeds.
    pub seeds: Vec<Seed>,
    /// The dictionary.
    pub dict: Dict,
}

impl Target {
    /// The seeds and dictionary.
    pub fn corpus(&self, ctx: &Ctx) -> Corpus {
        Corpus {
            seeds: (self.seeds)(ctx),
            dict: (self.dict)(ctx),
        }
    }

    /// Input `index` of a campaign: a seed, mutated (deterministic for `rng`).
    pub fn generate(&self, rng: &mut Rng, corpus: &Corpus) -> Vec<u8> {
        let seeds = &corpus.seeds;
        let (keys, values) = (&corpus.dict.keys, &corpus.dict.values);
        let Some(seed) = seeds.get(rng.random_range(0..seeds.len().max(1))) else {
            return vec![];
        };
        if rng.random_bool(0.02) {
            return seed.bytes.clone();
        }
        let text = !matches!(seed.shape, Shape::Zip(_))
            && self.name != "batch-csv"
            && self.name != "entry";
        if rng.random_bool(0.12) || matches!(seed.shape, Shape::Raw) {
            let dict: Vec<&[u8]> = keys.iter().chain(values).map(|s| s.as_bytes()).collect();
            let mut bytes = seed.bytes.clone();
            mutate::havoc(rng, &mut bytes, &dict, seeds);
            if text && rng.random_bool(0.5) {
                // The TOML and JSON loaders read text: mostly keep it UTF-8.
                bytes = String::from_utf8_lossy(&bytes).into_owned().into_bytes();
            }
            return bytes;
        }
        match &seed.shape {
            Shape::Csv(records, enc) => mutate::mutate_csv(rng, records, *enc, keys, values),
            Shape::Json(doc) => mutate::mutate_json(rng, doc, keys, values, seeds),
            Shape::Toml(doc) => mutate::mutate_toml(rng, doc, keys, values, seeds),
            Shape::Zip(entries) => mutate::mutate_xlsx(rng, entries, seeds),
            Shape::Raw => seed.bytes.clone(),
        }
    }
}

/// A batch, as `revdesk validate` reads and reports it (text and JSON), or its error.
fn batch(ctx: &Ctx, name: &str, format: Format, bytes: &[u8]) {
    let opts = Options::default();
    match validate::load_bytes(Path::new(name), format, bytes, &ctx.profile, &opts) {
        Ok(report) => {
            black_box(report.render_text(false, &ctx.profile));
            black_box(report.render_text(true, &ctx.profile));
            black_box(serde_json::to_string_pretty(&report.findings).ok());
            black_box(report.batch.short_hash());
        }
        Err(e) => {
            black_box(error_chain(&e));
        }
    }
}

/// A paper score sheet, as `revdesk enter` reads it.
fn entry_target(ctx: &Ctx, bytes: &[u8]) {
    let path = Path::new("paper.csv");
    let text = match decode(bytes) {
        Ok((text, _)) => text,
        Err(e) => {
            black_box((e.line(), e.to_string()));
            return;
        }
    };
    match entry::parse(path, &text, &ctx.batch, ctx.profile.rubric()) {
        Ok(rows) => {
            black_box(format!("{rows:?}"));
        }
        Err(errs) => {
            for e in &errs {
                black_box(e.to_string());
            }
        }
    }
}

/// A sheet, as the chair's reading takes it; then, signed again with the fuzz key, what a
/// legitimate expert could hand in with that content.
fn sheet_target(ctx: &Ctx, bytes: &[u8]) {
    let show = |e: &revdesk::io::sheet::SheetError| {
        black_box(describe_sheet_error(e, Lang::Zh));
        black_box(describe_sheet_error(e, Lang::En));
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let sheet = match Sheet::parse(text) {
        Ok(s) => s,
        Err(e) => return show(&e),
    };
    if let Err(e) = sheet
        .verify()
        .and_then(|()| sheet.check(&ctx.batch, &ctx.profile))
    {
        show(&e);
    }
    black_box(sheet.key_fingerprint());
    let signed = sheet.sign(&ctx.key);
    if let Err(e) = signed.verify() {
        panic!("a sheet signed here does not verify: {}", error_chain(&e));
    }
    if let Err(e) = signed.check(&ctx.batch, &ctx.profile) {
        return show(&e);
    }
    // A checked, signed sheet must survive its file.
    let back = Sheet::parse(&signed.to_pretty_json())
        .and_then(|b| b.verify().map(|()| b))
        .and_then(|b| b.check(&ctx.batch, &ctx.profile));
    if let Err(e) = back {
        panic!(
            "a checked, signed sheet does not read back: {}",
            error_chain(&e)
        );
    }
}

/// A panel file, its conflicts with the batch, and its own TOML read back.
fn panel_target(ctx: &Ctx, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let file = Path::new("panel.toml");
    let panel = match Panel::from_toml(text, file) {
        Ok(p) => p,
        Err(e) => {
            black_box(error_chain(&e));
            return;
        }
    };
    for e in &panel.experts {
        black_box(e.fingerprint());
        for item in ctx.batch.items.iter().take(8) {
            black_box(e.conflict_with(item));
        }
    }
    // As the server looks logins up: by id, and by each listed key.
    let ids = panel.experts.iter().map(|e| &e.id);
    for id in ids.chain(panel.chairs.iter().map(|c| &c.id)) {
        black_box(panel.identity(id));
        for key in panel.ssh_keys(id) {
            black_box((panel.identity_with_key(key), ssh_fingerprint(key)));
        }
    }
    match Panel::from_toml(&panel.to_toml(), file) {
        Ok(back) => assert!(
            back.experts == panel.experts && back.chairs == panel.chairs,
            "a panel's TOML reads back differently"
        ),
        Err(e) => panic!("a panel's own TOML does not read back: {}", error_chain(&e)),
    }
}

/// A profile, and a small batch validated under its rules.
fn profile_target(ctx: &Ctx, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let profile = match Profile::from_toml(text, Path::new("profile.toml")) {
        Ok(p) => p,
        Err(e) => {
            black_box(error_chain(&e));
            return;
        }
    };
    black_box((profile.hash(), profile.rubric_hash()));
    for d in &profile.domains {
        black_box(profile.quota(d));
    }
    for c in &profile.rubric().criteria {
        for v in ["0", "7", "7.5", "10", "-1", "1e1"] {
            black_box(c.parse(v).ok());
        }
    }
    let small = small_batch(ctx);
    if let Ok(report) = validate::load_bytes(
        Path::new("small.json"),
        Format::Json,
        small.as_bytes(),
        &profile,
        &Options::default(),
    ) {
        black_box(report.render_text(false, &profile));
    }
}

/// Two items of the 资源环境 batch as a JSON batch.
fn small_batch(ctx: &Ctx) -> String {
    let items: Vec<_> = ctx.batch.items.iter().take(2).collect();
    serde_json::json!({ "domain": "resources-environment", "items": items }).to_string()
}

/// A theme file.
fn theme_target(_: &Ctx, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match Theme::from_toml(text, "theme.toml") {
        Ok(t) => {
            black_box(t.styles());
            black_box(t.without_color().styles());
        }
        Err(e) => {
            black_box(error_chain(&e));
        }
    }
}

/// A keymap file, and the bindings both views build from it.
fn keymap_target(_: &Ctx, bytes: &[u8]) {
    use revdesk::tui::{chair, scoring};
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match KeyMap::parse_layout(text, "keys.toml") {
        Ok((map, _)) => {
            black_box(Bindings::<scoring::Action>::from_keymap(&map).rows());
            black_box(Bindings::<chair::Action>::from_keymap(&map).rows());
            black_box(legacy_notice("keys.toml"));
        }
        Err(e) => {
            black_box(error_chain(&e));
        }
    }
}

/// A shortlist export merged alone and with the other domains' exports; a merged batch must
/// read back as a final-review batch.
fn merge_target(ctx: &Ctx, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mine = (PathBuf::from("fuzz.json"), text.to_string());
    let mut all = vec![mine.clone()];
    all.extend(ctx.exports.iter().skip(1).cloned());
    for inputs in [vec![mine], all] {
        match merge::merge(&inputs, &ctx.profile) {
            Ok(fin) => {
                let json = fin.to_json("终审");
                let opts = Options {
                    final_review: true,
                    ..Options::default()
                };
                if let Err(e) = validate::load_bytes(
                    Path::new("final.json"),
                    Format::Json,
                    json.as_bytes(),
                    &ctx.profile,
                    &opts,
                ) {
                    panic!("a merged batch does not read back: {}", error_chain(&e));
                }
            }
            Err(e) => {
                black_box(error_chain(&e));
            }
        }
    }
}

/// Every field's form header and key, the form's header variants, the JSON batch's keys.
fn batch_dict(_: &Ctx) -> Dict {
    use revdesk::domain::batch::Field;
    Dict::of(BATCH_EXTRA_KEYS, BATCH_VALUES).with_keys(
        Field::ALL
            .iter()
            .flat_map(|f| [f.header().to_string(), f.key().to_string()]),
    )
}

const BATCH_EXTRA_KEYS: &[&str] = &[
    "*技术名称",
    "技术团队简介（不超过300字）",
    "重点服务行业（参照GB/T4754-2017）",
    "Project Type",
    "备注",
    "format",
    "title",
    "profile",
    "final_review",
    "items",
    "revdesk-batch/1",
    "kczg-2020",
];

/// The rubric's criteria by label and key.
fn criteria(ctx: &Ctx) -> Vec<String> {
    ctx.profile
        .rubric()
        .criteria
        .iter()
        .flat_map(|c| {
            [
                c.label.clone(),
                c.key.clone(),
                format!("{}（0–10分）", c.label),
            ]
        })
        .collect()
}

fn entry_dict(ctx: &Ctx) -> Dict {
    Dict::of(ENTRY_HEADERS, ENTRY_VALUES).with_keys(criteria(ctx))
}

fn sheet_dict(ctx: &Ctx) -> Dict {
    Dict::of(SHEET_KEYS, SHEET_VALUES).with_keys(criteria(ctx))
}

fn profile_dict(ctx: &Ctx) -> Dict {
    Dict::of(PROFILE_KEYS, PROFILE_VALUES).with_keys(criteria(ctx))
}

fn merge_dict(ctx: &Ctx) -> Dict {
    batch_dict(ctx).with_keys(MERGE_KEYS.iter().map(|k| k.to_string()))
}

const BATCH_VALUES: &[&str] = &[
    "RE-001",
    "RE-002",
    "EI-001",
    "RE-001 ",
    "资源环境",
    "电子信息",
    "生物医药",
    "装备制造",
    "先进材料",
    "resources-environment",
    "electronic-information",
    "biomedicine",
    "应用研究",
    "开发研究",
    "applied",
    "development",
    "7",
    "TRL7",
    "7级",
    "0",
    "10",
    "9.5",
    "C3971",
    "3971",
    "C 3971",
    "D4620；C3591",
    "生物药品制造（2761）",
    "C2761 生物药品制造",
    "C9999",
    "A01",
    "652",
    "集成电路",
    "a@b.cn",
    "not-an-email",
    "13800000000",
    "1.38E+10",
    "中国化工学会",
    "清华大学",
    "true",
    "false",
];

const ENTRY_HEADERS: &[&str] = &[
    "编号",
    "id",
    "回避",
    "recused",
    "回避原因",
    "recusal_reason",
    "评语",
    "意见",
    "comment",
    "技术名称",
    "name",
];

const ENTRY_VALUES: &[&str] = &[
    "RE-001",
    "RE-002",
    "RE-046",
    "RE-047",
    "XX-001",
    "8",
    "7.5",
    "10",
    "0",
    "11",
    "-1",
    "7.05",
    "1e1",
    "+7",
    "８",
    "是",
    "否",
    "yes",
    "no",
    "true",
    "false",
    "1",
    "0",
    "本人参与该项目",
    "路线清晰",
];

const SHEET_KEYS: &[&str] = &[
    "format",
    "batch",
    "profile",
    "rubric",
    "expert",
    "produced_at",
    "sequence",
    "public_key",
    "items",
    "signature",
    "id",
    "name",
    "scores",
    "comment",
    "recused",
    "recusal_reason",
    "flagged",
    "confidence",
    "revdesk-sheet/1",
];

const SHEET_VALUES: &[&str] = &[
    "RE-001",
    "RE-002",
    "normal",
    "low",
    "high",
    "2025-03-01T08:30:00Z",
    "2025-03-01T08:30:00+08:00",
    "9999-12-31T23:59:59Z",
    "-009999-01-01T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "e0",
    "wang",
    "b528909248cc8f54553f6340c9ab2144357a63a8ec37b2c55a2c223e669f6ff2",
    "00",
    "zz",
    "kczg-2020",
];

const PANEL_KEYS: &[&str] = &[
    "experts",
    "id",
    "name",
    "affiliations",
    "public_key",
    "[[experts]]",
    "ssh_keys",
    "chairs",
    "[[chairs]]",
];

const PANEL_VALUES: &[&str] = &[
    "wang",
    "王五",
    "清华大学",
    "清华大学（自动化系）",
    "华为",
    "ＡＢ１",
    "【】",
    "（）",
    "中国化工学会",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c",
    "EA4A6C63E29C520ABEF5507B132EC5F9954776AEBEBE7B92421EEA691446D22C",
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "sk-ssh-ed25519@openssh.com",
    "AAAAC3NzaC1lZDI1NTE5AAAAI",
    "AAAA",
    "=",
];

const PROFILE_KEYS: &[&str] = &[
    "id",
    "name",
    "domains",
    "key",
    "alliance",
    "shortlist",
    "min",
    "max",
    "final_list_size",
    "limits",
    "team",
    "level",
    "benefits",
    "level_detail",
    "benefits_detail",
    "quota_per_recommender",
    "criteria",
    "label",
    "label_en",
    "step",
    "weight",
    "question",
    "question_en",
    "bands",
    "description",
    "quota",
];

const PROFILE_VALUES: &[&str] = &[
    "kczg-2020",
    "资源环境",
    "resources-environment",
    "0.5",
    "0.3",
];

const THEME_KEYS: &[&str] = &[
    "name",
    "extends",
    "styles",
    "fg",
    "bg",
    "bold",
    "italic",
    "underlined",
    "reversed",
    "dim",
    "modifiers",
    "default",
    "light",
    "mono",
    "high-contrast",
    "title",
    "selected",
    "focus",
    "error",
    "warning",
    "status",
    "border",
    "header",
];

const THEME_VALUES: &[&str] = &[
    "red",
    "reset",
    "#ff0000",
    "#FFF",
    "#gggggg",
    "#",
    "indexed(0)",
    "indexed(255)",
    "indexed(256)",
    "255",
    "256",
    "-1",
    "light-red",
    "darkgray",
    "bold",
    "default",
    "light",
    "mono",
    "nope",
];

const KEYMAP_KEYS: &[&str] = &[
    "keys",
    "scoring",
    "chair",
    "settings",
    "flag",
    "undo",
    "jump_to_cut",
    "open_detail",
    "quit",
    "help",
    "next",
    "prev",
    "comment",
    "recuse",
    "score",
    "undo",
    "search",
    "filter",
    "submit",
    "detail",
    "cut",
    "override",
];

const KEYMAP_VALUES: &[&str] = &[
    "q",
    "Q",
    "ctrl+c",
    "ctrl+alt+shift+x",
    "alt+",
    "+",
    "f0",
    "f1",
    "f12",
    "f13",
    "f255",
    "f256",
    "enter",
    "esc",
    "tab",
    "shift+tab",
    "backtab",
    "space",
    " ",
    "up",
    "pagedown",
    "home",
    "0",
    ".",
    "中",
    "ctrl+中",
    "super+x",
    "hyper+q",
    "ctrl-c",
    "C-c",
    "Ctrl-z",
    "Alt-x",
    "Shift-Tab",
    "Ctrl-Alt-Shift-x",
    "F13",
    "F0",
    "Ctrl-",
    "-",
    "Ctrl--",
    "Enter",
    "Esc",
    "PageDown",
    "Ctrl-Enter",
];

const MERGE_KEYS: &[&str] = &[
    "format",
    "profile",
    "profile_hash",
    "domain",
    "final_review",
    "k_out_of_range",
    "config",
    "shortlist_min",
    "shortlist_max",
    "rows",
    "nominations",
    "id",
    "rank",
    "score",
    "shortlisted",
    "revdesk-results/1",
    "preliminary_rank",
    "preliminary_score",
    "trl",
    "project_type",
    "industry",
];
