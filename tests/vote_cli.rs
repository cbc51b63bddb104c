//! `revdesk vote`: open a vote, cast ballots on the vote screen (`revdesk score` in a
//! pseudo-terminal) and on paper (`enter --votes`), tally with counts only; tampered and forged
//! ballots are refused with the reason.

mod common;

use assert_cmd::Command;
use common::pty::Tui;
use std::path::{Path, PathBuf};

const BATCH: &str = "fixtures/batches/resources-environment-small.json";

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

/// Runs revdesk; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    common::outcome(&out)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn open(store: &Path, items: &str, panel: &str) -> (i32, String, String) {
    run(&[
        "vote",
        "open",
        BATCH,
        "--store",
        &s(store),
        "--items",
        items,
        "--panel-size",
        panel,
        "--chair",
        "chen",
    ])
}

/// A paper ballot for `expert`: `choices` one per item, as written on paper.
fn paper(dir: &Path, store: &Path, expert: &str, items: &[&str], choices: &[&str]) -> PathBuf {
    let p = dir.join(format!("{expert}.csv"));
    let mut text = String::from("编号,表决\n");
    for (i, c) in items.iter().zip(choices) {
        text.push_str(&format!("{i},{c}\n"));
    }
    std::fs::write(&p, text).expect("write");
    let (code, out, err) = run(&[
        "enter",
        BATCH,
        "--expert",
        expert,
        "--votes",
        &s(&p),
        "--store",
        &s(store),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("the ballot of {expert} signed and cast in vote 1")),
        "{out}"
    );
    p
}

fn tally_json(store: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["vote", "tally", BATCH, "--store"];
    let st = s(store);
    args.push(&st);
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    let v = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, v, err)
}

/// (yes, no, abstain, needed, outcome) of each item.
fn counts(v: &serde_json::Value) -> Vec<(u64, u64, u64, u64, String)> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["yes"].as_u64().unwrap_or(99),
                i["no"].as_u64().unwrap_or(99),
                i["abstain"].as_u64().unwrap_or(99),
                i["needed"].as_u64().unwrap_or(99),
                i["outcome"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_ballot_cast_on_the_vote_screen_and_on_paper_is_counted_not_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let items = ["RE-001", "RE-002", "RE-003", "RE-004"];
    let (code, out, err) = open(&store, &items.join(","), "4");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("vote 1 (meeting review) opened"), "{out}");
    // 2/3 of a panel of 4 is 2.67: a quorum of 3.
    assert!(out.contains("quorum: 2/3 of panel (3 experts)"), "{out}");

    // wang votes in the scoring command: the vote screen comes first.
    let st = s(&store);
    let args = [
        "score", BATCH, "--expert", "wang", "--store", &st, "--lang", "en",
    ];
    let mut t = Tui::spawn(&args, 100, 30, &[]);
    t.wait_for("Vote 1 (meeting review): wang");
    t.wait_for("chosen 0/4");
    // A ballot with a nomination left open is not cast.
    t.type_keys("y");
    t.wait_for("chosen 1/4");
    t.type_keys("S");
    t.wait_for("3 nomination(s) still without a choice");
    t.type_keys("n");
    t.type_keys("a");
    t.type_keys("y");
    t.wait_for("chosen 4/4");
    t.type_keys("\r");
    t.wait_for("Sign this ballot with your key");
    t.type_keys("y");
    t.wait_for("Ballot signed and cast");
    t.type_keys("q");
    t.wait_exit();

    // Having voted, wang gets the scoring view again.
    let mut t = Tui::spawn(&args, 100, 30, &[]);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("q");
    t.wait_exit();

    // Two paper ballots.
    paper(
        dir.path(),
        &store,
        "li",
        &items,
        &["同意", "同意", "不同意", "弃权"],
    );
    paper(
        dir.path(),
        &store,
        "zhao",
        &items,
        &["yes", "no", "no", "yes"],
    );
    // A second ballot of the same expert is refused and changes nothing.
    let again = dir.path().join("li.csv");
    let (code, _, err) = run(&[
        "enter",
        BATCH,
        "--expert",
        "li",
        "--votes",
        &s(&again),
        "--store",
        &st,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("cast a ballot in this vote already"), "{err}");

    // Hand count, 3 present of 4 (quorum 3 met), 2/3 of 3 present = 2 needed:
    // RE-001 y y y → 3 pass; RE-002 n y n → 1 fail; RE-003 a n n → 0 fail; RE-004 y a y → 2 pass.
    let (code, v, err) = tally_json(&store, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (v["present"].as_u64(), v["panel"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(v["quorum_needed"].as_u64(), Some(3));
    assert_eq!(v["quorum_met"].as_bool(), Some(true));
    assert_eq!(
        counts(&v),
        [
            (3, 0, 0, 2, "pass".to_string()),
            (1, 2, 0, 2, "fail".to_string()),
            (0, 2, 1, 2, "fail".to_string()),
            (2, 0, 1, 2, "pass".to_string()),
        ]
    );
    assert_eq!(v["passing"], serde_json::json!(["RE-001", "RE-004"]));
    assert_eq!(v["target"], serde_json::json!({"min": 25, "max": 30}));
    assert_eq!(v["against"].as_str(), Some("below"));

    // No output of the tally names a voter.
    for format in ["table", "json", "csv"] {
        let (code, out, err) = run(&["vote", "tally", BATCH, "--store", &st, "--format", format]);
        assert_eq!(code, 0, "{err}");
        for who in ["wang", "li", "zhao"] {
            assert!(!out.contains(who) && !err.contains(who), "{format}: {out}");
        }
    }
    let (_, table, _) = run(&["vote", "tally", BATCH, "--store", &st]);
    assert!(
        table.contains("passing: 2 of 4 (target 25–30: below)"),
        "{table}"
    );

    // Closed: no ballot is taken after.
    let (code, out, _) = run(&["vote", "close", BATCH, "--store", &st, "--chair", "chen"]);
    assert_eq!(code, 0);
    assert!(out.contains("vote 1 closed: 3 ballot(s) cast"), "{out}");
    let p = dir.path().join("sun.csv");
    std::fs::write(&p, "RE-001,yes\nRE-002,yes\nRE-003,yes\nRE-004,yes\n").expect("write");
    let (code, _, err) = run(&[
        "enter",
        BATCH,
        "--expert",
        "sun",
        "--votes",
        &s(&p),
        "--store",
        &st,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no open vote"), "{err}");
}

#[test]
fn two_thirds_of_seven_present_needs_five_and_quorum_counts_the_panel() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let items = ["RE-001", "RE-002", "RE-003"];
    // Panel of 9: the quorum is 2/3 × 9 = 6.
    assert_eq!(open(&store, &items.join(","), "9").0, 0);
    // RE-001: 5 yes of 7 → pass (4.67 rounds up to 5). RE-002: 4 yes, 3 abstain → fail.
    // RE-003: 4 yes, 3 no → fail.
    let ballots: [[&str; 3]; 7] = [
        ["y", "y", "y"],
        ["y", "y", "y"],
        ["y", "y", "y"],
        ["y", "y", "y"],
        ["y", "a", "n"],
        ["n", "a", "n"],
        ["a", "a", "n"],
    ];
    // Five ballots: below the quorum of 6, nothing passes.
    for (i, b) in ballots.iter().enumerate().take(5) {
        paper(dir.path(), &store, &format!("e{i}"), &items, b);
    }
    let (code, v, _) = tally_json(&store, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        (v["present"].as_u64(), v["quorum_met"].as_bool()),
        (Some(5), Some(false))
    );
    assert!(counts(&v).iter().all(|c| c.4 == "no-quorum"), "{v}");
    for (i, b) in ballots.iter().enumerate().skip(5) {
        paper(dir.path(), &store, &format!("e{i}"), &items, b);
    }
    let (code, v, _) = tally_json(&store, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["present"].as_u64(), Some(7));
    assert_eq!(
        counts(&v),
        [
            (5, 1, 1, 5, "pass".to_string()),
            (4, 0, 3, 5, "fail".to_string()),
            (4, 3, 0, 5, "fail".to_string()),
        ]
    );

    // The XLSX export's 表决 sheet: the same counts, and no voter's id anywhere in it.
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    {
        let st = revdesk::store::Store::open(&store).expect("store");
        for e in 0..3 {
            common::sheets::expert_marks(&st, &batch, &profile, e, None);
        }
    }
    let xlsx = dir.path().join("out.xlsx");
    let (code, out, err) = run(&[
        "export",
        BATCH,
        "--server",
        &s(&store),
        "--votes",
        &s(&store),
        "--format",
        "xlsx",
        "--force",
        "-o",
        &s(&xlsx),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("workbook");
    let range = wb.worksheet_range("表决").expect("vote sheet");
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    assert!(cells[0][0].contains("到会 7 人，专家组 9 人"), "{cells:?}");
    assert_eq!(
        cells[1],
        [
            "表决",
            "阶段",
            "编号",
            "同意",
            "不同意",
            "弃权",
            "所需同意票",
            "结果"
        ]
    );
    assert_eq!(
        cells[2],
        ["1", "会评", "RE-001", "5", "1", "1", "5", "通过"]
    );
    assert_eq!(
        cells[3],
        ["1", "会评", "RE-002", "4", "0", "3", "5", "未通过"]
    );
    assert_eq!(
        cells[4],
        ["1", "会评", "RE-003", "4", "3", "0", "5", "未通过"]
    );
    assert!(cells[5][0].starts_with("通过：1 / 3 项"), "{cells:?}");
    for row in &cells {
        for c in row {
            assert!(!(0..7).any(|e| *c == format!("e{e}")), "{c}");
        }
    }

    // The counts go into the workbook only: another format with --votes is refused.
    let md = dir.path().join("out.md");
    let (code, _, err) = run(&[
        "export",
        BATCH,
        "--server",
        &s(&store),
        "--votes",
        &s(&store),
        "--format",
        "md",
        "--force",
        "-o",
        &s(&md),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--votes is for the XLSX export only"), "{err}");
    assert!(!md.exists());

    // The next round votes on the shortlist of a JSON export.
    let json = dir.path().join("out.json");
    let (code, _, err) = run(&[
        "export",
        BATCH,
        "--server",
        &s(&store),
        "--format",
        "json",
        "--force",
        "-o",
        &s(&json),
    ]);
    assert_eq!(code, 0, "{err}");
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("json");
    let shortlisted: Vec<String> = export["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["shortlisted"] == serde_json::json!(true))
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(!shortlisted.is_empty());
    let next = dir.path().join("next");
    let (code, out, err) = run(&[
        "vote",
        "open",
        BATCH,
        "--store",
        &s(&next),
        "--shortlist",
        &s(&json),
        "--panel-size",
        "7",
        "--chair",
        "chen",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("{} nominations", shortlisted.len())),
        "{out}"
    );
    let (_, v, _) = tally_json(&next, &[]);
    let ids: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, shortlisted);
}

#[test]
fn altered_and_forged_ballots_are_refused_with_the_reason() {
    use revdesk::domain::vote::Choice;
    use revdesk::io::ballot::{Ballot, VoteId};
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let items = ["RE-001", "RE-002"];
    assert_eq!(open(&store, &items.join(","), "3").0, 0);
    paper(dir.path(), &store, "li", &items, &["no", "no"]);
    paper(dir.path(), &store, "wang", &items, &["yes", "yes"]);
    let db = rusqlite::Connection::open(store.join("revdesk.db")).expect("db");
    // Someone with the database file turns li's 不同意 into 同意 (the trigger is no obstacle
    // to them: the signature is).
    db.execute_batch(
        "DROP TRIGGER ballots_no_update;
         UPDATE ballots SET ballot = replace(ballot, '\"no\"', '\"yes\"') WHERE expert = 'li';",
    )
    .expect("alter");
    // And adds a ballot for zhao, signed with a key that is not zhao's.
    let (batch, opened_at): (String, String) = db
        .query_row("SELECT batch, opened_at FROM votes WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("vote");
    let ids: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let forged = Ballot::sign(
        &VoteId {
            batch: &batch,
            vote: 1,
            opened_at: &opened_at,
            items: &ids,
        },
        "zhao",
        &[Choice::Yes, Choice::Yes],
        &revdesk::io::sheet::new_signing_key(),
    );
    db.execute(
        "INSERT INTO ballots (vote, expert, source, ballot) VALUES (1, 'zhao', 'paper', ?1)",
        [forged.to_json()],
    )
    .expect("insert");
    drop(db);

    let (code, _, err) = tally_json(&store, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the ballot of li: the signature does not verify: the ballot was altered"),
        "{err}"
    );
    assert!(
        err.contains("the ballot of zhao: signed by an unknown key"),
        "{err}"
    );
    assert!(err.contains("2 ballot(s) refused"), "{err}");
    // Counted without them: wang alone, 1 of a panel of 3 (quorum 2): no quorum.
    let (code, v, _) = tally_json(&store, &["--skip-invalid"]);
    assert_eq!(code, 0);
    assert_eq!(v["present"].as_u64(), Some(1));
    assert_eq!(v["refused"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_bad_vote_rule_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().expect("dir");
    let text = revdesk::domain::profile::KCZG_2020_TOML
        .replace("pass = \"2/3 of present\"", "pass = \"two thirds\"");
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, text).expect("write");
    let store = dir.path().join("store");
    let (code, _, err) = run(&[
        "vote",
        "open",
        BATCH,
        "--store",
        &s(&store),
        "--items",
        "RE-001",
        "--panel-size",
        "3",
        "--profile",
        &s(&prof),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("p.toml") && err.contains("`vote.pass`") && err.contains("'two thirds'"),
        "{err}"
    );
    // An id not in the batch.
    let (code, _, err) = open(&store, "RE-001,NOPE", "3");
    assert_eq!(code, 1);
    assert!(
        err.contains("NOPE is not a nomination of the batch"),
        "{err}"
    );

    // A shortlist file: one id a line, comments and blank lines skipped, its order kept.
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "# 会评名单\nRE-003\n\nRE-001  # 第二项\n").expect("write");
    let (code, out, err) = run(&[
        "vote",
        "open",
        BATCH,
        "--store",
        &s(&store),
        "--shortlist",
        &s(&list),
        "--panel-size",
        "5",
        "--stage",
        "终审",
        "--chair",
        "chen",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("vote 1 (final review) opened") && out.contains("2 nominations"),
        "{out}"
    );
    let (code, v, _) = tally_json(&store, &[]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, ["RE-003", "RE-001"]);
    // The final review's list is held against the final list's size.
    assert_eq!(v["target"], serde_json::json!({"min": 100, "max": 100}));
}
