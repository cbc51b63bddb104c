//! A vote over SSH: while a vote waits for an expert's ballot, the review server opens the
//! vote screen instead of the scoring view; the ballot is signed with the key the panel file
//! pins, so a tally with the panel counts it.

mod common;
mod openssh_support;
mod server_support;

use common::pty::Tui;
use server_support::{BATCH, Key, Server, Setup, setup};

/// `ssh` as `user` with `key` into the server, in a 100×30 terminal.
fn ssh(s: &Setup, server: &Server, user: &str, key: &Key) -> Tui {
    openssh_support::ssh(s, server, user, key, 100, 30)
}

fn revdesk(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .args(args)
        .output()
        .expect("runs");
    common::outcome(&out)
}

#[test]
fn an_expert_votes_over_ssh_and_the_tally_with_the_panel_counts_it() {
    let s = setup();
    let server = Server::start(&s, &[]);
    let store = s.store.display().to_string();
    let panel = s.panel.display().to_string();
    let (code, out, err) = revdesk(&[
        "vote",
        "open",
        BATCH,
        "--store",
        &store,
        "--items",
        "RE-002,RE-005",
        "--panel",
        &panel,
        "--chair",
        "zhang",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // The panel file lists three experts: 2/3 of 3 is a quorum of 2.
    assert!(
        out.contains("panel of 3") && out.contains("(2 experts)"),
        "{out}"
    );

    let mut t = ssh(&s, &server, "wang", &s.wang);
    t.wait_for("第 1 号表决（会评）：王专家");
    t.wait_for("已表态 0/2");
    t.type_keys("y");
    t.type_keys("n");
    t.wait_for("已表态 2/2");
    t.type_keys("\r");
    t.wait_for("投出后不能更改");
    t.type_keys("y");
    t.wait_for("选票已签名投出");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    server.wait_log("session_end wang");

    // Having voted, wang scores again.
    let mut t = ssh(&s, &server, "wang", &s.wang);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    // A paper ballot of someone the panel file does not list is refused when counting.
    let sun = s.dir.path().join("sun.csv");
    std::fs::write(&sun, "RE-002,同意\nRE-005,同意\n").expect("write");
    let sun_path = sun.display().to_string();
    let (code, _, err) = revdesk(&[
        "enter", BATCH, "--expert", "sun", "--votes", &sun_path, "--store", &store,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = revdesk(&["vote", "tally", BATCH, "--store", &store, "--panel", &panel]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the ballot of sun: sun is not on the panel"),
        "{err}"
    );

    let (code, out, err) = revdesk(&[
        "vote",
        "tally",
        BATCH,
        "--store",
        &store,
        "--panel",
        &panel,
        "--format",
        "csv",
        "--skip-invalid",
    ]);
    assert_eq!(code, 0, "{err}");
    // One present of three: below the quorum of two, and the counts are there.
    assert_eq!(
        out,
        "id,yes,no,abstain,needed,result\nRE-002,1,0,0,1,no quorum\nRE-005,0,1,0,1,no quorum\n"
    );
    assert!(!out.contains("wang") && !err.contains("wang"), "{out}{err}");
}
