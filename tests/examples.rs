//! End to end: runs each example binary of `examples/` on a free port and
//! replays the curl session of its doc comment over real HTTP.
//!
//! The binaries must be built first (`cargo build --workspace --examples`;
//! `cargo test --workspace` builds them too). A missing or stale
//! binary fails the test, it is never skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use chrono::TimeDelta;
use jwt_ext::{Algorithm, JwtManager};
use jwt_ext_tests::http::{self, Body, CookieJar, Response, SetCookie, spawning};
use serde_json::{Value, json};

/// How long an example may take to start listening.
const STARTUP: Duration = Duration::from_secs(5);

/// A running example, killed when dropped, so a failing assertion never
/// leaves a server behind.
pub(crate) struct Server {
    name: &'static str,
    pub(crate) port: u16,
    child: Child,
}

impl Server {
    fn start(name: &'static str) -> Server {
        Server::start_with_env(name, &[])
    }

    /// [`start`](Self::start) with extra environment variables.
    pub(crate) fn start_with_env(name: &'static str, env: &[(&str, &str)]) -> Server {
        let binary = example_binary(name);
        let (port, child) = {
            let _spawning = spawning();
            let port = http::free_port();
            let child = Command::new(&binary)
                .env("PORT", port.to_string())
                .envs(env.iter().copied())
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
        let json = json_body.map(Value::to_string);
        let body = json
            .as_deref()
            .map(|json| Body::new("application/json", json));
        let authorization = token.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("Authorization", value.as_str()))
            .collect();
        self.call(method, path, &headers, body)
    }

    /// Any request: extra header fields (a `Cookie`, an `X-CSRF-TOKEN`) and
    /// any body with its content type.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Response {
        let resp = http::request_with_body(self.port, method, path, headers, body);
        let cookies = resp.headers_named("set-cookie");
        eprintln!(
            "{}: {method} {path} -> {} {}{}",
            self.name,
            resp.status,
            resp.body.trim_end(),
            if cookies.is_empty() {
                String::new()
            } else {
                format!(" (Set-Cookie: {})", cookies.join(" | "))
            }
        );
        resp
    }

    /// A request carrying the cookies of `jar` (curl's `-b jar`), plus
    /// `headers`; the response's cookies are not stored.
    fn call_with_cookies(
        &self,
        method: &str,
        path: &str,
        jar: &CookieJar,
        headers: &[(&str, &str)],
    ) -> Response {
        let cookie = jar.header();
        let mut all: Vec<(&str, &str)> = cookie.iter().map(|c| ("Cookie", c.as_str())).collect();
        all.extend_from_slice(headers);
        self.call(method, path, &all, None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `<target>/<profile>/examples/<name>`, next to this test's
/// `<target>/<profile>/deps/examples-<hash>`.
pub(crate) fn example_binary(name: &str) -> PathBuf {
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
        "example binary {} is missing: build the examples first: cargo build --workspace --examples",
        binary.display()
    );
    // An edited example with an old binary would test yesterday's code.
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(format!("{name}.rs"));
    assert!(
        modified(&binary) >= modified(&source),
        "example binary {} is older than examples/{name}.rs: build the examples first: cargo build --workspace --examples",
        binary.display()
    );
    binary
}

pub(crate) fn modified(path: &Path) -> SystemTime {
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

/// Asserts that `HEAD path`, with these header fields, answers as flask's
/// does: `status`, the header fields of the GET (`Date` aside), among them
/// the `Content-Type` and `Content-Length` of the GET's body, and no body.
#[track_caller]
fn expect_head_like_get(server: &Server, path: &str, headers: &[(&str, &str)], status: u16) {
    let get = server.call("GET", path, headers, None);
    let head = server.call("HEAD", path, headers, None);
    assert_eq!(get.status, status, "GET {path}: {get:?}");
    assert_eq!(head.status, status, "HEAD {path}: {head:?}");
    assert_eq!(head.body, "", "HEAD {path} sends no body: {head:?}");
    let length = get.body.len().to_string();
    assert_eq!(
        head.header("content-length"),
        Some(length.as_str()),
        "HEAD {path} announces the GET's body: {head:?}"
    );
    // Sorted: actix's header map keeps no order.
    let without_date = |resp: &Response| {
        let mut headers: Vec<_> = resp
            .headers
            .iter()
            .filter(|(name, _)| name != "date")
            .cloned()
            .collect();
        headers.sort();
        headers
    };
    assert_eq!(
        without_date(&head),
        without_date(&get),
        "HEAD {path} has the GET's header fields"
    );
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

/// A manager with the examples' secret, to mint tokens they accept and to
/// read the ones they mint.
fn examples_manager() -> JwtManager {
    JwtManager::builder()
        .secret_key("super-secret")
        .build()
        .expect("the examples' configuration")
}

/// Asserts the two cookies of flask's `set_access_cookies` with the
/// examples' settings, with Werkzeug's attributes and nothing more: the
/// token in `access_token_cookie`, `HttpOnly` so page scripts cannot read
/// it, and its `csrf` claim in `csrf_access_token`, without `HttpOnly` so
/// they can. Both are session cookies (no `Expires`), on `/`, not `Secure`
/// (`cookie_secure(false)`). Returns the token and the CSRF value.
#[track_caller]
fn expect_access_cookies(resp: &Response, jwt: &JwtManager) -> (String, String) {
    let cookies = resp.set_cookies();
    let names: Vec<&str> = cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["access_token_cookie", "csrf_access_token"],
        "full response: {resp:?}"
    );
    // Exactly these attributes, in Werkzeug's order: no Expires or
    // Max-Age, no Secure, no SameSite, no Domain.
    let attr = |name: &str, value: Option<&str>| (name.to_owned(), value.map(str::to_owned));
    let (access, csrf) = (&cookies[0], &cookies[1]);
    assert_eq!(
        access.attributes,
        [attr("HttpOnly", None), attr("Path", Some("/"))],
        "{access:?}"
    );
    assert!(access.has("HttpOnly"), "{access:?}");
    assert_eq!(csrf.attributes, [attr("Path", Some("/"))], "{csrf:?}");
    assert!(!csrf.has("HttpOnly"), "{csrf:?}");
    let token = expect_token_shape(&Value::from(access.value.as_str()));
    let claim = jwt
        .get_csrf_token(&token)
        .expect("a valid token with a csrf claim");
    assert_eq!(
        csrf.value, claim,
        "the CSRF cookie holds the token's csrf claim"
    );
    (token, claim)
}

/// Asserts flask's `unset_jwt_cookies`: the four cookies emptied and
/// expired at the epoch, `HttpOnly` on the token cookies only.
#[track_caller]
fn expect_cleared_cookies(resp: &Response) {
    assert_eq!(
        resp.headers_named("set-cookie"),
        [
            "access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/",
            "csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
            "refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/",
            "csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        ],
        "full response: {resp:?}"
    );
    assert!(resp.set_cookies().iter().all(SetCookie::is_expired));
}

#[track_caller]
fn expect_no_cookies(resp: &Response) {
    assert_eq!(
        resp.headers_named("set-cookie"),
        Vec::<&str>::new(),
        "full response: {resp:?}"
    );
}

/// A claim of a token the examples minted, as an integer.
fn int_claim(jwt: &JwtManager, token: &str, name: &str) -> i64 {
    let decoded = jwt.decode_token(token).expect("a valid token");
    decoded.claims()[name]
        .as_i64()
        .unwrap_or_else(|| panic!("{name} is not an integer in {:?}", decoded.claims()))
}

#[test]
fn jwt_locations() {
    let server = Server::start("jwt_locations");
    let jwt = examples_manager();
    let bar = || json!({ "foo": "bar" });
    let nowhere = || {
        json!({ "msg": "Missing JWT in headers, cookies, json or query_string (Missing Authorization Header; \
                        Missing cookie \"access_token_cookie\"; Invalid content-type. Must be application/json.; \
                        Missing 'jwt' query paramater)" })
    };
    expect(&server.get("/protected", None), 401, nowhere());
    expect(&server.post("/protected", None, None), 401, nowhere());

    // Headers.
    let login = server.post("/login_without_cookies", None, None);
    expect_no_cookies(&login);
    let token = expect_tokens(&login, &["access_token"]).remove(0);
    assert_eq!(
        jwt.decode_token(&token).expect("valid").identity(),
        "example_user"
    );
    expect(&server.get("/protected", Some(&token)), 200, bar());
    expect(&server.post("/protected", Some(&token), None), 200, bar());
    expect(
        &server.get("/only_headers", Some(&token)),
        200,
        json!({ "foo": "baz" }),
    );

    // Query string.
    expect(
        &server.get(&format!("/protected?jwt={token}"), None),
        200,
        bar(),
    );
    expect(
        &server.get(&format!("/only_headers?jwt={token}"), None),
        401,
        missing_header(),
    );

    // JSON body: only an application/json one is looked at.
    let body = json!({ "access_token": token });
    expect(&server.post("/protected", None, Some(&body)), 200, bar());
    let as_text = body.to_string();
    expect(
        &server.call(
            "POST",
            "/protected",
            &[],
            Some(Body::new("text/plain", &as_text)),
        ),
        401,
        nowhere(),
    );

    // Cookies: GET needs the cookie only, POST the CSRF header as well.
    let mut jar = CookieJar::new();
    let login = server.post("/login_with_cookies", None, None);
    expect(&login, 200, json!({ "msg": "login successful" }));
    let (access, csrf) = expect_access_cookies(&login, &jwt);
    jar.store(&login);
    assert_eq!(jar.get("access_token_cookie"), Some(access.as_str()));
    expect(
        &server.call_with_cookies("GET", "/protected", &jar, &[]),
        200,
        bar(),
    );
    expect(
        &server.call_with_cookies("POST", "/protected", &jar, &[]),
        401,
        json!({ "msg": "Missing CSRF token" }),
    );
    expect(
        &server.call_with_cookies("POST", "/protected", &jar, &[("X-CSRF-TOKEN", "forged")]),
        401,
        json!({ "msg": "CSRF double submit tokens do not match" }),
    );
    expect(
        &server.call_with_cookies("POST", "/protected", &jar, &[("X-CSRF-TOKEN", &csrf)]),
        200,
        bar(),
    );
    expect(
        &server.call_with_cookies("GET", "/only_headers", &jar, &[]),
        401,
        missing_header(),
    );

    // Logout clears every JWT cookie; the jar is empty afterwards.
    let logout = server.call_with_cookies("POST", "/logout_with_cookies", &jar, &[]);
    expect(&logout, 200, json!({ "msg": "logout successful" }));
    expect_cleared_cookies(&logout);
    jar.store(&logout);
    assert_eq!(jar.names(), Vec::<&str>::new());
    expect(
        &server.call_with_cookies("GET", "/protected", &jar, &[]),
        401,
        nowhere(),
    );
}

#[test]
fn implicit_refresh() {
    let server = Server::start("implicit_refresh");
    let jwt = examples_manager();
    let bar = || json!({ "foo": "bar" });
    let missing_cookie = || json!({ "msg": "Missing cookie \"access_token_cookie\"" });
    expect(&server.get("/protected", None), 401, missing_cookie());

    let mut jar = CookieJar::new();
    let login = server.post("/login", None, None);
    expect(&login, 200, json!({ "msg": "login successful" }));
    let (access, _) = expect_access_cookies(&login, &jwt);
    jar.store(&login);
    assert_eq!(
        int_claim(&jwt, &access, "exp") - int_claim(&jwt, &access, "iat"),
        3600,
        "access tokens last an hour"
    );

    // A fresh login has an hour left, outside the 30-minute window: the
    // response sets no cookie.
    let resp = server.call_with_cookies("GET", "/protected", &jar, &[]);
    expect(&resp, 200, bar());
    expect_no_cookies(&resp);

    // Cookies are the only location: the same token in the header is ignored.
    expect(
        &server.get("/protected", Some(&access)),
        401,
        missing_cookie(),
    );

    // Ten minutes left: the response renews the access cookie and its CSRF
    // cookie, with a token for the same identity that lasts an hour again.
    let near = jwt
        .access_token("someone_else")
        .expires(TimeDelta::minutes(10))
        .encode()
        .expect("token");
    let mut near_jar = CookieJar::new();
    near_jar.insert("access_token_cookie", &near);
    let resp = server.call_with_cookies("GET", "/protected", &near_jar, &[]);
    expect(&resp, 200, bar());
    let (renewed, _) = expect_access_cookies(&resp, &jwt);
    let decoded = jwt.decode_token(&renewed).expect("a valid renewed token");
    assert_eq!(decoded.identity(), "someone_else");
    assert_eq!(decoded.token_type(), "access");
    assert_eq!(decoded.claims()["fresh"], false);
    assert_eq!(
        int_claim(&jwt, &renewed, "exp") - int_claim(&jwt, &renewed, "iat"),
        3600
    );
    assert!(int_claim(&jwt, &renewed, "exp") > int_claim(&jwt, &near, "exp"));
    // The renewed cookie replaces the old one and needs no renewal itself.
    near_jar.store(&resp);
    assert_eq!(near_jar.get("access_token_cookie"), Some(renewed.as_str()));
    let resp = server.call_with_cookies("GET", "/protected", &near_jar, &[]);
    expect(&resp, 200, bar());
    expect_no_cookies(&resp);

    // HEAD renews it too, as flask's after_request does: the cookies, no body.
    let mut head_jar = CookieJar::new();
    head_jar.insert("access_token_cookie", &near);
    let resp = server.call_with_cookies("HEAD", "/protected", &head_jar, &[]);
    assert_eq!((resp.status, resp.body.as_str()), (200, ""), "{resp:?}");
    expect_access_cookies(&resp, &jwt);

    // 35 minutes left is still outside the window.
    let outside = jwt
        .access_token("someone_else")
        .expires(TimeDelta::minutes(35))
        .encode()
        .expect("token");
    let mut outside_jar = CookieJar::new();
    outside_jar.insert("access_token_cookie", &outside);
    let resp = server.call_with_cookies("GET", "/protected", &outside_jar, &[]);
    expect(&resp, 200, bar());
    expect_no_cookies(&resp);

    // Too late: an expired token is refused, never renewed.
    let expired = jwt
        .access_token("someone_else")
        .expires(TimeDelta::seconds(-10))
        .encode()
        .expect("token");
    let mut expired_jar = CookieJar::new();
    expired_jar.insert("access_token_cookie", &expired);
    let resp = server.call_with_cookies("GET", "/protected", &expired_jar, &[]);
    expect(&resp, 401, json!({ "msg": "Token has expired" }));
    expect_no_cookies(&resp);

    // The original has no protected POST route, so no CSRF check to show:
    // /logout is unprotected and needs no X-CSRF-TOKEN, as in flask.
    let logout = server.call_with_cookies("POST", "/logout", &jar, &[]);
    expect(&logout, 200, json!({ "msg": "logout successful" }));
    expect_cleared_cookies(&logout);
    jar.store(&logout);
    assert_eq!(jar.names(), Vec::<&str>::new());
    expect(
        &server.call_with_cookies("GET", "/protected", &jar, &[]),
        401,
        missing_cookie(),
    );
}

fn user_credentials(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

#[test]
fn automatic_user_loading() {
    let server = Server::start("automatic_user_loading");
    let jwt = examples_manager();
    // As in the original: a bare JSON string, for a wrong password and for
    // an unknown user alike.
    let wrong = || json!("Wrong username or password");
    expect(&server.get("/who_am_i", None), 401, missing_header());
    expect(
        &server.post("/login", None, Some(&user_credentials("panther", "wrong"))),
        401,
        wrong(),
    );
    expect(
        &server.post(
            "/login",
            None,
            Some(&user_credentials("nobody", "password")),
        ),
        401,
        wrong(),
    );
    // Where the original fails with a 500 (compare_digest(None, ...)), the
    // port refuses the login.
    expect(
        &server.post("/login", None, Some(&json!({ "username": "panther" }))),
        401,
        wrong(),
    );

    // Each seeded user logs in with "password" and is loaded from SQLite.
    for (id, username, full_name) in [
        (1, "batman", "Bruce Wayne"),
        (2, "panther", "Ann Takamaki"),
        (3, "little_sapphire", "Jester Lavore"),
    ] {
        let token = expect_tokens(
            &server.post(
                "/login",
                None,
                Some(&user_credentials(username, "password")),
            ),
            &["access_token"],
        )
        .remove(0);
        // The identity loader made the user its id, as a string.
        let decoded = jwt.decode_token(&token).expect("a valid token");
        assert_eq!(decoded.identity(), &json!(id.to_string()));
        let resp = server.get("/who_am_i", Some(&token));
        expect(
            &resp,
            200,
            json!({ "full_name": full_name, "id": id, "username": username }),
        );
        // In flask's order: sorted keys.
        assert_eq!(
            resp.body.trim_end(),
            format!(r#"{{"full_name":"{full_name}","id":{id},"username":"{username}"}}"#)
        );
    }

    // A valid token for a user who is not in the database: the lookup
    // loader's `None`.
    let ghost = jwt.create_access_token("99").expect("token");
    expect(
        &server.get("/who_am_i", Some(&ghost)),
        401,
        json!({ "msg": "Error loading the user 99" }),
    );
    // The original's own tokens carry the integer id: refused, as flask
    // 4.7 refuses them (JWT_VERIFY_SUB).
    let integer_sub = jwt.create_access_token(2).expect("token");
    expect(
        &server.get("/who_am_i", Some(&integer_sub)),
        422,
        json!({ "msg": "Subject must be a string" }),
    );
}

#[test]
fn loaders() {
    let server = Server::start("loaders");
    let token = expect_tokens(&server.post("/login", None, None), &["access_token"]).remove(0);
    let jwt = examples_manager();
    assert_eq!(
        jwt.decode_token(&token).expect("a valid token").identity(),
        "example_user"
    );
    expect(
        &server.get("/protected", Some(&token)),
        200,
        json!({ "hello": "world" }),
    );

    // The expired_token_loader's answer, for a token past its expiry.
    let expired = jwt
        .access_token("test")
        .expires(TimeDelta::seconds(-1))
        .encode()
        .expect("token");
    let resp = server.get("/protected", Some(&expired));
    expect(
        &resp,
        401,
        json!({ "code": "dave", "err": "I can't let you do that" }),
    );
    assert_eq!(
        resp.body.trim_end(),
        r#"{"code":"dave","err":"I can't let you do that"}"#
    );

    // Every other refusal keeps flask's default answer.
    expect(&server.get("/protected", None), 401, missing_header());
    let forged = JwtManager::builder()
        .secret_key("another-secret")
        .build()
        .expect("configuration")
        .create_access_token("test")
        .expect("token");
    expect(
        &server.get("/protected", Some(&forged)),
        422,
        json!({ "msg": "Signature verification failed" }),
    );
}

/// An example, its GET routes with the status each answers without a
/// token, and the header field that carries a token the example accepts.
type GetRoutes<'a> = (
    &'static str,
    &'static [(&'static str, u16)],
    (&'static str, &'a str),
);

/// Werkzeug answers HEAD on every GET route, with the GET's status and
/// header fields and no body; actix only where the route lists HEAD. Every
/// GET route of every example, without a token and with one
/// (`blocklist_redis`, which needs a Redis server, in its own test).
#[test]
fn head_on_every_get_route() {
    // Fresh for token_freshness, an administrator for custom_decorators,
    // user 1 for automatic_user_loading, an hour long so implicit_refresh
    // does not renew it (renewal on HEAD: in that example's own test).
    let mint = |jwt: JwtManager| {
        jwt.access_token("1")
            .fresh(true)
            .expires(TimeDelta::hours(1))
            .claims(json!({ "is_administrator": true }))
            .encode()
            .expect("token")
    };
    let token = mint(examples_manager());
    let rsa_token = mint(
        JwtManager::builder()
            .algorithm(Algorithm::RS256)
            .private_key_pem(EXAMPLE_PRIVATE_KEY)
            .public_key_pem(EXAMPLE_PUBLIC_KEY)
            .build()
            .expect("configuration"),
    );
    let bearer = format!("Bearer {token}");
    let rsa_bearer = format!("Bearer {rsa_token}");
    let cookie = format!("access_token_cookie={token}");
    let header = ("Authorization", bearer.as_str());
    let examples: [GetRoutes<'_>; 12] = [
        ("simple", &[("/protected", 401)], header),
        ("refresh_tokens", &[("/protected", 401)], header),
        ("token_freshness", &[("/protected", 401)], header),
        (
            "optional_protected_endpoints",
            &[("/optionally_protected", 200)],
            header,
        ),
        (
            "additional_data_in_access_token",
            &[("/protected", 401)],
            header,
        ),
        ("custom_decorators", &[("/protected", 401)], header),
        (
            "jwt_locations",
            &[("/protected", 401), ("/only_headers", 401)],
            header,
        ),
        (
            "implicit_refresh",
            &[("/protected", 401)],
            ("Cookie", &cookie),
        ),
        ("automatic_user_loading", &[("/who_am_i", 401)], header),
        ("loaders", &[("/protected", 401)], header),
        (
            "asymmetric_keys",
            &[("/protected", 401)],
            ("Authorization", &rsa_bearer),
        ),
        ("blocklist_database", &[("/protected", 401)], header),
    ];
    for (name, routes, credential) in examples {
        let server = Server::start(name);
        for &(path, anonymous) in routes {
            expect_head_like_get(&server, path, &[], anonymous);
            expect_head_like_get(&server, path, &[credential], 200);
        }
    }
}

/// The `asymmetric_keys` example's key pair.
const EXAMPLE_PRIVATE_KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/keys/rsa_private.pem"
));
const EXAMPLE_PUBLIC_KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/keys/rsa_public.pem"
));

#[test]
fn asymmetric_keys() {
    let server = Server::start("asymmetric_keys");
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
    let header: Value =
        serde_json::from_str(&jwt_ext_tests::segment_json(&token, 0)).expect("JSON header");
    assert_eq!(header, json!({ "alg": "RS256", "typ": "JWT" }));
    expect(
        &server.get("/protected", Some(&token)),
        200,
        json!({ "logged_in_as": "test" }),
    );

    // The public key alone verifies the token, and cannot mint one.
    let verifier = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(EXAMPLE_PUBLIC_KEY)
        .build()
        .expect("a verify-only configuration");
    let decoded = verifier.decode_token(&token).expect("verifies");
    assert_eq!(decoded.identity(), "test");
    assert_eq!(decoded.header()["alg"], "RS256");
    assert!(verifier.create_access_token("test").is_err());

    // The public key of another pair (the test fixtures') does not.
    let stranger = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(jwt_ext_tests::key("rsa_public.pem"))
        .build()
        .expect("configuration");
    let err = stranger.decode_token(&token).expect_err("another key");
    assert_eq!(err.message(), "Signature verification failed");

    // The public key is published as a JWK Set that verifies the token.
    let published = server.get("/.well-known/jwks.json", None);
    assert_eq!(published.status, 200);
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&published.body).expect("a JWK Set");
    assert_eq!(jwks.keys.len(), 1);
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwks.keys[0]).expect("an RSA JWK");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.validate_exp = true;
    jsonwebtoken::decode::<Value>(&token, &key, &validation).expect("verified by the JWK");

    // And the server refuses the tokens of that other pair, and HS256 ones.
    let foreign = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(jwt_ext_tests::key("rsa_private.pem"))
        .public_key_pem(jwt_ext_tests::key("rsa_public.pem"))
        .build()
        .expect("configuration")
        .create_access_token("test")
        .expect("token");
    expect(
        &server.get("/protected", Some(&foreign)),
        422,
        json!({ "msg": "Signature verification failed" }),
    );
    let hs256 = examples_manager()
        .create_access_token("test")
        .expect("token");
    expect(
        &server.get("/protected", Some(&hs256)),
        422,
        json!({ "msg": "The specified alg value is not allowed" }),
    );

    // A token the test mints with the example's private key is accepted.
    let minted = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(EXAMPLE_PRIVATE_KEY)
        .public_key_pem(EXAMPLE_PUBLIC_KEY)
        .build()
        .expect("configuration")
        .create_access_token("someone")
        .expect("token");
    expect(
        &server.get("/protected", Some(&minted)),
        200,
        json!({ "logged_in_as": "someone" }),
    );
}

fn hello_world() -> Value {
    json!({ "hello": "world" })
}

fn revoked() -> Value {
    json!({ "msg": "Token has been revoked" })
}

/// The jti of a token the examples minted.
fn jti_of(jwt: &JwtManager, token: &str) -> String {
    jwt.decode_token(token)
        .expect("a valid token")
        .jti()
        .expect("a jti")
        .to_owned()
}

#[test]
fn blocklist_database() {
    let server = Server::start("blocklist_database");
    let jwt = examples_manager();
    expect(&server.get("/protected", None), 401, missing_header());
    expect(
        &server.send("DELETE", "/logout", None, None),
        401,
        missing_header(),
    );

    let token = expect_tokens(&server.post("/login", None, None), &["access_token"]).remove(0);
    let decoded = jwt.decode_token(&token).expect("a valid token");
    assert_eq!(decoded.identity(), "example_user");
    assert_eq!(
        int_claim(&jwt, &token, "exp") - int_claim(&jwt, &token, "iat"),
        3600,
        "access tokens last an hour (ACCESS_EXPIRES)"
    );
    expect(&server.get("/protected", Some(&token)), 200, hello_world());

    expect(
        &server.send("DELETE", "/logout", Some(&token), None),
        200,
        json!({ "msg": "JWT revoked" }),
    );
    // Refused on every request (the server has two workers, one database),
    // and on the logout route too.
    for _ in 0..4 {
        expect(&server.get("/protected", Some(&token)), 401, revoked());
    }
    expect(
        &server.send("DELETE", "/logout", Some(&token), None),
        401,
        revoked(),
    );

    // Only that token: a fresh login works, and so does a token minted
    // elsewhere with the same secret.
    let fresh = expect_tokens(&server.post("/login", None, None), &["access_token"]).remove(0);
    assert_ne!(jti_of(&jwt, &fresh), jti_of(&jwt, &token));
    expect(&server.get("/protected", Some(&fresh)), 200, hello_world());
    let other = jwt.create_access_token("someone").expect("token");
    expect(&server.get("/protected", Some(&other)), 200, hello_world());
}

/// A reply of the Redis protocol (RESP2).
#[derive(Debug, PartialEq)]
enum Resp {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<String>),
    Array(Option<Vec<Resp>>),
}

impl Resp {
    #[track_caller]
    fn integer(&self) -> i64 {
        match self {
            Resp::Integer(n) => *n,
            other => panic!("not an integer reply: {other:?}"),
        }
    }

    #[track_caller]
    fn strings(&self) -> Vec<String> {
        match self {
            Resp::Array(Some(items)) => items
                .iter()
                .map(|item| match item {
                    Resp::Bulk(Some(s)) | Resp::Simple(s) => s.clone(),
                    other => panic!("not a string: {other:?}"),
                })
                .collect(),
            other => panic!("not an array reply: {other:?}"),
        }
    }
}

fn read_resp(reader: &mut impl std::io::BufRead) -> Resp {
    let mut line = String::new();
    reader.read_line(&mut line).expect("a RESP reply");
    let line = line
        .strip_suffix("\r\n")
        .unwrap_or_else(|| panic!("truncated RESP line {line:?}"));
    let kind = line.chars().next().expect("a RESP type byte");
    let rest = &line[1..];
    let length = || -> i64 { rest.parse().expect("a RESP length") };
    match kind {
        '+' => Resp::Simple(rest.to_owned()),
        '-' => Resp::Error(rest.to_owned()),
        ':' => Resp::Integer(length()),
        '$' => match usize::try_from(length()) {
            Err(_) => Resp::Bulk(None),
            Ok(len) => {
                let mut bytes = vec![0; len + 2];
                reader.read_exact(&mut bytes).expect("a RESP bulk string");
                bytes.truncate(len);
                Resp::Bulk(Some(String::from_utf8(bytes).expect("UTF-8")))
            }
        },
        '*' => match usize::try_from(length()) {
            Err(_) => Resp::Array(None),
            Ok(len) => Resp::Array(Some((0..len).map(|_| read_resp(reader)).collect())),
        },
        other => panic!("unknown RESP type {other:?} in {line:?}"),
    }
}

/// A `redis-server` of the test's own, on a free loopback port, without
/// persistence; killed when dropped.
struct RedisChild {
    port: u16,
    child: Child,
}

impl RedisChild {
    /// Starts `redis-server` from PATH. Without one, fails under CI (`CI`
    /// set) and otherwise says the test `name` is skipped and returns `None`.
    fn start(name: &str) -> Option<RedisChild> {
        let (port, spawned) = {
            let _spawning = spawning();
            let port = http::free_port();
            let spawned = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            (port, spawned)
        };
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{name}: redis-server is not on PATH, and CI must run this test"
                );
                jwt_ext_tests::skipped(format_args!("{name}: redis-server not on PATH"));
                return None;
            }
            Err(e) => panic!("cannot start redis-server: {e}"),
        };
        let mut redis = RedisChild { port, child };
        if !http::wait_for_port(port, STARTUP) || !matches!(redis.child.try_wait(), Ok(None)) {
            redis.stop();
            panic!("redis-server is not listening on port {port} after {STARTUP:?}");
        }
        assert_eq!(redis.command(&["PING"]), Resp::Simple("PONG".into()));
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one command and reads its reply, within a few seconds.
    fn command(&self, args: &[&str]) -> Resp {
        use std::io::Write;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let timeout = Duration::from_secs(5);
        let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
            .unwrap_or_else(|e| panic!("cannot connect to redis-server: {e}"));
        stream.set_read_timeout(Some(timeout)).expect("timeout");
        stream.set_write_timeout(Some(timeout)).expect("timeout");
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream
            .write_all(request.as_bytes())
            .expect("send a command");
        read_resp(&mut std::io::BufReader::new(stream))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisChild {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn blocklist_redis() {
    let Some(mut redis) = RedisChild::start("blocklist_redis") else {
        return;
    };
    let url = redis.url();
    let server = Server::start_with_env("blocklist_redis", &[("REDIS_URL", &url)]);
    let jwt = examples_manager();
    expect(&server.get("/protected", None), 401, missing_header());

    let tokens = expect_tokens(
        &server.post("/login", None, None),
        &["access_token", "refresh_token"],
    );
    let (token, refresh) = (tokens[0].clone(), tokens[1].clone());
    assert_eq!(
        jwt.decode_token(&token).expect("a valid token").identity(),
        "example_user"
    );
    assert_eq!(
        int_claim(&jwt, &token, "exp") - int_claim(&jwt, &token, "iat"),
        3600,
        "access tokens last an hour (ACCESS_EXPIRES)"
    );
    expect_tokens(
        &server.post("/refresh", Some(&refresh), None),
        &["access_token"],
    );
    expect(&server.get("/protected", Some(&token)), 200, hello_world());
    assert_eq!(
        redis.command(&["KEYS", "*"]).strings(),
        Vec::<String>::new(),
        "nothing is revoked yet"
    );

    expect(
        &server.send("DELETE", "/logout", Some(&token), None),
        200,
        json!({ "msg": "Access token revoked" }),
    );
    for _ in 0..4 {
        expect(&server.get("/protected", Some(&token)), 401, revoked());
    }
    expect(
        &server.send("DELETE", "/logout", Some(&token), None),
        401,
        revoked(),
    );

    // One key, for that token's jti, which expires with the token: an hour
    // (ACCESS_EXPIRES) after login, less the seconds the test took.
    let key = format!("jwt-ext:revoked:{}", jti_of(&jwt, &token));
    assert_eq!(redis.command(&["KEYS", "*"]).strings(), vec![key.clone()]);
    let pttl = redis.command(&["PTTL", &key]).integer();
    assert!(
        (3_500_000..=3_600_000).contains(&pttl),
        "PTTL of {key} is {pttl} ms, not between 3500 and 3600 s"
    );

    let fresh = expect_tokens(
        &server.post("/login", None, None),
        &["access_token", "refresh_token"],
    )
    .remove(0);
    expect(&server.get("/protected", Some(&fresh)), 200, hello_world());
    // HEAD, as flask answers it: the GET's status and header fields, no body.
    let bearer = format!("Bearer {fresh}");
    expect_head_like_get(&server, "/protected", &[], 401);
    expect_head_like_get(&server, "/protected", &[("Authorization", &bearer)], 200);

    // Log out everywhere: every token of example_user issued until now,
    // access and refresh, is refused; another user's token still passes.
    let other = jwt.create_access_token("other_user").unwrap();
    expect(&server.get("/protected", Some(&other)), 200, hello_world());
    expect(
        &server.send("DELETE", "/logout_everywhere", Some(&fresh), None),
        200,
        json!({ "msg": "All sessions revoked" }),
    );
    expect(&server.get("/protected", Some(&fresh)), 401, revoked());
    expect(
        &server.post("/refresh", Some(&refresh), None),
        401,
        revoked(),
    );
    expect(&server.get("/protected", Some(&other)), 200, hello_world());
    // One key for the identity, kept as long as a refresh token lives (30
    // days, flask's default), holding the logout time.
    let logout_keys = redis.command(&["KEYS", "jwt-ext:logout:*"]).strings();
    assert_eq!(logout_keys.len(), 1, "{logout_keys:?}");
    let pttl = redis.command(&["PTTL", &logout_keys[0]]).integer();
    assert!(
        (30 * 86_400_000 - 60_000..=30 * 86_400_000).contains(&pttl),
        "PTTL of {} is {pttl} ms, not 30 days",
        logout_keys[0]
    );
    // A login in a later second is a new session.
    std::thread::sleep(Duration::from_millis(1100));
    let later = expect_tokens(
        &server.post("/login", None, None),
        &["access_token", "refresh_token"],
    );
    expect(
        &server.get("/protected", Some(&later[0])),
        200,
        hello_world(),
    );
    expect_tokens(
        &server.post("/refresh", Some(&later[1]), None),
        &["access_token"],
    );

    // Redis gone: no token gets through unchecked (fail closed). The
    // local cache may answer until the example notices (at once when the
    // connection closes, within the 100 ms staleness bound at worst);
    // never a 200 after that.
    redis.stop();
    let unavailable = json!({ "msg": "Token revocation status unavailable" });
    let stopped = Instant::now();
    loop {
        let resp = server.get("/protected", Some(&later[0]));
        if resp.status == 503 {
            break;
        }
        assert!(
            stopped.elapsed() < Duration::from_millis(100),
            "still {} {} after Redis stopped",
            resp.status,
            resp.body
        );
    }
    for token in [&later[0], &fresh] {
        expect(
            &server.get("/protected", Some(token)),
            503,
            unavailable.clone(),
        );
    }
    expect(
        &server.send("DELETE", "/logout", Some(&fresh), None),
        503,
        unavailable,
    );
}

/// `calls=` of `command` in the Redis's `INFO commandstats`, 0 if unused.
fn redis_calls(redis: &RedisChild, command: &str) -> u64 {
    let Resp::Bulk(Some(info)) = redis.command(&["INFO", "commandstats"]) else {
        panic!("INFO answers a bulk string");
    };
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("cmdstat_{command}:calls=")))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().expect("a count"))
}

/// Two `blocklist_redis` processes sharing one Redis, as two instances
/// behind a load balancer: the second serves from its local cache (no
/// Redis read), and a logout through the first is refused by the second
/// within 100 ms at the 99th percentile (in practice: within one request).
#[test]
fn blocklist_redis_instances_share_revocations_within_100_ms() {
    let Some(redis) = RedisChild::start("blocklist_redis_instances") else {
        return;
    };
    let url = redis.url();
    let one = Server::start_with_env("blocklist_redis", &[("REDIS_URL", &url)]);
    let two = Server::start_with_env("blocklist_redis", &[("REDIS_URL", &url)]);
    let jwt = examples_manager();
    let bearer = |token: &str| format!("Bearer {token}");
    let status = |server: &Server, method: &str, token: &str| {
        let authorization = bearer(token);
        http::request_with_body(
            server.port,
            method,
            if method == "DELETE" {
                "/logout"
            } else {
                "/protected"
            },
            &[("Authorization", authorization.as_str())],
            None,
        )
        .status
    };

    let token = jwt.create_access_token("warm").expect("token");
    assert_eq!(status(&two, "GET", &token), 200);
    // Twenty requests to a warm instance read nothing from Redis. A host
    // starved of CPU for over 100 ms pauses the cache (its heartbeat is
    // late), so a window may see reads; one clean window in five is asked.
    let clean = (0..5).any(|_| {
        let reads = redis_calls(&redis, "mget");
        for _ in 0..20 {
            assert_eq!(status(&two, "GET", &token), 200);
        }
        redis_calls(&redis, "mget") == reads
    });
    assert!(
        clean,
        "every window of 20 requests to a warm instance read Redis"
    );

    let mut took = Vec::new();
    for i in 0..40 {
        let token = jwt.create_access_token(format!("user-{i}")).expect("token");
        assert_eq!(status(&two, "GET", &token), 200);
        assert_eq!(status(&two, "GET", &token), 200, "cached");
        assert_eq!(status(&one, "DELETE", &token), 200);
        let revoked_at = Instant::now();
        loop {
            let answer = status(&two, "GET", &token);
            if answer == 401 {
                break;
            }
            assert_eq!(answer, 200);
            assert!(
                revoked_at.elapsed() < Duration::from_secs(2),
                "instance two still accepts a token revoked 2 s ago"
            );
        }
        took.push(revoked_at.elapsed());
    }
    took.sort();
    let percentile = |p: usize| took[(took.len() * p / 100).min(took.len() - 1)];
    eprintln!(
        "propagation to a second instance over {} revocations: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        took.len(),
        percentile(50),
        percentile(90),
        percentile(99),
        took[took.len() - 1]
    );
    assert!(
        percentile(99) <= Duration::from_millis(100),
        "p99 {:?} above 100 ms",
        percentile(99)
    );
}

#[test]
fn blocklist_redis_on_a_cluster() {
    let Some(cluster) = jwt_ext_tests::redis_cluster::RedisCluster::start(false) else {
        return;
    };
    let nodes = cluster.urls().join(",");
    let server = Server::start_with_env(
        "blocklist_redis",
        &[
            ("REDIS_CLUSTER_NODES", &nodes),
            // Not used: the cluster wins.
            ("REDIS_URL", "redis://127.0.0.1:1"),
        ],
    );
    let jwt = examples_manager();
    let token = expect_tokens(
        &server.post("/login", None, None),
        &["access_token", "refresh_token"],
    )
    .remove(0);
    expect(&server.get("/protected", Some(&token)), 200, hello_world());
    expect(
        &server.send("DELETE", "/logout", Some(&token), None),
        200,
        json!({ "msg": "Access token revoked" }),
    );
    expect(&server.get("/protected", Some(&token)), 401, revoked());
    let key = format!("jwt-ext:revoked:{}", jti_of(&jwt, &token));
    let master = cluster.master_of(&key);
    assert_eq!(cluster.cli(master, &["exists", &key]).trim(), "1");
}

/// A child process killed when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn blocklist_redis_unreachable() {
    let binary = example_binary("blocklist_redis");
    let (redis_url, mut child) = {
        let _spawning = spawning();
        // Free a moment ago, never handed to another test: nothing listens.
        let redis_url = format!("redis://127.0.0.1:{}", http::free_port());
        let child = Command::new(&binary)
            .env("PORT", http::free_port().to_string())
            .env("REDIS_URL", &redis_url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        (redis_url, KillOnDrop(child))
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("the example's status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "blocklist_redis still runs 15 s after start, with nothing at {redis_url}"
        );
        std::thread::sleep(Duration::from_millis(25));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.0.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    eprintln!("blocklist_redis without Redis: {status}; stderr: {stderr}");
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("REDIS_URL={redis_url}")),
        "the message names REDIS_URL and its value; stderr: {stderr}"
    );
}

/// `oidc_resource_server` against a real OpenID Provider: the quickstart's
/// three routes with the provider's tokens, with and without the scope.
#[test]
fn oidc_resource_server() {
    let Some(provider) = jwt_ext_tests::oidc::OidcProvider::start("https://api.example.test")
    else {
        return;
    };
    let issuer = provider.issuer();
    let server = Server::start_with_env(
        "oidc_resource_server",
        &[
            ("OIDC_ISSUER", issuer.as_str()),
            ("OIDC_AUDIENCE", "https://api.example.test"),
        ],
    );
    expect(
        &server.get("/api/public", None),
        200,
        json!({ "message": "Hello from a public endpoint! You don't need to be authenticated to see this." }),
    );
    expect(&server.get("/api/private", None), 401, missing_header());
    let scoped = provider.token(&["read:messages"]);
    expect(
        &server.get("/api/private", Some(&scoped)),
        200,
        json!({ "sub": "jwt-ext-tests" }),
    );
    expect(
        &server.get("/api/private-scoped", Some(&scoped)),
        200,
        json!({ "sub": "jwt-ext-tests" }),
    );
    let unscoped = provider.token(&[]);
    let refused = server.get("/api/private-scoped", Some(&unscoped));
    expect(
        &refused,
        403,
        json!({ "msg": "Missing required scopes: read:messages" }),
    );
    assert_eq!(
        refused.header("www-authenticate"),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"Missing required scopes: read:messages\", scope=\"read:messages\""
        )
    );
    let other_api = provider.token_for_audience("https://other.example.test", &[]);
    expect(
        &server.get("/api/private", Some(&other_api)),
        422,
        json!({ "msg": "Audience doesn't match" }),
    );
}
