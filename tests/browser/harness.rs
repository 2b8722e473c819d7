//! The browser of the browser tests: chromedriver on a free port, a
//! headless Chromium session with a fresh profile, the page's actions,
//! and the screenshots saved when a test fails.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fantoccini::cookies::Cookie;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use jwt_ext_tests::http::{self, spawning};
use serde_json::{Value, json};

use crate::browser_app::start_app;
use crate::examples::Server;

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

/// Seconds since the epoch, with the fraction.
pub(super) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs_f64()
}

pub(super) async fn sleep_until(epoch_seconds: f64) {
    let wait = epoch_seconds - now();
    if wait > 0.0 {
        actix_web::rt::time::sleep(Duration::from_secs_f64(wait)).await;
    }
}

/// A claim of a token, read without verifying it (the app verified it).
pub(super) fn claim(token: &str, name: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    let claims: Value = serde_json::from_slice(&bytes).expect("JSON payload");
    claims[name].clone()
}

pub(super) fn exp_of(token: &str) -> f64 {
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
pub(super) struct Browser {
    pub(super) client: Client,
    /// `http://127.0.0.1:<port>`.
    pub(super) origin: String,
    /// The app's port, for requests outside the browser.
    pub(super) app_port: u16,
    shots: RefCell<Vec<(&'static str, Vec<u8>)>>,
}

/// Runs `scenario` in a browser on a new `browser_app` started with `env`.
/// On failure, saves the screenshots and fails with their folder.
pub(super) fn browser_test(
    test: &'static str,
    env: &[(&str, &str)],
    scenario: impl AsyncFnOnce(&Browser),
) {
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
    pub(super) async fn checkpoint(&self, name: &'static str) {
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
    pub(super) async fn open_app(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.origin))
            .await
            .expect("the app's page");
        self.wait_until("window.actionsDone >= 1", "the page's first answer")
            .await;
    }

    /// Evaluates a JavaScript expression in the page.
    pub(super) async fn eval(&self, expression: &str) -> Value {
        self.client
            .execute(&format!("return ({expression});"), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("cannot evaluate {expression}: {e}"))
    }

    pub(super) async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.eval(condition).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "no {what} after {PATIENCE:?}");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Clicks `selector` and waits for the page to finish what the click
    /// started; returns the last answer the page received, as
    /// `{"status": ..., "body": ...}`.
    pub(super) async fn act(&self, selector: &str) -> Value {
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

    pub(super) async fn type_into(&self, selector: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"));
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type into the field");
    }

    pub(super) async fn visible(&self, selector: &str) -> bool {
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
    pub(super) async fn cookies(&self) -> Vec<Cookie<'static>> {
        self.client.get_all_cookies().await.expect("the cookies")
    }

    pub(super) async fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        self.cookies().await.into_iter().find(|c| c.name() == name)
    }

    /// The value of cookie `name`, which must be there.
    pub(super) async fn cookie_value(&self, name: &str) -> String {
        self.cookie(name)
            .await
            .unwrap_or_else(|| panic!("no {name} cookie"))
            .value()
            .to_owned()
    }

    /// A `fetch` from the page with the session cookies and these headers;
    /// `{"status": ..., "body": ...}`.
    pub(super) async fn fetch(
        &self,
        method: &str,
        path: &str,
        headers: Value,
        body: Value,
    ) -> Value {
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
    pub(super) async fn log_in(&self) {
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

pub(super) fn answer(status: u16, body: Value) -> Value {
    json!({ "status": status, "body": body })
}
