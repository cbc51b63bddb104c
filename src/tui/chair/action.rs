//! What the chair can ask for with a key, in one table: keymap names, built-in keys and help
//! all come from [`TABLE`].

use crate::tui::keys::{ActionInfo, Hint, view_actions};

/// The chair's intent, independent of the key that triggered it.
///
/// Declared in help order; [`TABLE`] lists them in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum Action {
    /// Select the next row.
    NextItem,
    /// Select the previous row.
    PrevItem,
    /// Select the first row.
    FirstItem,
    /// Select the last row.
    LastItem,
    /// Start a search of ids, names and units.
    Search,
    /// Cycle the filter: all / shortlisted / borderline / decided.
    CycleFilter,
    /// Show the next pane: ranking, detail, panel.
    NextPane,
    /// Show the previous pane.
    PrevPane,
    /// Open the selected nomination's detail.
    OpenDetail,
    /// Page the ranking's selection, or the detail's or panel's text, down.
    PageDown,
    /// Page up.
    PageUp,
    /// Select the last nomination inside the cut, with the cut mid-screen.
    JumpToCut,
    /// Show the help overlay.
    Help,
    /// Close a popup, clear the message, go back to the ranking.
    Cancel,
    /// Quit.
    Quit,
    /// Switch the aggregation method.
    CycleMethod,
    /// Move the cut down one place (a longer list).
    CutDown,
    /// Move the cut up one place (a shorter list).
    CutUp,
    /// Include the nomination against the ranking (asks for a reason).
    Include,
    /// Exclude the nomination against the ranking (asks for a reason).
    Exclude,
    /// Withdraw an include/exclude.
    ClearOverride,
    /// Mark the ties at the cut resolved (asks how).
    ResolveTies,
    /// Projection mode on or off: experts anonymised for the meeting room's wall.
    Projection,
    /// Open discussion round 2 in the experts' store (asks which nominations).
    OpenRound,
}

/// One row of the table: `legacy` is the name the old `[keys]` files used, shared with the
/// scoring view (where Enter commits, the chair's Enter opens the detail).
const fn row(
    action: Action,
    (name, legacy): (&'static str, &'static str),
    keys: &'static [&'static str],
    zh: &'static str,
    en: &'static str,
) -> ActionInfo<Action> {
    ActionInfo {
        action,
        name,
        legacy,
        keys,
        zh,
        en,
    }
}

/// Every action: keymap names, built-in keys, help in Chinese and English.
pub const TABLE: &[ActionInfo<Action>] = &[
    row(
        Action::NextItem,
        ("next_item", "next_item"),
        &["j", "Down"],
        "下一个推荐项目",
        "next nomination",
    ),
    row(
        Action::PrevItem,
        ("prev_item", "prev_item"),
        &["k", "Up"],
        "上一个推荐项目",
        "previous nomination",
    ),
    row(
        Action::FirstItem,
        ("first_item", "first_item"),
        &["g", "Home"],
        "第一个",
        "first nomination",
    ),
    row(
        Action::LastItem,
        ("last_item", "last_item"),
        &["G", "End"],
        "最后一个",
        "last nomination",
    ),
    row(
        Action::Search,
        ("search", "search"),
        &["/"],
        "搜索编号、名称、单位",
        "search ids, names, units",
    ),
    row(
        Action::CycleFilter,
        ("cycle_filter", "cycle_filter"),
        &["f"],
        "筛选：全部/入围/边缘/有决定",
        "filter: all / shortlisted / borderline / decided",
    ),
    row(
        Action::NextPane,
        ("next_pane", "next_criterion"),
        &["Tab", "l", "Right"],
        "下一个视图：排名/详情/专家组",
        "next pane: ranking / detail / panel",
    ),
    row(
        Action::PrevPane,
        ("prev_pane", "prev_criterion"),
        &["BackTab", "h", "Left"],
        "上一个视图",
        "previous pane",
    ),
    row(
        Action::OpenDetail,
        ("open_detail", "commit"),
        &["Enter"],
        "打开详情",
        "open the detail",
    ),
    row(
        Action::PageDown,
        ("page_down", "scroll_down"),
        &["PageDown", "Ctrl-d", "Space"],
        "向下翻页（排名或详情）",
        "page down (ranking or detail)",
    ),
    row(
        Action::PageUp,
        ("page_up", "scroll_up"),
        &["PageUp", "Ctrl-u"],
        "向上翻页（排名或详情）",
        "page up (ranking or detail)",
    ),
    row(
        Action::JumpToCut,
        ("jump_to_cut", "comment"),
        &["c"],
        "跳到分数线",
        "jump to the cut",
    ),
    row(
        Action::Help,
        ("help", "help"),
        &["?", "F1"],
        "帮助",
        "this help",
    ),
    row(
        Action::Cancel,
        ("cancel", "cancel"),
        &["Esc"],
        "关闭弹窗、清除消息、回到排名",
        "close a popup, clear the message, back to the ranking",
    ),
    row(
        Action::Quit,
        ("quit", "quit"),
        &["q", "Ctrl-c"],
        "退出（所有修改已保存）",
        "quit (everything is already saved)",
    ),
    row(
        Action::CycleMethod,
        ("cycle_method", "cycle_method"),
        &["M"],
        "切换汇总方法",
        "switch the aggregation method",
    ),
    row(
        Action::CutDown,
        ("cut_down", "cut_down"),
        &["]"],
        "分数线下移一位（名单变长）",
        "move the cut down (a longer list)",
    ),
    row(
        Action::CutUp,
        ("cut_up", "cut_up"),
        &["["],
        "分数线上移一位（名单变短）",
        "move the cut up (a shorter list)",
    ),
    row(
        Action::Include,
        ("include", "include"),
        &["I"],
        "破格入围（需填写理由）",
        "include against the ranking (reason required)",
    ),
    row(
        Action::Exclude,
        ("exclude", "exclude"),
        &["X"],
        "不予入围（需填写理由）",
        "exclude against the ranking (reason required)",
    ),
    row(
        Action::ClearOverride,
        ("clear_override", "clear_override"),
        &["C"],
        "撤销入围/不入围决定",
        "withdraw an include/exclude",
    ),
    row(
        Action::ResolveTies,
        ("resolve_ties", "resolve_ties"),
        &["T"],
        "标记分数线处并列已解决",
        "mark the ties at the cut resolved",
    ),
    row(
        Action::Projection,
        ("projection", "projection"),
        &["p"],
        "投影模式：专家显示为专家A、专家B等（再按退出）",
        "projection: experts shown as Expert A, Expert B",
    ),
    row(
        Action::OpenRound,
        ("open_round", "open_round"),
        &["R"],
        "开启第二轮会评（需 --server）",
        "open discussion round 2 (needs --server)",
    ),
];

/// The key bar on the ranking, in order (help has its own place at the right edge).
pub const RANKING_HINTS: &[Hint<Action>] = &[
    Hint::new(&[Action::NextItem, Action::PrevItem], "移动", "move"),
    Hint::new(&[Action::JumpToCut], "分数线", "cut"),
    Hint::new(&[Action::OpenDetail], "详情", "detail"),
    Hint::new(&[Action::NextPane], "切换", "view"),
    Hint::new(&[Action::CycleMethod], "方法", "method"),
    Hint::new(&[Action::CutUp, Action::CutDown], "移线", "move cut"),
    Hint::new(&[Action::Include], "破格入围", "include"),
    Hint::new(&[Action::Exclude], "不入围", "exclude"),
    Hint::new(&[Action::Quit], "退出", "quit"),
];

/// The key bar on a nomination's detail.
pub const DETAIL_HINTS: &[Hint<Action>] = &[
    Hint::new(
        &[Action::NextItem, Action::PrevItem],
        "上/下一个",
        "next/prev",
    ),
    Hint::new(&[Action::Cancel], "回到排名", "ranking"),
    Hint::new(&[Action::PageDown, Action::PageUp], "翻页", "page"),
    Hint::new(&[Action::Include], "破格入围", "include"),
    Hint::new(&[Action::Exclude], "不入围", "exclude"),
    Hint::new(&[Action::ClearOverride], "撤销决定", "withdraw"),
    Hint::new(&[Action::NextPane], "专家组", "panel"),
    Hint::new(&[Action::Quit], "退出", "quit"),
];

/// The key bar on the panel view.
pub const PANEL_HINTS: &[Hint<Action>] = &[
    Hint::new(&[Action::Cancel], "回到排名", "ranking"),
    Hint::new(&[Action::PrevPane], "详情", "detail"),
    Hint::new(&[Action::PageDown, Action::PageUp], "翻页", "page"),
    Hint::new(
        &[Action::NextItem, Action::PrevItem],
        "上/下一个",
        "next/prev",
    ),
    Hint::new(&[Action::Quit], "退出", "quit"),
];

/// The key bar while a reason is typed.
pub const REASON_HINTS: &[Hint<Action>] = &[
    Hint::fixed("Enter", "记录", "record"),
    Hint::fixed("Esc", "取消", "cancel"),
];

/// The key bar while the view offers to move the cut back into range.
pub const COMPENSATE_HINTS: &[Hint<Action>] = &[
    Hint::fixed("y", "移动分数线", "move the cut"),
    Hint::fixed("n", "不移动", "leave it"),
];

/// The key bar while the chair picks the nominations of a discussion round.
pub const ROUND_HINTS: &[Hint<Action>] = &[
    Hint::fixed("↑↓", "选择", "choose"),
    Hint::fixed("Enter", "开启", "open"),
    Hint::fixed("Esc", "取消", "cancel"),
];

/// The key bar under the help overlay.
pub const HELP_HINTS: &[Hint<Action>] = &[
    Hint::new(&[Action::NextItem, Action::PrevItem], "滚动", "scroll"),
    Hint::new(&[Action::PageDown, Action::PageUp], "翻页", "page"),
    Hint::new(&[Action::Cancel], "关闭帮助", "close help"),
];

view_actions!(
    Action,
    "chair",
    TABLE,
    [
        RANKING_HINTS,
        DETAIL_HINTS,
        PANEL_HINTS,
        REASON_HINTS,
        COMPENSATE_HINTS,
        ROUND_HINTS,
        HELP_HINTS
    ]
);
