//! `revdesk assign` on a 300-nomination synthetic batch and a 25-expert panel with
//! affiliations: every constraint holds, the design is deterministic for a seed, unmet
//! constraints are named, and the calibrated method recovers known expert biases on the design.

use assert_cmd::Command;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use revdesk::domain::batch::Batch;
use revdesk::io::assign::Assignment;
use revdesk::io::panel::Panel;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The applicants `revdesk gen` draws from (io::synth).
const UNITS: &[&str] = &[
    "清华大学",
    "浙江大学",
    "中国科学院某研究所",
    "哈尔滨工业大学",
    "华中科技大学",
    "某科技有限公司",
    "西安交通大学",
    "上海交通大学",
    "东南大学",
    "某集团股份有限公司",
];

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "en_US.UTF-8");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn key_hex(seed: u8) -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key();
    key.to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A panel of `n` experts; `affiliations(e)` lists expert e's organisations.
fn write_panel(path: &Path, n: usize, affiliations: impl Fn(usize) -> Vec<String>) {
    let mut text = String::new();
    for e in 0..n {
        let aff: Vec<String> = affiliations(e).iter().map(|a| format!("\"{a}\"")).collect();
        text.push_str(&format!(
            "[[experts]]\nid = \"x{e:02}\"\nname = \"专家{e}\"\naffiliations = [{}]\npublic_key = \"{}\"\n\n",
            aff.join(", "),
            key_hex(e as u8 + 1)
        ));
    }
    std::fs::write(path, text).expect("write panel");
}

/// Expert e: one of the applicants (two experts each) for the first 20, the recommender of
/// nominations 19-20 for the first five, no conflict for the last five.
fn affiliations(e: usize) -> Vec<String> {
    let mut a = Vec::new();
    if e < 20 {
        a.push(UNITS[e % UNITS.len()].to_string());
    }
    if e < 5 {
        a.push("推荐单位00010".to_string());
    }
    if e >= 20 {
        a.push("某研究院".to_string());
    }
    a
}

struct Setup {
    dir: tempfile::TempDir,
    batch: PathBuf,
    panel: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("dir");
    let batch = dir.path().join("batch.csv");
    let (code, out, err) = run(&[
        "gen",
        "--items",
        "300",
        "--detail-chars",
        "0",
        "--seed",
        "5",
        "-o",
        &s(&batch),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let panel = dir.path().join("panel.toml");
    write_panel(&panel, 25, affiliations);
    Setup { dir, batch, panel }
}

fn load_batch(path: &Path) -> Batch {
    let profile = revdesk::round::load_profile(None).expect("profile");
    revdesk::round::load_batch(path, &profile, &Default::default()).expect("batch")
}

/// Item id → its experts.
fn by_item(a: &Assignment) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (e, items) in &a.experts {
        for i in items {
            m.entry(i.clone()).or_default().push(e.clone());
        }
    }
    m
}

#[test]
fn three_hundred_nominations_twenty_five_experts() {
    let t = setup();
    let out = t.dir.path().join("assign.toml");
    let args = [
        "assign",
        &s(&t.batch),
        "--panel",
        &s(&t.panel),
        "--per-item",
        "5",
        "--seed",
        "3",
        "-o",
        &s(&out),
    ];
    let (code, stdout, err) = run(&args);
    assert_eq!(code, 0, "{stdout}{err}");
    println!("{stdout}");
    let batch = load_batch(&t.batch);
    let panel = Panel::load(&t.panel).expect("panel");
    let a = Assignment::load(&out, &batch).expect("assignment");
    assert_eq!(a.per_item, 5);
    // Exactly K per nomination, no conflict.
    let items = by_item(&a);
    assert_eq!(items.len(), 300);
    let mut conflicts_avoided = 0;
    for item in &batch.items {
        let experts = &items[&item.id];
        assert_eq!(experts.len(), 5, "{}", item.id);
        for e in experts {
            let ex = panel.expert(e).expect("a panel expert");
            assert_eq!(ex.conflict_with(item), None, "{e} on {}", item.id);
        }
        conflicts_avoided += panel
            .experts
            .iter()
            .filter(|x| x.conflict_with(item).is_some())
            .count();
    }
    assert!(conflicts_avoided > 600, "{conflicts_avoided}");
    println!("conflicting (expert, nomination) pairs avoided: {conflicts_avoided}");
    // No more than the fair share, 300 × 5 / 25 = 60; all 25 experts used.
    assert_eq!(a.experts.len(), 25);
    let loads: Vec<usize> = a.experts.values().map(|s| s.len()).collect();
    assert!(loads.iter().all(|&l| l <= 60), "{loads:?}");
    assert_eq!(loads.iter().sum::<usize>(), 1500);
    // Every pair of experts shares nominations (so the graph is connected), and the figures
    // printed are the file's.
    let ids: Vec<&String> = a.experts.keys().collect();
    let mut min = usize::MAX;
    let mut total = 0;
    for (p, x) in ids.iter().enumerate() {
        for y in &ids[p + 1..] {
            let shared = a.experts[*x].intersection(&a.experts[*y]).count();
            min = min.min(shared);
            total += shared;
        }
    }
    let mean = total as f64 / 300.0;
    assert!(min >= 5, "min pair overlap {min}");
    assert!(
        stdout.contains(&format!(
            "nominations per expert: {}–{} (limit 60)",
            loads.iter().min().unwrap_or(&0),
            loads.iter().max().unwrap_or(&0)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("shared by two experts: min {min} (")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("mean {mean:.2}")), "{stdout}");
    assert!(stdout.contains("connected"), "{stdout}");
    println!("loads {loads:?}; min pair overlap {min}, mean {mean:.2}");

    // The same seed gives the same file; another seed another design; no overwrite by default.
    let first = std::fs::read(&out).expect("read");
    let (code, _, err) = run(&args);
    assert_eq!(code, 2, "{err}");
    let mut again = args.to_vec();
    again.push("--overwrite");
    assert_eq!(run(&again).0, 0);
    assert_eq!(std::fs::read(&out).expect("read"), first);
    let other_out = s(&t.dir.path().join("other.toml"));
    let mut other = args.to_vec();
    other[7] = "4";
    other[9] = &other_out;
    assert_eq!(run(&other).0, 0);
    assert_ne!(std::fs::read(&other_out).expect("read"), first);

    bias_recovery(&batch, &a);
}

/// Synthetic scores on the assigned design: item quality, a known leniency per expert, noise;
/// the calibrated fit must recover the leniencies.
fn bias_recovery(batch: &Batch, a: &Assignment) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let experts: Vec<String> = a.experts.keys().cloned().collect();
    let bias: Vec<f64> = (0..experts.len())
        .map(|_| rng.random_range(-8.0..8.0))
        .collect();
    let mean_bias = bias.iter().sum::<f64>() / bias.len() as f64;
    let items: Vec<String> = batch.items.iter().map(|i| i.id.clone()).collect();
    let mut panel = revdesk::engine::Panel::new(experts.clone(), items.clone(), 1).expect("panel");
    for item in &items {
        let quality: f64 = rng.random_range(40.0..80.0);
        for (e, id) in experts.iter().enumerate() {
            if a.assigned(id, item) {
                // Noise: the sum of four uniforms, sd ≈ 2.3 points.
                let noise: f64 = (0..4).map(|_| rng.random_range(-2.0..2.0)).sum();
                let t = (quality + bias[e] + noise).clamp(0.0, 100.0);
                panel.add(id, item, t, vec![t], 1.0).expect("add");
            }
        }
    }
    let fitted = revdesk::engine::calibrated_biases(&panel).expect("fit");
    let mut worst: f64 = 0.0;
    let mut sq = 0.0;
    for (e, b) in fitted.iter().enumerate() {
        let b = b.expect("every expert scored");
        let err = b - (bias[e] - mean_bias);
        worst = worst.max(err.abs());
        sq += err * err;
    }
    let rmse = (sq / experts.len() as f64).sqrt();
    println!("bias recovery: rmse {rmse:.3}, worst {worst:.3} points (biases in -8..8)");
    assert!(rmse < 0.5, "rmse {rmse}");
    assert!(worst < 1.0, "worst {worst}");
}

#[test]
fn unmet_constraints_are_named_and_nothing_is_written() {
    let t = setup();
    let out = t.dir.path().join("assign.toml");
    // 23 of 25 experts belong to 清华大学: its nominations have 2 experts free to score them.
    let crowded = t.dir.path().join("crowded.toml");
    write_panel(&crowded, 25, |e| {
        if e < 23 {
            vec!["清华大学".to_string()]
        } else {
            vec![]
        }
    });
    let base = |panel: &Path, extra: &[&str]| {
        let mut v: Vec<String> = ["assign", &s(&t.batch), "--panel", &s(panel), "-o", &s(&out)]
            .iter()
            .map(|x| x.to_string())
            .collect();
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let args = base(&crowded, &["--per-item", "5"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, err) = run(&refs);
    assert_eq!(code, 1, "{stdout}{err}");
    let batch = load_batch(&t.batch);
    let tsinghua: Vec<&str> = batch
        .items
        .iter()
        .filter(|i| i.applicant == "清华大学")
        .map(|i| i.id.as_str())
        .collect();
    assert!(!tsinghua.is_empty());
    for id in &tsinghua {
        assert!(
            err.contains(&format!(
                "{id}: only 2 experts without a conflict, 5 needed"
            )),
            "{id}\n{err}"
        );
    }
    assert!(err.contains("the constraints cannot be met"), "{err}");
    assert!(!out.exists());

    // Too low a load limit.
    let args = base(&t.panel, &["--per-item", "5", "--max-load", "50"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run(&refs);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("1500 assignments needed (300 nominations × 5), but 25 experts take at most 50 each, 1250 in all: raise --max-load"),
        "{err}"
    );
    // One expert per nomination connects nobody.
    let args = base(&t.panel, &["--per-item", "1"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run(&refs);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("groups that share no nomination"), "{err}");
    // K = 0 is a usage error.
    let args = base(&t.panel, &["--per-item", "0"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(run(&refs).0, 2);
    assert!(!out.exists());
}

const FIXTURE: &str = "fixtures/batches/electronic-information.xlsx";
const CRITERIA: &str = "可行性,先进性,原创性,不可替代性,技术成熟度,市场前景";

fn ok(args: &[&str]) -> (String, String) {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
    (out, err)
}

/// A paper sheet of `ids` for expert number `e`.
fn paper(path: &Path, e: usize, ids: &[&str]) {
    let mut csv = format!("编号,{CRITERIA}\n");
    for (i, id) in ids.iter().enumerate() {
        let marks: Vec<String> = (0..6)
            .map(|c| ((5 + e + i + c) % 6 + 4).to_string())
            .collect();
        csv.push_str(&format!("{id},{}\n", marks.join(",")));
    }
    std::fs::write(path, csv).expect("write");
}

#[test]
fn the_assignment_reaches_enter_sheet_stats_and_the_panel() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let batch = load_batch(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(FIXTURE)
            .as_path(),
    );
    let first_applicant = batch.items[0].applicant.clone();
    // Six experts, each with a store and a signing key; x00 works for EI-001's applicant.
    let experts: Vec<String> = (0..6).map(|e| format!("x{e:02}")).collect();
    let mut panel = String::new();
    for (e, id) in experts.iter().enumerate() {
        let store = s(&root.join(format!("store-{id}")));
        let (out, _) = ok(&["key", "--store", &store, "--expert", id]);
        let hex = out
            .lines()
            .find_map(|l| l.strip_prefix("public_key = \""))
            .and_then(|l| l.strip_suffix('"'))
            .expect("the key snippet");
        let aff = if e == 0 {
            format!("\"{first_applicant}\"")
        } else {
            String::new()
        };
        panel.push_str(&format!(
            "[[experts]]\nid = \"{id}\"\naffiliations = [{aff}]\npublic_key = \"{hex}\"\n\n"
        ));
    }
    let panel_file = root.join("panel.toml");
    std::fs::write(&panel_file, &panel).expect("panel");
    let assign_file = root.join("assign.toml");
    let (out, _) = ok(&[
        "assign",
        FIXTURE,
        "--panel",
        &s(&panel_file),
        "--per-item",
        "3",
        "-o",
        &s(&assign_file),
    ]);
    assert!(
        out.contains("nominations per expert: 22–23 (limit 23)"),
        "{out}"
    );
    let a = Assignment::load(&assign_file, &batch).expect("assignment");
    assert!(!a.assigned("x00", &batch.items[0].id), "a conflict");

    // enter: a row outside the share is refused, nothing stored; the share alone is stored.
    let share = |id: &str| -> Vec<String> { a.share(id).into_iter().collect() };
    let outside = |id: &str| -> String {
        batch
            .items
            .iter()
            .map(|i| i.id.clone())
            .find(|i| !a.assigned(id, i))
            .expect("some nomination is not theirs")
    };
    let sheets = root.join("sheets");
    std::fs::create_dir_all(&sheets).expect("mkdir");
    // A panel that names the assignment brings it in as --assign does.
    let with_key = root.join("panel-with-assignment.toml");
    std::fs::write(
        &with_key,
        format!("assignment = \"assign.toml\"\n\n{panel}"),
    )
    .expect("panel");
    let key_arg = s(&with_key);
    for (e, id) in experts.iter().enumerate() {
        let store = s(&root.join(format!("store-{id}")));
        let mine = share(id);
        let mut rows: Vec<&str> = mine.iter().map(String::as_str).collect();
        let csv = root.join(format!("{id}.csv"));
        let other = outside(id);
        if e == 1 {
            let mut with_other = rows.clone();
            with_other.push(&other);
            paper(&csv, e, &with_other);
            let (code, _, err) = run(&[
                "enter",
                FIXTURE,
                "--expert",
                id,
                "--from",
                &s(&csv),
                "--store",
                &store,
                "--assign",
                &s(&assign_file),
            ]);
            assert_eq!(code, 1, "{err}");
            assert!(
                err.contains(&format!(
                    "{other}: not assigned to {id}; its scores are refused"
                )),
                "{err}"
            );
            assert!(
                err.contains("1 row(s) score nominations not assigned to x01; nothing stored"),
                "{err}"
            );
        }
        // x01 and x02 scored one nomination outside their share before the assignment.
        if e == 1 || e == 2 {
            rows.push(&other);
            paper(&csv, e, &rows);
            ok(&[
                "enter",
                FIXTURE,
                "--expert",
                id,
                "--from",
                &s(&csv),
                "--store",
                &store,
            ]);
        } else {
            paper(&csv, e, &rows);
            ok(&[
                "enter",
                FIXTURE,
                "--expert",
                id,
                "--from",
                &s(&csv),
                "--store",
                &store,
                "--assign",
                &s(&assign_file),
            ]);
        }
        let sheet = s(&sheets.join(format!("{id}.json")));
        let mut args = vec![
            "sheet", FIXTURE, "--expert", id, "--store", &store, "-o", &sheet,
        ];
        // x02's sheet is made without the assignment: the round leaves its extra mark out.
        // x01's through the panel's `assignment`.
        let assign_arg = s(&assign_file);
        match e {
            1 => args.extend(["--panel", &key_arg]),
            2 => {}
            _ => args.extend(["--assign", &assign_arg]),
        }
        let (_, err) = ok(&args);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sheet).expect("sheet")).expect("json");
        let on_sheet = v["items"].as_array().expect("items").len();
        if e == 2 {
            assert_eq!(on_sheet, mine.len() + 1);
        } else {
            assert_eq!(on_sheet, mine.len(), "{id}");
        }
        if e == 1 {
            assert!(
                err.contains("1 marked nomination(s) not assigned to x01 are left off the sheet (kept in the store)"),
                "{err}"
            );
        }
    }

    // stats: progress against the share, the extra mark left out with a note; with --assign,
    // and through the panel's `assignment` key (relative to the panel file).
    let (sheets_arg, panel_arg, assign_arg) = (s(&sheets), s(&panel_file), s(&assign_file));
    let (table, _) = ok(&[
        "stats",
        FIXTURE,
        &sheets_arg,
        "--panel",
        &panel_arg,
        "--assign",
        &assign_arg,
    ]);
    assert!(table.contains("assigned"), "{table}");
    for args in [
        vec![
            "stats",
            FIXTURE,
            &sheets_arg,
            "--panel",
            &panel_arg,
            "--assign",
            &assign_arg,
        ],
        vec!["stats", FIXTURE, &sheets_arg, "--panel", &key_arg],
    ] {
        let mut args = args.clone();
        args.extend(["--format", "json"]);
        let (out, err) = ok(&args);
        assert!(
            err.contains(
                "x02 marked 1 nomination(s) not assigned to them: kept in their store, not counted"
            ),
            "{err}"
        );
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let listed = v["experts"].as_array().expect("experts");
        assert_eq!(listed.len(), 6);
        for x in listed {
            let id = x["id"].as_str().expect("id");
            let n = Some(a.share(id).len() as u64);
            assert_eq!(x["assigned"].as_u64(), n, "{id}");
            assert_eq!(x["scored"].as_u64(), n, "{id}");
        }
        for item in v["items"].as_array().expect("items") {
            assert_eq!(item["n"].as_u64(), Some(3), "{item}");
        }
    }
    // Without the assignment, x02's extra mark counts and nobody has a share.
    let (out, _) = ok(&[
        "stats",
        FIXTURE,
        &sheets_arg,
        "--panel",
        &panel_arg,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let x02 = &v["experts"].as_array().expect("experts")[2];
    assert_eq!(
        x02["scored"].as_u64(),
        Some(a.share("x02").len() as u64 + 1)
    );
    assert!(x02.get("assigned").is_none(), "{x02}");
    // The calibrated method ranks on the design.
    ok(&[
        "rank",
        FIXTURE,
        &sheets_arg,
        "--panel",
        &key_arg,
        "--method",
        "calibrated",
        "--bootstrap",
        "0",
    ]);
}
