//! Who may use the review server and what it records: the roles of the panel file, the audit
//! log's events, and one-time invite codes.
//!
//! An invite code is 16 symbols of Crockford's base32 alphabet (digits and capitals without
//! `I`, `L`, `O`, `U`: 80 random bits), shown in groups of four (`7K3M-Q9XA-…`). It is typed
//! back with or without the dashes and spaces, in any case, and `O`, `I`, `L` are read as
//! `0`, `1`, `1` (the letters people take those digits for). Only its SHA-256 is stored.

use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssh_key::{Algorithm, HashAlg, PublicKey};

/// What an identity of the panel file may do on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::Display, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Scores nominations (`[[experts]]`).
    Expert,
    /// Runs the meeting: the chair's view and its decisions (`[[chairs]]`).
    Chair,
}

/// Someone the panel file lists: an expert or a chair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Expert or chair.
    pub role: Role,
    /// The id, unique across experts and chairs.
    pub id: String,
    /// The display name (may be empty).
    pub name: String,
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AuditKind {
    /// The server started.
    ServerStart,
    /// The server stopped.
    ServerStop,
    /// Someone logged in.
    Login,
    /// A login was refused (unknown key, wrong code).
    LoginFailed,
    /// A session ended.
    SessionEnd,
    /// A request was refused (a command, a channel, a forward).
    Refused,
    /// An address was made to wait after failures.
    Backoff,
    /// An invite code was issued.
    InviteIssued,
    /// An invite code was used.
    InviteUsed,
    /// A key was pinned to an expert.
    KeyPinned,
}

/// One thing to write into the audit log (the store adds the sequence and the time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// What happened.
    pub kind: AuditKind,
    /// The expert or chair id, when known.
    pub who: Option<String>,
    /// The SSH key's fingerprint (`SHA256:…`), when one was offered.
    pub fingerprint: Option<String>,
    /// The peer's address, when over the network.
    pub address: Option<String>,
    /// Anything else, in words.
    pub detail: String,
}

impl AuditEvent {
    /// An event of `kind` with only a detail.
    pub fn new(kind: AuditKind, detail: impl Into<String>) -> AuditEvent {
        AuditEvent {
            kind,
            who: None,
            fingerprint: None,
            address: None,
            detail: detail.into(),
        }
    }
}

/// One entry of the audit log as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Its place in the log (grows by one or more per entry).
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// What.
    #[serde(flatten)]
    pub event: AuditEvent,
}

/// Crockford's base32 alphabet: no `I`, `L`, `O` or `U` to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols in a code: 16 × 5 = 80 random bits.
pub const INVITE_SYMBOLS: usize = 16;

/// A fresh invite code, `XXXX-XXXX-XXXX-XXXX` (80 bits from the operating system's generator).
pub fn new_invite_code() -> String {
    let mut rng = rand::rng();
    let mut out = String::with_capacity(INVITE_SYMBOLS + INVITE_SYMBOLS / 4);
    for i in 0..INVITE_SYMBOLS {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    out
}

/// A typed code as it is hashed: without white space and dashes, upper case, `O`→`0` and
/// `I`/`L`→`1`.
pub fn normalise_invite_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '–' | '—' | '－'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// The SHA-256 (hex) of the normalised code: what the store keeps and compares.
pub fn invite_code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalise_invite_code(code).as_bytes()))
}

/// The shortest RSA modulus accepted (NIST's floor; OpenSSH warns below it too).
pub const MIN_RSA_BITS: u32 = 2048;

/// An SSH public key that cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum SshKeyError {
    /// Nothing but white space.
    #[error("empty: write the key as in a .pub file (type, base64, comment)")]
    Empty,
    /// authorized_keys options before the key (`from="…"`, `command="…"`, `restrict`).
    #[error(
        "authorized_keys options ({options}) are not supported: list the key alone (type, base64, comment)"
    )]
    Options {
        /// The options as written.
        options: String,
    },
    /// Not `TYPE BASE64 [COMMENT]`, or the base64 does not hold a key of that type.
    #[error("not an OpenSSH public key (type, base64, comment, as in a .pub file)")]
    // Boxed: ssh-key's error, with the features russh enables, is larger than every other
    // error here put together.
    NotAKey(#[source] Box<ssh_key::Error>),
    /// A key type the server does not take (DSA, security keys, certificates).
    #[error("unsupported key type {algorithm}: use an ed25519, ecdsa or rsa key")]
    Unsupported {
        /// The key's type name.
        algorithm: String,
    },
    /// An RSA key below [`MIN_RSA_BITS`].
    #[error("RSA key of {bits} bits is too short: at least {MIN_RSA_BITS} bits")]
    RsaTooShort {
        /// The modulus size.
        bits: u32,
    },
}

/// Whether a word names an SSH key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `sk-…`).
fn is_key_type(word: &str) -> bool {
    ["ssh-", "ecdsa-sha2-", "sk-"]
        .iter()
        .any(|p| word.starts_with(p))
}

/// Parses one key as an authorized_keys line without options: `ssh-ed25519 AAAA… comment`.
/// Ed25519, ECDSA and RSA (at least [`MIN_RSA_BITS`]) keys are taken.
pub fn parse_ssh_key(text: &str) -> Result<PublicKey, SshKeyError> {
    let line = text.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Err(SshKeyError::Empty);
    };
    if !is_key_type(first)
        && let Some(at) = words.iter().position(|w| is_key_type(w))
    {
        return Err(SshKeyError::Options {
            options: words[..at].join(" "),
        });
    }
    // ssh-key splits on single spaces; a tab or a double space is still one separator.
    let key =
        PublicKey::from_openssh(&words.join(" ")).map_err(|e| SshKeyError::NotAKey(Box::new(e)))?;
    match key.algorithm() {
        Algorithm::Ed25519 | Algorithm::Ecdsa { .. } => Ok(key),
        Algorithm::Rsa { .. } => match key.key_data().rsa().map(|k| k.key_size()) {
            Some(bits) if bits < MIN_RSA_BITS => Err(SshKeyError::RsaTooShort { bits }),
            _ => Ok(key),
        },
        other => Err(SshKeyError::Unsupported {
            algorithm: other.to_string(),
        }),
    }
}

/// A key's SHA-256 fingerprint as OpenSSH prints it (`SHA256:…`).
pub fn ssh_fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use strum::VariantArray;

    #[test]
    fn codes_are_grouped_readable_and_distinct() {
        let codes: HashSet<String> = (0..200).map(|_| new_invite_code()).collect();
        assert_eq!(codes.len(), 200);
        for c in &codes {
            assert_eq!(c.len(), 19, "{c}");
            let groups: Vec<&str> = c.split('-').collect();
            assert_eq!(groups.len(), 4, "{c}");
            assert!(groups.iter().all(|g| g.len() == 4), "{c}");
            assert!(c.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)), "{c}");
            // Nothing to misread: the normalised code is the code without dashes.
            assert_eq!(normalise_invite_code(c), c.replace('-', ""));
        }
    }

    #[test]
    fn the_hash_ignores_case_dashes_spaces_and_lookalikes() {
        let h = invite_code_hash("7K3M-Q9XA-0B1C-DEFG");
        assert_eq!(h.len(), 64);
        for typed in [
            "7k3m-q9xa-0b1c-defg",
            "7K3MQ9XA0B1CDEFG",
            " 7K3M Q9XA 0B1C DEFG ",
            "7k3m q9xa-ob1c defg",
            "7K3M-Q9XA-0BIC-DEFG",
            "7K3M-Q9XA-0BlC-DEFG",
            "7K3M－Q9XA－0B1C－DEFG",
        ] {
            assert_eq!(invite_code_hash(typed), h, "{typed}");
        }
        assert_ne!(invite_code_hash("7K3M-Q9XA-0B1C-DEFH"), h);
        assert_ne!(invite_code_hash(""), h);
    }

    #[test]
    fn kinds_and_roles_have_snake_case_names() {
        assert_eq!(AuditKind::LoginFailed.to_string(), "login_failed");
        assert_eq!(
            serde_json::to_value(AuditKind::InviteIssued).unwrap(),
            "invite_issued"
        );
        for k in AuditKind::VARIANTS {
            let name: &str = k.into();
            assert_eq!(name.parse::<AuditKind>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), name);
        }
        assert_eq!(Role::Chair.to_string(), "chair");
        assert_eq!("expert".parse::<Role>().unwrap(), Role::Expert);
    }

    #[test]
    fn a_row_serialises_flat() {
        let row = AuditRow {
            seq: 3,
            at: "2026-01-02T03:04:05.000000Z".into(),
            event: AuditEvent {
                who: Some("wang".into()),
                ..AuditEvent::new(AuditKind::Login, "expert")
            },
        };
        let v = serde_json::to_value(&row).unwrap();
        assert_eq!(v["kind"], "login");
        assert_eq!(v["who"], "wang");
        assert_eq!(v["fingerprint"], serde_json::Value::Null);
        assert_eq!(v["seq"], 3);
    }

    /// A sample key from `fixtures/ssh/` (generated by ssh-keygen for the tests).
    fn sample(name: &str) -> String {
        let path = format!("{}/fixtures/ssh/{name}.pub", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn ed25519_ecdsa_and_rsa_keys_parse() {
        for (name, alg) in [
            ("ed25519-a", "ssh-ed25519"),
            ("ecdsa-p256", "ecdsa-sha2-nistp256"),
            ("ecdsa-p384", "ecdsa-sha2-nistp384"),
            ("ecdsa-p521", "ecdsa-sha2-nistp521"),
            ("rsa-3072", "ssh-rsa"),
        ] {
            let text = sample(name);
            let key = parse_ssh_key(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(key.algorithm().as_str(), alg);
            // Written back as OpenSSH text it is the line as given.
            assert_eq!(key.to_openssh().unwrap(), text.trim());
            assert!(ssh_fingerprint(&key).starts_with("SHA256:"), "{name}");
        }
        // White space around and inside (a tab, two spaces) is one separator.
        let a = sample("ed25519-a");
        let spaced = format!(
            "  {}\n",
            a.trim().replacen(' ', "\t", 1).replacen(' ', "  ", 1)
        );
        assert_eq!(
            parse_ssh_key(&spaced).unwrap().key_data(),
            parse_ssh_key(&a).unwrap().key_data()
        );
        // A comment may hold spaces, or be absent.
        let bare: Vec<&str> = a.split_whitespace().take(2).collect();
        assert!(parse_ssh_key(&bare.join(" ")).is_ok());
        assert!(parse_ssh_key(&format!("{} 王五 的 笔记本", bare.join(" "))).is_ok());
    }

    #[test]
    fn keys_that_cannot_be_listed_say_why() {
        let msg = |text: &str| crate::text::errors::error_chain(&parse_ssh_key(text).unwrap_err());
        assert_eq!(
            msg("  "),
            "empty: write the key as in a .pub file (type, base64, comment)"
        );
        assert_eq!(
            msg(&sample("dsa")),
            "unsupported key type ssh-dss: use an ed25519, ecdsa or rsa key"
        );
        assert_eq!(
            msg(&sample("rsa-1024")),
            "RSA key of 1024 bits is too short: at least 2048 bits"
        );
        let a = sample("ed25519-a");
        assert_eq!(
            msg(&format!("from=\"10.0.0.0/8\",no-pty {a}")),
            "authorized_keys options (from=\"10.0.0.0/8\",no-pty) are not supported: list the key alone (type, base64, comment)"
        );
        assert_eq!(
            msg(&format!("command=\"echo hi\" {a}")),
            "authorized_keys options (command=\"echo hi\") are not supported: list the key alone (type, base64, comment)"
        );
        for bad in [
            "hello world",
            "ssh-ed25519 not-base64 c",
            "ssh-ed25519",
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIAVqYcbmIFXDK8dWyj0av74KBZlDSAYg8MFb1aXM33kn x",
        ] {
            assert!(
                msg(bad).starts_with(
                    "not an OpenSSH public key (type, base64, comment, as in a .pub file): "
                ),
                "{bad}: {}",
                msg(bad)
            );
        }
    }
}
