//! The scoring rubric: criteria, their scales, weights and band descriptors.

use crate::text::i18n::{Msg, T};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tolerance for "is this value on the step grid" checks.
const GRID_EPS: f64 = 1e-9;

/// A text shown for a band of scores on one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest score of the band (inclusive).
    pub min: f64,
    /// Highest score of the band (inclusive).
    pub max: f64,
    /// Chinese descriptor.
    pub text: String,
    /// English descriptor.
    #[serde(default)]
    pub text_en: String,
}

/// One scored criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable key, e.g. `feasibility`.
    pub key: String,
    /// Chinese label, e.g. 可行性.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Lowest score.
    pub min: f64,
    /// Highest score.
    pub max: f64,
    /// Scores are `min + k × step`.
    pub step: f64,
    /// Relative weight in the total.
    pub weight: f64,
    /// What the criterion asks, in Chinese.
    #[serde(default)]
    pub question: String,
    /// What the criterion asks, in English.
    #[serde(default)]
    pub question_en: String,
    /// Descriptors for score bands.
    #[serde(default)]
    pub bands: Vec<Band>,
}

/// Why a score is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// Not a number at all.
    #[error("'{0}' is not a number")]
    NotANumber(String),
    /// Outside `[min, max]`.
    #[error("{value} is not between {min} and {max}")]
    OutOfRange {
        /// The value given.
        value: f64,
        /// The criterion's minimum.
        min: f64,
        /// The criterion's maximum.
        max: f64,
    },
    /// Not on the step grid.
    #[error("{value} is not a multiple of the step {step} from {min}")]
    OffStep {
        /// The value given.
        value: f64,
        /// The criterion's step.
        step: f64,
        /// The criterion's minimum.
        min: f64,
    },
}

impl ScoreError {
    /// The message in the catalogue (its English is the Display).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        match self {
            ScoreError::NotANumber(v) => Msg::new(T::ScoreNotNumber, &[("v", v)]),
            ScoreError::OutOfRange { value, min, max } => Msg::new(
                T::ScoreOutOfRange,
                &[
                    ("value", &value.to_string()),
                    ("min", &min.to_string()),
                    ("max", &max.to_string()),
                ],
            ),
            ScoreError::OffStep { value, step, min } => Msg::new(
                T::ScoreOffStep,
                &[
                    ("value", &value.to_string()),
                    ("step", &step.to_string()),
                    ("min", &min.to_string()),
                ],
            ),
        }
    }
}

impl Criterion {
    /// Checks that `value` is a score this criterion allows.
    pub fn check(&self, value: f64) -> Result<f64, ScoreError> {
        if !value.is_finite() {
            return Err(ScoreError::NotANumber(value.to_string()));
        }
        if value < self.min - GRID_EPS || value > self.max + GRID_EPS {
            return Err(ScoreError::OutOfRange {
                value,
                min: self.min,
                max: self.max,
            });
        }
        let k = (value - self.min) / self.step;
        if (k - k.round()).abs() > 1e-6 {
            return Err(ScoreError::OffStep {
                value,
                step: self.step,
                min: self.min,
            });
        }
        // Snap to the grid so 0.30000000000000004 is stored as 0.3.
        Ok(self.min + k.round() * self.step)
    }

    /// Parses and checks a typed score such as `7` or `7.5`.
    pub fn parse(&self, text: &str) -> Result<f64, ScoreError> {
        let t = text.trim();
        // Plain decimals only, as people write scores: Rust's float syntax would also take
        // `1e1`, `+7`, `inf` and `NaN`, which on a paper sheet are typing mistakes.
        let digits = t.strip_prefix('-').unwrap_or(t);
        let plain = !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.chars().filter(|&c| c == '.').count() <= 1
            && digits.chars().any(|c| c.is_ascii_digit());
        let v: f64 = if plain { t.parse().ok() } else { None }
            .ok_or_else(|| ScoreError::NotANumber(t.to_string()))?;
        self.check(v)
    }

    /// The band descriptor that covers `value`, if any.
    pub fn band(&self, value: f64) -> Option<&Band> {
        self.bands
            .iter()
            .find(|b| value >= b.min - GRID_EPS && value <= b.max + GRID_EPS)
    }

    /// Moves `value` by `steps` steps, clamped to the range.
    pub fn nudge(&self, value: Option<f64>, steps: i32) -> f64 {
        let base = value.unwrap_or(if steps >= 0 { self.min } else { self.max });
        let moved = match value {
            Some(_) => base + f64::from(steps) * self.step,
            None => base,
        };
        moved.clamp(self.min, self.max)
    }

    /// Formats a score with as many decimals as the step needs.
    pub fn format(&self, value: f64) -> String {
        format_score(value, self.step)
    }

    /// The label in the chosen language.
    pub fn label_in(&self, english: bool) -> &str {
        if english { &self.label_en } else { &self.label }
    }
}

/// Formats a score with as many decimals as `step` needs (1 → `7`, 0.5 → `7.5`).
pub fn format_score(value: f64, step: f64) -> String {
    let mut decimals = 0;
    let mut s = step;
    while decimals < 6 && (s - s.round()).abs() > 1e-9 {
        s *= 10.0;
        decimals += 1;
    }
    format!("{value:.decimals$}")
}

/// Score-sheet headers that are not criteria (see `entry`): a criterion may not be named so.
const RESERVED_COLUMNS: [&str; 13] = [
    "编号",
    "id",
    "技术名称",
    "name",
    "回避",
    "recused",
    "recusal",
    "回避原因",
    "recusal_reason",
    "reason",
    "评语",
    "comment",
    "意见",
];

/// The rubric of a review round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rubric {
    /// Criteria in display order.
    pub criteria: Vec<Criterion>,
}

impl Rubric {
    /// Finds a criterion by key or by Chinese/English label (case-insensitive for Latin).
    pub fn find(&self, name: &str) -> Option<(usize, &Criterion)> {
        let n = name.trim();
        self.criteria.iter().enumerate().find(|(_, c)| {
            c.key.eq_ignore_ascii_case(n) || c.label == n || c.label_en.eq_ignore_ascii_case(n)
        })
    }

    /// An expert's total for one item on 0–100, or `None` unless every criterion is scored.
    ///
    /// `100 × Σ w_c (s_c − min_c)/(max_c − min_c) / Σ w_c`, so every rubric totals on 0–100.
    pub fn total(&self, scores: &BTreeMap<String, f64>) -> Option<f64> {
        let mut num = 0.0;
        let mut den = 0.0;
        for c in &self.criteria {
            let s = *scores.get(&c.key)?;
            num += c.weight * (s - c.min) / (c.max - c.min);
            den += c.weight;
        }
        (den > 0.0).then(|| 100.0 * num / den)
    }

    /// The total over the criteria scored so far, rescaled as if they were all (for a preview).
    pub fn partial_total(&self, scores: &BTreeMap<String, f64>) -> Option<f64> {
        let mut num = 0.0;
        let mut den = 0.0;
        for c in &self.criteria {
            if let Some(s) = scores.get(&c.key) {
                num += c.weight * (s - c.min) / (c.max - c.min);
                den += c.weight;
            }
        }
        (den > 0.0).then(|| 100.0 * num / den)
    }

    /// How many criteria of `scores` are set.
    pub fn scored_count(&self, scores: &BTreeMap<String, f64>) -> usize {
        self.criteria
            .iter()
            .filter(|c| scores.contains_key(&c.key))
            .count()
    }

    /// Checks the rubric's own consistency; returns `(key path, reason)` on failure.
    pub fn validate(&self) -> Result<(), (String, Msg)> {
        if self.criteria.is_empty() {
            return Err(("criteria".into(), Msg::new(T::RubNoCriteria, &[])));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.criteria.iter().enumerate() {
            let at = |k: &str| format!("criteria[{i}].{k}");
            if c.key.trim().is_empty() {
                return Err((at("key"), Msg::new(T::RubEmptyKey, &[])));
            }
            if !seen.insert(c.key.clone()) {
                return Err((at("key"), Msg::new(T::RubDuplicateKey, &[("key", &c.key)])));
            }
            if c.label.trim().is_empty() {
                return Err((at("label"), Msg::new(T::RubEmptyLabel, &[])));
            }
            if !(c.min.is_finite() && c.max.is_finite() && c.min < c.max) {
                return Err((
                    at("max"),
                    Msg::new(
                        T::RubMaxMin,
                        &[("max", &c.max.to_string()), ("min", &c.min.to_string())],
                    ),
                ));
            }
            if !(c.step.is_finite() && c.step > 0.0) {
                return Err((
                    at("step"),
                    Msg::new(T::RubStepPositive, &[("step", &c.step.to_string())]),
                ));
            }
            let k = (c.max - c.min) / c.step;
            if (k - k.round()).abs() > 1e-6 {
                return Err((
                    at("step"),
                    Msg::new(
                        T::RubStepDivide,
                        &[
                            ("step", &c.step.to_string()),
                            ("min", &c.min.to_string()),
                            ("max", &c.max.to_string()),
                        ],
                    ),
                ));
            }
            if !(c.weight.is_finite() && c.weight > 0.0) {
                return Err((
                    at("weight"),
                    Msg::new(T::RubWeight, &[("weight", &c.weight.to_string())]),
                ));
            }
            // Every name a score sheet may use for a column (key, label, English label) must
            // point at one criterion, and not at a fixed column such as 编号 or 评语.
            let names = [
                ("key", &c.key),
                ("label", &c.label),
                ("label_en", &c.label_en),
            ];
            for (field, name) in names {
                let n = name.trim();
                if n.is_empty() {
                    continue;
                }
                if RESERVED_COLUMNS.iter().any(|r| r.eq_ignore_ascii_case(n)) {
                    return Err((at(field), Msg::new(T::RubReserved, &[("name", n)])));
                }
                if let Some((j, other)) = self.criteria[..i].iter().enumerate().find(|(_, o)| {
                    [&o.key, &o.label, &o.label_en]
                        .iter()
                        .any(|m| m.trim().eq_ignore_ascii_case(n))
                }) {
                    return Err((
                        at(field),
                        Msg::new(
                            T::RubAmbiguous,
                            &[("name", n), ("j", &j.to_string()), ("other", &other.key)],
                        ),
                    ));
                }
            }
            for (j, b) in c.bands.iter().enumerate() {
                if b.min > b.max || b.min < c.min - GRID_EPS || b.max > c.max + GRID_EPS {
                    return Err((
                        format!("criteria[{i}].bands[{j}]"),
                        Msg::new(
                            T::RubBand,
                            &[
                                ("bmin", &b.min.to_string()),
                                ("bmax", &b.max.to_string()),
                                ("min", &c.min.to_string()),
                                ("max", &c.max.to_string()),
                            ],
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(key: &str, min: f64, max: f64, step: f64, weight: f64) -> Criterion {
        Criterion {
            key: key.into(),
            label: key.into(),
            label_en: key.into(),
            min,
            max,
            step,
            weight,
            question: String::new(),
            question_en: String::new(),
            bands: vec![],
        }
    }

    #[test]
    fn checks_range_and_step() {
        let c = crit("a", 0.0, 10.0, 0.5, 1.0);
        assert_eq!(c.parse("7.5"), Ok(7.5));
        assert_eq!(c.parse(" 10 "), Ok(10.0));
        assert!(matches!(c.parse("7.3"), Err(ScoreError::OffStep { .. })));
        assert!(matches!(c.parse("11"), Err(ScoreError::OutOfRange { .. })));
        assert!(matches!(c.parse("-1"), Err(ScoreError::OutOfRange { .. })));
        assert!(matches!(c.parse("x"), Err(ScoreError::NotANumber(_))));
        assert!(matches!(c.parse("NaN"), Err(ScoreError::NotANumber(_))));
        for odd in ["1e1", "+7", "0.5e1", "inf", "7..5", ".", "7 5"] {
            assert!(
                matches!(c.parse(odd), Err(ScoreError::NotANumber(_))),
                "{odd}"
            );
        }
        assert_eq!(c.parse(".5"), Ok(0.5));
        assert_eq!(c.format(7.5), "7.5");
        assert_eq!(crit("b", 0.0, 10.0, 1.0, 1.0).format(7.0), "7");
    }

    #[test]
    fn total_is_weighted_and_on_0_100() {
        let r = Rubric {
            criteria: vec![
                crit("a", 0.0, 10.0, 1.0, 1.0),
                crit("b", 1.0, 5.0, 1.0, 3.0),
            ],
        };
        let mut s = BTreeMap::new();
        s.insert("a".to_string(), 5.0);
        assert_eq!(r.total(&s), None);
        assert_eq!(r.partial_total(&s), Some(50.0));
        s.insert("b".to_string(), 5.0);
        // 100 × (1×0.5 + 3×1.0) / 4 = 87.5
        assert_eq!(r.total(&s), Some(87.5));
        s.insert("a".to_string(), 0.0);
        s.insert("b".to_string(), 1.0);
        assert_eq!(r.total(&s), Some(0.0));
    }

    #[test]
    fn nudge_clamps() {
        let c = crit("a", 0.0, 10.0, 1.0, 1.0);
        assert_eq!(c.nudge(None, 1), 0.0);
        assert_eq!(c.nudge(None, -1), 10.0);
        assert_eq!(c.nudge(Some(10.0), 1), 10.0);
        assert_eq!(c.nudge(Some(3.0), -1), 2.0);
    }

    #[test]
    fn validate_names_the_key() {
        let r = Rubric {
            criteria: vec![crit("a", 0.0, 10.0, 3.0, 1.0)],
        };
        assert_eq!(r.validate().unwrap_err().0, "criteria[0].step");
        let r = Rubric {
            criteria: vec![
                crit("a", 0.0, 10.0, 1.0, 1.0),
                crit("a", 0.0, 10.0, 1.0, 1.0),
            ],
        };
        assert_eq!(r.validate().unwrap_err().0, "criteria[1].key");
        // Labels are column names on score sheets: two criteria may not share one.
        let mut b = crit("b", 0.0, 10.0, 1.0, 1.0);
        b.label = "A".into();
        let r = Rubric {
            criteria: vec![crit("a", 0.0, 10.0, 1.0, 1.0), b],
        };
        let (key, reason) = r.validate().unwrap_err();
        assert_eq!(key, "criteria[1].label");
        assert!(
            reason.to_string().contains("also names criteria[0] (a)"),
            "{reason}"
        );
        let mut c = crit("c", 0.0, 10.0, 1.0, 1.0);
        c.label = "评语".into();
        let r = Rubric { criteria: vec![c] };
        assert_eq!(r.validate().unwrap_err().0, "criteria[0].label");
    }
}
