//! Escape sequences in files never reach the terminal: a batch, a paper score sheet, score
//! sheets, a profile and shortlists carrying ESC, BEL, CSI and bidirectional overrides are
//! printed by `validate`, `enter`, `rank`, `profile` and `merge` with those characters shown as
//! escapes; JSON output stays valid JSON. Every `print!` in the command line goes through one
//! sanitiser (checked on the sources).

mod common;

use std::path::Path;

/// Bytes that must never be printed: ESC, BEL, 8-bit CSI (U+009B in UTF-8), RLO (U+202E).
fn assert_clean(what: &str, bytes: &str) {
    for bad in ["\u{1b}", "\u{7}", "\u{9b}", "\u{202e}"] {
        assert!(!bytes.contains(bad), "{what} printed {bad:?} raw:\n{bytes}");
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(dir)
        .env("REVDESK_STORE", dir.join("store"))
        .args(args)
        .output()
        .expect("runs");
    let (code, stdout, stderr) = common::outcome(&out);
    assert_clean(&format!("{args:?} (stdout)"), &stdout);
    assert_clean(&format!("{args:?} (stderr)"), &stderr);
    (code, stdout, stderr)
}

const TITLE: &str = "\u{1b}]0;pwned\u{7}";

#[test]
fn a_hostile_batch_is_reported_with_its_escapes_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let csv = format!(
        "id,name,domain,industry,project_type,trl,applicant,recommender,team,level,benefits\n\
         RE-0\u{1b}[31m01,{TITLE},\u{1b}[2J资源环境,N7721,开发研究,7,单位\u{9b}1m,学会,团队,水平,效益\n\
         RE-002,名称\u{202e}txt.exe,资源环境,N7721,{TITLE},7,单位,学会,团队,水平,效益\n"
    );
    std::fs::write(root.join("b.csv"), csv).expect("batch");
    let (code, out, _) = run(root, &["validate", "b.csv"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\\u{1b}[2J资源环境"), "{out}");
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
    let (code, out, _) = run(root, &["validate", "b.csv", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert!(v.to_string().contains("\\u001b"), "the JSON keeps the text");
    // Commands that refuse the batch print its findings too.
    let (code, _, err) = run(
        root,
        &["enter", "b.csv", "--expert", "wang", "--from", "s.csv"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("\\u{1b}"), "{err}");
}

#[test]
fn hostile_cells_sheets_profiles_and_shortlists() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let batch = common::fixture("batches/resources-environment.json")
        .display()
        .to_string();
    // A paper sheet with a bad cell.
    std::fs::write(
        root.join("s.csv"),
        format!(
            "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\nRE-001,{TITLE},7,6,5,9,8\n"
        ),
    )
    .expect("scores");
    let (code, _, err) = run(
        root,
        &["enter", &batch, "--expert", "wang", "--from", "s.csv"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("\\u{1b}]0;pwned"), "{err}");
    // Sheets: a hostile format tag, and a file name with an escape in it.
    let sheets = root.join("sheets");
    std::fs::create_dir(&sheets).expect("dir");
    std::fs::write(
        sheets.join("a.json"),
        format!("{{\"format\": \"{}\"}}", "\\u001b]0;pwned\\u0007"),
    )
    .expect("sheet");
    std::fs::write(sheets.join(format!("{TITLE}.json")), "{}").expect("sheet");
    let s = sheets.display().to_string();
    let (code, _, err) = run(root, &["rank", &batch, &s]);
    assert_eq!(code, 1);
    assert!(err.contains("\\u{1b}]0;pwned\\u{7}"), "{err}");
    assert_eq!(err.matches("rejected: ").count(), 2, "{err}");
    // A profile with raw escapes is refused quoting its line; one with escaped escapes is
    // read, and its name printed.
    let profile = common::fixture("profiles/kczg-2021.toml");
    let text = std::fs::read_to_string(profile).expect("profile");
    let raw = text.replacen("name = \"", &format!("name = \"{TITLE}"), 1);
    std::fs::write(root.join("raw.toml"), &raw).expect("profile");
    for args in [
        ["profile", "show", "--profile", "raw.toml"],
        ["profile", "check", "raw.toml", ""],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let (code, _, err) = run(root, &args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains("\\u{1b}"), "{args:?}: {err}");
    }
    let escaped = text.replacen("name = \"", "name = \"\\u001b]0;pwned\\u0007", 1);
    std::fs::write(root.join("p.toml"), &escaped).expect("profile");
    let (code, out, _) = run(root, &["profile", "check", "p.toml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
    // A shortlist that cannot be merged, named by its (hostile) file name.
    let name = format!("{TITLE}.json");
    std::fs::write(root.join(&name), "{}").expect("shortlist");
    let (code, _, err) = run(root, &["merge", &name, "-o", "final.json"]);
    assert_ne!(code, 0);
    assert!(err.contains("\\u{1b}]0;pwned\\u{7}"), "{err}");
}

#[test]
fn every_cli_print_goes_through_the_sanitiser() {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&cli).expect("src/cli") {
        let p = e.expect("entry").path();
        if p.file_name().is_some_and(|n| n == "print.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let raw = [
                "println!(",
                "eprintln!(",
                "print!(",
                "eprint!(",
                "stdout().lock()",
                "stderr().lock()",
            ];
            if raw.iter().any(|m| {
                code.match_indices(m)
                    .any(|(at, _)| !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            }) {
                found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "print through cli/print.rs (outln!, errln!):\n{}",
        found.join("\n")
    );
}
