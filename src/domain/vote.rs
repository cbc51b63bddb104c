//! Votes (会评, 终审): the profile's rule (`[vote]`), the three choices and the tally.
//!
//! Every count is a whole number and every threshold exact rational arithmetic: "2/3 of 7
//! present" needs 5 (the least whole n with 3n ≥ 2·7), never 4.67 rounded either way.

use crate::text::i18n::{Msg, T};
use serde::{Deserialize, Serialize};

/// One expert's choice on one nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    /// 同意.
    Yes,
    /// 不同意.
    No,
    /// 弃权 (present, but neither for nor against).
    Abstain,
}

impl Choice {
    /// Every choice, in the order ballots show them.
    pub const ALL: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

    /// Parses a choice as written on paper: 同意/不同意/弃权, yes/no/abstain, y/n/a, ✓/✗/○.
    pub fn parse(text: &str) -> Option<Choice> {
        let t = text.trim().to_lowercase();
        match t.as_str() {
            "同意" | "赞成" | "yes" | "y" | "✓" | "√" => Some(Choice::Yes),
            "不同意" | "反对" | "no" | "n" | "✗" | "×" => Some(Choice::No),
            "弃权" | "abstain" | "a" | "○" => Some(Choice::Abstain),
            _ => None,
        }
    }

    /// The word stored in a ballot (`yes`, `no`, `abstain`).
    pub fn key(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        }
    }

    /// The catalogue string naming the choice.
    pub fn label(self) -> T {
        match self {
            Choice::Yes => T::VoteYes,
            Choice::No => T::VoteNo,
            Choice::Abstain => T::VoteAbstain,
        }
    }
}

/// Which review a vote belongs to: it sets the size the passing list is held against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// 会评: a domain's meeting review; the list is held against the shortlist range.
    Meeting,
    /// 终审: the final review; the list is held against the final list size.
    Final,
}

impl Stage {
    /// Parses `meeting`/`会评` or `final`/`终审`.
    pub fn parse(text: &str) -> Option<Stage> {
        match text.trim().to_lowercase().as_str() {
            "meeting" | "会评" => Some(Stage::Meeting),
            "final" | "终审" => Some(Stage::Final),
            _ => None,
        }
    }

    /// The word stored in the store (`meeting`, `final`).
    pub fn key(self) -> &'static str {
        match self {
            Stage::Meeting => "meeting",
            Stage::Final => "final",
        }
    }

    /// The catalogue string naming the stage.
    pub fn label(self) -> T {
        match self {
            Stage::Meeting => T::VoteStageMeeting,
            Stage::Final => T::VoteStageFinal,
        }
    }
}

/// What a fraction is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Experts who cast a ballot (an abstention counts as present).
    Present,
    /// Experts who voted for or against this nomination (abstentions left out).
    Voting,
    /// Every member of the panel, present or not.
    Panel,
}

impl Base {
    fn word(self) -> &'static str {
        match self {
            Base::Present => "present",
            Base::Voting => "voting",
            Base::Panel => "panel",
        }
    }
}

/// A threshold such as `2/3 of present` or `more than 1/2 of voting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub num: u32,
    /// Denominator (positive).
    pub den: u32,
    /// What the fraction is of.
    pub base: Base,
    /// `more than`: strictly above the fraction, rather than at least it.
    pub strict: bool,
}

impl Fraction {
    /// Parses `[more than ]P/Q of present|voting|panel` (P ≤ Q, Q > 0).
    pub fn parse(text: &str) -> Option<Fraction> {
        let t = text.trim().to_lowercase();
        let (strict, rest) = match t.strip_prefix("more than ") {
            Some(r) => (true, r.trim_start()),
            None => (false, t.as_str()),
        };
        let (frac, base) = rest.split_once(" of ")?;
        let (p, q) = frac.trim().split_once('/')?;
        let num: u32 = p.trim().parse().ok()?;
        let den: u32 = q.trim().parse().ok()?;
        let base = match base.trim() {
            "present" => Base::Present,
            "voting" => Base::Voting,
            "panel" => Base::Panel,
            _ => return None,
        };
        (den > 0 && num <= den).then_some(Fraction {
            num,
            den,
            base,
            strict,
        })
    }

    /// The least whole count that meets the threshold out of `of`: at least P/Q of it
    /// (`ceil(P·of / Q)`), or more than it (`floor(P·of / Q) + 1`).
    pub fn needed(self, of: u32) -> u64 {
        let prod = u64::from(self.num) * u64::from(of);
        let den = u64::from(self.den);
        if self.strict {
            prod / den + 1
        } else {
            prod.div_ceil(den)
        }
    }
}

impl Fraction {
    /// The threshold in the user's language (`到会专家的2/3以上`); the profile's own words
    /// (see [`Display`](std::fmt::Display)) in English.
    pub fn text(self, lang: crate::text::i18n::Lang) -> String {
        let base = match self.base {
            Base::Present => T::VoteBasePresent,
            Base::Voting => T::VoteBaseVoting,
            Base::Panel => T::VoteBasePanel,
        };
        let form = if self.strict {
            T::VoteRuleMoreThan
        } else {
            T::VoteRuleAtLeast
        };
        form.fill(
            lang,
            &[
                ("base", base.get(lang)),
                ("p", &self.num.to_string()),
                ("q", &self.den.to_string()),
            ],
        )
    }
}

impl std::fmt::Display for Fraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.strict {
            f.write_str("more than ")?;
        }
        write!(f, "{}/{} of {}", self.num, self.den, self.base.word())
    }
}

/// What a tie (as many 同意 as 不同意) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TieRule {
    /// A tie fails, whatever the threshold says.
    Fail,
    /// A tie passes (when the quorum is met), whatever the threshold says.
    Pass,
    /// A tie is left to the chair: neither passed nor failed.
    Chair,
}

/// The profile's `[vote]` table, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRules {
    /// The pass rule, e.g. `2/3 of present`.
    pub pass: String,
    /// The quorum, e.g. `2/3 of panel` (of the panel only: a quorum of those present is
    /// always met).
    pub quorum: String,
    /// `fail`, `pass` or `chair`.
    pub ties: TieRule,
}

/// The `[vote]` rules, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The pass threshold.
    pub pass: Fraction,
    /// The quorum (of the panel).
    pub quorum: Fraction,
    /// What a tie decides.
    pub ties: TieRule,
}

impl VoteRules {
    /// Parses the rules; on error the key (`vote.pass`, `vote.quorum`) and why.
    pub fn rule(&self) -> Result<Rule, (String, Msg)> {
        let pass = Fraction::parse(&self.pass).ok_or_else(|| {
            (
                "vote.pass".to_string(),
                Msg::new(T::VoteBadFraction, &[("text", &self.pass)]),
            )
        })?;
        let quorum = Fraction::parse(&self.quorum).ok_or_else(|| {
            (
                "vote.quorum".to_string(),
                Msg::new(T::VoteBadFraction, &[("text", &self.quorum)]),
            )
        })?;
        if quorum.base != Base::Panel {
            return Err((
                "vote.quorum".to_string(),
                Msg::new(T::VoteQuorumOfPanel, &[("text", &self.quorum)]),
            ));
        }
        if pass.num == 0 && !pass.strict {
            return Err((
                "vote.pass".to_string(),
                Msg::new(T::VoteBadFraction, &[("text", &self.pass)]),
            ));
        }
        Ok(Rule {
            pass,
            quorum,
            ties: self.ties,
        })
    }
}

/// One nomination's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTally {
    /// The nomination's id.
    pub id: String,
    /// 同意.
    pub yes: u32,
    /// 不同意.
    pub no: u32,
    /// 弃权.
    pub abstain: u32,
    /// 同意 votes the pass rule needs.
    pub needed: u64,
    /// The outcome.
    pub outcome: Outcome,
}

/// How a nomination came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// A tie left to the chair.
    Tie,
    /// Not decided: too few experts present.
    NoQuorum,
}

impl Outcome {
    /// The catalogue string naming the outcome.
    pub fn label(self) -> T {
        match self {
            Outcome::Pass => T::VotePass,
            Outcome::Fail => T::VoteFail,
            Outcome::Tie => T::VoteTie,
            Outcome::NoQuorum => T::VoteNoQuorum,
        }
    }
}

/// How the passing list compares with the size it should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Against {
    /// Within the target.
    Within,
    /// Fewer than the target's minimum.
    Below,
    /// More than the target's maximum.
    Above,
}

/// A whole vote's result: counts only, never who chose what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Members of the panel.
    pub panel: u32,
    /// Experts who cast a valid ballot.
    pub present: u32,
    /// Experts the quorum needs.
    pub quorum_needed: u64,
    /// Whether the quorum is met.
    pub quorum_met: bool,
    /// Per nomination, in the vote's order.
    pub items: Vec<ItemTally>,
    /// The passing nominations, in the vote's order.
    pub passing: Vec<String>,
    /// The target size of the list (min, max).
    pub target: (u32, u32),
    /// The passing list against the target.
    pub against: Against,
}

/// Counts `ballots` (each a choice per nomination of `items`, in that order) under `rule`, for
/// a panel of `panel` experts, against `target` (min, max).
pub fn tally(
    rule: &Rule,
    items: &[String],
    ballots: &[Vec<Choice>],
    panel: u32,
    target: (u32, u32),
) -> Tally {
    let present = u32::try_from(ballots.len()).unwrap_or(u32::MAX);
    let quorum_needed = rule.quorum.needed(panel);
    let quorum_met = u64::from(present) >= quorum_needed && present > 0;
    let mut out = Vec::with_capacity(items.len());
    for (i, id) in items.iter().enumerate() {
        let (mut yes, mut no, mut abstain) = (0u32, 0u32, 0u32);
        for b in ballots {
            match b.get(i) {
                Some(Choice::Yes) => yes += 1,
                Some(Choice::No) => no += 1,
                Some(Choice::Abstain) | None => abstain += 1,
            }
        }
        let of = match rule.pass.base {
            Base::Present => present,
            Base::Voting => yes + no,
            Base::Panel => panel,
        };
        let needed = rule.pass.needed(of);
        let outcome = if !quorum_met {
            Outcome::NoQuorum
        } else if yes == no && yes > 0 {
            match rule.ties {
                TieRule::Fail => Outcome::Fail,
                TieRule::Pass => Outcome::Pass,
                TieRule::Chair => Outcome::Tie,
            }
        } else if yes > 0 && u64::from(yes) >= needed {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        out.push(ItemTally {
            id: id.clone(),
            yes,
            no,
            abstain,
            needed,
            outcome,
        });
    }
    let passing: Vec<String> = out
        .iter()
        .filter(|t| t.outcome == Outcome::Pass)
        .map(|t| t.id.clone())
        .collect();
    let n = u32::try_from(passing.len()).unwrap_or(u32::MAX);
    let against = if n < target.0 {
        Against::Below
    } else if n > target.1 {
        Against::Above
    } else {
        Against::Within
    };
    Tally {
        panel,
        present,
        quorum_needed,
        quorum_met,
        items: out,
        passing,
        target,
        against,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Choice::{Abstain as A, No as N, Yes as Y};

    fn rule(pass: &str, quorum: &str, ties: TieRule) -> Rule {
        VoteRules {
            pass: pass.into(),
            quorum: quorum.into(),
            ties,
        }
        .rule()
        .unwrap()
    }

    /// Ballots for one item: `y` yes, `n` no, `a` abstain.
    fn one(y: usize, n: usize, a: usize) -> Vec<Vec<Choice>> {
        let mut v = vec![vec![Y]; y];
        v.extend(vec![vec![N]; n]);
        v.extend(vec![vec![A]; a]);
        v
    }

    fn outcome(r: &Rule, ballots: &[Vec<Choice>], panel: u32) -> (u64, Outcome) {
        let t = tally(r, &["X".into()], ballots, panel, (1, 1));
        (t.items[0].needed, t.items[0].outcome)
    }

    #[test]
    fn a_rule_reads_in_either_language() {
        use crate::text::i18n::Lang;
        let two_thirds = Fraction::parse("2/3 of present").unwrap();
        assert_eq!(two_thirds.text(Lang::Zh), "到会专家的2/3以上");
        assert_eq!(two_thirds.text(Lang::En), two_thirds.to_string());
        let half = Fraction::parse("more than 1/2 of panel").unwrap();
        assert_eq!(half.text(Lang::Zh), "超过专家组全体的1/2");
        assert_eq!(half.text(Lang::En), "more than 1/2 of panel");
    }

    #[test]
    fn fractions_parse_strictly() {
        let f = Fraction::parse("2/3 of present").unwrap();
        assert_eq!(
            (f.num, f.den, f.base, f.strict),
            (2, 3, Base::Present, false)
        );
        let f = Fraction::parse(" More than 1/2 of voting ").unwrap();
        assert_eq!((f.num, f.den, f.base, f.strict), (1, 2, Base::Voting, true));
        assert_eq!(f.to_string(), "more than 1/2 of voting");
        for bad in [
            "2/3",
            "2/3 of all",
            "0.66 of present",
            "3/2 of present",
            "2/0 of panel",
            "-1/2 of panel",
            "two thirds of present",
            "",
        ] {
            assert_eq!(Fraction::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn thresholds_are_exact() {
        let f = Fraction::parse("2/3 of present").unwrap();
        // 2/3 of 7 = 4.67: 5 needed. 2/3 of 6 = 4 exactly: 4. 2/3 of 9 = 6; of 10 = 6.67 → 7.
        assert_eq!(
            [1, 2, 3, 6, 7, 9, 10, 0].map(|n| f.needed(n)),
            [1, 2, 2, 4, 5, 6, 7, 0]
        );
        let half = Fraction::parse("1/2 of present").unwrap();
        assert_eq!([4, 5, 8].map(|n| half.needed(n)), [2, 3, 4]);
        let more = Fraction::parse("more than 1/2 of present").unwrap();
        // More than half of 8 is 5; of 7 (3.5) is 4.
        assert_eq!([4, 7, 8].map(|n| more.needed(n)), [3, 4, 5]);
        // No overflow at the extremes.
        let all = Fraction::parse("4294967295/4294967295 of panel").unwrap();
        assert_eq!(all.needed(u32::MAX), u64::from(u32::MAX));
    }

    #[test]
    fn two_thirds_of_seven_present_needs_five() {
        let r = rule("2/3 of present", "2/3 of panel", TieRule::Fail);
        // 7 present (abstentions count): 5 yes passes, 4 does not.
        assert_eq!(outcome(&r, &one(5, 2, 0), 9), (5, Outcome::Pass));
        assert_eq!(outcome(&r, &one(4, 1, 2), 9), (5, Outcome::Fail));
        assert_eq!(outcome(&r, &one(4, 3, 0), 9), (5, Outcome::Fail));
        // 6 present: exactly 4 is two thirds.
        assert_eq!(outcome(&r, &one(4, 2, 0), 9), (4, Outcome::Pass));
        assert_eq!(outcome(&r, &one(3, 0, 3), 9), (4, Outcome::Fail));
    }

    #[test]
    fn quorum_boundaries() {
        let r = rule("1/2 of present", "2/3 of panel", TieRule::Fail);
        // Panel 9: 6 needed. 5 present: no quorum, even when all agree.
        let t = tally(&r, &["X".into()], &one(5, 0, 0), 9, (1, 1));
        assert_eq!((t.quorum_needed, t.quorum_met), (6, false));
        assert_eq!(t.items[0].outcome, Outcome::NoQuorum);
        assert!(t.passing.is_empty());
        // 6 present, all abstaining but one yes: quorum met (abstainers are present); 1 < 3.
        let t = tally(&r, &["X".into()], &one(1, 0, 5), 9, (1, 1));
        assert!(t.quorum_met);
        assert_eq!(t.items[0].outcome, Outcome::Fail);
        // Panel 7: 2/3 of 7 = 4.67, so 5 present are needed, 4 are not enough.
        assert!(!tally(&r, &["X".into()], &one(4, 0, 0), 7, (1, 1)).quorum_met);
        assert!(tally(&r, &["X".into()], &one(5, 0, 0), 7, (1, 1)).quorum_met);
        // Nobody present is never a quorum, even of a rule that asks for none.
        let zero = rule("1/2 of present", "0/3 of panel", TieRule::Fail);
        assert!(!tally(&zero, &["X".into()], &[], 7, (1, 1)).quorum_met);
    }

    #[test]
    fn ties_follow_the_rule() {
        // Half of present: 4 yes / 4 no meets the threshold; the tie rule overrides it.
        let ballots = one(4, 4, 0);
        let fail = rule("1/2 of present", "1/2 of panel", TieRule::Fail);
        assert_eq!(outcome(&fail, &ballots, 8), (4, Outcome::Fail));
        let pass = rule("2/3 of present", "1/2 of panel", TieRule::Pass);
        assert_eq!(outcome(&pass, &ballots, 8), (6, Outcome::Pass));
        let chair = rule("1/2 of present", "1/2 of panel", TieRule::Chair);
        assert_eq!(outcome(&chair, &ballots, 8), (4, Outcome::Tie));
        // All abstaining is not a tie: nobody is for it.
        assert_eq!(outcome(&pass, &one(0, 0, 8), 8), (6, Outcome::Fail));
    }

    #[test]
    fn voting_and_panel_bases() {
        // Of voting: abstentions drop out. 3 yes, 1 no, 4 abstain: 2/3 of 4 = 2.67 → 3: pass.
        let r = rule("2/3 of voting", "1/2 of panel", TieRule::Fail);
        assert_eq!(outcome(&r, &one(3, 1, 4), 8), (3, Outcome::Pass));
        // Of panel: absent members count against. Panel 9, 1/2 → 5; 4 yes of 6 present fails.
        let r = rule("1/2 of panel", "1/2 of panel", TieRule::Fail);
        assert_eq!(outcome(&r, &one(4, 1, 1), 9), (5, Outcome::Fail));
        assert_eq!(outcome(&r, &one(5, 0, 1), 9), (5, Outcome::Pass));
    }

    #[test]
    fn the_list_is_held_against_the_target() {
        let r = rule("1/2 of present", "1/2 of panel", TieRule::Fail);
        let items: Vec<String> = (1..=4).map(|i| format!("I{i}")).collect();
        // Three experts: I1 and I3 pass (2 of 3 yes), I2 fails, I4 fails on 1 yes.
        let ballots = vec![vec![Y, N, Y, Y], vec![Y, N, Y, N], vec![N, Y, A, N]];
        let t = tally(&r, &items, &ballots, 3, (2, 3));
        assert_eq!(t.passing, ["I1", "I3"]);
        assert_eq!(t.against, Against::Within);
        assert_eq!(
            (t.items[2].yes, t.items[2].no, t.items[2].abstain),
            (2, 0, 1)
        );
        assert_eq!(
            tally(&r, &items, &ballots, 3, (3, 3)).against,
            Against::Below
        );
        assert_eq!(
            tally(&r, &items, &ballots, 3, (1, 1)).against,
            Against::Above
        );
    }

    #[test]
    fn rules_name_the_field_that_is_wrong() {
        let bad = |pass: &str, quorum: &str| {
            VoteRules {
                pass: pass.into(),
                quorum: quorum.into(),
                ties: TieRule::Fail,
            }
            .rule()
            .unwrap_err()
            .0
        };
        assert_eq!(bad("2/3 of everyone", "2/3 of panel"), "vote.pass");
        assert_eq!(bad("0/3 of present", "2/3 of panel"), "vote.pass");
        assert_eq!(bad("2/3 of present", "2/3 of present"), "vote.quorum");
        assert_eq!(bad("2/3 of present", "lots"), "vote.quorum");
    }

    #[test]
    fn choices_parse_as_written_on_paper() {
        assert_eq!(Choice::parse(" 同意 "), Some(Y));
        assert_eq!(Choice::parse("不同意"), Some(N));
        assert_eq!(Choice::parse("弃权"), Some(A));
        assert_eq!(Choice::parse("YES"), Some(Y));
        assert_eq!(Choice::parse("maybe"), None);
        assert_eq!(Stage::parse("终审"), Some(Stage::Final));
        assert_eq!(Stage::parse("Meeting"), Some(Stage::Meeting));
    }
}
