//! End-to-end tests of `aggregate` and `bootstrap`, plus property tests.

use proptest::prelude::*;

use super::*;

/// Six items, four experts, two criteria (criterion 1 = total / 10, criterion 2 = 5).
///
/// A: 80 90 85 85 · B: 70 70 70 70 · C: 90 60 75 (e4 recused) · D: 100 70 (e3, e4 absent)
/// E: nobody (e1 incomplete) · F: 40 100 55 45.
fn hand_panel() -> Panel {
    let mut p =
        Panel::new(["e1", "e2", "e3", "e4"], ["A", "B", "C", "D", "E", "F"], 2).expect("panel");
    let data: [(&str, &str, f64); 15] = [
        ("e1", "A", 80.0),
        ("e2", "A", 90.0),
        ("e3", "A", 85.0),
        ("e4", "A", 85.0),
        ("e1", "B", 70.0),
        ("e2", "B", 70.0),
        ("e3", "B", 70.0),
        ("e4", "B", 70.0),
        ("e1", "C", 90.0),
        ("e2", "C", 60.0),
        ("e3", "C", 75.0),
        ("e1", "D", 100.0),
        ("e2", "D", 70.0),
        ("e1", "F", 40.0),
        ("e2", "F", 100.0),
    ];
    for (e, i, t) in data {
        p.add(e, i, t, vec![t / 10.0, 5.0], 1.0).expect("obs");
    }
    p.add("e3", "F", 55.0, vec![5.5, 5.0], 1.0).expect("obs");
    p.add("e4", "F", 45.0, vec![4.5, 5.0], 1.0).expect("obs");
    p.mark_excluded("e4", "C", Exclusion::Recused)
        .expect("mark");
    p.mark_excluded("e1", "E", Exclusion::Incomplete)
        .expect("mark");
    p
}

fn config(method: Method, min: usize, max: usize) -> AggregateConfig {
    AggregateConfig {
        method,
        shortlist_min: min,
        shortlist_max: max,
        ..AggregateConfig::default()
    }
}

fn score_of(a: &Aggregation) -> Vec<Option<f64>> {
    a.items.iter().map(|i| i.score).collect()
}

#[test]
fn mean_end_to_end_by_hand() {
    let a = aggregate(&hand_panel(), &config(Method::Mean, 2, 3)).expect("run");
    // Means: A 85, B 70, C 75, D 85, E none, F 60.
    assert_eq!(
        score_of(&a),
        vec![
            Some(85.0),
            Some(70.0),
            Some(75.0),
            Some(85.0),
            None,
            Some(60.0)
        ]
    );
    // A and D tie at 85 → rank 1 both (listed A then D), C 3, B 4, F 5, E unranked last.
    let ranks: Vec<Option<usize>> = a.items.iter().map(|i| i.rank).collect();
    assert_eq!(
        ranks,
        vec![Some(1), Some(4), Some(3), Some(1), None, Some(5)]
    );
    assert_eq!(a.ranking.order, vec![0, 3, 2, 1, 5, 4]);
    // K in [2, 3]: 3rd (75) vs 4th (70) differ → K = 3.
    assert_eq!(a.shortlist.k, 3);
    assert_eq!(a.shortlist.items, vec![0, 3, 2]);
    assert_eq!(a.shortlist.status, CutStatus::Clean);
    let listed: Vec<bool> = a.items.iter().map(|i| i.shortlisted).collect();
    assert_eq!(listed, vec![true, false, true, true, false, false]);

    // Item statistics.
    let c = &a.items[2];
    assert_eq!(
        (c.n, c.n_observed, c.n_recused, c.n_incomplete),
        (3, 3, 1, 0)
    );
    // C: 60, 75, 90 → population sd √150; criteria means 7.5 and 5.
    assert!((c.sd.expect("sd") - 150f64.sqrt()).abs() < 1e-12);
    assert_eq!(c.criteria_means, vec![7.5, 5.0]);
    assert_eq!(
        (c.min, c.max, c.range),
        (Some(60.0), Some(90.0), Some(30.0))
    );
    // C range 30 ≥ 30 → flagged; F: 40..100 range 60, sd √562.5 ≈ 23.7 → flagged; B sd 0.
    let flags: Vec<bool> = a.items.iter().map(|i| i.large_spread).collect();
    assert_eq!(flags, vec![false, false, true, true, false, true]);
    assert_eq!(a.items[1].sd, Some(0.0));
    let e = &a.items[4];
    assert_eq!(
        (e.n, e.n_incomplete, e.sd, e.criteria_means.len()),
        (0, 1, None, 0)
    );

    // Expert statistics: e1 scored A B C D F = 80 70 90 100 40 → mean 76, sd √424.
    let e1 = &a.experts[0];
    assert_eq!((e1.n_scored, e1.n_incomplete, e1.n_recused), (5, 1, 0));
    assert_eq!(e1.mean_total, Some(76.0));
    assert!((e1.sd_total.expect("sd") - 424f64.sqrt()).abs() < 1e-12);
    assert_eq!((e1.bias, e1.excluded), (None, None));
    assert_eq!(a.experts[3].n_recused, 1);
    // Leave-one-out r: e1 against the others' means 86.67 70 67.5 70 66.67 is 0.1998, e2
    // (90 70 60 70 100 against 83.33 70 82.5 100 46.67) −0.6290: both under 0.3.
    assert!((a.experts[0].panel.r.expect("r") - 0.199_849_945_638_456_8).abs() < 1e-12);
    assert!((a.experts[1].panel.r.expect("r") + 0.629_003_516_580_973_1).abs() < 1e-12);

    assert_eq!(
        a.warnings,
        vec![
            Warning::Unscored {
                items: vec!["E".into()]
            },
            Warning::LargeSpread {
                items: vec!["C".into(), "D".into(), "F".into()]
            },
            Warning::ExpertOutliers {
                experts: vec!["e1".into(), "e2".into()]
            },
        ]
    );
    assert!(a.calibration.is_none());
    // Crossed subset, coverage order e1 (5), e2 (5), e3 (4), e4 (3): top-2 share A B C D F
    // (10 cells), top-3 A B C F (12), top-4 A B F (12; ties go to more experts) → 4 × 3.
    assert_eq!(a.agreement.items, vec![0, 1, 5]);
    assert_eq!(a.agreement.experts.len(), 4);
}

#[test]
fn conflicts_are_counted_apart_from_recusals() {
    let mut p = hand_panel();
    // e3 has no entry for D: the chair's panel file finds a conflict there.
    p.mark_excluded("e3", "D", Exclusion::Conflict)
        .expect("mark");
    let a = aggregate(&p, &config(Method::Mean, 2, 3)).expect("run");
    let d = &a.items[3];
    assert_eq!((d.n, d.n_recused, d.n_conflict), (2, 0, 1));
    assert_eq!((a.items[2].n_recused, a.items[2].n_conflict), (1, 0));
    assert_eq!((a.experts[2].n_recused, a.experts[2].n_conflict), (0, 1));
    assert_eq!((a.experts[3].n_recused, a.experts[3].n_conflict), (1, 0));
}

#[test]
fn median_and_trimmed_end_to_end() {
    let p = hand_panel();
    let a = aggregate(&p, &config(Method::Median, 2, 3)).expect("run");
    // A 80 85 85 90 → 85; B 70; C 60 75 90 → 75; D 70 100 → 85; F 40 45 55 100 → 50.
    assert_eq!(
        score_of(&a),
        vec![
            Some(85.0),
            Some(70.0),
            Some(75.0),
            Some(85.0),
            None,
            Some(50.0)
        ]
    );
    // Trimmed with default trim_min 5: nobody has 5 experts → means.
    let a = aggregate(&p, &config(Method::Trimmed, 2, 3)).expect("run");
    assert_eq!(
        score_of(&a),
        vec![
            Some(85.0),
            Some(70.0),
            Some(75.0),
            Some(85.0),
            None,
            Some(60.0)
        ]
    );
    assert!(a.items.iter().all(|x| x.rule == Some(TrimRule::Mean)));
    assert!(
        !a.warnings
            .iter()
            .any(|w| matches!(w, Warning::TrimmedAsMean { .. }))
    );
    // trim_min 4: A, B and F have 4 experts, but C has 3 and D 2, so one rule for the panel:
    // the plain mean everywhere (F 60, not 50 as trimming F alone gave), and a warning.
    let c = AggregateConfig {
        trim_min: 4,
        ..config(Method::Trimmed, 2, 3)
    };
    let a = aggregate(&p, &c).expect("run");
    assert_eq!(
        score_of(&a),
        vec![
            Some(85.0),
            Some(70.0),
            Some(75.0),
            Some(85.0),
            None,
            Some(60.0)
        ]
    );
    assert_eq!(a.items[0].n, 4, "n counts experts before trimming");
    assert!(a.items.iter().all(|x| x.rule == Some(TrimRule::Mean)));
    assert!(a.warnings.contains(&Warning::TrimmedAsMean {
        items: vec!["C".into(), "D".into()],
        trim_min: 4,
    }));
    // trim_min 3 would still leave D (2 experts) below; without D every item is trimmed:
    // A drops 80 and 90 → 85; B 70; C drops 60 and 90 → 75; F drops 40 and 100 → 50.
    let mut q = Panel::new(["e1", "e2", "e3", "e4"], ["A", "B", "C", "F"], 2).expect("panel");
    for e in 0..4 {
        for (i, id) in ["A", "B", "C", "F"].into_iter().enumerate() {
            let src = [0, 1, 2, 5][i];
            if let Some(o) = p.observation(e, src) {
                q.add(&p.experts()[e], id, o.total, o.criteria.clone(), o.weight)
                    .expect("obs");
            }
        }
    }
    let c = AggregateConfig {
        trim_min: 3,
        ..config(Method::Trimmed, 2, 3)
    };
    let a = aggregate(&q, &c).expect("run");
    assert_eq!(
        score_of(&a),
        vec![Some(85.0), Some(70.0), Some(75.0), Some(50.0)]
    );
    assert!(a.items.iter().all(|x| x.rule == Some(TrimRule::Trimmed)));
    assert!(
        !a.warnings
            .iter()
            .any(|w| matches!(w, Warning::TrimmedAsMean { .. }))
    );
    // Other methods carry no rule.
    let a = aggregate(&q, &config(Method::Median, 2, 3)).expect("run");
    assert!(a.items.iter().all(|x| x.rule.is_none()));
}

#[test]
fn every_k_splits_tie_is_flagged() {
    // K in [1, 1] would split A/D at 85 → K = 1 with the tie flagged.
    let a = aggregate(&hand_panel(), &config(Method::Mean, 1, 1)).expect("run");
    assert_eq!(a.shortlist.k, 1);
    assert_eq!(a.shortlist.items, vec![0]);
    assert_eq!(
        a.shortlist.status,
        CutStatus::TieAtCut {
            tied: vec![0, 3],
            places: 1
        }
    );
    assert!(a.warnings.contains(&Warning::TieAtCut {
        k: 1,
        tied: vec!["A".into(), "D".into()]
    }));
    // K in [2, 2] is clean: A, D.
    let a = aggregate(&hand_panel(), &config(Method::Mean, 2, 2)).expect("run");
    assert_eq!(
        (a.shortlist.k, a.shortlist.status.clone()),
        (2, CutStatus::Clean)
    );
    // Profile bounds 25–30 with 5 ranked items.
    let a = aggregate(&hand_panel(), &AggregateConfig::default()).expect("run");
    assert_eq!(a.shortlist.k, 5);
    assert!(
        a.warnings
            .contains(&Warning::FewerThanMin { ranked: 5, min: 25 })
    );
}

#[test]
fn zscore_reports_left_out_experts() {
    // e5 gives 50 everywhere (sd 0) and e6 scores one item: both are left out.
    let mut p = Panel::new(["e1", "e2", "e5", "e6"], ["A", "B", "C"], 0).expect("panel");
    for (e, i, t) in [
        ("e1", "A", 60.0),
        ("e1", "B", 80.0),
        ("e2", "A", 70.0),
        ("e2", "B", 90.0),
        ("e2", "C", 80.0),
        ("e5", "A", 50.0),
        ("e5", "B", 50.0),
        ("e6", "C", 99.0),
    ] {
        p.add(e, i, t, vec![], 1.0).expect("obs");
    }
    let a = aggregate(&p, &config(Method::Zscore, 1, 2)).expect("run");
    // e1: mean 70, sd 10 → A −1, B +1. e2: mean 80, sd √(200/3) → A −√1.5, B +√1.5, C 0.
    // A = (−1 − √1.5)/2, B = (1 + √1.5)/2, C = 0 (only e2 counts).
    let r = 1.5f64.sqrt();
    let s = score_of(&a);
    assert!((s[0].expect("A") - (-1.0 - r) / 2.0).abs() < 1e-12);
    assert!((s[1].expect("B") - (1.0 + r) / 2.0).abs() < 1e-12);
    assert!(s[2].expect("C").abs() < 1e-12);
    assert_eq!(a.items[2].n, 1);
    assert_eq!(a.items[2].n_observed, 2);
    assert_eq!(a.experts[2].excluded, Some(ZscoreExclusion::ZeroSpread));
    assert_eq!(
        a.experts[3].excluded,
        Some(ZscoreExclusion::TooFewItems { scored: 1 })
    );
    assert!(a.warnings.contains(&Warning::ExpertsLeftOut {
        experts: vec!["e5".into(), "e6".into()]
    }));
    // Ranking B, C, A.
    assert_eq!(a.ranking.order, vec![1, 2, 0]);
}

#[test]
fn calibrated_disconnected_end_to_end() {
    let mut p = Panel::new(["a", "b", "c"], ["X", "Y", "V", "Z"], 0).expect("panel");
    for (e, i, t) in [
        ("a", "X", 80.0),
        ("b", "X", 70.0),
        ("a", "Y", 60.0),
        ("b", "Y", 54.0),
        ("c", "Z", 40.0),
    ] {
        p.add(e, i, t, vec![], 1.0).expect("obs");
    }
    let a = aggregate(&p, &config(Method::Calibrated, 1, 2)).expect("run");
    let comps: Vec<Option<usize>> = a.items.iter().map(|i| i.component).collect();
    assert_eq!(comps, vec![Some(0), Some(0), None, Some(1)]);
    let cal = a.calibration.as_ref().expect("calibrated");
    assert!(cal.disconnected);
    assert_eq!(cal.n_components, 2);
    assert!(
        a.warnings
            .contains(&Warning::Disconnected { components: 2 })
    );
    // Biases: a +4, b −4 (component 0), c 0 (alone).
    let bias: Vec<Option<f64>> = a.experts.iter().map(|e| e.bias).collect();
    assert!((bias[0].expect("a") - 4.0).abs() < 1e-12);
    assert!((bias[1].expect("b") + 4.0).abs() < 1e-12);
    assert_eq!(bias[2], Some(0.0));
    // The same biases for the statistics of a run ranked by another method.
    assert_eq!(calibrated_biases(&p).expect("fit"), bias);
    // N = 5, p = 3 items + 3 experts − 2 = 4; RSS = 4 (residuals ±1) → σ² = 4; SEs exist.
    assert_eq!((cal.n_observations, cal.n_parameters), (5, 4));
    assert!((cal.sigma2.expect("dof") - 4.0).abs() < 1e-10);
    // Complete 2×2 component: SE = σ/√2 = √2; lone item Z: 1/d = 1 and L⁺ = 0 → SE = σ = 2.
    assert!((a.items[0].se.expect("se") - 2f64.sqrt()).abs() < 1e-10);
    assert!((a.items[3].se.expect("se") - 2.0).abs() < 1e-10);
    assert_eq!(a.items[2].se, None);
}

#[test]
fn results_ignore_insertion_order_and_serialize() {
    let p = hand_panel();
    let mut q = Panel::new(p.experts().to_vec(), p.items().to_vec(), 2).expect("panel");
    for o in p.observations().iter().rev() {
        q.add(
            &p.experts()[o.expert],
            &p.items()[o.item],
            o.total,
            o.criteria.clone(),
            o.weight,
        )
        .expect("obs");
    }
    q.mark_excluded("e1", "E", Exclusion::Incomplete)
        .expect("mark");
    q.mark_excluded("e4", "C", Exclusion::Recused)
        .expect("mark");
    for method in Method::ALL {
        let c = config(method, 2, 3);
        assert_eq!(aggregate(&p, &c), aggregate(&q, &c), "{method}");
    }
    let json =
        serde_json::to_string(&aggregate(&p, &config(Method::Calibrated, 2, 3)).expect("run"))
            .expect("json");
    assert!(json.contains("\"method\":\"calibrated\""));
}

#[test]
fn empty_and_tiny_panels_do_not_panic() {
    let empty = Panel::new(Vec::<String>::new(), Vec::<String>::new(), 0).expect("panel");
    let one_expert = {
        let mut p = Panel::new(["e"], ["A", "B"], 0).expect("panel");
        p.add("e", "A", 40.0, vec![], 1.0).expect("obs");
        p
    };
    let no_obs = Panel::new(["e", "f"], ["A"], 0).expect("panel");
    for p in [&empty, &one_expert, &no_obs] {
        for method in Method::ALL {
            let a = aggregate(
                p,
                &AggregateConfig {
                    method,
                    ..AggregateConfig::default()
                },
            )
            .expect("run");
            assert!(a.shortlist.k <= p.items().len());
        }
    }
    assert!(matches!(
        aggregate(
            &empty,
            &AggregateConfig {
                trim_min: 1,
                ..AggregateConfig::default()
            }
        ),
        Err(AggregateError::TrimMin(1))
    ));
}

/// Random small panels: (n_experts, n_items, cells) where a cell is Some((total, weight level)).
fn arb_panel() -> impl Strategy<Value = Panel> {
    (1usize..6, 1usize..9)
        .prop_flat_map(|(ne, ni)| {
            let cell = prop_oneof![
                2 => Just(None),
                // Totals on a coarse grid so ties are common.
                5 => (0u32..=20, 0usize..3).prop_map(|(t, w)| Some((f64::from(t) * 5.0, w))),
            ];
            (Just(ne), Just(ni), proptest::collection::vec(cell, ne * ni))
        })
        .prop_map(|(ne, ni, cells)| {
            let experts: Vec<String> = (0..ne).map(|e| format!("e{e}")).collect();
            let items: Vec<String> = (0..ni).map(|i| format!("i{i}")).collect();
            let mut p = Panel::new(experts.clone(), items.clone(), 1).expect("panel");
            // The three confidence weights: λ⁻², 1, λ².
            let l2 = CONFIDENCE_LAMBDA * CONFIDENCE_LAMBDA;
            let levels = [1.0 / l2, 1.0, l2];
            for (k, cell) in cells.iter().enumerate() {
                if let Some((t, w)) = cell {
                    let (e, i) = (k / ni, k % ni);
                    p.add(&experts[e], &items[i], *t, vec![*t], levels[*w])
                        .expect("obs");
                }
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn prop_invariants(p in arb_panel(), min in 1usize..4, extra in 0usize..3) {
        for method in Method::ALL {
            let c = AggregateConfig { method, trim_min: 3, shortlist_min: min, shortlist_max: min + extra, ..AggregateConfig::default() };
            let a = aggregate(&p, &c).expect("aggregate never fails on a valid panel");
            // Ranks agree with scores; unscored items unranked.
            for x in &a.items {
                prop_assert_eq!(x.score.is_some(), x.rank.is_some());
                for y in &a.items {
                    if let (Some(sx), Some(sy)) = (x.score, y.score) && sx > sy + TIE_EPS {
                        prop_assert!(x.rank < y.rank);
                    }
                }
                // Location methods stay within the observed totals.
                if matches!(method, Method::Mean | Method::Trimmed | Method::Median)
                    && let (Some(s), Some(lo), Some(hi)) = (x.score, x.min, x.max)
                {
                    prop_assert!(s >= lo - 1e-9 && s <= hi + 1e-9);
                }
            }
            // The K rule.
            let s = &a.shortlist;
            if s.n_ranked < min {
                prop_assert_eq!(s.k, s.n_ranked);
            } else {
                prop_assert!(s.k >= s.min && s.k <= s.max);
            }
            prop_assert_eq!(s.items.len(), s.k);
            // Calibrated: the weighted normal equations hold per item and per expert.
            if method == Method::Calibrated {
                let mut item_res = vec![0.0; p.items().len()];
                let mut exp_res = vec![0.0; p.experts().len()];
                for o in p.observations() {
                    let v = a.items[o.item].score.expect("scored");
                    let b = a.experts[o.expert].bias.expect("bias");
                    let r = o.weight * (o.total - v - b);
                    item_res[o.item] += r;
                    exp_res[o.expert] += r;
                }
                for r in item_res.iter().chain(&exp_res) {
                    prop_assert!(r.abs() < 1e-7, "normal equation residual {}", r);
                }
            }
        }
    }

    #[test]
    fn prop_bootstrap_never_panics(p in arb_panel(), seed in any::<u64>()) {
        for method in Method::ALL {
            let c = AggregateConfig { method, shortlist_min: 1, shortlist_max: 3, ..AggregateConfig::default() };
            let s = bootstrap(&p, &c, &BootstrapConfig { replicates: 20, seed, ..BootstrapConfig::default() }).expect("bootstrap");
            for it in &s.items {
                prop_assert!(it.rank_lo <= it.rank_median && it.rank_median <= it.rank_hi);
                prop_assert!((0.0..=1.0).contains(&it.inclusion));
            }
        }
    }
}

/// Naive reference bootstrap: draws the same resamples, builds a real panel in which an expert
/// drawn m times appears as m distinct experts, and runs `aggregate` on it.
fn naive_bootstrap(
    p: &Panel,
    c: &AggregateConfig,
    seed: u64,
    b: usize,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    use rand::SeedableRng;
    let ne = p.experts().len();
    let ni = p.items().len();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // `trimmed` keeps the real panel's rule in every resample: the plain mean, or dropping one
    // lowest and one highest copy wherever at least 3 copies are present (computed by hand
    // below, as a duplicated panel would decide its own rule from its own coverage).
    let rule = aggregate(p, c).expect("real").items[0].rule;
    let c = &match rule {
        Some(TrimRule::Mean) => AggregateConfig {
            method: Method::Mean,
            ..c.clone()
        },
        _ => c.clone(),
    };
    let mut included = vec![0usize; ni];
    let mut ranks = vec![Vec::new(); ni];
    for _ in 0..b {
        let mut mult = vec![0usize; ne];
        for _ in 0..ne {
            mult[super::stability::bounded(&mut rng, ne as u32) as usize] += 1;
        }
        let mut ids = Vec::new();
        for (e, &m) in mult.iter().enumerate() {
            for copy in 0..m {
                ids.push((e, format!("{}#{copy}", p.experts()[e])));
            }
        }
        let mut q = Panel::new(
            ids.iter().map(|x| x.1.clone()),
            p.items().to_vec(),
            p.n_criteria(),
        )
        .expect("panel");
        for (e, id) in &ids {
            for i in 0..ni {
                if let Some(o) = p.observation(*e, i) {
                    q.add(id, &p.items()[i], o.total, o.criteria.clone(), o.weight)
                        .expect("obs");
                }
            }
        }
        let a = aggregate(&q, c).expect("run");
        let (list, ranking) = if rule == Some(TrimRule::Trimmed) {
            let scores: Vec<Option<f64>> = (0..ni)
                .map(|i| {
                    let mut t: Vec<f64> = (0..q.experts().len())
                        .filter_map(|e| q.observation(e, i).map(|o| o.total))
                        .collect();
                    t.sort_by(f64::total_cmp);
                    let kept = if t.len() >= 3 {
                        &t[1..t.len() - 1]
                    } else {
                        &t[..]
                    };
                    (!kept.is_empty()).then(|| kept.iter().sum::<f64>() / kept.len() as f64)
                })
                .collect();
            let ranking = rank(&scores);
            let list = shortlist(
                &ranking,
                c.shortlist_min,
                c.shortlist_max,
                c.threshold_window,
            )
            .expect("cut");
            (list, ranking)
        } else {
            (a.shortlist, a.ranking)
        };
        for &i in &list.items {
            included[i] += 1;
        }
        let n_ranked = ranking.n_ranked;
        for (i, r) in ranking.ranks.iter().enumerate() {
            ranks[i].push(r.unwrap_or(n_ranked + 1));
        }
    }
    (included, ranks)
}

#[test]
fn bootstrap_matches_naive_duplicated_panels() {
    // 9 items × 5 experts, incomplete, totals on a 5-point grid (so ties and tie-cuts occur).
    let experts = ["a", "b", "c", "d", "e"];
    let items: Vec<String> = (0..9).map(|i| format!("i{i}")).collect();
    let mut p = Panel::new(experts, items.clone(), 0).expect("panel");
    for (i, item) in items.iter().enumerate() {
        for (e, expert) in experts.iter().enumerate() {
            if (i + 2 * e) % 7 == 3 {
                continue;
            }
            let t = 5.0 * ((i * 5 + e * 3 + i * e) % 13) as f64 + 30.0;
            let w = [1.0, 3.0625, 0.3265][(i + e) % 3];
            p.add(expert, item, t, vec![], w).expect("obs");
        }
    }
    let b = 60;
    for method in Method::ALL {
        let c = AggregateConfig {
            method,
            trim_min: 4,
            shortlist_min: 3,
            shortlist_max: 4,
            ..AggregateConfig::default()
        };
        let s = bootstrap(
            &p,
            &c,
            &BootstrapConfig {
                replicates: b,
                seed: 77,
                ..BootstrapConfig::default()
            },
        )
        .expect("run");
        let (included, mut ranks) = naive_bootstrap(&p, &c, 77, b);
        let got: Vec<usize> = s.items.iter().map(|x| x.included).collect();
        assert_eq!(got, included, "{method}");
        for (x, r) in s.items.iter().zip(ranks.iter_mut()) {
            r.sort_unstable();
            // Nearest rank: 5th percentile = ⌈0.05·60⌉ = 3rd smallest, 95th = 57th smallest.
            assert_eq!(
                (x.rank_lo, x.rank_median, x.rank_hi),
                (r[2], r[29], r[56]),
                "{method}"
            );
        }
    }
}

#[test]
fn spread_flag_reaches_a_range_of_exactly_30_despite_rounding() {
    // The rubric's total, 100 · Σ (s_c / 10) / 6, of two score vectors whose sums differ by 18
    // (= 30 points): in floating point the range comes out as 29.999999999999993.
    let total = |s: [f64; 6]| 100.0 * s.iter().map(|x| x / 10.0).sum::<f64>() / 6.0;
    let hi = total([9.0, 10.0, 5.0, 0.0, 7.0, 5.0]);
    let lo = total([3.0, 3.0, 5.0, 0.0, 0.0, 7.0]);
    assert!(hi - lo < 30.0, "the case this test is about: {}", hi - lo);
    let mut p = Panel::new(["e1", "e2"], ["A", "B"], 0).expect("panel");
    p.add("e1", "A", hi, vec![], 1.0).expect("obs");
    p.add("e2", "A", lo, vec![], 1.0).expect("obs");
    // B: 29.9 apart (sd 14.95): a real difference below both thresholds stays unflagged.
    p.add("e1", "B", 70.0, vec![], 1.0).expect("obs");
    p.add("e2", "B", 40.1, vec![], 1.0).expect("obs");
    let a = aggregate(&p, &config(Method::Mean, 1, 1)).expect("run");
    let flags: Vec<bool> = a.items.iter().map(|i| i.large_spread).collect();
    assert_eq!(flags, vec![true, false]);
    // The sd threshold gets the same allowance: sd of A is 15 less the same rounding.
    let sd = a.items[0].sd.expect("sd");
    assert!(sd < 15.0 && sd > 15.0 - SPREAD_EPS);
    let c = AggregateConfig {
        spread_range_flag: 100.0,
        ..config(Method::Mean, 1, 1)
    };
    let a = aggregate(&p, &c).expect("run");
    assert!(a.items[0].large_spread, "flagged by sd alone");
}

#[test]
fn items_under_min_n_keep_their_rank_but_stay_out_of_the_cut() {
    // X is scored by e1 alone at 99 and ranks first; A, B, C by all three experts.
    let mut p = Panel::new(["e1", "e2", "e3"], ["A", "B", "C", "X"], 0).expect("panel");
    for (e, i, t) in [
        ("e1", "A", 80.0),
        ("e2", "A", 82.0),
        ("e3", "A", 84.0),
        ("e1", "B", 70.0),
        ("e2", "B", 72.0),
        ("e3", "B", 74.0),
        ("e1", "C", 60.0),
        ("e2", "C", 62.0),
        ("e3", "C", 64.0),
        ("e1", "X", 99.0),
    ] {
        p.add(e, i, t, vec![], 1.0).expect("obs");
    }
    let c = AggregateConfig {
        min_n: 2,
        ..config(Method::Trimmed, 2, 2)
    };
    let a = aggregate(&p, &c).expect("run");
    assert_eq!(a.items[3].rank, Some(1));
    assert_eq!(a.items[3].sd, Some(0.0));
    let few: Vec<bool> = a.items.iter().map(|i| i.few_experts).collect();
    assert_eq!(few, vec![false, false, false, true]);
    // K = 2 counts A and B; X, though first, is not on the list.
    assert_eq!(a.shortlist.items, vec![0, 1]);
    assert_eq!(a.shortlist.n_ranked, 3);
    assert!(!a.items[3].shortlisted);
    assert!(a.warnings.contains(&Warning::FewExperts {
        items: vec!["X".into()],
        min: 2
    }));
    // The bootstrap makes the same cut: X is never in, A and B always (every resample keeps
    // their order), C never.
    let s = bootstrap(
        &p,
        &c,
        &BootstrapConfig {
            replicates: 200,
            ..BootstrapConfig::default()
        },
    )
    .expect("boot");
    let inc: Vec<usize> = s.items.iter().map(|x| x.included).collect();
    assert_eq!(inc, vec![200, 200, 0, 0]);
    // Without the minimum (the engine's default 1) X takes a place.
    let a = aggregate(&p, &config(Method::Trimmed, 2, 2)).expect("run");
    assert_eq!(a.shortlist.items, vec![3, 0]);
    assert!(a.items.iter().all(|i| !i.few_experts));
}
