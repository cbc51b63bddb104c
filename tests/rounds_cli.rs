//! The discussion round (会评) from the real binary: the chair opens round 2, an expert revises
//! with a reason (never without), and the results show round 1 beside round 2; signed sheets
//! carry their round and a round-1 sheet never overrides round 2.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

/// Runs and gives (code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
    out
}

const HEAD: &str = "编号,技术名称,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\n";

/// One CSV row scoring `v` on every criterion: the total on 0–100 is then 10 × v.
fn row(id: &str, v: u32) -> String {
    format!("{id},,{v},{v},{v},{v},{v},{v}\n")
}

struct Env {
    _dir: tempfile::TempDir,
    root: PathBuf,
    batch: String,
    store: String,
}

impl Env {
    fn p(&self, name: &str) -> String {
        self.root.join(name).display().to_string()
    }
}

/// Four nominations, five experts in one store (a review server's): totals 90; 80, 80, 70,
/// 70, 70 (mean 74); 70 from everyone; 50. With a shortlist of two, BM-00003 is third.
fn setup() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let batch = root.join("batch.json").display().to_string();
    ok(&[
        "gen",
        "--items",
        "4",
        "--detail-chars",
        "0",
        "--domain",
        "biomedicine",
        "-o",
        &batch,
    ]);
    let store = root.join("store").display().to_string();
    for e in 1..=5 {
        let csv = root.join(format!("e{e}.csv"));
        let second = if e <= 2 { 8 } else { 7 };
        let text = format!(
            "{HEAD}{}{}{}{}",
            row("BM-00001", 9),
            row("BM-00002", second),
            row("BM-00003", 7),
            row("BM-00004", 5)
        );
        std::fs::write(&csv, text).expect("csv");
        let id = format!("e{e}");
        let csv = csv.display().to_string();
        ok(&[
            "enter", &batch, "--expert", &id, "--from", &csv, "--store", &store,
        ]);
    }
    Env {
        _dir: dir,
        root,
        batch,
        store,
    }
}

const SETTINGS: [&str; 6] = ["--method", "mean", "--shortlist", "2-2", "--bootstrap", "0"];

/// `rank` on the server store, with extra arguments.
fn rank(env: &Env, extra: &[&str]) -> String {
    let mut args = vec!["rank", &env.batch, "--server", &env.store];
    args.extend(SETTINGS);
    args.extend(extra);
    ok(&args)
}

/// The ranking line of `id` in a rank table, its words.
fn line_of(table: &str, id: &str) -> Vec<String> {
    table
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(id))
        .unwrap_or_else(|| panic!("{id} not ranked:\n{table}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The comparison's row of `id`, its words.
fn compared(table: &str, id: &str) -> Vec<String> {
    let at = table
        .find("Discussion round (round 1 → round 2):")
        .unwrap_or_else(|| panic!("no comparison:\n{table}"));
    table[at..]
        .lines()
        .find(|l| l.starts_with(id))
        .unwrap_or_else(|| panic!("{id} not compared:\n{table}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn discussion_round_end_to_end() {
    let env = setup();
    let before = rank(&env, &[]);
    assert_eq!(line_of(&before, "BM-00002")[0], "2");
    assert_eq!(line_of(&before, "BM-00003")[0], "3");
    assert!(before.contains(" 70.0000 "), "{before}");
    assert!(!before.contains("Discussion round"), "{before}");

    // Round-1 sheets of every expert, signed before the discussion.
    let sheets = env.p("sheets");
    for e in 1..=5 {
        let out = format!("{sheets}/e{e}-r1.json");
        ok(&[
            "sheet",
            &env.batch,
            "--expert",
            &format!("e{e}"),
            "--store",
            &env.store,
            "-o",
            &out,
        ]);
    }

    // The chair opens round 2 for BM-00003; a round that is not the next is refused.
    let mut open = vec!["round", "open", "3", &env.batch, "--server", &env.store];
    open.extend(SETTINGS);
    open.extend(["--items", "BM-00003", "--chair", "chair"]);
    let (code, _, err) = run(&open);
    assert_ne!(code, 0);
    assert!(err.contains("the next round is 2"), "{err}");
    open[2] = "2";
    let said = ok(&open);
    assert!(
        said.contains("round 2 opened for 1 nomination(s) (BM-00003)"),
        "{said}"
    );
    let mut unknown = open.clone();
    unknown[2] = "3";
    let at = unknown
        .iter()
        .position(|a| *a == "BM-00003")
        .expect("items");
    unknown[at] = "NOPE";
    let (code, _, err) = run(&unknown);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no such nominations in the batch: NOPE"),
        "{err}"
    );

    // e1 revises BM-00003 to 10 everywhere: without a reason nothing is stored.
    let rev = env.p("rev.csv");
    std::fs::write(&rev, format!("{HEAD}{}", row("BM-00003", 10))).expect("csv");
    let enter = [
        "enter", &env.batch, "--expert", "e1", "--from", &rev, "--store", &env.store,
    ];
    let (code, _, err) = run(&enter);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "item BM-00003 is in discussion round 2: a revised score needs a reason: give it \
             with --reason; nothing stored"
        ),
        "{err}"
    );
    // A refused revision changes nothing: the round is open, the ranking as in round 1.
    let refused = rank(&env, &[]);
    assert!(refused.starts_with(&before), "{refused}");
    assert_eq!(
        compared(&refused, "BM-00003"),
        ["BM-00003", "70", "3", "70", "3"]
    );
    let mut with_reason = enter.to_vec();
    with_reason.extend(["--reason", "会上看到示范数据"]);
    ok(&with_reason);

    // Round 2: (100 + 4 × 70) / 5 = 76 passes BM-00002's 74.
    let after = rank(&env, &[]);
    assert_eq!(line_of(&after, "BM-00003")[0], "2");
    assert!(after.contains(" 76.0000 "), "{after}");
    assert_eq!(
        compared(&after, "BM-00003"),
        ["BM-00003", "70", "3", "76", "2", "in", "e1"]
    );
    assert_eq!(
        compared(&after, "BM-00002"),
        ["BM-00002", "74", "2", "74", "3", "out"]
    );
    assert!(after.contains("shortlist change: 1 in, 1 out"), "{after}");
    // JSON: the same comparison under `rounds`.
    let json: serde_json::Value =
        serde_json::from_str(&rank(&env, &["--format", "json"])).expect("json");
    let r3 = json["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .find(|r| r["id"] == "BM-00003")
        .expect("BM-00003");
    assert_eq!(
        (r3["score_1"].as_f64(), r3["score_2"].as_f64()),
        (Some(70.0), Some(76.0))
    );
    assert_eq!(
        (r3["rank_1"].as_u64(), r3["rank_2"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(r3["discussed"], true);
    assert_eq!(r3["revised_by"][0][1], "会上看到示范数据");
    // Round 1 stays as it was.
    assert_eq!(rank(&env, &["--round", "1"]), before);

    // The chair sees who revised and why; the experts saw the spread, no names.
    let status = ok(&["round", "status", &env.batch, "--in", &env.store]);
    assert!(status.contains("round 2: opened"), "{status}");
    assert!(
        status.contains("by chair (named), 1 nomination(s)"),
        "{status}"
    );
    assert!(
        status.contains("BM-00003  n 5 · min 70 · median 70 · max 70  e1: 会上看到示范数据"),
        "{status}"
    );

    // The history says which round each change was made in.
    let hist = ok(&[
        "history", "--store", &env.store, "--expert", "e1", "--item", "BM-00003", "--format", "csv",
    ]);
    let rounds: Vec<&str> = hist
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).expect("round column"))
        .collect();
    assert_eq!(
        rounds,
        ["1"; 6]
            .iter()
            .chain(&["2"; 6])
            .copied()
            .collect::<Vec<_>>()
    );

    // e1's sheet now carries round 2 and the reason, signed.
    let r2 = format!("{sheets}/e1-r2.json");
    ok(&[
        "sheet", &env.batch, "--expert", "e1", "--store", &env.store, "-o", &r2,
    ]);
    let text = std::fs::read_to_string(&r2).expect("sheet");
    assert!(
        text.contains("\"round\": 2") || text.contains("\"round\":2"),
        "{text}"
    );
    assert!(text.contains("会上看到示范数据"), "{text}");
    let r1 = std::fs::read_to_string(format!("{sheets}/e1-r1.json")).expect("sheet");
    assert!(
        !r1.contains("\"round\""),
        "round 1 sheets keep their layout: {r1}"
    );

    // The workbook gets a round sheet: both rounds, who revised and why.
    let xlsx = env.p("results.xlsx");
    let mut export = vec!["export", &env.batch, "--server", &env.store];
    export.extend(SETTINGS);
    export.extend(["--format", "xlsx", "--force", "-o", &xlsx]);
    ok(&export);
    {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("open");
        let range = wb.worksheet_range("会评轮次").expect("round sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Float(v) => format!("{v}"),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        let row = rows
            .iter()
            .find(|r| r[0] == "BM-00003")
            .expect("BM-00003 in the round sheet");
        assert_eq!(row[2..8], ["是", "70", "3", "76", "2", "新入围"]);
        assert_eq!(row[8], "e1：会上看到示范数据");
        let other = rows.iter().find(|r| r[0] == "BM-00002").expect("BM-00002");
        assert_eq!(other[2..8], ["否", "74", "2", "74", "3", "落选"]);
    }

    // From the sheet files: the same two rounds.
    let mut by_sheets = vec!["rank", &env.batch, &sheets];
    by_sheets.extend(SETTINGS);
    let (code, files, err) = run(&by_sheets);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        compared(&files, "BM-00003"),
        ["BM-00003", "70", "3", "76", "2", "in", "e1"]
    );
    assert!(
        err.contains("is from round 1 and does not override round 2"),
        "{err}"
    );
    by_sheets.extend(["--round", "1"]);
    let first = ok(&by_sheets);
    assert_eq!(line_of(&first, "BM-00003")[0], "3");
}

#[test]
fn a_round_one_sheet_never_overrides_round_two_whatever_its_number() {
    use revdesk::io::sheet;
    let env = setup();
    let mut open = vec!["round", "open", "2", &env.batch, "--server", &env.store];
    open.extend(SETTINGS);
    open.extend(["--items", "BM-00003", "--chair", "chair"]);
    ok(&open);
    let rev = env.p("rev.csv");
    std::fs::write(&rev, format!("{HEAD}{}", row("BM-00003", 10))).expect("csv");
    ok(&[
        "enter", &env.batch, "--expert", "e1", "--from", &rev, "--store", &env.store, "--reason",
        "复核",
    ]);
    let dir = env.root.join("sheets");
    for e in 1..=5 {
        let out = dir.join(format!("e{e}.json")).display().to_string();
        let id = format!("e{e}");
        ok(&[
            "sheet", &env.batch, "--expert", &id, "--store", &env.store, "-o", &out,
        ]);
    }
    // A round-1 sheet of e1 with a later number, signed with e1's own key (a copy from
    // before the round, re-signed, or a store that never saw round 2).
    let store = revdesk::store::Store::open(Path::new(&env.store)).expect("store");
    let key = revdesk::round::submit::signing_key(&store, "e1").expect("key");
    let mut late = sheet::read(&dir.join("e1.json")).expect("read");
    assert_eq!(late.round, 2);
    late.round = 1;
    late.sequence = 99;
    for it in &mut late.items {
        it.revision_reason.clear();
        if it.id == "BM-00003" {
            it.scores.values_mut().for_each(|v| *v = 0.0);
        }
    }
    let late = late.sign(&key);
    sheet::write(&late, &dir.join("e1-late.json"), false).expect("write");
    let sheets = dir.display().to_string();
    let mut args = vec!["rank", &env.batch, &sheets];
    args.extend(SETTINGS);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(" 76.0000 "), "round 2 counts:\n{out}");
    assert!(
        err.contains("e1: sheet seq 99") && err.contains("does not override round 2"),
        "{err}"
    );
}

/// The ids `round status` lists under a round.
fn status_items(env: &Env) -> Vec<String> {
    let status = ok(&["round", "status", &env.batch, "--in", &env.store]);
    status
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn disputed_and_borderline_pick_what_round_one_flags() {
    let env = setup();
    let open = |how: &str, extra: &[&str]| {
        let mut args = vec!["round", "open", "2", &env.batch, "--server", &env.store];
        args.extend(["--method", "mean", "--shortlist", "2-2"]);
        args.extend(extra);
        args.extend([how, "--chair", "chair"]);
        run(&args)
    };
    // Nobody disagrees yet: nothing to open, and nothing opened.
    let (code, _, err) = open("--disputed", &["--bootstrap", "0"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no nomination selected"), "{err}");
    let none = ok(&["round", "status", &env.batch, "--in", &env.store]);
    assert!(none.contains("no discussion round opened"), "{none}");
    // Without a store to open it in, a usage error.
    let (code, _, err) = run(&[
        "round",
        "open",
        "2",
        &env.batch,
        &env.root.join("none").display().to_string(),
        "--items",
        "BM-00001",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("name the store the experts score in"), "{err}");

    // e1 now puts BM-00004 at 90 against four 50s: 40 points apart, disputed.
    let late = env.p("late.csv");
    std::fs::write(&late, format!("{HEAD}{}", row("BM-00004", 9))).expect("csv");
    ok(&[
        "enter", &env.batch, "--expert", "e1", "--from", &late, "--store", &env.store,
    ]);
    let (code, out, err) = open("--disputed", &["--bootstrap", "0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(BM-00004)"), "{out}");
    assert_eq!(status_items(&env), ["BM-00004"]);
    let status = ok(&["round", "status", &env.batch, "--in", &env.store]);
    assert!(status.contains("(disputed)"), "{status}");
    assert!(
        status.contains("n 5 · min 50 · median 50 · max 90"),
        "{status}"
    );
}

#[test]
fn borderline_picks_what_the_ranking_flags_borderline() {
    let env = setup();
    // e1 puts BM-00003 at 100: (100 + 4 × 70) / 5 = 76 against BM-00002's 74, and which is
    // ahead depends on which experts a resample draws.
    let late = env.p("late.csv");
    std::fs::write(&late, format!("{HEAD}{}", row("BM-00003", 10))).expect("csv");
    ok(&[
        "enter", &env.batch, "--expert", "e1", "--from", &late, "--store", &env.store,
    ]);
    let settings = [
        "--method",
        "mean",
        "--shortlist",
        "2-2",
        "--bootstrap",
        "300",
    ];
    let mut args = vec!["rank", &env.batch, "--server", &env.store];
    args.extend(settings);
    let table = ok(&args);
    let mut flagged: Vec<String> = table
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .any(|w| w.trim_matches(',') == "borderline")
        })
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .filter(|id| id.starts_with("BM-"))
        .collect();
    flagged.sort();
    assert_eq!(flagged, ["BM-00002", "BM-00003"], "{table}");
    let mut open = vec!["round", "open", "2", &env.batch, "--server", &env.store];
    open.extend(settings);
    open.extend(["--borderline", "--chair", "chair"]);
    let (code, out, err) = run(&open);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_items(&env), flagged, "{table}");
    let status = ok(&["round", "status", &env.batch, "--in", &env.store]);
    assert!(status.contains("(borderline), 2 nomination(s)"), "{status}");
}
