//! Shared helpers of the integration tests: fixtures, managers built from
//! flask configuration, hand-forged tokens.

pub mod app;
pub mod http;
pub mod oidc;
pub mod redis_cluster;
pub mod redis_server;

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_ext::{ConfigError, JwtManager, JwtManagerBuilder};
use serde_json::{Map, Value};

/// The secret every flask fixture was made with.
pub const SECRET: &str = "fixture-secret-0123456789abcdef-0123456789";

/// `tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reads and parses a JSON fixture, e.g. `flask/responses.json`.
pub fn fixture_json(relative: &str) -> Value {
    let path = fixtures_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A committed test key, e.g. `rsa_private.pem`.
pub fn key(name: &str) -> String {
    let path = fixtures_dir().join("keys").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A builder configured like a Flask app with `config` (flask option names,
/// JSON values) on top of `JWT_SECRET_KEY = SECRET`. RS256 configurations
/// get the committed RSA pair unless they name their own keys.
pub fn builder_from_flask_config(
    config: &Map<String, Value>,
) -> Result<JwtManagerBuilder, ConfigError> {
    let mut options: Map<String, Value> = Map::new();
    options.insert("JWT_SECRET_KEY".into(), SECRET.into());
    if config
        .get("JWT_ALGORITHM")
        .and_then(Value::as_str)
        .is_some_and(|alg| alg.starts_with("RS"))
    {
        options.insert("JWT_PUBLIC_KEY".into(), key("rsa_public.pem").into());
        if !config.contains_key("JWT_PUBLIC_KEY") {
            options.insert("JWT_PRIVATE_KEY".into(), key("rsa_private.pem").into());
        }
    }
    options.extend(config.clone());
    JwtManagerBuilder::from_lookup(|name| options.get(name).map(flask_value_as_text))
}

/// A manager configured like a Flask app; see [`builder_from_flask_config`].
pub fn manager_from_flask_config(config: &Map<String, Value>) -> JwtManager {
    builder_from_flask_config(config)
        .and_then(JwtManagerBuilder::build)
        .unwrap_or_else(|e| panic!("flask config {config:?} refused: {e}"))
}

/// A flask config value in the text form of `JWT_*` environment variables.
fn flask_value_as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(flask_value_as_text)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// An HS256 token over exactly these header and payload bytes, signed with
/// `secret`: for tokens no well-behaved minter would produce.
pub fn forge_hs256(header_json: &str, payload_json: &str, secret: &str) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(payload_json)
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).expect("non-empty secret");
    let signature = jsonwebtoken::crypto::sign(
        signing_input.as_bytes(),
        &key,
        jsonwebtoken::Algorithm::HS256,
    )
    .expect("HS256 signing");
    format!("{signing_input}.{signature}")
}

/// The decoded JSON of a token segment (0 = header, 1 = payload), as text.
pub fn segment_json(token: &str, index: usize) -> String {
    let segment = token.split('.').nth(index).expect("token segment");
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url segment");
    String::from_utf8(bytes).expect("UTF-8 segment")
}

/// The keys of a JSON object text, in the order they appear.
pub fn key_order(object_json: &str) -> Vec<String> {
    // serde_json with `preserve_order` keeps the text's order.
    match serde_json::from_str::<Value>(object_json).expect("JSON object") {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub mod jose;
pub mod logs;
pub mod python;

/// Says that a test skipped a check for want of a service, as `SKIPPED
/// <message>` on the terminal even while the test harness captures
/// output: it captures `eprintln!`, not writes to the stderr handle.
pub fn skipped(message: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {message}");
}

/// A real `HttpServer` on `listener` serving `manager`'s key set at
/// `/.well-known/jwks.json` with [`jwt_ext::jwks_handler`], on a thread of
/// its own, until [`JwksServer::stop`].
pub struct JwksServer {
    handle: actix_web::dev::ServerHandle,
    running: std::thread::JoinHandle<std::io::Result<()>>,
}

/// Starts a [`JwksServer`] for `manager` on `listener` (bound first, so the
/// manager may name its own address, e.g. as its issuer).
pub fn serve_jwks(listener: std::net::TcpListener, manager: jwt_ext::JwtManager) -> JwksServer {
    use actix_web::{App, HttpServer, web};
    let server = HttpServer::new(move || {
        App::new().app_data(manager.clone()).route(
            "/.well-known/jwks.json",
            web::get().to(jwt_ext::jwks_handler),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listening")
    .run();
    let handle = server.handle();
    let running = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
    JwksServer { handle, running }
}

impl JwksServer {
    /// Stops the server and waits for its thread.
    pub fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.running
            .join()
            .expect("the server thread")
            .expect("the server");
    }
}
