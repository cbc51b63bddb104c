//! The review server's store from the command line: `rank`, `stats`, `export` and `chair` read
//! the experts' marks with `--server DIR` and give byte for byte what the sheets those experts
//! then sign (`revdesk sheet --server DIR`) give; `invite` and `audit`.

mod common;

use assert_cmd::Command;
use common::pty::Tui;
use common::sheets::{MEETING_BATCH, expert_marks, meeting_decisions, meeting_marks};
use revdesk::domain::access::{AuditEvent, AuditKind, invite_code_hash};
use revdesk::domain::decisions;
use revdesk::io::panel::Panel;
use revdesk::io::sheet::public_key_to_hex;
use revdesk::round::{Asked, MarkSource, Settings, StoreMarks};
use revdesk::store::{InviteOutcome, Store};
use revdesk::tui::chair::{ChairApp, ChairSettings};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::theme::Theme;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Enough resamples that the stability columns are compared too, few enough to be quick.
const BOOTSTRAP: &str = "200";

/// A server store where the meeting's seven experts scored, with the chair's decisions, and
/// its panel file (e2 is affiliated with the applicant of a nomination e2 scored).
struct Server {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: PathBuf,
    panel: PathBuf,
    batch: PathBuf,
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn ssh(name: &str) -> String {
    std::fs::read_to_string(common::fixture(&format!("ssh/{name}.pub")))
        .expect("key")
        .trim()
        .to_string()
}

/// The panel pinning each expert's key in `store`; `extra` is appended to e0's table.
fn panel_text(store: &Store, experts: usize, conflict: Option<&str>, extra: &str) -> String {
    let mut text = String::new();
    for e in 0..experts {
        let id = format!("e{e}");
        let key = revdesk::round::submit::signing_key(store, &id).expect("key");
        let affiliations = match (e, conflict) {
            (2, Some(org)) => format!("[{org:?}]"),
            _ => "[]".into(),
        };
        text.push_str(&format!(
            "[[experts]]\nid = \"{id}\"\nname = \"专家{e}\"\naffiliations = {affiliations}\npublic_key = \"{}\"\n",
            public_key_to_hex(&key.verifying_key())
        ));
        if e == 0 {
            text.push_str(extra);
        }
        text.push('\n');
    }
    text
}

fn server() -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().to_path_buf();
    let (profile, batch) = common::batch(MEETING_BATCH);
    let store_dir = root.join("server");
    let store = Store::open(&store_dir).expect("store");
    for e in 0..7 {
        meeting_marks(&store, &batch, &profile, e);
    }
    meeting_decisions(&store, &batch);
    let extra = format!(
        "ssh_keys = [\"{}\"]\n\n[[chairs]]\nid = \"zhang\"\nname = \"张三\"\nssh_keys = [\"{}\"]\n",
        ssh("ed25519-a"),
        ssh("ecdsa-p256")
    );
    let panel = root.join("panel.toml");
    let text = panel_text(&store, 7, Some(&batch.items[10].applicant), &extra);
    std::fs::write(&panel, text).expect("panel");
    Server {
        _dir: dir,
        root,
        store: store_dir,
        panel,
        batch: common::fixture(MEETING_BATCH),
    }
}

fn revdesk(args: &[String]) -> Output {
    Command::cargo_bin("revdesk")
        .expect("bin")
        .env("LC_ALL", "en_US.UTF-8")
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("runs")
}

fn ok(args: &[String]) -> Output {
    let out = revdesk(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// Every output of `rank`, `stats` and `export` on `source` (`--server DIR` or sheets), named.
fn outputs(sv: &Server, source: &[String], tag: &str) -> Vec<(String, Vec<u8>)> {
    let common_args = |cmd: &str| {
        let mut a = vec![cmd.to_string(), s(&sv.batch)];
        a.extend(source.iter().cloned());
        a.extend(strings(&[
            "--panel",
            &s(&sv.panel),
            "--decisions",
            &s(&sv.store),
        ]));
        a.extend(strings(&["--bootstrap", BOOTSTRAP]));
        a
    };
    let mut out = Vec::new();
    for (cmd, format) in [
        ("rank", "table"),
        ("rank", "csv"),
        ("rank", "json"),
        ("stats", "table"),
        ("stats", "json"),
    ] {
        let mut args = common_args(cmd);
        args.extend(strings(&["--format", format]));
        out.push((format!("{cmd} {format}"), ok(&args).stdout));
    }
    for format in ["xlsx", "csv", "json", "md"] {
        let file = sv.root.join(format!("{tag}.{format}"));
        let mut args = common_args("export");
        args.extend(strings(&["--format", format, "-o", &s(&file)]));
        ok(&args);
        out.push((
            format!("export {format}"),
            std::fs::read(&file).expect("export"),
        ));
    }
    // Without a panel or decisions too.
    let mut bare = vec!["rank".to_string(), s(&sv.batch)];
    bare.extend(source.iter().cloned());
    bare.extend(strings(&["--bootstrap", "0", "--format", "json"]));
    out.push(("rank json, no panel".into(), ok(&bare).stdout));
    out
}

/// The chair's view on `source`, opened as `revdesk chair` opens it, its results as JSON.
fn chair_results(sv: &Server, source: Box<dyn MarkSource + Send>) -> Value {
    let (profile, batch) = common::batch(MEETING_BATCH);
    let store = Store::open(&sv.store).expect("store");
    let log = revdesk::round::decision_log(&store, &batch).expect("log");
    let bootstrap: usize = BOOTSTRAP.parse().expect("number");
    let r = Settings::resolve(
        Asked::default(),
        decisions::made_under(&log).as_ref(),
        bootstrap,
        1,
    );
    let settings = ChairSettings {
        chair: "zhang".into(),
        lang: Lang::En,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: r.replicates,
        seed: r.seed,
        panel: Some(Panel::load(&sv.panel).expect("panel")),
        shortlist: r.shortlist,
        method: r.method,
        trim_min: r.trim_min,
    };
    let app = ChairApp::with_source(profile, batch, source, store, settings).expect("opens");
    serde_json::to_value(app.results.as_ref().expect("results")).expect("serialises")
}

#[test]
fn server_marks_give_exactly_what_the_experts_signed_sheets_give() {
    let sv = server();
    let server_args = strings(&["--server", &s(&sv.store)]);
    let from_server = outputs(&sv, &server_args, "server");
    let marks = StoreMarks::open(&sv.store).expect("opens");
    let chair_server = chair_results(&sv, Box::new(marks));

    // The conflict of interest is found in the store's marks as in files.
    let mut args = vec!["rank".to_string(), s(&sv.batch)];
    args.extend(server_args.iter().cloned());
    args.extend(strings(&["--panel", &s(&sv.panel), "--bootstrap", "0"]));
    let stderr = String::from_utf8_lossy(&ok(&args).stderr).into_owned();
    assert!(
        stderr.contains("conflict of interest: e2 scored RE-011"),
        "{stderr}"
    );

    // Each expert signs a sheet for the archive from the server's store.
    let sheets = sv.root.join("sheets");
    std::fs::create_dir_all(&sheets).expect("dir");
    for e in 0..7 {
        let file = sheets.join(format!("e{e}.json"));
        let out = ok(&strings(&[
            "sheet",
            &s(&sv.batch),
            "--server",
            &s(&sv.store),
            "--expert",
            &format!("e{e}"),
            "-o",
            &s(&file),
        ]));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(&format!("sheet 1 of expert e{e}")), "{said}");
    }
    let from_sheets = outputs(&sv, &[s(&sheets)], "sheets");
    assert_eq!(from_server.len(), from_sheets.len());
    for ((name, a), (_, b)) in from_server.iter().zip(&from_sheets) {
        assert!(!a.is_empty(), "{name}");
        assert!(
            a == b,
            "{name} differs:\n--- server\n{}\n--- sheets\n{}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }

    // The chair's view on the server shows what it shows on the sheets, and what rank says.
    let chair_sheets = chair_results(&sv, Box::new(revdesk::round::SheetFiles(vec![sheets])));
    assert_eq!(chair_server, chair_sheets);
    let rank: Value = serde_json::from_slice(&from_server[2].1).expect("rank json");
    for key in ["k", "method", "decided", "cut_note"] {
        assert_eq!(chair_server[key], rank[key], "{key}");
    }
    let ids = |v: &Value| -> Vec<(Value, Value, Value)> {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| (r["id"].clone(), r["rank"].clone(), r["shortlisted"].clone()))
            .collect()
    };
    assert_eq!(ids(&chair_server), ids(&rank));
    assert_eq!(rank["k"], 26);
    let listed = rank["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["shortlisted"] == true)
        .count();
    assert_eq!(listed, 26, "cut at 26, RE-032 included, RE-003 excluded");
}

#[test]
fn server_sources_are_given_in_place_of_sheets() {
    let sv = server();
    let batch = s(&sv.batch);
    let nowhere = s(&sv.root.join("nowhere"));
    for cmd in ["rank", "stats", "chair"] {
        let out = revdesk(&strings(&[cmd, &batch, "--server", &nowhere]));
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{nowhere}: no revdesk store there (revdesk.db)")),
            "{cmd}: {err}"
        );
        let out = revdesk(&strings(&[cmd, &batch]));
        assert_eq!(out.status.code(), Some(2), "{cmd}: no source");
        let out = revdesk(&strings(&[cmd, &batch, &batch, "--server", &s(&sv.store)]));
        assert_eq!(out.status.code(), Some(2), "{cmd}: both");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot be used with"), "{cmd}: {err}");
    }
    // A panel whose keys cannot be listed stops with the entry, the index and the reason.
    let bad = sv.root.join("bad.toml");
    let text = std::fs::read_to_string(&sv.panel)
        .expect("panel")
        .replace(&ssh("ed25519-a"), &ssh("dsa"));
    std::fs::write(&bad, text).expect("write");
    let out = revdesk(&strings(&[
        "rank",
        &batch,
        "--server",
        &s(&sv.store),
        "--panel",
        &s(&bad),
    ]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "bad.toml: experts[0].ssh_keys[0] (expert e0): unsupported key type ssh-dss: use an ed25519, ecdsa or rsa key"
        ),
        "{err}"
    );
}

#[test]
fn invites_are_single_use_hashed_and_audited() {
    let dir = tempfile::tempdir().expect("dir");
    let store_dir = dir.path().join("server");
    let store = Store::open(&store_dir).expect("store");
    let panel = dir.path().join("panel.toml");
    let extra = format!(
        "\n[[chairs]]\nid = \"zhang\"\nssh_keys = [\"{}\"]\n",
        ssh("ecdsa-p256")
    );
    std::fs::write(&panel, panel_text(&store, 2, None, &extra)).expect("panel");
    let invite = |who: &str, more: &[&str]| {
        let mut a = strings(&[
            "invite",
            who,
            "--store",
            &s(&store_dir),
            "--panel",
            &s(&panel),
        ]);
        a.extend(strings(more));
        revdesk(&a)
    };

    let out = invite("e0", &["--host", "review.example.org", "--port", "2222"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with("Invite #1 for e0 (专家0): one use, valid for 72 hours, until "),
        "{text}"
    );
    assert!(
        text.contains("    ssh -p 2222 e0@review.example.org\n"),
        "{text}"
    );
    assert!(text.contains("the store keeps only its hash"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "the panel pins the store's key: no warning"
    );
    let code = |text: &str| -> String {
        text.lines()
            .map(str::trim)
            .find(|l| l.len() == 19 && l.split('-').count() == 4)
            .expect("a code line")
            .to_string()
    };
    let first = code(&text);

    // A second invite revokes the first.
    let out = invite("e0", &["--hours", "1"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("valid for 1 hour, until"), "{text}");
    assert!(
        text.contains("1 earlier unused invite(s) for e0 revoked: only this code works now."),
        "{text}"
    );
    let second = code(&text);
    assert_ne!(first, second);
    // The code is nowhere in the store, only its hash.
    let db = std::fs::read(store_dir.join("revdesk.db")).expect("db");
    let wal = std::fs::read(store_dir.join("revdesk.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        let hay = String::from_utf8_lossy(bytes);
        assert!(!hay.contains(&second) && !hay.contains(&second.replace('-', "")));
    }

    let now = jiff::Timestamp::now().to_string();
    let redeem = |code: &str| {
        store
            .redeem_invite(
                "e0",
                &invite_code_hash(code),
                &now,
                "192.0.2.1:50000",
                Some((&ssh("ed25519-b"), "SHA256:test")),
            )
            .expect("redeem")
    };
    assert_eq!(redeem(&first), InviteOutcome::Revoked);
    assert_eq!(
        redeem(&second.to_lowercase().replace('-', " ")),
        InviteOutcome::Accepted { pinned: true }
    );
    assert_eq!(redeem(&second), InviteOutcome::AlreadyUsed);
    assert_eq!(store.pinned_keys("e0").expect("keys"), [ssh("ed25519-b")]);

    // Only experts of the panel are invited; hours are 1 to 720.
    for (who, more, said) in [
        ("zhang", &[][..], "zhang is a chair in"),
        ("zhao", &[][..], "zhao is not an expert of"),
        ("e1", &["--hours", "0"][..], "0 is not in 1..=720"),
    ] {
        let out = invite(who, more);
        assert_eq!(out.status.code(), Some(2), "{who}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{who}: {err}");
    }

    // Whatever the network sent is shown safely.
    store
        .audit_append(&AuditEvent {
            who: Some("e0\u{1b}]0;owned\u{7}".into()),
            address: Some("192.0.2.9:1".into()),
            ..AuditEvent::new(AuditKind::LoginFailed, "bad code\n\u{9b}2J")
        })
        .expect("append");
    let audit = |format: &str| {
        ok(&strings(&[
            "audit",
            "--store",
            &s(&store_dir),
            "--format",
            format,
        ]))
        .stdout
    };
    let table = String::from_utf8(audit("table")).expect("utf-8");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("seq  time                 kind"),
        "{table}"
    );
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().nth(3).expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "invite_issued",
            "invite_issued",
            "invite_used",
            "key_pinned",
            "login_failed"
        ]
    );
    assert!(
        !table.chars().any(|c| c.is_control() && c != '\n'),
        "{table:?}"
    );
    assert!(lines[5].contains("e0\u{FFFD}]0;owned\u{FFFD}"), "{table}");
    assert!(lines[5].ends_with("bad code \u{FFFD}2J"), "{table}");
    let json = audit("json");
    assert!(!json.iter().any(|&b| b == 0x1b || b == 0x07));
    let rows: Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(rows[2]["kind"], "invite_used");
    assert_eq!(rows[2]["address"], "192.0.2.1:50000");
    assert_eq!(rows[3]["fingerprint"], "SHA256:test");
    assert_eq!(rows[4]["who"], "e0\u{1b}]0;owned\u{7}");
    // The table's local time (TZ=UTC here) is the stored RFC 3339 time, to the second.
    let at = rows[0]["at"].as_str().expect("at");
    let local = format!("{} {}", &at[..10], &at[11..19]);
    assert!(lines[1].contains(&local), "{} vs {at}", lines[1]);

    let out = revdesk(&strings(&[
        "audit",
        "--store",
        &s(&dir.path().join("none")),
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !dir.path().join("none").exists(),
        "no store is made by reading"
    );
}

#[test]
fn the_chair_on_the_server_follows_live_marks_and_decides_into_its_store() {
    const SMALL: &str = "batches/resources-environment-small.json";
    let dir = tempfile::tempdir().expect("dir");
    let (profile, batch) = common::batch(SMALL);
    let store_dir = dir.path().join("server");
    let store = Store::open(&store_dir).expect("store");
    for e in 0..4 {
        expert_marks(&store, &batch, &profile, e, None);
    }
    let mut t = Tui::small_chair(&["--server".into(), s(&store_dir)]);
    t.wait_for("sheets 4");
    t.wait_ranked_above("RE-007", "RE-008");
    // Four more experts score on the server, all giving RE-008 full marks: it climbs.
    for e in 4..8 {
        expert_marks(&store, &batch, &profile, e, Some("RE-008"));
    }
    t.wait_for("sheets 8");
    t.wait_ranked_above("RE-008", "RE-007");
    t.type_keys("/RE-007\r");
    t.type_keys("I");
    t.wait_for("Why include RE-007");
    t.send("示范工程效果显著\r");
    t.wait_for("RE-007 included: 示范工程效果显著");
    t.type_keys("n");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    // Without --store, the decisions went into the server's store.
    let log = store.decisions(&batch.hash).expect("decisions");
    assert_eq!(log.len(), 1);
    assert!(log[0].json.contains("示范工程效果显著"), "{}", log[0].json);
    assert_eq!(log[0].chair, "zhang");
}
