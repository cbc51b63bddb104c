//! What the server allows, in small pure functions: the limits, the client environment it
//! takes, a session's language, which keys open an account, idle time, and the per-address
//! backoff after failed authentications.

use crate::text::i18n::Lang;
use russh::keys::PublicKey;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The server's limits (`revdesk serve` flags set the first two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open review sessions at most; one more is refused.
    pub max_sessions: usize,
    /// A session with no input for this long ends (its draft kept).
    pub idle: Duration,
    /// The warning comes this long before the idle end.
    pub idle_warning: Duration,
    /// Connections still authenticating at most (sshd's MaxStartups); more wait to be accepted.
    pub max_unauthenticated: usize,
    /// How long a connection may take to authenticate (sshd's LoginGraceTime).
    pub login_grace: Duration,
    /// Rejected authentication requests on one connection before it is cut (sshd's MaxAuthTries).
    pub max_auth_tries: usize,
    /// Failed authentications from one address within [`Limits::failure_window`] that start a
    /// backoff.
    pub max_failures: usize,
    /// The window in which failures are counted.
    pub failure_window: Duration,
    /// How long an address waits once in backoff.
    pub backoff: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_sessions: 64,
            idle: Duration::from_secs(2 * 60 * 60),
            idle_warning: Duration::from_secs(60),
            max_unauthenticated: 16,
            login_grace: Duration::from_secs(60),
            max_auth_tries: 6,
            max_failures: 5,
            failure_window: Duration::from_secs(60),
            backoff: Duration::from_secs(60),
        }
    }
}

/// Whether the server takes an environment variable from the client: the locale, the
/// terminal type and `COLORFGBG` only (anything else could steer the process; nothing else
/// is needed). `COLORFGBG` is only ever parsed as two colour numbers to pick a theme.
pub fn env_allowed(name: &str) -> bool {
    name == "LANG" || name == "TERM" || name == "COLORFGBG" || name.starts_with("LC_")
}

/// The session's language from the client's locale variables, as the local view reads its
/// own environment (LC_ALL, then LC_MESSAGES, then LANG); Chinese when none came.
pub fn session_lang(env: &[(String, String)]) -> Lang {
    let get = |k: &str| {
        env.iter()
            .rev()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let loc = get("LC_ALL")
        .or_else(|| get("LC_MESSAGES"))
        .or_else(|| get("LANG"));
    Lang::from_locale(loc)
}

/// Whether `key` is one of `listed` (the panel's) or `pinned` (OpenSSH texts from the store).
/// Keys compare by their key material; comments do not matter.
pub fn key_allowed(key: &PublicKey, listed: &[PublicKey], pinned: &[String]) -> bool {
    listed.iter().any(|k| k.key_data() == key.key_data())
        || pinned
            .iter()
            .filter_map(|t| PublicKey::from_openssh(t).ok())
            .any(|k| k.key_data() == key.key_data())
}

/// Where a session stands with respect to its idle timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// Recent input.
    Active,
    /// Time to warn: the session ends in the given time.
    Warn(Duration),
    /// Time is up.
    Expired,
}

/// The idle state after `quiet` without input.
pub fn idle_state(quiet: Duration, limits: &Limits) -> Idle {
    if quiet >= limits.idle {
        Idle::Expired
    } else if quiet + limits.idle_warning >= limits.idle {
        Idle::Warn(limits.idle - quiet)
    } else {
        Idle::Active
    }
}

/// Whether one more review session may open.
pub fn session_allowed(open: usize, limits: &Limits) -> bool {
    open < limits.max_sessions
}

/// Failed authentications per address, and the addresses in backoff.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: HashMap<IpAddr, Vec<Instant>>,
    until: HashMap<IpAddr, Instant>,
}

impl Backoff {
    /// An empty record.
    pub fn new() -> Backoff {
        Backoff::default()
    }

    /// Counts a failure from `addr` at `now`; true when it starts a backoff.
    pub fn fail(&mut self, addr: IpAddr, now: Instant, limits: &Limits) -> bool {
        self.forget_old(now, limits);
        if self.waiting(addr, now).is_some() {
            return false;
        }
        let times = self.failures.entry(addr).or_default();
        times.push(now);
        if times.len() >= limits.max_failures {
            self.failures.remove(&addr);
            self.until.insert(addr, now + limits.backoff);
            return true;
        }
        false
    }

    /// How long `addr` still waits, if it is in backoff.
    pub fn waiting(&self, addr: IpAddr, now: Instant) -> Option<Duration> {
        self.until
            .get(&addr)
            .and_then(|&t| t.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Drops failures older than the window and backoffs that ended, so the record stays small.
    fn forget_old(&mut self, now: Instant, limits: &Limits) {
        self.failures.retain(|_, times| {
            times.retain(|&t| now.duration_since(t) < limits.failure_window);
            !times.is_empty()
        });
        self.until.retain(|_, &mut t| t > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::PrivateKey;
    use russh::keys::ssh_key::private::Ed25519Keypair;

    fn key(seed: u8) -> PublicKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
            .public_key()
            .clone()
    }

    #[test]
    fn only_locale_and_terminal_variables_are_taken() {
        for ok in [
            "LANG",
            "LC_ALL",
            "LC_MESSAGES",
            "LC_CTYPE",
            "TERM",
            "COLORFGBG",
        ] {
            assert!(env_allowed(ok), "{ok}");
        }
        for no in [
            "PATH",
            "LD_PRELOAD",
            "HOME",
            "REVDESK_STORE",
            "lang",
            "TERMINFO",
        ] {
            assert!(!env_allowed(no), "{no}");
        }
    }

    #[test]
    fn the_language_follows_the_client_locale_else_chinese() {
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(session_lang(&env(&[])), Lang::Zh);
        assert_eq!(session_lang(&env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(session_lang(&env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(session_lang(&env(&[("LANG", "C.UTF-8")])), Lang::Zh);
        assert_eq!(
            session_lang(&env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_GB.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            session_lang(&env(&[("LC_MESSAGES", "zh_TW.UTF-8"), ("LANG", "en_US")])),
            Lang::Zh
        );
    }

    #[test]
    fn keys_match_by_material_from_the_panel_or_pinned() {
        let (a, b, c) = (key(1), key(2), key(3));
        let mut commented = b.clone();
        commented.set_comment("wang@laptop");
        let pinned = vec![c.to_openssh().expect("text"), "not a key".to_string()];
        assert!(key_allowed(&a, std::slice::from_ref(&a), &pinned));
        assert!(key_allowed(&commented, std::slice::from_ref(&b), &[]));
        assert!(key_allowed(&c, std::slice::from_ref(&a), &pinned));
        assert!(!key_allowed(&b, std::slice::from_ref(&a), &pinned));
        assert!(!key_allowed(&a, &[], &[]));
    }

    #[test]
    fn idle_warns_a_minute_before_the_end() {
        let l = Limits::default();
        assert_eq!(idle_state(Duration::from_secs(10), &l), Idle::Active);
        assert_eq!(
            idle_state(l.idle - Duration::from_secs(61), &l),
            Idle::Active
        );
        assert_eq!(
            idle_state(l.idle - Duration::from_secs(60), &l),
            Idle::Warn(Duration::from_secs(60))
        );
        assert_eq!(idle_state(l.idle, &l), Idle::Expired);
    }

    #[test]
    fn session_cap() {
        let l = Limits::default();
        assert!(session_allowed(63, &l));
        assert!(!session_allowed(64, &l));
    }

    #[test]
    fn five_failures_within_a_minute_start_a_backoff() {
        let l = Limits::default();
        let mut b = Backoff::new();
        let addr: IpAddr = "192.0.2.7".parse().expect("ip");
        let other: IpAddr = "192.0.2.8".parse().expect("ip");
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(!b.fail(addr, t0 + Duration::from_secs(i), &l));
        }
        assert_eq!(b.waiting(addr, t0 + Duration::from_secs(4)), None);
        assert!(b.fail(addr, t0 + Duration::from_secs(5), &l));
        assert_eq!(
            b.waiting(addr, t0 + Duration::from_secs(5)),
            Some(l.backoff)
        );
        assert_eq!(b.waiting(other, t0 + Duration::from_secs(5)), None);
        // Failures while waiting do not extend it; after it, the count starts afresh.
        assert!(!b.fail(addr, t0 + Duration::from_secs(30), &l));
        let after = t0 + Duration::from_secs(5) + l.backoff;
        assert_eq!(b.waiting(addr, after), None);
        assert!(!b.fail(addr, after, &l));
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_do_not() {
        let l = Limits::default();
        let mut b = Backoff::new();
        let addr: IpAddr = "2001:db8::1".parse().expect("ip");
        let t0 = Instant::now();
        for i in 0..10 {
            assert!(!b.fail(addr, t0 + Duration::from_secs(i * 20), &l));
        }
        assert_eq!(b.waiting(addr, t0 + Duration::from_secs(200)), None);
    }
}
