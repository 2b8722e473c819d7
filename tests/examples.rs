//! End to end: runs each example binary of `examples/` on a free port and
//! replays the curl session of its doc comment over real HTTP.
//!
//! The binaries must be built first (`cargo build --examples`; a plain
//! `cargo test` of the whole workspace builds them too). A missing or stale
//! binary fails the test, it is never skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use jwt_ext::JwtManager;
use jwt_ext_tests::http::{self, Response};
use serde_json::{Value, json};

/// How long an example may take to start listening.
const STARTUP: Duration = Duration::from_secs(5);

/// A running example, killed when dropped, so a failing assertion never
/// leaves a server behind.
struct Server {
    name: &'static str,
    port: u16,
    child: Child,
}

impl Server {
    fn start(name: &'static str) -> Server {
        // `free_port` briefly listens on the port it returns. A child spawned
        // by a parallel test at that moment would hold that socket until it
        // execs: our first request could land there and be reset, or the
        // example could fail to bind. So no spawn while a probe is open.
        static SPAWNING: Mutex<()> = Mutex::new(());
        let binary = example_binary(name);
        let (port, child) = {
            let _spawning = SPAWNING
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let port = http::free_port();
            let child = Command::new(&binary)
                .env("PORT", port.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            (port, child)
        };
        let mut server = Server { name, port, child };
        let listening = http::wait_for_port(port, STARTUP);
        // Listening, and still ours: a server that failed to bind has exited.
        if !listening || !matches!(server.child.try_wait(), Ok(None)) {
            let stderr = server.stop();
            panic!(
                "example {name} is not listening on port {port} after {STARTUP:?}; stderr: {stderr}"
            );
        }
        server
    }

    /// Kills the server and returns what it wrote to stderr.
    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        stderr
    }

    fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send("GET", path, token, None)
    }

    fn post(&self, path: &str, token: Option<&str>, json_body: Option<&Value>) -> Response {
        self.send("POST", path, token, json_body)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json_body: Option<&Value>,
    ) -> Response {
        let authorization = token.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("Authorization", value.as_str()))
            .collect();
        let resp = http::request(self.port, method, path, &headers, json_body);
        eprintln!(
            "{}: {method} {path} -> {} {}",
            self.name,
            resp.status,
            resp.body.trim_end()
        );
        resp
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `<target>/<profile>/examples/<name>`, next to this test's
/// `<target>/<profile>/deps/examples-<hash>`.
fn example_binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("path of the test binary");
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("<target>/<profile>/deps/<test>");
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "example binary {} is missing: build the examples first: cargo build --examples",
        binary.display()
    );
    // An edited example with an old binary would test yesterday's code.
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(format!("{name}.rs"));
    assert!(
        modified(&binary) >= modified(&source),
        "example binary {} is older than examples/{name}.rs: build the examples first: cargo build --examples",
        binary.display()
    );
    binary
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
}

/// Asserts status and JSON body (and that the body is served as JSON).
#[track_caller]
fn expect(resp: &Response, status: u16, body: Value) {
    assert_eq!(
        (resp.status, resp.json()),
        (status, body),
        "full response: {resp:?}"
    );
    assert_eq!(
        resp.header("content-type"),
        Some("application/json"),
        "full response: {resp:?}"
    );
}

/// Asserts a 200 whose JSON body has exactly the fields `names`, each a
/// token, and returns the tokens in that order.
#[track_caller]
fn expect_tokens(resp: &Response, names: &[&str]) -> Vec<String> {
    assert_eq!(resp.status, 200, "full response: {resp:?}");
    let body = resp.json();
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {body}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut expected = names.to_vec();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected, "fields of {body}");
    names
        .iter()
        .map(|name| expect_token_shape(&object[*name]))
        .collect()
}

/// A compact JWS: three non-empty base64url segments separated by dots.
#[track_caller]
fn expect_token_shape(value: &Value) -> String {
    let token = value
        .as_str()
        .unwrap_or_else(|| panic!("token is not a string: {value}"));
    let segments: Vec<&str> = token.split('.').collect();
    let base64url = |s: &&str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    assert!(
        segments.len() == 3 && segments.iter().all(base64url),
        "not a JWT: {token:?}"
    );
    token.to_owned()
}

fn credentials(password: &str) -> Value {
    json!({ "username": "test", "password": password })
}

fn missing_header() -> Value {
    json!({ "msg": "Missing Authorization Header" })
}

fn bad_login() -> Value {
    json!({ "msg": "Bad username or password" })
}

#[test]
fn simple() {
    let server = Server::start("simple");
    expect(&server.get("/protected", None), 401, missing_header());
    expect(
        &server.post("/login", None, Some(&credentials("nope"))),
        401,
        bad_login(),
    );
    let token = expect_tokens(
        &server.post("/login", None, Some(&credentials("test"))),
        &["access_token"],
    )
    .remove(0);
    expect(
        &server.get("/protected", Some(&token)),
        200,
        json!({ "logged_in_as": "test" }),
    );
}

#[test]
fn refresh_tokens() {
    let server = Server::start("refresh_tokens");
    let tokens = expect_tokens(
        &server.post("/login", None, None),
        &["access_token", "refresh_token"],
    );
    let (access, refresh) = (&tokens[0], &tokens[1]);

    expect(&server.get("/protected", None), 401, missing_header());
    expect(
        &server.get("/protected", Some(access)),
        200,
        json!({ "foo": "bar" }),
    );
    expect(
        &server.get("/protected", Some(refresh)),
        422,
        json!({ "msg": "Only non-refresh tokens are allowed" }),
    );
    expect(
        &server.post("/refresh", Some(access), None),
        422,
        json!({ "msg": "Only refresh tokens are allowed" }),
    );

    let new_access = expect_tokens(
        &server.post("/refresh", Some(refresh), None),
        &["access_token"],
    )
    .remove(0);
    expect(
        &server.get("/protected", Some(&new_access)),
        200,
        json!({ "foo": "bar" }),
    );
}

#[test]
fn token_freshness() {
    let server = Server::start("token_freshness");
    expect(
        &server.post("/login", None, Some(&credentials("nope"))),
        401,
        bad_login(),
    );
    let tokens = expect_tokens(
        &server.post("/login", None, Some(&credentials("test"))),
        &["access_token", "refresh_token"],
    );
    let (fresh, refresh) = (&tokens[0], &tokens[1]);

    expect(
        &server.get("/protected", Some(fresh)),
        200,
        json!({ "foo": "bar" }),
    );
    let stale = expect_tokens(
        &server.post("/refresh", Some(refresh), None),
        &["access_token"],
    )
    .remove(0);
    expect(
        &server.get("/protected", Some(&stale)),
        401,
        json!({ "msg": "Fresh token required" }),
    );
}

#[test]
fn optional_protected_endpoints() {
    let server = Server::start("optional_protected_endpoints");
    expect(
        &server.get("/optionally_protected", None),
        200,
        json!({ "logged_in_as": "anonymous user" }),
    );
    expect(
        &server.post("/login", None, Some(&credentials("nope"))),
        401,
        bad_login(),
    );
    let token = expect_tokens(
        &server.post("/login", None, Some(&credentials("test"))),
        &["access_token"],
    )
    .remove(0);
    expect(
        &server.get("/optionally_protected", Some(&token)),
        200,
        json!({ "logged_in_as": "test" }),
    );
    expect(
        &server.get("/optionally_protected", Some("not-a-token")),
        422,
        json!({ "msg": "Not enough segments" }),
    );
}

#[test]
fn additional_data_in_access_token() {
    let server = Server::start("additional_data_in_access_token");
    expect(
        &server.post("/login", None, Some(&credentials("nope"))),
        401,
        bad_login(),
    );
    let token = expect_tokens(
        &server.post("/login", None, Some(&credentials("test"))),
        &["access_token"],
    )
    .remove(0);
    expect(
        &server.get("/protected", Some(&token)),
        200,
        json!({ "foo": "bar" }),
    );
    expect(&server.get("/protected", None), 401, missing_header());
}

#[test]
fn custom_decorators() {
    let server = Server::start("custom_decorators");
    let admin = expect_tokens(&server.post("/login", None, None), &["access_token"]).remove(0);
    expect(
        &server.get("/protected", Some(&admin)),
        200,
        json!({ "foo": "bar" }),
    );
    expect(&server.get("/protected", None), 401, missing_header());

    // The doc's non-admin token: one from the simple example, same secret.
    let user = {
        let simple = Server::start("simple");
        expect_tokens(
            &simple.post("/login", None, Some(&credentials("test"))),
            &["access_token"],
        )
        .remove(0)
    };
    let admins_only = json!({ "msg": "Admins only!" });
    expect(
        &server.get("/protected", Some(&user)),
        403,
        admins_only.clone(),
    );

    // And the original's own 403: the claim present but false.
    let jwt = JwtManager::builder()
        .secret_key("super-secret")
        .build()
        .expect("the examples' configuration");
    let not_admin = jwt
        .access_token("admin_user")
        .claims(json!({ "is_administrator": false }))
        .encode()
        .expect("token");
    expect(
        &server.get("/protected", Some(&not_admin)),
        403,
        admins_only,
    );
}
