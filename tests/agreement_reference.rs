//! Agreement from all scores (issue 13 part 4) against values computed outside the project:
//! dense numpy projections, scipy's F quantiles and pingouin, by
//! benches/peers/agreement_reference.py, committed as fixtures/stats/agreement_reference.json
//! (the script's docstring says how to regenerate it).

use revdesk::engine::{AllScores, Estimate, Panel, agreement};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/fixtures/stats/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// A panel of `obs` (expert, item, marks, total), leaving out `skip` = (item, expert).
fn panel(obs: &[Value], n_criteria: usize, skip: Option<(&str, &str)>) -> Panel {
    let mut experts: Vec<String> = obs
        .iter()
        .map(|o| o["expert"].as_str().expect("e").to_string())
        .collect();
    experts.sort();
    experts.dedup();
    let mut items: Vec<String> = obs
        .iter()
        .map(|o| o["item"].as_str().expect("i").to_string())
        .collect();
    items.sort();
    items.dedup();
    let mut p = Panel::new(experts, items, n_criteria).expect("panel");
    for o in obs {
        let (e, i) = (
            o["expert"].as_str().expect("e"),
            o["item"].as_str().expect("i"),
        );
        if skip == Some((i, e)) {
            continue;
        }
        let marks: Vec<f64> = o["marks"]
            .as_array()
            .expect("marks")
            .iter()
            .map(f)
            .collect();
        p.add(e, i, f(&o["total"]), marks, 1.0).expect("add");
    }
    p
}

fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got} vs reference {want}"
    );
}

fn icc(got: Option<Estimate>, want: &Value, what: &str) {
    let g = got.unwrap_or_else(|| panic!("{what} undefined"));
    close(g.estimate, f(&want[0]), what);
    close(
        g.lo.expect("lower bound"),
        f(&want[1]),
        &format!("{what} lower"),
    );
    close(
        g.hi.expect("upper bound"),
        f(&want[2]),
        &format!("{what} upper"),
    );
}

/// Every figure of `got` against the reference's `method3` object.
fn matches(got: &AllScores, want: &Value, what: &str) {
    let d = &got.design;
    assert_eq!(
        d.scores as u64,
        want["scores"].as_u64().expect("n"),
        "{what}"
    );
    assert_eq!(d.items as u64, want["items"].as_u64().expect("n"), "{what}");
    assert_eq!(
        d.experts as u64,
        want["experts"].as_u64().expect("n"),
        "{what}"
    );
    assert_eq!(
        d.groups as u64,
        want["groups"].as_u64().expect("n"),
        "{what}"
    );
    close(d.k_mean, f(&want["k_mean"]), what);
    let t = got.anova.expect("anova");
    for (g, key) in [
        (t.ms_item, "ms_item"),
        (t.ms_expert, "ms_expert"),
        (t.ms_error, "ms_error"),
        (t.df_item, "df_item"),
        (t.df_expert, "df_expert"),
        (t.df_error, "df_error"),
        (t.k_item, "k_item"),
        (t.k_expert, "k_expert"),
        (t.ms_between, "ms_between"),
        (t.ms_within, "ms_within"),
        (t.n0, "n0"),
    ] {
        close(g, f(&want[key]), &format!("{what} {key}"));
    }
    for (g, key) in [
        (got.var_item, "var_item"),
        (got.var_expert, "var_expert"),
        (got.var_error, "var_error"),
    ] {
        close(
            g.expect("component"),
            f(&want[key]),
            &format!("{what} {key}"),
        );
    }
    for (g, key) in [
        (got.icc1_1, "icc1_1"),
        (got.icc2_1, "icc2_1"),
        (got.icc3_1, "icc3_1"),
        (got.icc1_k, "icc1_k"),
        (got.icc2_k, "icc2_k"),
        (got.icc3_k, "icc3_k"),
    ] {
        icc(g, &want[key], &format!("{what} {key}"));
    }
}

#[test]
fn all_scores_of_an_assigned_panel_match_the_dense_reference() {
    let r = load("agreement_reference.json");
    let a = &r["assigned"];
    let obs = a["observations"].as_array().expect("obs");
    let nc = a["n_criteria"].as_u64().expect("nc") as usize;
    let got = agreement(&panel(obs, nc, None));
    matches(&got.all_scores, &a["method3"], "assigned totals");
    assert!(!got.all_scores.design.complete);
    assert_eq!(
        (got.all_scores.design.k_min, got.all_scores.design.k_max),
        (4, 5)
    );
    let crit = a["criteria"].as_array().expect("criteria");
    assert_eq!(got.criteria_all.len(), crit.len());
    for (c, (g, w)) in got.criteria_all.iter().zip(crit).enumerate() {
        matches(g, w, &format!("assigned criterion {c}"));
    }
}

#[test]
fn all_scores_of_the_nine_expert_panel_match_the_dense_reference() {
    let r = load("agreement_reference.json");
    let s = load("reference.json");
    let obs = s["observations"].as_array().expect("obs");
    let got = agreement(&panel(obs, 6, None));
    matches(&got.all_scores, &r["stats"]["method3"], "stats totals");
    assert_eq!(got.all_scores.design.scores, obs.len());
}

#[test]
fn on_a_complete_block_the_figures_are_mcgraw_wong_as_pingouin_computes_them() {
    let r = load("agreement_reference.json");
    let s = load("reference.json");
    let crossed: Vec<&str> = s["crossed_experts"]
        .as_array()
        .expect("crossed")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    let obs: Vec<Value> = s["observations"]
        .as_array()
        .expect("obs")
        .iter()
        .filter(|o| crossed.contains(&o["expert"].as_str().expect("e")))
        .cloned()
        .collect();
    let got = agreement(&panel(&obs, 6, None));
    let all = &got.all_scores;
    assert!(all.design.complete);
    matches(all, &r["complete"]["method3"], "complete totals");
    // pingouin: the ICCs to 1e-10, its intervals (rounded to 2 decimals by pingouin) to ±0.005.
    let pg = &r["complete"]["pingouin"];
    for (g, key) in [
        (all.icc1_1, "ICC(1,1)"),
        (all.icc2_1, "ICC(A,1)"),
        (all.icc3_1, "ICC(C,1)"),
        (all.icc1_k, "ICC(1,k)"),
        (all.icc2_k, "ICC(A,k)"),
        (all.icc3_k, "ICC(C,k)"),
    ] {
        let g = g.expect("icc");
        assert!((g.estimate - f(&pg[key]["icc"])).abs() < 1e-10, "{key}");
        let ci = &pg[key]["ci95_rounded_2dp"];
        assert!(
            (g.lo.expect("lo") - f(&ci[0])).abs() <= 0.005 + 1e-12,
            "{key} lo"
        );
        assert!(
            (g.hi.expect("hi") - f(&ci[1])).abs() <= 0.005 + 1e-12,
            "{key} hi"
        );
    }
    // And the old block statistics on the same complete table are the same numbers.
    let block = got.stats.expect("block");
    for (a, b) in [
        (all.icc1_1, block.icc1_1),
        (all.icc2_1, block.icc2_1),
        (all.icc3_1, block.icc3_1),
        (all.icc1_k, block.icc1_k),
        (all.icc2_k, block.icc2_k),
        (all.icc3_k, block.icc3_k),
    ] {
        let (a, b) = (a.expect("all").estimate, b.expect("block"));
        assert!((a - b).abs() < 1e-12, "{a} vs block {b}");
    }
}

#[test]
fn removing_one_score_moves_the_block_but_not_the_all_scores_estimate() {
    let r = load("agreement_reference.json");
    let s = load("reference.json");
    let obs = s["observations"].as_array().expect("obs");
    let gone = &r["stats_minus_one"]["removed"];
    let skip = (
        gone["item"].as_str().expect("item"),
        gone["expert"].as_str().expect("expert"),
    );
    let before = agreement(&panel(obs, 6, None));
    let after = agreement(&panel(obs, 6, Some(skip)));
    matches(
        &after.all_scores,
        &r["stats_minus_one"]["method3"],
        "minus one",
    );
    // The old block, recomputed by the script's own copy of the rule, agrees with the engine's.
    let block = |a: &revdesk::engine::Agreement| a.stats.expect("block").icc1_1.expect("icc");
    close(
        block(&before),
        f(&r["stats"]["block"]["icc1_1"]),
        "block before",
    );
    close(
        block(&after),
        f(&r["stats_minus_one"]["block"]["icc1_1"]),
        "block after",
    );
    let all = |a: &revdesk::engine::Agreement| a.all_scores.icc1_1.expect("icc").estimate;
    let block_swing = (block(&before) - block(&after)).abs();
    let all_swing = (all(&before) - all(&after)).abs();
    // Figures: block ICC(1,1) 0.887 → 0.832; all scores 0.801 → 0.795.
    assert!(block_swing > 0.05, "block moved {block_swing}");
    assert!(all_swing < 0.01, "all-scores estimate moved {all_swing}");
    let a2 = |a: &revdesk::engine::Agreement| a.all_scores.icc2_1.expect("icc").estimate;
    assert!((a2(&before) - a2(&after)).abs() < 0.01);
}

#[test]
fn two_groups_that_share_no_expert_are_one_fit_with_their_degrees_of_freedom() {
    let r = load("agreement_reference.json");
    let d = &r["disconnected"];
    let obs = d["observations"].as_array().expect("obs");
    let got = agreement(&panel(obs, 6, None));
    assert_eq!(got.all_scores.design.groups, 2);
    matches(&got.all_scores, &d["method3"], "disconnected totals");
}
