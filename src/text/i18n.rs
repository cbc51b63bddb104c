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
    ChairNotEnoughFullyCrossed => "完全交叉的数据不足", "not enough fully crossed data";
    ChairDecisionLog => "主席决定记录", "Decision log";
    ChairRejectedSheets => "被拒绝的评分表", "Rejected sheets";
    ChairNotes => "说明", "Notes";
    ChairSearch => "搜索", "Search";
    ChairHelpChairKeys => "帮助：主席视图按键", "Help: chair keys";
    ChairMarksShortlistedTheBand => "标记：* 入围  : {min}-{max} 名区间  ^/v 与截尾均值相比的名次变化  B 边缘  S 分歧大  T 分数线处并列  +I 破格入围  -X 不予入围", "marks: * shortlisted  : the {min}-{max} band  ^/v rank change against trimmed  B borderline  S spread  T tie at the cut  +I included  -X excluded";
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
    TabNoAgreement => "评审一致性：完全交叉的数据不足（需要 2 位专家评完相同的 2 项；最佳子集：{experts} 位专家 × {items} 项）", "agreement: not enough fully crossed data (needs 2 experts who completed the same 2 items; best subset: {experts} experts x {items} items)";
    TabAgreement => "完全交叉子集上的评审一致性：{experts} 位专家 × {items} 项（{who}）", "agreement on the fully crossed subset: {experts} experts x {items} items ({who})";
    // Reading the sheets (io/panel.rs).
    PartyApplicant => "申报单位", "applicant";
    PartyRecommender => "推荐单位", "recommender";
    PanelConflict => "{expert} 给 {item} 打了分，但其工作单位为 {affiliation}（{party}{org}）", "{expert} scored {item} but is affiliated with {affiliation} ({party}{org})";
    NoteNoSheets => "{path}：目录中没有评分表（*.json）", "{path}: no sheets (*.json) in the directory";
    NoteNoAccepted => "{id}（{name}）：没有有效的评分表", "{id} ({name}): no accepted sheet";
    NoteCopy => "{expert}：{path} 与 {original} 完全相同（已忽略）", "{expert}: {path} is an identical copy of {original} (ignored)";
    NoteNotUsed => "{expert}：第 {seq} 份评分表（{path}）未使用：后来的第 {top} 份评分表互相冲突", "{expert}: sheet seq {seq} ({path}) is not used: the later seq {top} sheets conflict";
    NoteSupersedes => "{expert}：第 {top} 份评分表（{winner}）取代第 {seq} 份（{path}）", "{expert}: sheet seq {top} ({winner}) supersedes seq {seq} ({path})";
    PanelConflictOrg => "：{organisation}", ": {organisation}";
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
    FindNumericRetype => "；请把该列设为文本格式，再重新输入代码", "; format the column as text and retype the codes";
}

impl T {
    /// The text with `{name}` placeholders filled in.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut s = self.get(lang).to_string();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
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
    }
}
