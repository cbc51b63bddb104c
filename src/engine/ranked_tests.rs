use super::*;

fn approx(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

/// Three experts, three items, with a tie, partial rankings and a one-item expert.
fn small() -> Vec<Vec<Option<f64>>> {
    vec![
        vec![Some(90.0), Some(80.0), Some(70.0)],
        vec![Some(80.0), Some(80.0), None],
        vec![None, Some(60.0), Some(70.0)],
        vec![None, None, Some(10.0)],
    ]
}

#[test]
fn borda_by_hand() {
    // e0: a 2/2, b 1/2, c 0; e1: a and b tied, ½ each; e2: c 1, b 0; e3 scored one item.
    let b = borda(&small(), 3);
    assert!(approx(b.scores[0], 0.75));
    assert!(approx(b.scores[1], 1.0 / 3.0));
    assert!(approx(b.scores[2], 0.5));
    assert_eq!(b.ranks, vec![Some(1), Some(3), Some(2)]);
}

#[test]
fn schulze_by_hand() {
    // a beats b 1–0 and c 1–0; b and c 1–1: tied behind a.
    let s = schulze(&small(), 3).unwrap();
    assert_eq!(s.ranks, vec![Some(1), Some(2), Some(2)]);
    assert_eq!(s.order, vec![0, 1, 2]);
}

#[test]
fn unscored_items_are_unranked() {
    let t = vec![vec![Some(50.0), None, Some(60.0)]];
    let s = schulze(&t, 3).unwrap();
    assert_eq!(s.ranks, vec![Some(2), None, Some(1)]);
    assert_eq!(s.order, vec![2, 0]);
    assert_eq!(borda(&t, 3).scores, vec![Some(0.0), None, Some(1.0)]);
}

#[test]
fn schulze_refuses_too_many_items() {
    assert!(schulze(&[], SCHULZE_MAX_ITEMS + 1).is_none());
    assert!(schulze(&[], SCHULZE_MAX_ITEMS).is_some());
}

#[test]
fn kendall_tau_by_hand() {
    let r = |v: &[usize]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
    // One discordant pair of three.
    assert!(approx(
        kendall_tau_b(&r(&[1, 2, 3]), &r(&[1, 3, 2])),
        1.0 / 3.0
    ));
    // Two concordant, one tied in a only: 2 / sqrt(3·2).
    assert!(approx(
        kendall_tau_b(&r(&[1, 2, 2]), &r(&[1, 2, 3])),
        2.0 / 6f64.sqrt()
    ));
    assert!(approx(kendall_tau_b(&r(&[1, 2, 3]), &r(&[3, 2, 1])), -1.0));
    assert_eq!(kendall_tau_b(&r(&[1, 1]), &r(&[1, 2])), None);
    assert_eq!(kendall_tau_b(&[Some(1), None], &[Some(1), Some(2)]), None);
}

#[test]
fn top_k_overlap_by_hand() {
    let score = vec![Some(1), Some(2), Some(3), Some(4)];
    let other = vec![Some(2), Some(4), Some(1), Some(3)];
    let a = rank_agreement(&score, &order_of(&score), &other, &order_of(&other), 2);
    // Top 2: {0, 1} against {2, 0}.
    assert_eq!((a.top_k_overlap, a.k), (1, 2));
    let a = rank_agreement(&score, &order_of(&score), &other, &order_of(&other), 9);
    assert_eq!((a.top_k_overlap, a.k), (4, 4));
}

fn reference() -> serde_json::Value {
    let text = include_str!("../../fixtures/ranked/reference.json");
    serde_json::from_str(text).unwrap()
}

fn grid(v: &serde_json::Value) -> Vec<Vec<Option<f64>>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(|x| x.as_f64()).collect())
        .collect()
}

fn ranks(v: &serde_json::Value) -> Vec<Option<usize>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().map(|x| x as usize))
        .collect()
}

#[test]
fn schulze_wikipedia_45_voters() {
    // Wikipedia, "Schulze method": 45 voters, 5 candidates, winner order E > A > C > B > D.
    let r = reference();
    let w = &r["wikipedia"];
    let t = grid(&w["totals"]);
    assert_eq!(t.len(), 45);
    let s = schulze(&t, 5).unwrap();
    let names: String = s
        .order
        .iter()
        .map(|&i| ['A', 'B', 'C', 'D', 'E'][i])
        .collect();
    assert_eq!(names, "EACBD");
    assert_eq!(names, w["order"].as_str().unwrap());
    assert_eq!(s.ranks, ranks(&w["schulze_ranks"]));
}

#[test]
fn matches_python_reference_on_a_partial_panel() {
    let r = reference();
    let p = &r["partial"];
    let t = grid(&p["totals"]);
    let n = t[0].len();
    let b = borda(&t, n);
    let want: Vec<Option<f64>> = p["borda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64())
        .collect();
    for (got, want) in b.scores.iter().zip(&want) {
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{g} vs {w}"),
            _ => assert_eq!(got, want),
        }
    }
    assert_eq!(b.ranks, ranks(&p["borda_ranks"]));
    let s = schulze(&t, n).unwrap();
    assert_eq!(s.ranks, ranks(&p["schulze_ranks"]));
    let tau = kendall_tau_b(&b.ranks, &s.ranks).unwrap();
    let want = p["kendall_tau_borda_schulze"].as_f64().unwrap();
    assert!((tau - want).abs() < 1e-12);
}
