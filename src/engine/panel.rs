//! The validated input of every computation: experts, items and their observations.

use std::collections::HashMap;

use serde::Serialize;

use super::error::PanelError;

/// λ of the confidence weights: low = λ⁻², normal = 1, high = λ².
pub const CONFIDENCE_LAMBDA: f64 = 1.75;

/// Slack accepted around 0 and 100 for a total (rounding in the caller's rubric formula); values are kept as given.
pub const TOTAL_SLACK: f64 = 1e-9;

/// Why an (expert, item) pair has no usable observation; counted for reporting only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exclusion {
    /// The expert started but did not complete the score sheet.
    Incomplete,
    /// The expert recused themself (conflict of interest).
    Recused,
    /// Excluded by the chair: a conflict of interest found from the panel file that the expert
    /// did not declare (counted apart from voluntary recusals).
    Conflict,
}

/// One complete, non-recused score sheet: expert `expert` on item `item` (panel indices).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Index into [`Panel::experts`].
    pub expert: usize,
    /// Index into [`Panel::items`].
    pub item: usize,
    /// Rubric total on 0–100.
    pub total: f64,
    /// Per-criterion raw scores (length = [`Panel::n_criteria`]).
    pub criteria: Vec<f64>,
    /// Confidence weight c_ei (> 0; used by `calibrated` only).
    pub weight: f64,
}

/// What is recorded for one (expert, item) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Empty,
    Observed(usize),
    Excluded(Exclusion),
}

/// A scoring panel: expert ids, item ids (in the caller's stable order) and validated observations.
///
/// Results never depend on the order in which entries were added: every computation walks
/// items and experts in panel order. Ties in rankings are listed in the order of `items`.
#[derive(Debug, Clone)]
pub struct Panel {
    experts: Vec<String>,
    items: Vec<String>,
    n_criteria: usize,
    expert_index: HashMap<String, usize>,
    item_index: HashMap<String, usize>,
    /// Item-major grid: `cells[item * n_experts + expert]`.
    cells: Vec<Cell>,
    observations: Vec<Observation>,
}

fn index_ids<I>(
    ids: I,
    kind: &'static str,
) -> Result<(Vec<String>, HashMap<String, usize>), PanelError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let mut list = Vec::new();
    let mut index = HashMap::new();
    for id in ids {
        let id: String = id.into();
        if id.is_empty() {
            return Err(PanelError::EmptyId { kind });
        }
        if index.insert(id.clone(), list.len()).is_some() {
            return Err(PanelError::DuplicateId { kind, id });
        }
        list.push(id);
    }
    Ok((list, index))
}

impl Panel {
    /// Creates an empty panel; ids must be non-empty and unique, items in the caller's stable order.
    pub fn new<E, I>(experts: E, items: I, n_criteria: usize) -> Result<Self, PanelError>
    where
        E: IntoIterator,
        E::Item: Into<String>,
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let (experts, expert_index) = index_ids(experts, "expert")?;
        let (items, item_index) = index_ids(items, "item")?;
        let cells = vec![Cell::Empty; experts.len() * items.len()];
        Ok(Panel {
            experts,
            items,
            n_criteria,
            expert_index,
            item_index,
            cells,
            observations: Vec::new(),
        })
    }

    fn locate(&self, expert: &str, item: &str) -> Result<(usize, usize, usize), PanelError> {
        let e = *self
            .expert_index
            .get(expert)
            .ok_or_else(|| PanelError::UnknownExpert(expert.to_string()))?;
        let i = *self
            .item_index
            .get(item)
            .ok_or_else(|| PanelError::UnknownItem(item.to_string()))?;
        let cell = i * self.experts.len() + e;
        if self.cells[cell] != Cell::Empty {
            return Err(PanelError::DuplicateCell {
                expert: expert.to_string(),
                item: item.to_string(),
            });
        }
        Ok((e, i, cell))
    }

    /// Adds a complete observation; rejects unknown ids, a second entry for the pair, NaN and out-of-range values.
    pub fn add(
        &mut self,
        expert: &str,
        item: &str,
        total: f64,
        criteria: Vec<f64>,
        weight: f64,
    ) -> Result<(), PanelError> {
        let (e, i, cell) = self.locate(expert, item)?;
        let names = || (expert.to_string(), item.to_string());
        if !total.is_finite() || !(-TOTAL_SLACK..=100.0 + TOTAL_SLACK).contains(&total) {
            let (expert, item) = names();
            return Err(PanelError::InvalidTotal {
                expert,
                item,
                total,
            });
        }
        if criteria.len() != self.n_criteria {
            let (expert, item) = names();
            return Err(PanelError::CriteriaLength {
                expert,
                item,
                expected: self.n_criteria,
                got: criteria.len(),
            });
        }
        if let Some(criterion) = criteria.iter().position(|c| !c.is_finite()) {
            let (expert, item) = names();
            return Err(PanelError::InvalidCriterion {
                expert,
                item,
                criterion,
            });
        }
        if !weight.is_finite() || weight <= 0.0 {
            let (expert, item) = names();
            return Err(PanelError::InvalidWeight {
                expert,
                item,
                weight,
            });
        }
        self.cells[cell] = Cell::Observed(self.observations.len());
        self.observations.push(Observation {
            expert: e,
            item: i,
            total,
            criteria,
            weight,
        });
        Ok(())
    }

    /// Records that the pair is incomplete or recused (reported in counts, never scored).
    pub fn mark_excluded(
        &mut self,
        expert: &str,
        item: &str,
        why: Exclusion,
    ) -> Result<(), PanelError> {
        let (_, _, cell) = self.locate(expert, item)?;
        self.cells[cell] = Cell::Excluded(why);
        Ok(())
    }

    /// Expert ids in panel order.
    pub fn experts(&self) -> &[String] {
        &self.experts
    }

    /// Item ids in panel order (the tie-listing order).
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// Number of rubric criteria per observation.
    pub fn n_criteria(&self) -> usize {
        self.n_criteria
    }

    /// All observations, in insertion order.
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    /// The observation of expert `expert` on item `item` (panel indices), if any.
    pub fn observation(&self, expert: usize, item: usize) -> Option<&Observation> {
        if expert >= self.experts.len() || item >= self.items.len() {
            return None;
        }
        match self.cells[item * self.experts.len() + expert] {
            Cell::Observed(k) => self.observations.get(k),
            _ => None,
        }
    }

    /// The exclusion recorded for the pair (panel indices), if any.
    pub fn exclusion(&self, expert: usize, item: usize) -> Option<Exclusion> {
        if expert >= self.experts.len() || item >= self.items.len() {
            return None;
        }
        match self.cells[item * self.experts.len() + expert] {
            Cell::Excluded(why) => Some(why),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Panel {
        Panel::new(["e1", "e2"], ["a", "b"], 2).expect("valid panel")
    }

    #[test]
    fn rejects_bad_ids() {
        assert_eq!(
            Panel::new(["e1", "e1"], ["a"], 0).err(),
            Some(PanelError::DuplicateId {
                kind: "expert",
                id: "e1".into()
            })
        );
        assert_eq!(
            Panel::new(["e1"], ["a", ""], 0).err(),
            Some(PanelError::EmptyId { kind: "item" })
        );
    }

    #[test]
    fn rejects_bad_entries() {
        let mut p = panel();
        assert!(matches!(
            p.add("x", "a", 50.0, vec![1.0, 2.0], 1.0),
            Err(PanelError::UnknownExpert(_))
        ));
        assert!(matches!(
            p.add("e1", "z", 50.0, vec![1.0, 2.0], 1.0),
            Err(PanelError::UnknownItem(_))
        ));
        for bad in [f64::NAN, f64::INFINITY, -0.5, 100.5] {
            assert!(matches!(
                p.add("e1", "a", bad, vec![1.0, 2.0], 1.0),
                Err(PanelError::InvalidTotal { .. })
            ));
        }
        assert!(matches!(
            p.add("e1", "a", 50.0, vec![1.0], 1.0),
            Err(PanelError::CriteriaLength {
                expected: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            p.add("e1", "a", 50.0, vec![1.0, f64::NAN], 1.0),
            Err(PanelError::InvalidCriterion { criterion: 1, .. })
        ));
        for bad in [0.0, -1.0, f64::NAN] {
            assert!(matches!(
                p.add("e1", "a", 50.0, vec![1.0, 2.0], bad),
                Err(PanelError::InvalidWeight { .. })
            ));
        }
        assert!(
            p.observations().is_empty(),
            "rejected entries leave no trace"
        );
        p.add("e1", "a", 100.0, vec![1.0, 2.0], 1.0).expect("valid");
        assert!(matches!(
            p.add("e1", "a", 50.0, vec![1.0, 2.0], 1.0),
            Err(PanelError::DuplicateCell { .. })
        ));
        assert!(matches!(
            p.mark_excluded("e1", "a", Exclusion::Recused),
            Err(PanelError::DuplicateCell { .. })
        ));
        p.mark_excluded("e2", "a", Exclusion::Recused)
            .expect("valid");
        assert!(matches!(
            p.add("e2", "a", 50.0, vec![1.0, 2.0], 1.0),
            Err(PanelError::DuplicateCell { .. })
        ));
        assert_eq!(p.exclusion(1, 0), Some(Exclusion::Recused));
        assert_eq!(p.observation(0, 0).map(|o| o.total), Some(100.0));
        assert_eq!(p.observation(5, 0), None);
    }
}
