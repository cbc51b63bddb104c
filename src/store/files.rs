//! The store's files on disk: owner-only from the moment they exist.
//!
//! SQLite creates the `-wal` and `-shm` files with the mode of the database file, so the
//! database, its `-wal`, `-shm` and the lock file are made here first, empty and 0600 (set
//! explicitly, whatever the umask), before SQLite opens anything. Files made by an older revdesk
//! (0644) are found and repaired on every open; the caller hears of each. Directories revdesk
//! creates are 0700.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The mode of every store file: read and write for the owner only.
pub const FILE_MODE: u32 = 0o600;
/// The mode of directories revdesk creates for a store.
pub const DIR_MODE: u32 = 0o700;
/// The directory of the experts' key files, inside the store directory (see `keys`).
pub const KEYS_DIR: &str = "keys";
/// The directory of comment drafts, inside the store directory (see `drafts`).
pub const DRAFTS_DIR: &str = "drafts";

/// Creates `dir` and its missing parents, each new one owner-only.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, DIR_MODE);
    b.create(dir)
}

/// Creates `path` empty and owner-only if it does not exist; an existing file is left alone.
pub fn precreate(path: &Path) -> io::Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, FILE_MODE);
    match o.open(path) {
        // The umask may have taken bits away; set exactly the mode meant.
        Ok(f) => set_owner_only(&f),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Gives an open file exactly [`FILE_MODE`].
pub fn set_owner_only(f: &fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    }
    #[cfg(not(unix))]
    let _ = f;
    Ok(())
}

/// Writes `bytes` to a new hidden file in `dir`, owner-only from its creation and synced, and
/// hands its path to `place`, which puts it under its real name (a rename, or a link that never
/// replaces a file). The temporary name is removed afterwards if it is still there.
pub fn write_private<T>(
    dir: &Path,
    bytes: &[u8],
    place: impl FnOnce(&Path) -> io::Result<T>,
) -> io::Result<T> {
    let tmp = dir.join(format!(
        ".tmp-{}-{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let result = (|| {
        let mut o = fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, FILE_MODE);
        let mut f = o.open(&tmp)?;
        set_owner_only(&f)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        place(&tmp)
    })();
    // Best effort: a rename took the name already, and a failed write may never have made it.
    let _ = fs::remove_file(&tmp);
    result
}

/// A store file whose mode was repaired: others could read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The file.
    pub path: PathBuf,
    /// Its mode before (e.g. 0o644).
    pub was: u32,
}

/// Whether a file name in the store directory is revdesk's: the database and its companions.
fn is_store_file(name: &str) -> bool {
    name.starts_with(super::DB_FILE_NAME)
}

/// Makes every store file in `dir` (and every key and draft file) owner-only; returns those
/// that were not.
pub fn repair(dir: &Path) -> io::Result<Vec<Repaired>> {
    let mut out = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Only what revdesk makes there: regular files, and the keys directory.
        let mut check = |path: PathBuf, want: u32| -> io::Result<()> {
            let meta = fs::symlink_metadata(&path)?;
            let mode = meta.permissions().mode() & 0o777;
            let kind_ok = if want == DIR_MODE {
                meta.is_dir()
            } else {
                meta.is_file()
            };
            if mode & 0o077 != 0 && kind_ok {
                fs::set_permissions(&path, fs::Permissions::from_mode(want))?;
                out.push(Repaired { path, was: mode });
            }
            Ok(())
        };
        for e in fs::read_dir(dir)? {
            let e = e?;
            if is_store_file(&e.file_name().to_string_lossy()) {
                check(e.path(), FILE_MODE)?;
            }
        }
        for sub in [KEYS_DIR, DRAFTS_DIR] {
            let sub = dir.join(sub);
            if sub.is_dir() {
                check(sub.clone(), DIR_MODE)?;
                for e in fs::read_dir(&sub)? {
                    check(e?.path(), FILE_MODE)?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(out)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn precreated_files_are_owner_only_and_others_are_repaired() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s/t");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let db = dir.join(super::super::DB_FILE_NAME);
        precreate(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        // An existing file is not touched by precreate, but repair finds it.
        fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();
        precreate(&db).unwrap();
        assert_eq!(mode(&db), 0o644);
        let other = dir.join("notes.txt");
        fs::write(&other, "mine").unwrap();
        fs::set_permissions(&other, fs::Permissions::from_mode(0o644)).unwrap();
        let fixed = repair(&dir).unwrap();
        assert_eq!(
            fixed,
            [Repaired {
                path: db.clone(),
                was: 0o644
            }]
        );
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&other), 0o644, "not a store file: left alone");
    }
}
