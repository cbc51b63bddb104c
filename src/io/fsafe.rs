//! Reading files that come from others (batches, sheets, panels, profiles, themes, keymaps,
//! paper score sheets, shortlists): regular files only, never blocking, never more than a cap.
//!
//! `std::fs::read` on a FIFO waits for a writer forever, and on a link to `/dev/zero` reads until
//! memory runs out. Here the path is looked at first (links followed) and anything but a regular
//! file is refused before it is opened; the open itself does not block (`O_NONBLOCK`), the opened
//! file is looked at again (it may have been swapped since), its size is checked against the cap
//! before reading, and the read stops at the cap whatever the size said.
//!
//! Errors are `std::io::Error`s (kind `InvalidInput` for a file that is not regular,
//! `FileTooLarge` for one over the cap), so every reader's existing "cannot read" error carries
//! them as its cause.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// Largest batch file read (CSV, JSON or a spreadsheet), in bytes: 256 MiB.
pub const MAX_BATCH_BYTES: u64 = 256 * MIB;

/// Largest small text file read (panel, profile, theme, keymap), in bytes: 4 MiB.
pub const MAX_CONFIG_BYTES: u64 = 4 * MIB;

/// Largest paper score sheet (`enter --from`) read, in bytes: 64 MiB.
pub const MAX_SCORES_BYTES: u64 = 64 * MIB;

/// Largest shortlist (`merge` input, a JSON export) read, in bytes: 256 MiB.
pub const MAX_SHORTLIST_BYTES: u64 = 256 * MIB;

/// What a path that is not a regular file is, in words (`a FIFO`).
pub fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The error for a path that is not a regular file.
fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", kind_of(meta)),
    )
}

/// The error for a file over the cap.
fn too_large(size: Option<u64>, limit: u64) -> io::Error {
    let size = match size {
        Some(s) => format!("{s} bytes"),
        None => format!("more than {limit} bytes"),
    };
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("too large: {size}, the limit is {limit} bytes"),
    )
}

/// Whether `path` (links followed) is a regular file; never opens it.
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Opens a regular file for reading without blocking, checking its type before and after.
pub fn open(path: &Path) -> io::Result<File> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(not_regular(&before));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Why: a FIFO swapped in after the check must not block the open; no controlling tty.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path)?;
    let after = file.metadata()?;
    if !after.is_file() {
        return Err(not_regular(&after));
    }
    Ok(file)
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(Some(size), limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Why: the file may grow after the size was read; never read past the cap.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None, limit));
    }
    Ok(bytes)
}

/// A regular file opened for reading by [`open_capped`]: reading past the cap is an error.
#[derive(Debug)]
pub struct Capped {
    file: File,
    limit: u64,
    read: u64,
}

/// Opens a regular file of at most `limit` bytes to be read as a stream (a batch decoded and
/// parsed as it is read, never whole in memory).
pub fn open_capped(path: &Path, limit: u64) -> io::Result<Capped> {
    let file = open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(Some(size), limit));
    }
    Ok(Capped {
        file,
        limit,
        read: 0,
    })
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Why: the file may grow after the size was read; never read past the cap.
        let room = (self.limit + 1 - self.read.min(self.limit + 1)).min(buf.len() as u64);
        let n = self.file.read(&mut buf[..room as usize])?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(too_large(None, self.limit));
        }
        Ok(n)
    }
}

impl io::Seek for Capped {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let at = self.file.seek(pos)?;
        self.read = at;
        Ok(at)
    }
}

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = read(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to() + 1),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read(&p, 5).unwrap(), b"12345");
        let e = read(&p, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(e.to_string(), "too large: 5 bytes, the limit is 4 bytes");
        let e = read(dir.path(), 4).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        std::fs::write(&p, b"\xff").unwrap();
        let e = read_to_string(&p, 5).unwrap_err();
        assert_eq!(e.to_string(), "not UTF-8 text (byte 1)");
    }

    #[test]
    fn a_capped_stream_stops_at_the_cap() {
        use std::io::Seek;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"12345").unwrap();
        let mut s = String::new();
        open_capped(&p, 5).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "12345");
        let e = open_capped(&p, 4).unwrap_err();
        assert_eq!(e.to_string(), "too large: 5 bytes, the limit is 4 bytes");
        // Grown after the open: the read stops at the cap.
        let mut c = open_capped(&p, 5).unwrap();
        std::fs::write(&p, b"123456").unwrap();
        let e = c.read_to_end(&mut vec![]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        c.rewind().unwrap();
        let mut two = [0u8; 2];
        c.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"12");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read(&fifo, 1024).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a FIFO)");
        let link = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read(&link, 1024).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a character device)");
        assert!(!is_regular(&link));
        // A link to a regular file is read like the file.
        let real = dir.path().join("real");
        std::fs::write(&real, b"ok").unwrap();
        let link = dir.path().join("ok.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(read(&link, 2).unwrap(), b"ok");
    }
}
