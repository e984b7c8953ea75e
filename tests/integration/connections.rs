//! Connections cannot be held hostage: silent and half-sent connections close after the header
//! timeout, past the connection cap the idlest connection makes room for a real request, a
//! busy server answers newcomers 503, a stalled request body is answered 408 while a slow but
//! steady one finishes, and a JSON body over the size limit is 413.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::harness::fixtures::{initialize_admin, ADMIN_PASSWORD};
use crate::harness::{backends, Backend, Berth, Client, Options};

const HEADER_TIMEOUT_S: u64 = 2;
const BODY_TIMEOUT_S: u64 = 2;

async fn start(backend: Backend, max_connections: usize) -> Berth {
    let serve_args = [
        "--max-connections",
        &max_connections.to_string(),
        "--header-timeout",
        &HEADER_TIMEOUT_S.to_string(),
        "--body-timeout",
        &BODY_TIMEOUT_S.to_string(),
    ];
    let options = Options {
        serve_args: serve_args.iter().map(|a| a.to_string()).collect(),
        ..Options::default()
    };
    Berth::start_with(backend, options).await
}

/// Everything the server sends until it closes the connection, or None when it is still open
/// after `within`. A reset counts as closed.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut got)).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// The status code of a raw HTTP/1.1 answer.
fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {answer:?}"))
}

/// Reads one answer's head and returns its status, leaving the connection open.
async fn read_status(stream: &mut TcpStream, within: Duration) -> u16 {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await.expect("reading the answer") == 0 {
                break;
            }
            head.push(byte[0]);
        }
    };
    tokio::time::timeout(within, read)
        .await
        .expect("an answer in time");
    status_of(&String::from_utf8_lossy(&head))
}

async fn silent_connections_time_out(backend: Backend) {
    let berth = start(backend, 64).await;
    let mut silent = Vec::new();
    for _ in 0..5 {
        silent.push(TcpStream::connect(&berth.addr).await.expect("connect"));
    }
    let mut half_sent = TcpStream::connect(&berth.addr).await.expect("connect");
    half_sent
        .write_all(b"GET /health/instance HTTP/1.1\r\nHost: berth\r\n")
        .await
        .expect("write");
    silent.push(half_sent);

    // Open until the header timeout, closed (without an answer) soon after it.
    let before_timeout = Duration::from_secs(HEADER_TIMEOUT_S) - Duration::from_millis(500);
    for stream in &mut silent {
        let early = read_until_closed(stream, Duration::from_millis(50)).await;
        assert_eq!(early, None, "closed before the timeout");
    }
    tokio::time::sleep(before_timeout).await;
    for stream in &mut silent {
        let answer = read_until_closed(stream, Duration::from_secs(3))
            .await
            .expect("a silent connection is closed after the header timeout");
        assert!(answer.is_empty(), "{answer}");
    }
    Client::anon(&berth)
        .get("/health/instance")
        .send()
        .await
        .expect_status(200);
}

async fn idle_connections_make_room(backend: Backend) {
    let berth = start(backend, 8).await;
    let mut idle = Vec::new();
    for _ in 0..12 {
        idle.push(TcpStream::connect(&berth.addr).await.expect("connect"));
    }
    // More silent connections than the cap are open; a real request still gets through, as
    // soon as one of them has been quiet long enough to give its place up.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    Client::anon(&berth)
        .get("/health/instance")
        .send()
        .await
        .expect_status(200);

    // Every silent connection is closed: those past the cap at once with a 503, the others
    // after the header timeout (or when they made room).
    let mut answered_busy = 0;
    for stream in &mut idle {
        let answer = read_until_closed(stream, Duration::from_secs(HEADER_TIMEOUT_S + 3))
            .await
            .expect("an idle connection is closed");
        if !answer.is_empty() {
            assert_eq!(status_of(&answer), 503, "{answer}");
            assert!(answer.contains("Retry-After: 1"), "{answer}");
            answered_busy += 1;
        }
    }
    // At least the four past the cap; the harness's own start-up connection may hold a place.
    assert!(
        (4..12).contains(&answered_busy),
        "{answered_busy} connections past the cap were told 503"
    );
    Client::anon(&berth)
        .get("/health/instance")
        .send()
        .await
        .expect_status(200);
}

/// A bearer token of `admin` (created on first use) for pushing to `admin/slow`. All set-up
/// goes through `client`, one kept-alive connection, so that set-up alone never meets the cap.
async fn push_token(berth: &Berth, client: &Client) -> String {
    let initialized = client
        .post("/api/v1/user/initialize")
        .json(
            &json!({"username": "admin", "password": ADMIN_PASSWORD, "email": "admin@example.com"}),
        )
        .send()
        .await;
    assert!(
        [200, 400].contains(&initialized.status),
        "{}",
        initialized.text()
    );
    let basic = STANDARD.encode(format!("admin:{ADMIN_PASSWORD}"));
    let path = format!(
        "/v2/auth?service={}&scope=repository:admin/slow:pull,push",
        berth.addr
    );
    let token = client
        .get(&path)
        .header("Authorization", &format!("Basic {basic}"))
        .send()
        .await;
    token.json()["token"].as_str().expect("token").to_owned()
}

/// A new upload session of `admin/slow`: the path to PATCH.
async fn upload_session(client: &Client, token: &str) -> String {
    let started = client
        .post("/v2/admin/slow/blobs/uploads/")
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await;
    started.expect_status(202);
    let location = started.header("Location").expect("Location");
    location
        .find("/v2/")
        .map(|at| location[at..].to_owned())
        .expect("an upload path")
}

/// Opens a connection and sends the head of a PATCH of `length` bytes to `path`.
async fn start_patch(berth: &Berth, path: &str, token: &str, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(&berth.addr).await.expect("connect");
    let head = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n",
        berth.addr
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream
}

async fn slow_bodies_finish_and_stalled_ones_time_out(backend: Backend) {
    let berth = start(backend, 64).await;

    let client = Client::anon(&berth);
    let token = push_token(&berth, &client).await;

    // One byte a second: the upload takes three body timeouts, but it never pauses for one.
    let path = upload_session(&client, &token).await;
    let mut slow = start_patch(&berth, &path, &token, 6).await;
    for byte in b"steady" {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        slow.write_all(&[*byte]).await.expect("write");
    }
    assert_eq!(read_status(&mut slow, Duration::from_secs(5)).await, 202);

    // Three bytes, then silence: the body stalled, and the answer says so.
    let path = upload_session(&client, &token).await;
    let mut stalled = start_patch(&berth, &path, &token, 10).await;
    stalled.write_all(b"abc").await.expect("write");
    let answer = read_until_closed(&mut stalled, Duration::from_secs(BODY_TIMEOUT_S + 5))
        .await
        .expect("the stalled request is answered and closed");
    assert_eq!(status_of(&answer), 408, "{answer}");
    assert!(answer.contains("BLOB_UPLOAD_INVALID"), "{answer}");
}

async fn busy_server_answers_503(backend: Backend) {
    let berth = start(backend, 2).await;
    let client = Client::anon(&berth);
    let token = push_token(&berth, &client).await;
    let first_path = upload_session(&client, &token).await;
    let second_path = upload_session(&client, &token).await;
    // The set-up connection gives its place up once it has idled a moment; then two uploads
    // under way fill the cap, and neither can be evicted while its handler runs.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut first = start_patch(&berth, &first_path, &token, 4).await;
    let mut second = start_patch(&berth, &second_path, &token, 4).await;
    first.write_all(b"ab").await.expect("write");
    second.write_all(b"ab").await.expect("write");
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let refused = Client::anon(&berth).get("/health/instance").send().await;
    refused.expect_status(503);
    assert_eq!(refused.header("Retry-After"), Some("1"));
    assert!(refused.text().contains("Too many connections"));

    first.write_all(b"cd").await.expect("write");
    second.write_all(b"cd").await.expect("write");
    assert_eq!(read_status(&mut first, Duration::from_secs(5)).await, 202);
    assert_eq!(read_status(&mut second, Duration::from_secs(5)).await, 202);
    drop((first, second));
    tokio::time::sleep(Duration::from_millis(200)).await;
    Client::anon(&berth)
        .get("/health/instance")
        .send()
        .await
        .expect_status(200);
}

async fn oversized_json_is_413(backend: Backend) {
    let berth = start(backend, 64).await;
    let initialize_token = initialize_admin(&berth).await;
    let admin = Client::with_token(&berth, &initialize_token);
    let padding = "x".repeat(3 * 1024 * 1024);
    let body = json!({"username": "big", "email": "big@example.com", "padding": padding});
    let resp = admin
        .post("/api/v1/superuser/users/")
        .json(&body)
        .send()
        .await;
    resp.expect_status(413);
    assert_eq!(
        resp.json()["message"],
        "The data value transmitted exceeds the capacity limit."
    );
    // The refused body was not read to its end, so that connection is closed; ask on another.
    Client::with_token(&berth, &initialize_token)
        .get("/api/v1/superuser/users/big")
        .send()
        .await
        .expect_status(404);
}

backends!(
    silent_connections_time_out,
    idle_connections_make_room,
    slow_bodies_finish_and_stalled_ones_time_out,
    busy_server_answers_503,
    oversized_json_is_413,
);
