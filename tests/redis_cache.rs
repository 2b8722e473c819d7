//! The local cache of `RedisStore` (`with_local_cache`) against a real
//! `redis-server`: answers without round trips, revocations through any
//! instance or any other Redis client reaching every cache, log out
//! everywhere, the channel lost (Redis killed, the connection killed,
//! Redis stalled) dropping the cache and failing closed, recovery, a
//! flush, and the capacity bound.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::{App, HttpResponse, test, web};
use jwt_ext::{Jwt, JwtError, JwtManager, LocalCache, RedisStore, jwt_required};
use jwt_ext_tests::app::{call_bearer, logout_status, protected_status};
use jwt_ext_tests::redis_server::RedisServer;
use serde_json::json;

const SECRET: &str = "redis-cache-secret-0123456789abcdef-012";

/// A cached store and a manager on it, as one instance of a service.
async fn instance(url: &str, cache: LocalCache) -> (RedisStore, JwtManager) {
    let store = RedisStore::connect(url)
        .await
        .expect("connect to the test redis-server")
        .with_local_cache(cache)
        .await
        .expect("tracking connection");
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(store.clone())
        .revocation_timeout(Duration::from_millis(300))
        .logout_everywhere(true)
        .build()
        .unwrap();
    (store, jwt)
}

/// A cache whose trust outlasts a test process starved of CPU for a
/// moment (the tests run many at once): only the staleness test is about
/// the bound; here a late heartbeat would turn a counted cache hit into a
/// direct read.
fn patient() -> LocalCache {
    LocalCache::new().staleness(Duration::from_secs(5))
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

#[jwt_required]
async fn logout_everywhere(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_all_tokens_of(token.identity()).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "All sessions revoked" })))
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/protected", web::get().to(protected))
                .route("/logout", web::delete().to(logout))
                .route("/logout_everywhere", web::delete().to(logout_everywhere)),
        )
        .await
    };
}

/// `calls=` of `command` in Redis's `INFO commandstats`, 0 when unused.
fn calls(redis: &RedisServer, command: &str) -> u64 {
    let info = redis.command_text(&["INFO", "commandstats"]);
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("cmdstat_{command}:calls=")))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// Waits up to `limit` for `done`, polling every millisecond; the time
/// it took, or `None`.
async fn within(limit: Duration, mut done: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done().await {
            return Some(started.elapsed());
        }
        actix_web::rt::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

#[actix_web::test]
async fn cached_answers_cost_no_redis_round_trip() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (store, jwt) = instance(&redis.url(), patient()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    let reads = calls(&redis, "mget");
    assert!(reads >= 1, "the first lookup reads Redis");
    for _ in 0..50 {
        assert_eq!(protected_status(&app, &token).await, 200);
    }
    assert_eq!(
        calls(&redis, "mget"),
        reads,
        "no read for 50 cached lookups"
    );
    let stats = store.cache_stats().unwrap();
    assert!(stats.trusted && stats.entries >= 2, "{stats:?}");
    assert!(
        stats.hits >= 100,
        "token key and logout key, 50 times: {stats:?}"
    );
}

#[actix_web::test]
async fn a_revocation_through_one_instance_reaches_the_others_cache_at_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (_, one) = instance(&redis.url(), patient()).await;
    let (two_store, two) = instance(&redis.url(), patient()).await;
    let (app_one, app_two) = (app!(one.clone()), app!(two.clone()));
    let token = one.create_access_token("ann").unwrap();
    for _ in 0..3 {
        assert_eq!(protected_status(&app_two, &token).await, 200);
    }
    assert!(
        two_store.cache_stats().unwrap().hits > 0,
        "two answers from its cache"
    );
    assert_eq!(logout_status(&app_one, &token).await, 200);
    // The revoking instance sees its own write at once.
    assert_eq!(protected_status(&app_one, &token).await, 401);
    let took = within(Duration::from_millis(100), async || {
        call_bearer(&app_two, Method::GET, "/protected", &token).await
            == (401, json!({ "msg": "Token has been revoked" }))
    })
    .await;
    assert!(
        took.is_some(),
        "instance two still accepts the revoked token after 100 ms"
    );
    assert!(two_store.cache_stats().unwrap().invalidations >= 1);
}

#[actix_web::test]
async fn a_write_by_any_other_redis_client_invalidates_the_cache() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (_, jwt) = instance(&redis.url(), patient()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    assert_eq!(protected_status(&app, &token).await, 200);
    // Another service (a Flask backend sharing the blocklist, an operator)
    // writes the key directly.
    let jti = jwt.decode_token(&token).unwrap().jti().unwrap().to_owned();
    assert_eq!(
        redis.command(&["SET", &format!("jwt-ext:revoked:{jti}"), "1"]),
        "+OK"
    );
    let took = within(Duration::from_millis(100), async || {
        protected_status(&app, &token).await == 401
    })
    .await;
    assert!(
        took.is_some(),
        "a revocation written by redis-cli was not seen"
    );
}

#[actix_web::test]
async fn logging_out_everywhere_reaches_every_cache() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (_, one) = instance(&redis.url(), patient()).await;
    let (_, two) = instance(&redis.url(), patient()).await;
    let (app_one, app_two) = (app!(one.clone()), app!(two.clone()));
    let access = one.create_access_token("ann").unwrap();
    let other = one.create_access_token("bob").unwrap();
    for token in [&access, &other, &access] {
        assert_eq!(protected_status(&app_two, token).await, 200);
    }
    assert_eq!(
        call_bearer(&app_one, Method::DELETE, "/logout_everywhere", &access)
            .await
            .0,
        200
    );
    let took = within(Duration::from_millis(100), async || {
        protected_status(&app_two, &access).await == 401
    })
    .await;
    assert!(took.is_some(), "instance two still accepts ann's token");
    assert_eq!(protected_status(&app_two, &other).await, 200);
}

#[actix_web::test]
async fn redis_killed_drops_the_cache_fails_closed_and_recovers() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let (store, jwt) = instance(&redis.url(), patient()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    for _ in 0..3 {
        assert_eq!(protected_status(&app, &token).await, 200);
    }
    assert!(store.cache_stats().unwrap().entries > 0);

    redis.stop();
    let dropped = within(Duration::from_millis(100), async || {
        let stats = store.cache_stats().unwrap();
        !stats.trusted && stats.entries == 0
    })
    .await;
    assert!(
        dropped.is_some(),
        "cache kept after Redis died: {:?}",
        store.cache_stats()
    );
    // Never a cached "not revoked" once the channel is gone.
    for _ in 0..3 {
        assert_eq!(
            call_bearer(&app, Method::GET, "/protected", &token).await,
            (503, json!({ "msg": "Token revocation status unavailable" }))
        );
    }
    assert_eq!(store.cache_stats().unwrap().losses, 1);

    redis.restart();
    let back = within(Duration::from_secs(10), async || {
        store.cache_stats().unwrap().trusted && protected_status(&app, &token).await == 200
    })
    .await;
    assert!(back.is_some(), "the cache did not come back with Redis");
    let reads = calls(&redis, "mget");
    assert_eq!(protected_status(&app, &token).await, 200);
    assert_eq!(calls(&redis, "mget"), reads, "cached again");
    assert_eq!(logout_status(&app, &token).await, 200);
    assert_eq!(protected_status(&app, &token).await, 401);
}

#[actix_web::test]
async fn a_killed_tracking_connection_drops_the_cache_and_is_restored() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (store, jwt) = instance(&redis.url(), patient()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    assert!(store.cache_stats().unwrap().entries > 0);
    // Only the connection with tracking on (flag `t`) goes; Redis stays.
    let list = redis.command_text(&["CLIENT", "LIST"]);
    let tracking: Vec<&str> = list
        .lines()
        .filter(|line| line.split(' ').any(|field| field == "flags=t"))
        .filter_map(|line| line.split(' ').next()?.strip_prefix("id="))
        .collect();
    assert_eq!(tracking.len(), 1, "{list}");
    assert_eq!(redis.command(&["CLIENT", "KILL", "ID", tracking[0]]), ":1");
    let dropped = within(Duration::from_millis(100), async || {
        store.cache_stats().unwrap().losses == 1
    })
    .await;
    assert!(
        dropped.is_some(),
        "loss not noticed: {:?}",
        store.cache_stats()
    );
    // Meanwhile answers come from Redis directly, and are right.
    let revoked = jwt.create_access_token("bob").unwrap();
    assert_eq!(logout_status(&app, &revoked).await, 200);
    assert_eq!(protected_status(&app, &revoked).await, 401);
    let back = within(Duration::from_secs(5), async || {
        store.cache_stats().unwrap().trusted
    })
    .await;
    assert!(back.is_some(), "tracking not restored");
    assert_eq!(protected_status(&app, &token).await, 200);
    assert_eq!(protected_status(&app, &revoked).await, 401);
}

#[actix_web::test]
async fn a_stalled_redis_stops_the_cache_within_its_staleness_bound() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let bound = Duration::from_millis(50);
    let (store, jwt) = instance(&redis.url(), LocalCache::new().staleness(bound)).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    assert_eq!(protected_status(&app, &token).await, 200);
    // Every client's commands held for a second: the connection is open
    // but silent, so invalidations could be held back too.
    assert_eq!(redis.command(&["CLIENT", "PAUSE", "1000"]), "+OK");
    let paused = Instant::now();
    let untrusted = within(Duration::from_millis(200), async || {
        !store.cache_stats().unwrap().trusted
    })
    .await;
    let untrusted = untrusted.expect("the cache was still trusted 200 ms into the pause");
    assert!(
        untrusted <= bound + Duration::from_millis(20),
        "{untrusted:?}"
    );
    // Past the bound, a request waits for Redis like without a cache.
    actix_web::rt::time::sleep(bound.saturating_sub(paused.elapsed())).await;
    assert_eq!(protected_status(&app, &token).await, 503);
    let back = within(Duration::from_secs(5), async || {
        store.cache_stats().unwrap().trusted && protected_status(&app, &token).await == 200
    })
    .await;
    assert!(back.is_some(), "not back after the pause");
    // A one-second stall only paused the cache: the channel was not counted
    // lost (that takes two seconds without a heartbeat reply).
    assert_eq!(store.cache_stats().unwrap().losses, 0);
}

#[actix_web::test]
async fn a_flush_empties_the_cache() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (store, jwt) = instance(&redis.url(), patient()).await;
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(protected_status(&app, &token).await, 200);
    assert!(store.cache_stats().unwrap().entries > 0);
    assert_eq!(redis.command(&["FLUSHALL"]), "+OK");
    let emptied = within(Duration::from_millis(100), async || {
        store.cache_stats().unwrap().entries == 0
    })
    .await;
    assert!(emptied.is_some(), "{:?}", store.cache_stats());
}

#[actix_web::test]
async fn the_cache_holds_at_most_its_capacity() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (store, jwt) = instance(&redis.url(), patient().capacity(64)).await;
    let app = app!(jwt.clone());
    let mut last = String::new();
    for i in 0..400 {
        last = jwt.create_access_token(format!("user-{i}")).unwrap();
        assert_eq!(protected_status(&app, &last).await, 200);
    }
    let stats = store.cache_stats().unwrap();
    assert!(stats.entries <= 64, "{stats:?}");
    let reads = calls(&redis, "mget");
    assert_eq!(protected_status(&app, &last).await, 200);
    assert_eq!(calls(&redis, "mget"), reads, "the newest entries are kept");
}

/// A cached answer settles the request without awaiting the store; a
/// cached refusal still reaches the `revoked_token_loader` with the token,
/// and a refresh token (whose reuse check reads Redis) still reads Redis.
#[actix_web::test]
async fn cached_refusals_reach_the_revoked_token_loader() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url())
        .await
        .unwrap()
        .with_local_cache(patient())
        .await
        .unwrap();
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(store.clone())
        .revoked_token_loader(|_, claims| {
            HttpResponse::Gone().json(json!({ "revoked": claims["sub"] }))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("ann").unwrap();
    assert_eq!(logout_status(&app, &token).await, 200);
    for _ in 0..3 {
        assert_eq!(
            call_bearer(&app, Method::GET, "/protected", &token).await,
            (410, json!({ "revoked": "ann" }))
        );
    }
    let stats = store.cache_stats().unwrap();
    assert!(stats.hits >= 2, "answered from the cache: {stats:?}");
    let reads = calls(&redis, "exists") + calls(&redis, "mget");
    let refresh = jwt.create_refresh_token("ann").unwrap();
    let refresh_app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/refresh", web::post().to(refresh_handler)),
    )
    .await;
    let mut reads = reads;
    for _ in 0..2 {
        assert_eq!(
            call_bearer(&refresh_app, Method::POST, "/refresh", &refresh)
                .await
                .0,
            200
        );
        let now = calls(&redis, "exists") + calls(&redis, "mget");
        assert!(now > reads, "a refresh token's reuse check reads Redis");
        reads = now;
    }
}

#[jwt_required(refresh)]
async fn refresh_handler() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "refreshed": true }))
}
