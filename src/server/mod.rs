//! `revdesk serve`: the panel's own SSH review server (russh, no system sshd, no accounts).
//!
//! A login opens revdesk's screens, never a shell: an expert's key (or a one-time invite code)
//! opens their scoring view, a chair's key the chair's view with everyone's live marks. Each
//! session's view runs on its own thread with its own store connection ([`view`]); the SSH side
//! ([`handler`]) authenticates, refuses everything else and bridges bytes. What is allowed is
//! decided in [`policy`]; the host key is kept by [`hostkey`]; [`input`] parses the client's
//! keys. Every login, failure, refusal, backoff and session end goes to the store's audit log
//! and to standard output, one line each.

pub mod handler;
pub mod hostkey;
pub mod input;
pub mod policy;
pub mod text;
pub mod view;

use crate::domain::access::{AuditEvent, AuditKind};
use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::panel::Panel;
use crate::store::{Store, StoreError};
use anyhow::{Context, Result};
use handler::{Conn, shown};
use policy::{Backoff, Limits};
use russh::MethodKind;
use russh::keys::PrivateKey;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use view::ToView;

/// How long a stopping server waits for its sessions to say goodbye and close.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What `revdesk serve` runs with.
pub struct ServeConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The server store's directory (created if missing).
    pub store_dir: PathBuf,
    /// The round's rules.
    pub profile: Profile,
    /// The batch under review (already registered in the store).
    pub batch: Batch,
    /// The panel file: who may log in, with which keys.
    pub panel: Panel,
    /// The limits.
    pub limits: Limits,
    /// The chair's bootstrap resamples.
    pub replicates: usize,
}

/// The audit log: each event into the store (durable before the server acts on it) and as
/// one line on standard output.
pub struct Audit {
    store: Arc<Mutex<Store>>,
}

impl Audit {
    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves the connection usable: SQLite rolled back.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Prints an event the store already recorded.
    pub fn print(&self, e: &AuditEvent) {
        println!("{}", log_line(&jiff::Timestamp::now().to_string(), e));
    }

    /// Records an event (blocking: call from a thread, not the async runtime).
    pub fn record(&self, e: AuditEvent) {
        self.print(&e);
        if let Err(err) = self.lock().audit_append(&e) {
            eprintln!(
                "cannot write the audit log: {}",
                crate::text::errors::error_chain(&err)
            );
        }
    }

    /// Records an event from the async side.
    pub async fn record_async(self: &Arc<Self>, e: AuditEvent) {
        let audit = Arc::clone(self);
        let _ = tokio::task::spawn_blocking(move || audit.record(e)).await;
    }
}

/// One line of the server's log: time, event, who, key, address, detail (`-` when unknown).
pub fn log_line(at: &str, e: &AuditEvent) -> String {
    let or_dash = |v: &Option<String>| v.as_deref().map(shown).unwrap_or_else(|| "-".into());
    let mut line = format!(
        "{at} {} {} {} {}",
        e.kind,
        or_dash(&e.who),
        or_dash(&e.fingerprint),
        or_dash(&e.address)
    );
    if !e.detail.is_empty() {
        line.push(' ');
        line.push_str(&shown(&e.detail));
    }
    line
}

/// A running session: how to reach its view, and its thread.
struct Running {
    tx: SyncSender<ToView>,
    _thread: std::thread::JoinHandle<()>,
}

/// What every connection shares.
pub struct Shared {
    panel: Arc<Panel>,
    profile: Arc<Profile>,
    batch: Arc<Batch>,
    store_dir: PathBuf,
    limits: Limits,
    replicates: usize,
    audit: Arc<Audit>,
    backoff: Mutex<Backoff>,
    sessions: Mutex<HashMap<u64, Running>>,
    /// Places for connections still authenticating: when none is free, the next connection
    /// waits in the kernel's listen queue instead of being reset (30 experts logging in at
    /// nine o'clock all get in, a little later).
    logins: Arc<tokio::sync::Semaphore>,
    /// Session threads still running (a session's end is logged after its place is freed).
    threads: AtomicUsize,
    next_id: AtomicU64,
}

impl Shared {
    /// Counts a failed authentication from `ip`; true when it starts a backoff.
    fn fail(&self, ip: IpAddr) -> bool {
        let mut b = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        b.fail(ip, Instant::now(), &self.limits)
    }

    /// Whether `ip` is in backoff.
    fn waiting(&self, ip: IpAddr) -> bool {
        let b = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        b.waiting(ip, Instant::now()).is_some()
    }

    /// Runs `f` on the server's own store connection, off the async runtime; `None` (and a
    /// line on standard error) when the store fails.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Option<T> {
        let audit = Arc::clone(&self.audit);
        let r = tokio::task::spawn_blocking(move || f(&audit.lock())).await;
        match r {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                eprintln!("store: {}", crate::text::errors::error_chain(&e));
                None
            }
            Err(_) => None,
        }
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<u64, Running>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add_session(&self, id: u64, tx: SyncSender<ToView>, thread: std::thread::JoinHandle<()>) {
        self.sessions().insert(
            id,
            Running {
                tx,
                _thread: thread,
            },
        );
    }

    fn end_session(&self, id: u64) {
        self.sessions().remove(&id);
    }

    /// Review sessions open now.
    fn open_sessions(&self) -> usize {
        self.sessions().len()
    }
}

/// The SSH configuration: the host key, the two login methods, the limits.
fn ssh_config(key: PrivateKey, limits: &Limits) -> russh::server::Config {
    let mut methods = russh::MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    methods.push(MethodKind::KeyboardInteractive);
    russh::server::Config {
        methods,
        keys: vec![key],
        // Rejections take a constant time, so timing tells nothing about ids or codes.
        auth_rejection_time: Duration::from_millis(500),
        auth_rejection_time_initial: Some(Duration::ZERO),
        max_auth_attempts: limits.max_auth_tries,
        // Sessions end on the view's idle timeout; the link itself is watched by keepalives.
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 4,
        ..Default::default()
    }
}

/// Runs the server until SIGTERM or SIGINT: prints the host key's fingerprint and the address,
/// then one line per event.
pub fn serve(cfg: ServeConfig) -> Result<()> {
    let (key, made) = hostkey::load_or_create(&cfg.store_dir)?;
    let fp = hostkey::fingerprint(key.public_key());
    let store = Store::open(&cfg.store_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let shared = Arc::new(Shared {
        panel: Arc::new(cfg.panel),
        profile: Arc::new(cfg.profile),
        batch: Arc::new(cfg.batch),
        store_dir: cfg.store_dir.clone(),
        limits: cfg.limits,
        replicates: cfg.replicates,
        audit: Arc::new(Audit {
            store: Arc::new(Mutex::new(store)),
        }),
        backoff: Mutex::new(Backoff::new()),
        sessions: Mutex::new(HashMap::new()),
        logins: Arc::new(tokio::sync::Semaphore::new(
            cfg.limits.max_unauthenticated.max(1),
        )),
        threads: AtomicUsize::new(0),
        next_id: AtomicU64::new(1),
    });
    let config = Arc::new(ssh_config(key, &cfg.limits));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        let addr = listener.local_addr().unwrap_or(cfg.listen);
        println!("host key {fp} (ED25519{})", if made { ", new" } else { "" });
        println!("listening on {addr}");
        shared
            .audit
            .record_async(AuditEvent::new(
                AuditKind::ServerStart,
                format!("listening on {addr}, host key {fp}"),
            ))
            .await;
        let why = accept_until_stopped(&shared, &config, &listener).await;
        drop(listener);
        stop_sessions(&shared).await;
        shared
            .audit
            .record_async(AuditEvent::new(AuditKind::ServerStop, why))
            .await;
        Ok::<(), anyhow::Error>(())
    })?;
    // Connections still open are cut when the runtime goes; everything shown saved is stored.
    runtime.shutdown_timeout(Duration::from_millis(500));
    Ok(())
}

/// Accepts connections until a stop signal; the signal's name.
async fn accept_until_stopped(
    shared: &Arc<Shared>,
    config: &Arc<russh::server::Config>,
    listener: &tokio::net::TcpListener,
) -> String {
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        // A login place first, then the connection: without a place nothing is accepted.
        let slot = tokio::select! {
            why = &mut stop => return why,
            slot = Arc::clone(&shared.logins).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return "closed".to_string(),
            },
        };
        tokio::select! {
            why = &mut stop => return why,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => admit(shared, config, socket, peer, slot),
                Err(e) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    eprintln!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

/// Waits for SIGTERM or SIGINT; the signal's name.
async fn stop_signal() -> String {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => "SIGTERM".to_string(),
                _ = int.recv() => "SIGINT".to_string(),
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT".to_string()
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "interrupt".to_string()
    }
}

/// Takes a new connection holding a login place until it authenticates, or drops it when its
/// address is in backoff.
fn admit(
    shared: &Arc<Shared>,
    config: &Arc<russh::server::Config>,
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    if shared.waiting(peer.ip()) {
        return;
    }
    // russh sets TCP_NODELAY only on sockets it accepts itself: without it a frame written in
    // two pieces waits for the client's delayed ACK (40 ms a keystroke).
    if let Err(e) = socket.set_nodelay(true) {
        eprintln!("{peer}: cannot set TCP_NODELAY: {e}");
    }
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let conn = Conn::new(Arc::clone(shared), peer, id, slot);
    let authed = Arc::clone(&conn.authed);
    let config = Arc::clone(config);
    let grace = shared.limits.login_grace;
    tokio::spawn(async move {
        let started =
            tokio::time::timeout(grace, russh::server::run_stream(config, socket, conn)).await;
        let Ok(Ok(session)) = started else {
            return;
        };
        let handle = session.handle();
        tokio::pin!(session);
        tokio::select! {
            _ = &mut session => return,
            _ = tokio::time::sleep(grace) => {}
        }
        if !authed.load(Ordering::Relaxed) {
            let _ = handle
                .disconnect(
                    russh::Disconnect::ByApplication,
                    "login grace time over".into(),
                    String::new(),
                )
                .await;
            return;
        }
        let _ = session.await;
    });
}

/// Tells every session the server stops, and waits (a little) for them to close.
async fn stop_sessions(shared: &Arc<Shared>) {
    let txs: Vec<SyncSender<ToView>> = shared.sessions().values().map(|r| r.tx.clone()).collect();
    for tx in txs {
        let _ = tx.try_send(ToView::Stop);
    }
    let start = Instant::now();
    while shared.threads.load(Ordering::Relaxed) > 0 && start.elapsed() < STOP_GRACE {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The goodbye and the channel's close are queued: give them a moment on the wire.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_has_every_field_and_no_control_characters() {
        let e = AuditEvent {
            kind: AuditKind::LoginFailed,
            who: Some("wang\x1b[31m".into()),
            fingerprint: None,
            address: Some("127.0.0.1:5000".into()),
            detail: "unknown user".into(),
        };
        let line = log_line("2025-01-01T00:00:00Z", &e);
        assert!(!line.contains('\x1b'), "{line}");
        assert!(
            line.contains("wang\\u{1b}[31m"),
            "shown as the CLI shows it: {line}"
        );
        assert!(
            line.starts_with("2025-01-01T00:00:00Z login_failed wang"),
            "{line}"
        );
        assert!(line.ends_with("- 127.0.0.1:5000 unknown user"), "{line}");
        let bidi = AuditEvent {
            detail: "command: ls \u{202e}txt.exe".into(),
            ..AuditEvent::new(AuditKind::Refused, "")
        };
        assert!(
            !log_line("t", &bidi).contains('\u{202e}'),
            "no bidirectional override"
        );
        let bare = log_line("t", &AuditEvent::new(AuditKind::ServerStop, ""));
        assert_eq!(bare, "t server_stop - - -");
    }
}
