//! The hostile-input suite: every verifier check of the security spec
//! (V1–V27), the CVE regressions of its §3 not covered elsewhere, and C18
//! (tokens never logged), each as a named test.
//!
//! Most tests are tables of rows. Every row runs twice: through the public
//! API (`JwtManager::decode_token`) and through a real actix App (`GET` with
//! `Authorization: Bearer <token>` on a `#[jwt_required]` handler that counts
//! its calls), and a failing row names itself in the failure message. A
//! refused row must answer the expected status with `{"msg": …}` and must
//! not run the handler; an accepted row must run it once and see its
//! identity. Times come from a fixed clock (`NOW`), so every boundary is
//! exact. SECURITY.md maps each check to its test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use jwt_ext::{
    Algorithm, JwtError, JwtErrorKind, JwtManager, JwtManagerBuilder, SigningKey, TokenLocation,
    VerifyingKey, get_jwt_identity, jwt_required,
};
use jwt_ext_tests::jose::{
    b64, fixture_bytes, hmac_token, openssh_public_pem, private_key, sign_bytes, signature_of,
    unb64, with_signature,
};
use jwt_ext_tests::{key, logs};
use serde_json::{Value, json};

/// The HMAC secret of the apps under test (48 bytes, no short-key warning).
const SECRET: &str = "security-suite-secret-0123456789abcdef-012345678";
/// The fixed "now" of every app, in seconds since the epoch.
const NOW: i64 = 1_700_000_000;
const HS_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn clock_at(secs: i64, nanos: u32) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
    move || DateTime::from_timestamp(secs, nanos).expect("a valid timestamp")
}

/// An HS256 app at `NOW`.
fn hs() -> JwtManagerBuilder {
    JwtManager::builder()
        .secret_key(SECRET)
        .clock(clock_at(NOW, 0))
}

/// An RS256 app at `NOW` that only verifies (public key only).
fn rs() -> JwtManagerBuilder {
    JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa_public.pem"))
        .clock(clock_at(NOW, 0))
}

fn build(builder: JwtManagerBuilder) -> JwtManager {
    builder
        .build()
        .unwrap_or_else(|e| panic!("configuration refused: {e}"))
}

/// Claims of a valid token at `NOW` (`sub` alice, `exp` in 10 minutes),
/// with `extra` merged over them.
fn claims(extra: Value) -> String {
    let mut map = json!({ "sub": "alice", "exp": NOW + 600 });
    for (name, value) in extra.as_object().expect("an object of claims") {
        map[name] = value.clone();
    }
    map.to_string()
}

/// An HS256 token over these exact bytes, MAC'd with `SECRET`.
fn hs256(header: impl AsRef<[u8]>, payload: impl AsRef<[u8]>) -> String {
    hmac_token(header, payload, Algorithm::HS256, SECRET.as_bytes())
}

fn valid_hs256() -> String {
    hs256(HS_HEADER, claims(json!({})))
}

/// An RS256 token signed with the committed RSA key.
fn rs256(header: &str, payload: &str) -> String {
    sign_bytes(
        header,
        payload,
        Algorithm::RS256,
        &private_key("keys/rsa_private.pem", Algorithm::RS256),
    )
}

// ---------------------------------------------------------------------------
// Rows and their two runs.

#[derive(Clone, Debug)]
enum Msg {
    Is(String),
    StartsWith(String),
    Any,
}

impl Msg {
    fn matches(&self, message: &str) -> bool {
        match self {
            Msg::Is(want) => message == want,
            Msg::StartsWith(prefix) => message.starts_with(prefix.as_str()),
            Msg::Any => true,
        }
    }
}

#[derive(Clone, Debug)]
enum Want {
    Accept(Value),
    Refuse(u16, Msg),
}

#[derive(Clone, Debug)]
struct Row {
    name: String,
    token: String,
    want: Want,
    /// Also send it over HTTP (false for tokens no header can carry).
    http: bool,
    /// Also decode it with `decode_token` (false for route-level checks
    /// such as the token type, which `decode_token` leaves out, as flask).
    api: bool,
}

impl Row {
    fn api_only(mut self) -> Self {
        self.http = false;
        self
    }

    fn http_only(mut self) -> Self {
        self.api = false;
        self
    }
}

fn accept(name: impl Into<String>, token: impl Into<String>, identity: impl Into<Value>) -> Row {
    Row {
        name: name.into(),
        token: token.into(),
        want: Want::Accept(identity.into()),
        http: true,
        api: true,
    }
}

fn refuse(name: impl Into<String>, token: impl Into<String>, status: u16, msg: &str) -> Row {
    Row {
        name: name.into(),
        token: token.into(),
        want: Want::Refuse(status, Msg::Is(msg.to_owned())),
        http: true,
        api: true,
    }
}

fn refuse_prefix(
    name: impl Into<String>,
    token: impl Into<String>,
    status: u16,
    prefix: &str,
) -> Row {
    Row {
        name: name.into(),
        token: token.into(),
        want: Want::Refuse(status, Msg::StartsWith(prefix.to_owned())),
        http: true,
        api: true,
    }
}

fn refuse_any(name: impl Into<String>, token: impl Into<String>, status: u16) -> Row {
    Row {
        name: name.into(),
        token: token.into(),
        want: Want::Refuse(status, Msg::Any),
        http: true,
        api: true,
    }
}

const NOT_ALLOWED: &str = "The specified alg value is not allowed";
const BAD_SIGNATURE: &str = "Signature verification failed";
const EXPIRED: &str = "Token has expired";

/// Handler calls of one app.
#[derive(Clone, Default)]
struct Hits(Arc<AtomicUsize>);

impl Hits {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[jwt_required]
async fn protected(req: HttpRequest, hits: web::Data<Hits>) -> Result<HttpResponse, JwtError> {
    hits.0.fetch_add(1, Ordering::SeqCst);
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

#[jwt_required(refresh)]
async fn refresh_only(req: HttpRequest, hits: web::Data<Hits>) -> Result<HttpResponse, JwtError> {
    hits.0.fetch_add(1, Ordering::SeqCst);
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

macro_rules! app {
    ($jwt:expr, $hits:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt.clone())
                .app_data(web::Data::new($hits.clone()))
                .route("/protected", web::get().to(protected))
                .route("/refresh", web::get().to(refresh_only)),
        )
        .await
    };
}

/// One HTTP answer: status, the `msg` or `identity` of its JSON body, and
/// whether the handler ran.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    handler_ran: bool,
}

async fn send(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    hits: &Hits,
    path: &str,
    header: (&str, HeaderValue),
) -> Answer {
    let before = hits.count();
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(header)
        .to_request();
    let resp = test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let bytes = test::read_body(resp).await;
    Answer {
        status,
        body: serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        handler_ran: hits.count() != before,
    }
}

fn bearer(token: &str) -> Option<(&'static str, HeaderValue)> {
    HeaderValue::from_str(&format!("Bearer {token}"))
        .ok()
        .map(|value| ("Authorization", value))
}

/// Runs `rows` through `jwt.decode_token` and through an App on `path`;
/// returns one line per mismatch.
async fn run_rows_on(jwt: &JwtManager, path: &str, rows: &[Row]) -> Vec<String> {
    let hits = Hits::default();
    let app = app!(jwt, hits);
    let mut failures = Vec::new();
    for row in rows {
        let name = &row.name;
        // The public API (token type is not checked there, as in flask).
        if row.api {
            match (jwt.decode_token(&row.token), &row.want) {
                (Ok(decoded), Want::Accept(identity)) if decoded.identity() == identity => {}
                (Ok(decoded), want) => failures.push(format!(
                    "{name}: decode_token accepted (identity {}), want {want:?}",
                    decoded.identity()
                )),
                (Err(err), Want::Refuse(status, msg))
                    if err.status().as_u16() == *status && msg.matches(err.message()) => {}
                (Err(err), want) => failures.push(format!(
                    "{name}: decode_token refused with {} {:?}, want {want:?}",
                    err.status().as_u16(),
                    err.message()
                )),
            }
        }
        // A real App.
        if !row.http {
            continue;
        }
        let Some(header) = bearer(&row.token) else {
            failures.push(format!(
                "{name}: the token cannot be sent in a header; mark the row api_only"
            ));
            continue;
        };
        let answer = send(&app, &hits, path, header).await;
        match &row.want {
            Want::Accept(identity) => {
                if answer.status != 200
                    || answer.body["identity"] != *identity
                    || !answer.handler_ran
                {
                    failures.push(format!(
                        "{name}: HTTP {answer:?}, want 200 with identity {identity}"
                    ));
                }
            }
            Want::Refuse(status, msg) => {
                let text = answer.body["msg"].as_str().unwrap_or_default();
                if answer.status != *status || !msg.matches(text) || answer.handler_ran {
                    failures.push(format!(
                        "{name}: HTTP {answer:?}, want {status} {msg:?} and the handler not run"
                    ));
                }
            }
        }
    }
    failures
}

async fn run_rows(jwt: &JwtManager, rows: &[Row]) -> Vec<String> {
    run_rows_on(jwt, "/protected", rows).await
}

fn assert_clean(check: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{check}: {} failing row(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// V1–V3: the algorithm.

#[actix_web::test]
async fn v01_alg_allow_list_is_fixed_by_configuration() {
    let payload = claims(json!({}));
    let mut rows = vec![accept("control: HS256", valid_hs256(), "alice")];
    for (alg, name) in [(Algorithm::HS384, "HS384"), (Algorithm::HS512, "HS512")] {
        let header = format!(r#"{{"alg":"{name}","typ":"JWT"}}"#);
        rows.push(refuse(
            format!("{name} MAC'd with the app's own secret"),
            hmac_token(&header, &payload, alg, SECRET.as_bytes()),
            422,
            NOT_ALLOWED,
        ));
    }
    for (alg, name, pem) in [
        (Algorithm::RS256, "RS256", "keys/rsa_private.pem"),
        (Algorithm::PS256, "PS256", "keys/rsa_private.pem"),
        (Algorithm::ES256, "ES256", "keys/ec256_private.pem"),
        (Algorithm::EdDSA, "EdDSA", "keys/ed25519_private.pem"),
    ] {
        let header = format!(r#"{{"alg":"{name}","typ":"JWT"}}"#);
        rows.push(refuse(
            format!("{name} validly signed"),
            sign_bytes(&header, &payload, alg, &private_key(pem, alg)),
            422,
            NOT_ALLOWED,
        ));
    }
    assert_clean("V1 (HS256 app)", run_rows(&build(hs()), &rows).await);

    // And an RS256 app refuses everything but RS256, even validly signed.
    let rows = vec![
        accept(
            "control: RS256",
            rs256(r#"{"alg":"RS256"}"#, &payload),
            "alice",
        ),
        refuse(
            "RS512 validly signed",
            sign_bytes(
                r#"{"alg":"RS512"}"#,
                &payload,
                Algorithm::RS512,
                &private_key("keys/rsa_private.pem", Algorithm::RS512),
            ),
            422,
            NOT_ALLOWED,
        ),
        refuse(
            "PS256 with the same RSA key",
            sign_bytes(
                r#"{"alg":"PS256"}"#,
                &payload,
                Algorithm::PS256,
                &private_key("keys/rsa_private.pem", Algorithm::PS256),
            ),
            422,
            NOT_ALLOWED,
        ),
        refuse(
            "HS256 MAC'd with the app's HMAC-looking nothing",
            hs256(HS_HEADER, &payload),
            422,
            NOT_ALLOWED,
        ),
    ];
    assert_clean("V1 (RS256 app)", run_rows(&build(rs()), &rows).await);
}

#[actix_web::test]
async fn v02_alg_none_in_every_spelling() {
    let payload = claims(json!({}));
    let mut rows = Vec::new();
    for spelling in ["none", "None", "NONE", "nOnE", "none ", "NoNe"] {
        let header = format!(r#"{{"alg":"{spelling}","typ":"JWT"}}"#);
        let input = format!("{}.{}", b64(&header), b64(&payload));
        let mac = hs256(&header, &payload);
        rows.push(refuse(
            format!("{spelling:?}, empty signature, trailing dot"),
            format!("{input}."),
            422,
            NOT_ALLOWED,
        ));
        rows.push(refuse(
            format!("{spelling:?}, junk signature"),
            format!("{input}.{}", b64("signature")),
            422,
            NOT_ALLOWED,
        ));
        rows.push(refuse(
            format!("{spelling:?}, a valid HS256 MAC as signature"),
            mac,
            422,
            NOT_ALLOWED,
        ));
        rows.push(refuse(
            format!("{spelling:?}, no signature part at all"),
            input,
            422,
            "Not enough segments",
        ));
    }
    assert_clean("V2", run_rows(&build(hs()), &rows).await);
}

#[actix_web::test]
async fn v03_alg_is_an_exact_case_sensitive_string() {
    let payload = claims(json!({}));
    let header = |alg: &str| format!(r#"{{"alg":{alg},"typ":"JWT"}}"#);
    let mut rows = Vec::new();
    for alg in [
        r#""hs256""#,
        r#""Hs256""#,
        r#""HS256 ""#,
        r#"" HS256""#,
        r#""HS256\u0000""#,
        r#""HS256\n""#,
        r#""HS 256""#,
        r#""HS-256""#,
        r#""HMAC-SHA256""#,
        r#""""#,
        "256",
        r#"["HS256"]"#,
        "null",
        "{}",
        "true",
    ] {
        rows.push(refuse(
            format!("alg {alg}"),
            hs256(header(alg), &payload),
            422,
            NOT_ALLOWED,
        ));
    }
    rows.push(refuse(
        "alg missing",
        hs256(r#"{"typ":"JWT"}"#, &payload),
        422,
        "Algorithm not specified",
    ));
    // A JSON escape is decoded before the comparison: this is "HS256".
    rows.push(accept(
        r#"alg "\u0048S256" (JSON escape of HS256)"#,
        hs256(header(r#""\u0048S256""#), &payload),
        "alice",
    ));
    assert_clean("V3", run_rows(&build(hs()), &rows).await);
}

// ---------------------------------------------------------------------------
// V4–V5: one key, one algorithm family.

/// The RSA public key of the app in every encoding an attacker may MAC with.
fn rsa_public_encodings() -> Vec<(&'static str, Vec<u8>)> {
    let pem = fixture_bytes("keys/rsa_public.pem");
    let pem_text = String::from_utf8(pem.clone()).unwrap();
    let jwk_text = String::from_utf8(fixture_bytes("key_encodings/rsa_public.jwk.json")).unwrap();
    let jwk: Value = serde_json::from_str(&jwk_text).unwrap();
    let ssh = fixture_bytes("key_encodings/rsa_public.ssh");
    vec![
        ("SPKI PEM (CVE-2015-9235, CVE-2016-10555)", pem.clone()),
        (
            "SPKI PEM without the final newline",
            pem_text.trim_end().as_bytes().to_vec(),
        ),
        (
            "SPKI PEM with CRLF line ends",
            pem_text.replace('\n', "\r\n").into_bytes(),
        ),
        (
            "SPKI PEM after leading whitespace (CVE-2023-48223, GHSA-mvf2-f6gm-w987)",
            format!("\n  {pem_text}").into_bytes(),
        ),
        (
            "PKCS#1 PEM (CVE-2016-10555, CVE-2017-11424)",
            fixture_bytes("key_encodings/rsa_public_pkcs1.pem"),
        ),
        (
            "SPKI DER (CVE-2024-33663 DER bypass)",
            fixture_bytes("key_encodings/rsa_public.der"),
        ),
        ("OpenSSH ssh-rsa line", ssh.clone()),
        (
            "OpenSSH ssh-rsa without newline",
            ssh.trim_ascii_end().to_vec(),
        ),
        (
            "JWK JSON as stored (CVE-2026-48526)",
            jwk_text.clone().into_bytes(),
        ),
        ("JWK JSON, compact", jwk.to_string().into_bytes()),
        ("JWK JSON, trimmed", jwk_text.trim_end().as_bytes().to_vec()),
    ]
}

fn hmac_forgeries(
    secrets: &[(&str, Vec<u8>)],
    payload: &str,
    header_extra: &str,
) -> Vec<(String, String)> {
    let mut tokens = Vec::new();
    for (encoding, secret) in secrets {
        for (alg, name) in [
            (Algorithm::HS256, "HS256"),
            (Algorithm::HS384, "HS384"),
            (Algorithm::HS512, "HS512"),
        ] {
            let header = format!(r#"{{"alg":"{name}","typ":"JWT"{header_extra}}}"#);
            tokens.push((
                format!("{name} MAC'd with the public key as {encoding}"),
                hmac_token(&header, payload, alg, secret),
            ));
        }
    }
    tokens
}

#[actix_web::test]
async fn v04_public_key_as_hmac_secret_in_every_encoding() {
    let payload = claims(json!({}));

    let mut rows = vec![accept(
        "control: RS256",
        rs256(r#"{"alg":"RS256"}"#, &payload),
        "alice",
    )];
    for (name, token) in hmac_forgeries(&rsa_public_encodings(), &payload, "") {
        rows.push(refuse(name, token, 422, NOT_ALLOWED));
    }
    assert_clean(
        "V4 (RS256 app, public key only)",
        run_rows(&build(rs()), &rows).await,
    );
    // The same app holding its private key too.
    let with_private = rs().private_key_pem(key("rsa_private.pem"));
    assert_clean(
        "V4 (RS256 app with its key pair)",
        run_rows(&build(with_private), &rows).await,
    );

    // EC and Ed25519 apps: PEM, DER, OpenSSH and JWK encodings (CVE-2022-29217, CVE-2024-33663).
    let ec_pem = fixture_bytes("keys/ec256_public.pem");
    let ec_secrets = vec![
        ("SPKI PEM", ec_pem.clone()),
        ("SPKI DER", fixture_bytes("key_encodings/ec256_public.der")),
        (
            "OpenSSH ecdsa-sha2-nistp256",
            fixture_bytes("key_encodings/ec256_public.ssh"),
        ),
        (
            "JWK JSON",
            fixture_bytes("key_encodings/ec256_public.jwk.json"),
        ),
    ];
    let es256 = sign_bytes(
        r#"{"alg":"ES256"}"#,
        &payload,
        Algorithm::ES256,
        &private_key("keys/ec256_private.pem", Algorithm::ES256),
    );
    let mut rows = vec![accept("control: ES256", es256, "alice")];
    for (name, token) in hmac_forgeries(&ec_secrets, &payload, "") {
        rows.push(refuse(name, token, 422, NOT_ALLOWED));
    }
    let ec_app = JwtManager::builder()
        .algorithm(Algorithm::ES256)
        .public_key_pem(ec_pem)
        .clock(clock_at(NOW, 0));
    assert_clean("V4 (ES256 app)", run_rows(&build(ec_app), &rows).await);

    let ed_pem = fixture_bytes("keys/ed25519_public.pem");
    let ed_secrets = vec![
        ("SPKI PEM", ed_pem.clone()),
        (
            "OpenSSH ssh-ed25519",
            fixture_bytes("key_encodings/ed25519_public.ssh"),
        ),
    ];
    let eddsa = sign_bytes(
        r#"{"alg":"EdDSA"}"#,
        &payload,
        Algorithm::EdDSA,
        &private_key("keys/ed25519_private.pem", Algorithm::EdDSA),
    );
    let mut rows = vec![accept("control: EdDSA", eddsa, "alice")];
    for (name, token) in hmac_forgeries(&ed_secrets, &payload, "") {
        rows.push(refuse(name, token, 422, NOT_ALLOWED));
    }
    let ed_app = JwtManager::builder()
        .algorithm(Algorithm::EdDSA)
        .public_key_pem(ed_pem)
        .clock(clock_at(NOW, 0));
    assert_clean("V4 (EdDSA app)", run_rows(&build(ed_app), &rows).await);
}

#[actix_web::test]
async fn v05_mixed_family_allow_list_cannot_cross_families() {
    // Without a key per token, a list across families is a start-up error.
    let mut failures = Vec::new();
    for (what, builder) in [
        (
            "RS256 app allowing HS256",
            rs().decode_algorithms([Algorithm::HS256]),
        ),
        (
            "HS256 app allowing RS256",
            hs().decode_algorithms([Algorithm::RS256]),
        ),
        ("ES256 app allowing HS512", {
            JwtManager::builder()
                .algorithm(Algorithm::ES256)
                .public_key_pem(key("ec256_public.pem"))
                .decode_algorithms([Algorithm::HS512])
        }),
    ] {
        match builder.build() {
            Err(err) if err.message().contains("JWT_DECODE_ALGORITHMS") => {}
            Err(err) => failures.push(format!("{what}: refused, but with {err}")),
            Ok(_) => failures.push(format!("{what}: accepted at start-up")),
        }
    }
    assert_clean("V5 (start-up)", failures);

    // With a decode key loader, keys are typed by family: an RSA key is
    // never an HMAC secret, whatever the token's alg and kid say
    // (CVE-2022-23539, CVE-2022-23541).
    let jwt = build(
        rs().decode_algorithms([Algorithm::HS256, Algorithm::HS512])
            .decode_key_loader(|header, _claims| {
                match header.get("kid").and_then(Value::as_str) {
                    Some("hmac") => VerifyingKey::hmac(SECRET),
                    _ => VerifyingKey::rsa_pem(key("rsa_public.pem")),
                }
                .map_err(|e| JwtError::new(JwtErrorKind::InvalidToken, e.to_string()))
            }),
    );
    let payload = claims(json!({}));
    let mut rows = vec![
        accept(
            "control: RS256",
            rs256(r#"{"alg":"RS256"}"#, &payload),
            "alice",
        ),
        accept(
            "control: HS256 with kid hmac",
            hs256(r#"{"alg":"HS256","kid":"hmac"}"#, &payload),
            "alice",
        ),
        refuse(
            "RS256 token whose kid picks the HMAC key",
            rs256(r#"{"alg":"RS256","kid":"hmac"}"#, &payload),
            422,
            NOT_ALLOWED,
        ),
    ];
    let encodings = rsa_public_encodings();
    for (name, token) in hmac_forgeries(&encodings, &payload, "") {
        // HS384 is not in the list: refused for that reason alone.
        rows.push(refuse(
            format!("{name}, no kid (loader picks RSA)"),
            token,
            422,
            NOT_ALLOWED,
        ));
    }
    for (name, token) in hmac_forgeries(&encodings, &payload, r#","kid":"rsa""#) {
        rows.push(refuse(format!("{name}, kid rsa"), token, 422, NOT_ALLOWED));
    }
    for (name, token) in hmac_forgeries(&encodings, &payload, r#","kid":"hmac""#) {
        let want = if name.starts_with("HS384") {
            NOT_ALLOWED
        } else {
            BAD_SIGNATURE
        };
        rows.push(refuse(
            format!("{name}, kid hmac (the real secret)"),
            token,
            422,
            want,
        ));
    }
    assert_clean("V5 (typed keys per token)", run_rows(&jwt, &rows).await);
}

/// PyJWT (since CVE-2017-11424 and CVE-2022-29217) refuses PEM and OpenSSH
/// public key text as an HMAC secret (`InvalidKeyError: The specified key is
/// an asymmetric key or x509 certificate and should not be used as an HMAC
/// secret.`). This checks the same defence in depth in jwt-ext, for the
/// configured secret and for keys from the key loaders.
#[actix_web::test]
async fn v05_asymmetric_key_material_is_never_an_hmac_secret() {
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(fixture_bytes("key_encodings/attacker_rsa_cert.der"))
    );
    let materials: Vec<(&str, Vec<u8>)> = vec![
        ("RSA SPKI PEM", fixture_bytes("keys/rsa_public.pem")),
        (
            "RSA PKCS#1 PEM",
            fixture_bytes("key_encodings/rsa_public_pkcs1.pem"),
        ),
        ("EC SPKI PEM", fixture_bytes("keys/ec256_public.pem")),
        ("certificate PEM", cert_pem.into_bytes()),
        (
            "OpenSSH ssh-rsa",
            fixture_bytes("key_encodings/rsa_public.ssh"),
        ),
        (
            "OpenSSH ecdsa-sha2-nistp256",
            fixture_bytes("key_encodings/ec256_public.ssh"),
        ),
        (
            "OpenSSH ssh-ed25519",
            fixture_bytes("key_encodings/ed25519_public.ssh"),
        ),
    ];
    let mut failures = Vec::new();
    for (what, material) in &materials {
        if hs().secret_key(material).build().is_ok() {
            failures.push(format!("{what}: accepted as JWT_SECRET_KEY at start-up"));
        }
        if VerifyingKey::hmac(material).is_ok() {
            failures.push(format!("{what}: accepted by VerifyingKey::hmac"));
        }
        if SigningKey::hmac(material).is_ok() {
            failures.push(format!("{what}: accepted by SigningKey::hmac"));
        }
    }
    // The exact tokens of PyJWT's tests/test_advisory.py (GHSA-ffqj-6fqr-9h24):
    // an HS256 token MAC'd with an OpenSSH public key that the app holds.
    let ssh_key = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJXMtkUkkoJ9kQP8QhpKO/TfuxcKC2a92dIo/xDY6MNl6VA8MChCpAJN0w1wvVPJ4qTJRnGO7A6V6dl8oRxDPkc=";
    let encoded_bad = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZXN0IjoxMjM0fQ.5eYfbrbeGYmWfypQ6rMWXNZ8bdHcqKng5GPr9MJZITU";
    if let Ok(jwt) = hs().secret_key(ssh_key).identity_claim("test").build()
        && jwt.decode_token(encoded_bad).is_ok()
    {
        failures.push(
            "PyJWT advisory token: an HS256 app whose secret is an OpenSSH public key accepts \
             an HS256 token anyone holding that public key can forge"
                .to_owned(),
        );
    }
    assert_clean("V5 hardening (PyJWT InvalidKeyError parity)", failures);
}

// ---------------------------------------------------------------------------
// V6–V9: header parameters.

#[actix_web::test]
async fn v06_embedded_keys_are_ignored_and_never_fetched() {
    // A listener for jku/x5u: nothing may ever connect to it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");

    let payload = claims(json!({ "sub": "mallory" }));
    let attacker_secret = b"attacker-chosen-secret-0123456789abcdef-0123456";
    let oct_jwk = json!({ "kty": "oct", "k": b64(attacker_secret) });
    let hs_header = |extra: Value| {
        let mut header = json!({ "alg": "HS256", "typ": "JWT" });
        for (k, v) in extra.as_object().unwrap() {
            header[k] = v.clone();
        }
        header.to_string()
    };
    let mut rows = Vec::new();
    for (what, extra) in [
        ("jwk (oct)", json!({ "jwk": oct_jwk })),
        ("jku", json!({ "jku": url("jwks.json") })),
        ("x5u", json!({ "x5u": url("cert.pem") })),
        (
            "jwk + jku + x5u",
            json!({ "jwk": oct_jwk, "jku": url("jwks.json"), "x5u": url("c") }),
        ),
    ] {
        rows.push(refuse(
            format!("HS256 app, attacker secret, {what} in the header"),
            hmac_token(
                hs_header(extra),
                &payload,
                Algorithm::HS256,
                attacker_secret,
            ),
            422,
            BAD_SIGNATURE,
        ));
    }
    assert_clean("V6 (HS256 app)", run_rows(&build(hs()), &rows).await);

    let attacker = private_key("key_encodings/attacker_rsa_private.pem", Algorithm::RS256);
    let attacker_jwk: Value =
        serde_json::from_slice(&fixture_bytes("key_encodings/attacker_rsa_public.jwk.json"))
            .unwrap();
    let x5c = json!([STANDARD.encode(fixture_bytes("key_encodings/attacker_rsa_cert.der"))]);
    let rs_header = |extra: Value| {
        let mut header = json!({ "alg": "RS256", "typ": "JWT", "kid": "attacker" });
        for (k, v) in extra.as_object().unwrap() {
            header[k] = v.clone();
        }
        header.to_string()
    };
    let mut rows = Vec::new();
    for (what, extra) in [
        ("jwk (CVE-2018-0114)", json!({ "jwk": attacker_jwk })),
        ("x5c", json!({ "x5c": x5c })),
        ("jku", json!({ "jku": url("jwks.json") })),
        ("x5u", json!({ "x5u": url("cert.pem") })),
        (
            "jwk + x5c + jku + x5u",
            json!({ "jwk": attacker_jwk, "x5c": x5c, "jku": url("jwks.json"), "x5u": url("c.pem") }),
        ),
    ] {
        rows.push(refuse(
            format!("RS256 app, attacker key, {what} in the header"),
            sign_bytes(rs_header(extra), &payload, Algorithm::RS256, &attacker),
            422,
            BAD_SIGNATURE,
        ));
    }
    assert_clean("V6 (RS256 app)", run_rows(&build(rs()), &rows).await);
    // The same with a decode key loader in the app (it sees the header, jwt-ext fetches nothing).
    let with_loader = rs().decode_key_loader(|_, _| {
        VerifyingKey::rsa_pem(key("rsa_public.pem"))
            .map_err(|e| JwtError::new(JwtErrorKind::InvalidToken, e.to_string()))
    });
    assert_clean(
        "V6 (RS256 app with a key loader)",
        run_rows(&build(with_loader), &rows).await,
    );

    std::thread::sleep(std::time::Duration::from_millis(50));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("V6: jwt-ext connected to the jku/x5u listener (from {peer})"),
        Err(e) => panic!("V6: listener error {e}"),
    }
}

#[actix_web::test]
async fn v07_kid_is_untrusted_input() {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let jwt = build(
        hs().decode_algorithms([Algorithm::HS256])
            .decode_key_loader(move |header, _claims| {
                let kid = header.get("kid").cloned().unwrap_or(Value::Null);
                log.lock().unwrap().push(kid.clone());
                match kid.as_str() {
                    Some("k1") => Ok(VerifyingKey::hmac(SECRET).unwrap()),
                    Some("rsa") => Ok(VerifyingKey::rsa_pem(key("rsa_public.pem")).unwrap()),
                    _ => Err(JwtError::new(JwtErrorKind::InvalidToken, "Unknown key id")),
                }
            }),
    );
    let payload = claims(json!({}));
    let with_kid = |kid: Value| hs256(json!({ "alg": "HS256", "kid": kid }).to_string(), &payload);
    let long = |n: usize| "k".repeat(n);
    let mut rows = vec![accept("control: kid k1", with_kid(json!("k1")), "alice")];
    for kid in [
        "../../dev/null",
        "/dev/null",
        "/etc/passwd",
        "../../../../../../proc/self/environ",
        "' OR '1'='1",
        "k1' --",
        "k1\u{0000}",
        "K1",
        " k1",
        "|sleep 10",
        "$(sleep 10)",
        "",
    ] {
        rows.push(refuse(
            format!("kid {kid:?}"),
            with_kid(json!(kid)),
            422,
            "Unknown key id",
        ));
    }
    rows.push(refuse(
        "kid of 4000 characters",
        with_kid(json!(long(4000))),
        422,
        "Unknown key id",
    ));
    rows.push(refuse(
        "kid of 10 KB (over the token size cap)",
        with_kid(json!(long(10 * 1024))),
        422,
        "Token is larger than the maximum of 8192 bytes",
    ));
    for kid in [
        json!(5),
        json!(null),
        json!(["k1"]),
        json!({ "kid": "k1" }),
        json!(true),
    ] {
        rows.push(refuse(
            format!("non-string kid {kid}"),
            with_kid(kid),
            422,
            "Key ID header parameter must be a string",
        ));
    }
    rows.push(refuse(
        "kid naming an RSA key on an HS256 token",
        with_kid(json!("rsa")),
        422,
        NOT_ALLOWED,
    ));
    assert_clean("V7 (key loader)", run_rows(&jwt, &rows).await);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(Value::is_string),
        "V7: the loader saw a non-string kid: {seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|kid| kid.as_str().is_some_and(|k| k.len() > 8192)),
        "V7: the loader saw the oversized kid"
    );

    // Without a loader the kid selects nothing: jwt-ext never opens a path
    // named by it, so a token MAC'd with a file's contents stays forged.
    let path = std::env::temp_dir().join(format!("jwt-ext-kid-{}.txt", std::process::id()));
    std::fs::write(&path, "contents of a file the attacker can guess").unwrap();
    let file_kid = path.display().to_string();
    let rows = vec![
        refuse(
            "kid naming a file, MAC'd with its contents",
            hmac_token(
                json!({ "alg": "HS256", "kid": file_kid }).to_string(),
                &payload,
                Algorithm::HS256,
                b"contents of a file the attacker can guess",
            ),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "kid /dev/null, MAC'd with the empty key",
            hmac_token(
                r#"{"alg":"HS256","kid":"/dev/null"}"#,
                &payload,
                Algorithm::HS256,
                b"",
            ),
            422,
            BAD_SIGNATURE,
        ),
        accept(
            "hostile kid on a token MAC'd with the real secret (kid is ignored)",
            hs256(r#"{"alg":"HS256","kid":"../../dev/null"}"#, &payload),
            "alice",
        ),
    ];
    let failures = run_rows(&build(hs()), &rows).await;
    let _ = std::fs::remove_file(&path);
    assert_clean("V7 (no loader)", failures);
}

#[actix_web::test]
async fn v08_crit_is_refused_in_every_form() {
    let payload = claims(json!({}));
    let with = |extra: &str| hs256(format!(r#"{{"alg":"HS256"{extra}}}"#), &payload);
    let rows = vec![
        refuse(
            r#"crit ["x-custom"] (GHSA-752w-5fwx-jx9f, CVE-2025-59420)"#,
            with(r#","crit":["x-custom"],"x-custom":1"#),
            422,
            "Unsupported critical extension: x-custom",
        ),
        refuse(
            r#"crit ["x-custom-policy"]"#,
            with(r#","crit":["x-custom-policy"]"#),
            422,
            "Unsupported critical extension: x-custom-policy",
        ),
        refuse(
            "crit []",
            with(r#","crit":[]"#),
            422,
            "Invalid 'crit' header: must be a non-empty list",
        ),
        refuse(
            r#"crit "b64""#,
            with(r#","crit":"b64""#),
            422,
            "Invalid 'crit' header: must be a non-empty list",
        ),
        refuse(
            "crit null",
            with(r#","crit":null"#),
            422,
            "Invalid 'crit' header: must be a non-empty list",
        ),
        refuse(
            "crit {}",
            with(r#","crit":{}"#),
            422,
            "Invalid 'crit' header: must be a non-empty list",
        ),
        refuse(
            "crit [123]",
            with(r#","crit":[123]"#),
            422,
            "Invalid 'crit' header: values must be strings",
        ),
        refuse(
            r#"crit ["b64"], b64 false"#,
            with(r#","crit":["b64"],"b64":false"#),
            422,
            "Unsupported critical extension: b64",
        ),
        refuse(
            r#"crit ["exp"] (a registered name)"#,
            with(r#","crit":["exp"]"#),
            422,
            "Unsupported critical extension: exp",
        ),
        refuse(
            "b64 false without crit",
            with(r#","b64":false"#),
            422,
            "The 'b64' header parameter requires 'b64' to be listed in 'crit'.",
        ),
        accept(
            "b64 true without crit (the default meaning)",
            with(r#","b64":true"#),
            "alice",
        ),
    ];
    assert_clean("V8", run_rows(&build(hs()), &rows).await);
}

/// jwt-ext does not check `typ`, as PyJWT and flask-jwt-extended do not: a
/// deliberate parity choice (SECURITY.md). Minted tokens carry `typ: JWT`.
#[actix_web::test]
async fn v09_typ_is_not_checked() {
    let payload = claims(json!({}));
    let mut rows = Vec::new();
    for typ in [
        r#""JWT""#,
        r#""jwt""#,
        r#""application/jwt""#,
        r#""at+jwt""#,
        r#""JWE""#,
        r#""JOSE+JSON""#,
        "5",
        "null",
    ] {
        rows.push(accept(
            format!("typ {typ}"),
            hs256(format!(r#"{{"alg":"HS256","typ":{typ}}}"#), &payload),
            "alice",
        ));
    }
    rows.push(accept(
        "no typ",
        hs256(r#"{"alg":"HS256"}"#, &payload),
        "alice",
    ));
    let jwt = build(hs());
    assert_clean("V9", run_rows(&jwt, &rows).await);
    let minted = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        jwt_ext::get_unverified_jwt_headers(&minted).unwrap()["typ"],
        "JWT"
    );
}

#[actix_web::test]
async fn v10_access_and_refresh_tokens_are_exclusive() {
    let jwt = build(hs());
    let access = jwt.create_access_token("alice").unwrap();
    let refresh = jwt.create_refresh_token("alice").unwrap();
    let untyped = valid_hs256();
    let upper = hs256(HS_HEADER, claims(json!({ "type": "REFRESH" })));
    let only_access = "Only non-refresh tokens are allowed";
    let only_refresh = "Only refresh tokens are allowed";
    let access_route = vec![
        accept("access token", access.clone(), "alice"),
        refuse("refresh token", refresh.clone(), 422, only_access).http_only(),
        // flask treats a token without `type` as an access token (parity).
        accept(
            "token without type (flask: access)",
            untyped.clone(),
            "alice",
        ),
        accept(
            "type REFRESH (types are exact strings)",
            upper.clone(),
            "alice",
        ),
    ];
    assert_clean("V10 (access route)", run_rows(&jwt, &access_route).await);
    let refresh_route = vec![
        accept("refresh token", refresh, "alice"),
        refuse("access token", access, 422, only_refresh),
        refuse("token without type", untyped, 422, only_refresh),
        refuse("type REFRESH", upper, 422, only_refresh),
    ]
    .into_iter()
    .map(Row::http_only)
    .collect::<Vec<_>>();
    assert_clean(
        "V10 (refresh route)",
        run_rows_on(&jwt, "/refresh", &refresh_route).await,
    );
}

// ---------------------------------------------------------------------------
// V11–V16: structure and encoding.

#[actix_web::test]
async fn v11_exactly_three_segments() {
    let valid = valid_hs256();
    let (signing_input, signature) = valid.rsplit_once('.').unwrap();
    let mb_of_dots = ".".repeat(1 << 20);
    let rows = vec![
        refuse("empty token", "", 422, "Not enough segments").api_only(),
        refuse("one segment", "abc", 422, "Not enough segments"),
        refuse("a.b", "a.b", 422, "Not enough segments"),
        refuse(
            "valid header.payload only",
            signing_input,
            422,
            "Not enough segments",
        ),
        refuse_prefix("a.b.c", "a.b.c", 422, "Invalid header"),
        refuse_prefix("a.b.c.d", "a.b.c.d", 422, "Invalid"),
        refuse_prefix("a..c", "a..c", 422, "Invalid"),
        refuse_prefix(".", ".", 422, "Not enough segments"),
        refuse_prefix("..", "..", 422, "Invalid header string"),
        refuse_prefix("...", "...", 422, "Invalid"),
        refuse_prefix(
            "valid token + .sig",
            format!("{valid}.{signature}"),
            422,
            "Invalid",
        ),
        refuse_prefix("valid token + .", format!("{valid}."), 422, "Invalid"),
        refuse_prefix(". + valid token", format!(".{valid}"), 422, "Invalid"),
        refuse_prefix(
            "5-segment JWE (CVE-2023-51774)",
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ",
            422,
            "Invalid",
        ),
        refuse(
            "1 MB of dots (CVE-2025-30204, CVE-2025-27144)",
            mb_of_dots.clone(),
            422,
            "Token is larger than the maximum of 8192 bytes",
        ),
    ];
    assert_clean("V11", run_rows(&build(hs()), &rows).await);
    // With the size cap raised past 1 MB, the dots are split once from each
    // end (no per-dot work) and refused as an empty header.
    let roomy = build(hs().max_token_size(2 << 20));
    let rows = vec![refuse_prefix(
        "1 MB of dots, cap raised to 2 MiB",
        mb_of_dots,
        422,
        "Invalid header string",
    )];
    assert_clean("V11 (raised cap)", run_rows(&roomy, &rows).await);
}

/// The index of the last character of a base64url text whose low bits are
/// padding (0 when the byte length is a multiple of 3).
fn padding_bits(byte_len: usize) -> u8 {
    match byte_len % 3 {
        1 => 4,
        2 => 2,
        _ => 0,
    }
}

/// `text` (base64url of `byte_len` bytes) with a padding bit of its last
/// character set: the same bytes, non-canonically encoded.
fn non_canonical(text: &str, byte_len: usize) -> String {
    assert!(padding_bits(byte_len) > 0, "no padding bits in {text}");
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = *text.as_bytes().last().unwrap();
    let value = ALPHABET.iter().position(|c| *c == last).unwrap();
    let mut out = text[..text.len() - 1].to_owned();
    out.push(ALPHABET[value ^ 1] as char);
    out
}

/// An HS256 token over the given segment texts (not necessarily base64url),
/// MAC'd over exactly them.
fn mac_over_segments(header: &str, payload: &str) -> String {
    let input = format!("{header}.{payload}");
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
    let mac = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{input}.{mac}")
}

#[actix_web::test]
async fn v12_base64url_is_strict() {
    // A payload whose base64url has `-` and `_` and padding bits, so that every
    // alphabet and canonicality game applies; found by search, then fixed.
    let mut payload = String::new();
    for pad in 0..200 {
        let candidate =
            claims(json!({ "note": "~~~???>>>".repeat(1 + pad % 3), "pad": "x".repeat(pad) }));
        let text = b64(&candidate);
        if text.contains('-') && text.contains('_') && padding_bits(candidate.len()) > 0 {
            payload = candidate;
            break;
        }
    }
    assert!(!payload.is_empty(), "no suitable payload found");
    let header = r#"{"alg":"HS256","x":"~~~???>>>"}"#;
    assert!(padding_bits(header.len()) > 0 && b64(header).contains(['-', '_']));
    let (h, p) = (b64(header), b64(&payload));
    let valid = mac_over_segments(&h, &p);
    let s = valid.rsplit_once('.').unwrap().1.to_owned();
    let std_h = STANDARD_NO_PAD.encode(header);
    let std_p = STANDARD_NO_PAD.encode(&payload);
    let padded_p = STANDARD
        .encode(&payload)
        .replace('+', "-")
        .replace('/', "_");
    assert!(padded_p.ends_with('='));

    let rows = vec![
        accept("control", valid.clone(), "alice"),
        // Each of these is MAC'd over exactly the bytes sent, so only the
        // encoding is wrong.
        refuse(
            "header in the standard alphabet (+ /)",
            mac_over_segments(&std_h, &p),
            422,
            "Invalid header padding",
        ),
        refuse(
            "payload in the standard alphabet (+ /)",
            mac_over_segments(&h, &std_p),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "payload with = padding (PyJWT accepts)",
            mac_over_segments(&h, &padded_p),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "header with = appended",
            mac_over_segments(&format!("{h}="), &p),
            422,
            "Invalid header padding",
        ),
        refuse(
            "payload with == appended",
            mac_over_segments(&h, &format!("{p}==")),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "header with non-canonical trailing bits",
            mac_over_segments(&non_canonical(&h, header.len()), &p),
            422,
            "Invalid header padding",
        ),
        refuse(
            "payload with non-canonical trailing bits",
            mac_over_segments(&h, &non_canonical(&p, payload.len())),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "signature with non-canonical trailing bits (same MAC bytes)",
            format!("{h}.{p}.{}", non_canonical(&s, 32)),
            422,
            "Invalid crypto padding",
        ),
        refuse(
            "signature with = padding",
            format!("{valid}="),
            422,
            "Invalid crypto padding",
        ),
        refuse(
            "signature in the standard alphabet",
            format!("{h}.{p}.{}", STANDARD_NO_PAD.encode(unb64(&s))),
            if STANDARD_NO_PAD.encode(unb64(&s)) == s {
                200
            } else {
                422
            },
            "Invalid crypto padding",
        ),
        refuse(
            "? inside the payload (Wycheproof tc 373)",
            mac_over_segments(&h, &format!("{}?{}", &p[..8], &p[8..])),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "? inside the header (Wycheproof tc 372)",
            mac_over_segments(&format!("{}?{}", &h[..8], &h[8..]), &p),
            422,
            "Invalid header padding",
        ),
        refuse(
            "%2E-escaped text in the payload",
            mac_over_segments(&h, &format!("{p}%2E")),
            422,
            "Invalid payload padding",
        ),
        refuse(
            "space inside the payload",
            mac_over_segments(&h, &format!("{} {}", &p[..8], &p[8..])),
            422,
            "Invalid payload padding",
        )
        .api_only(),
        refuse(
            "newline inside the payload",
            mac_over_segments(&h, &format!("{}\n{}", &p[..8], &p[8..])),
            422,
            "Invalid payload padding",
        )
        .api_only(),
        refuse(
            "tab inside the header",
            mac_over_segments(&format!("{}\t{}", &h[..8], &h[8..]), &p),
            422,
            "Invalid header padding",
        )
        .api_only(),
        refuse(
            "CR LF at the end of the signature",
            format!("{valid}\r\n"),
            422,
            "Invalid crypto padding",
        )
        .api_only(),
        refuse(
            "non-ASCII letter in the payload",
            mac_over_segments(&h, &format!("{p}é")),
            422,
            "Invalid payload padding",
        ),
    ];
    // The "standard alphabet signature" row is only meaningful when the MAC's
    // base64url has a - or _; otherwise the text is identical and valid.
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|row| !matches!(row.want, Want::Refuse(200, _)))
        .collect();
    assert_clean("V12", run_rows(&build(hs()), &rows).await);
}

#[actix_web::test]
async fn v13_signature_covers_the_received_bytes() {
    // Whitespace, CR LF and key order are kept as sent: the MAC is over the
    // received segments, never over a re-serialisation (RFC 7515 §5.2; the
    // RFC 7515 A.1 vector is in tests/vectors.rs).
    let payload = format!(
        "{{\r\n \"exp\" : {},\r\n \"sub\" : \"alice\"\r\n}}\n",
        NOW + 600
    );
    let rows = vec![
        accept(
            "header and payload with CR LF and spaces",
            hs256("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", &payload),
            "alice",
        ),
        refuse(
            "the same token with the header re-serialised",
            {
                let token = hs256("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", &payload);
                let rest = token.split_once('.').unwrap().1;
                format!("{}.{rest}", b64(r#"{"typ":"JWT","alg":"HS256"}"#))
            },
            422,
            BAD_SIGNATURE,
        ),
    ];
    assert_clean("V13", run_rows(&build(hs()), &rows).await);
}

#[actix_web::test]
async fn v14_header_and_claims_are_utf8_json_objects() {
    let good = claims(json!({}));
    let utf16 = |text: &str, big_endian: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect()
    };
    let not_object = "Invalid payload string: must be a json object";
    let mut rows = Vec::new();
    for (what, payload, python) in [
        (
            "\"foo\" as bytes (Zm9v)",
            b"foo".to_vec(),
            Some("Expecting value: line 1 column 1 (char 0)"),
        ),
        (
            "empty",
            Vec::new(),
            Some("Expecting value: line 1 column 1 (char 0)"),
        ),
        ("NaN", b"NaN".to_vec(), None),
        ("UTF-16LE JSON", utf16(&good, false), None),
        ("UTF-16BE JSON", utf16(&good, true), None),
        (
            "UTF-16LE JSON with BOM",
            [&[0xff, 0xfe][..], &utf16(&good, false)].concat(),
            None,
        ),
        (
            "UTF-8 BOM before the object",
            [&[0xef, 0xbb, 0xbf][..], good.as_bytes()].concat(),
            None,
        ),
        (
            "invalid UTF-8 in a string",
            r#"{"sub":"al"#.to_owned()
                .into_bytes()
                .into_iter()
                .chain([0xff, 0xfe])
                .chain(br#"ice"}"#.iter().copied())
                .collect(),
            Some("'utf-8' codec can't decode byte 0xff in position 10: invalid start byte"),
        ),
        ("lone surrogate escape", br#"{"sub":"\ud800"}"#.to_vec(), None),
        (
            "trailing garbage",
            format!("{good} x").into_bytes(),
            Some("Extra data: line 1 column 34 (char 33)"),
        ),
        (
            "two objects",
            format!("{good}{good}").into_bytes(),
            Some("Extra data: line 1 column 33 (char 32)"),
        ),
        (
            "single quotes",
            b"{'sub':'alice'}".to_vec(),
            Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ),
        (
            "trailing comma",
            br#"{"sub":"alice",}"#.to_vec(),
            Some("Expecting property name enclosed in double quotes: line 1 column 16 (char 15)"),
        ),
        (
            "comment",
            br#"{"sub":"alice"/* c */}"#.to_vec(),
            Some("Expecting ',' delimiter: line 1 column 15 (char 14)"),
        ),
    ] {
        // Where Python's `json` refuses the bytes too, the message is PyJWT's
        // to the letter; where only jwt-ext refuses, serde_json's text follows.
        let name = format!("payload {what}");
        let token = hs256(HS_HEADER, &payload);
        rows.push(match python {
            Some(text) => refuse(name, token, 422, &format!("Invalid payload string: {text}")),
            None => refuse_prefix(name, token, 422, "Invalid payload string: "),
        });
    }
    for (what, payload) in [
        ("[]", "[]"),
        ("\"x\"", "\"x\""),
        ("null", "null"),
        ("1", "1"),
        ("true", "true"),
        ("[claims]", &format!("[{good}]")),
    ] {
        rows.push(refuse(
            format!("payload {what}"),
            hs256(HS_HEADER, payload),
            422,
            not_object,
        ));
    }
    for (what, header, python) in [
        (
            "foo",
            b"foo".to_vec(),
            Some("Expecting value: line 1 column 1 (char 0)"),
        ),
        (
            "UTF-8 BOM before the object",
            [&[0xef, 0xbb, 0xbf][..], HS_HEADER.as_bytes()].concat(),
            None,
        ),
        ("UTF-16LE JSON", utf16(HS_HEADER, false), None),
        (
            "invalid UTF-8",
            b"{\"alg\":\"HS256\",\"x\":\"\xff\"}".to_vec(),
            Some("'utf-8' codec can't decode byte 0xff in position 20: invalid start byte"),
        ),
        (
            "trailing garbage",
            format!("{HS_HEADER}x").into_bytes(),
            Some("Extra data: line 1 column 28 (char 27)"),
        ),
    ] {
        let name = format!("header {what}");
        let token = hs256(&header, &good);
        rows.push(match python {
            Some(text) => refuse(name, token, 422, &format!("Invalid header string: {text}")),
            None => refuse_prefix(name, token, 422, "Invalid header string: "),
        });
    }
    for header in ["[]", "\"HS256\"", "null"] {
        rows.push(refuse(
            format!("header {header}"),
            hs256(header, &good),
            422,
            "Invalid header string: must be a json object",
        ));
    }
    rows.push(accept(
        "whitespace around the objects",
        hs256(format!(" {HS_HEADER}\n"), format!("\t{good} ")),
        "alice",
    ));
    rows.push(accept(
        "non-ASCII identity",
        hs256(HS_HEADER, claims(json!({ "sub": "ålice ☃" }))),
        "ålice ☃",
    ));
    assert_clean("V14", run_rows(&build(hs()), &rows).await);
}

/// serde_json keeps the last of duplicate member names, in the one parse
/// every check and getter reads: the last wins everywhere (PyJWT's Python
/// `json` does the same). Refusing duplicates is RFC 7515's preference,
/// not done here (SECURITY.md).
#[actix_web::test]
async fn v15_duplicate_members_the_last_wins_everywhere() {
    let exp = NOW + 600;
    let rows = vec![
        accept(
            "sub alice then admin",
            hs256(
                HS_HEADER,
                format!(r#"{{"sub":"alice","sub":"admin","exp":{exp}}}"#),
            ),
            "admin",
        ),
        accept(
            "sub admin then alice",
            hs256(
                HS_HEADER,
                format!(r#"{{"sub":"admin","sub":"alice","exp":{exp}}}"#),
            ),
            "alice",
        ),
        accept(
            "exp 1 then future",
            hs256(
                HS_HEADER,
                format!(r#"{{"sub":"alice","exp":1,"exp":{exp}}}"#),
            ),
            "alice",
        ),
        refuse(
            "exp future then 1",
            hs256(
                HS_HEADER,
                format!(r#"{{"sub":"alice","exp":{exp},"exp":1}}"#),
            ),
            401,
            EXPIRED,
        ),
        accept(
            "alg none then HS256",
            hs256(r#"{"alg":"none","alg":"HS256"}"#, claims(json!({}))),
            "alice",
        ),
        refuse(
            "alg HS256 then none",
            hs256(r#"{"alg":"HS256","alg":"none"}"#, claims(json!({}))),
            422,
            NOT_ALLOWED,
        ),
        accept(
            "kid 5 then a string",
            hs256(r#"{"alg":"HS256","kid":5,"kid":"k"}"#, claims(json!({}))),
            "alice",
        ),
        refuse(
            "kid a string then 5",
            hs256(r#"{"alg":"HS256","kid":"k","kid":5}"#, claims(json!({}))),
            422,
            "Key ID header parameter must be a string",
        ),
    ];
    let jwt = build(hs());
    assert_clean("V15", run_rows(&jwt, &rows).await);
    // The unverified header, the claims and the identity agree.
    let token = hs256(
        r#"{"alg":"HS256","kid":"first","kid":"last"}"#,
        format!(r#"{{"sub":"alice","role":"user","sub":"admin","role":"root","exp":{exp}}}"#),
    );
    assert_eq!(
        jwt_ext::get_unverified_jwt_headers(&token).unwrap()["kid"],
        "last"
    );
    let decoded = jwt.decode_token(&token).unwrap();
    assert_eq!(decoded.header()["kid"], "last");
    assert_eq!(decoded.identity(), "admin");
    assert_eq!(decoded.claims()["sub"], "admin");
    assert_eq!(decoded.claims()["role"], "root");
}

#[actix_web::test]
async fn v16_compact_serialisation_only() {
    let valid = valid_hs256();
    let parts: Vec<&str> = valid.split('.').collect();
    let flattened =
        json!({ "protected": parts[0], "payload": parts[1], "signature": parts[2] }).to_string();
    let general = json!({ "payload": parts[1], "signatures": [{ "protected": parts[0], "signature": parts[2] }] }).to_string();
    let forged = b64(claims(json!({ "sub": "admin" })));
    // CVE-2022-39227: a JSON document whose text also splits into three dotted parts.
    let polyglot = format!(
        r#"{{"{}.{forged}.":"","protected":"{}","payload":"{}","signature":"{}"}}"#,
        parts[0], parts[0], parts[1], parts[2]
    );
    let rows = vec![
        refuse_any(
            "flattened JSON serialisation (Wycheproof rejectsValidJsonSerialization)",
            flattened,
            422,
        ),
        refuse_any("general JSON serialisation", general, 422),
        refuse_any("compact/JSON polyglot (CVE-2022-39227)", polyglot, 422),
        refuse_any(
            "detached payload (empty payload segment)",
            format!("{}..{}", parts[0], parts[2]),
            422,
        ),
    ];
    assert_clean("V16", run_rows(&build(hs()), &rows).await);
}

// ---------------------------------------------------------------------------
// V17–V22: claims.

fn exp_token(exp: impl std::fmt::Display) -> String {
    hs256(HS_HEADER, format!(r#"{{"sub":"alice","exp":{exp}}}"#))
}

#[actix_web::test]
async fn v17_exp_boundaries_with_a_fixed_clock() {
    let rows = vec![
        refuse("leeway 0: exp = now - 1", exp_token(NOW - 1), 401, EXPIRED),
        refuse(
            "leeway 0: exp = now (PyJWT: expired)",
            exp_token(NOW),
            401,
            EXPIRED,
        ),
        accept("leeway 0: exp = now + 1", exp_token(NOW + 1), "alice"),
        refuse("exp = 0", exp_token(0), 401, EXPIRED),
        refuse("exp = -1", exp_token(-1), 401, EXPIRED),
        refuse("exp = i64::MIN", exp_token(i64::MIN), 401, EXPIRED),
        accept("exp = i64::MAX (no overflow)", exp_token(i64::MAX), "alice"),
        accept("exp = u64::MAX (no overflow)", exp_token(u64::MAX), "alice"),
        // flask parity: a token without exp never expires (spec V17 says required).
        accept(
            "no exp (flask: never expires)",
            hs256(HS_HEADER, r#"{"sub":"alice"}"#),
            "alice",
        ),
    ];
    assert_clean("V17 (leeway 0)", run_rows(&build(hs()), &rows).await);
    let rows = vec![
        refuse(
            "leeway 30: exp = now - 31",
            exp_token(NOW - 31),
            401,
            EXPIRED,
        ),
        refuse(
            "leeway 30: exp = now - 30",
            exp_token(NOW - 30),
            401,
            EXPIRED,
        ),
        accept("leeway 30: exp = now - 29", exp_token(NOW - 29), "alice"),
        accept("leeway 30: exp = now", exp_token(NOW), "alice"),
    ];
    assert_clean(
        "V17 (leeway 30)",
        run_rows(&build(hs().decode_leeway(TimeDelta::seconds(30))), &rows).await,
    );
    // Half a second past NOW: PyJWT compares with time.time(), a float.
    let half = JwtManager::builder()
        .secret_key(SECRET)
        .clock(clock_at(NOW, 500_000_000));
    let rows = vec![
        refuse("now = NOW.5: exp = NOW", exp_token(NOW), 401, EXPIRED),
        accept("now = NOW.5: exp = NOW + 1", exp_token(NOW + 1), "alice"),
    ];
    assert_clean(
        "V17 (sub-second clock)",
        run_rows(&build(half), &rows).await,
    );
}

#[actix_web::test]
async fn v18_malformed_numeric_claims_are_not_absent_claims() {
    let exp_msg = "Expiration Time claim (exp) must be an integer.";
    let nbf_msg = "Not Before claim (nbf) must be an integer.";
    let iat_msg = "Issued At claim (iat) must be an integer.";
    let with = |extra: &str| hs256(HS_HEADER, format!(r#"{{"sub":"alice"{extra}}}"#));
    let rows = vec![
        refuse(r#"exp "never""#, with(r#","exp":"never""#), 422, exp_msg),
        refuse(
            r#"exp "1700000600" (PyJWT int() accepts)"#,
            with(r#","exp":"1700000600""#),
            422,
            exp_msg,
        ),
        refuse("exp null", with(r#","exp":null"#), 422, exp_msg),
        refuse("exp true", with(r#","exp":true"#), 422, exp_msg),
        refuse(
            "exp [n]",
            with(&format!(r#","exp":[{}]"#, NOW + 600)),
            422,
            exp_msg,
        ),
        refuse("exp {}", with(r#","exp":{}"#), 422, exp_msg),
        refuse_prefix(
            "exp 1e400 (out of range)",
            with(r#","exp":1e400"#),
            422,
            "Invalid payload string: ",
        ),
        refuse("exp -1", with(r#","exp":-1"#), 401, EXPIRED),
        refuse(
            "exp 1.5e9 (a float, truncated, in the past)",
            with(r#","exp":1.5e9"#),
            401,
            EXPIRED,
        ),
        accept(
            "exp now + 600.7 (a float, truncated)",
            with(&format!(r#","exp":{}.7"#, NOW + 600)),
            "alice",
        ),
        accept(
            "exp 1e300 (saturates: never)",
            with(r#","exp":1e300"#),
            "alice",
        ),
        refuse(
            r#"nbf "99999999999""#,
            with(&format!(r#","nbf":"99999999999","exp":{}"#, NOW + 600)),
            422,
            nbf_msg,
        ),
        refuse(
            r#"CVE-2026-25537 (octocrate#58): {"sub":"x","nbf":"99999999999","exp":10000000000}"#,
            hs256(
                HS_HEADER,
                r#"{"sub":"x","nbf":"99999999999","exp":10000000000}"#,
            ),
            422,
            nbf_msg,
        ),
        refuse("nbf null", with(r#","nbf":null"#), 422, nbf_msg),
        refuse(
            "nbf 1e300 (saturates: far future)",
            with(r#","nbf":1e300"#),
            422,
            "The token is not yet valid (nbf)",
        ),
        accept(
            "nbf -1e300 (saturates: far past)",
            with(r#","nbf":-1e300"#),
            "alice",
        ),
        refuse(r#"iat "now""#, with(r#","iat":"now""#), 422, iat_msg),
        refuse("iat false", with(r#","iat":false"#), 422, iat_msg),
        refuse_prefix(
            "iat 1e400",
            with(r#","iat":1e400"#),
            422,
            "Invalid payload string: ",
        ),
    ];
    assert_clean("V18", run_rows(&build(hs()), &rows).await);
}

#[actix_web::test]
async fn v19_nbf_and_iat_in_the_future() {
    let with = |claim: &str, at: i64| hs256(HS_HEADER, claims(json!({ claim: at })));
    let nbf = "The token is not yet valid (nbf)";
    let iat = "The token is not yet valid (iat)";
    let rows = vec![
        accept("leeway 0: nbf = now", with("nbf", NOW), "alice"),
        refuse("leeway 0: nbf = now + 1", with("nbf", NOW + 1), 422, nbf),
        refuse("leeway 0: nbf = now + 60", with("nbf", NOW + 60), 422, nbf),
        accept("leeway 0: iat = now", with("iat", NOW), "alice"),
        refuse("leeway 0: iat = now + 1", with("iat", NOW + 1), 422, iat),
        refuse("leeway 0: iat = now + 60", with("iat", NOW + 60), 422, iat),
        accept("leeway 0: nbf = i64::MIN", with("nbf", i64::MIN), "alice"),
        refuse("leeway 0: nbf = i64::MAX", with("nbf", i64::MAX), 422, nbf),
    ];
    assert_clean("V19 (leeway 0)", run_rows(&build(hs()), &rows).await);
    let rows = vec![
        accept("leeway 120: nbf = now + 60", with("nbf", NOW + 60), "alice"),
        accept(
            "leeway 120: nbf = now + 120",
            with("nbf", NOW + 120),
            "alice",
        ),
        refuse(
            "leeway 120: nbf = now + 121",
            with("nbf", NOW + 121),
            422,
            nbf,
        ),
        accept("leeway 120: iat = now + 60", with("iat", NOW + 60), "alice"),
        refuse(
            "leeway 120: iat = now + 121",
            with("iat", NOW + 121),
            422,
            iat,
        ),
    ];
    assert_clean(
        "V19 (leeway 120)",
        run_rows(&build(hs().decode_leeway(TimeDelta::seconds(120))), &rows).await,
    );
}

#[actix_web::test]
async fn v20_audience_rows() {
    let with = |aud: Value| hs256(HS_HEADER, claims(json!({ "aud": aud })));
    let no_match = "Audience doesn't match";
    let missing = "Token is missing the \"aud\" claim";
    let format = "Invalid claim format in token";
    let rows = vec![
        accept(r#"aud "api""#, with(json!("api")), "alice"),
        accept(r#"aud ["x","api"]"#, with(json!(["x", "api"])), "alice"),
        refuse(r#"aud "apix""#, with(json!("apix")), 422, no_match),
        refuse(r#"aud "ap""#, with(json!("ap")), 422, no_match),
        refuse(r#"aud "API""#, with(json!("API")), 422, no_match),
        refuse(r#"aud " api""#, with(json!(" api")), 422, no_match),
        refuse(r#"aud ["x"]"#, with(json!(["x"])), 422, no_match),
        refuse(r#"aud [] (CVE-2020-26160)"#, with(json!([])), 422, missing),
        refuse(r#"aud [""]"#, with(json!([""])), 422, no_match),
        refuse(r#"aud """#, with(json!("")), 422, missing),
        refuse("aud null", with(json!(null)), 422, missing),
        refuse("aud missing", valid_hs256(), 422, missing),
        refuse("aud 1", with(json!(1)), 422, format),
        refuse(r#"aud ["api", 1]"#, with(json!(["api", 1])), 422, format),
        refuse(
            r#"aud {"api":true}"#,
            with(json!({ "api": true })),
            422,
            format,
        ),
        refuse(r#"aud [["api"]]"#, with(json!([["api"]])), 422, format),
    ];
    assert_clean(
        "V20 (decode audience api)",
        run_rows(&build(hs().decode_audience("api")), &rows).await,
    );
    let rows = vec![
        accept(
            r#"aud "web" with audiences [api, web]"#,
            with(json!("web")),
            "alice",
        ),
        refuse(
            r#"aud "mobile" with audiences [api, web]"#,
            with(json!("mobile")),
            422,
            no_match,
        ),
    ];
    assert_clean(
        "V20 (two audiences)",
        run_rows(&build(hs().decode_audience(["api", "web"])), &rows).await,
    );
    // flask parity: without a configured audience, aud is not checked at
    // all (RFC 7519 §4.1.3 would refuse; SECURITY.md says why we do not).
    let rows = vec![accept(
        r#"aud "other" with no audience configured"#,
        with(json!("other")),
        "alice",
    )];
    assert_clean(
        "V20 (no audience configured)",
        run_rows(&build(hs()), &rows).await,
    );
}

#[actix_web::test]
async fn v21_issuer_is_matched_exactly() {
    let with = |iss: Value| hs256(HS_HEADER, claims(json!({ "iss": iss })));
    let invalid = "Invalid issuer";
    let rows = vec![
        accept(
            r#"iss "urn:expected""#,
            with(json!("urn:expected")),
            "alice",
        ),
        refuse(
            r#"iss "urn:" (GHSA-75c5-xw7c-p5pm)"#,
            with(json!("urn:")),
            422,
            invalid,
        ),
        refuse(
            r#"iss "urn:expected:x""#,
            with(json!("urn:expected:x")),
            422,
            invalid,
        ),
        refuse(
            r#"iss "URN:EXPECTED""#,
            with(json!("URN:EXPECTED")),
            422,
            invalid,
        ),
        refuse(
            r#"iss "urn:expecte""#,
            with(json!("urn:expecte")),
            422,
            invalid,
        ),
        refuse(
            r#"iss "urn:expected ""#,
            with(json!("urn:expected ")),
            422,
            invalid,
        ),
        refuse(r#"iss "" "#, with(json!("")), 422, invalid),
        refuse(
            r#"iss ["urn:expected"]"#,
            with(json!(["urn:expected"])),
            422,
            "Payload Issuer (iss) must be a string",
        ),
        refuse(
            "iss 1",
            with(json!(1)),
            422,
            "Payload Issuer (iss) must be a string",
        ),
        refuse(
            "iss missing",
            valid_hs256(),
            422,
            "Token is missing the \"iss\" claim",
        ),
    ];
    assert_clean(
        "V21",
        run_rows(&build(hs().decode_issuer("urn:expected")), &rows).await,
    );
}

#[actix_web::test]
async fn v22_subject_rows() {
    let with = |sub: Value| {
        hs256(
            HS_HEADER,
            json!({ "sub": sub, "exp": NOW + 600 }).to_string(),
        )
    };
    let not_string = "Subject must be a string";
    let rows = vec![
        refuse("sub 123", with(json!(123)), 422, not_string),
        refuse("sub null", with(json!(null)), 422, not_string),
        refuse("sub {}", with(json!({})), 422, not_string),
        refuse("sub []", with(json!([])), 422, not_string),
        refuse("sub true", with(json!(true)), 422, not_string),
        refuse(
            "sub missing",
            hs256(HS_HEADER, format!(r#"{{"exp":{}}}"#, NOW + 600)),
            422,
            "Missing claim: sub",
        ),
        accept(
            r#"sub "" (a string: PyJWT accepts it)"#,
            with(json!("")),
            "",
        ),
    ];
    assert_clean("V22", run_rows(&build(hs()), &rows).await);
    let rows = vec![accept("sub 123 with verify_sub off", with(json!(123)), 123)];
    assert_clean(
        "V22 (verify_sub off)",
        run_rows(&build(hs().verify_sub(false)), &rows).await,
    );
    let rows = vec![
        accept(
            "identity claim uid present",
            hs256(HS_HEADER, claims(json!({ "uid": "u1" }))),
            "u1",
        ),
        refuse(
            "identity claim uid missing",
            valid_hs256(),
            422,
            "Missing claim: uid",
        ),
    ];
    assert_clean(
        "V22 (identity claim uid)",
        run_rows(&build(hs().identity_claim("uid")), &rows).await,
    );
}

// ---------------------------------------------------------------------------
// V23–V27: keys, signatures, size, order.

#[actix_web::test]
async fn v23_key_strength_at_start_up() {
    let logs = logs::capture();
    let mut failures = Vec::new();
    // Empty secrets and missing keys are start-up errors (CVE-2019-20933,
    // CVE-2020-28637, CVE-2022-23540): never "verify nothing".
    for (what, builder) in [
        ("no key at all", JwtManager::builder()),
        ("empty secret", JwtManager::builder().secret_key("")),
        (
            "RS256 without a public key",
            JwtManager::builder().algorithm(Algorithm::RS256),
        ),
        (
            "RS256 with only a secret",
            JwtManager::builder()
                .algorithm(Algorithm::RS256)
                .secret_key(SECRET),
        ),
        (
            "RSA-1024 public key (also keys_and_minting::rsa_keys_under_2048_bits_are_refused)",
            JwtManager::builder()
                .algorithm(Algorithm::PS256)
                .public_key_pem(key("rsa1024_public.pem")),
        ),
    ] {
        if builder.build().is_ok() {
            failures.push(format!("{what}: accepted at start-up"));
        }
    }
    // Short HMAC secrets are warned about, not refused (PyJWT warns too).
    for (secret, alg, length, minimum) in [
        ("secret", Algorithm::HS256, 6, 32),
        ("your-256-bit-secret", Algorithm::HS256, 19, 32),
        ("0123456789abcdef0123456789abcde", Algorithm::HS256, 31, 32),
        (
            "0123456789abcdef0123456789abcdef0123456789abcde",
            Algorithm::HS384,
            47,
            48,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
            Algorithm::HS512,
            63,
            64,
        ),
    ] {
        if JwtManager::builder()
            .secret_key(secret)
            .algorithm(alg)
            .build()
            .is_err()
        {
            failures.push(format!(
                "{length}-byte secret for {alg:?}: refused, want a warning"
            ));
        }
        let text = logs.text();
        let warned = text.lines().any(|line| {
            line.starts_with("WARN")
                && line.contains("JWT_SECRET_KEY is shorter than the hash output")
                && line.contains(&format!("length={length} "))
                && line.contains(&format!("minimum={minimum}"))
        });
        if !warned {
            failures.push(format!(
                "{length}-byte secret for {alg:?}: no warning logged"
            ));
        }
        if secret.len() > 6 && text.contains(secret) {
            failures.push(format!(
                "the {length}-byte secret itself appears in the logs"
            ));
        }
    }
    JwtManager::builder()
        .secret_key("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    if logs.text().contains("length=32 minimum=32") {
        failures.push("a 32-byte HS256 secret was warned about".into());
    }

    // RSA keys under 2048 bits from the key loaders (RFC 7518 §3.3).
    let small = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa_public.pem"))
        .clock(clock_at(NOW, 0))
        .decode_key_loader(|_, _| {
            VerifyingKey::rsa_pem(key("rsa1024_public.pem"))
                .map_err(|e| JwtError::new(JwtErrorKind::InvalidToken, e.to_string()))
        })
        .build()
        .unwrap();
    // Signed with openssl by tests/fixtures/key_encodings/make.sh (aws-lc
    // refuses to sign with an RSA key under 2048 bits).
    let weak_token =
        String::from_utf8(fixture_bytes("key_encodings/rsa1024_rs256_token.txt")).unwrap();
    match small.decode_token(weak_token.trim()) {
        Err(err) if err.status() == 422 => {}
        Err(err) => failures.push(format!(
            "RSA-1024 token from the key loader: refused with {err:?}, want 422"
        )),
        Ok(_) => {
            failures.push("a token verified with an RSA-1024 key from the decode key loader".into())
        }
    }
    let minting = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(key("rsa_private.pem"))
        .public_key_pem(key("rsa_public.pem"))
        .encode_key_loader(|_| SigningKey::rsa_pem(key("rsa1024_private.pem")).unwrap())
        .build()
        .unwrap();
    if let Ok(token) = minting.create_access_token("alice") {
        failures.push(format!(
            "an RS256 token was minted with an RSA-1024 key from the encode key loader ({} bytes)",
            token.len()
        ));
    }
    assert_clean("V23", failures);
}

/// The order of the P-256 group.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `a - b` for 32-byte big-endian numbers with `a >= b`.
fn sub256(a: &[u8; 32], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::new();
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    [vec![0x02, content.len() as u8], content].concat()
}

#[actix_web::test]
async fn v25_ecdsa_signatures_are_fixed_length_and_range_checked() {
    let jwt = build(
        JwtManager::builder()
            .algorithm(Algorithm::ES256)
            .private_key_pem(key("ec256_private.pem"))
            .public_key_pem(key("ec256_public.pem"))
            .clock(clock_at(NOW, 0)),
    );
    let valid = jwt.create_access_token("alice").unwrap();
    let sig = signature_of(&valid);
    assert_eq!(sig.len(), 64);
    let (r, s) = sig.split_at(32);
    let zero = [0u8; 32];
    let mut one = [0u8; 32];
    one[31] = 1;
    let high_s = sub256(&P256_N, s);
    let der = {
        let body = [der_integer(r), der_integer(s)].concat();
        [vec![0x30, body.len() as u8], body].concat()
    };
    let (signing_input, _) = valid.rsplit_once('.').unwrap();
    let rows = vec![
        accept("control", valid.clone(), "alice"),
        refuse(
            "64 zero bytes (CVE-2022-21449)",
            format!("{signing_input}.{}", "A".repeat(86)),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "DER r=0 s=0 (MAYCAQACAQA)",
            format!("{signing_input}.MAYCAQACAQA"),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r = n, s = n",
            with_signature(&valid, &[P256_N, P256_N].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r = n, s valid",
            with_signature(&valid, &[&P256_N[..], s].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r valid, s = n",
            with_signature(&valid, &[r, &P256_N[..]].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r = 0, s valid",
            with_signature(&valid, &[&zero[..], s].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r valid, s = 0",
            with_signature(&valid, &[r, &zero[..]].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "r = 1, s = 1",
            with_signature(&valid, &[one, one].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "63 bytes (truncated)",
            with_signature(&valid, &sig[..63]),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "65 bytes (zero appended)",
            with_signature(&valid, &[&sig[..], &[0]].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "65 bytes (zero prepended)",
            with_signature(&valid, &[&[0], &sig[..]].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "66 bytes (r and s each zero-padded)",
            with_signature(&valid, &[&[0], r, &[0], s].concat()),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "the valid (r, s) DER-encoded",
            with_signature(&valid, &der),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "96 bytes (an ES384-sized signature)",
            with_signature(&valid, &[0u8; 96]),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "empty signature",
            format!("{signing_input}."),
            422,
            BAD_SIGNATURE,
        ),
        // ECDSA is malleable: (r, n - s) verifies too. Revocation is by jti,
        // never by a hash of the token text (SECURITY.md).
        accept(
            "(r, n - s): the malleable twin verifies",
            with_signature(&valid, &[r, &high_s[..]].concat()),
            "alice",
        ),
    ];
    assert_clean("V25 (ES256)", run_rows(&jwt, &rows).await);
}

/// A valid HS256 token of exactly `len` bytes (a `pad` claim and a `kid`
/// header of the right lengths).
fn token_of_length(len: usize) -> String {
    for kid_len in 0..4 {
        let header = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(kid_len));
        let base = hs256(&header, claims(json!({ "pad": "" }))).len();
        let start = (len.saturating_sub(base) * 3 / 4).saturating_sub(8);
        for pad in start..start + 16 {
            let token = hs256(&header, claims(json!({ "pad": "p".repeat(pad) })));
            if token.len() == len {
                return token;
            }
        }
    }
    panic!("no token of {len} bytes");
}

#[actix_web::test]
async fn v26_token_size_is_capped_before_decoding() {
    let too_big = "Token is larger than the maximum of 8192 bytes";
    let at_cap = token_of_length(8192);
    let over_cap = token_of_length(8193);
    let hundred_kb = hs256(HS_HEADER, claims(json!({ "blob": "b".repeat(100 * 1024) })));
    let rows = vec![
        accept("8192 bytes (at the cap)", at_cap.clone(), "alice"),
        refuse("8193 bytes (8 KiB + 1)", over_cap.clone(), 422, too_big),
        refuse("100 KB of claims", hundred_kb.clone(), 422, too_big),
        refuse("8193 bytes of garbage", "x".repeat(8193), 422, too_big),
    ];
    assert_clean("V26 (default cap)", run_rows(&build(hs()), &rows).await);
    let rows = vec![
        refuse(
            "1001 bytes with a cap of 1000",
            token_of_length(1001),
            422,
            "Token is larger than the maximum of 1000 bytes",
        ),
        accept(
            "1000 bytes with a cap of 1000",
            token_of_length(1000),
            "alice",
        ),
    ];
    assert_clean(
        "V26 (cap 1000)",
        run_rows(&build(hs().max_token_size(1000)), &rows).await,
    );
    let rows = vec![accept(
        "100 KB of claims with a cap of 256 KiB",
        hundred_kb,
        "alice",
    )];
    assert_clean(
        "V26 (cap 256 KiB)",
        run_rows(&build(hs().max_token_size(256 << 10)), &rows).await,
    );
    // The unverified-header helper has the fixed default cap.
    assert_eq!(
        jwt_ext::get_unverified_jwt_headers(&over_cap)
            .unwrap_err()
            .message(),
        too_big
    );

    // In a cookie: the same cap.
    let jwt = build(hs().token_location([TokenLocation::Cookies]));
    let hits = Hits::default();
    let app = app!(jwt, hits);
    for (what, token, want_status) in [("8193 bytes", &over_cap, 422), ("8192 bytes", &at_cap, 200)]
    {
        let cookie = HeaderValue::from_str(&format!("access_token_cookie={token}")).unwrap();
        let answer = send(&app, &hits, "/protected", ("Cookie", cookie)).await;
        assert_eq!(answer.status, want_status, "V26 cookie {what}: {answer:?}");
        assert_eq!(answer.handler_ran, want_status == 200, "V26 cookie {what}");
        if want_status == 422 {
            assert_eq!(answer.body["msg"], too_big, "V26 cookie {what}");
        }
    }
}

#[actix_web::test]
async fn v26_deep_json_is_refused_without_stack_overflow() {
    let depth = 10_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let inside = format!(r#"{{"sub":"alice","exp":{},"x":{arrays}}}"#, NOW + 600);
    let deep_header = format!(r#"{{"alg":"HS256","x":{objects}}}"#);
    // Python's RecursionError text, which PyJWT reports as it reports a
    // JSON error (flask answers 422 with it for these documents).
    let too_deep = |segment: &str, kind: &str| {
        format!(
            "Invalid {segment} string: maximum recursion depth exceeded while decoding a JSON \
             {kind} from a unicode string"
        )
    };
    let rows = vec![
        refuse(
            "payload: 10 000 nested arrays",
            hs256(HS_HEADER, &arrays),
            422,
            &too_deep("payload", "array"),
        ),
        refuse(
            "payload: 10 000 nested objects",
            hs256(HS_HEADER, &objects),
            422,
            &too_deep("payload", "object"),
        ),
        refuse(
            "payload: a claim of 10 000 nested arrays",
            hs256(HS_HEADER, &inside),
            422,
            &too_deep("payload", "array"),
        ),
        refuse(
            "header: 10 000 nested objects",
            hs256(&deep_header, claims(json!({}))),
            422,
            &too_deep("header", "object"),
        ),
        refuse(
            "payload: 10 000 nested arrays, bad signature",
            format!("{}.{}.AAAA", b64(HS_HEADER), b64(&arrays)),
            422,
            &too_deep("payload", "array"),
        ),
    ];
    // A cap large enough for the JSON to reach the parser.
    assert_clean(
        "V26 (deep JSON)",
        run_rows(&build(hs().max_token_size(256 << 10)), &rows).await,
    );
    // With the default cap they are refused for their size, before parsing.
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|row| Row {
            want: Want::Refuse(
                422,
                Msg::Is("Token is larger than the maximum of 8192 bytes".into()),
            ),
            ..row
        })
        .collect();
    assert_clean(
        "V26 (deep JSON, default cap)",
        run_rows(&build(hs()), &rows).await,
    );
}

/// Counts the calls of one loader.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[actix_web::test]
async fn v27_no_callback_sees_a_token_before_its_signature() {
    let [blocklist, verification, lookup, expired, key_loader] =
        std::array::from_fn(|_| Calls::default());
    let (b, v, l, e, k) = (
        blocklist.clone(),
        verification.clone(),
        lookup.clone(),
        expired.clone(),
        key_loader.clone(),
    );
    let jwt = build(
        hs().token_in_blocklist_loader(move |_| {
            b.hit();
            async { Ok::<_, actix_web::Error>(false) }
        })
        .token_verification_loader(move |_| {
            v.hit();
            async { Ok::<_, actix_web::Error>(true) }
        })
        .user_lookup_loader(move |jwt| {
            l.hit();
            let name = jwt.identity().as_str().unwrap_or_default().to_owned();
            async move { Ok::<_, actix_web::Error>(Some(name)) }
        })
        .expired_token_loader(move |_, _| {
            e.hit();
            HttpResponse::Unauthorized().json(json!({ "msg": EXPIRED }))
        })
        .decode_key_loader(move |_, _| {
            k.hit();
            Ok(VerifyingKey::hmac(SECRET).unwrap())
        }),
    );
    let valid = valid_hs256();
    let (header, rest) = valid.split_once('.').unwrap();
    let signature = rest.split_once('.').unwrap().1;
    let admin = b64(claims(json!({ "sub": "admin", "admin": true })));
    let rows = vec![
        refuse(
            "tampered payload (sub admin), original signature",
            format!("{header}.{admin}.{signature}"),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "expired token with a bad signature: 422, not 401",
            format!(
                "{}.{}.{signature}",
                b64(HS_HEADER),
                b64(claims(json!({ "exp": NOW - 10 })))
            ),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "MAC'd with another secret",
            hmac_token(
                HS_HEADER,
                claims(json!({})),
                Algorithm::HS256,
                b"another-secret-0123456789abcdef-0123456789",
            ),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "alg none",
            format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(claims(json!({})))),
            422,
            NOT_ALLOWED,
        ),
    ];
    let failures = run_rows(&jwt, &rows).await;
    assert_clean("V27", failures);
    let counts = |calls: &[&Calls]| calls.iter().map(|c| c.count()).collect::<Vec<_>>();
    assert_eq!(
        counts(&[&blocklist, &verification, &lookup, &expired]),
        [0, 0, 0, 0],
        "V27: blocklist, claims verification, user lookup, expired loader must not run for a forged token"
    );
    // The decode key loader is the one callback that must see the
    // unverified header and claims (to choose the key), as in flask: once
    // per decode, API and HTTP.
    assert_eq!(
        key_loader.count(),
        2 * rows.len(),
        "V27: decode key loader calls"
    );
    // And an error about a forged token carries no claims for response loaders.
    let err = jwt.decode_token(&rows[0].token).unwrap_err();
    assert!(
        err.jwt_claims().is_none() && err.jwt_header().is_none(),
        "V27: {err:?} carries the forged claims"
    );

    // Control: a valid token runs every loader once, after the signature.
    let rows = vec![accept("control", valid, "alice")];
    assert_clean("V27 (control)", run_rows(&jwt, &rows).await);
    assert_eq!(
        counts(&[&blocklist, &verification, &lookup, &expired]),
        [1, 1, 1, 0]
    );
}

// ---------------------------------------------------------------------------
// §3: CVE regressions not covered by a V test above (SECURITY.md maps the rest).

#[actix_web::test]
async fn cve_regressions_not_covered_elsewhere() {
    let payload = claims(json!({}));
    let rows = vec![
        refuse(
            "Auth0 2015 / node-jsonwebtoken #13: eyJhbGciOiJub25lIn0.<payload>.",
            format!("eyJhbGciOiJub25lIn0.{}.", b64(&payload)),
            422,
            NOT_ALLOWED,
        ),
        refuse(
            "CVE-2020-28042 / jwt_tool -X n: HS256 with an empty signature",
            format!("{}.{}.", b64(HS_HEADER), b64(&payload)),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "CVE-2019-20933 / CVE-2020-28637 / jwt_tool -X b: HS256 MAC'd with the empty key",
            hmac_token(HS_HEADER, &payload, Algorithm::HS256, b""),
            422,
            BAD_SIGNATURE,
        ),
        refuse(
            "jwt_tool -X b variant: MAC'd with the one-zero-byte key",
            hmac_token(HS_HEADER, &payload, Algorithm::HS256, &[0]),
            422,
            BAD_SIGNATURE,
        ),
    ];
    assert_clean("§3 (HS256 app)", run_rows(&build(hs()), &rows).await);

    // CVE-2022-29217 (GHSA-ffqj-6fqr-9h24): the exact tokens of PyJWT's
    // tests/test_advisory.py against apps holding those public keys.
    let ed_private = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIbBhdo2ah7X32i50GOzrCr4acZTe6BezUdRIixjTAdL\n-----END PRIVATE KEY-----\n";
    let ed_ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPL1I9oiq+B8crkmuV4YViiUnhdLjCp3hvy1bNGuGfNL";
    let ed_app = build(
        JwtManager::builder()
            .algorithm(Algorithm::EdDSA)
            .private_key_pem(ed_private)
            .public_key_pem(openssh_public_pem(ed_ssh).unwrap())
            .identity_claim("test")
            .clock(clock_at(NOW, 0)),
    );
    let rows = vec![
        accept(
            "PyJWT advisory: EdDSA token (good)",
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJFZERTQSJ9.eyJ0ZXN0IjoxMjM0fQ.M5y1EEavZkHSlj9i8yi9nXKKyPBSAUhDRTOYZi3zZY11tZItDaR3qwAye8pc74_lZY3Ogt9KPNFbVOSGnUBHDg",
            1234,
        ),
        refuse(
            "PyJWT advisory: HS256 MAC'd with the ssh-ed25519 key (bad)",
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ0ZXN0IjoxMjM0fQ.6ulDpqSlbHmQ8bZXhZRLFko9SwcHrghCwh8d-exJEE4",
            422,
            NOT_ALLOWED,
        ),
    ];
    assert_clean("§3 CVE-2022-29217 (EdDSA)", run_rows(&ed_app, &rows).await);
    let ec_ssh = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJXMtkUkkoJ9kQP8QhpKO/TfuxcKC2a92dIo/xDY6MNl6VA8MChCpAJN0w1wvVPJ4qTJRnGO7A6V6dl8oRxDPkc=";
    let ec_app = build(
        JwtManager::builder()
            .algorithm(Algorithm::ES256)
            .public_key_pem(openssh_public_pem(ec_ssh).unwrap())
            .identity_claim("test")
            .clock(clock_at(NOW, 0)),
    );
    let rows = vec![
        accept(
            "PyJWT advisory: ES256 token (good)",
            "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZXN0IjoxMjM0fQ.NX42mS8cNqYoL3FOW9ZcKw8Nfq2mb6GqJVADeMA1-kyHAclilYo_edhdM_5eav9tBRQTlL0XMeu_WFE_mz3OXg",
            1234,
        ),
        refuse(
            "PyJWT advisory: HS256 MAC'd with the ecdsa-sha2-nistp256 key (bad)",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZXN0IjoxMjM0fQ.5eYfbrbeGYmWfypQ6rMWXNZ8bdHcqKng5GPr9MJZITU",
            422,
            NOT_ALLOWED,
        ),
    ];
    assert_clean("§3 CVE-2022-29217 (ES256)", run_rows(&ec_app, &rows).await);
}

// ---------------------------------------------------------------------------
// C18: refusals are logged by reason, never with the token.

#[actix_web::test]
async fn c18_refused_tokens_are_logged_by_reason_never_by_content() {
    let logs = logs::capture();
    let jwt = build(hs());
    let payload = claims(json!({ "sub": "c18-person", "email": "c18@example.test" }));
    let forged = hmac_token(
        HS_HEADER,
        &payload,
        Algorithm::HS256,
        b"c18-wrong-secret-0123456789abcdef-0123",
    );
    let expired = hs256(
        HS_HEADER,
        claims(json!({ "sub": "c18-person", "exp": NOW - 5 })),
    );
    let none = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(&payload));
    let valid = hs256(HS_HEADER, &payload);
    let rows = vec![
        refuse("forged", forged.clone(), 422, BAD_SIGNATURE),
        refuse("expired", expired.clone(), 401, EXPIRED),
        refuse("alg none", none.clone(), 422, NOT_ALLOWED),
        accept("valid", valid.clone(), "c18-person"),
    ];
    assert_clean("C18", run_rows(&jwt, &rows).await);
    let text = logs.text();
    assert!(
        text.contains("JWT refused"),
        "C18: refusals are not logged:\n{text}"
    );
    for reason in [BAD_SIGNATURE, EXPIRED, NOT_ALLOWED] {
        assert!(
            text.contains(reason),
            "C18: the reason {reason:?} is not logged"
        );
    }
    let needles = [&forged, &expired, &none, &valid]
        .into_iter()
        .flat_map(|token| token.split('.'))
        .filter(|part| part.len() >= 16)
        .chain([SECRET, "c18-person", "c18@example.test"]);
    let leaked = logs.containing(needles);
    assert!(leaked.is_empty(), "C18: in the logs: {leaked:?}");
}
