//! Load on the review server: 30 experts score a 300-nomination batch at once over SSH
//! (russh's client, loopback only), and the keystroke-to-frame latency, the server's CPU time
//! and memory are reported. Afterwards every expert's marks are read back from the store:
//! nothing may be missing.
//!
//! Run: `cargo bench --bench server_load` (`SESSIONS`, `ITEMS` = nominations each expert scores,
//! default 30 and 60; the batch always has 300). Not a test: CI only compiles it.

use revdesk::store::Store;
use russh::client;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The end of a synchronized update: a frame is complete.
const FRAME_END: &[u8] = b"\x1b[?2026l";

struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn revdesk() -> PathBuf {
    // The bench runs from target/<profile>/deps; the binary is one level up.
    let exe = std::env::current_exe().expect("exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    dir.join("revdesk")
}

fn key(seed: usize) -> PrivateKey {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&(seed as u64 + 1000).to_le_bytes());
    PrivateKey::from(Ed25519Keypair::from_seed(&s))
}

fn signing_hex(seed: usize) -> String {
    let mut s = [7u8; 32];
    s[..8].copy_from_slice(&(seed as u64).to_le_bytes());
    hex::encode(
        ed25519_dalek::SigningKey::from_bytes(&s)
            .verifying_key()
            .to_bytes(),
    )
}

/// Starts the server; its process and port.
fn start(dir: &Path, sessions: usize) -> (Child, u16) {
    let mut panel = String::new();
    for e in 0..sessions {
        let public = key(e).public_key().to_openssh().expect("public");
        panel.push_str(&format!(
            "[[experts]]\nid = \"e{e:02}\"\npublic_key = \"{}\"\nssh_keys = [\"{public}\"]\n\n",
            signing_hex(e)
        ));
    }
    std::fs::write(dir.join("panel.toml"), panel).expect("panel");
    let mut child = Command::new(revdesk())
        .current_dir(dir)
        .args([
            "serve",
            "batch.json",
            "--panel",
            "panel.toml",
            "--store",
            "server",
            "--listen",
            "127.0.0.1:0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("revdesk serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port = loop {
        let line = lines.next().expect("server output").expect("line");
        if let Some(addr) = line.strip_prefix("listening on ") {
            break addr
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("port");
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}

/// CPU seconds (user + system) the process used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // SAFETY: sysconf only reads a constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks(11) + ticks(12)) / hz
}

/// A line of /proc/PID/status in MiB (VmRSS, VmHWM).
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Reads until a frame ends; false when the channel closed.
async fn frame(ch: &mut russh::Channel<client::Msg>, seen: &mut Vec<u8>) -> bool {
    loop {
        if let Some(at) = seen.windows(FRAME_END.len()).position(|w| w == FRAME_END) {
            seen.drain(..at + FRAME_END.len());
            return true;
        }
        match tokio::time::timeout(Duration::from_secs(60), ch.wait()).await {
            Ok(Some(russh::ChannelMsg::Data { data })) => seen.extend_from_slice(&data),
            Ok(Some(_)) => {}
            _ => return false,
        }
    }
}

/// One expert scoring `items` nominations, six criteria each: each key's latency.
async fn expert(port: u16, e: usize, items: usize) -> Vec<Duration> {
    // As OpenSSH does for an interactive session.
    let config = Arc::new(client::Config {
        nodelay: true,
        ..Default::default()
    });
    let mut h = client::connect(config, ("127.0.0.1", port), Trusting)
        .await
        .expect("connect");
    let ok = h
        .authenticate_publickey(
            format!("e{e:02}"),
            PrivateKeyWithHashAlg::new(Arc::new(key(e)), None),
        )
        .await
        .expect("auth")
        .success();
    assert!(ok, "e{e:02} logs in");
    let mut ch = h.channel_open_session().await.expect("channel");
    ch.request_pty(false, "xterm", 120, 35, 0, 0, &[])
        .await
        .expect("pty");
    ch.request_shell(false).await.expect("shell");
    let mut seen = Vec::new();
    assert!(frame(&mut ch, &mut seen).await, "first frame");
    let mut times = Vec::with_capacity(items * 12);
    for i in 0..items {
        for c in 0..6 {
            let digit = char::from(b'0' + ((e + i + c) % 10) as u8);
            for key in [digit.to_string(), "\r".to_string()] {
                let t = Instant::now();
                ch.data_bytes(key.into_bytes()).await.expect("send");
                if !frame(&mut ch, &mut seen).await {
                    return times;
                }
                times.push(t.elapsed());
            }
        }
    }
    ch.data_bytes(&b"q"[..]).await.expect("quit");
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(30), ch.wait()).await {
        if matches!(m, russh::ChannelMsg::Close) {
            break;
        }
    }
    times
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: only run on
    // the first, so that a test run does not start a load test.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sessions = env_usize("SESSIONS", 30);
    let items = env_usize("ITEMS", 60).min(300);
    let dir = tempfile::tempdir().expect("tempdir");
    let status = Command::new(revdesk())
        .current_dir(dir.path())
        .args(["gen", "-o", "batch.json", "--items", "300", "--seed", "3"])
        .stdout(Stdio::null())
        .status()
        .expect("revdesk gen");
    assert!(status.success(), "revdesk gen");
    let (mut server, port) = start(dir.path(), sessions);
    let pid = server.id();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let cpu0 = cpu_seconds(pid);
    let start = Instant::now();
    let mut all: Vec<Duration> = runtime.block_on(async {
        let tasks: Vec<_> = (0..sessions)
            .map(|e| tokio::spawn(expert(port, e, items)))
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("expert task"));
        }
        all
    });
    let wall = start.elapsed();
    let cpu = cpu_seconds(pid) - cpu0;
    let (rss, peak) = (memory_mib(pid, "VmRSS:"), memory_mib(pid, "VmHWM:"));
    all.sort();
    let expected = sessions * items * 12;
    println!(
        "{sessions} sessions × {items} nominations × 6 criteria (300-item batch), {} keys of {expected} in {:.1} s",
        all.len(),
        wall.as_secs_f64()
    );
    println!(
        "keystroke → frame: median {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!(
        "server: {:.1} s CPU ({:.0}% of one core over the run), memory {:.0} MiB now, {:.0} MiB peak",
        cpu,
        100.0 * cpu / wall.as_secs_f64(),
        rss,
        peak
    );
    let _ = server.kill();
    let _ = server.wait();
    // Nothing lost: every expert has every score they saw saved.
    let store = Store::open(&dir.path().join("server")).expect("store");
    let hash = store.batches().expect("batches")[0].hash.clone();
    let mut missing = 0;
    for e in 0..sessions {
        let marks = store.load(&format!("e{e:02}"), &hash).expect("marks");
        let scored: usize = marks.items.values().map(|r| r.scores.len()).sum();
        missing += (items * 6).saturating_sub(scored);
    }
    println!("store after the run: {missing} scores missing");
    assert_eq!(missing, 0, "scores were lost");
    assert_eq!(all.len(), expected, "some keys got no frame");
}
