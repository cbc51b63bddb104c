//! The peak-memory guard: a counting global allocator. Past the cap it records the request in
//! the worker's shared page, prints where it was asked for, and aborts the worker, which the
//! supervisor then reports as a memory finding for the input being run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// What starts the report of the input's largest request, when it was not the last one.
pub const LARGEST_MARK: &str = "fuzz: the input's largest request:";

/// The allocator: `System`, counting the bytes it holds.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Where the worker's page wants the size of a refused request.
static OVER: AtomicPtr<AtomicU64> = AtomicPtr::new(std::ptr::null_mut());
/// Set once the cap was passed: the report itself may allocate.
static TRIPPED: AtomicBool = AtomicBool::new(false);
/// Requests this large have their stack taken (unresolved, so cheap): the largest one of an
/// input is usually what holds the memory, not the small request that finally passes the cap.
const BIG: usize = 16 << 20;
/// The largest request of the input so far, and where it was made.
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static LARGEST_AT: Mutex<Option<(usize, Backtrace)>> = Mutex::new(None);

thread_local! {
    /// Set while this thread takes a stack, whose own allocations must not take another.
    static TAKING: Cell<bool> = const { Cell::new(false) };
}

/// Arms the guard: past `cap` bytes held at once, the process aborts; `over` receives the size.
pub fn arm(cap: usize, over: &'static AtomicU64) {
    OVER.store(std::ptr::from_ref(over).cast_mut(), Relaxed);
    CAP.store(cap, Relaxed);
}

/// Starts a new peak at what is held now, and forgets the largest request.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
    if LARGEST.swap(0, Relaxed) != 0
        && let Ok(mut at) = LARGEST_AT.lock()
    {
        *at = None;
    }
}

/// The most bytes held at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Counts `n` more bytes; past the cap, ends the process.
fn reserve(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed).saturating_add(n);
    if live > CAP.load(Relaxed) && !TRIPPED.swap(true, Relaxed) {
        over_cap(n, live);
    }
    PEAK.fetch_max(live, Relaxed);
    if n >= BIG && n > LARGEST.load(Relaxed) {
        note_largest(n);
    }
}

/// Takes the stack of the largest request so far.
#[cold]
fn note_largest(n: usize) {
    if TAKING.with(|t| t.replace(true)) {
        return;
    }
    LARGEST.store(n, Relaxed);
    let trace = Backtrace::force_capture();
    if let Ok(mut at) = LARGEST_AT.lock() {
        *at = Some((n, trace));
    }
    TAKING.with(|t| t.set(false));
}

/// Reports a request past the cap and ends the process (the supervisor names the input).
#[cold]
fn over_cap(n: usize, live: usize) -> ! {
    CAP.store(usize::MAX, Relaxed);
    let over = OVER.load(Relaxed);
    if !over.is_null() {
        // SAFETY: `arm` stored a `&'static AtomicU64`.
        unsafe { &*over }.store(n as u64, Relaxed);
    }
    let trace = Backtrace::force_capture();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "fuzz: memory cap passed: {n} bytes asked for, {live} held at once\n{trace}"
    );
    if let Ok(at) = LARGEST_AT.lock()
        && let Some((big, at)) = at.as_ref()
        && *big > n
    {
        let _ = writeln!(err, "{LARGEST_MARK} {big} bytes\n{at}");
    }
    std::process::abort()
}

// SAFETY: every call goes to `System` with the caller's layout; only the counters are ours.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old {
            reserve(new_size - old);
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                LIVE.fetch_sub(new_size - old, Relaxed);
            }
        } else if new_size < old {
            LIVE.fetch_sub(old - new_size, Relaxed);
        }
        p
    }
}
