//! Collecting a directory of sheets the way the panel chair does.

use ed25519_dalek::{Signer, SigningKey};
use revdesk::domain::batch::{Batch, BatchMeta, Item, ProjectType};
use revdesk::domain::profile::Profile;
use revdesk::io::panel::{Collected, Panel, Party, collect};
use revdesk::io::sheet::{
    Expert, Sheet, SheetError, SheetItem, fingerprint, public_key_to_hex, write,
};
use revdesk::text::errors::error_chain;
use std::fs;
use std::path::{Path, PathBuf};

fn item(id: &str, applicant: &str, recommender: &str) -> Item {
    Item {
        id: id.into(),
        name: format!("技术 {id}"),
        domain: "electronic-information".into(),
        industry: vec!["3971".into()],
        project_type: ProjectType::Development,
        trl: 7,
        applicant: applicant.into(),
        recommender: recommender.into(),
        contact: "联系人".into(),
        phone: "13800000000".into(),
        address: "北京市海淀区".into(),
        email: "x@example.org".into(),
        team: "团队".into(),
        ip: String::new(),
        awards: String::new(),
        level: "水平".into(),
        benefits: "效益".into(),
        level_detail: String::new(),
        benefits_detail: String::new(),
        preliminary_rank: None,
        preliminary_score: None,
        line: 0,
    }
}

fn batch() -> Batch {
    Batch::new(
        PathBuf::from("batch.json"),
        BatchMeta::default(),
        Some("electronic-information".into()),
        vec![
            item("EI-001", "某某科技有限公司", "中国通信学会"),
            item("EI-002", "清华大学（自动化系）", "中国通信学会"),
            item("EI-003", "某某研究院", "中国电子学会"),
        ],
    )
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// Experts and their key seeds; zhao is not in the panel, seed 99 is a forger's.
const WANG: u8 = 1;
const LI: u8 = 2;
const CHEN: u8 = 3;
const ZHAO: u8 = 4;
const FORGER: u8 = 99;

fn panel() -> Panel {
    let text = format!(
        r#"
[[experts]]
id = "wang"
name = "王五"
affiliations = ["清华大学", "中国电子学会"]
public_key = "{}"

[[experts]]
id = "li"
name = "李四"
affiliations = ["中国通信学会"]
public_key = "{}"

[[experts]]
id = "chen"
name = "陈六"
public_key = "{}"

[[experts]]
id = "sun"
name = "孙七"
public_key = "{}"
"#,
        public_key_to_hex(&key(WANG).verifying_key()),
        public_key_to_hex(&key(LI).verifying_key()),
        public_key_to_hex(&key(CHEN).verifying_key()),
        public_key_to_hex(&key(50).verifying_key()),
    );
    match Panel::from_toml(&text, Path::new("panel.toml")) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// A sheet scoring `scored` items with `score` on every criterion and recusing from `recused`.
fn sheet(
    b: &Batch,
    expert: &str,
    seq: u64,
    scored: &[&str],
    recused: &[&str],
    score: f64,
) -> Sheet {
    let p = Profile::kczg_2020();
    let mut items = Vec::new();
    for id in scored {
        let mut i = SheetItem::new(*id);
        for c in &p.criteria.criteria {
            i.scores.insert(c.key.clone(), score);
        }
        items.push(i);
    }
    for id in recused {
        let mut i = SheetItem::new(*id);
        i.recused = true;
        i.recusal_reason = "本单位".into();
        items.push(i);
    }
    Sheet::new(
        b,
        &p,
        Expert {
            id: expert.into(),
            name: expert.to_uppercase(),
        },
        seq,
        jiff::Timestamp::UNIX_EPOCH,
        items,
    )
}

fn put(dir: &Path, name: &str, s: &Sheet) -> PathBuf {
    let path = dir.join(name);
    write(s, &path, false).unwrap();
    path
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn rejected(c: &Collected) -> Vec<(String, String)> {
    c.rejected
        .iter()
        .map(|e| (name(&e.path), error_chain(&e.source)))
        .collect()
}

/// Writes the mixed directory used by the tests below.
fn mixed_dir(dir: &Path) {
    let b = batch();
    // wang: seq 2 superseded by seq 3, plus an identical copy of seq 3. wang is affiliated
    // with 清华大学 (EI-002's applicant) and 中国电子学会 (EI-003's recommender): he scores
    // EI-002 (a conflict) and recuses from EI-003 (fine).
    put(
        dir,
        "wang-a.json",
        &sheet(&b, "wang", 2, &["EI-001"], &[], 5.0).sign(&key(WANG)),
    );
    let w3 = sheet(&b, "wang", 3, &["EI-001", "EI-002"], &["EI-003"], 6.0).sign(&key(WANG));
    put(dir, "wang-b.json", &w3);
    put(dir, "wang-b-copy.json", &w3);
    // A sheet claiming to be wang's, signed by somebody else.
    put(
        dir,
        "wang-z-forged.json",
        &sheet(&b, "wang", 9, &["EI-001"], &[], 10.0).sign(&key(FORGER)),
    );
    // li: good, scores every item (affiliation 中国通信学会 is EI-001's and EI-002's recommender).
    put(
        dir,
        "li.json",
        &sheet(&b, "li", 1, &["EI-003"], &[], 4.0).sign(&key(LI)),
    );
    // A tampered copy of a sheet of li.
    let mut t = sheet(&b, "li", 2, &["EI-003"], &[], 4.0).sign(&key(LI));
    t.items[0].scores.insert("market".into(), 10.0);
    put(dir, "li-tampered.json", &t);
    // chen: two different sheets with the same sequence number.
    put(
        dir,
        "chen-1.json",
        &sheet(&b, "chen", 5, &["EI-001"], &[], 3.0).sign(&key(CHEN)),
    );
    put(
        dir,
        "chen-2.json",
        &sheet(&b, "chen", 5, &["EI-001"], &[], 4.0).sign(&key(CHEN)),
    );
    // zhao is not in the panel.
    put(
        dir,
        "zhao.json",
        &sheet(&b, "zhao", 1, &["EI-001"], &[], 7.0).sign(&key(ZHAO)),
    );
    // A sheet for another batch.
    let other = Batch::new(
        PathBuf::from("o"),
        BatchMeta::default(),
        None,
        vec![item("EI-001", "a", "b")],
    );
    put(
        dir,
        "foreign.json",
        &sheet(&other, "li", 7, &["EI-001"], &[], 7.0).sign(&key(LI)),
    );
    // Not sheets: ignored.
    fs::write(dir.join("README.txt"), "not a sheet").unwrap();
    fs::write(dir.join(".partial.json"), "{").unwrap();
    fs::create_dir(dir.join("old.json")).unwrap();
}

#[test]
fn collects_a_mixed_directory_with_a_panel() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_dir(tmp.path());
    let (b, p, panel) = (batch(), Profile::kczg_2020(), panel());
    let c = collect(&[tmp.path().to_path_buf()], &b, &p, Some(&panel));

    let accepted: Vec<(String, String, u64)> = c
        .accepted
        .iter()
        .map(|(path, s)| (name(path), s.expert.id.clone(), s.sequence))
        .collect();
    assert_eq!(
        accepted,
        [
            ("li.json".to_string(), "li".to_string(), 1),
            ("wang-b-copy.json".to_string(), "wang".to_string(), 3),
        ]
    );

    let r = rejected(&c);
    let names: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "chen-1.json",
            "chen-2.json",
            "foreign.json",
            "li-tampered.json",
            "wang-z-forged.json",
            "zhao.json"
        ],
        "{r:#?}"
    );
    let reason = |n: &str| &r.iter().find(|(x, _)| x == n).unwrap().1;
    assert!(
        reason("chen-1.json").starts_with("conflicts with "),
        "{r:#?}"
    );
    assert!(
        reason("chen-1.json").ends_with("chen-2.json: both are seq 5 from expert chen but differ")
    );
    assert!(
        reason("foreign.json").starts_with("sheet is for batch "),
        "{r:#?}"
    );
    assert!(
        reason("li-tampered.json").starts_with("bad signature: "),
        "{r:#?}"
    );
    assert!(
        reason("wang-z-forged.json").starts_with("signed by key ")
            && reason("wang-z-forged.json").ends_with(&format!(
                ", but panel pins {} for expert wang",
                panel.expert("wang").unwrap().fingerprint()
            )),
        "{r:#?}"
    );
    assert_eq!(reason("zhao.json"), "expert zhao is not in the panel");
    // The wrapper prints FILE: reason.
    assert!(error_chain(&c.rejected[0]).starts_with(&format!(
        "{}: conflicts with",
        tmp.path().join("chen-1.json").display()
    )));

    let d = tmp.path().display();
    assert_eq!(
        c.notes,
        [
            format!("wang: {d}/wang-b.json is an identical copy of {d}/wang-b-copy.json (ignored)"),
            format!("wang: sheet seq 3 ({d}/wang-b-copy.json) supersedes seq 2 ({d}/wang-a.json)"),
            "chen (陈六): no accepted sheet".to_string(),
            "sun (孙七): no accepted sheet".to_string(),
        ]
    );

    // wang scored EI-002 (applicant 清华大学（自动化系）); his recusal from EI-003 is fine.
    let shown: Vec<String> = c.conflicts.iter().map(|x| x.to_string()).collect();
    assert_eq!(
        shown,
        ["wang scored EI-002 but is affiliated with 清华大学 (applicant: 清华大学（自动化系）)"]
    );
    assert_eq!(c.conflicts[0].party, Party::Applicant);
    assert_eq!(c.exclusions(), [("wang".to_string(), "EI-002".to_string())]);
}

#[test]
fn without_a_panel_an_expert_id_under_two_keys_has_every_sheet_refused() {
    // Used to keep the first key in file-name order, so a forgery named to sort first won.
    // Without a panel nothing tells the genuine key, so all of wang's sheets are refused.
    for forged_name in ["wang-z-forged.json", "a-forged.json"] {
        let tmp = tempfile::tempdir().unwrap();
        mixed_dir(tmp.path());
        if forged_name != "wang-z-forged.json" {
            fs::rename(
                tmp.path().join("wang-z-forged.json"),
                tmp.path().join(forged_name),
            )
            .unwrap();
        }
        let (b, p) = (batch(), Profile::kczg_2020());
        let c = collect(&[tmp.path().to_path_buf()], &b, &p, None);
        let accepted: Vec<&str> = c
            .accepted
            .iter()
            .map(|(_, s)| s.expert.id.as_str())
            .collect();
        assert_eq!(accepted, ["li", "zhao"], "{forged_name}");
        let r = rejected(&c);
        let genuine = fingerprint(&key(WANG).verifying_key());
        let forger = fingerprint(&key(FORGER).verifying_key());
        let d = tmp.path().display();
        for n in ["wang-a.json", "wang-b.json", "wang-b-copy.json"] {
            let why = &r.iter().find(|(x, _)| x == n).unwrap().1;
            assert_eq!(
                why,
                &format!(
                    "signed by key {genuine}, but other sheets of expert wang are signed by other \
                     keys ({d}/{forged_name}: {forger}); without a panel file nobody can tell \
                     which is genuine, so every sheet of wang is refused (pin each expert's key \
                     with --panel)"
                )
            );
        }
        let forged = &r.iter().find(|(n, _)| n == forged_name).unwrap().1;
        assert!(
            forged.starts_with(&format!("signed by key {forger}, but other sheets of expert wang are signed by other keys ({d}/wang-a.json: {genuine}, ")),
            "{forged}"
        );
        assert!(c.conflicts.is_empty(), "conflicts need a panel");
        // No "no accepted sheet" notes without a panel, and nothing said about superseding.
        assert!(
            c.notes
                .iter()
                .all(|n| !n.to_string().contains("no accepted sheet"))
        );
        assert!(
            c.notes.iter().all(|n| !n.to_string().starts_with("wang")),
            "{:?}",
            c.notes
        );
    }
}

#[test]
fn files_and_directories_mix_and_missing_paths_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let b = batch();
    let p = Profile::kczg_2020();
    let sheets = tmp.path().join("sheets");
    let empty = tmp.path().join("empty");
    fs::create_dir(&sheets).unwrap();
    fs::create_dir(&empty).unwrap();
    let li = put(
        &sheets,
        "li.json",
        &sheet(&b, "li", 1, &["EI-003"], &[], 4.0).sign(&key(LI)),
    );
    // A sheet given by name need not end in .json.
    let chen = put(
        tmp.path(),
        "chen.sheet",
        &sheet(&b, "chen", 1, &["EI-001"], &[], 4.0).sign(&key(CHEN)),
    );
    let missing = tmp.path().join("missing.json");
    let c = collect(
        &[sheets.clone(), li.clone(), chen, missing, empty.clone()],
        &b,
        &p,
        None,
    );
    let accepted: Vec<&str> = c
        .accepted
        .iter()
        .map(|(_, s)| s.expert.id.as_str())
        .collect();
    assert_eq!(accepted, ["chen", "li"]);
    // li.json named twice is read once.
    assert!(
        c.notes
            .iter()
            .all(|n| !n.to_string().contains("identical copy")),
        "{:?}",
        c.notes
    );
    assert_eq!(
        c.notes,
        [format!(
            "{}: no sheets (*.json) in the directory",
            empty.display()
        )]
    );
    let r = rejected(&c);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "missing.json");
    assert!(r[0].1.starts_with("cannot read: "), "{r:?}");
}

#[test]
fn conflicting_latest_sequence_does_not_fall_back_to_an_older_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let (b, p) = (batch(), Profile::kczg_2020());
    put(
        tmp.path(),
        "a.json",
        &sheet(&b, "li", 1, &["EI-001"], &[], 1.0).sign(&key(LI)),
    );
    put(
        tmp.path(),
        "b.json",
        &sheet(&b, "li", 2, &["EI-001"], &[], 2.0).sign(&key(LI)),
    );
    put(
        tmp.path(),
        "c.json",
        &sheet(&b, "li", 2, &["EI-001"], &[], 3.0).sign(&key(LI)),
    );
    let c = collect(&[tmp.path().to_path_buf()], &b, &p, None);
    assert!(c.accepted.is_empty());
    assert_eq!(c.rejected.len(), 2);
    assert!(matches!(
        c.rejected[0].source,
        SheetError::ConflictingSequence { sequence: 2, .. }
    ));
    assert_eq!(
        c.notes,
        [format!(
            "li: sheet seq 1 ({}) is not used: the later seq 2 sheets conflict",
            tmp.path().join("a.json").display()
        )]
    );
}

#[test]
fn off_grid_scores_are_refused_even_when_validly_signed() {
    let tmp = tempfile::tempdir().unwrap();
    let (b, p) = (batch(), Profile::kczg_2020());
    // Signed outside revdesk (no rounding to 6 decimals): 7.0000004 on every criterion, within
    // the 1e-6 once tolerated, which then reached the totals unrounded (70.000004).
    let mut s = sheet(&b, "wang", 1, &["EI-001"], &[], 7.0000004);
    s.public_key = public_key_to_hex(&key(WANG).verifying_key());
    s.signature = hex::encode(key(WANG).sign(&s.canonical_bytes()).to_bytes());
    s.verify().expect("a valid signature");
    put(tmp.path(), "wang.json", &s);
    put(
        tmp.path(),
        "li.json",
        &sheet(&b, "li", 1, &["EI-001"], &[], 7.0).sign(&key(LI)),
    );
    let c = collect(&[tmp.path().to_path_buf()], &b, &p, None);
    let accepted: Vec<&str> = c
        .accepted
        .iter()
        .map(|(_, s)| s.expert.id.as_str())
        .collect();
    assert_eq!(accepted, ["li"]);
    assert_eq!(
        rejected(&c),
        [(
            "wang.json".to_string(),
            "item EI-001: score 7.0000004 for 可行性 (feasibility) is not a multiple of the step 1 from 0"
                .to_string()
        )]
    );
    assert!(matches!(c.rejected[0].source, SheetError::BadScore { .. }));
}

#[test]
fn sheet_expert_ids_follow_the_rules_of_expert() {
    // Without a panel, "wang " under another key used to count as a second wang; an id with
    // control characters was accepted as it was.
    let tmp = tempfile::tempdir().unwrap();
    let b = batch();
    put(
        tmp.path(),
        "wang.json",
        &sheet(&b, "wang", 1, &["EI-001"], &[], 8.0).sign(&key(WANG)),
    );
    for (file, id) in [
        ("space.json", "wang "),
        ("esc.json", "wang\u{1b}[2J"),
        ("long.json", &"w".repeat(65)),
    ] {
        put(
            tmp.path(),
            file,
            &sheet(&b, id, 1, &["EI-001"], &[], 2.0).sign(&key(FORGER)),
        );
    }
    let c = collect(&[tmp.path().to_path_buf()], &b, &Profile::kczg_2020(), None);
    let accepted: Vec<&str> = c
        .accepted
        .iter()
        .map(|(_, s)| s.expert.id.as_str())
        .collect();
    assert_eq!(accepted, ["wang"]);
    let r = rejected(&c);
    assert_eq!(r.len(), 3, "{r:?}");
    for (file, why) in &r {
        assert!(
            why.starts_with("expert.id is not a valid expert id: "),
            "{file}: {why}"
        );
    }
    let space = &r.iter().find(|(n, _)| n == "space.json").unwrap().1;
    assert!(space.contains("white space"), "{space}");
    let long = &r.iter().find(|(n, _)| n == "long.json").unwrap().1;
    assert!(long.contains("65 characters; at most 64"), "{long}");
}

#[test]
fn a_sheet_with_a_repeated_key_anywhere_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let b = batch();
    let s = sheet(&b, "wang", 1, &["EI-001"], &[], 8.0).sign(&key(WANG));
    let text = s.to_pretty_json();
    let signed = "\"feasibility\": 8.0,";
    assert!(text.contains(signed), "{text}");
    // The signed copy last: a parser keeping the last copy verifies it, a reader taking the
    // first sees 2.0.
    let cases = [
        (
            "scores.json",
            text.replacen(signed, &format!("\"feasibility\": 2.0,\n{signed}"), 1),
        ),
        (
            "flag.json",
            text.replacen(
                "\"flagged\": false",
                "\"flagged\": true, \"flagged\": false",
                1,
            ),
        ),
        (
            "top.json",
            text.replacen("\"sequence\": 1", "\"sequence\": 9, \"sequence\": 1", 1),
        ),
        (
            "escaped.json",
            text.replacen(signed, &format!("\"\\u0066easibility\": 2.0,\n{signed}"), 1),
        ),
    ];
    for (name, t) in &cases {
        assert_ne!(t, &text, "{name}");
        fs::write(tmp.path().join(name), t).unwrap();
    }
    let c = collect(&[tmp.path().to_path_buf()], &b, &Profile::kczg_2020(), None);
    assert!(c.accepted.is_empty(), "{:?}", c.accepted.len());
    let r = rejected(&c);
    assert_eq!(r.len(), cases.len(), "{r:?}");
    for (file, why) in &r {
        assert!(
            why.starts_with("malformed JSON at line")
                && why.contains("appears twice in one object"),
            "{file}: {why}"
        );
    }
}
