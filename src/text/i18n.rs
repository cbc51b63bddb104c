//! Every user-facing string, in Chinese and English: the one place to translate.

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文 (the default for our users).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Parses `zh`/`en` (and `zh-CN`, `en_US`, …).
    pub fn parse(s: &str) -> Option<Lang> {
        let l = s.trim().to_ascii_lowercase();
        if l.starts_with("zh") {
            Some(Lang::Zh)
        } else if l.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`): English for explicit non-Chinese
    /// locales, Chinese otherwise (a bare `C`/`POSIX` locale is common over SSH).
    pub fn from_env() -> Lang {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let loc = get("LC_ALL")
            .or_else(|| get("LC_MESSAGES"))
            .or_else(|| get("LANG"));
        Lang::from_locale(loc.as_deref())
    }

    /// The decision behind [`Lang::from_env`], for a given locale string.
    pub fn from_locale(loc: Option<&str>) -> Lang {
        match loc {
            None => Lang::Zh,
            Some(l) if l == "C" || l == "POSIX" || l.starts_with("C.") => Lang::Zh,
            Some(l) => Lang::parse(l).unwrap_or(Lang::En),
        }
    }

    /// Whether this is English.
    pub fn en(self) -> bool {
        self == Lang::En
    }
}

macro_rules! strings {
    ($($name:ident => $zh:expr, $en:expr;)*) => {
        /// A UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $(#[allow(missing_docs)] $name),* }

        impl T {
            /// Every string, in catalogue order.
            pub const ALL: &'static [T] = &[$(T::$name),*];

            /// The text in a language.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$name, Lang::Zh) => $zh, (T::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

strings! {
    FilterAll => "全部", "all";
    FilterTodo => "待评", "to do";
    FilterFlagged => "待讨论", "flagged";
    FilterRecused => "已回避", "recused";
    StatusRecused => "回避", "rec.";
    Saved => "已保存", "saved";
    NotSaved => "未保存!", "NOT SAVED";
    Scored => "已评", "scored";
    PaneList => "推荐项目", "Nominations";
    PaneScores => "评分", "Scores";
    Total => "总分", "Total";
    Comment => "评语", "Comment";
    NoComment => "（无评语，按 {key} 填写）", "(no comment: press {key})";
    Recused => "已回避", "Recused";
    RecusedBecause => "回避原因：{reason}", "Reason for recusal: {reason}";
    OutOf100 => " / 100", " / 100";
    RecusedHint => "已回避，不能评分。再按 {key} 撤回回避。", "Recused: cannot be scored. Press {key} again to withdraw.";
    Flagged => "待讨论", "Flagged for discussion";
    Confidence => "信心", "Confidence";
    ConfLow => "低", "low";
    ConfNormal => "中", "normal";
    ConfHigh => "高", "high";
    ContactsHidden => "联系方式已隐藏（按 {key} 显示）", "Contact details hidden (press {key} to show)";
    HelpTitle => "帮助：按键", "Help: keys";
    HelpFooter => "Esc 或 {help} 关闭；{down}/{up} 滚动", "Esc or {help} closes; {down}/{up} scroll";
    HelpMore => "第 {from}-{to} 行，共 {n} 行", "lines {from}-{to} of {n}";
    HelpInSearch => "搜索时：Enter 保留筛选，Esc 清除搜索", "while searching: Enter keeps the filter, Esc clears the search";
    HelpInEditor => "评语编辑器：Esc 保存并关闭；粘贴可用", "comment editor: Esc saves and closes; paste works";
    HelpInRecusal => "回避原因：Enter 确认，Esc 取消", "recusal reason: Enter confirms, Esc cancels";
    HelpModal => "（弹出框中）", "(in pop-ups)";
    HelpTyping => "0-9 .  输入当前指标的分数（Enter 确认）", "0-9 .  type a score for the focused criterion (Enter commits)";
    TooSmall => "终端太小：至少需要 {w}x{h}，当前 {cw}x{ch}", "Terminal too small: need at least {w}x{h}, have {cw}x{ch}";
    CommentTitle => "评语（Esc 保存并关闭）", "Comment (Esc saves and closes)";
    RecuseTitle => "回避原因（Enter 确认，Esc 取消）", "Reason for recusal (Enter confirms, Esc cancels)";
    SearchPrompt => "搜索", "Search";
    SearchHint => "Enter 保留筛选，Esc 清除", "Enter keeps the filter, Esc clears it";
    NoMatch => "没有符合条件的推荐项目", "No nomination matches";
    MsgRecused => "已回避 {id}", "Recused from {id}";
    MsgUnrecused => "已撤回对 {id} 的回避", "Recusal of {id} withdrawn";
    MsgReviseWhy => "{id} 在第 {round} 轮会评中：请说明修改理由（Enter 确认，Esc 放弃）", "{id} is in discussion round {round}: say why you revise (Enter confirms, Esc drops the change)";
    MsgReviseNeedReason => "会评中修改评分须说明理由", "A revision in the discussion round needs a reason";
    MsgReviseCancelled => "已放弃修改，评分未变", "Change dropped; the score is as it was";
    MsgRevised => "已修改 {id}（理由已记录）", "{id} revised (reason kept)";
    ReviseTitle => "修改理由", "Why revise";
    RevOwnRound1 => "首轮 {v}", "r1 {v}";
    RevPanelSpread => "{min}–{median}–{max}", "{min}–{median}–{max}";
    RevPanelHead => "专家组首轮分布（最低–中位–最高）：", "Panel, round 1 (min–median–max):";
    RevBanner => "第 {round} 轮会评：专家组首轮 {n} 人，总分 最低 {min} · 中位 {median} · 最高 {max}（不显示姓名）；修改须说明理由，未修改的评分沿用", "Discussion round {round}: the panel's round 1, {n} expert(s), total min {min} · median {median} · max {max} (no names); a revision needs a reason, untouched scores carry over";
    MsgNeedReason => "回避需要填写原因", "A recusal needs a reason";
    MsgFlagged => "已标记 {id} 待讨论", "{id} flagged for discussion";
    MsgUnflagged => "已取消 {id} 的讨论标记", "{id} no longer flagged";
    MsgUndone => "已撤销：{what}", "Undone: {what}";
    MsgNothingToUndo => "没有可撤销的修改", "Nothing to undo";
    MsgRecusedNoScore => "已回避的推荐不能评分（按 {key} 撤回）", "Recused: cannot score (press {key} to withdraw)";
    MsgInputDropped => "输入的“{v}”未保存（Enter 确认分数）", "typed '{v}' discarded (Enter commits a score)";
    MsgInputTooLong => "分数“{v}”太长：按 Backspace 改正", "'{v}' is too long for a score: Backspace to correct";
    MsgNudgeEmpty => "{crit} 尚未评分：请先输入分数", "{crit} has no score yet: type one first";
    MsgAtLimit => "{crit} 已是 {v}", "{crit} is already {v}";
    MsgLastItem => "已是最后一个（{key} 跳到下一个未评完的）", "last nomination ({key} goes to the next one not finished)";
    HintScore => "打分", "score";
    HintHelp => "帮助", "help";
    DemoExpert => "演示专家", "Demo expert";
    MsgBadScore => "{crit}：{err}，未保存", "{crit}: {err}; not saved";
    ErrNotNumber => "“{v}”不是数字", "'{v}' is not a number";
    ErrOutOfRange => "{v} 超出范围 {min}-{max}", "{v} is outside {min}-{max}";
    ErrOffStep => "{v} 不符合步长 {step}", "{v} is not on the step {step}";
    MsgAllDone => "全部推荐项目已评完", "Every nomination is scored";
    MsgSaveFailed => "保存失败：{err}", "Save failed: {err}";
    MsgCommentSaved => "评语已保存", "Comment saved";
    MsgCommentTooLong => "评语有 {n} 字，最多 {max} 字：删减后再按 Esc 保存", "The comment has {n} characters, at most {max} are allowed: shorten it, then Esc saves";
    MsgReasonTooLong => "回避原因有 {n} 字，最多 {max} 字", "The reason has {n} characters, at most {max} are allowed";
    MsgDraftRestored => "已恢复上次未保存的评语草稿", "Unsaved comment draft restored";
    MsgConfidence => "{id} 信心：{level}", "{id} confidence: {level}";
    MsgSubmitted => "已提交第 {seq} 份评分表：{path}", "Score sheet {seq} written: {path}";
    MsgReloaded => "已载入其他会话的修改", "Changes from another session loaded";
    FinalReview => "终审", "Final review";
    PreliminaryRank => "初评排名", "Preliminary rank";
    TrlNote => "通俗说明，非标准原文", "plain-words paraphrase, not the standard's text";
    Unscored => "未评", "unscored";
    // The chair's view.
    ChairFilterAll => "全部", "all";
    ChairFilterShortlisted => "入围", "shortlisted";
    ChairFilterBorderline => "边缘", "borderline";
    ChairFilterDecided => "有决定", "decided";
    ChairSheetsReread => "评分表已更新：有效 {after} 份（之前 {before} 份）", "sheets re-read: {after} accepted (was {before})";
    ChairReasonRequired => "必须填写理由", "a written reason is required";
    ChairMethodIs => "汇总方法：{m}", "method: {m}";
    ChairExpertAlias => "专家{n}", "Expert {n}";
    ChairProjectionOn => "投影模式：专家以代号显示（再按 {key} 退出）", "projection: experts shown anonymised ({key} again to leave)";
    ChairProjectionOff => "投影模式已关闭：显示专家编号和姓名", "projection off: expert ids and names shown";
    ChairProjectionBadge => "投影", "projection";
    ChairRoundNeedsServer => "第二轮会评需要专家评分的数据目录：请以 --server DIR 打开本视图", "round 2 needs the experts' store: start the view with --server DIR";
    ChairRoundAlreadyOpen => "第 {round} 轮会评已开启（{n} 项）", "round {round} is already open ({n} nomination(s))";
    ChairRoundTitle => "开启第 {round} 轮会评", "Open discussion round {round}";
    ChairRoundPickBorderline => "临界项目（分数线附近）", "borderline (near the cut)";
    ChairRoundPickDisputed => "分歧项目（专家总分相差大）", "disputed (the experts' totals far apart)";
    ChairRoundPickSelected => "当前选中的项目", "the selected nomination";
    ChairRoundCount => "将开启 {n} 项：{items}", "opens {n} nomination(s): {items}";
    ChairRoundNoneHere => "此项下没有推荐项目", "no nomination here";
    ChairRoundOpened => "已开启第 {round} 轮会评：{n} 项（{items}）", "round {round} opened for {n} nomination(s): {items}";
    ChairRoundBadge => "第 {round} 轮 · {n} 项", "round {round} · {n}";
    DecCut => "分数线设为 K = {k}", "cut set to K = {k}";
    DecInclude => "{item} 破格入围：{reason}", "{item} included: {reason}";
    DecExclude => "{item} 不予入围：{reason}", "{item} excluded: {reason}";
    DecClear => "已撤销对 {item} 的决定", "decision on {item} withdrawn";
    DecTies => "并列已解决：{note}", "ties resolved: {note}";
    DecIncluded => "破格入围", "included";
    DecExcluded => "不予入围", "excluded";
    ReasonInclude => " {id} 破格入围的理由（Enter 确认，Esc 取消） ", " Why include {id} (Enter confirms, Esc cancels) ";
    ReasonExclude => " {id} 不予入围的理由（Enter 确认，Esc 取消） ", " Why exclude {id} (Enter confirms, Esc cancels) ";
    ReasonTies => " 并列如何解决（Enter 确认，Esc 取消） ", " How the ties were settled (Enter confirms, Esc cancels) ";
    ChairTerminalTooSmallNeed => "终端太小：至少需要", "Terminal too small: need at least";
    ChairHave => "当前", "have";
    ChairFinalReview => "终审", "final review";
    ChairChair => "主席", "chair";
    ChairSheets => "评分表", "sheets";
    ChairMethod => "方法", "method";
    ChairRanking => "排名", "Ranking";
    ChairNoValidScoreSheet => "尚无有效评分表：等待专家提交……", "No valid score sheet yet: waiting for experts...";
    ChairId => "编号", "id";
    ChairName => "技术名称", "name";
    ChairScore => "得分", "score";
    ChairFlags => "标记", "flags";
    ChairCut => "分数线", "cut";
    ChairDetail => "详情", "Detail";
    ChairRank => "排名", "rank";
    ChairRange => "极差", "range";
    ChairRecused => "回避", "recused";
    ChairConflictExcluded => "{conflict}；该评分不计", "{conflict}; score excluded";
    ChairConflictNotCounted => "利益冲突，不计", "conflict: not counted";
    ChairPartial => "  未完成", "  partial";
    ChairPanel => "专家组", "Panel";
    ChairSheetsHandedIn => "已提交评分表", "Sheets handed in";
    ChairLeniencyBFromThe => "（宽松度 b 为校准模型估计）", "(leniency b from the calibrated fit)";
    ChairRec => "回避", "rec.";
    ChairConflicts => "冲突", "conflict";
    ChairSheetNo => "表", "sheet#";
    ChairDone => "完成", "done";
    ChairMean => "均分", "mean";
    ChairAgreement => "评审一致性", "Agreement";
    ChairNotEnoughScores => "评分不足，无法估计一致性", "not enough scores to estimate agreement";
    ChairDecisionLog => "主席决定记录", "Decision log";
    ChairRejectedSheets => "被拒绝的评分表", "Rejected sheets";
    ChairNotes => "说明", "Notes";
    ChairSearch => "搜索", "Search";
    ChairHelpChairKeys => "帮助：主席视图按键", "Help: chair keys";
    ChairMarksShortlistedTheBand => "标记：* 入围  : {min}-{max} 名区间  ^/v 与截尾均值相比的名次变化", "marks: * shortlisted  : the {min}-{max} band  ^/v rank change against trimmed";
    // The chair's flags in the UI language (one character each in Chinese) and their legend,
    // short enough for the ranking's bottom border at 80 columns.
    ChairFlagBorderline => "边", "B";
    ChairFlagSpread => "歧", "S";
    ChairFlagFew => "少", "F";
    ChairFlagTie => "并", "T";
    ChairFlagPartial => "缺", "P";
    ChairFlagIncluded => "入", "+I";
    ChairFlagExcluded => "出", "-X";
    ChairFlagLegend => "边 边缘  歧 分歧大  少 专家少  并 线上并列  缺 不全  入 破格入围  出 不入围", "B borderline  S spread  F few experts  T tie  P partial  +I in  -X out";
    ChairTitleList => "K={k} 入围 {n}/{min}–{max}", "K={k} list {n}/{min}–{max}";
    ChairListN => "入围 {n}", "list {n}";
    ChairDecidedUnder => "决定按 {m}", "decided under {m}";
    ChairRejectedCount => "拒收 {n}", "{n} rejected";
    ChairSheetRejectedLive => "⚠ 拒收评分表 {n} 份：{file}：{reason}（Tab 查看专家组）", "⚠ {n} sheet(s) rejected: {file}: {reason} (Tab: panel)";
    ChairOutOfRange => "入围 {n} 项，超出 {min}–{max}（{makeup}）", "the list of {n} is outside {min}–{max} ({makeup})";
    ChairMakeupIncluded => "+ 破格入围 {n} 项（{ids}）", "+ {n} included ({ids})";
    ChairMakeupExcluded => "− 不予入围 {n} 项（{ids}）", "− {n} excluded ({ids})";
    ChairOutOfRangeHint => "⚠ 入围 {n} 项，超出 {min}–{max}：用 [ ] 移动分数线，或 C 撤销入围/不入围决定", "⚠ list of {n} is outside {min}–{max}: move the cut with [ ], or withdraw an include/exclude with C";
    ChairTieUnsettledHint => "⚠ 分数线拆开了第 {rank} 名的并列（{items}）：按 T 说明如何处理", "⚠ the cut splits the tie at rank {rank} ({items}): press T to say how it is settled";
    ChairContextHint => "⚠ 主席决定是在 {made} 下做出的，当前显示 {now}", "⚠ decisions were made under {made}; showing {now}";
    ChairCompensate => "入围 {n} 项，超出 {min}–{max}。把分数线移到 K={k} 以补偿？（y 是，n 否）", "The list of {n} is outside {min}–{max}. Move the cut to K={k} to compensate? (y yes, n no)";
    ChairSkippedTie => "已跳过 K={k}：会拆开第 {rank} 名的并列（{items}）", "skipped K={k}: it splits the tie at rank {rank} ({items})";
    ChairContext => "{m}，范围 {min}–{max}", "{m}, range {min}–{max}";
    ChairContextChanged => "；之后按 {now} 重放（之前为 {old}）", "; decisions now replay under {now} (before: {old})";
    ChairHelpMore => " j/k PgDn/PgUp 滚动：第 {a}–{b} 行，共 {n} 行 ", " j/k PgDn/PgUp scroll: lines {a}–{b} of {n} ";
    ChairPrelim => "领域 {domain}  初评第 {rank} 名  初评得分 {score}", "domain {domain}  preliminary rank {rank}  score {score}";
    ChairPrelimHeader => "初评", "prelim";
    ChairDecisionLine => "主席决定：{d} — {reason}", "Chair: {d} — {reason}";
    ChairTimesLocal => "（本地时间）", " (local time)";
    DecCutTie => "分数线设为 K = {k}；并列处理：{note}", "cut set to K = {k}; tie settled: {note}";
    ReasonCutTie => " K={k} 会拆开第 {rank} 名的并列（{items}）：如何处理？（Enter 确认，Esc 取消） ", " K={k} splits the tie at rank {rank} ({items}): how is it settled? (Enter confirms, Esc cancels) ";
    ReasonTiesAt => " 第 {rank} 名并列（{items}）如何处理？（Enter 确认，Esc 取消） ", " How is the tie at rank {rank} ({items}) settled? (Enter confirms, Esc cancels) ";
    ErrCutOutOfRange => "入围 {k} 项超出范围 {min}–{max}", "a shortlist of {k} is outside {min}–{max}";
    ErrSplitsTie => "K={k} 会拆开第 {rank} 名的并列（{items}）：须说明如何处理", "K={k} splits the tie at rank {rank} ({items}): say how it is settled";
    ErrAlreadyIn => "{item} 已在入围名单中，无需破格入围", "{item} is already on the list: nothing to include";
    ErrAlreadyOut => "{item} 不在入围名单中，无需不予入围", "{item} is already off the list: nothing to exclude";
    ErrNoOverride => "{item} 没有可撤销的入围/不入围决定", "no include/exclude on {item} to withdraw";
    ErrNoTieAtCut => "分数线（K={k}）处没有并列，无需处理", "the cut at K={k} splits no tie: nothing to settle";
    ErrUnknownItem => "本批次没有推荐项目 {item}", "no nomination {item} in this batch";
    ErrDamagedDecision => "主席决定记录第 {seq} 条已损坏：{message}", "decision {seq} in the chair's store is damaged: {message}";
    // Validation findings (io/validate): each rule's message; several join into one.
    FindError => "错误", "error";
    FindWarning => "警告", "warning";
    FindMissingColumn => "缺少必需的列 {field}", "missing required column {field}";
    FindDuplicateColumn => "列“{header}”与 {field} 重复", "column '{header}' repeats {field}";
    FindUnknownColumn => "不认识的列“{header}”，已忽略", "unknown column '{header}' is ignored";
    FindOtherProfile => "该批次属于评审规则“{named}”，却按“{profile}”检查：请用 --profile 指定那一轮的规则文件", "the batch is for profile '{named}' but is checked against '{profile}': pass --profile with that round's profile file";
    FindEmptyBatch => "该批次没有推荐项目", "the batch holds no nominations";
    FindBatchDomain => "批次的领域“{domain}”不在评审规则 {profile} 中（{domains}）", "the batch's domain '{domain}' is not in profile {profile} ({domains})";
    FindDuplicateId => "编号“{id}”重复，第 {line} 行已用过", "duplicate id '{id}', first used at line {line}";
    FindOverQuota => "推荐单位 {recommender} 在{domain}领域推荐了 {n} 项技术（名额 {quota}）：{ids}", "recommender {recommender} nominated {n} technologies in {domain} (quota {quota}): {ids}";
    FindMissingField => "必填字段 {field} 为空", "required field {field} is empty";
    FindExtraCells => "该行有 {cells} 个单元格，但表头只有 {columns} 列", "row has {cells} cells but the header has {columns} columns";
    FindExtraCellsCsv => "；含逗号的字段须用英文双引号括起", "; a field holding a comma must be in double quotes";
    FindExtraCellsXlsx => "；表头之外的单元格已忽略", "; the cells beyond the header are ignored";
    FindRowDomain => "领域“{domain}”不在评审规则 {profile} 中（{domains}）", "domain '{domain}' is not in profile {profile} ({domains})";
    FindWrongDomain => "{batch}批次中有一项{item}领域的推荐", "a {item} nomination in a {batch} batch";
    FindProjectType => "项目类型“{value}”必须是 应用研究 或 开发研究", "project type '{value}' must be 应用研究 or 开发研究 (applied/development)";
    FindTrl => "技术就绪水平“{value}”必须是 1 到 9 的整数", "technology readiness level '{value}' must be a whole number from 1 to 9";
    FindTooLong => "{field} 有 {n} 字，超过上限 {max} 字", "{field} has {n} characters, over the limit of {max}";
    FindEmail => "电子邮箱“{value}”不是有效地址", "email '{value}' is not a valid address";
    FindPhone => "电话“{value}”既不是手机号（11 位），也不是带区号的座机号", "phone '{value}' is neither a mobile (11 digits) nor a landline with area code";
    FindNumber => "{field}“{value}”不是数字", "{field} '{value}' is not a number";
    FindIndustryEmpty => "必填字段 {field} 为空（只有“{value}”）", "required field {field} is empty (it holds only '{value}')";
    FindIndustryName => "行业代码“{code}”在 GB/T 4754-2017 中是 {industry}，不是“{name}”：请核对本意", "industry code '{code}' is {industry} in GB/T 4754-2017, not '{name}': check which was meant";
    FindIndustryUnknown => "行业代码“{code}”不是 GB/T 4754-2017 的中类或小类", "industry code '{code}' is not a GB/T 4754-2017 中类 or 小类";
    FindIndustryHint => "（其代码为 {industry}）", " (its code is {industry})";
    FindIndustryCoarse => "行业代码“{code}”（{name}）是{level}；表格要求中类（3 位）或小类（4 位）", "industry code '{code}' ({name}) is a {level}; the form asks for a 中类 (3 digits) or 小类 (4 digits)";
    FindIndustrySection => "行业代码“{code}”：{icode} {name} 属于门类 {section}，不是 {given}", "industry code '{code}': {icode} {name} belongs to section {section}, not {given}";
    FindIndustryNotSection => "行业代码“{code}”：{given} 不是 GB/T 4754-2017 的门类字母（A–T）", "industry code '{code}': {given} is not a GB/T 4754-2017 section letter (A–T)";
    FindIndustryAndCoarse => "；另外 {icode} {name} 是{level}，过粗：表格要求中类（3 位）或小类（4 位）", "; and {icode} {name} is a {level}, too coarse: the form asks for a 中类 (3 digits) or 小类 (4 digits)";
    FindIndustryIs => "；{icode} 是 {industry}", "; {icode} is {industry}";
    FindNumericIndustry => "{field} 在表格中是数字，开头的 0 可能已丢失", "{field} is a number in the spreadsheet, so leading zeros may have been lost";
    FindNumericGuess => "（{code} {name} 会被读成 {value}）", " ({code} {name} would read as {value})";
    FindFinalReview => "终审（所有领域）", "final review (all domains)";
    FindFromItems => "{name}（按各项推断）", "{name} (from its items)";
    FindUnknownDomain => "未知", "unknown";
    FindSummary => "{path}：读取 {rows} 项，可用 {usable} 项，领域 {domain}，错误 {errors} 个，警告 {warnings} 个，批次 {hash}", "{path}: {rows} items read, {usable} usable, domain {domain}, {errors} error(s), {warnings} warning(s), batch {hash}";
    // The terminal tables of `rank` and `stats` (io/export/table.rs).
    TabNoThresholds => "阈值图：没有已排名的推荐项目", "threshold map: no ranked nominations";
    TabThresholdMap => "阈值图（得分 ≥ T 时，T 及以上的推荐项目全部入围；范围 {min}-{max}）：", "threshold map (score ≥ T admits every nomination at or above T; range {min}-{max}):";
    TabSizesInRange => "范围内的入围数量：", "sizes in range:";
    TabNoBootstrap => "边缘项目：未做自助抽样", "borderline: no bootstrap run";
    TabBorderline => "边缘项目（入围概率 {low}-{high}）：", "borderline (p_shortlist {low}-{high}):";
    TabNone => "无", "none";
    TabNoWarnings => "警告：无", "warnings: none";
    TabCut => "分数线", "cut";
    TabRuleTrimmed => "去极值", "trimmed";
    TabRuleMean => "平均", "mean";
    WarnTrimmedAsMean => "trimmed：{items} 的评分专家少于 {trim_min} 人，为使各项目得分可比，所有项目均取平均分（未去掉最高和最低分）", "trimmed: {items} scored by fewer than {trim_min} experts, so every nomination takes the plain mean (no extremes dropped), keeping the scores comparable";
    TabNoNominations => "没有推荐项目", "no nominations";
    TabExperts => "专家（{n}）：", "experts ({n}):";
    TabItems => "推荐项目（{n}）：", "items ({n}):";
    TabRecusedNote => "回避人数：专家自行申报；利益冲突排除人数：按专家组文件发现利益冲突而排除", "recused: declared by the expert; conflict: excluded for a conflict of interest found from the panel file";
    TabBiasNote => "宽松度：校准模型估计的宽松度 b_e（t = v + b，b 之和为 0），与排名所用方法无关", "bias: leniency b_e from the calibrated fit (t = v + b, sum of b = 0), whatever the method ranks";
    TabBiasGroupsNote => "宽松度：校准模型估计的宽松度 b_e（t = v + b，每组内 b 之和为 0），与排名所用方法无关", "bias: leniency b_e from the calibrated fit (t = v + b, sum of b = 0 within each group), whatever the method ranks";
    TabPanelRNote => "与组内相关：该专家总分与其他专家在同一项目上平均总分的相关系数（留一 Pearson r）；低于 {floor} 或低于全组中位数 {mads} 个稳健标准差以上标为离群", "r_panel: Pearson r of the expert's totals with the other experts' mean on the same nominations (leave-one-out); below {floor}, or more than {mads} robust sds below the panel's median, is marked outlier";
    TabOutlier => "离群", "outlier";
    TabCriteria => "各评分项在同一交叉子集上的一致性：", "per criterion, on the same crossed subset:";
    TabAlpha => "各评分项的 Cronbach's α（{n} 份完整评分）：{alpha}（越接近 1，各评分项越像在度量同一件事）", "Cronbach's alpha of the criteria over {n} complete scores: {alpha} (the nearer 1, the more the criteria measure one thing)";
    TabSpreadNote => "分歧大：极差 ≥ {range} 或标准差 ≥ {sd}", "spread: max-min ≥ {range} or sd ≥ {sd}";
    TabRankMethods => "按名次汇总（每位专家对其评过的推荐项目的排序；Borda：各专家给 (排在其后的项目数 + ½·并列数)/(所评项目数 − 1) 的平均，1 为该专家的第一；Schulze：最强路径，名次 = 1 + 胜过它的项目数）：", "rank methods over each expert's ranking of the nominations they scored (Borda: mean of (scored below + ½·tied) / (scored − 1), 1 = that expert's best; Schulze: strongest paths, rank = 1 + nominations that beat it):";
    RankColScore => "分数名次", "score rank";
    RankColId => "编号", "id";
    RankColBorda => "Borda 分", "Borda";
    RankColBordaRank => "Borda 名次", "Borda rank";
    RankColSchulze => "Schulze 名次", "Schulze rank";
    TabRankAgreement => "与 {method} 排名的一致性（Kendall tau-b：两者都排了名的项目；前 {k} 名重合：各自顺序的前 {k} 项，并列按编号）：", "agreement with the {method} ranking (Kendall's tau-b over the nominations both rank; top-{k} overlap: the first {k} of each order, ties by id):";
    TabRankAgreementLine => "{name}：tau-b {tau}，前 {k} 名重合 {overlap}/{k}", "{name}: tau-b {tau}, top-{k} overlap {overlap}/{k}";
    TabSchulzeSkipped => "Schulze：超过 {max} 个推荐项目时不计算（计算量随项目数的立方增长）", "Schulze: not computed for more than {max} nominations (its time grows with the cube of their number)";
    TabNoAgreement => "评审一致性：完全交叉的数据不足（需要 2 位专家评完相同的 2 项；最佳子集：{experts} 位专家 × {items} 项）", "agreement: not enough fully crossed data (needs 2 experts who completed the same 2 items; best subset: {experts} experts x {items} items)";
    TabAgreement => "完全交叉子集上的评审一致性（旧算法，仅用这一子集；保留它是为了 Kendall's W，W 需要完整的表）：{experts} 位专家 × {items} 项（{who}）", "agreement on the fully crossed subset only (the older figures; kept for Kendall's W, which needs a complete table): {experts} experts x {items} items ({who})";
    TabAllScores => "基于全部评分的评审一致性：{design}", "agreement from all scores: {design}";
    TabAllMethod => "方法：双向随机效应模型 y = μ + 项目 + 专家 + 误差，Henderson 方法 III 估计方差分量；95% 置信区间按 McGraw & Wong 的 F 分布方法（ICC(A,·) 用 Satterthwaite 自由度），以本设计的系数代替 k 和 n；k = {k}（每项评分专家数的调和平均）", "method: two-way random effects y = μ + nomination + expert + error, variance components by Henderson's Method III; 95% intervals by McGraw & Wong's F-based method (Satterthwaite df for ICC(A,·)) with this design's coefficients in place of k and n; k = {k} (harmonic mean of experts per nomination)";
    TabAllComponents => "方差分量：项目 {item}，专家 {expert}，误差 {error}", "variance components: nominations {item}, experts {expert}, error {error}";
    TabAllNone => "基于全部评分的评审一致性：无法计算（{design}；需要至少 2 项、2 位专家，且加性模型之外还有剩余自由度和变异）", "agreement from all scores: not computable ({design}; needs at least 2 nominations and 2 experts, and residual degrees of freedom and variation beyond the additive model)";
    TabAllCriteria => "各评分项（全部评分）：", "per criterion (all scores):";
    DesignComplete => "{scores} 份评分，{items} 项 × {experts} 位专家，完整设计（每位专家评了每一项）", "{scores} scores, {items} nominations x {experts} experts, complete (every expert scored every nomination)";
    DesignIncomplete => "{scores} 份评分，{items} 项 × {experts} 位专家，不完整设计（每项 {k} 位专家）", "{scores} scores, {items} nominations x {experts} experts, incomplete ({k} experts per nomination)";
    DesignGroups => "，分成 {groups} 个互不相连的组", ", in {groups} unconnected groups";
    // Reading the sheets (io/panel.rs).
    PartyApplicant => "申报单位", "applicant";
    PartyRecommender => "推荐单位", "recommender";
    PanelConflict => "{expert} 给 {item} 打了分，但其工作单位为 {affiliation}（{party}{org}）", "{expert} scored {item} but is affiliated with {affiliation} ({party}{org})";
    NoteNoSheets => "{path}：目录中没有评分表（*.json）", "{path}: no sheets (*.json) in the directory";
    NoteNoAccepted => "{id}（{name}）：没有有效的评分表", "{id} ({name}): no accepted sheet";
    NoteCopy => "{expert}：{path} 与 {original} 完全相同（已忽略）", "{expert}: {path} is an identical copy of {original} (ignored)";
    NoteNotUsed => "{expert}：第 {seq} 份评分表（{path}）未使用：后来的第 {top} 份评分表互相冲突", "{expert}: sheet seq {seq} ({path}) is not used: the later seq {top} sheets conflict";
    NoteEarlierRound => "{expert}：第 {seq} 份评分表（{path}）属第 {round} 轮，不取代第 {latest} 轮的评分表", "{expert}: sheet seq {seq} ({path}) is from round {round} and does not override round {latest}";
    NoteSupersedes => "{expert}：第 {top} 份评分表（{winner}）取代第 {seq} 份（{path}）", "{expert}: sheet seq {top} ({winner}) supersedes seq {seq} ({path})";
    PanelConflictOrg => "：{organisation}", ": {organisation}";
    // Errors from the core, shown by the command line in its language (each core error's
    // `msg()`; the English is the error's Display, byte for byte).
    Verbatim => "{text}", "{text}";
    ErrCannotRead => "无法读取", "cannot read";
    ErrCannotWrite => "无法写入", "cannot write";
    EntCellAt => "{path}:{line}: 第 {column} 列：", "{path}:{line}: column {column}: ";
    EntLineAt => "{path}:{line}: ", "{path}:{line}: ";
    EntNotCsv => "不是有效的 CSV：{err}", "not valid CSV: {err}";
    EntEmpty => "文件为空：没有表头行", "the file is empty: no header row";
    EntRepeatsColumn => "与前面的列重复", "repeats an earlier column";
    EntUnknownColumn => "不认识的列：应为 编号/id、评分指标（{criteria}）、回避/recused、回避原因/recusal_reason 或 评语/comment", "unknown column: expected 编号/id, a criterion ({criteria}), 回避/recused, 回避原因/recusal_reason or 评语/comment";
    EntMissingId => "缺少 编号/id 列", "missing the 编号/id column";
    EntMissingCriterion => "缺少指标 {label}（{key}）的列", "missing the column for criterion {label} ({key})";
    EntExtraCells => "该行有 {cells} 个单元格，但表头只有 {width} 列；含逗号的单元格须用英文双引号括起", "row has {cells} cells but the header has {width} columns; a cell holding a comma must be in double quotes";
    EntScore => "分数 ", "score ";
    EntNotBool => "“{v}”不是 是/否（yes/no）", "'{v}' is not 是/否 (yes/no)";
    EntEmptyId => "编号/id 单元格为空", "the 编号/id cell is empty";
    EntNotInBatch => "编号“{id}”不在批次 {batch} 中", "id '{id}' is not in batch {batch}";
    EntRepeatedId => "编号“{id}”重复出现（第一次在第 {first} 行）", "id '{id}' appears again (first at line {first})";
    EntRecusedScores => "项目“{id}”标记为回避，却有分数", "item '{id}' is marked recused but has scores";
    EntRecusedNoReason => "项目“{id}”回避但没有填写回避原因", "item '{id}' is recused without a 回避原因 (reason)";
    EntReasonNoColumn => "有 回避原因 却没有 回避 列", "a 回避原因 (reason) without a 回避 (recused) column";
    UnclosedQuote => "此行开始的带引号字段没有闭合，其后各行都会被读进这一个单元格：请补上引号（\"\"）或删去它", "a quoted field opens on this line and is never closed, so every row after it would be read into that one cell; close the quote (\"\") or remove it";
    ScoreNotNumber => "“{v}”不是数字", "'{v}' is not a number";
    ScoreOutOfRange => "{value} 不在 {min} 到 {max} 之间", "{value} is not between {min} and {max}";
    ScoreOffStep => "{value} 不是从 {min} 起步长 {step} 的倍数", "{value} is not a multiple of the step {step} from {min}";
    TooLongText => "{what}有 {chars} 字，最多 {max} 字", "the {what} has {chars} characters; at most {max} are allowed";
    TooLongComment => "评语有 {chars} 字，最多 {max} 字", "the comment has {chars} characters; at most {max} are allowed";
    TooLongReason => "回避原因有 {chars} 字，最多 {max} 字", "the recusal reason has {chars} characters; at most {max} are allowed";
    TooLongName => "显示名称有 {chars} 字，最多 {max} 字", "the display name has {chars} characters; at most {max} are allowed";
    IdEmpty => "专家编号为空", "the expert id is empty";
    IdBadChar => "专家编号 {id} 含有空白或控制字符", "expert id {id} contains white space or a control character";
    IdLong => "专家编号有 {n} 字，最多 {max} 字", "the expert id has {n} characters; at most {max} are allowed";
    DecBomNotUtf8 => "文件以 UTF-8 字节顺序标记开头，但第 {line} 行含有非 UTF-8 字节（带 BOM 保存的 GBK 文本？）：请另存为 UTF-8（Excel：“CSV UTF-8”），或不带 BOM 的 GBK", "the file starts with a UTF-8 byte-order mark, but line {line} holds bytes that are not UTF-8 (GBK text saved with a BOM?); re-save it as UTF-8 (Excel: \"CSV UTF-8\"), or as GBK without a BOM";
    DecBadUtf16 => "文件以 UTF-16 字节顺序标记开头，但第 {line} 行不是有效的 UTF-16：请另存为 UTF-8", "the file starts with a UTF-16 byte-order mark, but line {line} is not valid UTF-16; re-save it as UTF-8";
    DecDamagedUtf8 => "第 {line} 行含有非 UTF-8 字节，而文件其余部分是 UTF-8（文件损坏或只转换了一部分？）：请改正该行并另存为 UTF-8", "line {line} holds bytes that are not UTF-8 in a file that is otherwise UTF-8 (a damaged or partly converted file?); correct that line and re-save the file as UTF-8";
    DecNotText => "文件既不是 UTF-8 也不是 GBK/GB18030：第 {line} 行含有两者都无效的字节；请另存为 UTF-8（Excel：“CSV UTF-8”）或 GBK", "the file is neither UTF-8 nor GBK/GB18030: line {line} holds bytes that are invalid in both; re-save it as UTF-8 (Excel: \"CSV UTF-8\") or as GBK";
    ImpCannotRead => "{path}：无法读取", "{path}: cannot read";
    ImpFormat => "{path}：未知的批次格式（请用 .xlsx、.csv 或 .json）", "{path}: unknown batch format (use .xlsx, .csv or .json)";
    ImpNotJson => "不是有效的 JSON：{err}", "not valid JSON: {err}";
    ImpNotString => "“{key}”必须是字符串，而不是 {value}", "\"{key}\" must be a string, not {value}";
    ImpNotBool => "“{key}”必须是 true 或 false，而不是 {value}", "\"{key}\" must be true or false, not {value}";
    ImpFormatTag => "“format”为“{found}”：本版本 revdesk 读取“{supported}”批次", "\"format\" is \"{found}\": this revdesk reads \"{supported}\" batches";
    ImpNoItems => "应有 \"items\" 数组", "expected an \"items\" array";
    ImpNotObject => "应为含 \"items\" 的对象，或推荐项目的数组", "expected an object with \"items\", or an array of items";
    ImpItemNotObject => "第 {n} 项不是对象", "item {n} is not an object";
    ImpSheetEmpty => "第一个工作表为空：没有表头行", "the first sheet is empty: no header row";
    StoreCreateDir => "无法创建数据目录 {path}", "cannot create store directory {path}";
    StoreFiles => "无法建立数据文件 {path}", "cannot set up store file {path}";
    StoreDraftFile => "评语草稿文件 {path}", "comment draft file {path}";
    StoreKeyFile => "签名密钥文件 {path}", "signing key file {path}";
    StoreLock => "无法锁定数据目录 {path}", "cannot lock store directory {path}";
    StoreOpen => "无法打开数据库 {path}", "cannot open store at {path}";
    StoreNoWal => "数据库 {path}：无法启用 WAL 日志模式（得到 {mode}）", "store at {path}: cannot enable WAL journal mode (got {mode})";
    StoreSchemaTooNew => "数据库 {path} 的结构版本为 {found}，比本版本 revdesk（{supported}）新；请升级 revdesk", "store at {path} has schema version {found}, newer than this revdesk ({supported}); upgrade revdesk";
    StoreMigration => "数据库 {path}：升级到结构版本 {version} 失败", "store at {path}: migration to schema version {version} failed";
    StoreBusy => "数据库 {path} 正忙（另一个 revdesk 正在写入）；{op} 等待 5 秒后放弃", "store at {path} is busy (another revdesk is writing); {op} gave up after 5 s";
    StoreDb => "数据库 {path}：{op} 失败", "store at {path}: {op} failed";
    StoreCorrupt => "数据库 {path} 含有无法读取的数据：{detail}", "store at {path} contains unreadable data: {detail}";
    StoreUnknownExpert => "未知的专家 {id}", "unknown expert {id}";
    StoreUnknownBatch => "未知的批次 {hash}", "unknown batch {hash}";
    StoreUnknownItem => "项目 {item} 不属于批次 {batch}", "item {item} is not part of batch {batch}";
    StoreBatchMismatch => "批次 {hash} 已用另一份项目清单登记过", "batch {hash} is already registered with a different item list";
    StoreDuplicateItem => "项目 {item} 在批次 {hash} 中出现了不止一次", "item {item} occurs more than once in batch {hash}";
    StoreInvalidScore => "项目 {item} 指标 {criterion} 的分数 {value} 不是有限的数", "score {value} for {criterion} on item {item} is not a finite number";
    StoreUndoReserved => "来源“undo”只供 Store::undo 使用", "source 'undo' is reserved for Store::undo";
    StoreRevisionNeedsReason => "推荐项目 {item} 在第 {round} 轮会评中：修改评分须说明理由", "item {item} is in discussion round {round}: a revised score needs a reason";
    StoreRoundNotNext => "无法开启第 {round} 轮：下一轮是第 {next} 轮，且须至少选定一个推荐项目", "cannot open round {round}: the next round is {next}, and it needs at least one nomination";
    StoreItem => "项目 {item}", "item {item}";
    StoreExpert => "专家 {expert}", "expert {expert}";
    SubmitTooLong => "项目 {item}：签名前请删减", "item {item}: shorten it before signing";
    RoundBatchErrors => "{path} 有错误", "{path} has errors";
    RoundEmptyBatch => "{path} 没有推荐项目", "{path} holds no nominations";
    RoundNoChairStore => "{dir}：那里没有主席的数据目录", "{dir}: no chair's store there";
    RoundNoStore => "{dir}：那里没有 revdesk 数据库（{file}）", "{dir}: no revdesk store there ({file})";
    RoundRejected => "拒收评分表 {count} 份", "{count} sheet(s) rejected";
    IoNotFound => "文件或目录不存在（os error {code}）", "No such file or directory (os error {code})";
    IoPermission => "没有权限（os error {code}）", "Permission denied (os error {code})";
    IoExists => "文件已存在（os error {code}）", "File exists (os error {code})";
    CliNoHome => "没有可存放数据的主目录：请加 --store DIR 或设置 REVDESK_STORE", "no home directory to keep the store in: pass --store DIR or set REVDESK_STORE";
    CliWhoAreYou => "无法确定你是谁（USER、LOGNAME 和 USERNAME 均未设置，账户也没有名称）：请加 {flag} ID", "cannot tell who you are (USER, LOGNAME and USERNAME are unset and the account has no name): pass {flag} ID";
    CliUserNameBad => "{source} 中的用户名不能用：{err}；请加 {flag} ID", "the user name in {source} cannot be used: {err}; pass {flag} ID";
    CliAccountName => "账户名称", "the account name";
    CliCannotWriteIn => "无法在 {dir} 中写入", "cannot write in {dir}";
    CliWriting => "写入 {path}", "writing {path}";
    CliWritingErr => "写入 {path}：{err}", "writing {path}: {err}";
    CliNeedTerminal => "revdesk 的界面需要终端（标准输入和标准输出都必须是 TTY）", "revdesk's views need a terminal (stdin and stdout must be a TTY)";
    CliRangeForm => "--shortlist {s}：应为 最少-最多，例如 25-30", "--shortlist {s}: expected MIN-MAX, e.g. 25-30";
    CliRangeMin => "--shortlist {s}：最少值无效", "--shortlist {s}: bad minimum";
    CliRangeMax => "--shortlist {s}：最多值无效", "--shortlist {s}: bad maximum";
    CliRangeOrder => "--shortlist {s}：最少值至少为 1，且不能大于最多值", "--shortlist {s}: the minimum must be at least 1 and at most the maximum";
    CliBadMethod => "--method {m}：{err}", "--method {m}: {err}";
    CliInviteChair => "{id} 是 {panel} 中的主席：主席用为其登记的 SSH 密钥登录，不用邀请码", "{id} is a chair in {panel}: chairs log in with the SSH keys listed for them, not with invites";
    CliInviteNotExpert => "{id} 不是 {panel} 的专家（其专家：{ids}）", "{id} is not an expert of {panel} (its experts: {ids})";
    CliExpiryRange => "到期时间超出范围", "the expiry time is out of range";
    CliReading => "读取 {path}", "reading {path}";
    CliUnknownDomain => "未知领域“{domain}”（评审规则 {profile} 的领域：{domains}）", "unknown domain '{domain}' (profile {profile} has: {domains})";
    CliGenExt => "{path}：输出文件名必须以 .csv、.json 或 .xlsx 结尾", "{path}: the output name must end in .csv, .json or .xlsx";
    CliGenDone => "{path}：已写入 {n} 项{domain}领域的合成推荐", "{path}: {n} synthetic {domain} nominations written";
    CliNoChairStoreAt => "--decisions {dir}：那里没有主席的数据目录", "--decisions {dir}: no chair's store there";
    CliNoMarks => "专家“{expert}”在 {store} 中没有评分（请先打分或录入）", "expert '{expert}' has no marks in {store} (score or enter some first)";
    CliSheetDone => "{path}：专家 {expert} 的第 {seq} 份评分表，批次 {batch}：{n} 项推荐中 {scored} 项评完，回避 {recused} 项；签名 {fp}", "{path}: sheet {seq} of expert {expert} for batch {batch}: {scored} of {n} nominations fully scored, {recused} recused; signed {fp}";
    CliCannotReadPath => "{path}：无法读取", "{path}: cannot read";
    CliCannotMerge => "无法合并：{err}", "cannot merge: {err}";
    CliMergeForced => "注意：{path}（{domain}）是加 --force 导出的：其入围 {n} 项，超出 {min}–{max}", "note: {path} ({domain}) was exported with --force: its shortlist of {n} is outside {min}–{max}";
    CliMergeMissing => "警告：只给出了评审规则 {total} 个领域中的 {given} 个；缺少：{missing}", "warning: {given} of the profile's {total} domains given; missing: {missing}";
    CliMergeShort => "警告：{n} 项推荐不够填满 {size} 项的终审名单", "warning: {n} nominations cannot fill the final list of {size}";
    CliMergePart => "{path}：{domain} {n} 项推荐", "{path}: {domain} {n} nominations";
    CliMergeDone => "{path}：终审批次，{n} 项推荐，来自 {parts} 个领域（终审名单：{size} 项）", "{path}: final-review batch of {n} nominations from {parts} domains (final list: {size})";
    CliExportDecided => "什么也没有写入。请在 `revdesk chair` 中把名单调到 {lo}–{hi}：移动分数线（[ 或 ]）或撤销入围/不入围决定（C）；或加 --force 仍然导出这份名单", "nothing written. Bring the list into {lo}–{hi} in `revdesk chair`: move the cut ([ or ]) or withdraw an include/exclude (C); or pass --force to export this list anyway";
    CliExportOutside => "入围 {n} 项，超出评审规则 {profile} 的范围 {lo}–{hi}：{note}", "the shortlist has {n} nominations, outside {lo}–{hi}, the range of profile {profile}: {note}";
    CliExportForce => "什么也没有写入；加 --force 仍然导出", "nothing written; pass --force to export it anyway";
    CliCannotBuild => "无法生成 {path}", "cannot build {path}";
    CliExportDecisions => "{makeup}，已应用主席决定", "{makeup}, chair's decisions applied";
    CliExportFull => "，完整排名 {n} 行", ", full ranking of {n} rows";
    CliExportDone => "{path}：已写入 {size} 项的入围名单（{makeup}）{full}；{ranked} 项推荐已排名（{batch}），方法 {method}", "{path}: shortlist of {size} written ({makeup}){full}; {ranked} nominations ranked ({batch}), method {method}";
    CliNoStoreAt => "{dir}：那里没有 revdesk 数据库（{file}）", "{dir}: no revdesk store there ({file})";
    CliNoPanelRead => "{path}：没有读到专家组文件", "{path}: no panel read";
    CliMaxSessions => "--max-sessions 至少为 1", "--max-sessions must be at least 1";
    CliDemoTemp => "无法为演示数据创建临时目录", "cannot create a temporary directory for the demo store";
    CliInviteKey => "警告：{panel} 为 {id} 登记的公钥是 {pinned}，但本数据目录用 {fp} 为其评分表签名：请在专家组文件中为 {id} 设置\n  public_key = \"{hex}\"\n否则其评分将被拒收", "warning: {panel} pins key {pinned} for {id}, but this store signs their sheets with {fp}: set\n  public_key = \"{hex}\"\nfor {id} in the panel file, or their marks will be refused";
    ProfHead => "{path}：评审规则 {id}（{name}）", "{path}: profile {id} ({name})";
    ProfDomains => "  领域：{domains}", "  domains: {domains}";
    ProfQuota => "  每个推荐单位每个领域限推荐 {quota} 项；入围 {min}–{max} 项；终审名单 {size} 项", "  quota {quota} per recommender per domain; shortlist {min}–{max}; final list {size}";
    ProfCriterion => "{key} {label} {min}–{max} 步长 {step} 权重 {weight}", "{key} {label} {min}–{max} step {step} weight {weight}";
    ProfCriteria => "  评分指标：{criteria}", "  criteria: {criteria}";
    ProfHash => "  评分标准哈希 {hash}", "  rubric hash {hash}";
    IndWrongSection => "{industry}  （给出的门类为 {given}，但该代码属于 {section}）", "{industry}  (section {given} given, but the code is in {section})";
    IndNotSection => "{industry}  （{given} 不是门类字母；该代码属于 {section}）", "{industry}  ({given} is not a section letter; the code is in {section})";
    IndNotFound => "{q}：GB/T 4754-2017 中没有这个代码或名称", "{q}: no such code or name in GB/T 4754-2017";
    AuditSeq => "序号", "seq";
    AuditTime => "时间", "time";
    AuditKind => "类型", "kind";
    AuditWho => "用户", "who";
    AuditFingerprint => "指纹", "fingerprint";
    AuditAddress => "地址", "address";
    AuditDetail => "详情", "detail";
    AuditEmpty => "（审计日志为空）", "(the audit log is empty)";
    SumMethod => "方法：{m}", "method: {m}";
    SumTrimmed => "（去掉最高和最低分，专家至少 {n} 位）", " (drops the extremes from {n} experts)";
    SumTrimmedAsMean => "（有推荐项目的评分专家少于 {n} 位：全部取平均分，不去极值）", " (plain mean for all: some nomination has fewer than {n} experts)";
    SumRange => " | 入围 {min}-{max} | K = {k}", " | shortlist {min}-{max} | K = {k}";
    SumChairsK => "（主席所定；规则给出 {k}）", " (the chair's; the rule gives {k})";
    SumList => " | 名单 {n}", " | list {n}";
    SumOutside => "（超出范围）", " (outside the range)";
    SumBootstrap => " | 自助抽样 B = {b}，种子 {seed}", " | bootstrap B = {b}, seed {seed}";
    SumNoBootstrap => " | 未做自助抽样", " | no bootstrap";
    SumTitle => "{title} | 批次 {batch} | 评审规则 {profile}", "{title} | batch {batch} | profile {profile}";
    SumTitleBare => "批次 {batch} | 评审规则 {profile}", "batch {batch} | profile {profile}";
    ThrLine => "  得分 ≥ {s} → {n} 项  {range}", "  score ≥ {s} → {n} items  {range}";
    ThrInRange => "在范围内", "in range";
    ThrOutOfRange => "超出范围", "out of range";
    ThrTied => "  （{n} 项并列）", "  ({n} tied)";
    CutLine => "  K = {k}：第 K 名 {at}，下一名 {next}", "  K = {k}: K-th {at}, next {next}";
    CutSplitsTie => "  拆开并列", "  splits a tie";
    CutChosen => "  <- 选定", "  <- chosen";
    KOverResamples => "{n} 次重抽样中的 K：{ks}", "K over {n} resamples: {ks}";
    DecsHead => "主席决定：已记录 {n} 条", "chair's decisions: {n} recorded";
    DecsMadeUnder => "，决定时为 {c}", ", made under {c}";
    DecsList => "  决定的名单：{n} 项（{makeup}），范围 {min}-{max}", "  decided list: {n} nominations ({makeup}), range {min}-{max}";
    DecsOutside => "  超出范围：{p}", "  outside the range: {p}";
    DecsSettings => "  设置不同：{p}", "  settings differ: {p}";
    DecsOverride => "  {kind} {item}（第 {rank} 名）：{reason}", "  {kind} {item} (rank {rank}): {reason}";
    DecsSplitTie => "  分数线拆开了第 {rank} 名的并列（{items}）：{how}", "  the cut splits the tie at rank {rank} ({items}): {how}";
    DecsNotSettled => "未说明如何处理", "not settled";
    DecsSettled => "处理：{note}", "settled: {note}";
    RangeAbove => "主席决定的名单有 {n} 项，比上限 {max} 多 {d} 项（{makeup}）", "the chair's decided list has {n} nominations, {d} above the maximum {max} ({makeup})";
    RangeBelow => "主席决定的名单有 {n} 项，比下限 {min} 少 {d} 项（{makeup}）", "the chair's decided list has {n} nominations, {d} below the minimum {min} ({makeup})";
    ContextProblem => "主席决定是在 {made} 下做出的；本次运行使用 {now}：按决定的分数线和破格/不予入围，得到的名单可能与主席看到的不同", "the chair's decisions were made under {made}; this run uses {now}: the decided cut and overrides may not give the list the chair saw";
    MergeSameDomain => "{a} 和 {b} 都是{domain}领域的入围名单", "{a} and {b} are both shortlists of {domain}";
    MergeDifferentProfiles => "{a}（评审规则 {pa}）和 {b}（评审规则 {pb}）按不同的规则产生", "{a} (profile {pa}) and {b} (profile {pb}) were made under different rules";
    MergeOtherProfile => "{path} 按评审规则 {found} 产生，不是 {given}：请用 --profile 指定 {found} 的规则文件", "{path} was made under profile {found}, not {given}: pass --profile with the profile file of {found}";
    MergeDuplicateId => "推荐编号 {id} 同时出现在 {a} 和 {b} 中", "nomination id {id} is in both {a} and {b}";
    MergeEmpty => "没有给出入围名单", "no shortlist given";
    // Profiles, rubrics and panel files that cannot be used.
    ProfCannotRead => "{file}：无法读取评审规则", "{file}: cannot read profile";
    ProfMalformed => "{file}：评审规则格式错误：{message}", "{file}: malformed profile: {message}";
    ProfInvalid => "{file}：评审规则无效：键 `{key}`：", "{file}: invalid profile: key `{key}`: ";
    ProfEmptyId => "编号为空", "empty id";
    ProfNoDomains => "没有领域", "no domains";
    ProfEmptyDomain => "键名或名称为空", "empty key or name";
    ProfNoAlliance => "为空：请写明评审该领域的联盟", "empty: name the alliance that reviews this domain";
    ProfDuplicateDomain => "领域“{key}”重复", "duplicate domain '{key}'";
    ProfShortlistRange => "min {min} 必须至少为 1，且不大于 max {max}", "min {min} must be at least 1 and at most max {max}";
    ProfAtLeastOne => "必须至少为 1", "must be at least 1";
    RubNoCriteria => "评分标准没有指标", "the rubric has no criteria";
    RubEmptyKey => "键名为空", "empty key";
    RubDuplicateKey => "指标键名“{key}”重复", "duplicate criterion key '{key}'";
    RubEmptyLabel => "名称为空", "empty label";
    RubMaxMin => "max {max} 必须大于 min {min}", "max {max} must exceed min {min}";
    RubStepPositive => "步长 {step} 必须为正数", "step {step} must be positive";
    RubStepDivide => "步长 {step} 不能整除范围 {min}–{max}", "step {step} does not divide the range {min}–{max}";
    RubWeight => "权重 {weight} 必须为正数", "weight {weight} must be positive";
    RubReserved => "“{name}”是评分表固定列的名称", "'{name}' is the name of a fixed score-sheet column";
    RubAmbiguous => "“{name}”也是 criteria[{j}]（{other}）的名称；以“{name}”为表头的评分表列将无法区分", "'{name}' also names criteria[{j}] ({other}); a score-sheet column headed '{name}' would be ambiguous";
    RubBand => "区间 {bmin}–{bmax} 必须在 {min}–{max} 之内", "band {bmin}–{bmax} must lie within {min}–{max}";
    PanelCannotRead => "{file}：无法读取专家组文件", "{file}: cannot read panel";
    PanelMalformed => "{file}：专家组文件格式错误：{message}", "{file}: malformed panel: {message}";
    PanelInvalid => "{file}：{key}：", "{file}: {key}: ";
    PanelNoExperts => "专家组文件未列出任何专家（[[experts]] 表）", "the panel lists no experts ([[experts]] tables)";
    PanelEmptyExpertId => "专家编号为空", "empty expert id";
    PanelDuplicateExpert => "专家编号“{id}”重复（另见 experts[{j}]）", "duplicate expert id '{id}' (also experts[{j}])";
    PanelSameKey => "与 experts[{j}] 的密钥相同：每位专家须有自己的密钥", "the same key as experts[{j}]: each expert needs a key of their own";
    PanelEmptyAffiliation => "工作单位为空", "empty affiliation";
    PanelEmptyChairId => "主席编号为空", "empty chair id";
    PanelChairIsExpert => "“{id}”也是 experts[{j}] 的编号：一个编号只代表一个人", "'{id}' is also the id of experts[{j}]: an id names one person";
    PanelDuplicateChair => "主席编号“{id}”重复（另见 chairs[{j}]）", "duplicate chair id '{id}' (also chairs[{j}])";
    PanelChairNoKey => "主席“{id}”未列出 SSH 公钥：主席只能用列出的密钥登录", "chair '{id}' lists no SSH key: a chair logs in with a listed key only";
    PanelKeyTwice => "重复列出（另见 {at}）", "listed twice (also {at})";
    PanelKeyShared => "与 {at}（{role} {id}）的密钥相同：每个密钥只属于一个人", "the same key as {at} ({role} {id}): each key belongs to one person";
    // Keymap and theme files that cannot be used.
    CfgCannotRead => "{file}：无法读取", "{file}: cannot read";
    CfgSyntax => "{file}：第 {line} 行第 {column} 列 TOML 格式错误：{message}", "{file}: invalid TOML at line {line}, column {column}: {message}";
    CfgInvalid => "{file}：键 `{key}`：{problem}", "{file}: key `{key}`: {problem}";
    CfgUnknownTheme => "未知主题“{name}”{hint}：既不是内置主题（{expected}），也没有这个文件", "unknown theme '{name}'{hint}: not a built-in theme ({expected}) and no such file";
    CfgHint => "（是否指“{name}”？）", " (did you mean '{name}'?)";
    CfgWrongType => "应为 {expected}，实为 {found}", "expected {expected}, found {found}";
    CfgUnknownSetting => "未知设置{hint}（可用：{expected}）", "unknown setting{hint} (expected {expected})";
    CfgMixedLayout => "旧的 [keys] 表不能与 {sections} 混用：请把其中各行移入这些小节", "the old [keys] table cannot be mixed with {sections}: move its lines into them";
    CfgUnknownAction => "未知操作“{name}”{hint}（可用：{expected}）", "unknown action '{name}'{hint} (expected one of: {expected})";
    CfgBadKey => "无法解析按键“{text}”：{reason}", "cannot parse key '{text}': {reason}";
    CfgReservedKey => "“{text}”不能绑定：数字 0-9 和“.”留作输入分数", "'{text}' cannot be bound: digits 0-9 and '.' are reserved for typing scores";
    CfgConflict => "“{text}”同时绑定到 {action} 和 {other}{advice}", "'{text}' is bound to both {action} and {other}{advice}";
    CfgQuitUnbound => "quit 至少需要一个按键，否则无法退出 revdesk", "quit needs at least one key, or revdesk could not be left";
    CfgUnknownStyle => "未知样式“{name}”{hint}（可用：{expected}）", "unknown style '{name}'{hint} (expected one of: {expected})";
    CfgUnknownAttribute => "未知属性“{name}”{hint}（可用：fg、bg、bold、italic、underline、reversed、dim）", "unknown attribute '{name}'{hint} (expected one of: fg, bg, bold, italic, underline, reversed, dim)";
    CfgBadColor => "“{value}”不是颜色{hint}（请用颜色名如 red、lightblue、darkgray，或 reset、none、0-255 的编号、#rrggbb）", "'{value}' is not a colour{hint} (use a name such as red, lightblue or darkgray, reset, none, an index 0-255, or #rrggbb)";
    CfgUnknownBuiltin => "未知内置主题“{name}”{hint}（可用：{expected}）", "unknown built-in theme '{name}'{hint} (expected one of: {expected})";
    TabLeniency => "专家宽严度 b_e（t = v + b，b 之和为 0；se：得分的标准误）：", "leniency b_e (t = v + b, sum of b = 0; se: standard error of the score):";
    TabLeniencyGroups => "专家宽严度 b_e（t = v + b；{n} 个分组内各自 b 之和为 0；只有同组的得分可以比较，见 grp 列）：", "leniency b_e (t = v + b; sum of b = 0 within each of the {n} groups; scores compare only within a group, column grp):";
    // Workbooks beyond revdesk's limits, or not readable as workbooks.
    WbUnreadable => "不是可读取的电子表格：{e}", "not a readable spreadsheet: {e}";
    WbNoSheets => "工作簿中没有工作表", "the workbook has no sheets";
    WbFirstSheet => "无法读取第一张工作表：{e}", "cannot read the first sheet: {e}";
    WbBeyond => "工作表在 {cell}（第 {row} 行，第 {col} 列）有单元格；revdesk 只读取不超过 {rows} 行、{cols} 列（{last}）的工作表", "the sheet has a cell at {cell} (row {row}, column {col}); revdesk reads sheets of at most {rows} rows and {cols} columns ({last})";
    WbEntries => "不是可读取的电子表格：工作簿包含 {n} 个文件，超过 {max} 个", "not a readable spreadsheet: the workbook holds {n} files, more than {max}";
    WbTooBig => "工作簿解压后超过 {max} 字节（{name}：", "the workbook unpacks to more than {max} bytes ({name}: ";
    WbTooBigTail => "）；revdesk 只读取不超过此大小的工作簿", "); revdesk reads workbooks up to that size";
    WbBytes => "{n} 字节", "{n} bytes";
    WbMoreThanDeclared => "超过其声明的大小", "more than it declares";
    WbCells => "工作表的单元格超过 {max} 个；revdesk 只读取不超过此数量的工作表", "the sheet has more than {max} cells; revdesk reads sheets up to that many";
    WbText => "工作表单元格中的文字超过 {max} 字节；revdesk 只读取不超过此数量的工作表", "the sheet's cells hold more than {max} bytes of text; revdesk reads sheets up to that much";
    WbSpans => "一张工作表跨越 {from}:{to}，超过 {max} 个单元格；revdesk 只读取不超过此数量的工作表", "a sheet spans {from}:{to}, more than {max} cells; revdesk reads sheets up to that many";
    WbClaims => "一张工作表声明范围为 {from}:{to}，超过 {max} 个单元格；revdesk 只读取不超过此数量的工作表", "a sheet claims {from}:{to}, more than {max} cells; revdesk reads sheets up to that many";
    WbXlsBytes => "工作簿超过 {max} 字节；revdesk 只读取不超过此大小的工作簿", "the workbook holds more than {max} bytes; revdesk reads workbooks up to that size";
    // The command line (cli/).
    CliNoDecisions => "主席的数据目录 {dir} 中没有本批次（{hash}）的决定：无可应用", "the chair's store {dir} has no decisions for this batch ({hash}): nothing to apply";
    EnterRejected => "{path} 被拒收：{n} 个问题；什么也没有保存", "{path} rejected: {n} problem(s); nothing was stored";
    EnterNoRows => "{path} 的表头下没有行：没有可录入的内容", "{path} holds no rows under its header: nothing to enter";
    EnterDone => "{path}：为专家 {expert} 录入 {rows} 行到 {store}（改动 {changed} 个值）", "{path}: {rows} rows entered for expert {expert} into {store} ({changed} values changed)";
    CliEmptyBatch => "{path} 没有推荐项目", "{path} holds no nominations";
    CliNoSheets => "没有可汇总的有效评分表", "no valid score sheet to aggregate";
    InviteHead => "给 {who} 的第 {seq} 号邀请码：仅限使用一次，{hours} 小时内有效，至 {until}（{utc}）。", "Invite #{seq} for {who}: one use, valid for {hours} hours, until {until} ({utc}).";
    InviteHeadOneHour => "给 {who} 的第 {seq} 号邀请码：仅限使用一次，{hours} 小时内有效，至 {until}（{utc}）。", "Invite #{seq} for {who}: one use, valid for {hours} hour, until {until} ({utc}).";
    InviteLogsIn => "专家用以下命令登录", "The expert logs in with";
    InviteTypes => "并在提示时输入邀请码（短横线、空格和大小写无关）。登录所用的 SSH 密钥随即登记给该专家：以后登录不再需要邀请码。", "and types the code when asked (dashes, spaces and case do not matter). The SSH key they log in with is then pinned to them: later logins need no code.";
    InviteRevoked => "{id} 之前未用的 {n} 个邀请码已作废：现在只有这个有效。", "{n} earlier unused invite(s) for {id} revoked: only this code works now.";
    InviteShownOnce => "邀请码只显示这一次：数据目录中只保存它的哈希值。", "The code is shown only now: the store keeps only its hash.";
    CliConflict => "利益冲突：{conflict}；该评分不计", "conflict of interest: {conflict}; that score is excluded";
    CliSkipped => "已跳过", "skipped";
    CliRejected => "拒收", "rejected";
    CliRejectedCount => "拒收评分表 {count} 份；请改正，或加 --skip-invalid 不用它们继续", "{count} sheet(s) rejected; fix them or pass --skip-invalid to go on without them";
    CliCannotRead => "无法读取：{err}", "cannot read: {err}";
    CliUnknownFormat => "未知的批次格式（请用 .xlsx、.csv 或 .json）", "unknown batch format (use .xlsx, .csv or .json)";
    CliError => "错误", "error";
    CliWarning => "警告", "warning";
    CliNote => "注意", "note";
    KeyShared => "{expert} 与 {others} 共用此密钥（他们用旧版 revdesk 数据目录中唯一的密钥签过评分表）；专家组文件只能为其中一人登记它", "{expert} shares this key with {others} (they signed sheets with the store's single key of an older revdesk); a panel file can pin it for one of them only";
    KeyStore => "数据目录：{path}", "store:       {path}";
    KeyExpert => "专家：    {id}", "expert:      {id}";
    KeyPublic => "公钥：    {key}", "public key:  {key}";
    KeyFingerprint => "指纹：    {fp}", "fingerprint: {fp}";
    KeyPanelComment => "# 供主席的专家组文件（panel.toml）使用：", "# for the chair's panel file (panel.toml):";
    CliRepaired => "{path} 曾可被他人读取（权限 {mode}）；现已改为仅所有者可读（0600）", "{path} was readable by others (mode {mode}); it is now readable by its owner only (0600)";
    CliHasErrors => "{path} 有错误：请先改正（见 `revdesk validate`）", "{path} has errors: fix them first (see `revdesk validate`)";
    CliExists => "{path} 已存在；要替换它请加 --overwrite", "{path} exists; pass --overwrite to replace it";
    FormNotInPanel => "专家 {id} 不在专家组文件 {panel} 中", "expert '{id}' is not in the panel file {panel}";
    FormCannotBuild => "无法生成 {path}", "cannot build {path}";
    FormWritten => "{path}：{who}的评分表，{items} 个推荐项目，{criteria} 项指标", "{path}: score form for {who}, {items} nominations, {criteria} criteria";
    FormBlank => "任一专家（空白）", "any expert (blank)";
    ChairReadsNotRecorded => "评分表读取记录未能保存（`revdesk history` 将缺少这些记录）：{err}", "the sheets read could not be recorded (`revdesk history` will lack them): {err}";
    // `revdesk history`.
    HistNoStore => "{dir}：此处没有 revdesk 数据目录（缺少 {file}）", "{dir}: no revdesk store there ({file})";
    HistNoBatch => "数据目录中没有批次“{batch}”（可用批次哈希、其前缀或名称）", "no batch '{batch}' in the store (give its hash, a prefix of it or its label)";
    HistAmbiguousBatch => "“{batch}”可指多个批次：{hashes}", "'{batch}' matches several batches: {hashes}";
    HistEmpty => "（没有记录）", "(nothing recorded)";
    HistTime => "时间", "time";
    HistRound => "轮次", "round";
    HistWho => "人员", "who";
    HistEvent => "事件", "event";
    HistBatch => "批次", "batch";
    HistItem => "推荐项目", "nomination";
    HistCriterion => "指标", "criterion";
    HistChange => "原值 → 新值", "old → new";
    HistDetail => "说明", "detail";
    HistKeyboard => "键盘录入", "keyboard";
    HistPaper => "纸质录入", "paper";
    HistImport => "导入", "import";
    HistUndo => "撤销", "undo";
    HistSheetAccepted => "读取评分表", "sheet read";
    HistSheetRefused => "拒收评分表", "sheet refused";
    HistUndoes => "撤销第 {txn} 次修改", "undoes change {txn}";
    HistSheet => "{expert} 第 {seq} 份：{sheet}", "{expert} no. {seq}: {sheet}";
    HistFieldComment => "评语", "comment";
    HistFieldRecusal => "回避", "recusal";
    HistFieldFlag => "待讨论", "flag";
    HistFieldConfidence => "信心", "confidence";
    HistAbsent => "—", "—";
    FindNumericRetype => "；请把该列设为文本格式，再重新输入代码", "; format the column as text and retype the codes";
    // `revdesk round` (the discussion round).
    EnterNeedsReason => "{why}：请用 --reason 说明理由，未存储任何评分", "{why}: give it with --reason; nothing stored";
    RoundNeedStore => "请用 --in 指明专家评分所用的数据目录（或用 --server）", "name the store the experts score in with --in (or use --server)";
    RoundUnknownItems => "批次中没有这些推荐项目：{ids}", "no such nominations in the batch: {ids}";
    RoundNothingSelected => "没有选中任何推荐项目：第二轮未开启", "no nomination selected: the round is not opened";
    RoundOpened => "已开启第 {round} 轮会评（{n} 项：{items}），数据目录 {dir}", "round {round} opened for {n} nomination(s) ({items}) in {dir}";
    RoundNoStoreAt => "{dir}：此处没有 revdesk 数据目录", "{dir}: no revdesk store there";
    RoundNone => "该批次尚未开启会评轮次", "no discussion round opened on this batch";
    RoundStatusLine => "第 {round} 轮：{at} 由 {by} 开启（{how}），{n} 项", "round {round}: opened {at} by {by} ({how}), {n} nomination(s)";
    RoundByItems => "指定项目", "named";
    RoundByBorderline => "临界项目", "borderline";
    RoundByDisputed => "分歧项目", "disputed";
    RoundNotRevised => "（无人修改）", "(not revised)";
    RoundSpread => "{n} 人 · 最低 {min} · 中位 {median} · 最高 {max}", "n {n} · min {min} · median {median} · max {max}";
    RoundCompareHead => "会评前后（第 1 轮 → 第 2 轮）：", "Discussion round (round 1 → round 2):";
    RoundNoChange => "（排名与入围名单均未变化）", "(no rank or shortlist changed)";
    RoundColId => "编号", "id";
    RoundColScore1 => "第1轮得分", "score 1";
    RoundColRank1 => "第1轮名次", "rank 1";
    RoundColScore2 => "第2轮得分", "score 2";
    RoundColRank2 => "第2轮名次", "rank 2";
    RoundColShortlist => "入围变化", "shortlist";
    RoundColRevisedBy => "修改者", "revised by";
    RoundIn => "新入围", "in";
    RoundOut => "落选", "out";
    RoundShortlistChange => "入围名单变化：新入围 {in} 项，落选 {out} 项", "shortlist change: {in} in, {out} out";
    // `revdesk assign`.
    AssignTooFew => "{item}：没有利益冲突的专家只有 {n} 位，需要 {k} 位", "{item}: only {n} experts without a conflict, {k} needed";
    AssignCapacity => "需要 {needed} 人次（{items} 项 × 每项 {k} 位），但 {experts} 位专家每人至多 {max} 项，共 {capacity} 人次：请提高 --max-load", "{needed} assignments needed ({items} nominations × {k}), but {experts} experts take at most {max} each, {capacity} in all: raise --max-load";
    AssignBlocked => "{item}：在每人至多 {max} 项的限制下凑不齐 {k} 位无利益冲突的专家（可评它的专家都已满额）：请提高 --max-load", "{item}: cannot get {k} experts without a conflict within the limit of {max} per expert (every expert free to score it is full): raise --max-load";
    AssignDisconnected => "分配把专家分成了 {n} 组，组间没有共同评审的项目，校准法无法比较：请提高 --per-item", "the design splits the experts into {n} groups that share no nomination, so the calibrated method cannot compare them: raise --per-item";
    AssignEmpty => "每项专家数须在 1 到专家组人数 {n} 之间", "--per-item must be between 1 and the panel's {n} experts";
    AssignNotMet => "约束条件无法满足，未写入 {path}", "the constraints cannot be met; {path} not written";
    AssignWritten => "{path}：{items} 项，{experts} 位专家，每项 {k} 位（种子 {seed}）", "{path}: {items} nominations, {experts} experts, {k} per nomination (seed {seed})";
    AssignCriterion => "设计准则：使任意两位专家共同评审的项目数的最小值尽量大", "design criterion: maximise the minimum number of nominations any two experts share";
    AssignLoads => "每位专家的项目数：{min}–{max}（上限 {limit}）", "nominations per expert: {min}–{max} (limit {limit})";
    AssignOverlap => "两两专家共同评审的项目数：最少 {min}（{at} 对），平均 {mean}", "nominations shared by two experts: min {min} ({at} pairs), mean {mean}";
    AssignConnected => "专家—项目图：连通（任意两位专家均可比较）", "expert–nomination graph: connected (every pair of experts comparable)";
    AssignHeader => "revdesk assign：批次 {batch}，{items} 项，{experts} 位专家，每项 {k} 位，种子 {seed}", "revdesk assign: batch {batch}, {items} nominations, {experts} experts, {k} per nomination, seed {seed}";
    AssignFigures => "项目数 {lmin}–{lmax}；共同评审最少 {min}，平均 {mean}；连通", "loads {lmin}–{lmax}; shared min {min}, mean {mean}; connected";
    CliUnassigned => "{expert} 对 {n} 个未分配给其的项目有评分：保留在其存储中，但不计入", "{expert} marked {n} nomination(s) not assigned to them: kept in their store, not counted";
    EnterUnassigned => "{item}：未分配给 {expert}，拒收该行评分", "{item}: not assigned to {expert}; its scores are refused";
    EnterUnassignedRows => "{path}：{n} 行评分针对未分配给 {expert} 的项目，未存储任何评分", "{path}: {n} row(s) score nominations not assigned to {expert}; nothing stored";
    SheetUnassigned => "{n} 个未分配给 {expert} 的项目的评分不写入评分表（仍保留在存储中）", "{n} marked nomination(s) not assigned to {expert} are left off the sheet (kept in the store)";
    NoShare => "分配文件 {path} 没有给 {expert} 分配任何项目", "the assignment {path} gives {expert} no nominations";
    // Votes (`revdesk vote`, the vote screen, `enter --votes`).
    VoteYes => "同意", "yes";
    VoteNo => "不同意", "no";
    VoteAbstain => "弃权", "abstain";
    VoteStageMeeting => "会评", "meeting review";
    VoteStageFinal => "终审", "final review";
    VoteBadStage => "未知的评审阶段“{stage}”（可用：meeting/会评、final/终审）", "unknown stage '{stage}' (expected meeting/会评 or final/终审)";
    VoteBadFraction => "“{text}”不是表决规则：请写成“2/3 of present”（present、voting 或 panel，可加前缀“more than ”）", "'{text}' is not a vote rule: write e.g. \"2/3 of present\" (present, voting or panel, optionally \"more than \" first)";
    VoteQuorumOfPanel => "“{text}”：法定人数只能按专家组人数计（“… of panel”）", "'{text}': a quorum counts the panel only (\"… of panel\")";
    VotePass => "通过", "pass";
    VoteFail => "未通过", "fail";
    VoteTie => "平票（由主席决定）", "tie (chair decides)";
    VoteNoQuorum => "未达法定人数", "no quorum";
    VoteTiesFail => "平票不通过", "a tie fails";
    VoteTiesPass => "平票通过", "a tie passes";
    VoteTiesChair => "平票由主席决定", "a tie goes to the chair";
    BallotMalformed => "不是可读的选票：{error}", "not a readable ballot: {error}";
    BallotOtherVote => "是为另一次表决所投", "made for another vote";
    BallotOtherExpert => "存为 {stored} 的选票，签名者却是 {signed}", "stored as {stored}'s but signed as {signed}'s";
    BallotOtherItems => "所列项目与本次表决不符", "its nominations are not the vote's";
    BallotNotOnPanel => "{expert} 不在专家组中", "{expert} is not on the panel";
    BallotUnknownKey => "由未知密钥 {fp} 签名，不是该专家的密钥", "signed by an unknown key {fp}, not the expert's";
    BallotBadSignature => "签名无法验证：选票在签名后被改动过", "the signature does not verify: the ballot was altered after it was signed";
    VoteNoRules => "评审规则 {profile} 没有 [vote] 表决规则", "the profile {profile} has no [vote] rules";
    VoteUnknownItem => "{id} 不是本批次的推荐项目", "{id} is not a nomination of the batch";
    VoteDuplicateItem => "{id} 重复列出", "{id} is named twice";
    VoteNoItems => "没有要表决的推荐项目", "no nominations to vote on";
    VoteStillOpen => "本批次的第 {vote} 号表决尚未结束：请先结束它（revdesk vote close）", "vote {vote} on this batch is still open: close it first (revdesk vote close)";
    VoteNoSuchVote => "本批次没有第 {vote} 号表决", "no vote {vote} on this batch";
    VoteIncomplete => "一张选票须对每个项目（{want} 个）表态；此票只有 {got} 个", "a ballot needs one choice per nomination ({want}); it has {got}";
    VoteOpened => "第 {vote} 号表决（{stage}）已开始，批次 {batch}：{n} 个推荐项目，专家组 {panel} 人；通过规则：{pass}；法定人数：{quorum}（{quorum_n} 人）；{ties}", "vote {vote} ({stage}) opened on batch {batch}: {n} nominations, panel of {panel}; pass: {pass}; quorum: {quorum} ({quorum_n} experts); {ties}";
    ProfVote => "表决：通过 {pass}；法定人数 {quorum}；{ties}", "votes: pass {pass}; quorum {quorum}; {ties}";
    VoteExportXlsxOnly => "--votes 只用于 XLSX 导出（工作簿的“表决”工作表）；票数见 `revdesk vote tally`", "--votes is for the XLSX export only (its 表决 sheet); for counts elsewhere see `revdesk vote tally`";
    VoteNoVotes => "此数据目录中没有对本批次的表决", "no vote was held on this batch in this store";
    VoteNoneOpen => "本批次没有进行中的表决", "no open vote on this batch";
    VoteClosed => "第 {vote} 号表决已结束：共收到 {n} 张选票", "vote {vote} closed: {n} ballot(s) cast";
    VoteRefused => "{expert} 的选票：", "the ballot of {expert}: ";
    VoteRefusedCount => "拒收选票 {n} 张；请查明原因，或加 --skip-invalid 不计这些选票", "{n} ballot(s) refused; find out why, or pass --skip-invalid to count without them";
    VoteHead => "第 {vote} 号表决（{stage}，{state}）：到会 {present} 人，专家组 {panel} 人；法定人数 {quorum} 人，{met}；通过规则：{pass}；{ties}", "vote {vote} ({stage}, {state}): {present} of {panel} present; quorum {quorum}, {met}; pass: {pass}; {ties}";
    VoteStateOpen => "进行中", "open";
    VoteStateClosed => "已结束", "closed";
    VoteQuorumMet => "已达到", "met";
    VoteQuorumNotMet => "未达到", "not met";
    VoteColId => "编号", "id";
    VoteColNeeded => "所需", "needed";
    VoteColResult => "结果", "result";
    VotePassing => "通过：{n} / {items} 项（目标 {target} 项：{against}）", "passing: {n} of {items} (target {target}: {against})";
    VoteWithin => "符合", "within";
    VoteRuleAtLeast => "{base}的{p}/{q}以上", "{p}/{q} of {base}";
    VoteRuleMoreThan => "超过{base}的{p}/{q}", "more than {p}/{q} of {base}";
    VoteBasePresent => "到会专家", "present";
    VoteBaseVoting => "投赞成或反对票的专家", "voting";
    VoteBasePanel => "专家组全体", "panel";
    VoteBelow => "不足", "below";
    VoteAbove => "超出", "above";
    VoteSecretNote => "选票保密：只公布票数，不显示谁投了什么。", "Ballots are secret: counts only, never who voted what.";
    VoteTitle => "第 {vote} 号表决（{stage}）：{expert}", "Vote {vote} ({stage}): {expert}";
    VoteProgress => "已表态 {done}/{n}", "chosen {done}/{n}";
    VoteListTitle => "推荐项目", "Nominations";
    VoteKeyDown => "下一项", "next";
    VoteKeyUp => "上一项", "previous";
    VoteKeyCast => "签名并投出选票", "sign and cast the ballot";
    VoteKeyHelp => "帮助", "help";
    VoteKeyQuit => "退出（未投出的选票不保存）", "quit (a ballot not cast is not kept)";
    VoteUnchosen => "还有 {n} 个项目未表态", "{n} nomination(s) still without a choice";
    VoteConfirm => "用你的密钥签名并投出这张选票？投出后不能更改。（y 投出 / n 返回）", "Sign this ballot with your key and cast it? It cannot be changed afterwards. (y cast / n back)";
    VoteCastDone => "选票已签名投出。任何人都看不到你的选择，计票只统计票数。按 q 退出。", "Ballot signed and cast. Nobody sees your choices; the tally counts them. Press q to leave.";
    VoteAlreadyCast => "你已在本次表决中投过票：投出的选票不能更改", "you have cast a ballot in this vote already: a cast ballot never changes";
    VoteClosedBeforeCast => "表决在你的选票投出前已结束：选票未被接收", "the vote closed before your ballot was cast: it was not taken";
    VoteSecretHint => "选票保密：主席只看到票数", "Your ballot is secret: the chair sees counts only";
    VoteEnterDone => "{path}：{expert} 的选票已签名并投入第 {vote} 号表决（{n} 个推荐项目）", "{path}: the ballot of {expert} signed and cast in vote {vote} ({n} nominations)";
    VotePaperBadChoice => "{path}：第 {line} 行：“{text}”不是 同意、不同意 或 弃权", "{path}: line {line}: '{text}' is not 同意, 不同意 or 弃权 (yes, no, abstain)";
    VotePaperUnknown => "{path}：第 {line} 行：{id} 不在本次表决中", "{path}: line {line}: {id} is not in the vote";
    VotePaperTwice => "{path}：第 {line} 行：{id} 重复", "{path}: line {line}: {id} twice";
    VotePaperMissing => "{path}：没有 {id} 的表态", "{path}: no choice for {id}";
    VotePaperRejected => "{path} 被拒收：{n} 个问题；选票未投出", "{path} rejected: {n} problem(s); no ballot was cast";
    VoteSheetName => "表决", "Vote";
    VoteSheetTitle => "第 {vote} 号表决（{stage}）：到会 {present} 人，专家组 {panel} 人；通过规则：{pass}", "Vote {vote} ({stage}): {present} of {panel} present; pass: {pass}";
}

impl T {
    /// The text with `{name}` placeholders filled in.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        // One pass over the template: a value holding `{name}` (a title from a file) is
        // inserted as it is, never filled in turn.
        let template = self.get(lang);
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (close, *v))
            });
            match value {
                Some((close, v)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A message as catalogue strings with their arguments, joined in order: what the core says
/// (a finding, a note) kept so that a front-end can show it in either language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Msg(Vec<(T, Vec<(&'static str, String)>)>);

impl Msg {
    /// A message of one catalogue string.
    pub fn new(t: T, args: &[(&'static str, &str)]) -> Msg {
        Msg(vec![]).and(t, args)
    }

    /// The message followed by another string.
    pub fn and(mut self, t: T, args: &[(&'static str, &str)]) -> Msg {
        let args = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.0.push((t, args));
        self
    }

    /// Text that has no catalogue entry (an OS or parser message), the same in both languages.
    pub fn verbatim(text: impl Into<String>) -> Msg {
        Msg(vec![(T::Verbatim, vec![("text", text.into())])])
    }

    /// The message followed by another message.
    pub fn then(mut self, other: Msg) -> Msg {
        self.0.extend(other.0);
        self
    }

    /// Whether nothing was said.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text in a language.
    pub fn render(&self, lang: Lang) -> String {
        self.0
            .iter()
            .map(|(t, args)| {
                let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                t.fill(lang, &a)
            })
            .collect()
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Compares the English text (tests and logs compare messages as text).
impl PartialEq<String> for Msg {
    fn eq(&self, other: &String) -> bool {
        self.render(Lang::En) == *other
    }
}

/// Compares the English text.
impl PartialEq<&str> for Msg {
    fn eq(&self, other: &&str) -> bool {
        self.render(Lang::En) == *other
    }
}

/// The `{name}` placeholders of a string, each once, sorted.
#[cfg(test)]
pub(crate) fn placeholders(s: &str) -> std::collections::BTreeSet<&str> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.insert(name);
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_fill_the_same_placeholders() {
        for &t in T::ALL {
            let (zh, en) = (t.get(Lang::Zh), t.get(Lang::En));
            assert!(!zh.is_empty() && !en.is_empty(), "{t:?} is empty");
            assert_eq!(placeholders(zh), placeholders(en), "{t:?}: {zh} / {en}");
        }
        assert_eq!(
            placeholders("{a} and {b_2}, {a}; {} {not it"),
            ["a", "b_2"].into_iter().collect()
        );
    }

    #[test]
    fn locale_choice() {
        assert_eq!(Lang::from_locale(Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("de_DE.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None), Lang::Zh);
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            T::MsgRecused.fill(Lang::En, &[("id", "EI-001")]),
            "Recused from EI-001"
        );
        // A value is inserted as it is, even when it looks like a placeholder.
        assert_eq!(
            T::SumTitle.fill(
                Lang::En,
                &[("title", "{batch} {x}"), ("batch", "b"), ("profile", "p")]
            ),
            "{batch} {x} | batch b | profile p"
        );
    }
}
