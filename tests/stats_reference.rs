//! Issue 13's panel statistics against values computed outside the project: numpy, scipy and
//! pingouin on a 9-expert panel made by benches/peers/stats_reference.py, committed as
//! fixtures/stats/reference.json (the script's docstring says how to regenerate it).

use revdesk::engine::{Panel, expert_agreement};
use serde_json::Value;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/stats/reference.json");
    let text = std::fs::read_to_string(path).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

fn panel(v: &Value) -> Panel {
    let nc = v["n_criteria"].as_u64().expect("n") as usize;
    let mut p = Panel::new(strings(&v["experts"]), strings(&v["items"]), nc).expect("panel");
    for o in v["observations"].as_array().expect("obs") {
        let marks: Vec<f64> = o["marks"]
            .as_array()
            .expect("marks")
            .iter()
            .map(|m| m.as_f64().expect("mark"))
            .collect();
        let (e, i) = (
            o["expert"].as_str().expect("e"),
            o["item"].as_str().expect("i"),
        );
        p.add(e, i, o["total"].as_f64().expect("total"), marks, 1.0)
            .expect("add");
    }
    p
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs reference {b}");
}

#[test]
fn leave_one_out_correlations_match_scipy() {
    let v = reference();
    let p = panel(&v);
    let got = expert_agreement(&p);
    for (e, id) in p.experts().iter().enumerate() {
        let want = &v["loo"][id];
        close(
            got[e].r.expect("defined"),
            want["r"].as_f64().expect("r"),
            1e-12,
            id,
        );
        assert_eq!(got[e].n_items as u64, want["n_items"].as_u64().expect("n"));
    }
    // e8's scores were shuffled across its own nominations: it alone is flagged.
    let flagged: Vec<&str> = p
        .experts()
        .iter()
        .zip(&got)
        .filter(|(_, a)| a.outlier)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(flagged, vec!["e8"]);
}

#[test]
fn per_criterion_iccs_and_cronbach_alpha_match_pingouin() {
    let v = reference();
    let p = panel(&v);
    let a = revdesk::engine::agreement(&p);
    // The crossed subset is the six experts who scored every nomination, as the script assumes.
    let crossed: Vec<&str> = a.experts.iter().map(|&e| p.experts()[e].as_str()).collect();
    let mut crossed_sorted = crossed.clone();
    crossed_sorted.sort_unstable();
    assert_eq!(crossed_sorted, strings(&v["crossed_experts"]));
    assert_eq!(a.items.len(), 20);
    let want = v["criterion_icc"].as_array().expect("icc");
    assert_eq!(a.criteria.len(), want.len());
    for (c, (got, want)) in a.criteria.iter().zip(want).enumerate() {
        let got = got.expect("defined");
        let pairs = [
            ("icc1_1", got.icc1_1),
            ("icc2_1", got.icc2_1),
            ("icc3_1", got.icc3_1),
            ("icc1_k", got.icc1_k),
            ("icc2_k", got.icc2_k),
            ("icc3_k", got.icc3_k),
        ];
        for (key, g) in pairs {
            let w = want[key].as_f64().expect("reference");
            close(
                g.expect("defined"),
                w,
                1e-10,
                &format!("criterion {c} {key}"),
            );
        }
    }
    close(
        a.cronbach_alpha.expect("alpha"),
        v["cronbach_alpha"].as_f64().expect("alpha"),
        1e-12,
        "cronbach_alpha",
    );
    assert_eq!(
        a.alpha_scores,
        v["observations"].as_array().expect("obs").len()
    );
}
