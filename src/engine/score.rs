//! One entry point for every method: [`Engine::score`] dispatches to the closed-form methods
//! (`methods`) and to the calibrated fit (`calibrated`). It lives apart from both so that
//! `calibrated`, which reads the layout `methods` defines, and `methods` never import each
//! other.

use super::calibrated::{self, CalWorkspace};
use super::error::AggregateError;
use super::methods::{Engine, Method};

impl Engine {
    /// Scores every item for the multiplicities `mult`; `None` where no counting expert is present.
    pub fn score(
        &self,
        method: Method,
        trim_min: usize,
        mult: &[u32],
        ws: &mut CalWorkspace,
        out: &mut [Option<f64>],
    ) -> Result<(), AggregateError> {
        if method == Method::Calibrated {
            calibrated::fit_into(self, mult, ws)?;
            out.copy_from_slice(&ws.v);
            return Ok(());
        }
        // Decided from the real panel once, never from the resample's multiplicities.
        let rule = self.trim_rule(trim_min);
        for (i, slot) in out.iter_mut().enumerate().take(self.n_items) {
            let r = self.start[i]..self.start[i + 1];
            *slot = match method {
                Method::Mean => self.mean(r, mult),
                Method::Trimmed => self.trimmed(r, mult, rule),
                Method::Median => self.median(r, mult),
                Method::Zscore => self.zmean(r, mult),
                Method::Calibrated => None,
            };
        }
        Ok(())
    }
}
