//! What an expert can ask for with a key in the scoring view, in one table: keymap names,
//! built-in keys and help all come from [`TABLE`].

use crate::tui::keys::{ActionInfo, Hint, view_actions};

/// An expert's intent in the scoring view, independent of the key that triggered it.
///
/// Declared in help order; [`TABLE`] lists them in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum Action {
    /// Select the next nomination.
    NextItem,
    /// Select the previous nomination.
    PrevItem,
    /// Select the first nomination.
    FirstItem,
    /// Select the last nomination.
    LastItem,
    /// Jump to the next nomination not yet fully scored.
    NextTodo,
    /// Start an incremental search.
    Search,
    /// Cycle the list filter: all / to do / flagged / recused.
    CycleFilter,
    /// Focus the next criterion.
    NextCriterion,
    /// Focus the previous criterion.
    PrevCriterion,
    /// Commit the typed score (and move on).
    Commit,
    /// Raise the focused score by one step.
    Increment,
    /// Lower the focused score by one step.
    Decrement,
    /// Clear the typed digits, or the committed score.
    ClearScore,
    /// Scroll the reading pane down.
    ScrollDown,
    /// Scroll the reading pane up.
    ScrollUp,
    /// Open the comment editor.
    Comment,
    /// Recuse from the nomination (or withdraw the recusal).
    Recuse,
    /// Flag the nomination for discussion.
    Flag,
    /// Cycle the confidence of this nomination's scores: low / normal / high.
    Confidence,
    /// Undo the last change.
    Undo,
    /// Write a signed score sheet of everything scored so far, for the chair.
    SubmitSheet,
    /// Show or hide contact details.
    Contacts,
    /// Switch between the list and the reading pane on narrow screens.
    ToggleList,
    /// Show the help overlay.
    Help,
    /// Close a popup or cancel typing.
    Cancel,
    /// Quit.
    Quit,
}

/// One row of the table; the old `[keys]` files used the same names.
const fn row(
    action: Action,
    name: &'static str,
    keys: &'static [&'static str],
    zh: &'static str,
    en: &'static str,
) -> ActionInfo<Action> {
    ActionInfo {
        action,
        name,
        legacy: name,
        keys,
        zh,
        en,
    }
}

/// Every action: keymap name, built-in keys, help in Chinese and English.
pub const TABLE: &[ActionInfo<Action>] = &[
    row(
        Action::NextItem,
        "next_item",
        &["j", "Down"],
        "下一个推荐项目",
        "next nomination",
    ),
    row(
        Action::PrevItem,
        "prev_item",
        &["k", "Up"],
        "上一个推荐项目",
        "previous nomination",
    ),
    row(
        Action::FirstItem,
        "first_item",
        &["g", "Home"],
        "第一个",
        "first nomination",
    ),
    row(
        Action::LastItem,
        "last_item",
        &["G", "End"],
        "最后一个",
        "last nomination",
    ),
    row(
        Action::NextTodo,
        "next_todo",
        &["n"],
        "下一个未评完的项目",
        "next nomination not fully scored",
    ),
    row(
        Action::Search,
        "search",
        &["/"],
        "搜索编号、名称、单位和正文",
        "search ids, names, units and text",
    ),
    row(
        Action::CycleFilter,
        "cycle_filter",
        &["f"],
        "筛选：全部/待评/待讨论/已回避",
        "filter: all / to do / flagged / recused",
    ),
    row(
        Action::NextCriterion,
        "next_criterion",
        &["Tab", "l", "Right"],
        "下一个评分指标",
        "next criterion",
    ),
    row(
        Action::PrevCriterion,
        "prev_criterion",
        &["BackTab", "h", "Left"],
        "上一个评分指标",
        "previous criterion",
    ),
    row(
        Action::Commit,
        "commit",
        &["Enter"],
        "确认输入的分数并前进",
        "commit the typed score and move on",
    ),
    row(
        Action::Increment,
        "increment",
        &["+", "="],
        "当前分数加一档",
        "raise the score by one step",
    ),
    row(
        Action::Decrement,
        "decrement",
        &["-"],
        "当前分数减一档",
        "lower the score by one step",
    ),
    row(
        Action::ClearScore,
        "clear_score",
        &["Backspace", "Delete"],
        "删除输入或清除已保存的分数",
        "delete typed digits or clear the score",
    ),
    row(
        Action::ScrollDown,
        "scroll_down",
        &["PageDown", "Ctrl-d", "Space"],
        "材料向下翻页",
        "scroll the material down",
    ),
    row(
        Action::ScrollUp,
        "scroll_up",
        &["PageUp", "Ctrl-u"],
        "材料向上翻页",
        "scroll the material up",
    ),
    row(
        Action::Comment,
        "comment",
        &["c"],
        "填写评语",
        "write a comment",
    ),
    row(
        Action::Recuse,
        "recuse",
        &["x"],
        "回避（利益冲突），再按撤回",
        "recuse (conflict of interest); again to withdraw",
    ),
    row(
        Action::Flag,
        "flag",
        &["m"],
        "标记/取消 会上讨论",
        "flag / unflag for discussion",
    ),
    row(
        Action::Confidence,
        "confidence",
        &["w"],
        "信心：低/中/高",
        "confidence: low / normal / high",
    ),
    row(
        Action::Undo,
        "undo",
        &["u"],
        "撤销上一次修改（可连续）",
        "undo the last change (repeatable)",
    ),
    row(
        Action::SubmitSheet,
        "submit_sheet",
        &["S"],
        "提交签名评分表（交给主席）",
        "write a signed score sheet for the chair",
    ),
    row(
        Action::Contacts,
        "contacts",
        &["i"],
        "显示/隐藏联系方式",
        "show / hide contact details",
    ),
    row(
        Action::ToggleList,
        "toggle_list",
        &["v"],
        "窄屏时切换列表/材料",
        "narrow screens: list or material",
    ),
    row(Action::Help, "help", &["?", "F1"], "帮助", "this help"),
    row(
        Action::Cancel,
        "cancel",
        &["Esc"],
        "关闭弹窗或取消输入",
        "close a popup or cancel typing",
    ),
    row(
        Action::Quit,
        "quit",
        &["q", "Ctrl-c"],
        "退出（所有修改已保存）",
        "quit (everything is already saved)",
    ),
];

/// The status bar's key hints in list mode, in order (after typing digits, which no action is).
pub const LIST_HINTS: &[Hint<Action>] = &[
    Hint::new(&[Action::NextItem, Action::PrevItem], "移动", "move"),
    Hint::new(&[Action::NextCriterion], "指标", "criterion"),
    Hint::new(&[Action::ToggleList], "列表", "list"),
    Hint::new(&[Action::Comment], "评语", "comment"),
    Hint::new(&[Action::Recuse], "回避", "recuse"),
    Hint::new(&[Action::Flag], "讨论", "flag"),
    Hint::new(&[Action::Undo], "撤销", "undo"),
    Hint::new(&[Action::Quit], "退出", "quit"),
];

/// The key bar in the comment editor: the editor reads these keys itself.
pub const COMMENT_HINTS: &[Hint<Action>] = &[
    Hint::fixed("Esc", "保存并关闭", "save and close"),
    Hint::fixed("Enter", "换行", "new line"),
    Hint::fixed("Ctrl-u", "撤销", "undo"),
    Hint::fixed("Ctrl-r", "重做", "redo"),
];

/// The key bar at the recusal prompt.
pub const RECUSE_HINTS: &[Hint<Action>] = &[
    Hint::fixed("Enter", "确认回避", "recuse"),
    Hint::fixed("Esc", "取消", "cancel"),
];

/// The key bar at the reason prompt of a revision (discussion round).
pub const REVISE_HINTS: &[Hint<Action>] = &[
    Hint::fixed("Enter", "确认修改", "revise"),
    Hint::fixed("Esc", "放弃修改", "drop the change"),
];

/// The key bar under the help overlay.
pub const HELP_HINTS: &[Hint<Action>] = &[
    Hint::new(&[Action::NextItem, Action::PrevItem], "滚动", "scroll"),
    Hint::new(&[Action::ScrollDown, Action::ScrollUp], "翻页", "page"),
    Hint::new(&[Action::Cancel], "关闭帮助", "close help"),
];

view_actions!(
    Action,
    "scoring",
    TABLE,
    [
        LIST_HINTS,
        COMMENT_HINTS,
        RECUSE_HINTS,
        REVISE_HINTS,
        HELP_HINTS
    ]
);
