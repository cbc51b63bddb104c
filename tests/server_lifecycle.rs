//! A review session's life on the server, with russh's client in-process: a dropped connection
//! keeps the comment draft, an idle session is warned and then ended, the session limit holds,
//! and SIGTERM tells every session before the server stops; connections beyond the login places
//! wait rather than being reset.

mod server_support;

use revdesk::store::Store;
use server_support::{Remote, Server, batch_hash, connect, logged_in, login, setup, view};
use std::time::Duration;
use tokio::io::AsyncReadExt;

fn comment(s: &server_support::Setup, expert: &str, item: &str) -> String {
    let store = Store::open(&s.store).expect("store");
    let marks = store.load(expert, &batch_hash(&store)).expect("marks");
    marks
        .items
        .get(item)
        .map(|r| r.comment.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_ends_only_its_session_and_keeps_the_draft() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let (_li, mut l) = view(server.port, "li", &s.li, "zh_CN.UTF-8").await;

    let (wang, mut w) = view(server.port, "wang", &s.wang, "zh_CN.UTF-8").await;
    w.type_keys("c").await;
    w.wait_for("评语").await;
    w.send("掉线前写的评语".as_bytes()).await;
    w.wait_for("掉线前写的评语").await;
    // The connection goes without a goodbye.
    drop(w);
    drop(wang);
    server.wait_log("session_end wang");
    assert_eq!(comment(&s, "wang", "RE-001"), "掉线前写的评语");

    // li's session goes on.
    l.type_keys("7\r").await;
    l.wait_for("(1/6)").await;
    l.type_keys("q").await;
    l.wait_closed().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_session_is_warned_then_ended() {
    let s = setup();
    let server = Server::start(&s, &["--idle-timeout", "4s"]);
    let (_h, mut r) = view(server.port, "wang", &s.wang, "en_US.UTF-8").await;
    r.wait_for("this session ends in").await;
    r.wait_closed().await;
    assert!(
        r.text()
            .contains("Session ended after a long time without input"),
        "{}",
        r.text()
    );
    server.wait_log("session_end wang");
    server.wait_log("idle timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_beyond_the_limit_are_refused() {
    let s = setup();
    let server = Server::start(&s, &["--max-sessions", "1"]);
    let (_wang, mut w) = view(server.port, "wang", &s.wang, "zh_CN.UTF-8").await;
    let li = logged_in(server.port, "li", &s.li).await;
    assert!(li.channel_open_session().await.is_err(), "a second session");
    server.wait_log("session limit reached");
    w.type_keys("q").await;
    w.wait_closed().await;
    server.wait_log("session_end wang");
    // Once wang is gone there is room again.
    let mut l = Remote::open(&li, 100, 30, "zh_CN.UTF-8").await;
    l.wait_for("RE-001 (1/8)").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_tells_every_session_and_stops_cleanly() {
    let s = setup();
    let mut server = Server::start(&s, &[]);
    let (_h, mut r) = view(server.port, "wang", &s.wang, "zh_CN.UTF-8").await;
    r.type_keys("c").await;
    r.wait_for("评语").await;
    r.send("停机前的评语".as_bytes()).await;
    r.wait_for("停机前的评语").await;
    let status = tokio::task::spawn_blocking(move || {
        let st = server.terminate();
        (st, server.log())
    });
    r.wait_closed().await;
    assert!(r.text().contains("评审服务器已停止"), "{}", r.text());
    let (status, log) = status.await.expect("join");
    assert!(status.success(), "{status:?}");
    let log = log.join("\n");
    assert!(log.contains("session_end wang"), "{log}");
    assert!(log.contains("server stopped"), "{log}");
    assert!(log.contains("server_stop - - - SIGTERM"), "{log}");
    assert_eq!(comment(&s, "wang", "RE-001"), "停机前的评语");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_beyond_the_login_places_wait_instead_of_being_reset() {
    let s = setup();
    let server = Server::start(&s, &[]);
    // Sixteen connections that never log in take every login place; each is accepted (the
    // server greets it with its version line).
    let mut idle = Vec::new();
    for _ in 0..16 {
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .expect("tcp");
        let mut greeting = [0u8; 8];
        tokio::time::timeout(server_support::TIMEOUT, tcp.read_exact(&mut greeting))
            .await
            .expect("greeted in time")
            .expect("greeting");
        assert_eq!(&greeting[..4], b"SSH-");
        idle.push(tcp);
    }
    let port = server.port;
    let key = s.wang.private.clone();
    let path = s.wang.path.clone();
    let late = tokio::spawn(async move {
        let mut h = connect(port).await.expect("connect");
        let key = server_support::Key { private: key, path };
        login(&mut h, "wang", &key).await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !late.is_finished(),
        "the 17th waits while every place is taken"
    );
    drop(idle.pop());
    let logged = tokio::time::timeout(server_support::TIMEOUT, late)
        .await
        .expect("in time")
        .expect("task");
    assert!(logged, "the 17th logs in once a place frees");
}
