//! Short plain-words descriptions of the nine technology readiness levels.
//!
//! The form asks for a level "参照GB/T 22900-2009测算". That standard's own level texts were
//! not available to us, so these are revdesk's paraphrases of the common 9-level scale,
//! shown as a reading aid and never presented as the standard's wording.

/// A one-line description of a readiness level (1–9), in Chinese or English.
pub fn describe(level: u8, english: bool) -> &'static str {
    const ZH: [&str; 9] = [
        "发现并报告了基本原理",
        "提出了技术概念和应用设想",
        "关键功能经分析和实验验证",
        "部件或样品在实验室环境中验证",
        "部件或样品在相关环境中验证",
        "系统或样机在相关环境中演示",
        "系统原型在实际使用环境中演示",
        "实际系统完成并通过试验和鉴定",
        "实际系统经成功运行得到证明",
    ];
    const EN: [&str; 9] = [
        "basic principles observed and reported",
        "technology concept and application formulated",
        "key function proven by analysis and experiment",
        "components validated in the laboratory",
        "components validated in a relevant environment",
        "system or prototype demonstrated in a relevant environment",
        "prototype demonstrated in the real operating environment",
        "actual system completed and qualified by test",
        "actual system proven in successful operation",
    ];
    match level {
        1..=9 => {
            let i = usize::from(level - 1);
            if english { EN[i] } else { ZH[i] }
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_both_languages() {
        for l in 1..=9 {
            assert!(!describe(l, false).is_empty());
            assert!(!describe(l, true).is_empty());
        }
        assert_eq!(describe(0, false), "");
        assert_eq!(describe(10, true), "");
    }
}
