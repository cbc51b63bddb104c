//! The final review: five domains' JSON shortlist exports merge into one final-review batch that
//! loads like any batch; two shortlists of one domain, or of different rules, are refused.

mod common;

use assert_cmd::Command;
use calamine::Reader;
use common::sheets::expert_sheet;
use std::path::{Path, PathBuf};

const DOMAINS: [&str; 5] = [
    "batches/electronic-information.xlsx",
    "batches/biomedicine.csv",
    "batches/equipment-manufacturing.xlsx",
    "batches/advanced-materials.csv",
    "batches/resources-environment.json",
];

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("bin");
    // The CLI's messages in English, whatever the machine's locale (LC_ALL overrides LANG).
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "en_US.UTF-8");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    common::outcome(&out)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Five experts score a domain batch; its JSON export is written to `out`.
fn export(root: &Path, fixture: &str, out: &Path, extra: &[&str]) {
    let (profile, batch) = common::batch(fixture);
    let sheets = root.join(format!("sheets-{}", batch.short_hash()));
    for e in 0..5 {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let path = format!("fixtures/{fixture}");
    let mut args = vec!["export", &path];
    let sheets_s = s(&sheets);
    let out_s = s(out);
    args.extend([
        sheets_s.as_str(),
        "--format",
        "json",
        "-o",
        out_s.as_str(),
        "--bootstrap",
        "0",
    ]);
    args.extend(extra);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{fixture}: {err}");
}

#[test]
fn five_domains_merge_into_a_final_batch_that_loads_like_any_batch() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let exports: Vec<PathBuf> = DOMAINS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let out = root.join(format!("shortlist-{i}.json"));
            export(root, d, &out, &[]);
            out
        })
        .collect();
    let final_path = root.join("final.json");
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(exports.iter().map(|p| s(p)));
    args.extend(["-o".into(), s(&final_path)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("final-review batch of"), "{out}");
    assert!(
        !err.contains("warning"),
        "all five domains, enough nominations: {err}"
    );

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&final_path).expect("read")).expect("json");
    assert_eq!(doc["final_review"], true);
    let items = doc["items"].as_array().expect("items");
    assert!(
        (125..=150).contains(&items.len()),
        "5 × 25–30: {}",
        items.len()
    );
    let domains: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i["domain"].as_str()).collect();
    assert_eq!(domains.len(), 5);
    assert!(
        items
            .iter()
            .all(|i| i["preliminary_rank"].is_u64() && i["preliminary_score"].is_f64())
    );
    assert_eq!(items[0]["preliminary_rank"], 1);

    // It validates and ranks like any batch, with the final list size (100) as the shortlist.
    let (code, out, _) = run(&["validate", &s(&final_path)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("final review (all domains)"), "{out}");
    let (profile, batch) = {
        let p = revdesk::domain::profile::Profile::kczg_2020();
        let r = revdesk::io::validate::load(&final_path, &p, &Default::default()).expect("loads");
        (p, r.batch)
    };
    assert!(batch.meta.final_review);
    let sheets = root.join("final-sheets");
    for e in 0..5 {
        expert_sheet(root, &batch, &profile, e + 10, None, &sheets);
    }
    let (code, json, err) = run(&[
        "rank",
        &s(&final_path),
        &s(&sheets),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["config"]["shortlist_min"], 100);
    assert_eq!(v["config"]["shortlist_max"], 100);
    assert_eq!(v["final_review"], true);

    // The table and CSV keep where each nomination came from and its preliminary result.
    let first = &items[0];
    let id = first["id"].as_str().expect("id");
    let (code, table, _) = run(&["rank", &s(&final_path), &s(&sheets), "--bootstrap", "0"]);
    assert_eq!(code, 0);
    let header = table
        .lines()
        .find(|l| l.starts_with("rank"))
        .expect("header");
    assert!(
        header.contains("domain") && header.contains("prelim"),
        "{header}"
    );
    let line = table.lines().find(|l| l.contains(id)).expect("row");
    assert!(
        line.contains(first["domain"].as_str().expect("domain")),
        "{line}"
    );
    let (code, csv, _) = run(&[
        "rank",
        &s(&final_path),
        &s(&sheets),
        "--bootstrap",
        "0",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    // The header starts as the issue fixes it; where the nomination came from comes last.
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.starts_with("rank,id,name,score,n,"), "{header}");
    assert!(
        header.ends_with(",domain,preliminary_rank,preliminary_score"),
        "{header}"
    );

    // The XLSX list for the association says which domain each technology came from.
    let xlsx = root.join("final.xlsx");
    let (code, _, err) = run(&[
        "export",
        &s(&final_path),
        &s(&sheets),
        "--bootstrap",
        "0",
        "--format",
        "xlsx",
        "-o",
        &s(&xlsx),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("opens");
    let list = wb.worksheet_range("入围名单").expect("sheet");
    // Row 1 is the title, row 2 the header; signature lines follow the list.
    let head: Vec<String> = list
        .rows()
        .nth(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default();
    for h in ["领域", "初评排名", "初评得分"] {
        assert!(head.iter().any(|x| x == h), "{head:?}");
    }
    let id = head.iter().position(|x| x == "编号").expect("编号");
    let listed = list
        .rows()
        .skip(2)
        .take_while(|r| r.get(id).is_some_and(|c| !c.to_string().is_empty()))
        .count();
    assert_eq!(listed, 100, "the final list of 100");

    // The chair's view opens the final batch: K = 100 of 100, domain and preliminary rank shown.
    let store = revdesk::store::Store::open(&root.join("final-chair")).expect("store");
    let settings = revdesk::tui::chair::ChairSettings {
        chair: "chair".into(),
        lang: revdesk::tui::i18n::Lang::Zh,
        theme: revdesk::tui::theme::Theme::default(),
        keymap: revdesk::tui::keymap::KeyMap::default(),
        replicates: 0,
        seed: 1,
        panel: None,
        shortlist: None,
        method: revdesk::engine::Method::Trimmed,
        trim_min: None,
    };
    let mut app = revdesk::tui::chair::ChairApp::new(
        profile.clone(),
        batch.clone(),
        vec![sheets.clone()],
        store,
        settings,
    )
    .expect("opens");
    let r = app.results.as_ref().expect("results");
    assert_eq!(r.k, 100);
    assert!(r.final_review);
    app.size = (120, 30);
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).expect("terminal");
    revdesk::tui::render_to(&mut term, &app).expect("draw");
    let screen = common::text(term.backend().buffer());
    assert!(screen.contains("K=100 入围 100/100–100"), "{screen}");
    assert!(screen.contains("终审"), "{screen}");
    assert!(screen.contains("初评"), "ranking column: {screen}");
    // The detail of a nomination says its domain and preliminary rank and score.
    app.update(revdesk::tui::chair::Action::FirstItem);
    app.update(revdesk::tui::chair::Action::OpenDetail);
    let id0 = app.current_id().expect("selected");
    let it0 = batch.items.iter().find(|i| i.id == id0).expect("item");
    revdesk::tui::render_to(&mut term, &app).expect("draw");
    let screen = common::text(term.backend().buffer());
    let want = format!(
        "初评第 {} 名",
        it0.preliminary_rank.expect("preliminary rank")
    );
    assert!(screen.contains(&want), "{want}: {screen}");
}

#[test]
fn partial_and_forced_inputs_are_flagged() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let a = root.join("a.json");
    let b = root.join("b.json");
    export(root, DOMAINS[4], &a, &[]);
    // Exported with --force: a range the batch cannot meet.
    export(root, DOMAINS[1], &b, &["--shortlist", "50-60", "--force"]);
    let out = root.join("two.json");
    let (code, stdout, err) = run(&["merge", &s(&a), &s(&b), "-o", &s(&out)]);
    assert_eq!(code, 0, "a partial merge is allowed: {err}");
    assert!(stdout.contains("from 2 domains"), "{stdout}");
    assert!(
        err.contains(
            "warning: 2 of the profile's 5 domains given; missing: 电子信息, 装备制造, 先进材料"
        ),
        "{err}"
    );
    assert!(err.contains("cannot fill the final list of 100"), "{err}");
    assert!(
        err.contains("b.json (生物医药) was exported with --force"),
        "{err}"
    );
    assert!(err.contains("outside 50–60"), "{err}");
    assert!(!err.contains("a.json (资源环境) was exported"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others subject to umask: {mode:o}"
        );
    }
}

#[test]
fn shortlists_of_another_profile_need_that_profile() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let c = root.join("c.json");
    export(
        root,
        DOMAINS[1],
        &c,
        &["--profile", "fixtures/profiles/kczg-2021.toml"],
    );
    let out = root.join("f.json");
    let (code, _, err) = run(&["merge", &s(&c), "-o", &s(&out)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("was made under profile kczg-2021, not kczg-2020: pass --profile"),
        "{err}"
    );
    assert!(!out.exists());
    let (code, _, err) = run(&[
        "merge",
        &s(&c),
        "-o",
        &s(&out),
        "--profile",
        "fixtures/profiles/kczg-2021.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    assert_eq!(doc["profile"], "kczg-2021");
    assert!(
        doc["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("2021年")),
        "title and profile agree: {}",
        doc["title"]
    );
}

#[test]
fn the_same_nomination_in_two_domains_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let a = root.join("a.json");
    export(root, DOMAINS[4], &a, &[]);
    // The same nominations claimed by another domain.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a).expect("read")).expect("json");
    doc["domain"] = "biomedicine".into();
    let b = root.join("b.json");
    std::fs::write(&b, serde_json::to_string(&doc).expect("json")).expect("write");
    let out = root.join("f.json");
    let (code, _, err) = run(&["merge", &s(&a), &s(&b), "-o", &s(&out)]);
    assert_eq!(code, 1);
    assert!(err.contains("nomination id RE-001 is in both"), "{err}");
    assert!(!out.exists());
}

#[test]
fn refuses_two_of_one_domain_and_different_rules() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let a = root.join("a.json");
    let b = root.join("b.json");
    export(root, DOMAINS[4], &a, &[]);
    std::fs::copy(&a, &b).expect("copy");
    let (code, _, err) = run(&["merge", &s(&a), &s(&b), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(
        err.contains("both shortlists of resources-environment"),
        "{err}"
    );
    assert!(!root.join("f.json").exists());

    let c = root.join("c.json");
    export(
        root,
        DOMAINS[1],
        &c,
        &["--profile", "fixtures/profiles/kczg-2021.toml"],
    );
    let (code, _, err) = run(&["merge", &s(&a), &s(&c), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(err.contains("different rules"), "{err}");

    let junk = root.join("junk.json");
    std::fs::write(&junk, "{\"format\": \"something-else\"}").expect("write");
    let (code, _, err) = run(&["merge", &s(&junk), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(err.contains("junk.json"), "{err}");
}
