//! What the review server's tests share: a panel with generated SSH keys, the real server
//! process on a free port, and an in-process SSH client (russh's).
#![allow(dead_code)]

use revdesk::store::Store;
use russh::client;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::ssh_key::{HashAlg, LineEnding};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The batch the servers review (8 nominations).
pub const BATCH: &str = "fixtures/batches/resources-environment-small.json";

/// How long to wait for the server to say something.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// An SSH key pair of a test identity, with its private key file for `ssh -i`.
pub struct Key {
    /// The key.
    pub private: PrivateKey,
    /// The OpenSSH private key file (0600).
    pub path: PathBuf,
}

impl Key {
    /// The public key as a panel file lists it.
    pub fn public_line(&self) -> String {
        self.private.public_key().to_openssh().expect("public key")
    }

    /// The fingerprint as `ssh` shows it.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.private.public_key())
    }
}

/// A public key's fingerprint as `ssh` shows it (`SHA256:…`).
pub fn fingerprint_of(key: &russh::keys::PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// A key made from a seed, written to `dir/NAME` with mode 0600.
pub fn key(dir: &Path, name: &str, seed: u8) -> Key {
    let private = PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]));
    let path = dir.join(name);
    let text = private.to_openssh(LineEnding::LF).expect("encode");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write key");
    Key { private, path }
}

/// The expert's sheet-signing key in the server store, as the panel pins it (what
/// `revdesk key --expert ID --store SERVER` prints): the chair's view checks the marks it reads
/// from the store against it.
fn signing_key_hex(store: &Store, expert: &str) -> String {
    let key = revdesk::round::submit::signing_key(store, expert).expect("signing key");
    revdesk::io::sheet::public_key_to_hex(&key.verifying_key())
}

/// A directory with a panel (experts `wang` and `li` with keys, `zhao` without one, chair
/// `zhang`), their keys and a store path.
pub struct Setup {
    /// Holds everything.
    pub dir: tempfile::TempDir,
    /// The panel file.
    pub panel: PathBuf,
    /// The server store.
    pub store: PathBuf,
    /// wang's key.
    pub wang: Key,
    /// li's key.
    pub li: Key,
    /// zhang's (the chair's) key.
    pub zhang: Key,
    /// A key listed nowhere.
    pub stranger: Key,
    /// A key zhao (no key in the panel) may pin with an invite.
    pub zhao: Key,
}

/// Makes the panel and keys.
pub fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys dir");
    let wang = key(&keys, "wang", 11);
    let li = key(&keys, "li", 12);
    let zhang = key(&keys, "zhang", 13);
    let stranger = key(&keys, "stranger", 14);
    let zhao = key(&keys, "zhao", 15);
    let store = dir.path().join("server");
    let server_store = Store::open(&store).expect("server store");
    let pinned = |expert| signing_key_hex(&server_store, expert);
    let panel = dir.path().join("panel.toml");
    let text = format!(
        r#"[[experts]]
id = "wang"
name = "王专家"
public_key = "{}"
ssh_keys = ["{}"]

[[experts]]
id = "li"
name = "李专家"
public_key = "{}"
ssh_keys = ["{}"]

[[experts]]
id = "zhao"
name = "赵专家"
public_key = "{}"

[[chairs]]
id = "zhang"
name = "张主任"
ssh_keys = ["{}"]
"#,
        pinned("wang"),
        wang.public_line(),
        pinned("li"),
        li.public_line(),
        pinned("zhao"),
        zhang.public_line(),
    );
    std::fs::write(&panel, text).expect("panel");
    Setup {
        panel,
        store,
        wang,
        li,
        zhang,
        stranger,
        zhao,
        dir,
    }
}

/// The real `revdesk serve`, on a port of its choosing.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// The host key's fingerprint it printed.
    pub fingerprint: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server for `s` with extra flags; waits until it listens.
    pub fn start(s: &Setup, extra: &[&str]) -> Server {
        Server::start_env(s, extra, &[])
    }

    /// Starts the server for `s` with extra flags and environment variables.
    pub fn start_env(s: &Setup, extra: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("revdesk"));
        cmd.envs(envs.iter().copied());
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LC_ALL", "en_US.UTF-8")
            .args(["serve", BATCH, "--panel"])
            .arg(&s.panel)
            .arg("--store")
            .arg(&s.store)
            .args(["--listen", "127.0.0.1:0", "--bootstrap", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn revdesk serve");
        let stdout = child.stdout.take().expect("stdout");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                sink.lock().expect("log").push(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            fingerprint: String::new(),
            log,
        };
        let listening = server.wait_log("listening on ");
        let addr = listening.rsplit(' ').next().expect("address");
        server.port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let host = server.wait_log("host key ");
        server.fingerprint = host
            .split_whitespace()
            .nth(2)
            .expect("fingerprint")
            .to_string();
        server
    }

    /// Every line logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Waits for a log line containing `needle`; the line.
    pub fn wait_log(&self, needle: &str) -> String {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Some(l) = self.log().into_iter().find(|l| l.contains(needle)) {
                return l;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no log line with {needle:?}:\n{}", self.log().join("\n"));
    }

    /// Waits for `n` log lines containing `needle`.
    pub fn wait_log_count(&self, needle: &str, n: usize) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if self.log().iter().filter(|l| l.contains(needle)).count() >= n {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "fewer than {n} log lines with {needle:?}:\n{}",
            self.log().join("\n")
        );
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM; the exit status once it stopped.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill sends a signal to our own child.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not stop on SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The store's batch hash (the only batch the server registered).
pub fn batch_hash(store: &Store) -> String {
    store.batches().expect("batches")[0].hash.clone()
}

/// An in-process client that trusts any host key (the tests check the fingerprint apart).
pub struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Connects to the server.
pub async fn connect(port: u16) -> Result<client::Handle<Trusting>, russh::Error> {
    let config = client::Config {
        inactivity_timeout: Some(Duration::from_secs(30)),
        ..Default::default()
    };
    client::connect(Arc::new(config), ("127.0.0.1", port), Trusting).await
}

/// Tries a key for `user`; whether it opened the account.
pub async fn login(h: &mut client::Handle<Trusting>, user: &str, key: &Key) -> bool {
    h.authenticate_publickey(
        user,
        PrivateKeyWithHashAlg::new(Arc::new(key.private.clone()), None),
    )
    .await
    .expect("auth request")
    .success()
}

/// Connects and logs in with a key.
pub async fn logged_in(port: u16, user: &str, key: &Key) -> client::Handle<Trusting> {
    let mut h = connect(port).await.expect("connect");
    assert!(login(&mut h, user, key).await, "{user} logs in");
    h
}

/// Answers the keyboard-interactive prompt with `code`; whether it opened the account.
pub async fn login_with_code(h: &mut client::Handle<Trusting>, user: &str, code: &str) -> bool {
    use russh::client::KeyboardInteractiveAuthResponse as R;
    let mut r = h
        .authenticate_keyboard_interactive_start(user, None)
        .await
        .expect("keyboard-interactive");
    for _ in 0..3 {
        match r {
            R::Success => return true,
            R::Failure { .. } => return false,
            R::InfoRequest { prompts, .. } => {
                let answers = prompts.iter().map(|_| code.to_string()).collect();
                r = h
                    .authenticate_keyboard_interactive_respond(answers)
                    .await
                    .expect("respond");
            }
        }
    }
    false
}

/// A session channel with a terminal and the view running in it, read through vt100.
pub struct Remote {
    /// The channel.
    pub channel: russh::Channel<client::Msg>,
    /// The screen.
    pub screen: vt100::Parser,
    /// Whether the server closed the channel.
    pub closed: bool,
}

impl Remote {
    /// Opens the view: a PTY of `cols`×`rows`, the locale, a shell request.
    pub async fn open(h: &client::Handle<Trusting>, cols: u16, rows: u16, lang: &str) -> Remote {
        let channel = h.channel_open_session().await.expect("session channel");
        channel.set_env(false, "LANG", lang).await.expect("env");
        channel
            .request_pty(false, "xterm-256color", cols.into(), rows.into(), 0, 0, &[])
            .await
            .expect("pty");
        channel.request_shell(false).await.expect("shell");
        let nz = |n| std::num::NonZeroU16::new(n).expect("size");
        Remote {
            channel,
            screen: vt100::Parser::new(nz(rows), nz(cols), 0),
            closed: false,
        }
    }

    /// The screen as text.
    pub fn text(&self) -> String {
        self.screen.screen().contents()
    }

    /// Reads output for up to `wait`.
    async fn pump(&mut self, wait: Duration) {
        match tokio::time::timeout(wait, self.channel.wait()).await {
            Ok(Some(russh::ChannelMsg::Data { data })) => self.screen.process(&data),
            Ok(Some(russh::ChannelMsg::Close) | None) => self.closed = true,
            _ => {}
        }
    }

    /// Waits until the screen shows `needle`.
    pub async fn wait_for(&mut self, needle: &str) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if self.text().contains(needle) {
                return;
            }
            if self.closed {
                break;
            }
            self.pump(Duration::from_millis(50)).await;
        }
        panic!("screen never showed {needle:?}:\n{}", self.text());
    }

    /// Types text, one key at a time.
    pub async fn type_keys(&mut self, s: &str) {
        for c in s.chars() {
            let mut b = [0u8; 4];
            self.send(c.encode_utf8(&mut b).as_bytes()).await;
            self.pump(Duration::from_millis(10)).await;
        }
    }

    /// Sends bytes as they are.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.channel.data_bytes(bytes.to_vec()).await.expect("send");
    }

    /// Waits for the server to close the channel.
    pub async fn wait_closed(&mut self) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT && !self.closed {
            self.pump(Duration::from_millis(50)).await;
        }
        assert!(self.closed, "the channel stayed open:\n{}", self.text());
    }
}

/// Logs in with a key and opens the view at 100×30 in `lang`, on its first nomination.
pub async fn view(
    port: u16,
    user: &str,
    key: &Key,
    lang: &str,
) -> (client::Handle<Trusting>, Remote) {
    let h = logged_in(port, user, key).await;
    let mut r = Remote::open(&h, 100, 30, lang).await;
    r.wait_for("RE-001 (1/8)").await;
    (h, r)
}
