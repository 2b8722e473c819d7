//! A real OpenID Provider for the tests: panva's `oidc-provider` run by
//! node (`tests/oidc/provider.mjs`; `.ci/run` installs the package), on a
//! free loopback port, stopped when dropped.
//!
//! Its access tokens are RFC 9068 JWTs from the real token endpoint (a
//! `client_credentials` grant with a `resource`); an admin surface under
//! `/__test/` rotates the signing key, counts JWKS fetches and serves a
//! doctored JWKS.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::http::{self, Body, Response};

/// The client every token is issued to (`client_id` and `sub` of tokens).
pub const CLIENT_ID: &str = "jwt-ext-tests";
/// The secret of [`CLIENT_ID`] at the token endpoint.
pub const CLIENT_SECRET: &str = "jwt-ext-tests-secret";

/// How long node may take to answer: generous, since the machine may be
/// busy compiling.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `oidc-provider` whose issuer is `http://127.0.0.1:<port>`.
pub struct OidcProvider {
    port: u16,
    audience: String,
    alg: String,
    /// The private JWKS at the last [`stop`](Self::stop), so that a
    /// restarted provider signs and publishes the same keys.
    keys: Option<String>,
    child: Option<Child>,
}

impl OidcProvider {
    /// Starts a provider whose default resource (the `aud` of
    /// [`token`](Self::token)) is `audience`, signing with RS256.
    ///
    /// Returns `None` when node or the npm package is missing, after saying
    /// so on stderr; under CI (`CI` set) that is a failure, since `.ci/run`
    /// installs both.
    pub fn start(audience: &str) -> Option<OidcProvider> {
        Self::start_with_alg(audience, "RS256")
    }

    /// [`start`](Self::start) with the first signing key for `alg`
    /// (`RS256` or `ES256`).
    pub fn start_with_alg(audience: &str, alg: &str) -> Option<OidcProvider> {
        if let Some(missing) = missing_requirement() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install node (20 or later) and `npm ci --prefix tests/oidc` (see .ci/run): {missing}"
            );
            crate::skipped(format_args!(
                "{missing}; install node 20 and run `npm ci --prefix tests/oidc` to run the OpenID Provider tests"
            ));
            return None;
        }
        let port = {
            let _spawning = http::spawning();
            http::free_port()
        };
        let mut provider = OidcProvider {
            port,
            audience: audience.to_owned(),
            alg: alg.to_owned(),
            keys: None,
            child: None,
        };
        provider.spawn();
        Some(provider)
    }

    fn spawn(&mut self) {
        let mut command = Command::new("node");
        command
            .arg(oidc_dir().join("provider.mjs"))
            .args([self.port.to_string(), self.audience.clone()])
            .env("OIDC_ALG", &self.alg)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(keys) = &self.keys {
            command.env("OIDC_KEYS", keys);
        }
        let mut child = {
            let _spawning = http::spawning();
            command.spawn().expect("start node tests/oidc/provider.mjs")
        };
        let ready = wait_for_ready(&mut child);
        self.child = Some(child);
        match ready {
            Ok(issuer) => assert_eq!(issuer, self.issuer(), "the provider's issuer"),
            Err(why) => {
                self.kill();
                panic!("the OpenID Provider did not start: {why}");
            }
        }
    }

    /// `http://127.0.0.1:<port>`, the `iss` of its tokens.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `jwks_uri` its discovery document names.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.issuer())
    }

    /// The port it listens on, the same after [`restart`](Self::restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The audience given at start, the `aud` of [`token`](Self::token).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// An access token for the audience given at start carrying `scopes`
    /// (the provider grants any scope asked for; none: no `scope` claim),
    /// valid for 10 minutes.
    pub fn token(&self, scopes: &[&str]) -> String {
        self.request_token(&self.audience, scopes, None)
    }

    /// An access token for another audience (an `https://` URL), as the
    /// same provider issues for another API.
    pub fn token_for_audience(&self, audience: &str, scopes: &[&str]) -> String {
        self.request_token(audience, scopes, None)
    }

    /// An access token that expires `ttl_seconds` (at least 1) after it
    /// was issued.
    pub fn token_with_ttl(&self, scopes: &[&str], ttl_seconds: u64) -> String {
        self.request_token(&self.audience, scopes, Some(ttl_seconds))
    }

    fn request_token(&self, resource: &str, scopes: &[&str], ttl: Option<u64>) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("resource", resource.to_owned()),
        ];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        if let Some(ttl) = ttl {
            form.push(("ttl", ttl.to_string()));
        }
        let form = form
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        let response = http::request_with_body(
            self.port,
            "POST",
            "/token",
            &[("Authorization", &basic)],
            Some(Body::new("application/x-www-form-urlencoded", &form)),
        );
        let json = expect_ok(&response, "the token endpoint");
        json["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {json}"))
            .to_owned()
    }

    /// Adds a signing key for the algorithm of the current one and makes
    /// it the one new tokens are signed with; `drop_old` stops publishing
    /// (and using) the older keys. Returns the new `kid`.
    pub fn rotate(&self, drop_old: bool) -> String {
        self.post_rotate(&serde_json::json!({ "drop_old": drop_old }))
    }

    /// [`rotate`](Self::rotate) to a key for `alg` (`RS256` or `ES256`).
    pub fn rotate_to(&self, alg: &str, drop_old: bool) -> String {
        self.post_rotate(&serde_json::json!({ "drop_old": drop_old, "alg": alg }))
    }

    fn post_rotate(&self, body: &Value) -> String {
        let response = http::request(self.port, "POST", "/__test/rotate", &[], Some(body));
        let json = expect_ok(&response, "/__test/rotate");
        json["kid"].as_str().expect("kid of the new key").to_owned()
    }

    /// How many requests reached the JWKS URL since this process started
    /// (a [`restart`](Self::restart) starts again from 0).
    pub fn jwks_hits(&self) -> u64 {
        let response = http::request(self.port, "GET", "/__test/jwks-hits", &[], None);
        expect_ok(&response, "/__test/jwks-hits")["hits"]
            .as_u64()
            .expect("hits")
    }

    /// The JWK Set the provider publishes now.
    pub fn jwks(&self) -> Value {
        let response = http::request(self.port, "GET", "/jwks", &[], None);
        expect_ok(&response, "/jwks")
    }

    /// Serves `jwks` at the JWKS URL instead of the real key set, which
    /// still signs tokens: for an `oct` key, a key whose `alg` does not
    /// match, a key set without the signing key.
    pub fn override_jwks(&self, jwks: &Value) {
        self.override_jwks_text(&jwks.to_string());
    }

    /// [`override_jwks`](Self::override_jwks) with any text, JSON or not.
    pub fn override_jwks_text(&self, text: &str) {
        let response = http::request_with_body(
            self.port,
            "POST",
            "/__test/jwks-override",
            &[],
            Some(Body::new("application/json", text)),
        );
        expect_ok(&response, "/__test/jwks-override");
    }

    /// Serves the real key set again.
    pub fn clear_override(&self) {
        let response = http::request(self.port, "DELETE", "/__test/jwks-override", &[], None);
        expect_ok(&response, "DELETE /__test/jwks-override");
    }

    /// Stops the provider; its port stays reserved and its keys kept for
    /// [`restart`](Self::restart).
    pub fn stop(&mut self) {
        if self.child.is_some() {
            let response = http::request(self.port, "GET", "/__test/keys", &[], None);
            self.keys = Some(expect_ok(&response, "/__test/keys").to_string());
        }
        self.kill();
    }

    /// Starts the provider again on the same port, with the keys it had.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `tests/oidc`.
fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// What keeps the provider from running, if anything.
fn missing_requirement() -> Option<String> {
    let probe = {
        let _spawning = http::spawning();
        Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .spawn()
    };
    if probe.and_then(|mut child| child.wait()).is_err() {
        return Some("node is not on PATH".to_owned());
    }
    let package = oidc_dir().join("node_modules/oidc-provider/package.json");
    (!package.exists()).then(|| "tests/oidc/node_modules has no oidc-provider".to_owned())
}

/// Reads the child's stdout up to its `READY <issuer>` line and returns the
/// issuer; keeps draining both pipes afterwards so the child never blocks
/// on a full one. On failure, the reason carries what node wrote on stderr.
fn wait_for_ready(child: &mut Child) -> Result<String, String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let errors = Arc::new(Mutex::new(String::new()));
    let errors_in = Arc::clone(&errors);
    let stderr_reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut buffer) {
            let text = String::from_utf8_lossy(&buffer[..n]);
            errors_in.lock().unwrap().push_str(&text);
        }
    });
    let (ready, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(issuer) = line.strip_prefix("READY ") {
                let _ = ready.send(issuer.to_owned());
            }
        }
    });
    let stderr_text = || errors.lock().unwrap().clone();
    match ready_rx.recv_timeout(READY_TIMEOUT) {
        Ok(issuer) => Ok(issuer),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "no READY line within {READY_TIMEOUT:?}; stderr: {}",
            stderr_text()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // Exited: its stderr is complete once the reader hits EOF.
            let status = child.wait();
            let _ = stderr_reader.join();
            Err(format!(
                "node exited ({status:?}); stderr: {}",
                stderr_text()
            ))
        }
    }
}

/// The JSON body of a 200 answer; panics with the answer otherwise.
fn expect_ok(response: &Response, what: &str) -> Value {
    assert_eq!(
        response.status, 200,
        "{what} answered {}: {}",
        response.status, response.body
    );
    response.json()
}

/// `application/x-www-form-urlencoded` encoding of one value: every byte
/// but the unreserved ones percent-encoded.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
