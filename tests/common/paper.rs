//! Paper sheets through the real binary, for the statistics tests: `enter` an expert's marks
//! into their own store, then `sheet` signs them into `dir/sheets`.

use assert_cmd::Command;
use std::path::Path;

/// The electronic-information batch (45 nominations) the statistics tests score.
pub const BATCH: &str = "fixtures/batches/electronic-information.xlsx";
/// The six criteria, as a paper sheet's header names them.
pub const CRITERIA: &str = "可行性,先进性,原创性,不可替代性,技术成熟度,市场前景";

/// The binary, run from the crate root in English.
pub fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "en_US.UTF-8");
    c
}

/// Runs to the end: exit code (-1 for a signal), stdout, stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    super::outcome(&revdesk().args(args).output().expect("runs"))
}

/// Runs and gives stdout; fails the test (with both streams) unless it succeeds.
pub fn ok(args: &[&str]) -> String {
    let (code, o, e) = run(args);
    assert_eq!(code, 0, "{args:?}\n{o}\n{e}");
    o
}

/// A path as an argument.
pub fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Enters one expert's paper sheet (`rows`: id and six marks; ids left out are not scored)
/// and signs it into `dir/sheets`.
pub fn sheet(dir: &Path, e: usize, rows: &[(String, [u32; 6])]) {
    let mut csv = format!("编号,{CRITERIA},回避,回避原因\n");
    for (id, m) in rows {
        let m: Vec<String> = m.iter().map(ToString::to_string).collect();
        csv.push_str(&format!("{id},{},否,\n", m.join(",")));
    }
    enter_and_sign(dir, e, &csv);
}

/// Enters expert `e`'s paper sheet as typed back (`csv`, header included) into their own store
/// under `dir` and signs it into `dir/sheets`.
pub fn enter_and_sign(dir: &Path, e: usize, csv: &str) {
    let paper = dir.join(format!("paper-{e}.csv"));
    std::fs::write(&paper, csv).expect("write");
    let store = dir.join(format!("store-{e}"));
    let expert = format!("e{e}");
    let name = format!("专家{e}");
    ok(&[
        "enter",
        BATCH,
        "--expert",
        &expert,
        "--name",
        &name,
        "--from",
        &s(&paper),
        "--store",
        &s(&store),
    ]);
    let out = dir.join("sheets").join(format!("e{e}.json"));
    ok(&[
        "sheet",
        BATCH,
        "--expert",
        &expert,
        "--store",
        &s(&store),
        "-o",
        &s(&out),
    ]);
}
