//! The binary with a hand-off webhook: it will not start with a webhook it cannot sign for,
//! and a delivery still waiting on the help desk does not hold up a shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn binary(dir: &tempfile::TempDir, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_support-proxy"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIND", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("orders.db").display()),
        )
        .env("STATIC_DIR", dir.path())
        .envs(env.iter().copied());
    command
}

#[test]
fn a_webhook_without_a_secret_stops_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = (
        "HANDOFF_WEBHOOK_URL",
        "https://desk.shop.example/hooks/support",
    );
    let output = binary(&dir, &[url]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid configuration: HANDOFF_WEBHOOK_SECRET must be set"),
        "{stderr}"
    );
}

/// The help desk accepts the connection and never answers; the attempt's time-out is a
/// minute, the grace one second.
#[tokio::test]
async fn shutdown_does_not_wait_for_a_delivery() {
    let desk = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hooks", desk.local_addr().expect("addr"));
    let held = std::thread::spawn(move || desk.accept().map(|(stream, _)| stream));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = binary(
        &dir,
        &[
            ("HANDOFF_WEBHOOK_URL", &url),
            ("HANDOFF_WEBHOOK_SECRET", "a shared secret of the help desk"),
            ("HANDOFF_WEBHOOK_TIMEOUT_SECS", "60"),
            ("SHUTDOWN_GRACE_SECS", "1"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let base = BufReader::new(stdout)
        .lines()
        .find_map(|line| Some(line.ok()?.split_once("serving on ")?.1.to_owned()))
        .expect("the proxy says where it serves");
    let body =
        serde_json::json!({"email": "a@shop.example", "summary": "Call me", "conversation": []});
    let answer = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!("{base}/v1/handoffs"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 201);
    let _connection = held.join().expect("thread").expect("the delivery connects");
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let until = Instant::now() + Duration::from_secs(5);
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("the proxy was still running 5 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
}
