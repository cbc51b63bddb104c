//! What the terminal views say about their actions; the strings themselves live in
//! [`crate::text::i18n`].

use super::action::Action;
pub use crate::text::i18n::{Lang, T};

/// What an action does, for the help overlay.
pub fn describe(a: Action, lang: Lang) -> &'static str {
    let (zh, en) = match a {
        Action::NextItem => ("下一个推荐项目", "next nomination"),
        Action::PrevItem => ("上一个推荐项目", "previous nomination"),
        Action::FirstItem => ("第一个", "first nomination"),
        Action::LastItem => ("最后一个", "last nomination"),
        Action::NextTodo => ("下一个未评完的项目", "next nomination not fully scored"),
        Action::Search => (
            "搜索编号、名称、单位和正文",
            "search ids, names, units and text",
        ),
        Action::CycleFilter => (
            "筛选：全部/待评/待讨论/已回避",
            "filter: all / to do / flagged / recused",
        ),
        Action::NextCriterion => ("下一个评分指标", "next criterion"),
        Action::PrevCriterion => ("上一个评分指标", "previous criterion"),
        Action::Commit => ("确认输入的分数并前进", "commit the typed score and move on"),
        Action::Increment => ("当前分数加一档", "raise the score by one step"),
        Action::Decrement => ("当前分数减一档", "lower the score by one step"),
        Action::ClearScore => (
            "删除输入或清除已保存的分数",
            "delete typed digits or clear the score",
        ),
        Action::ScrollDown => ("材料向下翻页", "scroll the material down"),
        Action::ScrollUp => ("材料向上翻页", "scroll the material up"),
        Action::Comment => ("填写评语", "write a comment"),
        Action::Recuse => (
            "回避（利益冲突），再按撤回",
            "recuse (conflict of interest); again to withdraw",
        ),
        Action::Flag => ("标记/取消 会上讨论", "flag / unflag for discussion"),
        Action::Confidence => ("信心：低/中/高", "confidence: low / normal / high"),
        Action::CycleMethod => ("切换汇总方法", "switch the aggregation method"),
        Action::CutDown => (
            "分数线下移一位（名单变长）",
            "move the cut down (a longer list)",
        ),
        Action::CutUp => (
            "分数线上移一位（名单变短）",
            "move the cut up (a shorter list)",
        ),
        Action::Include => (
            "破格入围（需填写理由）",
            "include against the ranking (reason required)",
        ),
        Action::Exclude => (
            "不予入围（需填写理由）",
            "exclude against the ranking (reason required)",
        ),
        Action::ClearOverride => ("撤销入围/不入围决定", "withdraw an include/exclude"),
        Action::ResolveTies => (
            "标记分数线处并列已解决",
            "mark the ties at the cut resolved",
        ),
        Action::SubmitSheet => (
            "提交签名评分表（交给主席）",
            "write a signed score sheet for the chair",
        ),
        Action::Undo => (
            "撤销上一次修改（可连续）",
            "undo the last change (repeatable)",
        ),
        Action::Contacts => ("显示/隐藏联系方式", "show / hide contact details"),
        Action::ToggleList => ("窄屏时切换列表/材料", "narrow screens: list or material"),
        Action::Help => ("帮助", "this help"),
        Action::Cancel => ("关闭弹窗或取消输入", "close a popup or cancel typing"),
        Action::Quit => (
            "退出（所有修改已保存）",
            "quit (everything is already saved)",
        ),
    };
    if lang.en() { en } else { zh }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_described() {
        for a in Action::ALL {
            assert!(!describe(a, Lang::Zh).is_empty());
            assert!(!describe(a, Lang::En).is_empty());
        }
    }
}
