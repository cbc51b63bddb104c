//! The page a worker and its supervisor share: a small file mapped into both, so the
//! supervisor knows which input a worker was running when it died or stopped moving.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Slots of the page.
#[derive(Clone, Copy)]
pub enum Slot {
    /// The index of the input being run (`IDLE` between inputs).
    Current = 0,
    /// Inputs this worker finished.
    Done = 1,
    /// The most heap bytes held at once while running an input.
    Peak = 2,
    /// The size of a request refused by the memory cap (0: none).
    Over = 3,
    /// Set by the supervisor: finish the current input and exit.
    Stop = 4,
}

/// No input is running.
pub const IDLE: u64 = u64::MAX;
const SLOTS: usize = 8;
const BYTES: usize = SLOTS * 8;

/// A mapped page.
pub struct Page {
    slots: *const AtomicU64,
    _file: File,
}

// SAFETY: the mapping lives as long as the `Page` and is only touched through atomics.
unsafe impl Send for Page {}
// SAFETY: as above.
unsafe impl Sync for Page {}

impl Page {
    /// Creates (or clears) the page file and maps it.
    pub fn create(path: &Path) -> io::Result<Page> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(BYTES as u64)?;
        let page = Page::map(file)?;
        page.get(Slot::Current).store(IDLE, Relaxed);
        Ok(page)
    }

    /// Maps an existing page file.
    pub fn open(path: &Path) -> io::Result<Page> {
        Page::map(OpenOptions::new().read(true).write(true).open(path)?)
    }

    fn map(file: File) -> io::Result<Page> {
        // SAFETY: a fresh shared mapping of a file we hold open, of the size we set.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                BYTES,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Page {
            slots: p.cast::<AtomicU64>(),
            _file: file,
        })
    }

    /// A slot.
    pub fn get(&self, slot: Slot) -> &AtomicU64 {
        // SAFETY: the mapping holds SLOTS aligned u64s (mmap is page-aligned).
        unsafe { &*self.slots.add(slot as usize) }
    }

    /// Reads a slot.
    pub fn load(&self, slot: Slot) -> u64 {
        self.get(slot).load(Relaxed)
    }

    /// Clears every slot for a new worker.
    pub fn reset(&self) {
        for s in [Slot::Done, Slot::Peak, Slot::Over, Slot::Stop] {
            self.get(s).store(0, Relaxed);
        }
        self.get(Slot::Current).store(IDLE, Relaxed);
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // SAFETY: unmaps what `map` mapped, once.
        unsafe { libc::munmap(self.slots.cast_mut().cast(), BYTES) };
    }
}
