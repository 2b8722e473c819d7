//! The `browser_app` example end to end: its curl session over plain HTTP,
//! and the page in a real browser, headless Chromium driven through
//! chromedriver (WebDriver).
//!
//! Chromium and chromedriver come from Debian's `chromium` and
//! `chromium-driver` packages, which `.ci/run` installs. Without them the
//! browser tests say they are skipped; under CI (`CI` set) they fail. Each
//! test starts its own example server, chromedriver and browser profile,
//! so they run in parallel like the other tests. The tests that wait for
//! tokens to expire keep more than a second of margin on every deadline.
//!
//! A failing browser test saves screenshots (the login page, the logged-in
//! page, the page when it failed) under `target/browser-artifacts/<test>/`
//! and names that folder in its failure message.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fantoccini::cookies::Cookie;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use jwt_ext_tests::http::{self, Body, CookieJar, Response, SetCookie, spawning};
use serde_json::{Value, json};

use crate::examples::{Server, example_binary, modified};

const EXAMPLE: &str = "browser_app";

/// Headless Chromium on a machine without a network: without the
/// background-networking flags, Chromium's own connections are refused
/// and slow every page down.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1024,768",
];

/// How long chromedriver may take to listen, and the page to finish one
/// user action.
const PATIENCE: Duration = Duration::from_secs(15);

fn missing_cookie() -> Value {
    json!({ "msg": "Missing cookie \"access_token_cookie\"" })
}

fn revoked() -> Value {
    json!({ "msg": "Token has been revoked" })
}

// ---------------------------------------------------------------------
// The curl session of the example's doc comment, over plain HTTP.
// ---------------------------------------------------------------------

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
fn browser_app_curl_session() {
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

// ---------------------------------------------------------------------
// The browser and its helpers.
// ---------------------------------------------------------------------

/// Where Chromium and chromedriver are.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Chromium and chromedriver from PATH; `None` (after saying so) when one
/// is missing, outside CI.
fn tools() -> Option<Tools> {
    match (on_path("chromium"), on_path("chromedriver")) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install chromium and chromium-driver (see .ci/run)"
            );
            jwt_ext_tests::skipped(format_args!(
                "chromium or chromedriver is not on PATH; install them (Debian: chromium, \
                 chromium-driver) to run the browser tests"
            ));
            None
        }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// The example, after checking that its binary embeds the current page.
fn start_app(env: &[(&str, &str)]) -> Server {
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

/// Seconds since the epoch, with the fraction.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs_f64()
}

async fn sleep_until(epoch_seconds: f64) {
    let wait = epoch_seconds - now();
    if wait > 0.0 {
        actix_web::rt::time::sleep(Duration::from_secs_f64(wait)).await;
    }
}

/// A claim of a token, read without verifying it (the app verified it).
fn claim(token: &str, name: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    let claims: Value = serde_json::from_slice(&bytes).expect("JSON payload");
    claims[name].clone()
}

fn exp_of(token: &str) -> f64 {
    claim(token, "exp").as_f64().expect("exp")
}

/// A chromedriver on a free port, killed when dropped, with a fresh
/// browser profile that goes with it.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
    /// The open WebDriver session, deleted at drop if the test did not.
    session: RefCell<Option<String>>,
}

impl Driver {
    fn start(tools: &Tools) -> Driver {
        let (port, child) = {
            let _spawning = spawning();
            let port = http::free_port();
            let child = Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
            (port, child)
        };
        let profile =
            std::env::temp_dir().join(format!("jwt-ext-browser-{}-{port}", std::process::id()));
        let mut driver = Driver {
            child,
            port,
            profile,
            session: RefCell::new(None),
        };
        std::fs::create_dir_all(&driver.profile).expect("a browser profile folder");
        if !http::wait_for_port(port, PATIENCE) || !matches!(driver.child.try_wait(), Ok(None)) {
            panic!("chromedriver is not listening on port {port} after {PATIENCE:?}");
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Deleting the session ends its Chromium; killing chromedriver
        // alone could leave the browser behind.
        if let Some(id) = self.session.borrow_mut().take() {
            delete_session(self.port, &id);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `DELETE /session/<id>`, errors ignored: it runs in `drop`.
fn delete_session(port: u16, id: &str) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    if let Ok(mut stream) = TcpStream::connect_timeout(&addr, PATIENCE) {
        let _ = stream.set_read_timeout(Some(PATIENCE));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
             Content-Length: 0\r\n\r\n"
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

/// A browser session on the app, with the screenshots taken so far.
struct Browser {
    client: Client,
    /// `http://127.0.0.1:<port>`.
    origin: String,
    /// The app's port, for requests outside the browser.
    app_port: u16,
    shots: RefCell<Vec<(&'static str, Vec<u8>)>>,
}

/// Runs `scenario` in a browser on a new `browser_app` started with `env`.
/// On failure, saves the screenshots and fails with their folder.
fn browser_test(test: &'static str, env: &[(&str, &str)], scenario: impl AsyncFnOnce(&Browser)) {
    let Some(tools) = tools() else { return };
    let started = Instant::now();
    let app = start_app(env);
    let driver = Driver::start(&tools);
    actix_web::rt::System::new().block_on(async {
        let browser = Browser::open(&tools, &driver, &app).await;
        let outcome = AssertUnwindSafe(scenario(&browser)).catch_unwind().await;
        let artifacts = match outcome {
            Ok(()) => None,
            Err(panic) => Some((panic, browser.save_screenshots(test).await)),
        };
        let _ = browser.client.close().await;
        driver.session.borrow_mut().take();
        if let Some((panic, folder)) = artifacts {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("{test} failed: {message}\nscreenshots: {folder}");
        }
    });
    eprintln!("{test}: {:.1?} with the browser", started.elapsed());
}

impl Browser {
    async fn open(tools: &Tools, driver: &Driver, app: &Server) -> Browser {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(ToString::to_string).collect();
        args.push(format!("--user-data-dir={}", driver.profile.display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": tools.chromium, "args": args }),
        );
        let client = ClientBuilder::rustls()
            .expect("the WebDriver client")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("cannot start a Chromium session: {e}"));
        let id = client.session_id().await.ok().flatten();
        *driver.session.borrow_mut() = id;
        Browser {
            client,
            origin: format!("http://127.0.0.1:{}", app.port),
            app_port: app.port,
            shots: RefCell::new(Vec::new()),
        }
    }

    /// Keeps a screenshot of the current page, saved if the test fails.
    async fn checkpoint(&self, name: &'static str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        self.shots.borrow_mut().push((name, png));
    }

    /// Writes the screenshots, and one of the page as it is now, to
    /// `target/browser-artifacts/<test>/`; returns that folder.
    async fn save_screenshots(&self, test: &str) -> String {
        let folder = artifacts_dir().join(test);
        if let Err(e) = std::fs::create_dir_all(&folder) {
            return format!("none: cannot create {}: {e}", folder.display());
        }
        if let Ok(png) = self.client.screenshot().await {
            self.shots.borrow_mut().push(("at_failure", png));
        }
        for (name, png) in self.shots.borrow().iter() {
            let _ = std::fs::write(folder.join(format!("{name}.png")), png);
        }
        folder.display().to_string()
    }

    /// Opens `path` of the app and waits until the page has asked who is
    /// logged in.
    async fn open_app(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.origin))
            .await
            .expect("the app's page");
        self.wait_until("window.actionsDone >= 1", "the page's first answer")
            .await;
    }

    /// Evaluates a JavaScript expression in the page.
    async fn eval(&self, expression: &str) -> Value {
        self.client
            .execute(&format!("return ({expression});"), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("cannot evaluate {expression}: {e}"))
    }

    async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.eval(condition).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "no {what} after {PATIENCE:?}");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Clicks `selector` and waits for the page to finish what the click
    /// started; returns the last answer the page received, as
    /// `{"status": ..., "body": ...}`.
    async fn act(&self, selector: &str) -> Value {
        let before = self.eval("window.actionsDone").await;
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {selector}: {e}"));
        self.wait_until(
            &format!("window.actionsDone > {before}"),
            &format!("answer to the click on {selector}"),
        )
        .await;
        self.eval("window.lastAnswer").await
    }

    async fn type_into(&self, selector: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"));
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type into the field");
    }

    async fn visible(&self, selector: &str) -> bool {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .is_displayed()
            .await
            .expect("is it displayed")
    }

    /// Every cookie of the app as WebDriver sees them, `HttpOnly` ones
    /// included.
    async fn cookies(&self) -> Vec<Cookie<'static>> {
        self.client.get_all_cookies().await.expect("the cookies")
    }

    async fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        self.cookies().await.into_iter().find(|c| c.name() == name)
    }

    /// The value of cookie `name`, which must be there.
    async fn cookie_value(&self, name: &str) -> String {
        self.cookie(name)
            .await
            .unwrap_or_else(|| panic!("no {name} cookie"))
            .value()
            .to_owned()
    }

    /// A `fetch` from the page with the session cookies and these headers;
    /// `{"status": ..., "body": ...}`.
    async fn fetch(&self, method: &str, path: &str, headers: Value, body: Value) -> Value {
        let script = r#"
            const [method, path, headers, body, done] = arguments;
            fetch(path, {
                method,
                credentials: "same-origin",
                headers: Object.assign({ "Content-Type": "application/json" }, headers),
                body: body === null ? undefined : JSON.stringify(body),
            })
                .then(async (response) => done({ status: response.status, body: await response.json() }))
                .catch((error) => done({ status: 0, body: String(error) }));
        "#;
        self.client
            .execute_async(script, vec![json!(method), json!(path), headers, body])
            .await
            .unwrap_or_else(|e| panic!("fetch {method} {path}: {e}"))
    }

    /// Logs in through the form, with screenshots of the login page and
    /// of the logged-in page.
    async fn log_in(&self) {
        self.open_app("/").await;
        assert!(self.visible("#login-form").await, "the login form");
        assert!(!self.visible("#app-view").await, "no app before login");
        self.checkpoint("login_page").await;
        self.type_into("#username", "test").await;
        self.type_into("#password", "test").await;
        assert_eq!(
            self.act("#login").await,
            json!({ "status": 200, "body": { "msg": "login successful" } })
        );
        assert!(self.visible("#app-view").await, "the app after login");
        assert_eq!(
            self.eval("document.getElementById('whoami').textContent")
                .await,
            "test"
        );
        self.checkpoint("logged_in_page").await;
    }
}

/// `<target>/browser-artifacts`, next to this test binary's
/// `<target>/<profile>/deps/`.
fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps/<test>");
    target.join("browser-artifacts")
}

fn answer(status: u16, body: Value) -> Value {
    json!({ "status": status, "body": body })
}

// ---------------------------------------------------------------------
// The browser tests.
// ---------------------------------------------------------------------

#[test]
fn login_form_keeps_the_tokens_out_of_reach_of_scripts() {
    browser_test(
        "login_form_keeps_the_tokens_out_of_reach_of_scripts",
        &[],
        async |browser| {
            browser.open_app("/").await;
            assert_eq!(
                browser.eval("window.lastAnswer").await,
                answer(401, missing_cookie())
            );
            browser.type_into("#username", "test").await;
            browser.type_into("#password", "wrong").await;
            assert_eq!(
                browser.act("#login").await,
                answer(401, json!({ "msg": "Bad username or password" }))
            );
            assert!(browser.visible("#login-form").await, "still the login form");
            assert_eq!(
                browser.cookies().await.len(),
                0,
                "no cookies for bad credentials"
            );

            browser.log_in().await;

            // The page's script sees the CSRF values and nothing else.
            let script_sees = browser.eval("document.cookie").await;
            let mut names: Vec<&str> = script_sees
                .as_str()
                .expect("document.cookie")
                .split("; ")
                .filter_map(|pair| pair.split_once('=').map(|(name, _)| name))
                .collect();
            names.sort_unstable();
            assert_eq!(
                names,
                ["csrf_access_token", "csrf_refresh_token"],
                "{script_sees}"
            );

            // The browser holds the token cookies, HttpOnly, SameSite=Lax,
            // not Secure (plain http on localhost).
            for name in [
                "access_token_cookie",
                "csrf_access_token",
                "refresh_token_cookie",
                "csrf_refresh_token",
            ] {
                let cookie = browser
                    .cookie(name)
                    .await
                    .unwrap_or_else(|| panic!("no {name} cookie"));
                assert_eq!(
                    (
                        cookie.http_only(),
                        cookie.same_site().map(|s| s.to_string()),
                        cookie.secure()
                    ),
                    (
                        Some(!name.starts_with("csrf_")),
                        Some("Lax".to_owned()),
                        Some(false)
                    ),
                    "{cookie:?}"
                );
            }
            // The readable value is the token's csrf claim.
            let token = browser.cookie_value("access_token_cookie").await;
            let csrf = browser.cookie_value("csrf_access_token").await;
            assert_eq!(claim(&token, "csrf"), csrf.as_str());
            assert!(script_sees.as_str().is_some_and(|s| s.contains(&csrf)));

            // A reload keeps the session.
            browser.open_app("/").await;
            assert!(
                browser.visible("#app-view").await,
                "still logged in after a reload"
            );
        },
    );
}

#[test]
fn api_post_needs_the_csrf_header() {
    browser_test("api_post_needs_the_csrf_header", &[], async |browser| {
        browser.log_in().await;
        // A GET needs no header.
        let whoami = browser.act("#load").await;
        assert_eq!(
            (&whoami["status"], &whoami["body"]["logged_in_as"]),
            (&json!(200), &json!("test"))
        );

        browser.type_into("#note", "saved from the page").await;
        assert_eq!(
            browser.act("#save").await,
            answer(
                201,
                json!({ "msg": "note saved", "notes": ["saved from the page"] })
            )
        );
        assert_eq!(
            browser
                .eval("document.getElementById('notes').textContent")
                .await,
            "saved from the page"
        );

        let note = json!({ "text": "no header" });
        assert_eq!(
            browser
                .fetch("POST", "/api/notes", json!({}), note.clone())
                .await,
            answer(401, json!({ "msg": "Missing CSRF token" }))
        );
        assert_eq!(
            browser
                .fetch(
                    "POST",
                    "/api/notes",
                    json!({ "X-CSRF-TOKEN": "guessed" }),
                    note
                )
                .await,
            answer(
                401,
                json!({ "msg": "CSRF double submit tokens do not match" })
            )
        );
        assert_eq!(
            browser
                .fetch("GET", "/api/notes", json!({}), Value::Null)
                .await,
            answer(200, json!({ "notes": ["saved from the page"] })),
            "the refused POSTs saved nothing"
        );
    });
}

/// A page on another site that posts a form to the app: `localhost` and
/// `127.0.0.1` are different sites, whatever the ports.
struct OtherSite {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl OtherSite {
    fn start(page: String) -> OtherSite {
        let listener = {
            let _spawning = spawning();
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0")
        };
        let port = listener.local_addr().expect("bound address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let page: Arc<str> = page.into();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                // A thread each: a connection the browser opens ahead and
                // leaves idle must not hold up the one it sends on.
                if let Ok(stream) = stream {
                    let page = Arc::clone(&page);
                    std::thread::spawn(move || serve_page(stream, &page));
                }
            }
        });
        OtherSite {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

/// Answers one request, whatever it asks, with `page`.
fn serve_page(mut stream: TcpStream, page: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

impl Drop for OtherSite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A form that posts a note to the app, with nothing but what a page on
/// any site can send.
fn forged_form(app_origin: &str) -> String {
    format!(
        r#"<!doctype html><title>Win a prize</title>
<form id="forged" method="POST" action="{app_origin}/api/notes">
<input type="hidden" name="text" value="forged">
<button id="go" type="submit">Win a prize</button>
</form>"#
    )
}

/// The JSON the browser shows after a form post to the app.
async fn shown_after_form_post(browser: &Browser) -> Value {
    browser
        .wait_until(
            &format!(
                "location.href === '{}/api/notes' && document.readyState === 'complete'",
                browser.origin
            ),
            "the app's answer to the form",
        )
        .await;
    let text = browser.eval("document.body.innerText").await;
    let text = text.as_str().expect("the page's text");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
}

#[test]
fn cross_site_form_post_carries_no_session() {
    browser_test(
        "cross_site_form_post_carries_no_session",
        &[],
        async |browser| {
            browser.log_in().await;

            // The same form from the app's own page: the browser sends the
            // cookies, and only the missing CSRF header stops the request.
            browser
                .client
                .execute(
                    r#"const form = document.createElement("form");
                   form.method = "POST";
                   form.action = "/api/notes";
                   const field = document.createElement("input");
                   field.name = "text";
                   field.value = "forged";
                   form.appendChild(field);
                   document.body.appendChild(form);
                   form.submit();"#,
                    Vec::new(),
                )
                .await
                .expect("a same-site form post");
            assert_eq!(
                shown_after_form_post(browser).await,
                json!({ "msg": "Missing CSRF token" }),
                "a same-site form carries the cookies"
            );

            // From another site, SameSite=Lax keeps the cookies home: the app
            // sees no token at all.
            let other = OtherSite::start(forged_form(&browser.origin));
            browser
                .client
                .goto(&format!("http://localhost:{}/", other.port))
                .await
                .expect("the other site's page");
            browser.checkpoint("other_site").await;
            browser
                .client
                .find(Locator::Css("#go"))
                .await
                .expect("the forged form's button")
                .click()
                .await
                .expect("submit the forged form");
            assert_eq!(
                shown_after_form_post(browser).await,
                missing_cookie(),
                "a cross-site form carries no cookies"
            );

            // Nothing was saved, and the session is intact.
            browser.open_app("/").await;
            assert!(browser.visible("#app-view").await, "still logged in");
            assert_eq!(
                browser
                    .fetch("GET", "/api/notes", json!({}), Value::Null)
                    .await,
                answer(200, json!({ "notes": [] }))
            );
        },
    );
}

#[test]
fn implicit_refresh_outlives_the_first_access_token() {
    // 4-second tokens, renewed in their last 2 seconds.
    browser_test(
        "implicit_refresh_outlives_the_first_access_token",
        &[("JWT_ACCESS_TOKEN_EXPIRES", "4")],
        async |browser| {
            browser.log_in().await;
            let first = browser.cookie_value("access_token_cookie").await;
            let first_csrf = browser.cookie_value("csrf_access_token").await;
            let expires = exp_of(&first);

            // Inside the renewal window: the answer brings a new cookie.
            sleep_until(expires - 2.0 + 0.2).await;
            let whoami = browser.act("#load").await;
            assert_eq!(whoami["status"], 200, "{whoami}");
            let renewed = browser.cookie_value("access_token_cookie").await;
            assert_ne!(renewed, first, "renewed inside the window");
            assert!(
                exp_of(&renewed) > expires,
                "the new token outlives the first"
            );
            assert_ne!(browser.cookie_value("csrf_access_token").await, first_csrf);

            // Past the first token's expiry, the page works on.
            sleep_until(expires + 0.2).await;
            let replay = http::request(
                browser.app_port,
                "GET",
                "/api/whoami",
                &[("Cookie", &format!("access_token_cookie={first}"))],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, json!({ "msg": "Token has expired" })),
                "the first token is dead"
            );
            let whoami = browser.act("#load").await;
            assert_eq!(
                (&whoami["status"], &whoami["body"]["logged_in_as"]),
                (&json!(200), &json!("test")),
                "{whoami}"
            );
            // The page's script sends the renewed CSRF value.
            browser.type_into("#note", "after the renewal").await;
            assert_eq!(
                browser.act("#save").await,
                answer(
                    201,
                    json!({ "msg": "note saved", "notes": ["after the renewal"] })
                )
            );
        },
    );
}

#[test]
fn refresh_then_logout_revokes_and_clears_the_cookies() {
    // 6-second tokens, renewed in their last 3 seconds.
    browser_test(
        "refresh_then_logout_revokes_and_clears_the_cookies",
        &[("JWT_ACCESS_TOKEN_EXPIRES", "6")],
        async |browser| {
            browser.log_in().await;
            let first = browser.cookie_value("access_token_cookie").await;
            let refresh_token = browser.cookie_value("refresh_token_cookie").await;
            let refresh_csrf = browser.cookie_value("csrf_refresh_token").await;

            // The page's refresh button: the refresh cookie and its CSRF value.
            assert_eq!(
                browser.act("#refresh").await,
                answer(200, json!({ "refresh": true }))
            );
            let access = browser.cookie_value("access_token_cookie").await;
            assert_ne!(access, first, "a new access token");
            assert_eq!(
                browser.cookie_value("refresh_token_cookie").await,
                refresh_token
            );
            assert_eq!(browser.act("#load").await["status"], 200);

            // Log out while the token is inside the renewal window, where
            // ImplicitRefresh would renew it if the logout let it.
            let expires = exp_of(&access);
            sleep_until(expires - 3.0 + 0.2).await;
            assert!(now() + 3.0 > expires, "inside the renewal window");
            assert_eq!(
                browser.act("#logout").await,
                answer(200, json!({ "msg": "logout successful" }))
            );
            assert!(now() < expires, "logged out before the token expired");
            assert!(
                browser.visible("#login-form").await,
                "back to the login form"
            );
            let left: Vec<String> = browser
                .cookies()
                .await
                .iter()
                .map(|c| c.name().to_owned())
                .collect();
            assert_eq!(left, Vec::<String>::new(), "the browser holds no cookie");

            // Copies taken before the logout are refused.
            let replay = http::request(
                browser.app_port,
                "GET",
                "/api/whoami",
                &[("Cookie", &format!("access_token_cookie={access}"))],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, revoked()),
                "{replay:?}"
            );
            let replay = http::request(
                browser.app_port,
                "POST",
                "/refresh",
                &[
                    ("Cookie", &format!("refresh_token_cookie={refresh_token}")),
                    ("X-CSRF-TOKEN", &refresh_csrf),
                ],
                None,
            );
            assert_eq!(
                (replay.status, replay.json()),
                (401, revoked()),
                "{replay:?}"
            );
        },
    );
}
