//! The review profile: the rules of one review round (domains, quotas, limits, shortlist, rubric).

use crate::domain::rubric::Rubric;
use crate::domain::vote::{Rule, VoteRules};
use crate::text::i18n::{Msg, T};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The built-in 2020 profile, as TOML.
pub const KCZG_2020_TOML: &str = include_str!("../data/profile-kczg-2020.toml");

/// A technology domain and the alliance that reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// English key, e.g. `electronic-information`.
    pub key: String,
    /// Chinese name as on the form, e.g. 电子信息.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// The alliance (学会联合体) that runs this domain's review.
    pub alliance: String,
    /// The alliance's English name.
    #[serde(default)]
    pub alliance_en: String,
    /// Overrides the profile's per-recommender quota for this domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<u32>,
}

impl Domain {
    /// The name in the chosen language.
    pub fn name_in(&self, english: bool) -> &str {
        if english && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name
        }
    }

    /// The alliance in the chosen language.
    pub fn alliance_in(&self, english: bool) -> &str {
        if english && !self.alliance_en.is_empty() {
            &self.alliance_en
        } else {
            &self.alliance
        }
    }
}

/// An inclusive range of shortlist sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeRange {
    /// Smallest allowed shortlist.
    pub min: u32,
    /// Largest allowed shortlist.
    pub max: u32,
}

/// Field length limits, in Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// 技术团队简介.
    pub team: u32,
    /// 技术水平介绍.
    pub level: u32,
    /// 技术效益介绍.
    pub benefits: u32,
    /// 技术水平详细材料.
    pub level_detail: u32,
    /// 技术效益详细材料.
    pub benefits_detail: u32,
}

/// The rules of one review round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable id, e.g. `kczg-2020`.
    pub id: String,
    /// Chinese name of the round.
    pub name: String,
    /// English name of the round.
    #[serde(default)]
    pub name_en: String,
    /// The year of the round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// Nominations one recommender may make per domain ("原则上").
    pub quota_per_recommender: u32,
    /// Size of the final list after the final review.
    pub final_list_size: u32,
    /// Each domain's shortlist size.
    pub shortlist: SizeRange,
    /// Field length limits.
    pub limits: Limits,
    /// The domains of the round.
    pub domains: Vec<Domain>,
    /// The scoring rubric.
    pub criteria: Rubric,
    /// Experts needed before a nomination may enter the shortlist by the rule (default 3);
    /// one scored by fewer is flagged `few-experts` and enters only by the chair's decision.
    /// Left out of the serialised profile at its default, so older profiles keep their hash.
    #[serde(
        default = "default_min_experts",
        skip_serializing_if = "is_default_min_experts"
    )]
    pub min_experts: u32,
    /// The rules of votes (会评, 终审), if the round votes: `[vote]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<VoteRules>,
}

/// The default of [`Profile::min_experts`].
pub const DEFAULT_MIN_EXPERTS: u32 = 3;

fn default_min_experts() -> u32 {
    DEFAULT_MIN_EXPERTS
}

fn is_default_min_experts(n: &u32) -> bool {
    *n == DEFAULT_MIN_EXPERTS
}

/// A profile that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{file}: cannot read profile")]
    Read {
        /// The profile file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has a wrong or missing key.
    #[error("{file}: malformed profile: {message}")]
    Parse {
        /// The profile file.
        file: PathBuf,
        /// The parser's message, with line, column and key.
        message: String,
    },
    /// The values are inconsistent.
    #[error("{file}: invalid profile: key `{key}`: {reason}")]
    Invalid {
        /// The profile file.
        file: PathBuf,
        /// The offending key path.
        key: String,
        /// What is wrong.
        reason: Msg,
    },
}

impl ProfileError {
    /// The message in the catalogue (its English is this error's `Display`).
    pub fn msg(&self) -> Msg {
        match self {
            ProfileError::Read { file, .. } => {
                Msg::new(T::ProfCannotRead, &[("file", &file.display().to_string())])
            }
            ProfileError::Parse { file, message } => Msg::new(
                T::ProfMalformed,
                &[("file", &file.display().to_string()), ("message", message)],
            ),
            ProfileError::Invalid { file, key, reason } => Msg::new(
                T::ProfInvalid,
                &[("file", &file.display().to_string()), ("key", key)],
            )
            .then(reason.clone()),
        }
    }
}

impl Profile {
    /// The built-in 2020 profile.
    pub fn kczg_2020() -> Profile {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        match Profile::from_toml(KCZG_2020_TOML, Path::new("<built-in kczg-2020>")) {
            Ok(p) => p,
            Err(e) => panic!("built-in profile is broken: {e}"),
        }
    }

    /// Parses and checks a profile; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        p.validate()
            .map_err(|(key, reason)| ProfileError::Invalid {
                file: file.to_path_buf(),
                key,
                reason,
            })?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), (String, Msg)> {
        if self.id.trim().is_empty() {
            return Err(("id".into(), Msg::new(T::ProfEmptyId, &[])));
        }
        if self.domains.is_empty() {
            return Err(("domains".into(), Msg::new(T::ProfNoDomains, &[])));
        }
        let mut keys = std::collections::HashSet::new();
        for (i, d) in self.domains.iter().enumerate() {
            if d.key.trim().is_empty() || d.name.trim().is_empty() {
                return Err((format!("domains[{i}]"), Msg::new(T::ProfEmptyDomain, &[])));
            }
            if d.alliance.trim().is_empty() {
                return Err((
                    format!("domains[{i}].alliance"),
                    Msg::new(T::ProfNoAlliance, &[]),
                ));
            }
            if !keys.insert(d.key.clone()) || !keys.insert(format!("name:{}", d.name)) {
                return Err((
                    format!("domains[{i}].key"),
                    Msg::new(T::ProfDuplicateDomain, &[("key", &d.key)]),
                ));
            }
        }
        if self.shortlist.min == 0 || self.shortlist.min > self.shortlist.max {
            return Err((
                "shortlist".into(),
                Msg::new(
                    T::ProfShortlistRange,
                    &[
                        ("min", &self.shortlist.min.to_string()),
                        ("max", &self.shortlist.max.to_string()),
                    ],
                ),
            ));
        }
        if self.min_experts == 0 {
            return Err(("min_experts".into(), Msg::new(T::ProfAtLeastOne, &[])));
        }
        if self.final_list_size == 0 {
            return Err(("final_list_size".into(), Msg::new(T::ProfAtLeastOne, &[])));
        }
        let l = &self.limits;
        for (key, v) in [
            ("team", l.team),
            ("level", l.level),
            ("benefits", l.benefits),
            ("level_detail", l.level_detail),
            ("benefits_detail", l.benefits_detail),
        ] {
            if v == 0 {
                // Zero would warn on every filled field.
                return Err((format!("limits.{key}"), Msg::new(T::ProfAtLeastOne, &[])));
            }
        }
        if self.quota_per_recommender == 0 {
            return Err((
                "quota_per_recommender".into(),
                Msg::new(T::ProfAtLeastOne, &[]),
            ));
        }
        if let Some(v) = &self.vote {
            v.rule()?;
        }
        self.criteria.validate()
    }

    /// The vote rule, if the profile has a `[vote]` table (checked when the profile was read).
    pub fn vote_rule(&self) -> Option<Rule> {
        self.vote.as_ref().and_then(|v| v.rule().ok())
    }

    /// The rubric.
    pub fn rubric(&self) -> &Rubric {
        &self.criteria
    }

    /// Finds a domain by key, Chinese name or English name.
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        let n = name.trim();
        self.domains.iter().find(|d| {
            d.key.eq_ignore_ascii_case(n) || d.name == n || d.name_en.eq_ignore_ascii_case(n)
        })
    }

    /// The per-recommender quota in a domain.
    pub fn quota(&self, domain: &Domain) -> u32 {
        domain.quota.unwrap_or(self.quota_per_recommender)
    }

    /// A content hash of the profile's rules (hex SHA-256 of its canonical JSON form).
    pub fn hash(&self) -> String {
        // The vote rules are left out: they do not change what a sheet, a ranking or an export
        // means, and exports made before `[vote]` existed keep matching their profile.
        if self.vote.is_some() {
            let mut p = self.clone();
            p.vote = None;
            return hash_json(&p);
        }
        hash_json(self)
    }

    /// A content hash of the rubric alone: sheets record it.
    pub fn rubric_hash(&self) -> String {
        hash_json(&self.criteria)
    }
}

fn hash_json<T: Serialize>(v: &T) -> String {
    // Serialising plain structs to JSON cannot fail; an empty input still hashes.
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profile_is_the_2020_round() {
        let p = Profile::kczg_2020();
        assert_eq!(p.domains.len(), 5);
        assert_eq!(
            p.domain("电子信息").map(|d| d.alliance.as_str()),
            Some("中国科协信息科技学会联合体")
        );
        assert_eq!(
            p.domain("resources-environment").map(|d| d.name.as_str()),
            Some("资源环境")
        );
        let keys: Vec<_> = p.criteria.criteria.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "feasibility",
                "novelty",
                "originality",
                "irreplaceability",
                "maturity",
                "market"
            ]
        );
        assert_eq!((p.shortlist.min, p.shortlist.max), (25, 30));
        assert_eq!(p.final_list_size, 100);
        assert_eq!(p.quota_per_recommender, 2);
        assert_eq!(p.limits.level_detail, 10000);
        for c in &p.criteria.criteria {
            assert_eq!((c.min, c.max, c.step, c.weight), (0.0, 10.0, 1.0, 1.0));
            // The bands cover every allowed score.
            for s in 0..=10 {
                assert!(c.band(f64::from(s)).is_some(), "{} {s}", c.key);
            }
        }
        assert_eq!(p.hash().len(), 64);
        let rule = p.vote_rule().unwrap();
        assert_eq!(rule.pass.to_string(), "2/3 of present");
        assert_eq!(rule.quorum.to_string(), "2/3 of panel");
        // The vote rules leave the profile's hash as it was before they existed.
        let mut without = p.clone();
        without.vote = None;
        assert_eq!(p.hash(), without.hash());
        assert_ne!(p.hash(), p.rubric_hash());
    }

    #[test]
    fn malformed_profile_names_file_and_key() {
        let bad = KCZG_2020_TOML.replace(
            "step = 1\nweight = 1\nquestion = \"市场",
            "step = 3\nweight = 1\nquestion = \"市场",
        );
        let e = Profile::from_toml(&bad, Path::new("x.toml")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("x.toml") && msg.contains("criteria[5].step"),
            "{msg}"
        );

        let e = Profile::from_toml("id = 3", Path::new("y.toml")).unwrap_err();
        assert!(
            e.to_string().starts_with("y.toml: malformed profile"),
            "{e}"
        );
        let bad = KCZG_2020_TOML.replace("min = 25", "min = 31");
        let e = Profile::from_toml(&bad, Path::new("z.toml")).unwrap_err();
        assert!(e.to_string().contains("`shortlist`"), "{e}");
        let bad = KCZG_2020_TOML.replace(
            "alliance = \"中国科协生命科学学会联合体\"",
            "alliance = \"\"",
        );
        let e = Profile::from_toml(&bad, Path::new("z.toml")).unwrap_err();
        assert!(e.to_string().contains("`domains[1].alliance`"), "{e}");
        let bad = KCZG_2020_TOML.replace("pass = \"2/3 of present\"", "pass = \"2/3\"");
        let e = Profile::from_toml(&bad, Path::new("v.toml")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("v.toml: invalid profile: key `vote.pass`"),
            "{e}"
        );
        let bad = KCZG_2020_TOML.replace("ties = \"fail\"", "ties = \"coin\"");
        let e = Profile::from_toml(&bad, Path::new("v.toml")).unwrap_err();
        assert!(
            e.to_string().contains("v.toml") && e.to_string().contains("ties"),
            "{e}"
        );
        let bad = KCZG_2020_TOML.replace("ties = \"fail\"", "ties = \"fail\"\nextra = 1");
        let e = Profile::from_toml(&bad, Path::new("v.toml")).unwrap_err();
        assert!(e.to_string().contains("extra"), "{e}");
        let bad = KCZG_2020_TOML.replace("team = 300", "team = 0");
        let e = Profile::from_toml(&bad, Path::new("z.toml")).unwrap_err();
        assert!(e.to_string().contains("`limits.team`"), "{e}");
    }
}
