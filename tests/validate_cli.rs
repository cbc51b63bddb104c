//! `revdesk validate` on the fixtures: every error and warning, formats, exit codes.

use assert_cmd::Command;
use std::path::Path;

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    // The CLI's messages in English, whatever the machine's locale (LC_ALL overrides LANG).
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

fn fixture(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn has_line(out: &str, path: &str, line: usize, sev: &str, id: &str, needle: &str) -> bool {
    let prefix = format!("{path}:{line}: {sev}: {id}: ");
    out.lines()
        .any(|l| l.starts_with(&prefix) && l.contains(needle))
}

#[test]
fn every_item_error_is_reported_with_line_and_id() {
    let f = fixture("broken/errors.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1, "{out}");
    for (line, id, needle) in [
        (3, "BM-002", "required field 技术名称 (name) is empty"),
        (4, "BM-003", "技术团队简介 (team) is empty"),
        (4, "BM-003", "技术水平介绍 (level) is empty"),
        (5, "BM-001", "duplicate id 'BM-001', first used at line 2"),
        (6, "BM-005", "domain '现代农林' is not in profile kczg-2020"),
        (7, "BM-006", "a 电子信息 nomination in a 生物医药 batch"),
        (
            8,
            "BM-007",
            "project type '基础研究' must be 应用研究 or 开发研究",
        ),
        (9, "BM-008", "level '10' must be a whole number from 1 to 9"),
        (10, "BM-009", "level '6.5' must be a whole number"),
        (11, "BM-010", "level '较高' must be a whole number"),
        (12, "BM-011", "重点服务行业 (industry) is empty"),
    ] {
        assert!(
            has_line(&out, &f, line, "error", id, needle),
            "missing {line} {id} {needle}\n{out}"
        );
    }
    let summary = out.lines().last().unwrap_or("");
    assert!(
        summary.contains("12 items read, 2 usable")
            && summary.contains("11 error(s), 0 warning(s)"),
        "{summary}"
    );
}

#[test]
fn every_warning_is_reported_and_strict_makes_them_errors() {
    let f = fixture("broken/warnings.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 0, "warnings alone pass:\n{out}");
    for (line, id, needle) in [
        (1, "-", "unknown column '备注'"),
        (
            4,
            "BM-003",
            "recommender 中国药学会 nominated 3 technologies in 生物医药 (quota 2): BM-001, BM-002, BM-003",
        ),
        (
            5,
            "BM-004",
            "技术团队简介 (team) has 301 characters, over the limit of 300",
        ),
        (
            6,
            "BM-005",
            "技术水平介绍 (level) has 501 characters, over the limit of 500",
        ),
        (
            6,
            "BM-005",
            "技术效益介绍 (benefits) has 520 characters, over the limit of 500",
        ),
        (
            7,
            "BM-006",
            "(level_detail) has 10001 characters, over the limit of 10000",
        ),
        (
            7,
            "BM-006",
            "(benefits_detail) has 5001 characters, over the limit of 5000",
        ),
        (8, "BM-007", "industry code '9999' is not a GB/T 4754-2017"),
        (
            8,
            "BM-007",
            "'X12': X is not a GB/T 4754-2017 section letter (A–T); and 12 其他采矿业 is a 大类",
        ),
        (9, "BM-008", "'C27' (医药制造业) is a 大类"),
        (9, "BM-008", "2761 生物药品制造 belongs to section C, not I"),
        (10, "BM-009", "email 'wangming@example'"),
        (11, "BM-010", "phone '62345'"),
    ] {
        assert!(
            has_line(&out, &f, line, "warning", id, needle),
            "missing {line} {id} {needle}\n{out}"
        );
    }
    assert!(out.contains("0 error(s), 13 warning(s)"), "{out}");

    let (code, out, _) = run(&["validate", "--strict", &f]);
    assert_eq!(code, 1);
    assert!(
        has_line(&out, &f, 5, "error", "BM-004", "over the limit of 300"),
        "{out}"
    );
    assert!(out.contains("13 error(s), 0 warning(s)"), "{out}");
}

#[test]
fn json_format_gives_the_same_findings() {
    let f = fixture("broken/warnings.csv");
    let (code, out, _) = run(&["validate", "--format", "json", &f]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON array");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 13);
    let quota = arr
        .iter()
        .find(|f| f["code"] == "over-quota")
        .expect("quota finding");
    assert_eq!(quota["line"], 4);
    assert_eq!(quota["id"], "BM-003");
    assert_eq!(quota["severity"], "warning");
    assert_eq!(quota["field"], "recommender");

    let (code, out, _) = run(&["validate", "--format", "json", "--strict", &f]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON array");
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .all(|f| f["severity"] == "error")
    );
}

#[test]
fn missing_columns_are_named_once_at_the_header() {
    let f = fixture("broken/missing-column.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1);
    assert!(
        has_line(
            &out,
            &f,
            1,
            "error",
            "-",
            "missing required column 技术名称 (name)"
        ),
        "{out}"
    );
    assert!(
        has_line(
            &out,
            &f,
            1,
            "error",
            "-",
            "missing required column 推荐单位 (recommender)"
        ),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.contains("error:")).count(),
        2,
        "{out}"
    );
}

#[test]
fn unreadable_files_exit_2_with_a_finding() {
    for (f, needle) in [
        ("broken/corrupt.xlsx", "not a readable spreadsheet"),
        ("broken/malformed.json", "not valid JSON"),
        ("broken/empty.csv", "no header row"),
    ] {
        let path = fixture(f);
        let (code, out, _) = run(&["validate", &path]);
        assert_eq!(code, 2, "{f}: {out}");
        assert!(
            out.starts_with(&path) && out.contains("error") && out.contains(needle),
            "{out}"
        );
    }
    let (code, _, err) = run(&["validate", "/nonexistent/batch.csv"]);
    assert_eq!(code, 2);
    let _ = err;
    let (code, _, err) = run(&["validate", "README.txt.doc"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["validate"]);
    assert_eq!(code, 2, "usage error");
}

#[test]
fn unknown_batch_domain_is_an_error() {
    let f = fixture("broken/unknown-domain.json");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1);
    assert!(
        out.contains("the batch's domain 'modern-agriculture' is not in profile"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "validate",
        "--domain",
        "no-such",
        &fixture("broken/gb18030-multiline.csv"),
    ]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn gb18030_csv_with_multiline_fields_loads() {
    let f = fixture("broken/gb18030-multiline.csv");
    let (code, out, _) = run(&["validate", "--domain", "biomedicine", &f]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 items read, 2 usable, domain 生物医药, 0 error(s), 0 warning(s)"),
        "{out}"
    );
}

#[test]
fn the_same_items_hash_the_same_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut hashes = Vec::new();
    for ext in ["csv", "json", "xlsx"] {
        let out = dir.path().join(format!("g.{ext}"));
        let out = out.display().to_string();
        let (code, _, err) = run(&[
            "gen",
            "--items",
            "60",
            "--detail-chars",
            "2000",
            "--seed",
            "3",
            "-o",
            &out,
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, text, _) = run(&["validate", &out]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("60 items read, 60 usable"), "{text}");
        let hash = text.split("batch ").last().unwrap_or("").trim().to_string();
        assert_eq!(hash.len(), 12, "{text}");
        hashes.push(hash);
    }
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[1], hashes[2]);
    // gen refuses to overwrite.
    let out = dir.path().join("g.csv").display().to_string();
    let (code, _, err) = run(&["gen", "--items", "5", "-o", &out]);
    assert_eq!(code, 2);
    assert!(err.contains("--overwrite"), "{err}");
}

#[test]
fn profiles_show_check_and_malformed() {
    let (code, out, _) = run(&["profile", "show"]);
    assert_eq!(code, 0);
    assert!(out.contains("id = \"kczg-2020\""));
    for p in ["kczg-2021.toml", "kczg-2022.toml"] {
        let (code, out, err) = run(&["profile", "check", &fixture(&format!("profiles/{p}"))]);
        assert_eq!(code, 0, "{p}: {err}");
        assert!(out.contains("profile kczg-20"), "{out}");
    }
    let (code, out, _) = run(&["profile", "check", &fixture("profiles/kczg-2022.toml")]);
    assert_eq!(code, 0);
    assert!(
        out.contains("产业基础") && out.contains("绿色低碳") && out.contains("quota 3"),
        "{out}"
    );
    let (code, out, _) = run(&["profile", "check", &fixture("profiles/kczg-2021.toml")]);
    assert_eq!(code, 0);
    assert!(out.contains("现代农林"), "{out}");

    for (bad, key) in [
        ("invalid/step-does-not-divide.toml", "criteria[0].step"),
        ("invalid/shortlist-inverted.toml", "shortlist"),
        ("invalid/duplicate-criterion.toml", "criteria[1].key"),
        ("invalid/duplicate-label.toml", "criteria[2].label"),
    ] {
        let path = fixture(&format!("profiles/{bad}"));
        let (code, _, err) = run(&["profile", "check", &path]);
        assert_eq!(code, 1, "{bad}");
        assert!(
            err.contains(&path) && err.contains(&format!("`{key}`")),
            "{bad}: {err}"
        );
    }
    let path = fixture("profiles/invalid/missing-key.toml");
    let (code, _, err) = run(&["profile", "check", &path]);
    assert_eq!(code, 1);
    assert!(err.contains(&path) && err.contains("weight"), "{err}");
    // A malformed profile stops validate with exit 2 and names the file.
    let (code, _, err) = run(&[
        "validate",
        "--profile",
        &path,
        &fixture("broken/errors.csv"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains(&path), "{err}");
}

#[test]
fn industry_lookup() {
    let (code, out, _) = run(&["industry", "C3971", "集成电路"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("C3971 电子真空器件制造") && out.contains("I6520 集成电路设计"),
        "{out}"
    );
    let (code, _, _) = run(&["industry", "Z9999"]);
    assert_eq!(code, 1);
}

#[test]
fn undecodable_csv_names_the_line_and_what_to_do() {
    for (f, line, needle) in [
        ("broken/bom-gbk.csv", 2, "UTF-8 byte-order mark"),
        ("broken/damaged-utf8.csv", 3, "otherwise UTF-8"),
    ] {
        let path = fixture(f);
        let (code, out, _) = run(&["validate", &path]);
        assert_eq!(code, 2, "{f}: {out}");
        assert!(
            has_line(&out, &path, line, "error", "-", needle) && out.contains("re-save"),
            "{f}: {out}"
        );
    }
}

#[test]
fn an_unclosed_quote_is_an_error_at_the_line_it_opens() {
    // Without the check the csv reader closes the quote at the end of the file and
    // BM-003 and BM-004 silently become part of BM-002's text.
    let f = fixture("broken/unclosed-quote.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 2, "{out}");
    assert!(
        has_line(
            &out,
            &f,
            3,
            "error",
            "-",
            "quoted field opens on this line and is never closed"
        ),
        "{out}"
    );
}

#[test]
fn cells_beyond_the_header_are_an_error_unless_empty() {
    let f = fixture("broken/extra-cells.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        has_line(
            &out,
            &f,
            3,
            "error",
            "BM-002",
            "row has 12 cells but the header has 11 columns; a field holding a comma must be in double quotes"
        ),
        "{out}"
    );
    // BM-003's trailing empty cells (as Excel writes them) are fine.
    assert_eq!(
        out.lines().filter(|l| l.contains("error:")).count(),
        1,
        "{out}"
    );
    assert!(out.contains("3 items read, 2 usable"), "{out}");
}

#[test]
fn a_title_row_form_notes_and_mac_line_ends_are_read() {
    // Line 1 is a title, line 2 the header with the form's notes (`*技术名称`,
    // `技术团队简介（不超过300字）`), CR-only line ends, a quoted line break in BM-002.
    let f = fixture("layouts/title-row-mac.csv");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        has_line(
            &out,
            &f,
            6,
            "error",
            "BM-003",
            "level '10' must be a whole number"
        ),
        "{out}"
    );
    assert!(!out.contains("missing required column"), "{out}");
    assert!(!out.contains("unknown column"), "{out}");
    assert!(
        out.contains("3 items read, 2 usable") && out.contains("1 error(s), 0 warning(s)"),
        "{out}"
    );
}

#[test]
fn excel_unicode_text_is_tab_separated_utf16() {
    let f = fixture("layouts/unicode-text.txt");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        has_line(
            &out,
            &f,
            3,
            "error",
            "BM-002",
            "level '6.5' must be a whole number"
        ),
        "{out}"
    );
    assert!(out.contains("2 items read, 1 usable"), "{out}");
}

#[test]
fn an_empty_batch_is_an_error() {
    for f in ["broken/header-only.csv", "broken/no-items.json"] {
        let path = fixture(f);
        let (code, out, _) = run(&["validate", &path]);
        assert_eq!(code, 1, "{f}: {out}");
        assert!(
            has_line(
                &out,
                &path,
                1,
                "error",
                "-",
                "the batch holds no nominations"
            ),
            "{f}: {out}"
        );
        assert!(out.contains("0 items read, 0 usable"), "{out}");
    }
}

#[test]
fn final_review_that_is_not_a_boolean_is_malformed() {
    let f = fixture("broken/final-review-string.json");
    let (code, out, _) = run(&["validate", &f]);
    assert_eq!(code, 2, "{out}");
    assert!(
        has_line(
            &out,
            &f,
            3,
            "error",
            "-",
            "\"final_review\" must be true or false, not \"yes\""
        ),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store").display().to_string();
    let warnings = fixture("broken/warnings.csv");
    for args in [
        vec!["validate", "--format", "json", warnings.as_str()],
        vec!["validate", warnings.as_str()],
        vec!["key", "--store", store.as_str(), "--expert", "wang"],
        vec!["industry", "制造"],
    ] {
        // `revdesk … | head` after head has exited: the read end is already closed.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("revdesk"))
            .env("LC_ALL", "en_US.UTF-8")
            .args(&args)
            .stdout(writer)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(
            out.status.signal(),
            Some(13),
            "{args:?}: SIGPIPE, not {:?}",
            out.status
        );
    }
}

#[test]
fn an_unreadable_batch_is_named_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("dir.csv");
    std::fs::create_dir(&d).expect("dir");
    let d = d.display().to_string();
    let (code, out, _) = run(&["validate", &d]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.starts_with(&format!("{d}: error: -: cannot read: ")),
        "{out}"
    );
    assert_eq!(out.matches(&d).count(), 1, "{out}");
}

#[test]
fn a_batch_of_another_round_or_format_is_not_checked_silently() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/batches/resources-environment-small.json"),
    )
    .expect("fixture");
    let mut v: serde_json::Value = serde_json::from_str(&src).expect("json");
    v["profile"] = "kczg-2022".into();
    let other = dir.path().join("other-round.json");
    std::fs::write(&other, v.to_string()).expect("write");
    let (code, out, _) = run(&["validate", &other.display().to_string()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "warning: -: the batch is for profile 'kczg-2022' but is checked against 'kczg-2020'"
        ),
        "{out}"
    );
    let (code, _, _) = run(&["validate", "--strict", &other.display().to_string()]);
    assert_eq!(code, 1);

    v["profile"] = "kczg-2020".into();
    v["format"] = "revdesk-batch/9".into();
    let future = dir.path().join("future.json");
    std::fs::write(&future, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    let (code, out, _) = run(&["validate", &future.display().to_string()]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("this revdesk reads \"revdesk-batch/1\""),
        "{out}"
    );
}
