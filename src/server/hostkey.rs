//! The server's host key: ed25519, made on the first start, kept in the store directory as an
//! OpenSSH private key file readable by the owner alone, and reused on every restart.

use anyhow::{Context, Result, bail};
use rand::RngCore;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::ssh_key::{HashAlg, LineEnding};
use russh::keys::{PrivateKey, PublicKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The host key's file name inside the store directory.
pub const HOST_KEY_FILE: &str = "host_ed25519_key";

/// The host key file of a store directory.
pub fn host_key_path(dir: &Path) -> PathBuf {
    dir.join(HOST_KEY_FILE)
}

/// A public key's fingerprint as `ssh` shows it: `SHA256:` and unpadded base64.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Loads the host key from `dir`, or makes one there; whether it was made.
///
/// A key file that others may read is refused rather than fixed: whoever could read it may
/// have copied it, and only the operator can decide to throw it away.
pub fn load_or_create(dir: &Path) -> Result<(PrivateKey, bool)> {
    let path = host_key_path(dir);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) => {
            check_private(&path, &meta)?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the host key {}", path.display()))?;
            let key = PrivateKey::from_openssh(text.as_bytes())
                .with_context(|| format!("{} is not an OpenSSH private key", path.display()))?;
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((create(&path)?, true)),
        Err(e) => Err(e).with_context(|| format!("cannot read the host key {}", path.display())),
    }
}

/// Makes a new key and writes it, created with mode 0600 (never widened, then narrowed).
fn create(path: &Path) -> Result<PrivateKey> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    let text = key
        .to_openssh(LineEnding::LF)
        .context("cannot encode the new host key")?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the host key {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the host key {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !meta.is_file() {
        bail!("the host key {} is not a regular file", path.display());
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "the host key {} is readable by others (mode {mode:03o}): if nobody copied it, \
             `chmod 600` it; else delete it and a new one is made (tell the experts the new \
             fingerprint)",
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if !meta.is_file() {
        bail!("the host key {} is not a regular file", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, made) = load_or_create(dir.path()).expect("create");
        assert!(made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(host_key_path(dir.path()))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, made) = load_or_create(dir.path()).expect("load");
        assert!(!made);
        assert_eq!(
            fingerprint(first.public_key()),
            fingerprint(again.public_key())
        );
        assert!(fingerprint(first.public_key()).starts_with("SHA256:"));
        assert!(!fingerprint(first.public_key()).ends_with('='));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        load_or_create(dir.path()).expect("create");
        let path = host_key_path(dir.path());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = load_or_create(dir.path()).expect_err("refused");
        assert!(e.to_string().contains("readable by others"), "{e}");
    }

    #[test]
    fn a_damaged_key_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = host_key_path(dir.path());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .and_then(|mut f| f.write_all(b"garbage"))
            .expect("write");
        assert!(load_or_create(dir.path()).is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"garbage");
    }
}
