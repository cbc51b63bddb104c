//! One SSH connection: who may log in, what they may open, and the bridge from the channel to
//! the session's view thread.
//!
//! The expert or chair id comes from authentication alone (the SSH user name checked against
//! a key or an invite code), never from anything typed later. Everything the server does not
//! offer is refused and audited: passwords, commands, subsystems, forwarding, agents, X11, a
//! second session channel.

use super::Shared;
use super::hostkey::fingerprint;
use super::policy::{env_allowed, key_allowed, session_allowed, session_lang};
use super::text::{Say, say};
use super::view::{self, ChannelWriter, FromView, OUTPUT_QUEUE, ToView, ViewSpec};
use crate::domain::access::{AuditEvent, AuditKind, Identity, Role, invite_code_hash};
use crate::store::InviteOutcome;
use russh::keys::PublicKey;
use russh::server::{Auth, Handle, Msg, PublicKeyOffer, Response, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet, Pty, Sig};
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

/// Input chunks queued for a view; past that, the connection waits for the view.
const INPUT_QUEUE: usize = 256;

/// The prompt of the keyboard-interactive login.
const CODE_PROMPT: &str = "Invitation code / 邀请码: ";

/// One client connection.
pub struct Conn {
    shared: Arc<Shared>,
    peer: SocketAddr,
    id: u64,
    /// Set once authenticated (the accept loop's grace timer reads it).
    pub authed: Arc<AtomicBool>,
    /// The login place this connection holds until it authenticates (or ends).
    login_place: Option<tokio::sync::OwnedSemaphorePermit>,
    who: Option<Identity>,
    key_fp: Option<String>,
    /// A key whose ownership the client proved but that opens no account: pinned if an
    /// invite code follows.
    proven: Option<PublicKey>,
    channel: Option<ChannelId>,
    pty: Option<(u16, u16)>,
    env: Vec<(String, String)>,
    to_view: Option<SyncSender<ToView>>,
}

impl Conn {
    /// A connection from `peer`.
    pub fn new(
        shared: Arc<Shared>,
        peer: SocketAddr,
        id: u64,
        login_place: tokio::sync::OwnedSemaphorePermit,
    ) -> Conn {
        Conn {
            shared,
            peer,
            id,
            authed: Arc::new(AtomicBool::new(false)),
            login_place: Some(login_place),
            who: None,
            key_fp: None,
            proven: None,
            channel: None,
            pty: None,
            env: Vec::new(),
            to_view: None,
        }
    }

    fn event(&self, kind: AuditKind, who: Option<&str>, detail: impl Into<String>) -> AuditEvent {
        AuditEvent {
            kind,
            who: who.map(str::to_string),
            fingerprint: self.key_fp.clone(),
            address: Some(self.peer.to_string()),
            detail: detail.into(),
        }
    }

    async fn audit(&self, e: AuditEvent) {
        self.shared.audit.record_async(e).await;
    }

    /// A failed authentication: audited, counted against the address (maybe a backoff).
    async fn failed(&self, who: &str, detail: String) -> Auth {
        let e = self.event(AuditKind::LoginFailed, Some(who), detail);
        self.audit(e).await;
        if self.shared.fail(self.peer.ip()) {
            let e = self.event(
                AuditKind::Backoff,
                None,
                format!(
                    "{} failed logins within {} s: this address waits {} s",
                    self.shared.limits.max_failures,
                    self.shared.limits.failure_window.as_secs(),
                    self.shared.limits.backoff.as_secs()
                ),
            );
            self.audit(e).await;
        }
        reject()
    }

    /// A request refused after login: audited.
    async fn refuse(&self, what: &str) {
        let who = self.who.as_ref().map(|w| w.id.clone());
        let e = self.event(AuditKind::Refused, who.as_deref(), what.to_string());
        self.audit(e).await;
    }

    fn waiting(&self) -> bool {
        self.shared.waiting(self.peer.ip())
    }

    /// The keys that open `id`'s account: the panel's and those pinned in the store.
    async fn pinned(&self, id: &str) -> Vec<String> {
        let id = id.to_string();
        self.shared
            .with_store(move |s| s.pinned_keys(&id))
            .await
            .unwrap_or_default()
    }

    /// Starts the view thread for the logged-in identity on `channel`.
    fn start_view(&mut self, channel: ChannelId, handle: Handle, size: (u16, u16)) {
        let Some(who) = self.who.clone() else {
            return;
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(INPUT_QUEUE);
        let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<FromView>(OUTPUT_QUEUE);
        let spec = ViewSpec {
            who: who.clone(),
            lang: session_lang(&self.env),
            size,
            store_dir: self.shared.store_dir.clone(),
            profile: Arc::clone(&self.shared.profile),
            batch: Arc::clone(&self.shared.batch),
            panel: Arc::clone(&self.shared.panel),
            replicates: self.shared.replicates,
            limits: self.shared.limits,
            colorfgbg: self
                .env
                .iter()
                .rev()
                .find(|(n, _)| n == "COLORFGBG")
                .map(|(_, v)| v.clone()),
        };
        // Frames to the client, in order; then the exit status and the channel's end.
        tokio::spawn(async move {
            let mut status = 1;
            while let Some(msg) = out_rx.recv().await {
                match msg {
                    FromView::Bytes(b) => {
                        if handle.data(channel, b).await.is_err() {
                            break;
                        }
                    }
                    FromView::Exit(s) => {
                        status = s;
                        break;
                    }
                }
            }
            let _ = handle.exit_status_request(channel, status).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });
        let shared = Arc::clone(&self.shared);
        let (id, peer, fp) = (self.id, self.peer, self.key_fp.clone());
        self.shared.threads.fetch_add(1, Ordering::Relaxed);
        let thread = std::thread::Builder::new()
            .name(format!("session-{id}"))
            .spawn(move || {
                let end = view::run(spec, rx, ChannelWriter::new(out_tx));
                let detail = match &end {
                    Ok(e) => e.word().to_string(),
                    Err(e) => format!("failed: {}", crate::text::errors::error_chain(e.as_ref())),
                };
                // Its place is free before the end is logged.
                shared.end_session(id);
                shared.audit.record(AuditEvent {
                    kind: AuditKind::SessionEnd,
                    who: Some(who.id.clone()),
                    fingerprint: fp,
                    address: Some(peer.to_string()),
                    detail,
                });
                shared.threads.fetch_sub(1, Ordering::Relaxed);
            });
        match thread {
            Ok(t) => {
                self.shared.add_session(self.id, tx.clone(), t);
                self.to_view = Some(tx);
            }
            Err(e) => {
                self.shared.threads.fetch_sub(1, Ordering::Relaxed);
                eprintln!("cannot start a session thread: {e}");
            }
        }
    }

    /// Hands a message to the view; waits while its queue is full (back-pressure on the
    /// connection), gives up when the view is gone.
    async fn send_view(&self, mut msg: ToView) {
        let Some(tx) = &self.to_view else {
            return;
        };
        loop {
            match tx.try_send(msg) {
                Ok(()) | Err(TrySendError::Disconnected(_)) => return,
                Err(TrySendError::Full(m)) => {
                    msg = m;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }

    /// Says `text` on the channel's error stream and closes it; another session may open.
    fn tell_and_close(&mut self, channel: ChannelId, text: &str, session: &mut Session) {
        let _ = session.extended_data(channel, 1, format!("{text}\r\n").into_bytes());
        let _ = session.exit_status_request(channel, 1);
        let _ = session.eof(channel);
        let _ = session.close(channel);
        if self.channel == Some(channel) {
            self.channel = None;
            self.pty = None;
        }
    }

    fn lang(&self) -> crate::text::i18n::Lang {
        session_lang(&self.env)
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // The connection is gone: the view ends and keeps its draft.
        if let Some(tx) = self.to_view.take() {
            let _ = tx.try_send(ToView::HungUp);
        }
    }
}

/// Rejection that keeps the two methods the server has on offer.
fn reject() -> Auth {
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    methods.push(MethodKind::KeyboardInteractive);
    Auth::Reject {
        proceed_with_methods: Some(methods),
        partial_success: false,
    }
}

/// The current time as the store takes it (RFC 3339, UTC).
fn now() -> String {
    jiff::Timestamp::now().to_string()
}

impl russh::server::Handler for Conn {
    type Error = anyhow::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(reject())
    }

    async fn auth_password(&mut self, user: &str, _password: &str) -> Result<Auth, Self::Error> {
        Ok(self
            .failed(user, "password authentication is not offered".into())
            .await)
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.waiting() {
            return Ok(reject());
        }
        let Some(who) = self.shared.panel.identity(user) else {
            self.key_fp = Some(fingerprint(offer.public_key));
            return Ok(self.failed(user, "unknown user".into()).await);
        };
        let listed = self.shared.panel.ssh_keys(&who.id);
        let pinned = self.pinned(&who.id).await;
        // An expert without any key may be about to use an invite: let the client prove it
        // owns the key, so the invite pins a key that really is theirs.
        let invitee = who.role == Role::Expert && listed.is_empty() && pinned.is_empty();
        if invitee || key_allowed(offer.public_key, listed, &pinned) {
            Ok(Auth::Accept)
        } else {
            // Other keys of a known user (an agent offers them all) are no attack: not counted.
            Ok(reject())
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let fp = fingerprint(key.public_key);
        let Some(who) = self.shared.panel.identity(user) else {
            return Ok(reject());
        };
        let listed = self.shared.panel.ssh_keys(&who.id);
        let pinned = self.pinned(&who.id).await;
        if self.waiting() || !key_allowed(key.public_key, listed, &pinned) {
            // A proven key of an invitee: kept for the invite code that follows.
            self.proven.get_or_insert_with(|| key.public_key.clone());
            return Ok(reject());
        }
        self.key_fp = Some(fp);
        let e = self.event(AuditKind::Login, Some(&who.id), format!("{} key", who.role));
        self.audit(e).await;
        self.who = Some(who);
        Ok(Auth::Accept)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if self.waiting() {
            return Ok(reject());
        }
        let who = match self.shared.panel.identity(user) {
            Some(w) if w.role == Role::Expert => w,
            Some(_) => {
                return Ok(self
                    .failed(user, "invite codes are for experts".into())
                    .await);
            }
            None => return Ok(self.failed(user, "unknown user".into()).await),
        };
        let Some(mut response) = response else {
            return Ok(Auth::Partial {
                name: Cow::Borrowed("revdesk"),
                instructions: Cow::Borrowed(""),
                prompts: Cow::Owned(vec![(Cow::Borrowed(CODE_PROMPT), false)]),
            });
        };
        let code = response
            .next()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        // An invite code is short; anything long is no code and is not hashed.
        if code.len() > 128 {
            return Ok(self.failed(&who.id, "invite code: too long".into()).await);
        }
        let offered = self
            .proven
            .as_ref()
            .and_then(|k| k.to_openssh().ok().map(|text| (text, fingerprint(k))));
        let (id, hash, address) = (
            who.id.clone(),
            invite_code_hash(&code),
            self.peer.to_string(),
        );
        let offer = offered.clone();
        let outcome = self
            .shared
            .with_store(move |s| {
                s.redeem_invite(
                    &id,
                    &hash,
                    &now(),
                    &address,
                    offer.as_ref().map(|(t, f)| (t.as_str(), f.as_str())),
                )
            })
            .await;
        match outcome {
            Some(InviteOutcome::Accepted { pinned }) => {
                // The store audited the invite's use and the pinning in its transaction.
                let fp = offered.map(|(_, fp)| fp);
                let used = self.event(AuditKind::InviteUsed, Some(&who.id), "");
                self.shared.audit.print(&AuditEvent {
                    fingerprint: fp.clone(),
                    ..used.clone()
                });
                if pinned && fp.is_some() {
                    self.shared.audit.print(&AuditEvent {
                        kind: AuditKind::KeyPinned,
                        fingerprint: fp.clone(),
                        ..used
                    });
                }
                self.key_fp = fp;
                let e = self.event(AuditKind::Login, Some(&who.id), "expert invite code");
                self.audit(e).await;
                self.who = Some(who);
                Ok(Auth::Accept)
            }
            Some(other) => {
                let why = format!("invite code: {}", invite_refusal(other));
                Ok(self.failed(&who.id, why).await)
            }
            None => Ok(self
                .failed(&who.id, "invite code: store error".into())
                .await),
        }
    }

    async fn auth_succeeded(&mut self, _session: &mut Session) -> Result<(), Self::Error> {
        self.authed.store(true, Ordering::Relaxed);
        // The place is free for the next connection as soon as this one is in.
        self.login_place = None;
        Ok(())
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() {
            self.refuse("a second session channel").await;
            reply
                .reject(russh::ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        if !session_allowed(self.shared.open_sessions(), &self.shared.limits) {
            self.refuse("session limit reached").await;
            reply
                .reject(russh::ChannelOpenFailure::ResourceShortage)
                .await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        reply.accept().await;
        Ok(())
    }

    async fn channel_open_x11(
        &mut self,
        _channel: Channel<Msg>,
        _addr: &str,
        _port: u32,
        _reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse("X11 channel").await;
        Ok(())
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        host: &str,
        port: u32,
        _addr: &str,
        _oport: u32,
        _reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let what = format!("port forwarding to {}:{port}", shown(host));
        self.refuse(&what).await;
        Ok(())
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        _path: &str,
        _reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse("socket forwarding").await;
        Ok(())
    }

    async fn tcpip_forward(
        &mut self,
        address: &str,
        port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        let what = format!("remote port forwarding from {}:{port}", shown(address));
        self.refuse(&what).await;
        Ok(false)
    }

    async fn streamlocal_forward(
        &mut self,
        _path: &str,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refuse("remote socket forwarding").await;
        Ok(false)
    }

    async fn agent_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refuse("agent forwarding").await;
        let _ = session.channel_failure(channel);
        Ok(false)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single: bool,
        _protocol: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse("X11 forwarding").await;
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel != Some(channel) || self.to_view.is_some() {
            session.channel_failure(channel)?;
            return Ok(());
        }
        self.pty = Some((clamp(cols), clamp(rows)));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if env_allowed(name) && value.len() <= 256 && self.env.len() < 32 {
            self.env.push((name.to_string(), value.to_string()));
            session.channel_success(channel)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel != Some(channel) || self.to_view.is_some() {
            session.channel_failure(channel)?;
            return Ok(());
        }
        let Some(size) = self.pty else {
            self.refuse("a session without a terminal").await;
            session.channel_success(channel)?;
            let text = say(self.lang(), Say::NeedsTerminal);
            self.tell_and_close(channel, &text, session);
            return Ok(());
        };
        if !session_allowed(self.shared.open_sessions(), &self.shared.limits) {
            self.refuse("session limit reached").await;
            session.channel_success(channel)?;
            let text = say(self.lang(), Say::Full);
            self.tell_and_close(channel, &text, session);
            return Ok(());
        }
        session.channel_success(channel)?;
        self.start_view(channel, session.handle(), size);
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let cmd = String::from_utf8_lossy(&data[..data.len().min(200)]).into_owned();
        self.refuse(&format!("command: {}", shown(&cmd))).await;
        session.channel_failure(channel)?;
        let text = say(self.lang(), Say::NoCommands);
        self.tell_and_close(channel, &text, session);
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse(&format!("subsystem {}", shown(name))).await;
        session.channel_failure(channel)?;
        let text = say(self.lang(), Say::NoCommands);
        self.tell_and_close(channel, &text, session);
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.send_view(ToView::Resize(clamp(cols), clamp(rows)))
            .await;
        Ok(())
    }

    async fn data(
        &mut self,
        _channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.send_view(ToView::Data(data.to_vec())).await;
        Ok(())
    }

    async fn signal(
        &mut self,
        _channel: ChannelId,
        _signal: Sig,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.send_view(ToView::HungUp).await;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel == Some(channel) {
            self.send_view(ToView::HungUp).await;
            // One session at a time: the next may open once this one is closed.
            self.to_view = None;
            self.channel = None;
            self.pty = None;
        }
        Ok(())
    }
}

/// Why an invite code did not open the account, for the audit log.
fn invite_refusal(o: InviteOutcome) -> &'static str {
    match o {
        InviteOutcome::Accepted { .. } => "accepted",
        InviteOutcome::Unknown => "unknown",
        InviteOutcome::Expired => "expired",
        InviteOutcome::AlreadyUsed => "already used",
        InviteOutcome::Revoked => "replaced by a later invite",
        InviteOutcome::KeyTaken => "the offered key belongs to another expert",
    }
}

/// A terminal size from the client, within what a terminal can be.
fn clamp(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX).clamp(1, 1000)
}

/// Client text as the log shows it: one line, no control characters, bounded.
pub fn shown(s: &str) -> String {
    // The one sanitiser first: names and commands come from the network.
    let s = crate::text::sanitize::sanitize(s);
    crate::text::wrap::truncate(&s, crate::text::wrap::width(&s).min(80))
}
