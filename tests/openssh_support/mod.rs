//! The real OpenSSH client against the review server under a pseudo-terminal (for the tests
//! that log in with `ssh`: they include this beside `common` and `server_support`).
#![allow(dead_code)]

use crate::common::pty::Tui;
use crate::server_support::{self, Key, Server, Setup};
use russh::keys::PrivateKey;
use std::path::PathBuf;

/// A known_hosts file holding the server's host key for its port, so `ssh` checks it strictly.
pub fn known_hosts(s: &Setup, server: &Server) -> PathBuf {
    let text = std::fs::read_to_string(s.store.join("host_ed25519_key")).expect("host key");
    let key = PrivateKey::from_openssh(text).expect("parse host key");
    assert_eq!(
        server_support::fingerprint_of(key.public_key()),
        server.fingerprint,
        "the printed fingerprint is the host key's"
    );
    let path = s.dir.path().join(format!("known_hosts-{}", server.port));
    let line = format!(
        "[127.0.0.1]:{} {}\n",
        server.port,
        key.public_key().to_openssh().expect("public")
    );
    std::fs::write(&path, line).expect("known_hosts");
    path
}

/// `ssh` as `user` with `key` into the server, in a `cols`×`rows` terminal.
pub fn ssh(s: &Setup, server: &Server, user: &str, key: &Key, cols: u16, rows: u16) -> Tui {
    let kh = known_hosts(s, server);
    let port = server.port.to_string();
    let id = key.path.display().to_string();
    let kh = format!("UserKnownHostsFile={}", kh.display());
    let dest = format!("{user}@127.0.0.1");
    let args = [
        "-F",
        "/dev/null",
        "-p",
        &port,
        "-i",
        &id,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        &kh,
        "-o",
        "SendEnv=LANG",
        "-o",
        "LogLevel=ERROR",
        "-t",
        &dest,
    ];
    Tui::spawn_program(
        "ssh".as_ref(),
        &args,
        cols,
        rows,
        &[("LANG", "zh_CN.UTF-8")],
    )
}
