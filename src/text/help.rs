//! The command line's help in Chinese, by the id of each subcommand, argument and value (the
//! English is the derive's doc comments in `cli/`). Adding a command's help is one place: its
//! entries here; `cli::help`'s test walks every subcommand and argument and names what lacks
//! one.

use std::fmt;

/// Where a help text belongs: a subcommand path (`""` the program, `rank`, `profile show`), an
/// argument of it (`rank:format`) or one of the argument's values (`rank:format=table`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    path: String,
    arg: Option<String>,
    value: Option<String>,
}

impl Key {
    /// A subcommand (the program when `path` is empty).
    pub fn command(path: &[String]) -> Key {
        // clap's `help` subcommand mirrors the tree (`help rank`, `profile help show`): the
        // mirrored command's own text serves.
        let last = path.len().saturating_sub(1);
        let path: Vec<&str> = path
            .iter()
            .enumerate()
            .filter(|(i, p)| *i == last || p.as_str() != "help")
            .map(|(_, p)| p.as_str())
            .collect();
        Key {
            path: path.join(" "),
            arg: None,
            value: None,
        }
    }

    /// An argument of a subcommand, by its clap id.
    pub fn arg(path: &[String], id: &str) -> Key {
        Key {
            arg: Some(id.to_string()),
            ..Key::command(path)
        }
    }

    /// One value of an argument.
    pub fn value(path: &[String], id: &str, value: &str) -> Key {
        Key {
            value: Some(value.to_string()),
            ..Key::arg(path, id)
        }
    }

    /// The same key for every subcommand: `*:store`, `*:format=json`, `* help`.
    fn shared(&self) -> Key {
        let path = match &self.arg {
            Some(_) => "*".to_string(),
            None => format!("* {}", self.path.rsplit(' ').next().unwrap_or_default()),
        };
        Key {
            path,
            ..self.clone()
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(a) = &self.arg {
            write!(f, ":{a}")?;
        }
        if let Some(v) = &self.value {
            write!(f, "={v}")?;
        }
        Ok(())
    }
}

/// The Chinese help for `key`: its own entry, else the entry shared by every subcommand.
pub fn zh(key: &Key) -> Option<&'static str> {
    let find = |k: &Key| {
        let k = k.to_string();
        HELP_ZH.iter().find(|(e, _)| *e == k).map(|(_, t)| *t)
    };
    find(key).or_else(|| find(&key.shared()))
}

/// Whether a catalogue key is shared by every subcommand (starts with `*`).
pub fn is_shared(key: &str) -> bool {
    key.starts_with('*')
}

/// Every Chinese help text, by key (see [`Key`]); shared entries (`*`) serve every subcommand
/// that has no entry of its own.
pub const HELP_ZH: &[(&str, &str)] = &[
    ("", "revdesk：用键盘为科技推荐项目评分、排名，全程离线。"),
    (
        "*:lang",
        "输出语言：zh 或 en（默认按 LC_ALL/LC_MESSAGES/LANG；未设置或为 C 时用中文）",
    ),
    // Shared by every subcommand that has the argument and no entry of its own.
    ("*:help", "打印帮助"),
    ("*:version", "打印版本"),
    ("* help", "打印本帮助，或指定命令的帮助"),
    ("*:batch", "批次文件（.xlsx、.csv 或 .json）"),
    (
        "*:profile",
        "评审规则文件（TOML）；默认：内置的 2020 年规则（kczg-2020）",
    ),
    (
        "*:domain",
        "批次所属领域（键名或中文名），文件中未注明时使用",
    ),
    ("*:final_review", "该批次是包含所有领域的终审批次"),
    (
        "*:store",
        "数据目录（默认：$REVDESK_STORE，否则为用户数据目录）",
    ),
    ("*:overwrite", "覆盖已存在的文件"),
    ("*:format", "输出格式"),
    ("*:format=json", "全部内容，JSON 格式"),
    ("*:format=table", "对齐的表格"),
    (
        "*:theme",
        "配色主题：default、light、high-contrast、mono，或主题 TOML 文件（默认：按终端背景色选 light 或 default）",
    ),
    (
        "*:keymap",
        "按键配置 TOML，覆盖默认按键（默认：配置目录中的 keymap.toml，如有）",
    ),
    (
        "*:ambiguous_width",
        "终端如何显示东亚宽度不明确的字符（“ ” · — … → 与框线字符）：auto 启动时询问终端，wide 占两格（许多中文终端的设置），narrow 占一格（默认：配置目录中的 terminal.toml，否则 auto）",
    ),
    (
        "*:ambiguous_width=auto",
        "启动时询问终端（光标位置报告，最多等 250 毫秒）",
    ),
    (
        "*:ambiguous_width=wide",
        "占两格：边框与符号改用 ASCII，数据中的此类字符按两格计",
    ),
    ("*:ambiguous_width=narrow", "占一格，与以前相同"),
    (
        "*:submit_dir",
        "按 S 键时签名评分表写入的目录，例如主席在共享服务器上读取的目录（默认：数据目录下的 sheets/）",
    ),
    (
        "*:sheets",
        "评分表文件，或存放评分表的目录（读取其中所有 *.json）",
    ),
    (
        "*:server",
        "评审服务器的数据目录，代替评分表：按各专家在其中的评分，如同 `revdesk sheet` 此刻为其签名的评分表",
    ),
    (
        "*:panel",
        "专家组文件：只计入名单中专家用其登记公钥签名的评分表，并按工作单位检查利益冲突",
    ),
    (
        "*:assign",
        "分配文件（`revdesk assign` 所写；默认：专家组文件中的 assignment）：每位专家只计其分到的项目，进度按分配计算",
    ),
    (
        "*:skip_invalid",
        "跳过未通过检查的评分表继续（会列出这些评分表）",
    ),
    (
        "*:method",
        "汇总方法：mean、trimmed、median、zscore 或 calibrated（默认：trimmed；使用 --decisions 时为主席决定所依据的方法）",
    ),
    (
        "*:trim_min",
        "每个推荐项目的专家人数都达到多少时 `trimmed` 才去掉最高和最低总分，否则全部取平均分（默认：5；使用 --decisions 时为主席的设置）",
    ),
    (
        "*:shortlist",
        "入围名单的数量范围（默认：评审规则中的范围，如 25-30；使用 --decisions 时为主席的设置）",
    ),
    (
        "*:bootstrap",
        "稳定性分析的自助重抽样次数（0 为不做；`stats` 不显示稳定性，忽略此项）",
    ),
    (
        "*:seed",
        "自助抽样的随机种子：种子相同，结果相同（`stats` 忽略此项）",
    ),
    (
        "*:decisions",
        "主席的数据目录：应用其中的决定（分数线、附理由的破格入围/不予入围）",
    ),
    (
        "*:round",
        "显示第几轮评审：1，或会评后的 2（默认：最新一轮；有会评时并列显示第 1 轮）",
    ),
    ("round", "会评：为选定的推荐项目开启第二轮；查看轮次状态"),
    (
        "round open",
        "为选定的推荐项目开启会评轮次：专家在自己的评分旁看到专家组匿名的分布，可附理由修改",
    ),
    ("round open:number", "要开启的轮次：首次会评为 2"),
    ("round open:batch", "评分表所针对的批次"),
    ("round open:items", "要讨论的推荐项目编号，以逗号分隔"),
    ("round open:borderline", "临界项目（第 1 轮排名中标为临界）"),
    ("round open:disputed", "分歧项目（第 1 轮排名中标为分歧大）"),
    (
        "round open:into",
        "专家评分所用的数据目录，在其中开启该轮（默认：--server 的数据目录）",
    ),
    ("round open:chair", "开启该轮的人（默认：你的用户名）"),
    (
        "round status",
        "批次的会评轮次：哪些项目、何时、由谁开启；谁修改了什么、理由为何",
    ),
    ("round status:batch", "批次文件"),
    (
        "round status:into",
        "专家评分所用的数据目录（评审服务器的或共享的）",
    ),
    (
        "enter:reason",
        "会评中修改推荐项目评分的理由（评分表改动了会评项目的评分时必填；随每个此类项目保存）",
    ),
    (
        "validate",
        "检查一批推荐项目（XLSX、CSV 或 JSON），列出发现的每个问题",
    ),
    (
        "validate:strict",
        "把警告（名额、字数、代码、联系方式）当作错误",
    ),
    ("validate:format=text", "每行一个问题，最后一行为汇总"),
    ("validate:format=json", "问题列表，JSON 数组"),
    (
        "enter",
        "录入纸质评分表：从 CSV 文件或工作簿保存一位专家的评分",
    ),
    ("enter:batch", "评分所针对的批次"),
    ("enter:expert", "评分表所属的专家"),
    ("enter:name", "专家的显示名称（与编号一同保存）"),
    (
        "enter:from",
        "录入的评分表（CSV，或工作簿 .xlsx、.xls、.ods 的第一张表）：编号/id，每个指标一列，可选 回避、回避原因、评语 列；表头上方可有标题行",
    ),
    (
        "score",
        "在终端中评分：对照评分标准阅读每个推荐项目，用键盘打分",
    ),
    ("score:expert", "你的专家编号（默认：你的用户名）"),
    ("score:name", "你的显示名称，与编号一同保存"),
    ("demo", "用内置的演示批次试用评分界面（数据用完即弃）"),
    ("demo:expert", "评分所用的专家编号"),
    (
        "key",
        "打印专家的签名公钥（首次使用时创建）及其指纹，供专家组文件使用",
    ),
    (
        "key:expert",
        "要打印其公钥的专家；同一数据目录中每位专家各有一个（默认：你的用户名）",
    ),
    ("sheet", "为某批次写出专家的签名评分表，交给专家组主席"),
    ("sheet:batch", "评分表所针对的批次"),
    ("sheet:expert", "评分表上的专家（默认：你的用户名）"),
    (
        "sheet:store",
        "数据目录，或评审服务器的数据目录（默认：$REVDESK_STORE，否则为用户数据目录）",
    ),
    ("sheet:output", "要写出的评分表文件（JSON）"),
    ("rank", "汇总评分表：排名、入围名单及其稳定性"),
    ("rank:batch", "评分表所针对的批次"),
    (
        "rank:format=table",
        "对齐的表格，含分数线、阈值图和边缘项目",
    ),
    (
        "rank:format=csv",
        "CSV：rank、id、name、score、n、各指标均分、sd、p_shortlist、shortlisted、flags",
    ),
    (
        "stats",
        "专家组统计：按专家、按推荐项目、评审一致性（ICC、Kendall W）",
    ),
    ("stats:batch", "评分表所针对的批次"),
    ("stats:format", "输出格式（`text` 与 `table` 相同）"),
    ("stats:format=table", "对齐的表格：专家、推荐项目、一致性"),
    (
        "export",
        "导出入围名单和完整结果：XLSX、CSV、JSON、Markdown 或 DOCX",
    ),
    ("export:batch", "评分表所针对的批次"),
    (
        "export:format=xlsx",
        "工作簿：入围名单、完整排名、评分矩阵、专家组统计、方法说明",
    ),
    (
        "export:format=csv",
        "完整排名，带 BOM 的 UTF-8（中文版 Windows 的 Excel 可直接打开）",
    ),
    ("export:format=md", "用于会议纪要的报告"),
    (
        "export:format=docx",
        "报告的 Word 文档：A4 打印、盖章、签字",
    ),
    ("export:output", "要写出的文件"),
    (
        "export:force",
        "入围数量超出评审规则的范围时仍然写出（按评审规则检查，即使 `--shortlist` 给了其他范围）",
    ),
    (
        "chair",
        "主席视图：带分数线的排名、详情、专家组；附理由的决定；评分表实时更新",
    ),
    ("chair:batch", "批次"),
    (
        "chair:sheets",
        "评分表文件，或存放评分表的目录（持续监视：新评分表会更新视图）",
    ),
    (
        "chair:server",
        "评审服务器的数据目录，代替评分表：实时读取专家在其中的评分",
    ),
    (
        "chair:store",
        "主席的数据目录，保存各项决定（默认：--server 的目录，否则 $REVDESK_STORE，否则用户数据目录）",
    ),
    (
        "chair:panel",
        "专家组文件（登记的公钥、用于利益冲突检查的工作单位）",
    ),
    (
        "chair:chair",
        "主席编号，随每项决定记录（默认：你的用户名）",
    ),
    ("chair:bootstrap", "稳定性一列的自助重抽样次数（0 为不做）"),
    ("chair:seed", "自助抽样的随机种子"),
    (
        "chair:shortlist",
        "入围名单的数量范围（默认：评审规则中的范围，如 25-30；已有决定时为做决定时的范围）",
    ),
    (
        "chair:method",
        "起始的汇总方法，按 M 切换（默认：trimmed；已有决定时为做决定时的方法）",
    ),
    (
        "chair:trim_min",
        "每个推荐项目的专家人数都达到多少时 `trimmed` 才去掉极端值，否则全部取平均分（默认：5，或决定中的设置）",
    ),
    (
        "chair:projection",
        "以投影模式打开：专家匿名显示为专家A、专家B…，供会议室投影（按 p 切换）",
    ),
    (
        "merge",
        "终审：把各领域导出的 JSON 入围名单合并为一个终审批次",
    ),
    (
        "merge:shortlists",
        "各领域导出的入围名单（`revdesk export --format json`）",
    ),
    ("merge:output", "要写出的终审批次（JSON）"),
    ("invite", "生成一次性邀请码，专家首次登录评审服务器时使用"),
    (
        "invite:expert",
        "要邀请的专家：专家组文件 [[experts]] 中的编号",
    ),
    (
        "invite:store",
        "服务器的数据目录（`revdesk serve --store DIR`）",
    ),
    ("invite:panel", "服务器使用的专家组文件"),
    ("invite:hours", "邀请码的有效时长，单位小时（1 到 720）"),
    (
        "invite:host",
        "专家访问服务器所用的主机名（默认：本机主机名）",
    ),
    ("invite:port", "服务器监听的端口（不是 22 时）"),
    (
        "audit",
        "评审服务器的审计日志：登录、拒绝、邀请、登记的公钥",
    ),
    (
        "audit:store",
        "服务器的数据目录（`revdesk serve --store DIR`）",
    ),
    ("audit:format=table", "对齐的表格，时间为本地时间"),
    ("audit:format=json", "JSON 数组，时间为 RFC 3339 UTC"),
    (
        "history",
        "审计轨迹：评分的每项修改（键盘录入、纸质录入、撤销）及主席读取或拒收的每份评分表，附时间和理由",
    ),
    (
        "history:store",
        "数据目录（默认：$REVDESK_STORE，否则为用户数据目录）",
    ),
    (
        "history:server",
        "评审服务器的数据目录（`revdesk serve --store DIR`）",
    ),
    (
        "history:expert",
        "只看这位专家的修改，以及主席对其评分表的读取",
    ),
    (
        "history:batch",
        "只看这个批次：批次哈希、其开头部分或批次名称",
    ),
    (
        "history:item",
        "只看这个推荐项目的修改（评分表的读取针对整份表，不列出）",
    ),
    (
        "history:format=table",
        "对齐的表格，使用命令行的语言，时间为本地时间",
    ),
    (
        "history:format=json",
        "JSON：键名为固定的英文，时间为 RFC 3339 UTC",
    ),
    (
        "history:format=csv",
        "CSV，列与 JSON 的键相同；带 BOM 的 UTF-8，可直接用 Excel 打开",
    ),
    (
        "assign",
        "分配评审任务：每项 K 位专家，限制每人项目数，回避利益冲突，专家之间充分交叉",
    ),
    (
        "score:assign",
        "分配文件（`revdesk assign` 所写）：只显示分给你的项目，进度也只按这些计算",
    ),
    (
        "enter:assign",
        "分配文件（`revdesk assign` 所写）：拒收未分配给该专家的项目的评分",
    ),
    (
        "sheet:assign",
        "分配文件（`revdesk assign` 所写）：评分表只包含分给该专家的项目",
    ),
    (
        "score:panel",
        "专家组文件：未给 --assign 时，使用其中 assignment 指定的分配文件",
    ),
    (
        "enter:panel",
        "专家组文件：未给 --assign 时，使用其中 assignment 指定的分配文件",
    ),
    (
        "sheet:panel",
        "专家组文件：未给 --assign 时，使用其中 assignment 指定的分配文件",
    ),
    ("assign:batch", "要分配的批次"),
    (
        "assign:panel",
        "专家组文件：专家及其所在单位（用于判断利益冲突）",
    ),
    ("assign:per_item", "每个推荐项目的专家数"),
    (
        "assign:max_load",
        "每位专家至多分到的项目数（默认：平均数向上取整）",
    ),
    ("assign:seed", "随机种子：种子相同，分配相同"),
    ("assign:output", "要写入的分配文件（TOML）"),
    ("gen", "生成大型模拟批次，用于基准测试和负载测试"),
    ("gen:domain", "领域键名或名称"),
    ("gen:items", "推荐项目数量"),
    (
        "gen:detail_chars",
        "每个推荐项目的详细材料字数（不超过评审规则的上限）",
    ),
    ("gen:seed", "随机种子：种子相同，批次相同"),
    (
        "gen:output",
        "输出文件；格式由扩展名决定（.csv、.json、.xlsx）",
    ),
    ("profile", "显示或检查评审规则（一轮评审的规则）"),
    (
        "profile show",
        "以 TOML 打印评审规则（默认：内置的 kczg-2020），供复制修改",
    ),
    ("profile show:profile", "改为显示此规则文件"),
    ("profile check", "检查评审规则文件并给出摘要"),
    ("profile check:file", "评审规则文件"),
    ("industry", "查询 GB/T 4754-2017 国民经济行业代码"),
    (
        "industry:query",
        "代码，如 C3971、3971 或 397，或要在名称中搜索的词",
    ),
    (
        "serve",
        "运行专家组的 SSH 评审服务器：专家和主席用 `ssh` 登录各自的视图",
    ),
    ("serve:batch", "评审中的批次"),
    ("serve:panel", "专家组文件：专家和主席及其 SSH 公钥"),
    (
        "serve:store",
        "服务器数据目录：评分、决定、主机密钥、邀请、审计日志（不存在则创建）",
    ),
    (
        "serve:listen",
        "监听的地址和端口（`0.0.0.0:2222` 为所有网卡；端口 0 为自动选择）",
    ),
    ("serve:max_sessions", "同时打开的评审会话数上限"),
    (
        "serve:idle_timeout",
        "会话无输入多久后结束（提前一分钟警告），如 2h、30m、90s",
    ),
    (
        "serve:bootstrap",
        "主席视图稳定性一列的自助重抽样次数（0 为不做）",
    ),
    (
        "completions",
        "把 shell 补全脚本（bash、zsh、fish 或 powershell）打印到标准输出",
    ),
    ("completions:shell", "shell：bash、zsh、fish 或 powershell"),
    (
        "completions:shell=bash",
        "Bash：`source <(revdesk completions bash)`",
    ),
    (
        "completions:shell=zsh",
        "Zsh：保存为 `$fpath` 中某目录下的 `_revdesk`",
    ),
    (
        "completions:shell=fish",
        "Fish：保存为 `~/.config/fish/completions/revdesk.fish`",
    ),
    (
        "completions:shell=powershell",
        "PowerShell：把 `revdesk completions powershell | Out-String | Invoke-Expression` 加入 `$PROFILE`",
    ),
    ("man", "把手册页（roff）打印到标准输出"),
    (
        "form",
        "打印纸质评分表（XLSX 或 DOCX）：空白，或写有专家姓名",
    ),
    ("form:batch", "评分表所针对的批次"),
    (
        "form:expert",
        "评分表所属的专家（默认：任何专家都可用的空白表）",
    ),
    ("form:name", "表上专家的姓名（默认：取自 `--panel`）"),
    ("form:panel", "取专家姓名的专家组文件"),
    ("form:format", "评分表格式"),
    (
        "form:format=xlsx",
        "工作簿：填入评分后用 `revdesk enter --from` 录入（或录入由它另存的 CSV）",
    ),
    ("form:format=docx", "用于打印的 Word 文档"),
    ("form:output", "要写出的文件"),
    (
        "vote",
        "会评和终审的表决：开始、结束、计票（只显示票数；选票保密）",
    ),
    (
        "vote open",
        "对批次中的推荐项目开始一次表决：专家对每项投 同意/不同意/弃权",
    ),
    ("vote open:batch", "表决所针对的批次"),
    ("vote open:items", "要表决的推荐项目编号，用逗号分隔"),
    (
        "vote open:shortlist",
        "列出要表决的推荐项目的文件：JSON 导出结果（`export --format json`，取其入围项目），或每行一个编号（# 之后为注释）",
    ),
    (
        "vote open:stage",
        "评审阶段：meeting（会评，通过名单与入围数量范围比较）或 final（终审，与最终名单数量比较）",
    ),
    (
        "vote open:panel",
        "专家组文件：其中的专家即法定人数所计的专家组",
    ),
    ("vote open:panel_size", "专家组人数（没有专家组文件时）"),
    (
        "vote open:chair",
        "开始表决的人（与表决一同记录；默认：你的用户名）",
    ),
    ("vote close", "结束进行中的表决：此后不再接收选票"),
    ("vote close:batch", "表决所针对的批次"),
    ("vote close:chair", "结束表决的人（默认：你的用户名）"),
    (
        "vote tally",
        "计票：每个推荐项目通过与否，以及通过名单与目标数量的比较（只有票数）",
    ),
    ("vote tally:batch", "表决所针对的批次"),
    ("vote tally:vote", "表决编号（默认：本批次最近一次表决）"),
    (
        "vote tally:panel",
        "专家组文件：只计入用其为该专家登记的公钥签名的选票（默认：数据目录中该专家的密钥）",
    ),
    (
        "vote tally:skip_invalid",
        "不计被拒收的选票继续计票，而不是停止（仍列出每张被拒收的选票）",
    ),
    ("vote tally:format=csv", "CSV，每个推荐项目一行"),
    (
        "export:votes",
        "举行表决的数据目录（`revdesk vote`）：工作簿增加“表决”工作表，列出每次表决各项目的票数与结果（从不显示谁投了什么）；仅限 XLSX",
    ),
    (
        "enter:votes",
        "录入的纸质选票（CSV）：编号/id 与 表决/vote 两列（同意、不同意 或 弃权），每个表决项目一行；投入进行中的表决",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_fallback() {
        let p = ["rank".to_string()];
        assert_eq!(
            Key::value(&p, "format", "csv").to_string(),
            "rank:format=csv"
        );
        assert_eq!(Key::command(&[]).to_string(), "");
        assert_eq!(zh(&Key::arg(&p, "help")), Some("打印帮助"));
        assert_eq!(zh(&Key::arg(&p, "no-such")), None);
    }
}
