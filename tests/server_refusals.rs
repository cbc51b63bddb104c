//! The review server refuses all it does not offer, with russh's client in-process: unknown
//! users, wrong keys, passwords, commands, subsystems, forwarding, agents, X11, a second
//! channel, a session without a terminal; repeated failures make an address wait; invite codes
//! work once and not after they expire; one expert cannot touch another's marks.

mod server_support;

use revdesk::domain::access::invite_code_hash;
use revdesk::store::Store;
use russh::ChannelMsg;
use server_support::{Server, batch_hash, connect, logged_in, login, login_with_code, setup, view};
use std::time::Duration;

/// Waits for the answer to a request sent with `want_reply`: whether it succeeded.
async fn answer(ch: &mut russh::Channel<russh::client::Msg>) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ch.wait()).await {
            Ok(Some(ChannelMsg::Success)) => return true,
            Ok(Some(ChannelMsg::Failure)) => return false,
            Ok(Some(ChannelMsg::Close) | None) => return false,
            Ok(Some(_)) => continue,
            Err(_) => panic!("no answer"),
        }
    }
}

/// Text the server sent on the channel (either stream) until it closed.
async fn said(ch: &mut russh::Channel<russh::client::Msg>) -> String {
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ch.wait()).await {
            Ok(Some(ChannelMsg::Data { data } | ChannelMsg::ExtendedData { data, .. })) => {
                out.extend_from_slice(&data)
            }
            Ok(Some(ChannelMsg::Close) | None) => break,
            Ok(Some(_)) => {}
            Err(_) => panic!("the channel stayed open"),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_wrong_keys_and_passwords_are_refused() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let mut h = connect(server.port).await.expect("connect");
    assert!(!login(&mut h, "nobody", &s.wang).await, "unknown user");
    assert!(!login(&mut h, "wang", &s.li).await, "li's key for wang");
    assert!(
        !login(&mut h, "wang", &s.stranger).await,
        "a key listed nowhere"
    );
    assert!(
        !login(&mut h, "zhang", &s.wang).await,
        "an expert's key for the chair"
    );
    // After that, the right key still works on the same connection.
    assert!(login(&mut h, "wang", &s.wang).await);
    let mut h = connect(server.port).await.expect("connect");
    let pw = h
        .authenticate_password("wang", "secret")
        .await
        .expect("password request");
    assert!(!pw.success(), "passwords are not taken");
    // A chair gets no invite codes.
    assert!(!login_with_code(&mut h, "zhang", "AAAA-BBBB-CCCC-DDDD").await);
    server.wait_log("login wang");
    let log = server.log().join("\n");
    assert!(log.contains("login_failed nobody"), "{log}");
    assert!(
        log.contains("password authentication is not offered"),
        "{log}"
    );
    assert!(log.contains("invite codes are for experts"), "{log}");
    // The audit log in the store has them too.
    let store = Store::open(&s.store).expect("store");
    let kinds: Vec<String> = store
        .audit()
        .expect("audit")
        .iter()
        .map(|r| r.event.kind.to_string())
        .collect();
    assert!(kinds.contains(&"login_failed".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"login".to_string()), "{kinds:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_subsystems_forwarding_agents_and_x11_are_refused() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let h = logged_in(server.port, "wang", &s.wang).await;

    let mut ch = h.channel_open_session().await.expect("channel");
    ch.exec(true, "cat /etc/passwd")
        .await
        .expect("exec request");
    assert!(!answer(&mut ch).await, "exec");
    assert!(said(&mut ch).await.contains("不执行命令"));

    let mut ch = h.channel_open_session().await.expect("channel");
    ch.request_subsystem(true, "sftp").await.expect("subsystem");
    assert!(!answer(&mut ch).await, "sftp");

    let mut ch = h.channel_open_session().await.expect("channel");
    ch.agent_forward(true).await.expect("agent request");
    assert!(!answer(&mut ch).await, "agent forwarding");
    ch.request_x11(true, false, "MIT-MAGIC-COOKIE-1", "00", 0)
        .await
        .expect("x11 request");
    assert!(!answer(&mut ch).await, "X11 forwarding");
    ch.set_env(true, "LD_PRELOAD", "/tmp/x.so")
        .await
        .expect("env");
    assert!(!answer(&mut ch).await, "env LD_PRELOAD");
    ch.set_env(true, "LANG", "en_US.UTF-8").await.expect("env");
    assert!(answer(&mut ch).await, "env LANG");
    // A second session channel on the same connection.
    assert!(h.channel_open_session().await.is_err(), "second channel");
    drop(ch);

    assert!(
        h.channel_open_direct_tcpip("127.0.0.1", 22, "127.0.0.1", 5000)
            .await
            .is_err(),
        "local port forwarding"
    );
    assert!(
        h.tcpip_forward("127.0.0.1", 0).await.is_err(),
        "remote port forwarding"
    );
    for what in [
        "command: cat /etc/passwd",
        "subsystem sftp",
        "agent forwarding",
        "X11 forwarding",
        "a second session channel",
        "port forwarding to 127.0.0.1:22",
        "remote port forwarding",
    ] {
        server.wait_log(&format!("refused wang {} 127.0.0.1", s.wang.fingerprint()));
        server.wait_log(what);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_without_a_terminal_gets_a_message_and_ends() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let h = logged_in(server.port, "li", &s.li).await;
    let mut ch = h.channel_open_session().await.expect("channel");
    ch.set_env(false, "LANG", "en_US.UTF-8").await.expect("env");
    ch.request_shell(true).await.expect("shell");
    let text = said(&mut ch).await;
    assert!(text.contains("revdesk needs a terminal"), "{text}");
    server.wait_log("a session without a terminal");
}

#[tokio::test(flavor = "multi_thread")]
async fn five_failures_within_a_minute_make_the_address_wait() {
    let s = setup();
    let server = Server::start(&s, &[]);
    for i in 0..5 {
        let mut h = connect(server.port).await.expect("connect");
        let user = format!("guess{i}");
        assert!(!login(&mut h, &user, &s.stranger).await);
    }
    server.wait_log("backoff - ");
    // Even the right key is not tried now: the connection is dropped or refused.
    let refused = match connect(server.port).await {
        Err(_) => true,
        Ok(mut h) => match h
            .authenticate_publickey(
                "wang",
                russh::keys::PrivateKeyWithHashAlg::new(
                    std::sync::Arc::new(s.wang.private.clone()),
                    None,
                ),
            )
            .await
        {
            Err(_) => true,
            Ok(r) => !r.success(),
        },
    };
    assert!(refused, "an address in backoff cannot log in");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invite_code_works_once_and_pins_the_key_it_came_with() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let store = Store::open(&s.store).expect("store");
    let code = "7K3M-Q9XA-4D2E-8HJR";
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    store
        .create_invite("zhao", &invite_code_hash(code), &expires.to_string())
        .expect("invite");

    // zhao has no key yet: the key is proven, then the code opens the account and pins it.
    let mut h = connect(server.port).await.expect("connect");
    assert!(!login(&mut h, "zhao", &s.zhao).await);
    assert!(
        !login_with_code(&mut h, "zhao", "7K3M-Q9XA-4D2E-0000").await,
        "wrong code"
    );
    assert!(
        login_with_code(&mut h, "zhao", &code.to_lowercase()).await,
        "the code"
    );
    server.wait_log("invite_used zhao");
    server.wait_log(&format!("key_pinned zhao {}", s.zhao.fingerprint()));
    drop(h);

    // Used once: refused the second time, on another connection.
    let mut h = connect(server.port).await.expect("connect");
    assert!(!login_with_code(&mut h, "zhao", code).await, "second use");
    server.wait_log("already used");
    // The pinned key now opens the account alone.
    assert!(login(&mut h, "zhao", &s.zhao).await, "pinned key");
    // The code was zhao's: another expert cannot use it either.
    let mut h = connect(server.port).await.expect("connect");
    assert!(!login_with_code(&mut h, "wang", code).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_invite_code_is_refused() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let store = Store::open(&s.store).expect("store");
    let code = "AAAA-BBBB-CCCC-DDDD";
    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    store
        .create_invite("zhao", &invite_code_hash(code), &past.to_string())
        .expect("invite");
    let mut h = connect(server.port).await.expect("connect");
    assert!(!login_with_code(&mut h, "zhao", code).await);
    server.wait_log("invite code: expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expert_sees_and_changes_only_their_own_marks() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let (_wang, mut w) = view(server.port, "wang", &s.wang, "zh_CN.UTF-8").await;
    w.type_keys("9\r9\r9\r9\r9\r9\r").await;
    w.wait_for("已评 1/8").await;

    // li, at the same time, on the same nomination: sees nothing of wang's, scores it.
    let (_li, mut l) = view(server.port, "li", &s.li, "en_US.UTF-8").await;
    l.wait_for("0/8").await;
    assert!(
        !l.text().contains("54.0"),
        "li sees wang's total:\n{}",
        l.text()
    );
    l.type_keys("2\r").await;
    l.wait_for("(1/6)").await;
    l.type_keys("q").await;
    l.wait_closed().await;
    w.type_keys("q").await;
    w.wait_closed().await;

    let store = Store::open(&s.store).expect("store");
    let hash = batch_hash(&store);
    let wang_marks = store.load("wang", &hash).expect("wang");
    let li_marks = store.load("li", &hash).expect("li");
    let wang_first = &wang_marks.items["RE-001"].scores;
    let li_first = &li_marks.items["RE-001"].scores;
    assert_eq!(wang_first.len(), 6, "{wang_first:?}");
    assert!(wang_first.values().all(|x| *x == 9.0), "{wang_first:?}");
    assert_eq!(li_first.values().copied().collect::<Vec<_>>(), [2.0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paste_over_the_cap_is_refused_not_stored() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let (_h, mut r) = view(server.port, "wang", &s.wang, "en_US.UTF-8").await;
    r.type_keys("c").await;
    r.wait_for("Esc").await;
    let mut paste = b"\x1b[200~".to_vec();
    paste.extend(std::iter::repeat_n(b'x', 10 << 20));
    paste.extend_from_slice(b"\x1b[201~");
    for chunk in paste.chunks(32 * 1024) {
        r.send(chunk).await;
    }
    r.wait_for("Paste refused").await;
    r.send(b"short note").await;
    r.wait_for("short note").await;
    r.send(b"\x1b").await;
    r.wait_for("saved").await;
    r.type_keys("q").await;
    r.wait_closed().await;
    let store = Store::open(&s.store).expect("store");
    let marks = store.load("wang", &batch_hash(&store)).expect("marks");
    assert_eq!(marks.items["RE-001"].comment, "short note");
}
