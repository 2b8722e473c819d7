//! Log out everywhere (`revoke_all_tokens_of`) and the explicit revocation
//! of a refresh family, with `MemoryStore` and with a real `redis-server`
//! shared by two managers: tokens issued until the logout are refused,
//! access and refresh, tokens issued after pass; a store without the
//! feature and a Redis that is down answer 503 (fail closed); and the
//! per-request lookup stays one Redis command.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::http::Method;
use actix_web::{App, HttpResponse, test, web};
use chrono::DateTime;
use jwt_ext::{
    Jwt, JwtError, JwtManager, MemoryStore, RedisStore, RevocationStore, StoreFuture, jwt_required,
};
use jwt_ext_tests::app::call_bearer;
use jwt_ext_tests::redis_server::RedisServer;
use serde_json::{Value, json};

const SECRET: &str = "logout-everywhere-secret-0123456789abcdef";
const START: i64 = 1_800_000_000;

/// A clock the test moves, shared by the managers of one test.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(AtomicI64::new(START)))
    }

    fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

fn manager(store: impl RevocationStore, clock: &TestClock) -> JwtManager {
    let now = clock.0.clone();
    JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(store)
        .logout_everywhere(true)
        .revocation_timeout(Duration::from_millis(300))
        .clock(move || DateTime::from_timestamp(now.load(Ordering::SeqCst), 0).unwrap())
        .build()
        .unwrap()
}

/// How many times a handler ran, to show that a refused request never
/// reaches one.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

#[jwt_required]
async fn protected(runs: web::Data<Runs>, token: Jwt) -> HttpResponse {
    runs.0.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({ "identity": token.identity() }))
}

#[jwt_required(refresh)]
async fn refresh(runs: web::Data<Runs>) -> HttpResponse {
    runs.0.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({ "refreshed": true }))
}

#[jwt_required]
async fn logout_everywhere(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_all_tokens_of(token.identity()).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "All sessions revoked" })))
}

macro_rules! app {
    ($jwt:expr, $runs:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .app_data(web::Data::new($runs))
                .route("/protected", web::get().to(protected))
                .route("/refresh", web::post().to(refresh))
                .route("/logout_everywhere", web::delete().to(logout_everywhere)),
        )
        .await
    };
}

fn revoked() -> (u16, Value) {
    (401, json!({ "msg": "Token has been revoked" }))
}

fn unavailable() -> (u16, Value) {
    (503, json!({ "msg": "Token revocation status unavailable" }))
}

/// The scenario every store must pass, `one` logging out and `two` (the
/// same manager, or a second instance on the same store) checking.
async fn logout_everywhere_refuses_older_tokens(
    one: JwtManager,
    two: JwtManager,
    clock: TestClock,
) {
    let (app_one, app_two) = (
        app!(one.clone(), Runs::default()),
        app!(two.clone(), Runs::default()),
    );
    let old_access = one.create_access_token("ann").unwrap();
    let old_refresh = one.create_refresh_token("ann").unwrap();
    let bob = one.create_access_token("bob").unwrap();
    clock.advance(5);
    let access = two.create_access_token("ann").unwrap();
    for app in [&app_one, &app_two] {
        assert_eq!(
            call_bearer(app, Method::GET, "/protected", &old_access)
                .await
                .0,
            200
        );
        assert_eq!(
            call_bearer(app, Method::POST, "/refresh", &old_refresh)
                .await
                .0,
            200
        );
    }

    clock.advance(5);
    assert_eq!(
        call_bearer(&app_one, Method::DELETE, "/logout_everywhere", &access).await,
        (200, json!({ "msg": "All sessions revoked" }))
    );
    // Minted in the logout's own second: cannot show it is newer, refused.
    let same_second = one.create_access_token("ann").unwrap();
    for app in [&app_one, &app_two] {
        for token in [&old_access, &access, &same_second] {
            assert_eq!(
                call_bearer(app, Method::GET, "/protected", token).await,
                revoked()
            );
        }
        assert_eq!(
            call_bearer(app, Method::POST, "/refresh", &old_refresh).await,
            revoked()
        );
        assert_eq!(
            call_bearer(app, Method::GET, "/protected", &bob).await.0,
            200
        );
    }
    // Rotation asks the store again: a logged-out refresh token is not
    // exchanged, even where no route checked it.
    let err = two
        .rotate_refresh_token(&two.decode_token(&old_refresh).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status().as_u16(), 401);

    // A session started after the logout passes everywhere.
    clock.advance(1);
    let new_access = one.create_access_token("ann").unwrap();
    let new_refresh = two.create_refresh_token("ann").unwrap();
    for app in [&app_one, &app_two] {
        assert_eq!(
            call_bearer(app, Method::GET, "/protected", &new_access)
                .await
                .0,
            200
        );
        assert_eq!(
            call_bearer(app, Method::POST, "/refresh", &new_refresh)
                .await
                .0,
            200
        );
    }

    // A later logout, through the other instance, refuses the new session.
    clock.advance(1);
    two.revoke_all_tokens_of(&json!("ann")).await.unwrap();
    assert_eq!(
        call_bearer(&app_one, Method::GET, "/protected", &new_access).await,
        revoked()
    );
}

#[actix_web::test]
async fn memory_store_refuses_every_older_token_of_the_identity() {
    let clock = TestClock::new();
    let jwt = manager(MemoryStore::new(), &clock);
    logout_everywhere_refuses_older_tokens(jwt.clone(), jwt, clock).await;
}

#[actix_web::test]
async fn redis_store_refuses_them_on_every_instance() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = TestClock::new();
    let one = manager(RedisStore::connect(&redis.url()).await.unwrap(), &clock);
    let two = manager(RedisStore::connect(&redis.url()).await.unwrap(), &clock);
    logout_everywhere_refuses_older_tokens(one, two, clock).await;
    // One key for the identity, its time in seconds, kept as long as a
    // refresh token lives (30 days).
    let keys = redis.command(&["KEYS", "jwt-ext:logout:*"]);
    assert!(keys.starts_with("*1\r\n"), "{keys}");
    let key = keys.lines().last().unwrap().to_owned();
    assert_eq!(key.len(), "jwt-ext:logout:".len() + 64, "{key}");
    let pttl: i64 = redis.command(&["PTTL", &key])[1..].parse().unwrap();
    assert!(
        (30 * 86_400_000 - 60_000..=30 * 86_400_000).contains(&pttl),
        "{pttl}"
    );
}

#[actix_web::test]
async fn an_earlier_logout_never_moves_the_time_back() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (late, early) = (TestClock::new(), TestClock::new());
    late.advance(100);
    let late_jwt = manager(RedisStore::connect(&redis.url()).await.unwrap(), &late);
    let early_jwt = manager(RedisStore::connect(&redis.url()).await.unwrap(), &early);
    let app = app!(late_jwt.clone(), Runs::default());
    let token = late_jwt.create_access_token("ann").unwrap();
    late.advance(1);
    late_jwt.revoke_all_tokens_of(&json!("ann")).await.unwrap();
    early_jwt.revoke_all_tokens_of(&json!("ann")).await.unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await,
        revoked()
    );
}

#[actix_web::test]
async fn a_refresh_family_can_be_revoked_explicitly() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = TestClock::new();
    let jwt = manager(RedisStore::connect(&redis.url()).await.unwrap(), &clock);
    let app = app!(jwt.clone(), Runs::default());
    let login = jwt.create_refresh_token("ann").unwrap();
    let other_login = jwt.create_refresh_token("ann").unwrap();
    let pair = jwt
        .rotate_refresh_token(&jwt.decode_token(&login).unwrap())
        .await
        .unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &pair.access_token)
            .await
            .0,
        200
    );

    jwt.revoke_token_family(&jwt.decode_token(&pair.refresh_token).unwrap())
        .await
        .unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &pair.access_token).await,
        revoked()
    );
    assert_eq!(
        call_bearer(&app, Method::POST, "/refresh", &pair.refresh_token).await,
        revoked()
    );
    // Another login of the same user is another family.
    assert_eq!(
        call_bearer(&app, Method::POST, "/refresh", &other_login)
            .await
            .0,
        200
    );
    // An access token outside rotation names no family.
    let plain = jwt
        .decode_token(&jwt.create_access_token("ann").unwrap())
        .unwrap();
    assert_eq!(
        jwt.revoke_token_family(&plain).await.unwrap_err().status(),
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// A third-party store written before log out everywhere existed.
struct OlderStore(MemoryStore);

impl RevocationStore for OlderStore {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        self.0.insert(key, ttl)
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        self.0.contains(keys)
    }
}

#[actix_web::test]
async fn a_store_without_the_feature_answers_503_and_the_handler_does_not_run() {
    let clock = TestClock::new();
    let jwt = manager(OlderStore(MemoryStore::new()), &clock);
    let runs = Runs::default();
    let app = app!(jwt.clone(), runs.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await,
        unavailable()
    );
    assert_eq!(
        call_bearer(&app, Method::DELETE, "/logout_everywhere", &token).await,
        unavailable()
    );
    assert_eq!(runs.0.load(Ordering::SeqCst), 0);
    let err = jwt.revoke_all_tokens_of(&json!("ann")).await.unwrap_err();
    assert_eq!(
        err.status(),
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE
    );

    // Without `logout_everywhere` the same store works as before, and
    // logging out everywhere is a configuration error, never a silent no-op.
    let off = JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(OlderStore(MemoryStore::new()))
        .build()
        .unwrap();
    let app = app!(off.clone(), Runs::default());
    let token = off.create_access_token("ann").unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );
    let err = off.revoke_all_tokens_of(&json!("ann")).await.unwrap_err();
    assert_eq!(err.status().as_u16(), 500);
}

#[actix_web::test]
async fn redis_down_fails_closed() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let clock = TestClock::new();
    let jwt = manager(RedisStore::connect(&redis.url()).await.unwrap(), &clock);
    let runs = Runs::default();
    let app = app!(jwt.clone(), runs.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );
    redis.stop();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await,
        unavailable()
    );
    assert_eq!(
        call_bearer(&app, Method::DELETE, "/logout_everywhere", &token).await,
        unavailable()
    );
    assert_eq!(runs.0.load(Ordering::SeqCst), 1);
}

/// The Redis commands run since the statistics were reset, by name,
/// without the `CONFIG RESETSTAT` and `INFO` of the measurement itself.
fn commands_since_reset(redis: &RedisServer) -> Vec<(String, u64)> {
    let info = redis.command(&["INFO", "commandstats"]);
    let mut commands: Vec<(String, u64)> = info
        .lines()
        .filter_map(|line| {
            let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .filter(|(name, _)| !name.starts_with("config") && name != "info")
        .collect();
    commands.sort();
    commands
}

#[actix_web::test]
async fn a_protected_request_costs_one_redis_command() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = TestClock::new();
    let jwt = manager(RedisStore::connect(&redis.url()).await.unwrap(), &clock);
    let app = app!(jwt.clone(), Runs::default());
    let token = jwt.create_access_token("ann").unwrap();
    let refresh = jwt.create_refresh_token("ann").unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );

    redis.command(&["CONFIG", "RESETSTAT"]);
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );
    assert_eq!(commands_since_reset(&redis), vec![("mget".to_owned(), 1)]);

    // A refresh token adds the rotation's reuse lookup, as before.
    redis.command(&["CONFIG", "RESETSTAT"]);
    assert_eq!(
        call_bearer(&app, Method::POST, "/refresh", &refresh)
            .await
            .0,
        200
    );
    assert_eq!(
        commands_since_reset(&redis),
        vec![("exists".to_owned(), 1), ("mget".to_owned(), 1)]
    );
}

#[actix_web::test]
async fn a_token_without_iat_is_refused_once_its_identity_logged_out() {
    let clock = TestClock::new();
    let jwt = manager(MemoryStore::new(), &clock);
    let app = app!(jwt.clone(), Runs::default());
    let claims = json!({ "sub": "ann", "type": "access", "jti": "no-iat", "exp": START + 900 });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );
    jwt.revoke_all_tokens_of(&json!("bob")).await.unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await.0,
        200
    );
    jwt.revoke_all_tokens_of(&json!("ann")).await.unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await,
        revoked()
    );
}
