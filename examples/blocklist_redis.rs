//! flask-jwt-extended's `examples/blocklist_redis.py`: logging out revokes
//! the access token by storing its `jti` in Redis, with a time to live, so
//! the entry disappears by itself once the token has expired.
//!
//! ```text
//! redis-server &    # or any Redis; set REDIS_URL if it is not local
//! cargo run --example blocklist_redis
//!
//! $ LOGIN=$(curl -s -X POST http://127.0.0.1:5000/login)
//! $ TOKEN=$(echo "$LOGIN" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ REFRESH=$(echo "$LOGIN" | sed 's/.*"refresh_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"hello":"world"}
//!
//! $ curl -s -X DELETE http://127.0.0.1:5000/logout -H "Authorization: Bearer $TOKEN"
//! {"msg":"Access token revoked"}
//!
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//!
//! $ redis-cli --scan
//! jwt-ext:revoked:6f0c...
//! $ redis-cli ttl jwt-ext:revoked:6f0c...
//! (integer) 3587
//!
//! $ sleep 1; TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ curl -s -X DELETE http://127.0.0.1:5000/logout_everywhere -H "Authorization: Bearer $TOKEN"
//! {"msg":"All sessions revoked"}
//!
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//!
//! $ curl -i -X POST http://127.0.0.1:5000/refresh -H "Authorization: Bearer $REFRESH"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//!
//! $ redis-cli --scan --pattern 'jwt-ext:logout:*'
//! jwt-ext:logout:5d1b...
//! ```
//!
//! Redis is at `REDIS_URL` (default `redis://127.0.0.1:6379`, the original's
//! `localhost:6379`, database 0), or is a Redis Cluster (or Valkey
//! cluster) when `REDIS_CLUSTER_NODES` lists some of its nodes,
//! comma-separated `redis://host:port` URLs (`RedisClusterStore`). If it
//! cannot be reached at start, the example says so and exits with status 1
//! (the original starts anyway and fails each request that needs Redis).
//!
//! Where the original writes the blocklist by hand (a `redis.set(jti, "",
//! ex=ACCESS_EXPIRES)` at logout, a `redis.get(jti)` in a
//! `token_in_blocklist_loader`), jwt-ext has the store built in: the
//! builder's `.revocation_store(RedisStore)` checks every verified token
//! against Redis, and `jwt.revoke_token(&token)` records one. Compared with
//! the original:
//!
//! - The key is `jwt-ext:revoked:<jti>` rather than the bare jti, so the
//!   Redis can be shared (`RedisStore::with_prefix` changes the prefix).
//! - Its TTL is what is left of the token's lifetime: an hour
//!   (`ACCESS_EXPIRES`) for a token revoked just after login, less for an
//!   older one. The entry is kept exactly as long as the token could still
//!   be accepted, never longer.
//! - A lookup that fails or takes longer than `.revocation_timeout` (250 ms
//!   by default) answers 503 `Token revocation status unavailable` and the
//!   handler does not run (fail closed); the original answers 500 on a
//!   Redis error, and waits as long as Redis does.
//! - The connection is managed: after Redis restarts, the connection is
//!   re-established (the first request after the restart may still get the
//!   503). A Redis without persistence forgets its revocations when it
//!   restarts, as with the original.
//! - Answers are cached in the process (`RedisStore::with_local_cache`),
//!   and Redis keeps the copy coherent: it pushes an invalidation to every
//!   instance when a key they read changes (`CLIENT TRACKING`), so a
//!   logout on one instance is honoured by the others within
//!   milliseconds, and a protected request normally costs no Redis round
//!   trip. When the invalidation channel is lost or silent for 100 ms, the
//!   cache is dropped and every request reads Redis again (503 while it
//!   is down) until the channel is back. The original reads Redis on
//!   every request, as this example does with `REDIS_LOCAL_CACHE=off`,
//!   and on a cluster (`REDIS_CLUSTER_NODES`).
//!
//! Beyond the original, `DELETE /logout_everywhere` logs the caller out
//! on every device (`jwt.revoke_all_tokens_of(identity)`, enabled by the
//! builder's `.logout_everywhere(true)`): every token of that identity
//! issued until then, access and refresh, is refused on every instance
//! sharing the Redis, including tokens minted in the same second (log in
//! again a second later). It stores one key per identity,
//! `jwt-ext:logout:<sha256 of the identity's JSON>`, holding the logout
//! time, kept as long as the longest-lived token (the refresh token's 30
//! days). The revocation lookup reads it in the same `MGET` as the token's
//! own key: still one Redis round trip per request. For that, `/login` also
//! returns a refresh token, and `POST /refresh` exchanges it for a new
//! access token, as in flask's refresh-token example.
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, delete, post, route};
use jwt_ext::{
    Jwt, JwtError, JwtManager, LocalCache, RedisClusterStore, RedisStore, StoreError, jwt_required,
};
use serde_json::json;

/// How long access tokens live, and so how long a revocation is kept: the
/// original's `ACCESS_EXPIRES`.
const ACCESS_EXPIRES: Duration = Duration::from_secs(60 * 60);

/// The original's `redis.StrictRedis(host="localhost", port=6379, db=0)`.
const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token("example_user")?;
    let refresh_token = jwt.create_refresh_token("example_user")?;
    Ok(HttpResponse::Ok().json(json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
    })))
}

/// A new access token for a refresh token that is not revoked.
#[post("/refresh")]
#[jwt_required(refresh)]
async fn refresh(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token(token.identity().clone())?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Revokes every token of the caller's identity issued until now, access
/// and refresh, on every instance: one "not before" time in Redis.
#[delete("/logout_everywhere")]
#[jwt_required]
async fn logout_everywhere(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_all_tokens_of(token.identity()).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "All sessions revoked" })))
}

/// Revokes the current user's access token: its unique identifier (jti)
/// goes to Redis with a time to live, so that it is cleared out of Redis
/// once the token has expired.
#[delete("/logout")]
#[jwt_required]
async fn logout(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_token(&token).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "Access token revoked" })))
}

/// A revoked access token cannot reach this any more.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "hello": "world" }))
}

/// `url` without its password, if it has one, for messages.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// A Redis Cluster (or Valkey cluster) store from `REDIS_CLUSTER_NODES`, a
/// comma-separated list of `redis://host:port` nodes; exits like a
/// missing Redis when none answers.
async fn cluster_store(nodes: &str) -> RedisClusterStore {
    let nodes: Vec<&str> = nodes.split(',').map(str::trim).collect();
    RedisClusterStore::connect(&nodes)
        .await
        .unwrap_or_else(|err| {
            let shown: Vec<String> = nodes.iter().map(|node| redacted(node)).collect();
            eprintln!("error: REDIS_CLUSTER_NODES={}: {err}", shown.join(","));
            std::process::exit(1);
        })
}

/// The store at `url`, with its local cache unless `REDIS_LOCAL_CACHE` is
/// `off`.
async fn connect(url: &str) -> Result<RedisStore, StoreError> {
    let store = RedisStore::connect(url).await?;
    if std::env::var("REDIS_LOCAL_CACHE").is_ok_and(|value| value == "off") {
        return Ok(store);
    }
    store.with_local_cache(LocalCache::new()).await
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let builder = if let Ok(nodes) = std::env::var("REDIS_CLUSTER_NODES") {
        JwtManager::builder().revocation_store(cluster_store(&nodes).await)
    } else {
        let redis_url = std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
        // With a local cache that Redis keeps coherent, a protected request
        // normally costs no round trip at all.
        let store = match connect(&redis_url).await {
            Ok(store) => store,
            Err(err) => {
                eprintln!(
                    "error: REDIS_URL={}: {err}. Start Redis there, or set REDIS_URL to a \
                     reachable Redis (default {DEFAULT_REDIS_URL}).",
                    redacted(&redis_url)
                );
                std::process::exit(1);
            }
        };
        JwtManager::builder().revocation_store(store)
    };

    // Every verified token is looked up in Redis: a revoked one answers
    // 401 `Token has been revoked`.
    let jwt = builder
        .secret_key("super-secret") // Change this!
        .access_token_expires(ACCESS_EXPIRES)
        // ... and so is its identity's logout-everywhere time.
        .logout_everywhere(true)
        .build()
        .map_err(std::io::Error::other)?;

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    println!("listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .app_data(jwt.clone())
            .service(login)
            .service(refresh)
            .service(logout)
            .service(logout_everywhere)
            .service(protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
