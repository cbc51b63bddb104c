//! What the server says to a client, in the session's language.

use super::input::MAX_PASTE;
use crate::text::i18n::Lang;

/// A message of the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    /// The session ends in this many seconds without input.
    IdleWarning(u64),
    /// The session ended for want of input.
    IdleEnded,
    /// The server is stopping (shown in the view).
    ServerStopping,
    /// The server stopped (printed after the view).
    ServerStopped,
    /// A paste of this many bytes was refused.
    PasteTooLarge(usize),
    /// The view could not open (the error follows).
    CannotOpen,
    /// Shell without a terminal.
    NeedsTerminal,
    /// A command, a subsystem.
    NoCommands,
    /// Too many sessions.
    Full,
}

/// The message in `lang`.
pub fn say(lang: Lang, what: Say) -> String {
    let en = lang.en();
    match what {
        Say::IdleWarning(s) if en => {
            format!("No input for a while: this session ends in {s} s unless you press a key.")
        }
        Say::IdleWarning(s) => format!("长时间无操作：{s} 秒内不按键，本次会话将结束。"),
        Say::IdleEnded if en => {
            "Session ended after a long time without input; your marks are saved. Log in again to go on.".into()
        }
        Say::IdleEnded => "长时间无操作，会话已结束；评分均已保存。重新登录即可继续。".into(),
        Say::ServerStopping if en => "The server is stopping; everything saved is kept.".into(),
        Say::ServerStopping => "服务器正在停止；已保存的内容不会丢失。".into(),
        Say::ServerStopped if en => {
            "The review server stopped; your marks are saved. Log in again when it is back.".into()
        }
        Say::ServerStopped => "评审服务器已停止；评分均已保存。服务器恢复后重新登录即可。".into(),
        Say::PasteTooLarge(n) if en => format!(
            "Paste refused: {} KiB is more than the {} KiB a paste may hold; nothing was stored.",
            n.div_ceil(1024),
            MAX_PASTE / 1024
        ),
        Say::PasteTooLarge(n) => format!(
            "粘贴被拒绝：{} KiB 超过单次粘贴上限 {} KiB；未保存任何内容。",
            n.div_ceil(1024),
            MAX_PASTE / 1024
        ),
        Say::CannotOpen if en => "cannot open the review view".into(),
        Say::CannotOpen => "无法打开评审界面".into(),
        Say::NeedsTerminal if en => {
            "revdesk needs a terminal: log in with `ssh -t` (and no command).".into()
        }
        Say::NeedsTerminal => "revdesk 需要终端：请用 `ssh -t` 登录（不要带命令）。".into(),
        Say::NoCommands if en => {
            "This server runs no commands, subsystems or shells: log in with plain `ssh`.".into()
        }
        Say::NoCommands => "本服务器不执行命令、子系统或 shell：请直接用 `ssh` 登录。".into(),
        Say::Full if en => "The server is full (too many sessions): try again later.".into(),
        Say::Full => "服务器会话已满，请稍后再试。".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        let all = [
            Say::IdleWarning(60),
            Say::IdleEnded,
            Say::ServerStopping,
            Say::ServerStopped,
            Say::PasteTooLarge(10 << 20),
            Say::CannotOpen,
            Say::NeedsTerminal,
            Say::NoCommands,
            Say::Full,
        ];
        for s in all {
            let (zh, en) = (say(Lang::Zh, s), say(Lang::En, s));
            assert_ne!(zh, en, "{s:?}");
            assert!(en.is_ascii(), "{s:?}: {en}");
            assert!(!zh.is_ascii(), "{s:?}: {zh}");
        }
        assert!(say(Lang::En, Say::PasteTooLarge(10 << 20)).contains("10240 KiB"));
    }
}
