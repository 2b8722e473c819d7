//! L4 and L5 of the security spec against a real `HttpServer` on a free
//! loopback port: concurrent clients, each with its own identity, must each
//! get their own identity back (no request sees another's token, claims or
//! user), and a flood of invalid tokens interleaved with valid requests
//! must not disturb the valid ones. C18: no token text ever reaches the
//! logs. Bounded: about 2000 + 2000 requests from 32 client threads, one
//! connection each, every I/O step under `http::IO_TIMEOUT`.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jwt_ext::{CurrentUser, JwtError, JwtManager, get_jwt, get_jwt_identity, jwt_required};
use jwt_ext_tests::http::{free_port, request, spawning, wait_for_port};
use jwt_ext_tests::jose::{b64, hmac_token};
use jwt_ext_tests::logs;
use serde_json::{Value, json};

const SECRET: &str = "isolation-test-secret-0123456789abcdef-0123456789";
const THREADS: usize = 32;
const PER_THREAD: usize = 63;

/// The user the lookup loader makes of an identity, after an await.
#[derive(Debug)]
struct User(String);

/// Reads the identity three ways, with awaits in between, so that
/// concurrent requests interleave on the worker.
#[jwt_required]
async fn whoami(req: HttpRequest, user: CurrentUser<User>) -> Result<HttpResponse, JwtError> {
    let before = get_jwt_identity(&req)?;
    actix_web::rt::time::sleep(Duration::from_millis(1)).await;
    let claims = get_jwt(&req)?;
    actix_web::rt::task::yield_now().await;
    let after = get_jwt_identity(&req)?;
    let User(name) = &*user;
    Ok(HttpResponse::Ok().json(json!({
        "before": before,
        "after": after,
        "claims_sub": claims["sub"],
        "tag": claims["tag"],
        "user": name,
    })))
}

/// A running server and how to stop it.
struct Server {
    port: u16,
    handle: actix_web::dev::ServerHandle,
    thread: thread::JoinHandle<std::io::Result<()>>,
}

/// Starts the server; its threads log to `logs`, if given.
fn start(jwt: JwtManager, logs: Option<&logs::Logs>) -> Server {
    let port = {
        let _spawning = spawning();
        free_port()
    };
    let (tx, rx) = mpsc::channel();
    let logs = logs.cloned();
    let join = move || {
        if let Some(logs) = &logs {
            logs.join();
        }
    };
    let thread = thread::spawn(move || {
        join();
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                // The factory runs on each worker thread.
                join();
                App::new()
                    .app_data(jwt.clone())
                    .route("/whoami", web::get().to(whoami))
            })
            .workers(2)
            .disable_signals()
            .shutdown_timeout(1)
            .bind(("127.0.0.1", port))?
            .run();
            tx.send(server.handle()).expect("test thread waits");
            server.await
        })
    });
    let handle = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server starts");
    assert!(
        wait_for_port(port, Duration::from_secs(10)),
        "nothing listens on 127.0.0.1:{port}"
    );
    Server {
        port,
        handle,
        thread,
    }
}

impl Server {
    fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.thread
            .join()
            .expect("server thread")
            .expect("server ran");
    }
}

fn manager() -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .user_lookup_loader(|jwt| {
            let name = jwt.identity().as_str().unwrap_or_default().to_owned();
            async move {
                actix_web::rt::task::yield_now().await;
                Ok::<_, actix_web::Error>(Some(User(format!("user:{name}"))))
            }
        })
        .build()
        .expect("configuration")
}

/// What one client expects of one request.
enum Expect {
    Identity(String),
    Refused,
}

/// Sends `requests` (token, expectation) from one client thread; returns
/// one line per wrong answer.
fn client(port: u16, requests: Vec<(String, Expect)>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (token, expect) in requests {
        let auth = format!("Bearer {token}");
        let resp = request(port, "GET", "/whoami", &[("Authorization", &auth)], None);
        match expect {
            Expect::Identity(identity) => {
                let body = if resp.status == 200 {
                    resp.json()
                } else {
                    Value::Null
                };
                let tag = format!("tag-{identity}");
                let user = format!("user:{identity}");
                if resp.status != 200
                    || body["before"] != identity.as_str()
                    || body["after"] != identity.as_str()
                    || body["claims_sub"] != identity.as_str()
                    || body["tag"] != tag.as_str()
                    || body["user"] != user.as_str()
                {
                    wrong.push(format!("{identity}: {} {}", resp.status, resp.body));
                }
            }
            Expect::Refused => {
                if resp.status != 422 || !resp.json()["msg"].is_string() {
                    wrong.push(format!("invalid token: {} {}", resp.status, resp.body));
                }
            }
        }
    }
    wrong
}

/// Runs `plan` (one request list per thread) concurrently.
fn run(port: u16, plan: Vec<Vec<(String, Expect)>>) -> Vec<String> {
    let threads: Vec<_> = plan
        .into_iter()
        .map(|requests| thread::spawn(move || client(port, requests)))
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("client thread"))
        .collect()
}

fn identity(thread: usize, i: usize) -> String {
    format!("u{thread:02}-{i:03}")
}

/// Invalid tokens of several kinds, all answered 422.
fn invalid(jwt: &JwtManager, n: usize) -> String {
    let good = jwt
        .access_token(format!("victim-{n}"))
        .encode()
        .expect("mint");
    let (input, _) = good.rsplit_once('.').unwrap();
    match n % 4 {
        // Forged signature.
        0 => format!("{input}.{}", b64([n as u8; 32])),
        // Tampered payload.
        1 => {
            let (header, rest) = good.split_once('.').unwrap();
            let signature = rest.rsplit_once('.').unwrap().1;
            let payload = b64(json!({ "sub": "admin", "n": n }).to_string());
            format!("{header}.{payload}.{signature}")
        }
        // alg none.
        2 => format!(
            "{}.{}.",
            b64(r#"{"alg":"none"}"#),
            input.split_once('.').unwrap().1
        ),
        // Another key.
        _ => hmac_token(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "sub": format!("victim-{n}") }).to_string(),
            jsonwebtoken::Algorithm::HS256,
            b"not-the-server-secret-0123456789abcdef",
        ),
    }
}

#[test]
fn l4_l5_every_client_gets_its_own_identity_and_floods_change_nothing() {
    let logs = logs::capture();
    let jwt = manager();
    let server = start(jwt.clone(), Some(&logs));
    let mint = |identity: &str| {
        jwt.access_token(identity)
            .claim("tag", format!("tag-{identity}"))
            .encode()
            .expect("mint")
    };
    let mut all_tokens = Vec::new();

    // L4: every request its own identity.
    let plan: Vec<Vec<(String, Expect)>> = (0..THREADS)
        .map(|t| {
            (0..PER_THREAD)
                .map(|i| (mint(&identity(t, i)), Expect::Identity(identity(t, i))))
                .collect()
        })
        .collect();
    all_tokens.extend(plan.iter().flatten().map(|(token, _)| token.clone()));
    let wrong = run(server.port, plan);
    assert!(
        wrong.is_empty(),
        "L4: {} of {} answers are wrong:\n{}",
        wrong.len(),
        THREADS * PER_THREAD,
        wrong.join("\n")
    );

    // L5: half the traffic is invalid tokens, interleaved in every thread.
    let plan: Vec<Vec<(String, Expect)>> = (0..THREADS)
        .map(|t| {
            (0..PER_THREAD)
                .map(|i| {
                    if (t + i) % 2 == 0 {
                        (mint(&identity(t, i)), Expect::Identity(identity(t, i)))
                    } else {
                        (invalid(&jwt, t * PER_THREAD + i), Expect::Refused)
                    }
                })
                .collect()
        })
        .collect();
    all_tokens.extend(plan.iter().flatten().map(|(token, _)| token.clone()));
    let wrong = run(server.port, plan);
    server.stop();
    assert!(
        wrong.is_empty(),
        "L5: {} of {} answers are wrong:\n{}",
        wrong.len(),
        THREADS * PER_THREAD,
        wrong.join("\n")
    );

    // C18: refusals were logged by reason; no token text was.
    let text = logs.text();
    assert!(
        text.contains("JWT refused"),
        "C18: the refusals were not logged"
    );
    let needles = all_tokens
        .iter()
        .flat_map(|token| token.split('.'))
        .filter(|segment| segment.len() >= 16)
        .chain([SECRET]);
    // The detector finds what is there: a canary logged on purpose.
    let canary = b64("canary: a token segment that is logged on purpose");
    tracing::info!(token = canary.as_str(), "C18 canary");
    assert_eq!(logs.containing([canary.as_str()]), vec![canary]);
    let leaked = logs.containing(needles);
    assert!(
        leaked.is_empty(),
        "C18: token segments or the secret are in the logs: {leaked:?}"
    );
}

/// The raw response to `head` (a request line and header lines, sent as
/// bytes), read until the server closes the connection.
fn raw_exchange(port: u16, head: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(head).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A deliberate difference the HTTP parser imposes: Python counts `\x0b`,
/// `\x0c` and `\x1c`-`\x1f` as blanks between the scheme and the token
/// (flask accepts them); actix-web follows RFC 9110, whose header values
/// hold no control characters but tab, and answers 400 before jwt-ext runs.
#[test]
fn control_characters_in_the_header_are_refused_by_the_http_parser() {
    let jwt = manager();
    let server = start(jwt.clone(), None);
    let token = jwt
        .access_token("ctl")
        .claim("tag", "tag-ctl")
        .encode()
        .expect("mint");
    for blank in [b'\x0b', b'\x0c', b'\x1c', b'\x1f'] {
        let mut head = b"GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer".to_vec();
        head.push(blank);
        head.extend_from_slice(token.as_bytes());
        head.extend_from_slice(b"\r\n\r\n");
        let answer = raw_exchange(server.port, &head);
        assert!(answer.starts_with("HTTP/1.1 400"), "{blank:#x}: {answer}");
    }
    // A tab is a blank to both, and reaches jwt-ext.
    let head = format!(
        "GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer\t{token}\r\n\r\n"
    );
    let answer = raw_exchange(server.port, head.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.stop();
}
