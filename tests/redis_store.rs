//! The Redis revocation store against a real `redis-server` (started on a
//! free loopback port; `.ci/run` installs it): revocation shared by two
//! app instances, TTLs, Redis going down and coming back, a stalled Redis,
//! and concurrent refresh rotation.

use std::time::Duration;

use actix_web::{App, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{Jwt, JwtError, JwtManager, RedisStore, jwt_required};
use jwt_ext_tests::app::{call_bearer, logout_status, protected_status};
use jwt_ext_tests::redis_server::RedisServer;
use serde_json::json;

const SECRET: &str = "redis-test-secret-0123456789abcdef-0123";

async fn manager(url: &str) -> JwtManager {
    let store = RedisStore::connect(url)
        .await
        .expect("connect to the test redis-server");
    JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(store)
        .revocation_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

#[jwt_required]
async fn protected(token: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "identity": token.identity() }))
}

#[jwt_required]
async fn logout(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_token(&token).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "Access token revoked" })))
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/protected", web::get().to(protected))
                .route("/logout", web::delete().to(logout)),
        )
        .await
    };
}

use actix_web::http::Method;

#[actix_web::test]
async fn a_revocation_on_one_instance_is_seen_by_the_other() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (one, two) = (manager(&redis.url()).await, manager(&redis.url()).await);
    let (app_one, app_two) = (app!(one.clone()), app!(two.clone()));
    let token = one.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app_two, &token).await, 200);
    assert_eq!(logout_status(&app_one, &token).await, 200);
    assert_eq!(
        call_bearer(&app_two, Method::GET, "/protected", &token).await,
        (401, json!({ "msg": "Token has been revoked" }))
    );
    assert_eq!(protected_status(&app_one, &token).await, 401);
}

#[actix_web::test]
async fn entries_live_as_long_as_their_tokens() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let jwt = manager(&redis.url()).await;
    let token = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(2))
        .encode()
        .unwrap();
    let decoded = jwt.decode_token(&token).unwrap();
    jwt.revoke_token(&decoded).await.unwrap();
    let store = RedisStore::connect(&redis.url()).await.unwrap();
    let key = format!("revoked:{}", decoded.jti().unwrap());
    let ttl = store.ttl(&key).await.unwrap().expect("the entry has a TTL");
    assert!(
        ttl <= Duration::from_secs(2) && ttl > Duration::from_millis(500),
        "TTL {ttl:?}"
    );
    actix_web::rt::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(
        store.ttl(&key).await.unwrap(),
        None,
        "Redis dropped the entry when the token expired"
    );
}

#[actix_web::test]
async fn redis_down_fails_closed_and_recovers() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let jwt = manager(&redis.url()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);

    redis.stop();
    let started = std::time::Instant::now();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &token).await,
        (503, json!({ "msg": "Token revocation status unavailable" }))
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "refused quickly, not hanging"
    );

    redis.restart();
    // The managed connection reconnects within a few requests.
    let mut status = 0;
    for _ in 0..50 {
        status = protected_status(&app, &token).await;
        if status == 200 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "service recovered once Redis came back");
    assert_eq!(logout_status(&app, &token).await, 200);
    assert_eq!(protected_status(&app, &token).await, 401);
}

#[actix_web::test]
async fn a_stalled_redis_times_out() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let jwt = manager(&redis.url()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    // CLIENT PAUSE holds every client's commands for a second.
    assert_eq!(redis.command(&["CLIENT", "PAUSE", "1000"]), "+OK");
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    assert_eq!(protected_status(&app, &token).await, 503);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "the 300 ms timeout answered, not Redis"
    );
}

/// A manager whose refresh tokens are strictly single-use.
async fn strict_manager(url: &str) -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(RedisStore::connect(url).await.unwrap())
        .refresh_reuse_interval(Duration::ZERO)
        .build()
        .unwrap()
}

#[actix_web::test]
async fn without_a_reuse_interval_concurrent_rotations_with_redis_let_exactly_one_through() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (one, two) = (
        strict_manager(&redis.url()).await,
        strict_manager(&redis.url()).await,
    );
    let refresh = one
        .decode_token(&one.create_refresh_token("ann").unwrap())
        .unwrap();
    let exchange = |jwt: JwtManager, token: jwt_ext::DecodedJwt| {
        actix_web::rt::spawn(async move { jwt.rotate_refresh_token(&token).await.is_ok() })
    };
    let (a, b) = (exchange(one, refresh.clone()), exchange(two, refresh));
    let wins = a.await.unwrap() as u8 + b.await.unwrap() as u8;
    assert_eq!(wins, 1, "SET NX lets exactly one exchange win");
}

#[actix_web::test]
async fn tokens_that_never_seem_to_expire_stay_revoked_in_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    for leeway in [TimeDelta::zero(), TimeDelta::days(1)] {
        let store = RedisStore::connect(&redis.url()).await.unwrap();
        let jwt = JwtManager::builder()
            .secret_key(SECRET)
            .revocation_store(store.clone())
            .decode_leeway(leeway)
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        for exp in [
            json!(i64::MAX),
            // A remaining lifetime of 2^64 ms: a truncating conversion
            // would keep the entry for a few milliseconds.
            json!(now + 18_446_744_073_709_551),
            json!(now + 18_446_744_073_709_552),
            json!(u64::MAX),
            json!(1e300),
        ] {
            let token = jwt.access_token("ann").claim("exp", &exp).encode().unwrap();
            assert_eq!(protected_status(&app, &token).await, 200);
            assert_eq!(
                logout_status(&app, &token).await,
                200,
                "exp {exp}: logout works"
            );
            actix_web::rt::time::sleep(Duration::from_millis(30)).await;
            assert_eq!(
                call_bearer(&app, Method::GET, "/protected", &token).await,
                (401, json!({ "msg": "Token has been revoked" })),
                "exp {exp}: still revoked"
            );
            let jti = jwt.decode_token(&token).unwrap().jti().unwrap().to_owned();
            assert_eq!(
                store.ttl(&format!("revoked:{jti}")).await.unwrap(),
                None,
                "exp {exp}: kept without expiry"
            );
        }
    }
}

#[actix_web::test]
async fn concurrent_rotations_with_redis_within_the_interval_both_succeed() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (one, two) = (manager(&redis.url()).await, manager(&redis.url()).await);
    let refresh = one
        .decode_token(&one.create_refresh_token("ann").unwrap())
        .unwrap();
    let exchange = |jwt: JwtManager, token: jwt_ext::DecodedJwt| {
        actix_web::rt::spawn(async move { jwt.rotate_refresh_token(&token).await })
    };
    let (a, b) = (
        exchange(one.clone(), refresh.clone()),
        exchange(two, refresh),
    );
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    let app = app!(one.clone());
    for access in [&a.access_token, &b.access_token] {
        assert_eq!(protected_status(&app, access).await, 200);
    }
}
