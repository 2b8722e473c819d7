//! The `browser_app` example's curl session (its doc comment) over plain
//! HTTP: the page and its headers, the cookies' attributes, the CSRF
//! checks, refresh, and a logout that revokes both tokens. Its page in a
//! real browser is tested in `browser.rs`.

use std::path::Path;

use jwt_ext_tests::http::{Body, CookieJar, Response, SetCookie};
use serde_json::{Value, json};

use crate::examples::{Server, example_binary, modified};

const EXAMPLE: &str = "browser_app";

pub(crate) fn missing_cookie() -> Value {
    json!({ "msg": "Missing cookie \"access_token_cookie\"" })
}

pub(crate) fn revoked() -> Value {
    json!({ "msg": "Token has been revoked" })
}

/// The example, after checking that its binary embeds the current page.
pub(crate) fn start_app(env: &[(&str, &str)]) -> Server {
    let binary = example_binary(EXAMPLE);
    for asset in ["index.html", "app.js", "app.css"] {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/browser_app")
            .join(asset);
        assert!(
            modified(&binary) >= modified(&source),
            "example binary {} is older than examples/browser_app/{asset}: build the examples \
             first: cargo build --examples",
            binary.display()
        );
    }
    Server::start_with_env(EXAMPLE, env)
}

/// A request with the cookies of `jar` and `headers`, and a JSON body.
fn send(
    app: &Server,
    method: &str,
    path: &str,
    jar: &CookieJar,
    headers: &[(&str, &str)],
    json_body: Option<&Value>,
) -> Response {
    let cookie = jar.header();
    let mut all: Vec<(&str, &str)> = cookie.iter().map(|c| ("Cookie", c.as_str())).collect();
    all.extend_from_slice(headers);
    let text = json_body.map(Value::to_string);
    let body = text
        .as_deref()
        .map(|text| Body::new("application/json", text));
    app.call(method, path, &all, body)
}

#[track_caller]
fn expect(resp: &Response, status: u16, body: Value) {
    assert_eq!(
        (resp.status, resp.json()),
        (status, body),
        "full response: {resp:?}"
    );
}

/// A cookie's attributes, as [`SetCookie`] holds them.
type Attributes = Vec<(String, Option<String>)>;

/// The names and attributes of the `Set-Cookie` headers, values aside.
fn cookie_attributes(resp: &Response) -> Vec<(String, Attributes)> {
    resp.set_cookies()
        .into_iter()
        .map(
            |SetCookie {
                 name, attributes, ..
             }| (name, attributes),
        )
        .collect()
}

fn attributes(list: &[(&str, Option<&str>)]) -> Attributes {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), value.map(str::to_owned)))
        .collect()
}

const EPOCH: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

#[test]
fn curl_session() {
    let app = start_app(&[]);
    let mut jar = CookieJar::new();

    let page = app.call("GET", "/", &[], None);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains(r#"<form id="login-form">"#), "{page:?}");
    assert_eq!(
        page.header("content-security-policy"),
        Some("default-src 'self'; frame-ancestors 'none'")
    );
    expect(
        &send(&app, "GET", "/api/whoami", &jar, &[], None),
        401,
        missing_cookie(),
    );

    let nope = json!({ "username": "test", "password": "nope" });
    let bad = send(&app, "POST", "/login", &jar, &[], Some(&nope));
    expect(&bad, 401, json!({ "msg": "Bad username or password" }));
    assert!(bad.set_cookies().is_empty(), "{bad:?}");

    let test = json!({ "username": "test", "password": "test" });
    let login = send(&app, "POST", "/login", &jar, &[], Some(&test));
    expect(&login, 200, json!({ "msg": "login successful" }));
    let token = attributes(&[
        ("HttpOnly", None),
        ("Path", Some("/")),
        ("SameSite", Some("Lax")),
    ]);
    let readable = attributes(&[("Path", Some("/")), ("SameSite", Some("Lax"))]);
    assert_eq!(
        cookie_attributes(&login),
        [
            ("access_token_cookie".to_owned(), token.clone()),
            ("csrf_access_token".to_owned(), readable.clone()),
            ("refresh_token_cookie".to_owned(), token.clone()),
            ("csrf_refresh_token".to_owned(), readable.clone()),
        ],
        "HttpOnly tokens, readable CSRF values, SameSite=Lax, not Secure: {login:?}"
    );
    jar.store(&login);

    let whoami = send(&app, "GET", "/api/whoami", &jar, &[], None);
    assert_eq!(whoami.status, 200, "{whoami:?}");
    assert_eq!(whoami.json()["logged_in_as"], "test");
    let expires_at = whoami.json()["expires_at"].as_i64().expect("expires_at");
    // flask's default lifetime, 15 minutes.
    let left = expires_at - chrono::Utc::now().timestamp();
    assert!((895..=900).contains(&left), "{left} s left");

    let note = json!({ "text": "hello" });
    expect(
        &send(&app, "POST", "/api/notes", &jar, &[], Some(&note)),
        401,
        json!({ "msg": "Missing CSRF token" }),
    );
    let csrf = jar
        .get("csrf_access_token")
        .expect("CSRF cookie")
        .to_owned();
    expect(
        &send(
            &app,
            "POST",
            "/api/notes",
            &jar,
            &[("X-CSRF-TOKEN", &csrf)],
            Some(&note),
        ),
        201,
        json!({ "msg": "note saved", "notes": ["hello"] }),
    );

    let refresh_csrf = jar
        .get("csrf_refresh_token")
        .expect("refresh CSRF")
        .to_owned();
    // The access token's CSRF value is not the refresh token's.
    expect(
        &send(
            &app,
            "POST",
            "/refresh",
            &jar,
            &[("X-CSRF-TOKEN", &csrf)],
            None,
        ),
        401,
        json!({ "msg": "CSRF double submit tokens do not match" }),
    );
    let refreshed = send(
        &app,
        "POST",
        "/refresh",
        &jar,
        &[("X-CSRF-TOKEN", &refresh_csrf)],
        None,
    );
    expect(&refreshed, 200, json!({ "refresh": true }));
    assert_eq!(
        cookie_attributes(&refreshed),
        [
            ("access_token_cookie".to_owned(), token.clone()),
            ("csrf_access_token".to_owned(), readable.clone()),
        ],
        "{refreshed:?}"
    );
    jar.store(&refreshed);
    assert_ne!(jar.get("csrf_access_token"), Some(csrf.as_str()));

    let stolen = jar.clone();
    let csrf = jar
        .get("csrf_access_token")
        .expect("CSRF cookie")
        .to_owned();
    let logout = send(
        &app,
        "POST",
        "/logout",
        &jar,
        &[("X-CSRF-TOKEN", &csrf)],
        None,
    );
    expect(&logout, 200, json!({ "msg": "logout successful" }));
    assert_eq!(
        logout.headers_named("set-cookie"),
        [
            format!("access_token_cookie=; Expires={EPOCH}; HttpOnly; Path=/; SameSite=Lax"),
            format!("csrf_access_token=; Expires={EPOCH}; Path=/; SameSite=Lax"),
            format!("refresh_token_cookie=; Expires={EPOCH}; HttpOnly; Path=/; SameSite=Lax"),
            format!("csrf_refresh_token=; Expires={EPOCH}; Path=/; SameSite=Lax"),
        ],
        "{logout:?}"
    );
    jar.store(&logout);
    assert_eq!(jar.names(), Vec::<&str>::new());
    expect(
        &send(&app, "GET", "/api/whoami", &jar, &[], None),
        401,
        missing_cookie(),
    );

    expect(
        &send(&app, "GET", "/api/whoami", &stolen, &[], None),
        401,
        revoked(),
    );
    expect(
        &send(
            &app,
            "POST",
            "/refresh",
            &stolen,
            &[("X-CSRF-TOKEN", &refresh_csrf)],
            None,
        ),
        401,
        revoked(),
    );
}
