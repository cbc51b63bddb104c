//! The chair's view in a pseudo-terminal at 80×24: a directory of sheets, a new sheet dropped in
//! moves the ranking, an override with a reason is recorded, the view offers the cut that keeps
//! the list in range, and the XLSX export (with no options repeated) carries it all.

mod common;

use calamine::Reader;
use common::pty::Tui;
use common::sheets::expert_sheet;

const BATCH: &str = "fixtures/batches/resources-environment-small.json";

#[test]
fn live_sheets_override_and_export() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = root.join("sheets");
    for e in 0..4 {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let chair_store = root.join("chair");
    let mut t = Tui::small_chair(&[
        sheets.display().to_string(),
        "--store".into(),
        chair_store.display().to_string(),
    ]);
    t.wait_for("sheets 4");
    t.wait_ranked_above("RE-007", "RE-008");

    // Four more experts hand in, all giving RE-008 full marks: it climbs.
    for e in 4..8 {
        expert_sheet(root, &batch, &profile, e, Some("RE-008"), &sheets);
    }
    t.wait_for("sheets 8");
    t.wait_ranked_above("RE-008", "RE-007");

    // Include RE-007 against the ranking: a reason is required.
    t.type_keys("/RE-007\r");
    t.type_keys("I");
    t.wait_for("Why include RE-007");
    t.send("\r");
    t.wait_for("a written reason is required");
    t.send("示范工程效果显著\r");
    t.wait_for("RE-007 included: 示范工程效果显著");
    // One more on the list: the title says so, and the view offers to move the cut up.
    t.wait_for("list 6/3–5 ⚠");
    t.wait_for("Move the cut to K=4");
    t.type_keys("y");
    t.wait_for("cut set to K = 4");
    t.wait_for("K=4 list 5/3–5 |");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    // The export with the chair's store carries the decision and its history. The range 3–5
    // is not repeated: the decisions recorded it, and they are replayed under it. An 8-item
    // batch cannot give the profile's 25–30 list, so the export needs --force.
    let xlsx = root.join("out.xlsx");
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("bin")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["export", BATCH])
        .arg(&sheets)
        .arg("--decisions")
        .arg(&chair_store)
        .args(["--bootstrap", "0", "--force", "--format", "xlsx", "-o"])
        .arg(&xlsx)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("shortlist of 5 written (K = 4 + 1 included (RE-007)"),
        "{stdout}"
    );
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("opens");
    let short = wb.worksheet_range("入围名单").expect("shortlist sheet");
    let row = short
        .rows()
        .find(|r| r.iter().any(|c| *c == "RE-007"))
        .expect("RE-007 on the decided shortlist");
    let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "入选"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "示范工程效果显著"), "{cells:?}");
    let log = wb
        .worksheet_range("主席决定记录")
        .expect("decision history sheet");
    assert!(
        log.rows()
            .any(|r| r.iter().any(|c| c.to_string().contains("示范工程效果显著"))),
        "history has the reason"
    );
    assert!(
        log.rows().any(|r| r.iter().any(|c| *c == "K = 4")),
        "history has the cut"
    );
    // Under the title row and the header, the decided list (ids in 编号, the third column).
    let listed = short
        .rows()
        .skip(2)
        .take_while(|r| r.get(2).is_some_and(|c| c.to_string().starts_with("RE-")))
        .count();
    assert_eq!(listed, 5, "the decided list of 5");
}
