//! Calibrated scores: the additive model of MacKay et al. (2017) fitted by weighted least squares.
//!
//! Model: t_ei = v_i + b_e + ε_ei with Var(ε_ei) = σ² / c_ei, over every counting (e, i) pair.
//! The normal equations are
//!   d_i v_i + Σ_e w_ei b_e = Σ_e w_ei t_ei        (items,  d_i = Σ_e w_ei)
//!   Σ_i w_ei v_i + D_e b_e = Σ_i w_ei t_ei        (experts, D_e = Σ_i w_ei)
//! with w_ei = m_e c_ei (m_e = multiplicity of expert e; 1 on the real panel).
//!
//! Solver (direct, exact up to rounding): the item block is diagonal, so v is eliminated,
//! v_i = ȳ_i − Σ_e w_ei b_e / d_i, leaving the expert system L b = r with
//!   L = D − Wᵀ diag(d)⁻¹ W   (a weighted graph Laplacian of the experts),  r_e = Σ_i w_ei (t_ei − ȳ_i).
//! L is singular exactly along "add a constant to every b in one connected component". Adding
//! α_k·1·1ᵀ on each component block (α_k = mean D_e of the component / its size, for scale)
//! makes it positive definite without changing the solution set's representative with
//! Σ b = 0, and a dense Cholesky on the experts (≤ a few dozen) solves it. This costs
//! O(Σ_i n_i² + E³) — cheap enough to rerun 2000 times in the bootstrap — and, unlike an
//! alternating iteration, does not slow down on weakly connected panels.
//!
//! Gauge: Σ_e m_e b_e = 0 within each connected component of the expert–item graph (duplicated
//! experts in a resample are distinct experts, so they count m_e times). Each component is
//! fitted on its own and its scores are only comparable within it.
//!
//! Standard errors (real panel): Cov(v̂) = σ² (diag(d)⁻¹ + diag(d)⁻¹ W L⁺ Wᵀ diag(d)⁻¹) where L⁺ is
//! the Moore–Penrose inverse (the Σ b = 0 gauge), obtained as (L + α_k 1 1ᵀ)⁻¹ − 1 1ᵀ / (α_k n_k²)
//! per component. σ² = RSS / (N − p) with RSS = Σ c_ei (t_ei − v̂_i − b̂_e)², N = counting pairs,
//! p = (items scored) + (experts who scored) − (components), the number of free parameters.
//! When N ≤ p there is no residual degree of freedom and no SE is given.

use super::error::AggregateError;
use super::linalg::{cholesky, cholesky_solve};
use super::methods::Engine;

const NONE: usize = usize::MAX;

/// Reusable buffers of the calibrated fit (sized once; refits allocate nothing).
#[derive(Debug, Clone)]
pub(super) struct CalWorkspace {
    /// Fitted v_i (None = no counting expert).
    pub v: Vec<Option<f64>>,
    /// Fitted b_e (None = expert absent or scored nothing).
    pub b: Vec<Option<f64>>,
    /// Component label per item, numbered by first appearance in item order.
    pub item_comp: Vec<Option<usize>>,
    /// Component label per expert.
    pub expert_comp: Vec<Option<usize>>,
    /// Number of connected components among scored items.
    pub n_components: usize,
    d: Vec<f64>,
    ybar: Vec<f64>,
    parent: Vec<usize>,
    root_label: Vec<usize>,
    slot_of: Vec<usize>,
    expert_of: Vec<usize>,
    n_slots: usize,
    deg: Vec<f64>,
    rhs: Vec<f64>,
    /// Lower triangle of L (then of its Cholesky factor), row-major n_slots × n_slots.
    lmat: Vec<f64>,
    row_slot: Vec<usize>,
    row_w: Vec<f64>,
    comp_size: Vec<usize>,
    comp_deg: Vec<f64>,
    comp_alpha: Vec<f64>,
    comp_m: Vec<f64>,
    comp_mb: Vec<f64>,
}

/// Residual summary and standard errors of a calibrated fit on the real panel.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CalStats {
    pub rss: f64,
    pub n_obs: usize,
    pub n_params: usize,
    pub sigma2: Option<f64>,
    pub se: Vec<Option<f64>>,
}

impl CalWorkspace {
    /// Allocates buffers for a panel of the given size.
    pub fn new(n_items: usize, n_experts: usize) -> Self {
        CalWorkspace {
            v: vec![None; n_items],
            b: vec![None; n_experts],
            item_comp: vec![None; n_items],
            expert_comp: vec![None; n_experts],
            n_components: 0,
            d: vec![0.0; n_items],
            ybar: vec![0.0; n_items],
            parent: vec![0; n_experts],
            root_label: vec![NONE; n_experts],
            slot_of: vec![NONE; n_experts],
            expert_of: vec![NONE; n_experts],
            n_slots: 0,
            deg: vec![0.0; n_experts],
            rhs: vec![0.0; n_experts],
            lmat: vec![0.0; n_experts * n_experts],
            row_slot: vec![0; n_experts],
            row_w: vec![0.0; n_experts],
            comp_size: vec![0; n_experts],
            comp_deg: vec![0.0; n_experts],
            comp_alpha: vec![0.0; n_experts],
            comp_m: vec![0.0; n_experts],
            comp_mb: vec![0.0; n_experts],
        }
    }
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        // Path halving keeps the trees flat.
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // Smaller index becomes the root: deterministic.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
}

/// Fits v and b for multiplicities `mult`, writing results into `ws` (see the module docs).
pub(super) fn fit_into(
    eng: &Engine,
    mult: &[u32],
    ws: &mut CalWorkspace,
) -> Result<(), AggregateError> {
    let ne = eng.n_experts;
    let active = |j: usize| mult[eng.expert[j]] > 0;
    let w_of = |j: usize| f64::from(mult[eng.expert[j]]) * eng.weight[j];

    // Item sums and connectivity.
    for (e, p) in ws.parent.iter_mut().enumerate() {
        *p = e;
    }
    for i in 0..eng.n_items {
        let (mut d, mut y) = (0.0, 0.0);
        let mut first = NONE;
        for j in eng.start[i]..eng.start[i + 1] {
            if active(j) {
                let w = w_of(j);
                d += w;
                y += w * eng.total[j];
                if first == NONE {
                    first = eng.expert[j];
                } else {
                    union(&mut ws.parent, first, eng.expert[j]);
                }
            }
        }
        ws.d[i] = d;
        ws.ybar[i] = if d > 0.0 { y / d } else { 0.0 };
    }

    // Component labels in order of the first scored item.
    ws.root_label.fill(NONE);
    ws.n_components = 0;
    for i in 0..eng.n_items {
        ws.item_comp[i] = None;
        if ws.d[i] <= 0.0 {
            continue;
        }
        let Some(j) = (eng.start[i]..eng.start[i + 1]).find(|&j| active(j)) else {
            continue;
        };
        let root = find(&mut ws.parent, eng.expert[j]);
        if ws.root_label[root] == NONE {
            ws.root_label[root] = ws.n_components;
            ws.n_components += 1;
        }
        ws.item_comp[i] = Some(ws.root_label[root]);
    }
    ws.n_slots = 0;
    for (e, &m) in mult.iter().enumerate().take(ne) {
        ws.slot_of[e] = NONE;
        ws.expert_comp[e] = None;
        if m > 0 && eng.expert_n[e] > 0 {
            let root = find(&mut ws.parent, e);
            let label = ws.root_label[root];
            if label == NONE {
                continue;
            }
            ws.slot_of[e] = ws.n_slots;
            ws.expert_of[ws.n_slots] = e;
            ws.expert_comp[e] = Some(label);
            ws.n_slots += 1;
        }
    }
    let n = ws.n_slots;

    // Reduced expert system L b = r; only the lower triangle of L is built (Cholesky reads no more).
    ws.lmat[..n * n].fill(0.0);
    ws.rhs[..n].fill(0.0);
    ws.deg[..n].fill(0.0);
    for i in 0..eng.n_items {
        let d = ws.d[i];
        if d <= 0.0 {
            continue;
        }
        // Gather the item's present experts once: the pair loop below is the hot spot.
        let mut len = 0;
        for j in eng.start[i]..eng.start[i + 1] {
            if active(j) {
                let (s, w) = (ws.slot_of[eng.expert[j]], w_of(j));
                ws.deg[s] += w;
                ws.rhs[s] += w * (eng.total[j] - ws.ybar[i]);
                ws.lmat[s * n + s] += w;
                ws.row_slot[len] = s;
                ws.row_w[len] = w;
                len += 1;
            }
        }
        for a in 0..len {
            let (sa, wa_d) = (ws.row_slot[a], ws.row_w[a] / d);
            for b in 0..=a {
                let sb = ws.row_slot[b];
                let (hi, lo) = if sa >= sb { (sa, sb) } else { (sb, sa) };
                ws.lmat[hi * n + lo] -= wa_d * ws.row_w[b];
            }
        }
    }

    // Gauge regularisation per component, then Cholesky.
    let k = ws.n_components;
    ws.comp_size[..k].fill(0);
    ws.comp_deg[..k].fill(0.0);
    for s in 0..n {
        let c = comp_of_slot(ws, s);
        ws.comp_size[c] += 1;
        ws.comp_deg[c] += ws.deg[s];
    }
    for c in 0..k {
        let size = ws.comp_size[c].max(1) as f64;
        let mean_deg = ws.comp_deg[c] / size;
        ws.comp_alpha[c] = if mean_deg > 0.0 { mean_deg / size } else { 1.0 };
    }
    for a in 0..n {
        let ca = comp_of_slot(ws, a);
        for b in 0..=a {
            if comp_of_slot(ws, b) == ca {
                ws.lmat[a * n + b] += ws.comp_alpha[ca];
            }
        }
    }
    cholesky(&mut ws.lmat[..n * n], n).map_err(|s| {
        AggregateError::Numerical(format!(
            "expert system not positive definite at expert index {}",
            ws.expert_of[s]
        ))
    })?;
    cholesky_solve(&ws.lmat[..n * n], n, &mut ws.rhs[..n]);

    // Weighted gauge Σ m_e b_e = 0 per component (exact on the real panel, where the
    // regularisation already gives Σ b ≈ 0 up to rounding).
    ws.comp_m[..k].fill(0.0);
    ws.comp_mb[..k].fill(0.0);
    for s in 0..n {
        let c = comp_of_slot(ws, s);
        let m = f64::from(mult[ws.expert_of[s]]);
        ws.comp_m[c] += m;
        ws.comp_mb[c] += m * ws.rhs[s];
    }
    for s in 0..n {
        let c = comp_of_slot(ws, s);
        ws.rhs[s] -= ws.comp_mb[c] / ws.comp_m[c];
    }
    for e in 0..ne {
        let s = ws.slot_of[e];
        ws.b[e] = (s != NONE).then(|| ws.rhs[s]);
    }
    for i in 0..eng.n_items {
        let d = ws.d[i];
        if d <= 0.0 {
            ws.v[i] = None;
            continue;
        }
        let mut wb = 0.0;
        for j in eng.start[i]..eng.start[i + 1] {
            if active(j) {
                wb += w_of(j) * ws.rhs[ws.slot_of[eng.expert[j]]];
            }
        }
        let v = ws.ybar[i] - wb / d;
        if !v.is_finite() {
            return Err(AggregateError::Numerical(format!(
                "non-finite score for item index {i}"
            )));
        }
        ws.v[i] = Some(v);
    }
    Ok(())
}

fn comp_of_slot(ws: &CalWorkspace, s: usize) -> usize {
    ws.expert_comp[ws.expert_of[s]].unwrap_or(0)
}

/// Residuals, σ² and item standard errors after [`fit_into`] with the same `mult` (module docs).
pub(super) fn stats(eng: &Engine, mult: &[u32], ws: &CalWorkspace) -> CalStats {
    let n = ws.n_slots;
    let mut rss = 0.0;
    let mut n_obs = 0usize;
    for i in 0..eng.n_items {
        let Some(v) = ws.v[i] else { continue };
        for j in eng.start[i]..eng.start[i + 1] {
            let e = eng.expert[j];
            let m = mult[e];
            if m == 0 {
                continue;
            }
            let b = ws.b[e].unwrap_or(0.0);
            let res = eng.total[j] - v - b;
            rss += f64::from(m) * eng.weight[j] * res * res;
            n_obs += m as usize;
        }
    }
    let n_items_scored = ws.v.iter().filter(|v| v.is_some()).count();
    let n_params = n_items_scored + n - ws.n_components;
    let mut se = vec![None; eng.n_items];
    let sigma2 = (n_obs > n_params).then(|| rss / (n_obs - n_params) as f64);
    if let Some(s2) = sigma2 {
        // L⁺ = (L + α 1 1ᵀ)⁻¹ − 1 1ᵀ/(α n_k²) per component, from the stored Cholesky factor.
        let mut pinv = vec![0.0; n * n];
        let mut col = vec![0.0; n];
        for c in 0..n {
            col.fill(0.0);
            col[c] = 1.0;
            cholesky_solve(&ws.lmat[..n * n], n, &mut col);
            for r in 0..n {
                pinv[r * n + c] = col[r];
            }
        }
        for a in 0..n {
            let ca = comp_of_slot(ws, a);
            let size = ws.comp_size[ca] as f64;
            for b in 0..n {
                if comp_of_slot(ws, b) == ca {
                    pinv[a * n + b] -= 1.0 / (ws.comp_alpha[ca] * size * size);
                }
            }
        }
        for (i, out) in se.iter_mut().enumerate() {
            let d = ws.d[i];
            if ws.v[i].is_none() || d <= 0.0 {
                continue;
            }
            let r = eng.start[i]..eng.start[i + 1];
            let mut quad = 0.0;
            for ja in r.clone() {
                let ea = eng.expert[ja];
                if mult[ea] == 0 {
                    continue;
                }
                let (sa, wa) = (ws.slot_of[ea], f64::from(mult[ea]) * eng.weight[ja]);
                for jb in r.clone() {
                    let eb = eng.expert[jb];
                    if mult[eb] > 0 {
                        let wb = f64::from(mult[eb]) * eng.weight[jb];
                        quad += wa * wb * pinv[sa * n + ws.slot_of[eb]];
                    }
                }
            }
            // L⁺ is positive semi-definite: clamp rounding noise below zero.
            let var = s2 * (1.0 / d + quad.max(0.0) / (d * d));
            *out = Some(var.sqrt());
        }
    }
    CalStats {
        rss,
        n_obs,
        n_params,
        sigma2,
        se,
    }
}

#[cfg(test)]
mod tests {
    use super::super::panel::Panel;
    use super::*;

    /// Builds a panel from (expert, item, total, weight) rows.
    fn build(experts: &[&str], items: &[&str], obs: &[(&str, &str, f64, f64)]) -> Panel {
        let mut p = Panel::new(experts.iter().copied(), items.iter().copied(), 0).expect("panel");
        for &(e, i, t, w) in obs {
            p.add(e, i, t, vec![], w).expect("observation");
        }
        p
    }

    fn fit(p: &Panel) -> (CalWorkspace, CalStats) {
        let eng = Engine::new(p);
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        let mult = vec![1u32; eng.n_experts];
        fit_into(&eng, &mult, &mut ws).expect("fit");
        let st = stats(&eng, &mult, &ws);
        (ws, st)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Montgomery, Design and Analysis of Experiments, Example 4.5 (catalyst BIBD):
    /// treatments → items, batches (blocks) → experts.
    fn montgomery() -> Panel {
        let rows: [[Option<f64>; 4]; 4] = [
            [Some(73.0), Some(74.0), None, Some(71.0)],
            [None, Some(75.0), Some(67.0), Some(72.0)],
            [Some(73.0), Some(75.0), Some(68.0), None],
            [Some(75.0), None, Some(72.0), Some(75.0)],
        ];
        let items = ["T1", "T2", "T3", "T4"];
        let experts = ["B1", "B2", "B3", "B4"];
        let mut obs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            for (e, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    obs.push((experts[e], items[i], *t, 1.0));
                }
            }
        }
        build(&experts, &items, &obs)
    }

    #[test]
    fn montgomery_bibd_adjusted_treatment_effects() {
        let (ws, st) = fit(&montgomery());
        let v: Vec<f64> = ws.v.iter().map(|v| v.expect("scored")).collect();
        let mean = v.iter().sum::<f64>() / 4.0;
        // Montgomery: τ̂ = kQ_i/(λa) = −9/8, −7/8, −4/8, 20/8.
        for (got, want) in v
            .iter()
            .zip([-9.0 / 8.0, -7.0 / 8.0, -4.0 / 8.0, 20.0 / 8.0])
        {
            assert!(close(got - mean, want, 1e-12), "{} vs {want}", got - mean);
        }
        // Montgomery's ANOVA: SS_E = 3.25 on 5 df (12 obs − 4 treatments − 4 blocks + 1), MS_E = 0.65.
        assert!(close(st.rss, 3.25, 1e-10), "rss {}", st.rss);
        assert_eq!((st.n_obs, st.n_params), (12, 7));
        assert!(close(st.sigma2.expect("dof > 0"), 0.65, 1e-11));
        let bsum: f64 = ws.b.iter().map(|b| b.expect("expert")).sum();
        assert!(close(bsum, 0.0, 1e-12));
        assert_eq!(ws.n_components, 1);
    }

    /// Independent check of the SEs: invert the bordered system [[A, Gᵀ], [G, 0]] of the full
    /// (items + experts) normal equations with Gaussian elimination; its top-left block times σ²
    /// is the constrained covariance.
    fn bordered_variances(p: &Panel, sigma2: f64) -> Vec<f64> {
        let ni = p.items().len();
        let ne = p.experts().len();
        let m = ni + ne + 1;
        let mut a = vec![vec![0.0; m]; m];
        for o in p.observations() {
            let (i, e) = (o.item, ni + o.expert);
            a[i][i] += o.weight;
            a[e][e] += o.weight;
            a[i][e] += o.weight;
            a[e][i] += o.weight;
        }
        for e in 0..ne {
            a[ni + e][m - 1] = 1.0;
            a[m - 1][ni + e] = 1.0;
        }
        // Gauss–Jordan with partial pivoting on [a | I].
        let mut inv: Vec<Vec<f64>> = (0..m)
            .map(|r| (0..m).map(|c| f64::from(u8::from(r == c))).collect())
            .collect();
        for col in 0..m {
            let piv = (col..m)
                .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
                .expect("rows");
            a.swap(col, piv);
            inv.swap(col, piv);
            let d = a[col][col];
            assert!(d.abs() > 1e-12, "bordered system singular");
            for c in 0..m {
                a[col][c] /= d;
                inv[col][c] /= d;
            }
            for r in 0..m {
                if r != col {
                    let f = a[r][col];
                    if f != 0.0 {
                        for c in 0..m {
                            a[r][c] -= f * a[col][c];
                            inv[r][c] -= f * inv[col][c];
                        }
                    }
                }
            }
        }
        (0..ni).map(|i| sigma2 * inv[i][i]).collect()
    }

    #[test]
    fn standard_errors_match_bordered_inverse() {
        // Montgomery plus unequal confidence weights on some cells.
        let mut p = montgomery();
        let (_, st) = fit(&p);
        let want = bordered_variances(&p, st.sigma2.expect("dof"));
        for (se, var) in st.se.iter().zip(&want) {
            assert!(
                close(se.expect("se") * se.expect("se"), *var, 1e-12),
                "{se:?} vs {var}"
            );
        }
        p = build(
            &["a", "b", "c"],
            &["X", "Y", "Z", "W"],
            &[
                ("a", "X", 70.0, 3.0625),
                ("a", "Y", 60.0, 1.0),
                ("a", "Z", 81.0, 1.0),
                ("b", "X", 75.0, 1.0),
                ("b", "Z", 88.0, 0.3265),
                ("b", "W", 52.0, 1.0),
                ("c", "Y", 66.0, 1.0),
                ("c", "W", 50.0, 3.0625),
                ("c", "Z", 90.0, 1.0),
            ],
        );
        let (_, st) = fit(&p);
        let want = bordered_variances(&p, st.sigma2.expect("dof"));
        for (se, var) in st.se.iter().zip(&want) {
            assert!(
                close(se.expect("se").powi(2), *var, 1e-12),
                "{se:?} vs {var}"
            );
        }
    }

    #[test]
    fn complete_equal_weights_gives_item_means_and_sigma_over_root_e() {
        // 3 experts × 2 items. Means: X = (70+80+90)/3 = 80, Y = (50+65+62)/3 = 59.
        let p = build(
            &["a", "b", "c"],
            &["X", "Y"],
            &[
                ("a", "X", 70.0, 1.0),
                ("b", "X", 80.0, 1.0),
                ("c", "X", 90.0, 1.0),
                ("a", "Y", 50.0, 1.0),
                ("b", "Y", 65.0, 1.0),
                ("c", "Y", 62.0, 1.0),
            ],
        );
        let (ws, st) = fit(&p);
        assert!(close(ws.v[0].expect("X"), 80.0, 1e-12));
        assert!(close(ws.v[1].expect("Y"), 59.0, 1e-12));
        // b_e = expert mean − grand mean (69.5): a 60 → −9.5, b 72.5 → 3, c 76 → 6.5.
        for (b, want) in ws.b.iter().zip([-9.5, 3.0, 6.5]) {
            assert!(close(b.expect("b"), want, 1e-12));
        }
        // Residuals X: 70−80+9.5 = −0.5, 80−80−3 = −3, 90−80−6.5 = 3.5; Y: 0.5, 3, −3.5.
        // RSS = 2(0.25 + 9 + 12.25) = 43; N − p = 6 − (2 + 3 − 1) = 2; σ² = 21.5; SE = √(21.5/3).
        assert!(close(st.rss, 43.0, 1e-10));
        assert!(close(st.sigma2.expect("dof"), 21.5, 1e-10));
        for se in &st.se {
            assert!(close(se.expect("se"), (21.5f64 / 3.0).sqrt(), 1e-10));
        }
    }

    #[test]
    fn recovers_noise_free_synthetic_model() {
        // v = 60 + 3i, b = known offsets summing to zero, incomplete design with weights.
        let items: Vec<String> = (0..12).map(|i| format!("i{i:02}")).collect();
        let experts: Vec<String> = (0..5).map(|e| format!("e{e}")).collect();
        let b = [-4.0, 2.5, 0.5, 3.0, -2.0];
        let mut p = Panel::new(experts.clone(), items.clone(), 0).expect("panel");
        for i in 0..12 {
            for (e, be) in b.iter().enumerate() {
                // Each item skips one expert (cyclic), keeping the graph connected.
                if e == i % 5 {
                    continue;
                }
                let w = [0.3265, 1.0, 3.0625][(i + e) % 3];
                p.add(
                    &experts[e],
                    &items[i],
                    60.0 + 3.0 * i as f64 + be,
                    vec![],
                    w,
                )
                .expect("obs");
            }
        }
        let (ws, st) = fit(&p);
        for i in 0..12 {
            assert!(close(ws.v[i].expect("v"), 60.0 + 3.0 * i as f64, 1e-10));
        }
        for (e, be) in b.iter().enumerate() {
            assert!(close(ws.b[e].expect("b"), *be, 1e-10));
        }
        assert!(st.rss < 1e-18);
    }

    #[test]
    fn disconnected_panel_fits_each_component() {
        // Component 0: experts a,b on X,Y. Component 1: expert c on Z, W. Item V unscored.
        let p = build(
            &["a", "b", "c"],
            &["X", "Y", "V", "Z", "W"],
            &[
                ("a", "X", 80.0, 1.0),
                ("b", "X", 70.0, 1.0),
                ("a", "Y", 60.0, 1.0),
                ("b", "Y", 54.0, 1.0),
                ("c", "Z", 40.0, 1.0),
                ("c", "W", 30.0, 1.0),
            ],
        );
        let (ws, st) = fit(&p);
        assert_eq!(ws.n_components, 2);
        assert_eq!(ws.item_comp, vec![Some(0), Some(0), None, Some(1), Some(1)]);
        assert_eq!(ws.expert_comp, vec![Some(0), Some(0), Some(1)]);
        // Component 0 is complete: v = item means 75, 57; b_a = 70 − 66 = 4, b_b = −4.
        assert!(close(ws.v[0].expect("X"), 75.0, 1e-12));
        assert!(close(ws.v[1].expect("Y"), 57.0, 1e-12));
        assert!(close(ws.b[0].expect("a"), 4.0, 1e-12));
        // Component 1 has one expert: its gauge forces b_c = 0, so v = the totals.
        assert_eq!(ws.b[2], Some(0.0));
        assert!(close(ws.v[3].expect("Z"), 40.0, 1e-12));
        assert!(close(ws.v[4].expect("W"), 30.0, 1e-12));
        assert_eq!(ws.v[2], None);
        // N = 6, p = 4 items + 3 experts − 2 components = 5, one residual dof.
        assert_eq!((st.n_obs, st.n_params), (6, 5));
        // Residuals in component 0: X 80−75−4 = 1, 70−75+4 = −1, Y 60−57−4 = −1, 54−57+4 = 1 → RSS 4.
        assert!(close(st.rss, 4.0, 1e-10));
    }

    #[test]
    fn saturated_fit_has_no_standard_errors() {
        // One expert, two items: N = 2, p = 2 + 1 − 1 = 2.
        let p = build(
            &["a"],
            &["X", "Y"],
            &[("a", "X", 10.0, 1.0), ("a", "Y", 20.0, 1.0)],
        );
        let (ws, st) = fit(&p);
        assert_eq!(ws.v, vec![Some(10.0), Some(20.0)]);
        assert_eq!(st.sigma2, None);
        assert_eq!(st.se, vec![None, None]);
    }

    #[test]
    fn weights_pull_towards_confident_expert() {
        // X: a = 70 (weight 3), b = 40 (weight 1); Y: both 50 (weight 1). Profiling out v, with
        // δ = b_a − b_b, item X contributes (3·1/(3+1))(30 − δ)² = 0.75(30 − δ)² and Y (1·1/2)δ².
        // Minimising: 1.5(30 − δ) = δ → δ = 18; gauge Σb = 0 → b_a = 9, b_b = −9;
        // v_X = (3(70 − 9) + (40 + 9))/4 = 58 (pulled towards the confident 70), v_Y = 50.
        let p = build(
            &["a", "b"],
            &["X", "Y"],
            &[
                ("a", "X", 70.0, 3.0),
                ("b", "X", 40.0, 1.0),
                ("a", "Y", 50.0, 1.0),
                ("b", "Y", 50.0, 1.0),
            ],
        );
        let (ws, _) = fit(&p);
        assert!(close(ws.b[0].expect("a"), 9.0, 1e-12));
        assert!(close(ws.b[1].expect("b"), -9.0, 1e-12));
        assert!(close(ws.v[0].expect("X"), 58.0, 1e-12));
        assert!(close(ws.v[1].expect("Y"), 50.0, 1e-12));
    }
}
