//! Each expert's secret signing key, in a file of its own: `keys/expert-<id>.key` in the store
//! directory (the directory 0700, the file 0600 from the moment it exists, written whole and
//! linked into place, so a reader sees a whole key or none).
//!
//! The keys are not in the database: SQLite's write-ahead log holds every page written for as
//! long as a session lasts, and a world-readable `-wal` (as older revdesk versions left it) would
//! hold the key in clear. Keys an older store kept in its database (the `expert_keys` table, and
//! a store's single unclaimed key under meta `signing_key`) move into files when the store is
//! opened, unchanged (a panel file pins them), and are wiped from the database, which is then
//! vacuumed and its log truncated so no old page keeps them.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rusqlite::params;

use super::decisions::meta_in;
use super::files::{KEYS_DIR, create_dir, write_private};
use super::{Fail, LOCK_FILE_NAME, Store, StoreError};

/// The meta key of a store's single signing key from before schema version 3 (not yet claimed).
const LEGACY_KEY_META: &str = "signing_key";

/// The file holding the store's unclaimed key from before one key per expert (see migration 3):
/// it goes to the first expert who needs a key.
const UNCLAIMED: &str = "unclaimed.key";

/// Largest key file read: a key is 64 hex digits.
const MAX_KEY_BYTES: u64 = 4096;

/// The file name of an expert's key: lower-case letters, digits, `-` and `_` kept, every other
/// byte as `%XX`, so no id can name a path elsewhere and no two ids collide, even on a file
/// system that ignores case.
fn file_name(expert: &str) -> String {
    let mut name = String::from("expert-");
    for b in expert.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".key");
    name
}

/// Reads a key file; None when there is none.
fn read_key(path: &Path) -> io::Result<Option<String>> {
    match fs::File::open(path) {
        Ok(f) => {
            let mut text = String::new();
            f.take(MAX_KEY_BYTES).read_to_string(&mut text)?;
            Ok(Some(text.trim().to_string()))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `secret` to `path` unless a file is there already: a hidden temporary file, 0600 from
/// its creation, synced, then linked into place (a link never replaces a file). Returns the
/// secret the file holds, ours or the one that was there.
fn write_key(path: &Path, secret: &str) -> io::Result<String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let result = write_private(
        dir,
        format!("{secret}\n").as_bytes(),
        |tmp| match fs::hard_link(tmp, path) {
            Ok(()) => Ok(secret.to_string()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_key(path)?
                .ok_or_else(|| io::Error::other("the key file vanished while it was read")),
            Err(e) => Err(e),
        },
    );
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    result
}

impl Store {
    /// The directory holding the store's key files.
    fn keys_dir(&self) -> PathBuf {
        self.dir().join(KEYS_DIR)
    }

    /// A key-file error, naming the file.
    fn key_error(&self, path: PathBuf, source: io::Error) -> StoreError {
        StoreError::KeyFile { path, source }
    }

    /// The secret signing key (hex) kept for `expert`, if one was made.
    pub fn expert_key(&self, expert: &str) -> Result<Option<String>, StoreError> {
        let path = self.keys_dir().join(file_name(expert));
        read_key(&path).map_err(|e| self.key_error(path, e))
    }

    /// The expert's secret signing key (hex), stored first if the expert has none: the store's
    /// unclaimed key from before one key per expert if there is one (see migration 3), else
    /// `fresh`. Racing processes agree on one key (they take turns on the store's lock file).
    pub fn ensure_expert_key(&self, expert: &str, fresh: &str) -> Result<String, StoreError> {
        let lock_path = self.dir().join(LOCK_FILE_NAME);
        let lock = fs::OpenOptions::new()
            .write(true)
            .open(&lock_path)
            .and_then(|f| f.lock().map(|()| f))
            .map_err(|source| StoreError::Lock {
                path: lock_path.clone(),
                source,
            })?;
        let dir = self.keys_dir();
        create_dir(&dir).map_err(|e| self.key_error(dir.clone(), e))?;
        let path = dir.join(file_name(expert));
        let result = match read_key(&path).map_err(|e| self.key_error(path.clone(), e))? {
            Some(secret) => Ok(secret),
            None => {
                let unclaimed = dir.join(UNCLAIMED);
                match read_key(&unclaimed).map_err(|e| self.key_error(unclaimed.clone(), e))? {
                    Some(old) => {
                        let secret = write_key(&path, &old);
                        if secret.is_ok() {
                            fs::remove_file(&unclaimed)
                                .map_err(|e| self.key_error(unclaimed.clone(), e))?;
                        }
                        secret
                    }
                    None => write_key(&path, fresh),
                }
                .map_err(|e| self.key_error(path.clone(), e))
            }
        };
        drop(lock);
        result
    }

    /// Other experts of this store who share `expert`'s key (possible only for experts who
    /// signed with the store's single key before schema version 3), sorted.
    pub fn experts_sharing_key(&self, expert: &str) -> Result<Vec<String>, StoreError> {
        let Some(mine) = self.expert_key(expert)? else {
            return Ok(Vec::new());
        };
        let dir = self.keys_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.key_error(dir, e)),
        };
        let own = file_name(expert);
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(|err| self.key_error(dir.clone(), err))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_prefix("expert-")
                .and_then(|n| n.strip_suffix(".key"))
            else {
                continue;
            };
            if name == own {
                continue;
            }
            if read_key(&e.path()).map_err(|err| self.key_error(e.path(), err))?
                == Some(mine.clone())
            {
                out.push(decode_name(id));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Moves keys kept in the database by older versions into key files and wipes them from the
    /// database (vacuumed, log truncated). Called while opening, under the open lock.
    pub(super) fn move_keys_out(&self) -> Result<(), StoreError> {
        let r = (|| -> Result<bool, Fail> {
            let mut stmt = self
                .conn
                .prepare("SELECT expert, secret FROM expert_keys ORDER BY expert")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let legacy = meta_in(&self.conn, LEGACY_KEY_META)?;
            if rows.is_empty() && legacy.is_none() {
                return Ok(false);
            }
            let dir = self.keys_dir();
            create_dir(&dir).map_err(|e| self.key_error(dir.clone(), e))?;
            let place = |name: String, secret: &str| -> Result<(), Fail> {
                let path = dir.join(name);
                let kept = write_key(&path, secret).map_err(|e| self.key_error(path.clone(), e))?;
                if kept != secret.trim() {
                    return Err(Fail::Corrupt(format!(
                        "{} holds another key than the database",
                        path.display()
                    )));
                }
                Ok(())
            };
            for (expert, secret) in &rows {
                place(file_name(expert), secret)?;
            }
            if let Some(secret) = &legacy {
                place(UNCLAIMED.to_string(), secret)?;
            }
            let tx = self.begin_write()?;
            tx.execute("DELETE FROM expert_keys", [])?;
            tx.execute("DELETE FROM meta WHERE key = ?1", params![LEGACY_KEY_META])?;
            tx.commit()?;
            Ok(true)
        })();
        if self.wrap("move_keys_out", r)? {
            // Rewrite every page without the keys, then empty the log that still holds them.
            let r = self
                .conn
                .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(Fail::from);
            self.wrap("move_keys_out (vacuum)", r)?;
        }
        Ok(())
    }
}

/// The expert id a key file name encodes ([`file_name`] reversed).
fn decode_name(encoded: &str) -> String {
    let b = encoded.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn file_names_are_safe_and_reversible() {
        assert_eq!(file_name("wang"), "expert-wang.key");
        assert_eq!(file_name("Wang"), "expert-%57ang.key");
        assert_eq!(file_name("../x"), "expert-%2E%2E%2Fx.key");
        assert_eq!(file_name("王"), "expert-%E7%8E%8B.key");
        for id in ["wang", "Wang", "../x", "王", "e:3", "a%b"] {
            let name = file_name(id);
            let inner = &name["expert-".len()..name.len() - ".key".len()];
            assert_eq!(decode_name(inner), id);
        }
    }

    #[test]
    fn an_unclaimed_store_key_goes_to_the_first_expert_who_needs_one() {
        // `revdesk key` was run on an empty store: the key waits for the store's expert.
        let tmp = v2_store(&[], &[], Some("OLD"));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(
            store.meta_get("signing_key").unwrap(),
            None,
            "out of the db"
        );
        assert!(tmp.path().join("keys").join(UNCLAIMED).is_file());
        assert_eq!(store.ensure_expert_key("wang", "NEW").unwrap(), "OLD");
        assert!(!tmp.path().join("keys").join(UNCLAIMED).exists());
        assert_eq!(store.ensure_expert_key("li", "NEW").unwrap(), "NEW");
        // Without any old key, nothing is claimed.
        let tmp = v2_store(&["a", "b"], &["a"], None);
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("a").unwrap(), None);
    }

    #[test]
    fn keys_in_an_old_database_move_to_files_and_leave_no_trace() {
        let secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
        let tmp = v2_store(&["e1", "e2"], &["e1", "e2"], Some(secret));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("e1").unwrap().as_deref(), Some(secret));
        assert_eq!(store.expert_key("e2").unwrap().as_deref(), Some(secret));
        assert_eq!(store.experts_sharing_key("e1").unwrap(), ["e2"]);
        let n: i64 = store
            .conn
            .query_row("SELECT count(*) FROM expert_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        drop(store);
        // No file of the store but the key files holds the secret, in clear or in any page.
        for e in fs::read_dir(tmp.path()).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let bytes = fs::read(&p).unwrap();
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{} holds the key",
                    p.display()
                );
            }
        }
        // Reopening changes nothing: the keys stay.
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("e1").unwrap().as_deref(), Some(secret));
    }
}
