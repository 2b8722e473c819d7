//! The `tracing` events of the logging guide (`jwt-ext/guide/logging.md`):
//! each one caused for real, with the level, target and fields its table
//! row gives, and no jwt-ext event outside the table.

use std::time::Duration;

use actix_web::dev::Transform;
use actix_web::{App, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    Algorithm, ImplicitRefresh, JwtManager, JwtManagerBuilder, JwtRequired, MemoryStore,
    RevocationStore, StoreError, StoreFuture, TokenLocation, jwt_required,
};
use jwt_ext_tests::{key, logs};

const SECRET: &str = "logging-test-secret-0123456789abcdef-0123456789";
const GUIDE: &str = include_str!("../jwt-ext/guide/logging.md");

/// One row of the guide's table: the event's message (up to its first
/// `{placeholder}`), level and target.
#[derive(Debug)]
struct Row {
    message: String,
    level: String,
    target: String,
}

/// The rows of the guide's main event table, read from the Markdown.
fn documented() -> Vec<Row> {
    rows_of(GUIDE.split(REMOTE_SECTION).next().expect("the guide"))
}

/// The guide's section on remote key sets (feature `oidc`), whose events
/// need an identity provider and have a test of their own.
const REMOTE_SECTION: &str = "## Remote key sets";

/// The rows of the tables in `markdown`.
fn rows_of(markdown: &str) -> Vec<Row> {
    let unquote = |cell: &str| {
        let cell = cell.trim();
        cell.strip_prefix('`')
            .and_then(|cell| cell.strip_suffix('`'))
            .unwrap_or_else(|| panic!("not a code span: {cell:?}"))
            .to_owned()
    };
    let rows: Vec<Row> = markdown
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let message = unquote(cells[0].trim_start_matches('|'));
            let message = message.split('{').next().unwrap_or_default().to_owned();
            Row {
                message,
                level: unquote(cells[1]),
                target: unquote(cells[2]),
            }
        })
        .collect();
    assert!(rows.len() >= 6, "the guide's table: {rows:?}");
    rows
}

/// The events logged under a `jwt_ext` target, one line each.
fn jwt_ext_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            line.split(' ')
                .nth(1)
                .is_some_and(|target| target.starts_with("jwt_ext"))
        })
        .collect()
}

/// Whether a captured line (`LEVEL target: message=… field=…`) is the
/// event of `row`.
fn is_event(line: &str, row: &Row) -> bool {
    line.starts_with(&format!("{} {}: ", row.level, row.target))
        && line.contains(&format!(" message={}", row.message))
}

/// A store that never answers successfully.
struct DownStore;

impl RevocationStore for DownStore {
    fn insert<'a>(&'a self, _: &'a str, _: Option<Duration>) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError::new("logging-test store is down")) })
    }

    fn contains<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError::new("logging-test store is down")) })
    }
}

/// A store that answers "not revoked" `n` times, then fails: down by the
/// time the response is on its way.
struct FailsAfter(std::sync::atomic::AtomicUsize);

impl FailsAfter {
    fn new(n: usize) -> Self {
        FailsAfter(std::sync::atomic::AtomicUsize::new(n))
    }

    fn answer<T: Default + 'static>(&self) -> StoreFuture<'_, T> {
        use std::sync::atomic::Ordering;
        let left = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        Box::pin(async move {
            match left {
                Ok(_) => Ok(T::default()),
                Err(_) => Err(StoreError::new("logging-test store went down")),
            }
        })
    }
}

impl RevocationStore for FailsAfter {
    fn insert<'a>(&'a self, _: &'a str, _: Option<Duration>) -> StoreFuture<'a, bool> {
        self.answer()
    }

    fn contains<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, bool> {
        self.answer()
    }
}

#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(refresh)]
async fn refresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// The status of `GET path` with these header fields, on an app of `jwt`.
async fn status(jwt: &JwtManager, path: &str, headers: &[(&str, &str)]) -> u16 {
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
            .route("/protected", web::get().to(protected))
            .route("/refresh", web::get().to(refresh)),
    )
    .await;
    let mut req = test::TestRequest::get().uri(path);
    for &header in headers {
        req = req.insert_header(header);
    }
    test::call_service(&app, req.to_request())
        .await
        .status()
        .as_u16()
}

/// An access cookie that `ImplicitRefresh` (window: 30 minutes) renews.
fn near_expiry_cookie(jwt: &JwtManager) -> String {
    let token = jwt
        .access_token("ann")
        .expires(TimeDelta::minutes(10))
        .encode()
        .expect("token");
    format!("access_token_cookie={token}")
}

fn hs() -> JwtManagerBuilder {
    JwtManager::builder().secret_key(SECRET)
}

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

#[actix_web::test]
async fn every_event_is_documented_with_its_level_and_target() {
    let logs = logs::capture();
    let rows = documented();

    // A short secret, at start-up.
    JwtManager::builder()
        .secret_key("logging-short")
        .build()
        .expect("a short secret is warned about, not refused");

    // A refusal, and an optional route's missing token, which is none.
    let jwt = hs().build().expect("configuration");
    let expired = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(-10))
        .encode()
        .expect("token");
    let (name, value) = bearer(&expired);
    assert_eq!(status(&jwt, "/protected", &[(name, &value)]).await, 401);

    // The store down: failing closed, then open.
    let down = hs()
        .revocation_store(DownStore)
        .build()
        .expect("configuration");
    let token = down.create_access_token("ann").expect("token");
    let (name, value) = bearer(&token);
    assert_eq!(status(&down, "/protected", &[(name, &value)]).await, 503);
    let open = hs()
        .revocation_store(DownStore)
        .revocation_fail_open(true)
        .build()
        .expect("configuration");
    assert_eq!(status(&open, "/protected", &[(name, &value)]).await, 200);

    // A double submit within the reuse interval: a replay, not theft.
    let tolerant = hs()
        .revocation_store(MemoryStore::new())
        .build()
        .expect("configuration");
    let login = tolerant
        .create_refresh_token("ann")
        .expect("a refresh token");
    let decoded = tolerant.decode_token(&login).expect("valid");
    for _ in 0..2 {
        tolerant
            .rotate_refresh_token(&decoded)
            .await
            .expect("both exchanges within the interval");
    }

    // A refresh token exchanged twice, then shown to a protected route,
    // with no reuse interval.
    let rotating = hs()
        .revocation_store(MemoryStore::new())
        .refresh_reuse_interval(Duration::ZERO)
        .build()
        .expect("configuration");
    let first = rotating
        .create_refresh_token("ann")
        .expect("a refresh token");
    let decoded = rotating.decode_token(&first).expect("valid");
    rotating
        .rotate_refresh_token(&decoded)
        .await
        .expect("the first exchange");
    let again = rotating.rotate_refresh_token(&decoded).await;
    assert!(again.is_err(), "a second exchange is refused");
    let second = rotating
        .create_refresh_token("bob")
        .expect("a refresh token");
    let decoded = rotating.decode_token(&second).expect("valid");
    rotating
        .rotate_refresh_token(&decoded)
        .await
        .expect("the first exchange");
    let (name, value) = bearer(&second);
    assert_eq!(status(&rotating, "/refresh", &[(name, &value)]).await, 401);

    // An implicit refresh by a manager that cannot sign.
    let signer = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(key("rsa_private.pem"))
        .public_key_pem(key("rsa_public.pem"))
        .build()
        .expect("configuration");
    let verifier = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa_public.pem"))
        .token_location([TokenLocation::Cookies])
        .build()
        .expect("configuration");
    let cookie = near_expiry_cookie(&signer);
    assert_eq!(
        status(&verifier, "/protected", &[("Cookie", &cookie)]).await,
        200
    );

    // An implicit refresh whose revocation re-check finds the store down.
    let flaky = JwtManager::builder()
        .secret_key(SECRET)
        .token_location([TokenLocation::Cookies])
        .revocation_store(FailsAfter::new(1))
        .build()
        .expect("configuration");
    let cookie = near_expiry_cookie(&flaky);
    assert_eq!(
        status(&flaky, "/protected", &[("Cookie", &cookie)]).await,
        200
    );

    // A trusted issuer's key set with a key jwt-ext never verifies with.
    let provider = JwtManager::builder()
        .algorithm(Algorithm::ES256)
        .private_key_pem(key("ec256_private.pem"))
        .public_key_pem(key("ec256_public.pem"))
        .key_id("good")
        .build()
        .expect("configuration");
    let mut jwks = provider.jwks();
    jwks["keys"]
        .as_array_mut()
        .expect("keys")
        .push(serde_json::json!({ "kty": "oct", "kid": "shared", "k": "c2VjcmV0" }));
    JwtManager::builder()
        .trusted_issuer(jwt_ext::TrustedIssuer::with_jwks(
            "https://issuer.example.test",
            jwks.to_string(),
        ))
        .build()
        .expect("the usable key is kept");

    // Middleware options the attribute would refuse to compile.
    let refused = JwtRequired::new()
        .fresh()
        .refresh()
        .new_transform(test::ok_service())
        .await;
    assert!(refused.is_err(), "the service does not start");

    // A server fault: no manager registered.
    let app = test::init_service(App::new().route("/protected", web::get().to(protected))).await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/protected").to_request(),
    )
    .await;
    assert_eq!(resp.status(), 500);

    let text = logs.text();
    let ours: Vec<&str> = text
        .lines()
        .filter(|line| {
            line.split(' ')
                .nth(1)
                .is_some_and(|target| target.starts_with("jwt_ext"))
        })
        .collect();
    let undocumented: Vec<&&str> = ours
        .iter()
        .filter(|line| !rows.iter().any(|row| is_event(line, row)))
        .collect();
    assert!(
        undocumented.is_empty(),
        "events missing from the guide's table: {undocumented:#?}"
    );
    for row in &rows {
        assert!(
            ours.iter().any(|line| is_event(line, row)),
            "the guide's {row:?} was never logged; logged: {ours:#?}"
        );
    }

    // The fields each row names, with this test's values.
    for expected in [
        "WARN jwt_ext::config: message=JWT_SECRET_KEY is shorter than the hash output; use a random secret of at least 32 bytes in production algorithm=HS256 length=13 minimum=32",
        "DEBUG jwt_ext::refusal: message=JWT refused kind=Expired reason=Token has expired",
        "ERROR jwt_ext::revocation: message=revocation store unavailable reason=logging-test store is down",
        "DEBUG jwt_ext::refusal: message=JWT refused kind=StoreUnavailable reason=Token revocation status unavailable",
        "WARN jwt_ext::revocation: message=revocation store unavailable; failing open as configured",
        "ERROR jwt_ext::server_fault: message=jwt-ext answered 500 kind=Misconfigured reason=No JwtManager is registered: add it with App::app_data(jwt_manager.clone())",
        "DEBUG jwt_ext::refusal: message=JWT refused kind=Revoked reason=Token has been revoked",
        "ERROR jwt_ext::config: message=invalid JwtRequired options; the service does not start reason=`fresh` and `refresh` cannot be combined: refresh tokens are never fresh",
    ] {
        assert!(
            ours.contains(&expected),
            "not logged: {expected}\nlogged: {ours:#?}"
        );
    }
    let reuse = "WARN jwt_ext::revocation: message=refresh token reuse detected: its token family is revoked";
    assert_eq!(
        ours.iter().filter(|line| **line == reuse).count(),
        2,
        "reuse by rotation and by a protected route: {ours:#?}"
    );
    assert!(
        ours.iter().any(|line| line.starts_with(
            "WARN jwt_ext::implicit_refresh: message=implicit refresh failed reason="
        )),
        "{ours:#?}"
    );
}

/// The events of remote key sets, each caused for real against an OpenID
/// Provider, and no `jwt_ext::remote` event outside the guide's section.
#[actix_web::test]
async fn every_remote_key_set_event_is_documented() {
    use jwt_ext::__private::RemoteKeysProbe;
    use jwt_ext::RemoteKeySource;
    use jwt_ext_tests::http;
    use jwt_ext_tests::oidc::OidcProvider;

    let rows = rows_of(
        GUIDE
            .split(REMOTE_SECTION)
            .nth(1)
            .expect("the remote section"),
    );
    let Some(mut provider) = OidcProvider::start("https://api.example.test") else {
        return;
    };
    let logs = logs::capture();
    logs.include_unowned_threads();

    // Nothing listening at start-up, started without keys as configured.
    let closed = {
        let _spawning = http::spawning();
        http::free_port()
    };
    let ours = [
        format!("source=http://127.0.0.1:{closed}/"),
        format!("source={} ", provider.issuer()),
    ];
    let offline = RemoteKeysProbe::start(
        &RemoteKeySource::jwks_url(format!("http://127.0.0.1:{closed}/jwks"))
            .start_without_keys(true),
    )
    .expect("starts without keys");
    assert!(offline.drop_and_wait_for_stop(Duration::from_secs(5)));

    // A set holding a key that is skipped.
    let mut jwks = provider.jwks();
    jwks["keys"]
        .as_array_mut()
        .expect("keys")
        .push(serde_json::json!({ "kty": "oct", "kid": "shared", "k": "c2VjcmV0" }));
    provider.override_jwks(&jwks);
    let cooldown = Duration::from_millis(300);
    let probe = RemoteKeysProbe::start(
        &RemoteKeySource::discover(provider.issuer()).unknown_kid_cooldown(cooldown),
    )
    .expect("started");
    // An unknown kid: a fetch, the same keys; at once again: the cooldown.
    probe.refetch_for_unknown_kid().await.expect("fetched");
    probe
        .refetch_for_unknown_kid()
        .await
        .expect("the set in hand");
    // A rotation at the provider.
    std::thread::sleep(cooldown + Duration::from_millis(50));
    provider.clear_override();
    provider.rotate(false);
    probe.refetch_for_unknown_kid().await.expect("fetched");
    // The provider down.
    std::thread::sleep(cooldown + Duration::from_millis(50));
    provider.stop();
    assert!(probe.refetch_for_unknown_kid().await.is_err());
    assert!(probe.drop_and_wait_for_stop(Duration::from_secs(5)));

    let text = logs.text();
    let remote: Vec<&str> = jwt_ext_lines(&text)
        .into_iter()
        .filter(|line| line.split(' ').nth(1) == Some("jwt_ext::remote:"))
        .filter(|line| {
            let line = format!("{line} ");
            ours.iter().any(|source| line.contains(source.as_str()))
        })
        .collect();
    let undocumented: Vec<&&str> = remote
        .iter()
        .filter(|line| !rows.iter().any(|row| is_event(line, row)))
        .collect();
    assert!(
        undocumented.is_empty(),
        "events missing from the guide's remote section: {undocumented:#?}"
    );
    for row in &rows {
        assert!(
            remote.iter().any(|line| is_event(line, row)),
            "the guide's {row:?} was never logged; logged: {remote:#?}"
        );
    }
    assert!(!text.contains("c2VjcmV0"), "key material logged: {text}");
}
