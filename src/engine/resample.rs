//! Calibrated fits of bootstrap resamples over a dense item × expert layout.
//!
//! The model, normal equations and gauge are those of `calibrated` (see its docs). A resample
//! only reweights experts (w_ei = m_e c_ei), so the panel's weights c_ei and c_ei t_ei are laid
//! out once as dense item rows (0 where nobody scored), and each resample gathers the columns
//! of its present experts into dense rows W and W∘T. Every step of the fit is then a pass over
//! contiguous rows that the compiler vectorises, with no per-entry branch or index lookup:
//!   d_i = Σ_e w_ei,  ȳ_i = Σ_e w_ei t_ei / d_i,  D_e = Σ_i w_ei,  r_e = Σ_i w_ei (t_ei − ȳ_i),
//!   L = diag(D) − Σ_i w_i w_iᵀ / d_i,  v_i = ȳ_i − w_i·b / d_i.
//! Up to [`DENSE_SLOTS`] present experts L is built (a rank-one update per item) and solved by
//! Cholesky; above, conjugate gradients apply L as two row passes per iteration, starting from
//! the real panel's b (the dense solve finishes the fit should they stall).
//!
//! The layout costs items × experts per pass instead of the number of scores, so the bootstrap
//! uses it only for panels with at least a quarter of their cells scored ([`Resampler::suits`]);
//! sparser panels keep `calibrated`'s entry lists. Results equal `calibrated`'s within
//! rounding: a test compares both with the exact fit on random panels to 1e-9.

use super::calibrated::{CG_TOL, DENSE_SLOTS};
use super::error::AggregateError;
use super::linalg::{cholesky, cholesky_solve};
use super::methods::Engine;

const NONE: usize = usize::MAX;

/// Largest layout (items × experts cells) the bootstrap builds: 2 × 8 bytes per cell.
const MAX_CELLS: usize = 1 << 22;

/// Σ a·b with four running sums, so the loop vectorises and avoids one long dependency chain.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `dot(a, b[k])` for four rows at once, each bit for bit as [`dot`] computes it (the same
/// four running sums per row, combined the same way), reading `a` once for all four.
fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    let mut acc = [[0.0; 4]; 4];
    let n = a.len() / 4 * 4;
    let b = b.map(|r| &r[..a.len()]);
    for ((((x, y0), y1), y2), y3) in a[..n]
        .chunks_exact(4)
        .zip(b[0][..n].chunks_exact(4))
        .zip(b[1][..n].chunks_exact(4))
        .zip(b[2][..n].chunks_exact(4))
        .zip(b[3][..n].chunks_exact(4))
    {
        for l in 0..4 {
            acc[0][l] += x[l] * y0[l];
            acc[1][l] += x[l] * y1[l];
            acc[2][l] += x[l] * y2[l];
            acc[3][l] += x[l] * y3[l];
        }
    }
    std::array::from_fn(|k| {
        let mut s = (acc[k][0] + acc[k][1]) + (acc[k][2] + acc[k][3]);
        for (x, y) in a[n..].iter().zip(&b[k][n..]) {
            s += x * y;
        }
        s
    })
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Joins the sets of a and b; true when they were apart.
fn union(parent: &mut [usize], a: usize, b: usize) -> bool {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra == rb {
        return false;
    }
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi] = lo;
    true
}

/// y += a·x over equal-length rows (vectorises).
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Four [`axpy`]s in one pass over `y`, each element updated in the same order as four
/// successive calls would (bit-identical), with one load and store of `y` instead of four.
fn axpy4(a: [f64; 4], x: [&[f64]; 4], y: &mut [f64]) {
    for ((((y, &x0), &x1), &x2), &x3) in y.iter_mut().zip(x[0]).zip(x[1]).zip(x[2]).zip(x[3]) {
        *y = (((*y + a[0] * x0) + a[1] * x1) + a[2] * x2) + a[3] * x3;
    }
}

/// Σ a·(a∘w), bit for bit [`dot`] of `a` with the row a_i·w_i, without writing that row.
fn dot_scaled(a: &[f64], w: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cw) = (a.chunks_exact(4), w.chunks_exact(4));
    let (ra, rw) = (ca.remainder(), cw.remainder());
    for (x, y) in ca.zip(cw) {
        for k in 0..4 {
            acc[k] += x[k] * (x[k] * y[k]);
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rw) {
        s += x * (x * y);
    }
    s
}

/// The dense layout and reusable buffers of resample fits (refits allocate nothing).
///
/// Rows are per expert (expert-major, one entry per item), so a resample never copies them:
/// a present expert's weights are its row times its multiplicity.
#[derive(Debug, Clone)]
pub(super) struct Resampler {
    ni: usize,
    ne: usize,
    /// c_ei, expert-major (0 = not scored).
    c: Vec<f64>,
    /// c_ei t_ei, expert-major.
    ct: Vec<f64>,
    /// Σ_i c_ei and Σ_i c_ei t_ei per expert.
    c_sum: Vec<f64>,
    ct_sum: Vec<f64>,
    expert_n: Vec<usize>,
    /// Starting b per expert for conjugate gradients.
    warm: Vec<f64>,
    /// Present experts up to this many are solved densely.
    dense_limit: usize,
    /// Fitted b per expert of the last fit (None = absent or scored nothing).
    pub b: Vec<Option<f64>>,
    /// Conjugate-gradient iterations of the last fit (0 when solved densely).
    pub iterations: usize,
    /// Whether the last fit was solved by Cholesky.
    pub factored: bool,
    n: usize,
    present: Vec<usize>,
    m: Vec<f64>,
    /// Per item: d_i, 1/d_i (0 when nobody present scored it), ȳ_i, and a scratch row.
    d: Vec<f64>,
    inv_d: Vec<f64>,
    ybar: Vec<f64>,
    u: Vec<f64>,
    deg: Vec<f64>,
    diag: Vec<f64>,
    rhs: Vec<f64>,
    parent: Vec<usize>,
    comp: Vec<usize>,
    root_label: Vec<usize>,
    n_comp: usize,
    comp_size: Vec<usize>,
    comp_deg: Vec<f64>,
    comp_m: Vec<f64>,
    comp_mb: Vec<f64>,
    lmat: Vec<f64>,
    x: Vec<f64>,
    r: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
}

impl Resampler {
    /// Whether the dense layout pays off: at least a quarter of the cells scored, and small
    /// enough to hold.
    pub fn suits(eng: &Engine) -> bool {
        let cells = eng.n_items.saturating_mul(eng.n_experts);
        cells <= MAX_CELLS && eng.expert.len().saturating_mul(4) >= cells
    }

    /// Lays the panel out; later fits start their iterations from `warm` (b per expert; None as 0).
    pub fn new(eng: &Engine, warm: &[Option<f64>]) -> Self {
        let (ni, ne) = (eng.n_items, eng.n_experts);
        let mut c = vec![0.0; ne * ni];
        let mut ct = vec![0.0; ne * ni];
        for i in 0..ni {
            for j in eng.start[i]..eng.start[i + 1] {
                let cell = eng.expert[j] * ni + i;
                c[cell] = eng.weight[j];
                ct[cell] = eng.weight[j] * eng.total[j];
            }
        }
        let row_sums = |x: &[f64]| -> Vec<f64> {
            (0..ne)
                .map(|e| x[e * ni..(e + 1) * ni].iter().sum())
                .collect()
        };
        let (c_sum, ct_sum) = (row_sums(&c), row_sums(&ct));
        let per_expert = |x| vec![x; ne];
        let per_item = || vec![0.0; ni];
        Resampler {
            ni,
            ne,
            c,
            ct,
            c_sum,
            ct_sum,
            expert_n: eng.expert_n.clone(),
            warm: warm.iter().map(|b| b.unwrap_or(0.0)).collect(),
            dense_limit: DENSE_SLOTS,
            b: vec![None; ne],
            iterations: 0,
            factored: false,
            n: 0,
            present: vec![NONE; ne],
            m: per_expert(0.0),
            d: per_item(),
            inv_d: per_item(),
            ybar: per_item(),
            u: per_item(),
            deg: per_expert(0.0),
            diag: per_expert(0.0),
            rhs: per_expert(0.0),
            parent: vec![0; ne],
            comp: vec![0; ne],
            root_label: vec![NONE; ne],
            n_comp: 0,
            comp_size: vec![0; ne],
            comp_deg: per_expert(0.0),
            comp_m: per_expert(0.0),
            comp_mb: per_expert(0.0),
            lmat: Vec::new(),
            x: per_expert(0.0),
            r: per_expert(0.0),
            p: per_expert(0.0),
            q: per_expert(0.0),
        }
    }

    /// Solves densely up to `limit` present experts (tests force either solver).
    #[cfg(test)]
    pub fn set_dense_limit(&mut self, limit: usize) {
        self.dense_limit = limit;
    }

    /// The row c_e· of the expert in slot s.
    fn row(&self, s: usize) -> &[f64] {
        let e = self.present[s];
        &self.c[e * self.ni..(e + 1) * self.ni]
    }

    /// The rows of slots s..s + 4.
    fn rows4(&self, s: usize) -> [&[f64]; 4] {
        std::array::from_fn(|k| self.row(s + k))
    }

    /// u += Σ_s a_s c_s· over the present slots, slot by slot in order (four per pass).
    fn accumulate(&self, a: impl Fn(usize) -> f64, u: &mut [f64]) {
        let n = self.n;
        let quads = n / 4 * 4;
        for s in (0..quads).step_by(4) {
            axpy4(std::array::from_fn(|k| a(s + k)), self.rows4(s), u);
        }
        for s in quads..n {
            axpy(a(s), self.row(s), u);
        }
    }

    /// out_s = f(s, c_s·u) over the present slots (four rows per pass over u).
    fn row_dots(&self, u: &[f64], mut f: impl FnMut(usize, f64)) {
        let n = self.n;
        let quads = n / 4 * 4;
        for s in (0..quads).step_by(4) {
            for (k, d) in dot4(u, self.rows4(s)).into_iter().enumerate() {
                f(s + k, d);
            }
        }
        for s in quads..n {
            f(s, dot(u, self.row(s)));
        }
    }

    /// Fits v for multiplicities `mult` into `v` (None = no counting expert); b into `self.b`.
    pub fn fit(&mut self, mult: &[u32], v: &mut [Option<f64>]) -> Result<(), AggregateError> {
        self.gather(mult);
        self.components();
        let n = self.n;
        self.iterations = 0;
        self.factored = false;
        if n <= self.dense_limit || !self.conjugate_gradients() {
            self.solve_dense(n)?;
        }
        // Gauge Σ m_e b_e = 0 per component.
        let k = self.n_comp;
        self.comp_m[..k].fill(0.0);
        self.comp_mb[..k].fill(0.0);
        for s in 0..n {
            let c = self.comp[s];
            self.comp_m[c] += self.m[s];
            self.comp_mb[c] += self.m[s] * self.x[s];
        }
        for s in 0..n {
            let c = self.comp[s];
            self.x[s] -= self.comp_mb[c] / self.comp_m[c];
        }
        self.b.fill(None);
        for s in 0..n {
            self.b[self.present[s]] = Some(self.x[s]);
        }
        // v_i = ȳ_i − Σ_e w_ei b_e / d_i.
        let mut wb = std::mem::take(&mut self.u);
        wb.fill(0.0);
        self.accumulate(|s| self.m[s] * self.x[s], &mut wb);
        for (i, v) in v.iter_mut().enumerate().take(self.ni) {
            if self.d[i] <= 0.0 {
                *v = None;
                continue;
            }
            let score = self.ybar[i] - wb[i] / self.d[i];
            if !score.is_finite() {
                return Err(AggregateError::Numerical(format!(
                    "non-finite score for item index {i}"
                )));
            }
            *v = Some(score);
        }
        self.u = wb;
        Ok(())
    }

    /// Present experts; item sums d, 1/d and ȳ; degrees, L's diagonal and r per present expert.
    fn gather(&mut self, mult: &[u32]) {
        let ni = self.ni;
        let mut n = 0;
        for (e, &m) in mult.iter().enumerate().take(self.ne) {
            if m > 0 && self.expert_n[e] > 0 {
                self.present[n] = e;
                self.m[n] = f64::from(m);
                n += 1;
            }
        }
        self.n = n;
        let (mut d, mut yd) = (std::mem::take(&mut self.d), std::mem::take(&mut self.u));
        d.fill(0.0);
        yd.fill(0.0);
        self.accumulate(|s| self.m[s], &mut d);
        let ct_row = |s: usize| {
            let e = self.present[s];
            &self.ct[e * ni..(e + 1) * ni]
        };
        let quads = n / 4 * 4;
        for s in (0..quads).step_by(4) {
            let m = std::array::from_fn(|k| self.m[s + k]);
            axpy4(m, std::array::from_fn(|k| ct_row(s + k)), &mut yd);
        }
        for s in quads..n {
            axpy(self.m[s], ct_row(s), &mut yd);
        }
        for i in 0..ni {
            let positive = d[i] > 0.0;
            self.inv_d[i] = if positive { 1.0 / d[i] } else { 0.0 };
            self.ybar[i] = if positive { yd[i] / d[i] } else { 0.0 };
        }
        // D_e = m_e Σ c;  r_e = m_e (Σ c t − Σ c ȳ);  L_ee = D_e − m_e² Σ c² / d.
        let mut cy = std::mem::take(&mut self.rhs);
        self.row_dots(&self.ybar, |s, d| cy[s] = d);
        for (s, cy) in cy.iter_mut().enumerate().take(n) {
            let (e, m) = (self.present[s], self.m[s]);
            let own = dot_scaled(self.row(s), &self.inv_d);
            let deg = m * self.c_sum[e];
            self.deg[s] = deg;
            self.diag[s] = deg - m * m * own;
            *cy = m * (self.ct_sum[e] - *cy);
        }
        self.rhs = cy;
        self.d = d;
        self.u = yd;
    }

    /// Connected components of the present experts (joined by an item both scored), numbered
    /// by their smallest slot. Items are read in turn until every expert is joined: on a
    /// well-covered panel that is after a few items.
    fn components(&mut self) {
        let (n, ni) = (self.n, self.ni);
        for (s, p) in self.parent[..n].iter_mut().enumerate() {
            *p = s;
        }
        let mut sets = n;
        for i in 0..ni {
            if sets <= 1 {
                break;
            }
            let mut first = NONE;
            for s in 0..n {
                if self.c[self.present[s] * ni + i] > 0.0 {
                    if first == NONE {
                        first = s;
                    } else {
                        sets -= usize::from(union(&mut self.parent, first, s));
                    }
                }
            }
        }
        self.root_label[..n].fill(NONE);
        self.n_comp = 0;
        for s in 0..n {
            let root = find(&mut self.parent, s);
            if self.root_label[root] == NONE {
                self.root_label[root] = self.n_comp;
                self.n_comp += 1;
            }
            self.comp[s] = self.root_label[root];
        }
    }

    /// Builds L over the present experts, regularised per component (α_k 1 1ᵀ, as `calibrated`
    /// does), and solves it by Cholesky into `x`.
    fn solve_dense(&mut self, n: usize) -> Result<(), AggregateError> {
        let mut l = std::mem::take(&mut self.lmat);
        if l.len() < n * n {
            l.resize(n * n, 0.0);
        }
        let mut scaled = std::mem::take(&mut self.u);
        // L_ab = −m_a m_b Σ_i c_ai c_bi / d_i below the diagonal; D_a − … on it.
        for a in 0..n {
            for (y, (&c, &inv)) in scaled.iter_mut().zip(self.row(a).iter().zip(&self.inv_d)) {
                *y = c * inv;
            }
            let quads = a / 4 * 4;
            for b in (0..quads).step_by(4) {
                let dots = dot4(&scaled, self.rows4(b));
                for (k, d) in dots.into_iter().enumerate() {
                    l[a * n + b + k] = -self.m[a] * self.m[b + k] * d;
                }
            }
            for b in quads..a {
                l[a * n + b] = -self.m[a] * self.m[b] * dot(&scaled, self.row(b));
            }
            l[a * n + a] = self.diag[a];
        }
        self.u = scaled;
        let k = self.n_comp;
        self.comp_size[..k].fill(0);
        self.comp_deg[..k].fill(0.0);
        for s in 0..n {
            self.comp_size[self.comp[s]] += 1;
            self.comp_deg[self.comp[s]] += self.deg[s];
        }
        for a in 0..n {
            let c = self.comp[a];
            let size = self.comp_size[c].max(1) as f64;
            let mean_deg = self.comp_deg[c] / size;
            let alpha = if mean_deg > 0.0 { mean_deg / size } else { 1.0 };
            for b in 0..=a {
                if self.comp[b] == c {
                    l[a * n + b] += alpha;
                }
            }
        }
        let factored = cholesky(&mut l[..n * n], n);
        if let Err(s) = factored {
            self.lmat = l;
            return Err(AggregateError::Numerical(format!(
                "expert system not positive definite at expert index {}",
                self.present[s]
            )));
        }
        self.x[..n].copy_from_slice(&self.rhs[..n]);
        cholesky_solve(&l[..n * n], n, &mut self.x[..n]);
        self.lmat = l;
        self.factored = true;
        Ok(())
    }

    /// out = L·x over the present experts: two passes over their rows.
    fn apply_l(&self, x: &[f64], u: &mut [f64], out: &mut [f64]) {
        u.fill(0.0);
        self.accumulate(|s| self.m[s] * x[s], u);
        for (u, &inv) in u.iter_mut().zip(&self.inv_d) {
            *u *= inv;
        }
        self.row_dots(u, |s, d| out[s] = self.deg[s] * x[s] - self.m[s] * d);
    }

    /// Jacobi-preconditioned conjugate gradients on L x = r from the warm start, to a relative
    /// residual of [`CG_TOL`]; false when they did not converge within 2·n + 20 iterations.
    fn conjugate_gradients(&mut self) -> bool {
        let n = self.n;
        if n == 0 {
            return true;
        }
        let mut x = std::mem::take(&mut self.x);
        let mut r = std::mem::take(&mut self.r);
        let mut p = std::mem::take(&mut self.p);
        let mut q = std::mem::take(&mut self.q);
        let mut u = std::mem::take(&mut self.u);
        for (x, &e) in x.iter_mut().zip(&self.present[..n]) {
            *x = self.warm[e];
        }
        self.apply_l(&x[..n], &mut u, &mut q[..n]);
        // An expert alone in a component has an empty row: it never moves (its gauge sets b).
        let inv = |s: usize| {
            if self.diag[s] > 1e-12 * self.deg[s] {
                1.0 / self.diag[s]
            } else {
                0.0
            }
        };
        let (mut norm0, mut rz, mut rr) = (0.0, 0.0, 0.0);
        for s in 0..n {
            r[s] = self.rhs[s] - q[s];
            norm0 += self.rhs[s] * self.rhs[s];
            p[s] = r[s] * inv(s);
            rz += r[s] * p[s];
            rr += r[s] * r[s];
        }
        let tol2 = CG_TOL * CG_TOL * norm0.max(f64::MIN_POSITIVE);
        let mut converged = rr <= tol2 || rz <= 0.0;
        let mut it = 0;
        while !converged && it < 2 * n + 20 {
            it += 1;
            self.apply_l(&p[..n], &mut u, &mut q[..n]);
            let pq = dot(&p[..n], &q[..n]);
            if pq <= 0.0 || !pq.is_finite() {
                break;
            }
            let alpha = rz / pq;
            let mut rr_new = 0.0;
            for s in 0..n {
                x[s] += alpha * p[s];
                r[s] -= alpha * q[s];
                rr_new += r[s] * r[s];
            }
            if rr_new <= tol2 {
                converged = true;
                break;
            }
            let mut rz_new = 0.0;
            for s in 0..n {
                let z = r[s] * inv(s);
                rz_new += r[s] * z;
                q[s] = z;
            }
            let beta = rz_new / rz;
            rz = rz_new;
            for s in 0..n {
                p[s] = q[s] + beta * p[s];
            }
        }
        self.iterations = it;
        (self.x, self.r, self.p, self.q, self.u) = (x, r, p, q, u);
        converged
    }
}

#[cfg(test)]
mod tests {
    use super::super::calibrated::tests::{random_panel, resample};
    use super::super::calibrated::{CalWorkspace, Solver, fit_with};
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Fits `mult` with both solvers of the layout and checks v and b against `calibrated`'s
    /// exact-order dense fit (the former solver to the bit) within 1e-9.
    fn check(eng: &Engine, mult: &[u32], what: &str) -> [usize; 2] {
        let mut exact = CalWorkspace::new(eng.n_items, eng.n_experts);
        fit_with(eng, mult, &mut exact, Solver::Dense).expect("exact fit");
        let mut iterations = [0; 2];
        for (k, limit) in [usize::MAX, 0].into_iter().enumerate() {
            // Warm start from zero: the hardest case for the iterations.
            let mut rs = Resampler::new(eng, &vec![None; eng.n_experts]);
            rs.set_dense_limit(limit);
            let mut v = vec![None; eng.n_items];
            rs.fit(mult, &mut v).expect("fit");
            iterations[k] = rs.iterations;
            for (a, b) in v.iter().zip(&exact.v).chain(rs.b.iter().zip(&exact.b)) {
                match (a, b) {
                    (Some(a), Some(b)) => {
                        assert!((a - b).abs() <= 1e-9, "{what} limit {limit}: {a} vs {b}")
                    }
                    _ => assert_eq!(a, b, "{what} limit {limit}"),
                }
            }
        }
        iterations
    }

    #[test]
    fn matches_the_exact_fit_on_random_panels() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(41);
        for case in 0..60u64 {
            let ni = rng.random_range(2..40);
            let ne = rng.random_range(1..70);
            let cover = rng.random_range(0.05..1.0);
            let p = random_panel(ni, ne, cover, 500 + case);
            let eng = Engine::new(&p);
            for round in 0..6 {
                let mult: Vec<u32> = match round {
                    0 => vec![1; ne],
                    1..=2 => (0..ne).map(|_| rng.random_range(0..4)).collect(),
                    _ => resample(&mut rng, ne),
                };
                check(&eng, &mult, &format!("case {case} round {round}"));
            }
        }
    }

    #[test]
    fn matches_the_exact_fit_on_large_and_sparse_panels() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(43);
        for (case, &(ni, ne, cover)) in [
            (300, 30, 0.8),
            (200, 150, 0.8),
            (120, 150, 0.3),
            (200, 80, 0.03),
            (60, 120, 0.02),
        ]
        .iter()
        .enumerate()
        {
            let p = random_panel(ni, ne, cover, 700 + case as u64);
            let eng = Engine::new(&p);
            check(&eng, &vec![1; ne], &format!("{ni}x{ne} real"));
            for round in 0..3 {
                let mult = resample(&mut rng, ne);
                check(&eng, &mult, &format!("{ni}x{ne} draw {round}"));
            }
        }
    }

    #[test]
    fn four_row_kernels_equal_the_one_row_kernels_bit_for_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(47);
        for len in 0..40 {
            let mut row = || -> Vec<f64> {
                (0..len)
                    .map(|_| rng.random_range(-50.0..150.0) / 7.0)
                    .collect()
            };
            let (a, w) = (row(), row());
            let b: Vec<Vec<f64>> = (0..4).map(|_| row()).collect();
            let rows: [&[f64]; 4] = std::array::from_fn(|k| b[k].as_slice());
            let dots = dot4(&a, rows);
            let coef = [0.3, -1.7, 2.0, 1.0 / 3.0];
            let (mut one, mut four) = (w.clone(), w.clone());
            axpy4(coef, rows, &mut four);
            for k in 0..4 {
                assert_eq!(dots[k].to_bits(), dot(&a, rows[k]).to_bits(), "len {len}");
                axpy(coef[k], rows[k], &mut one);
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one), bits(&four), "len {len}");
            let scaled: Vec<f64> = a.iter().zip(&w).map(|(x, y)| x * y).collect();
            assert_eq!(dot_scaled(&a, &w).to_bits(), dot(&a, &scaled).to_bits());
        }
    }

    #[test]
    fn layout_only_for_well_covered_panels() {
        let dense = Engine::new(&random_panel(40, 20, 0.8, 1));
        let sparse = Engine::new(&random_panel(40, 20, 0.1, 1));
        assert!(Resampler::suits(&dense));
        assert!(!Resampler::suits(&sparse));
    }

    #[test]
    fn iterations_stay_few_on_a_large_panel() {
        // 200 items × 150 experts, 80% covered, from b = 0: far fewer iterations than experts.
        let eng = Engine::new(&random_panel(200, 150, 0.8, 3));
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let [dense, iterative] = check(&eng, &resample(&mut rng, 150), "draw");
        assert_eq!(dense, 0);
        assert!(iterative > 0 && iterative < 40, "{iterative} iterations");
    }
}
