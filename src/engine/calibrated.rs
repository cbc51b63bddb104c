//! Calibrated scores: the additive model of MacKay et al. (2017) fitted by weighted least squares.
//!
//! Model: t_ei = v_i + b_e + ε_ei with Var(ε_ei) = σ² / c_ei, over every counting (e, i) pair.
//! The normal equations are
//!   d_i v_i + Σ_e w_ei b_e = Σ_e w_ei t_ei        (items,  d_i = Σ_e w_ei)
//!   Σ_i w_ei v_i + D_e b_e = Σ_i w_ei t_ei        (experts, D_e = Σ_i w_ei)
//! with w_ei = m_e c_ei (m_e = multiplicity of expert e; 1 on the real panel).
//!
//! The item block is diagonal, so v is eliminated, v_i = ȳ_i − Σ_e w_ei b_e / d_i, leaving the
//! expert system L b = r with
//!   L = D − Wᵀ diag(d)⁻¹ W   (a weighted graph Laplacian of the experts),  r_e = Σ_i w_ei (t_ei − ȳ_i).
//! L is singular exactly along "add a constant to every b in one connected component".
//!
//! Two solvers, both costing a fixed multiple of the number of scores N per fit:
//! - **dense** (the real panel always; a resample with at most [`DENSE_SLOTS`] experts present):
//!   L is accumulated item by item as a dense rank-one update over the present experts
//!   (≤ N·E operations, contiguous rows), made positive definite by adding α_k·1·1ᵀ on each
//!   component block (α_k = mean D_e of the component / its size) and solved by Cholesky (E³/6).
//!   On the real panel every cell of L gets the same operations in the same order as in the
//!   former pair loop, so its results are those of the former solver to the last bit; resamples
//!   use the plain product (a rounding apart);
//! - **iterative** (a resample with more experts): conjugate gradients on L b = r with L applied
//!   matrix-free (two passes over the scores per iteration) and a Jacobi preconditioner,
//!   stopping at a relative residual of [`CG_TOL`]; the bootstrap starts every resample from the
//!   real panel's b. Should it not converge within 2·E + 20 iterations (a panel so weakly
//!   connected that the residual stalls), the dense solver finishes the fit.
//!
//! A test compares both with the former solver (kept there as the reference) on random panels:
//! the real panel's dense fit bit for bit, resamples' fits to 1e-9. The bootstrap fits the
//! resamples of a well-covered panel with `resample` instead (the same model on a dense layout).
//!
//! Gauge: Σ_e m_e b_e = 0 within each connected component of the expert–item graph (duplicated
//! experts in a resample are distinct experts, so they count m_e times). Each component is
//! fitted on its own and its scores are only comparable within it.
//!
//! Standard errors (real panel): Cov(v̂) = σ² (diag(d)⁻¹ + diag(d)⁻¹ W L⁺ Wᵀ diag(d)⁻¹) where L⁺ is
//! the Moore–Penrose inverse (the Σ b = 0 gauge), obtained as (L + α_k 1 1ᵀ)⁻¹ − 1 1ᵀ / (α_k n_k²)
//! per component from the dense factor. σ² = RSS / (N − p) with RSS = Σ c_ei (t_ei − v̂_i − b̂_e)²,
//! p = (items scored) + (experts who scored) − (components), the number of free parameters.
//! When N ≤ p there is no residual degree of freedom and no SE is given.

use super::error::AggregateError;
use super::linalg::{cholesky, cholesky_solve};
use super::methods::Engine;

const NONE: usize = usize::MAX;

/// Up to this many experts present, the dense solver is used (cheaper than iterating).
pub(super) const DENSE_SLOTS: usize = 48;

/// Relative residual ‖r‖ / ‖r₀‖ at which conjugate gradients stop.
pub(super) const CG_TOL: f64 = 1e-14;

/// Which solver a fit uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Solver {
    /// Dense up to [`DENSE_SLOTS`] experts present, iterative above.
    Auto,
    /// Always dense.
    Dense,
    /// Always iterative (dense only as the fallback).
    #[cfg_attr(not(test), allow(dead_code))]
    Iterative,
}

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
    /// Conjugate-gradient iterations of the last fit (0 when solved densely).
    pub iterations: usize,
    d: Vec<f64>,
    ybar: Vec<f64>,
    parent: Vec<usize>,
    root_label: Vec<usize>,
    slot_of: Vec<usize>,
    expert_of: Vec<usize>,
    slot_comp: Vec<usize>,
    n_slots: usize,
    deg: Vec<f64>,
    diag: Vec<f64>,
    rhs: Vec<f64>,
    /// Regularised L (then its Cholesky factor), row-major n_slots × n_slots.
    lmat: Vec<f64>,
    /// Whether `lmat` holds the factor of the current fit.
    factored: bool,
    /// The present entries of the current fit, item by item: slot and weight.
    ent_start: Vec<usize>,
    ent_slot: Vec<usize>,
    ent_w: Vec<f64>,
    /// One item's weights, weights / d and positions spread over the slots (zero elsewhere),
    /// for the dense update.
    spread: Vec<f64>,
    spread_u: Vec<f64>,
    spread_pos: Vec<usize>,
    /// The solver of [`fit_into`]: dense (exact as before) unless set for resamples.
    solver: Solver,
    /// Whether the dense update keeps the former solver's order of operations (bit for bit).
    exact_order: bool,
    cg_r: Vec<f64>,
    cg_z: Vec<f64>,
    cg_p: Vec<f64>,
    cg_q: Vec<f64>,
    /// Starting b per expert for the iterative solver (0: none).
    warm: Vec<f64>,
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
            iterations: 0,
            d: vec![0.0; n_items],
            ybar: vec![0.0; n_items],
            parent: vec![0; n_experts],
            root_label: vec![NONE; n_experts],
            slot_of: vec![NONE; n_experts],
            expert_of: vec![NONE; n_experts],
            slot_comp: vec![0; n_experts],
            n_slots: 0,
            deg: vec![0.0; n_experts],
            diag: vec![0.0; n_experts],
            rhs: vec![0.0; n_experts],
            lmat: Vec::new(),
            factored: false,
            ent_start: vec![0; n_items + 1],
            ent_slot: Vec::new(),
            ent_w: Vec::new(),
            spread: vec![0.0; n_experts],
            spread_u: vec![0.0; n_experts],
            spread_pos: vec![0; n_experts],
            solver: Solver::Dense,
            exact_order: true,
            cg_r: vec![0.0; n_experts],
            cg_z: vec![0.0; n_experts],
            cg_p: vec![0.0; n_experts],
            cg_q: vec![0.0; n_experts],
            warm: vec![0.0; n_experts],
            comp_size: vec![0; n_experts],
            comp_deg: vec![0.0; n_experts],
            comp_alpha: vec![0.0; n_experts],
            comp_m: vec![0.0; n_experts],
            comp_mb: vec![0.0; n_experts],
        }
    }

    /// Sets later fits up for bootstrap resamples: the solver chosen by size (iterative above
    /// [`DENSE_SLOTS`] experts), starting from these b (per expert; None as 0), e.g. the real
    /// panel's.
    pub fn for_resamples(&mut self, b: &[Option<f64>]) {
        for (w, b) in self.warm.iter_mut().zip(b) {
            *w = b.unwrap_or(0.0);
        }
        self.solver = Solver::Auto;
        self.exact_order = false;
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
    fit_with(eng, mult, ws, ws.solver)
}

/// [`fit_into`] with a chosen solver.
pub(super) fn fit_with(
    eng: &Engine,
    mult: &[u32],
    ws: &mut CalWorkspace,
    solver: Solver,
) -> Result<(), AggregateError> {
    let ne = eng.n_experts;
    let w_of = |j: usize| f64::from(mult[eng.expert[j]]) * eng.weight[j];

    // Item sums and connectivity.
    for (e, p) in ws.parent.iter_mut().enumerate() {
        *p = e;
    }
    for i in 0..eng.n_items {
        let (mut d, mut y) = (0.0, 0.0);
        let mut first = NONE;
        for j in eng.start[i]..eng.start[i + 1] {
            if mult[eng.expert[j]] > 0 {
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
        let Some(j) = (eng.start[i]..eng.start[i + 1]).find(|&j| mult[eng.expert[j]] > 0) else {
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
            ws.slot_comp[ws.n_slots] = label;
            ws.expert_comp[e] = Some(label);
            ws.n_slots += 1;
        }
    }
    let n = ws.n_slots;

    // The present entries, the right-hand side, the degrees and L's diagonal: one pass.
    ws.rhs[..n].fill(0.0);
    ws.deg[..n].fill(0.0);
    ws.diag[..n].fill(0.0);
    ws.ent_slot.clear();
    ws.ent_w.clear();
    for i in 0..eng.n_items {
        ws.ent_start[i] = ws.ent_slot.len();
        let d = ws.d[i];
        if d <= 0.0 {
            continue;
        }
        for j in eng.start[i]..eng.start[i + 1] {
            if mult[eng.expert[j]] > 0 {
                let (s, w) = (ws.slot_of[eng.expert[j]], w_of(j));
                ws.deg[s] += w;
                ws.diag[s] += w - w * w / d;
                ws.rhs[s] += w * (eng.total[j] - ws.ybar[i]);
                ws.ent_slot.push(s);
                ws.ent_w.push(w);
            }
        }
    }
    ws.ent_start[eng.n_items] = ws.ent_slot.len();

    // Per-component sizes and the regularisation scale.
    let k = ws.n_components;
    ws.comp_size[..k].fill(0);
    ws.comp_deg[..k].fill(0.0);
    for s in 0..n {
        let c = ws.slot_comp[s];
        ws.comp_size[c] += 1;
        ws.comp_deg[c] += ws.deg[s];
    }
    for c in 0..k {
        let size = ws.comp_size[c].max(1) as f64;
        let mean_deg = ws.comp_deg[c] / size;
        ws.comp_alpha[c] = if mean_deg > 0.0 { mean_deg / size } else { 1.0 };
    }

    ws.factored = false;
    ws.iterations = 0;
    let dense = match solver {
        Solver::Dense => true,
        Solver::Auto => n <= DENSE_SLOTS,
        Solver::Iterative => false,
    };
    if dense || !conjugate_gradients(ws) {
        factor(eng, ws)?;
        cholesky_solve(&ws.lmat[..n * n], n, &mut ws.rhs[..n]);
    } else {
        ws.rhs[..n].copy_from_slice(&ws.cg_q[..n]);
    }

    // Weighted gauge Σ m_e b_e = 0 per component (exact on the real panel, where the
    // regularisation already gives Σ b ≈ 0 up to rounding).
    ws.comp_m[..k].fill(0.0);
    ws.comp_mb[..k].fill(0.0);
    for s in 0..n {
        let c = ws.slot_comp[s];
        let m = f64::from(mult[ws.expert_of[s]]);
        ws.comp_m[c] += m;
        ws.comp_mb[c] += m * ws.rhs[s];
    }
    for s in 0..n {
        let c = ws.slot_comp[s];
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
        for q in ws.ent_start[i]..ws.ent_start[i + 1] {
            wb += ws.ent_w[q] * ws.rhs[ws.ent_slot[q]];
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

/// Builds the regularised L from the present entries and factorises it in `ws.lmat`.
fn factor(eng: &Engine, ws: &mut CalWorkspace) -> Result<(), AggregateError> {
    let n = ws.n_slots;
    if ws.lmat.len() < n * n {
        ws.lmat.resize(n * n, 0.0);
    }
    ws.lmat[..n * n].fill(0.0);
    for i in 0..eng.n_items {
        let d = ws.d[i];
        let r = ws.ent_start[i]..ws.ent_start[i + 1];
        if d <= 0.0 || r.is_empty() {
            continue;
        }
        // The item's weights, w/d and positions (from 1; 0 = absent) spread over the slots.
        for (p, q) in r.clone().enumerate() {
            let s = ws.ent_slot[q];
            ws.spread[s] = ws.ent_w[q];
            ws.spread_u[s] = ws.ent_w[q] / d;
            ws.spread_pos[s] = p + 1;
        }
        // Dense rank-one update of the rows of the present experts: contiguous, so it vectorises.
        // Each cell gets the same operations in the same order as in the former pair loop (the
        // later entry's w/d times the earlier entry's w), so the real panel's fit is unchanged
        // to the last bit; an absent slot subtracts an exact 0.
        for (p, q) in r.clone().enumerate() {
            let (sa, wa) = (ws.ent_slot[q], ws.ent_w[q]);
            let (ua, pa) = (wa / d, p + 1);
            ws.lmat[sa * n + sa] += wa;
            let row = &mut ws.lmat[sa * n..sa * n + sa + 1];
            if !ws.exact_order {
                // Resamples: the plain product, a rounding apart from the former order.
                for (x, &w) in row.iter_mut().zip(&ws.spread[..=sa]) {
                    *x -= ua * w;
                }
                continue;
            }
            let spread = ws.spread[..=sa]
                .iter()
                .zip(&ws.spread_u[..=sa])
                .zip(&ws.spread_pos[..=sa]);
            for (x, ((&w, &u), &pos)) in row.iter_mut().zip(spread) {
                *x -= if pos < pa { ua * w } else { u * wa };
            }
        }
        for q in r {
            let s = ws.ent_slot[q];
            ws.spread[s] = 0.0;
            ws.spread_u[s] = 0.0;
            ws.spread_pos[s] = 0;
        }
    }
    for a in 0..n {
        let ca = ws.slot_comp[a];
        let alpha = ws.comp_alpha[ca];
        for b in 0..=a {
            if ws.slot_comp[b] == ca {
                ws.lmat[a * n + b] += alpha;
            }
        }
    }
    cholesky(&mut ws.lmat[..n * n], n).map_err(|s| {
        AggregateError::Numerical(format!(
            "expert system not positive definite at expert index {}",
            ws.expert_of[s]
        ))
    })?;
    ws.factored = true;
    Ok(())
}

/// y = L x over the slots, matrix-free from the present entries (two passes over them).
fn apply_l(ws: &CalWorkspace, x: &[f64], y: &mut [f64]) {
    let n = ws.n_slots;
    for s in 0..n {
        y[s] = ws.deg[s] * x[s];
    }
    let items = ws.ent_start.len() - 1;
    for i in 0..items {
        let r = ws.ent_start[i]..ws.ent_start[i + 1];
        if r.is_empty() {
            continue;
        }
        let (slots, ws_) = (&ws.ent_slot[r.clone()], &ws.ent_w[r]);
        let mut u = 0.0;
        for (&s, &w) in slots.iter().zip(ws_) {
            u += w * x[s];
        }
        u /= ws.d[i];
        for (&s, &w) in slots.iter().zip(ws_) {
            y[s] -= w * u;
        }
    }
}

/// Preconditioned conjugate gradients on L b = rhs; the solution is left in `cg_q`.
/// False when it did not converge (the caller then solves densely).
fn conjugate_gradients(ws: &mut CalWorkspace) -> bool {
    let n = ws.n_slots;
    if n == 0 {
        return true;
    }
    let max_iter = 2 * n + 20;
    // x in cg_q until the end; work vectors r, z, p and a scratch for L·p.
    let mut x = std::mem::take(&mut ws.cg_q);
    let mut lp = std::mem::take(&mut ws.cg_z);
    for (x, &e) in x[..n].iter_mut().zip(&ws.expert_of[..n]) {
        *x = ws.warm[e];
    }
    apply_l(ws, &x[..n], &mut lp[..n]);
    let (mut r, mut p) = (std::mem::take(&mut ws.cg_r), std::mem::take(&mut ws.cg_p));
    let mut norm0 = 0.0;
    for s in 0..n {
        r[s] = ws.rhs[s] - lp[s];
        norm0 += ws.rhs[s] * ws.rhs[s];
    }
    // An expert alone in a component has an empty row: it never moves (its gauge sets b).
    let precond = |s: usize| {
        if ws.diag[s] > 1e-12 * ws.deg[s] {
            1.0 / ws.diag[s]
        } else {
            0.0
        }
    };
    let mut rz = 0.0;
    let mut rr = 0.0;
    for s in 0..n {
        p[s] = r[s] * precond(s);
        rz += r[s] * p[s];
        rr += r[s] * r[s];
    }
    let tol2 = CG_TOL * CG_TOL * norm0.max(f64::MIN_POSITIVE);
    let mut converged = rr <= tol2 || rz <= 0.0;
    let mut it = 0;
    while !converged && it < max_iter {
        it += 1;
        apply_l(ws, &p[..n], &mut lp[..n]);
        let pq: f64 = (0..n).map(|s| p[s] * lp[s]).sum();
        if pq <= 0.0 || !pq.is_finite() {
            break;
        }
        let alpha = rz / pq;
        let (mut rz_new, mut rr_new) = (0.0, 0.0);
        for s in 0..n {
            x[s] += alpha * p[s];
            r[s] -= alpha * lp[s];
            rr_new += r[s] * r[s];
        }
        if rr_new <= tol2 {
            converged = true;
            break;
        }
        for s in 0..n {
            let z = r[s] * precond(s);
            rz_new += r[s] * z;
            // Keep z in lp's place: p = z + β p below.
            lp[s] = z;
        }
        let beta = rz_new / rz;
        rz = rz_new;
        for s in 0..n {
            p[s] = lp[s] + beta * p[s];
        }
    }
    ws.iterations = it;
    ws.cg_q = x;
    ws.cg_z = lp;
    ws.cg_r = r;
    ws.cg_p = p;
    converged
}

/// Residuals, σ² and item standard errors after [`fit_into`] with the same `mult` (module docs).
pub(super) fn stats(
    eng: &Engine,
    mult: &[u32],
    ws: &mut CalWorkspace,
) -> Result<CalStats, AggregateError> {
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
        if !ws.factored {
            factor(eng, ws)?;
        }
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
            let ca = ws.slot_comp[a];
            let size = ws.comp_size[ca] as f64;
            for b in 0..n {
                if ws.slot_comp[b] == ca {
                    pinv[a * n + b] -= 1.0 / (ws.comp_alpha[ca] * size * size);
                }
            }
        }
        for (i, out) in se.iter_mut().enumerate() {
            let d = ws.d[i];
            if ws.v[i].is_none() || d <= 0.0 {
                continue;
            }
            let r = ws.ent_start[i]..ws.ent_start[i + 1];
            let mut quad = 0.0;
            for qa in r.clone() {
                let (sa, wa) = (ws.ent_slot[qa], ws.ent_w[qa]);
                for qb in r.clone() {
                    quad += wa * ws.ent_w[qb] * pinv[sa * n + ws.ent_slot[qb]];
                }
            }
            // L⁺ is positive semi-definite: clamp rounding noise below zero.
            let var = s2 * (1.0 / d + quad.max(0.0) / (d * d));
            *out = Some(var.sqrt());
        }
    }
    Ok(CalStats {
        rss,
        n_obs,
        n_params,
        sigma2,
        se,
    })
}

#[cfg(test)]
pub(super) mod tests {
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
        let st = stats(&eng, &mult, &mut ws).expect("stats");
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

    /// The former solver, kept as the reference: the expert system built pair by pair
    /// (O(Σ n_i²)), regularised per component and solved by Cholesky; same gauge.
    fn reference_fit(eng: &Engine, mult: &[u32]) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
        let (ni, ne) = (eng.n_items, eng.n_experts);
        let active = |j: usize| mult[eng.expert[j]] > 0;
        let w_of = |j: usize| f64::from(mult[eng.expert[j]]) * eng.weight[j];
        let mut parent: Vec<usize> = (0..ne).collect();
        let (mut d, mut ybar) = (vec![0.0; ni], vec![0.0; ni]);
        for i in 0..ni {
            let (mut di, mut y, mut first) = (0.0, 0.0, NONE);
            for j in eng.start[i]..eng.start[i + 1] {
                if active(j) {
                    di += w_of(j);
                    y += w_of(j) * eng.total[j];
                    if first == NONE {
                        first = eng.expert[j];
                    } else {
                        union(&mut parent, first, eng.expert[j]);
                    }
                }
            }
            d[i] = di;
            ybar[i] = if di > 0.0 { y / di } else { 0.0 };
        }
        let mut slot = vec![NONE; ne];
        let mut experts = Vec::new();
        for e in 0..ne {
            if mult[e] > 0 && eng.expert_n[e] > 0 {
                slot[e] = experts.len();
                experts.push(e);
            }
        }
        let n = experts.len();
        let comp: Vec<usize> = experts.iter().map(|&e| find(&mut parent, e)).collect();
        let mut l = vec![0.0; n * n];
        let mut rhs = vec![0.0; n];
        let mut deg = vec![0.0; n];
        for i in 0..ni {
            if d[i] <= 0.0 {
                continue;
            }
            let row: Vec<(usize, f64)> = (eng.start[i]..eng.start[i + 1])
                .filter(|&j| active(j))
                .map(|j| (slot[eng.expert[j]], w_of(j)))
                .collect();
            for (a, &(sa, wa)) in row.iter().enumerate() {
                deg[sa] += wa;
                l[sa * n + sa] += wa;
                for &(sb, wb) in &row[..=a] {
                    let (hi, lo) = if sa >= sb { (sa, sb) } else { (sb, sa) };
                    l[hi * n + lo] -= wa / d[i] * wb;
                }
            }
            for j in (eng.start[i]..eng.start[i + 1]).filter(|&j| active(j)) {
                rhs[slot[eng.expert[j]]] += w_of(j) * (eng.total[j] - ybar[i]);
            }
        }
        for a in 0..n {
            let members: Vec<usize> = (0..n).filter(|&b| comp[b] == comp[a]).collect();
            // (Σ D / size) / size, rounded as the former solver rounded it.
            let size = members.len() as f64;
            let mut sum = 0.0;
            for &b in &members {
                sum += deg[b];
            }
            let alpha = sum / size / size;
            for b in 0..=a {
                if comp[b] == comp[a] {
                    l[a * n + b] += if alpha > 0.0 { alpha } else { 1.0 };
                }
            }
        }
        cholesky(&mut l, n).expect("positive definite");
        cholesky_solve(&l, n, &mut rhs);
        let shift: Vec<f64> = (0..n)
            .map(|a| {
                let (mut m, mut mb) = (0.0, 0.0);
                for b in (0..n).filter(|&b| comp[b] == comp[a]) {
                    m += f64::from(mult[experts[b]]);
                    mb += f64::from(mult[experts[b]]) * rhs[b];
                }
                mb / m
            })
            .collect();
        let b: Vec<f64> = (0..n).map(|a| rhs[a] - shift[a]).collect();
        let bias: Vec<Option<f64>> = (0..ne)
            .map(|e| (slot[e] != NONE).then(|| b[slot[e]]))
            .collect();
        let v = (0..ni)
            .map(|i| {
                (d[i] > 0.0).then(|| {
                    let wb: f64 = (eng.start[i]..eng.start[i + 1])
                        .filter(|&j| active(j))
                        .map(|j| w_of(j) * b[slot[eng.expert[j]]])
                        .sum();
                    ybar[i] - wb / d[i]
                })
            })
            .collect();
        (v, bias)
    }

    /// A random panel: `ne` experts, `ni` items, each cell scored with probability `cover`,
    /// confidence weights at the three levels, per-expert leniency.
    pub(in super::super) fn random_panel(ni: usize, ne: usize, cover: f64, seed: u64) -> Panel {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let items: Vec<String> = (0..ni).map(|i| format!("i{i:03}")).collect();
        let experts: Vec<String> = (0..ne).map(|e| format!("e{e:03}")).collect();
        let mut p = Panel::new(experts.clone(), items.clone(), 0).expect("panel");
        let lean: Vec<f64> = (0..ne).map(|_| rng.random_range(-12.0..12.0)).collect();
        let l2 = super::super::panel::CONFIDENCE_LAMBDA.powi(2);
        for (i, item) in items.iter().enumerate() {
            let q: f64 = rng.random_range(30.0..80.0);
            for (e, expert) in experts.iter().enumerate() {
                if !rng.random_bool(cover) {
                    continue;
                }
                let t = (q + lean[e] + rng.random_range(-10.0..10.0)).clamp(0.0, 100.0);
                let w = [1.0 / l2, 1.0, l2][(i * 7 + e * 3) % 3];
                p.add(expert, item, (t * 6.0).round() / 6.0, vec![], w)
                    .expect("obs");
            }
        }
        p
    }

    /// Fits `p` under `mult` with every solver and checks each v and b against [`reference_fit`]:
    /// dense fits bit for bit, iterative ones to 1e-9 (and the same items and experts present).
    fn assert_matches_reference(eng: &Engine, mult: &[u32], ws: &mut CalWorkspace, what: &str) {
        let (v0, b0) = reference_fit(eng, mult);
        // Also as the bootstrap sets it up: the plain dense update, iterations from b = 0.
        let mut fast = CalWorkspace::new(eng.n_items, eng.n_experts);
        fast.for_resamples(&vec![None; eng.n_experts]);
        for (solver, resamples) in [Solver::Auto, Solver::Dense, Solver::Iterative]
            .into_iter()
            .flat_map(|s| [(s, false), (s, true)])
        {
            let ws = if resamples { &mut fast } else { &mut *ws };
            fit_with(eng, mult, ws, solver).expect("fit");
            for (a, b) in ws.v.iter().zip(&v0).chain(ws.b.iter().zip(&b0)) {
                match (a, b) {
                    (Some(a), Some(b)) if ws.factored && ws.exact_order => {
                        assert_eq!(a.to_bits(), b.to_bits(), "{what} {solver:?}: {a} vs {b}")
                    }
                    (Some(a), Some(b)) => {
                        assert!((a - b).abs() <= 1e-9, "{what} {solver:?}: {a} vs {b}")
                    }
                    _ => assert_eq!(a, b, "{what} {solver:?}"),
                }
            }
        }
    }

    /// Bootstrap-like multiplicities: `ne` draws with replacement (0 = expert left out).
    pub(in super::super) fn resample(rng: &mut rand_chacha::ChaCha8Rng, ne: usize) -> Vec<u32> {
        use rand::Rng;
        let mut mult = vec![0u32; ne];
        for _ in 0..ne {
            mult[rng.random_range(0..ne)] += 1;
        }
        mult
    }

    #[test]
    fn both_solvers_match_the_former_fit_on_random_panels() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for case in 0..60u64 {
            let ni = rng.random_range(2..40);
            let ne = rng.random_range(1..70);
            let cover = rng.random_range(0.05..1.0);
            let p = random_panel(ni, ne, cover, case);
            let eng = Engine::new(&p);
            let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
            // The real panel, uniform multiplicities 0..3, and bootstrap draws.
            for round in 0..6 {
                let mult: Vec<u32> = match round {
                    0 => vec![1; ne],
                    1..=3 => (0..ne).map(|_| rng.random_range(0..4)).collect(),
                    _ => resample(&mut rng, ne),
                };
                assert_matches_reference(
                    &eng,
                    &mult,
                    &mut ws,
                    &format!("case {case} round {round}"),
                );
            }
        }
    }

    #[test]
    fn both_solvers_match_the_former_fit_on_large_and_sparse_panels() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        // (items, experts, coverage): the benchmark's shape, more experts than items, and panels
        // so sparse that the expert graph is weakly connected or falls apart into components.
        for (case, &(ni, ne, cover)) in [
            (300, 30, 0.8),
            (120, 150, 0.3),
            (200, 80, 0.03),
            (60, 120, 0.02),
            (40, 200, 0.05),
        ]
        .iter()
        .enumerate()
        {
            let p = random_panel(ni, ne, cover, 100 + case as u64);
            let eng = Engine::new(&p);
            let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
            assert_matches_reference(&eng, &vec![1; ne], &mut ws, &format!("{ni}x{ne} real"));
            for round in 0..3 {
                let mult = resample(&mut rng, ne);
                assert_matches_reference(&eng, &mult, &mut ws, &format!("{ni}x{ne} draw {round}"));
            }
        }
    }

    #[test]
    fn chain_of_experts_matches_the_former_fit() {
        // Expert e scores items e and e + 1 only: a path graph, the worst conditioned connected
        // design (the iterative solver needs about as many iterations as experts).
        let ne = 60;
        let items: Vec<String> = (0..=ne).map(|i| format!("i{i:03}")).collect();
        let experts: Vec<String> = (0..ne).map(|e| format!("e{e:03}")).collect();
        let mut p = Panel::new(experts.clone(), items.clone(), 0).expect("panel");
        for (e, expert) in experts.iter().enumerate() {
            for i in [e, e + 1] {
                let t = 40.0 + (i * 7 % 23) as f64 + (e % 5) as f64;
                let w = [1.0, 3.0625, 0.3265][(i + e) % 3];
                p.add(expert, &items[i], t, vec![], w).expect("obs");
            }
        }
        let eng = Engine::new(&p);
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        assert_matches_reference(&eng, &vec![1; ne], &mut ws, "chain");
        let mult: Vec<u32> = (0..ne).map(|e| [1, 2, 0, 3][e % 4]).collect();
        assert_matches_reference(&eng, &mult, &mut ws, "broken chain");
    }

    #[test]
    fn iterative_solver_costs_a_few_passes_over_the_scores() {
        // 300 items × 300 experts, 80% covered: the conjugate gradients converge in far fewer
        // iterations than there are experts, so the fit stays linear in the scores.
        let p = random_panel(300, 300, 0.8, 3);
        let eng = Engine::new(&p);
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        let mult = vec![1u32; eng.n_experts];
        fit_with(&eng, &mult, &mut ws, Solver::Iterative).expect("fit");
        assert!(
            ws.iterations > 0 && ws.iterations < 40,
            "{} iterations",
            ws.iterations
        );
        assert!(!ws.factored, "no dense fallback");
    }
}
