//! The command line's language: `--lang`, else the locale, else Chinese; help, usage errors,
//! findings, tables, key output and sheet rejections in both languages; completions and the
//! manual page cover every subcommand.

mod common;

use clap::CommandFactory;
use std::process::Command;

const BATCH: &str = "fixtures/batches/resources-environment.json";
const SHEETS: &str = "fixtures/golden/sheets";
const PANEL: &str = "fixtures/golden/panel.toml";

/// `revdesk ARGS` under exactly the locale variables given (the others removed).
fn run(locale: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("revdesk"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .args(args);
    for (k, v) in locale {
        c.env(k, v);
    }
    common::outcome(&c.output().expect("runs"))
}

const ZH: &[(&str, &str)] = &[("LANG", "zh_CN.UTF-8")];
const EN: &[(&str, &str)] = &[("LANG", "en_US.UTF-8")];
const NONE: &[(&str, &str)] = &[];

#[test]
fn help_follows_the_locale_and_lang_wins() {
    for locale in [ZH, NONE, &[("LANG", "C")][..], &[("LC_ALL", "C.UTF-8")][..]] {
        let (code, out, _) = run(locale, &["--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("用法：revdesk"), "{locale:?}: {out}");
        assert!(out.contains("打分") && !out.contains("Usage:"), "{out}");
        let (_, out, _) = run(locale, &["rank", "--help"]);
        assert!(
            out.contains("输出格式") && out.contains("[默认：table]"),
            "{out}"
        );
        assert!(!out.contains("Output format"), "{out}");
    }
    let (code, out, _) = run(EN, &["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Usage: revdesk") && out.contains("Commands:"),
        "{out}"
    );
    let (_, out, _) = run(EN, &["rank", "--help"]);
    assert!(
        out.contains("Output format") && !out.contains("输出格式"),
        "{out}"
    );
    // LC_ALL overrides LANG; --lang overrides both, wherever it stands.
    let (_, out, _) = run(
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "zh_CN.UTF-8")],
        &["--help"],
    );
    assert!(out.contains("用法："), "{out}");
    let (_, out, _) = run(ZH, &["rank", "--help", "--lang", "en"]);
    assert!(out.contains("Output format"), "{out}");
    let (_, out, _) = run(EN, &["--lang=zh", "rank", "--help"]);
    assert!(out.contains("输出格式"), "{out}");
}

#[test]
fn usage_errors_in_chinese_keep_exit_code_2() {
    let (code, _, err) = run(ZH, &["rank", BATCH, "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("错误：不认识的参数“--bogus”"), "{err}");
    assert!(err.contains("用法：revdesk rank"), "{err}");
    let (code, _, err) = run(NONE, &["rank", BATCH, SHEETS, "--format", "pdf"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("“pdf”无效") && err.contains("table、csv、json"),
        "{err}"
    );
    let (code, _, err) = run(EN, &["rank", BATCH, "--bogus"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: unexpected argument '--bogus'"),
        "{err}"
    );
    let (code, _, err) = run(ZH, &["--lang", "fr", "rank", BATCH, SHEETS]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("“--lang <zh|en>”的值“fr”无效"), "{err}");
}

#[test]
fn validate_findings_and_an_unreadable_file_in_chinese() {
    let (code, out, _) = run(ZH, &["validate", "fixtures/broken/errors.csv"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("errors.csv:3: 错误: BM-002: 必填字段 技术名称 (name) 为空"),
        "{out}"
    );
    assert!(out.contains("编号“BM-001”重复，第 2 行已用过"), "{out}");
    assert!(out.contains("读取 12 项，可用 2 项"), "{out}");
    let (_, en, _) = run(EN, &["validate", "fixtures/broken/errors.csv"]);
    assert!(
        en.contains("error: BM-002: required field 技术名称 (name) is empty"),
        "{en}"
    );
    // JSON stays as it was, whatever the language.
    let (_, zh_json, _) = run(
        ZH,
        &["validate", "fixtures/broken/errors.csv", "--format", "json"],
    );
    let (_, en_json, _) = run(
        EN,
        &["validate", "fixtures/broken/errors.csv", "--format", "json"],
    );
    assert_eq!(zh_json, en_json);
    assert!(
        zh_json.contains("\"message\": \"required field"),
        "{zh_json}"
    );

    let (code, out, _) = run(ZH, &["validate", "no-such-batch.csv"]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("no-such-batch.csv: 错误: -: 无法读取："),
        "{out}"
    );
}

#[test]
fn rank_table_headings_in_chinese_csv_unchanged() {
    let args = ["rank", BATCH, SHEETS, "--panel", PANEL, "--bootstrap", "0"];
    let (code, out, err) = run(ZH, &args);
    assert_eq!(code, 0, "{err}");
    let header = out
        .lines()
        .find(|l| l.starts_with("排名"))
        .expect("a header");
    assert!(header.contains("编号") && header.contains("技术名称") && header.contains("得分"));
    assert!(out.contains("-- 分数线: K = "), "{out}");
    assert!(
        err.contains("利益冲突：") && err.contains("该评分不计"),
        "{err}"
    );
    let (_, en, _) = run(EN, &args);
    assert!(en.lines().any(|l| l.starts_with("rank")), "{en}");
    let csv = |locale| run(locale, &[&args[..], &["--format", "csv"]].concat()).1;
    assert_eq!(csv(ZH), csv(EN));
}

#[test]
fn key_output_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let store = store.to_str().expect("utf-8");
    let (code, out, err) = run(ZH, &["key", "--store", store, "--expert", "wang"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("专家：    wang") && out.contains("公钥："),
        "{out}"
    );
    assert!(
        out.contains("# 供主席的专家组文件（panel.toml）使用："),
        "{out}"
    );
    // The TOML block is for a file: the same in both languages.
    assert!(out.contains("[[experts]]\nid = \"wang\""), "{out}");
    let (_, en, _) = run(EN, &["key", "--store", store, "--expert", "wang"]);
    assert!(en.contains("public key:  "), "{en}");
}

#[test]
fn sheet_rejections_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "not a sheet").expect("write");
    let bad = bad.to_str().expect("utf-8");
    let (code, _, err) = run(ZH, &["rank", BATCH, SHEETS, bad, "--bootstrap", "0"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("拒收: ") && err.contains("bad.json: JSON 格式错误"),
        "{err}"
    );
    assert!(err.contains("revdesk: 拒收评分表 1 份"), "{err}");
    let (code, _, err) = run(EN, &["rank", BATCH, SHEETS, bad, "--bootstrap", "0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("rejected: ") && err.contains("1 sheet(s) rejected"),
        "{err}"
    );
}

/// Every subcommand's name, from the command definition.
fn subcommands() -> Vec<String> {
    revdesk::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

#[test]
fn completions_and_man_cover_every_subcommand() {
    let names = subcommands();
    assert!(names.len() > 15, "{names:?}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        for locale in [ZH, EN] {
            let (code, out, err) = run(locale, &["completions", shell]);
            assert_eq!(code, 0, "{shell}: {err}");
            for n in &names {
                assert!(out.contains(n.as_str()), "{shell} lacks {n}");
            }
        }
    }
    let (code, out, _) = run(EN, &["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH revdesk"),
        "{}",
        &out[..200]
    );
    for n in &names {
        assert!(out.contains(&format!("revdesk\\-{n}")), "man lacks {n}");
    }
    let (_, zh, _) = run(ZH, &["man"]);
    assert!(
        zh.contains("汇总评分表"),
        "the Chinese page has the Chinese help"
    );
    let (code, _, err) = run(EN, &["completions", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}

/// A temporary directory with a generated six-item biomedicine batch, made in `locale`.
fn gen_batch(locale: &[(&str, &str)]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let batch = dir.path().join("batch.json");
    let batch = batch.to_str().expect("utf-8").to_string();
    let (code, out, err) = run(
        locale,
        &[
            "gen",
            "--items",
            "6",
            "--detail-chars",
            "0",
            "--domain",
            "biomedicine",
            "-o",
            &batch,
        ],
    );
    assert_eq!(code, 0, "{err}");
    (dir, batch, out)
}

#[test]
fn enter_cell_errors_and_sheet_output_in_chinese() {
    let (dir, batch, out) = gen_batch(ZH);
    assert!(
        out.contains("已写入 6 项") && out.contains("合成推荐"),
        "{out}"
    );
    let (_, _, en) = gen_batch(EN);
    assert!(en.contains(": 6 synthetic "), "{en}");
    let store = dir.path().join("store");
    let store = store.to_str().expect("utf-8");
    let sheet = dir.path().join("paper.csv");
    std::fs::write(
        &sheet,
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,回避\n\
         BM-00001,11,7,6,5,9,8,也许\nBM-99999,1,1,1,1,1,1,否\n",
    )
    .expect("write");
    let sheet = sheet.to_str().expect("utf-8");
    let args = [
        "enter", &batch, "--expert", "wang", "--from", sheet, "--store", store,
    ];
    let (code, _, err) = run(ZH, &args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("paper.csv:2: 第 B (可行性) 列：分数 11 不在 0 到 10 之间"),
        "{err}"
    );
    assert!(err.contains("“也许”不是 是/否（yes/no）"), "{err}");
    assert!(err.contains("编号“BM-99999”不在批次"), "{err}");
    assert!(!err.contains("column") && !err.contains("is not"), "{err}");
    let (code, _, err) = run(EN, &args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("paper.csv:2: column B (可行性): score 11 is not between 0 and 10"),
        "{err}"
    );
    assert!(err.contains("'也许' is not 是/否 (yes/no)"), "{err}");

    // A good sheet, then `sheet`'s summary.
    std::fs::write(
        sheet,
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\nBM-00001,8,7,6,5,9,8\n",
    )
    .expect("write");
    let (code, _, err) = run(ZH, &args);
    assert_eq!(code, 0, "{err}");
    let signed = dir.path().join("wang.json");
    let signed = signed.to_str().expect("utf-8");
    let sheet_args = [
        "sheet", &batch, "--expert", "wang", "--store", store, "-o", signed,
    ];
    let (code, out, err) = run(ZH, &sheet_args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("专家 wang 的第 1 份评分表") && out.contains("6 项推荐中 1 项评完"),
        "{out}"
    );
    let (code, _, err) = run(
        ZH,
        &[
            "sheet", &batch, "--expert", "li", "--store", store, "-o", signed,
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("已存在；要替换它请加 --overwrite"), "{err}");
    let (code, out, err) = run(EN, &[&sheet_args[..], &["--overwrite"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(": sheet 2 of expert wang for batch ")
            && out.contains("1 of 6 nominations fully scored, 0 recused; signed "),
        "{out}"
    );
    // A store error from the core: the store directory is a file.
    let (code, _, err) = run(
        ZH,
        &[
            "enter", &batch, "--expert", "wang", "--from", sheet, "--store", sheet,
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("revdesk: 错误: 无法创建数据目录 "), "{err}");
    let (_, _, en) = run(
        EN,
        &[
            "enter", &batch, "--expert", "wang", "--from", sheet, "--store", sheet,
        ],
    );
    assert!(
        en.contains("revdesk: error: cannot create store directory "),
        "{en}"
    );
}

#[test]
fn import_problems_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"items\": 3}").expect("write");
    let bad = bad.to_str().expect("utf-8");
    let (code, _, err) = run(ZH, &["rank", bad, SHEETS, "--bootstrap", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.json:1: 应有 \"items\" 数组"), "{err}");
    let (code, _, err) = run(EN, &["rank", bad, SHEETS, "--bootstrap", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.json:1: expected an \"items\" array"),
        "{err}"
    );
    let (code, out, _) = run(ZH, &["validate", bad]);
    assert_eq!(code, 2);
    assert!(out.contains("错误: -: 应有 \"items\" 数组"), "{out}");
    let quote = dir.path().join("quote.csv");
    std::fs::write(&quote, "编号,技术名称\nX-1,\"open\nX-2,b\n").expect("write");
    let quote = quote.to_str().expect("utf-8");
    let (_, out, _) = run(ZH, &["validate", quote]);
    assert!(out.contains("带引号字段没有闭合"), "{out}");
    let (_, out, _) = run(EN, &["validate", quote]);
    assert!(out.contains("is never closed"), "{out}");
}

#[test]
fn export_and_merge_output_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let path = |n: &str| dir.path().join(n).to_str().expect("utf-8").to_string();
    let export = |locale, out: &str| {
        run(
            locale,
            &[
                "export",
                BATCH,
                SHEETS,
                "--panel",
                PANEL,
                "--bootstrap",
                "0",
                "--format",
                "json",
                "-o",
                out,
                "--force",
            ],
        )
    };
    let (code, out, err) = export(ZH, &path("zh.json"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("已写入") && out.contains("入围名单") && out.contains("完整排名"),
        "{out}"
    );
    let (code, en, err) = export(EN, &path("en.json"));
    assert_eq!(code, 0, "{err}");
    assert!(
        en.contains("written (") && en.contains(", full ranking of "),
        "{en}"
    );
    // The file is the same whatever the language.
    let strip = |p: &str| {
        std::fs::read_to_string(p)
            .expect("read")
            .lines()
            .filter(|l| !l.contains("produced_at") && !l.contains("exported_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&path("zh.json")), strip(&path("en.json")));

    let (code, out, err) = run(ZH, &["merge", &path("zh.json"), "-o", &path("final.json")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("终审批次") && out.contains("个领域"), "{out}");
    assert!(err.contains("警告：只给出了评审规则"), "{err}");
    let (code, out, err) = run(
        EN,
        &["merge", &path("en.json"), "-o", &path("final-en.json")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("final-review batch of "), "{out}");
    assert!(err.contains("warning: 1 of the profile's"), "{err}");
    let (code, _, err) = run(
        ZH,
        &["merge", &path("nothing.json"), "-o", &path("f2.json")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing.json：无法读取"), "{err}");
}

#[test]
fn rank_summary_thresholds_profile_and_industry_in_chinese() {
    let args = ["rank", BATCH, SHEETS, "--panel", PANEL, "--bootstrap", "20"];
    let (code, out, err) = run(ZH, &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\n方法：trimmed（去掉最高和最低分，专家至少 5 位） | 入围 25-30 | K = 28 | 自助抽样 B = 20，种子 1\n"),
        "{out}"
    );
    assert!(
        out.contains("| 批次 b528909248cc | 评审规则 kczg-2020"),
        "{out}"
    );
    assert!(
        out.contains("  得分 ≥ 64.6667 → 28 项  在范围内  （2 项并列）  <- K"),
        "{out}"
    );
    assert!(
        out.contains("分数线: K = 28：25–30 范围内不拆开同分的最大入围项数"),
        "{out}"
    );
    assert!(
        out.contains(" 临界\n") && !out.contains("borderline\n"),
        "{out}"
    );
    assert!(out.contains("次重抽样中的 K："), "{out}");
    let (_, en, _) = run(EN, &args);
    assert!(
        en.contains("\nmethod: trimmed (drops the extremes from 5 experts) | shortlist 25-30 | K = 28 | bootstrap B = 20, seed 1\n"),
        "{en}"
    );
    assert!(
        en.contains("  score ≥ 64.6667 → 28 items  in range  (2 tied)  <- K"),
        "{en}"
    );
    assert!(
        en.contains("cut: K = 28: the largest size in 25–30"),
        "{en}"
    );

    let (code, out, err) = run(
        ZH,
        &["profile", "check", "fixtures/profiles/kczg-2021.toml"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("：评审规则 kczg-2021（") && out.contains("  评分指标："),
        "{out}"
    );
    assert!(
        out.contains(" 步长 ") && out.contains("  评分标准哈希 "),
        "{out}"
    );
    let (_, en, _) = run(
        EN,
        &["profile", "check", "fixtures/profiles/kczg-2021.toml"],
    );
    assert!(
        en.contains(": profile kczg-2021 (") && en.contains(" step "),
        "{en}"
    );

    let (code, _, err) = run(ZH, &["industry", "没有这种行业xyz"]);
    assert_eq!(code, 1);
    assert!(err.contains("GB/T 4754-2017 中没有这个代码或名称"), "{err}");
    let (_, _, en) = run(EN, &["industry", "没有这种行业xyz"]);
    assert!(
        en.contains("no such code or name in GB/T 4754-2017"),
        "{en}"
    );
}

#[test]
fn a_broken_profile_or_panel_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let good = std::fs::read_to_string("fixtures/profiles/kczg-2021.toml").expect("profile");
    let bad = good.replace("final_list_size = 100", "final_list_size = 0");
    assert_ne!(good, bad, "the fixture sets final_list_size = 100");
    let profile = dir.path().join("p.toml");
    std::fs::write(&profile, bad).expect("write");
    let p = profile.to_string_lossy().into_owned();
    let (code, _, err) = run(ZH, &["profile", "check", &p]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("评审规则无效：键 `final_list_size`：必须至少为 1"),
        "{err}"
    );
    let (_, _, en) = run(EN, &["profile", "check", &p]);
    assert!(
        en.contains("invalid profile: key `final_list_size`: must be at least 1"),
        "{en}"
    );

    let panel = dir.path().join("panel.toml");
    std::fs::write(&panel, "[[experts]]\nid = \" \"\npublic_key = \"00\"\n").expect("write");
    let pn = panel.to_string_lossy().into_owned();
    let args = ["rank", BATCH, SHEETS, "--panel", &pn];
    let (code, _, err) = run(ZH, &args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("experts[0].id：专家编号为空"), "{err}");
    let (_, _, en) = run(EN, &args);
    assert!(en.contains("experts[0].id: empty expert id"), "{en}");
}

#[test]
fn a_workbook_beyond_the_limits_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    let book = dir.path().join("far.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "编号").expect("cell");
    ws.write_string(200_000, 3, "x").expect("cell");
    wb.save(&book).expect("save");
    let b = book.to_string_lossy().into_owned();
    let (code, out, err) = run(ZH, &["validate", &b]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("工作表在 D200001（第 200001 行，第 4 列）有单元格；revdesk 只读取不超过 100000 行、500 列"),
        "{out}{err}"
    );
    let (_, en_out, en_err) = run(EN, &["validate", &b]);
    let en = format!("{en_out}{en_err}");
    assert!(
        en.contains("the sheet has a cell at D200001 (row 200001, column 4); revdesk reads sheets of at most 100000 rows and 500 columns"),
        "{en}"
    );
    // A paper sheet saved as such a workbook: the same words from `enter`.
    let (code, _, err) = run(
        ZH,
        &[
            "enter",
            BATCH,
            "--expert",
            "wang",
            "--from",
            &b,
            "--store",
            &dir.path().join("s").to_string_lossy(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("无法读取") && err.contains("revdesk 只读取不超过 100000 行"),
        "{err}"
    );
}
