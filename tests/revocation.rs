//! Revocation with the in-memory store and with stores that fail or stall:
//! logout, expiry of entries, far-future expiries, failing closed (and open
//! only on request), refresh-token rotation with reuse detection and its
//! reuse interval, login pairs of one family.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::{App, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    DecodedJwt, Jwt, JwtError, JwtErrorKind, JwtManager, JwtManagerBuilder, MemoryStore,
    RevocationStore, StoreError, StoreFuture, jwt_required,
};
use serde_json::{Value, json};

const SECRET: &str = "revocation-test-secret-0123456789abcdef";

fn builder() -> JwtManagerBuilder {
    JwtManager::builder().secret_key(SECRET)
}

/// Calls of `counted`, to show a refused request never reached it.
static COUNTED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[jwt_required]
async fn counted() -> HttpResponse {
    COUNTED_CALLS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

#[jwt_required(verify_type = false)]
async fn logout(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_token(&token).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "msg": format!("{} token successfully revoked", token.token_type()) })))
}

#[jwt_required]
async fn protected(token: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "identity": token.identity() }))
}

#[jwt_required(skip_revocation_check)]
async fn unchecked() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(refresh)]
async fn refresh(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    let pair = jwt.rotate_refresh_token(&token).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "access_token": pair.access_token, "refresh_token": pair.refresh_token })))
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/logout", web::delete().to(logout))
                .route("/protected", web::get().to(protected))
                .route("/counted", web::get().to(counted))
                .route("/unchecked", web::get().to(unchecked))
                .route("/refresh", web::post().to(refresh)),
        )
        .await
    };
}

async fn send(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    method: &str,
    path: &str,
    token: &str,
) -> (u16, Value) {
    let req = test::TestRequest::default()
        .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let body = test::read_body(resp).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn logout_revokes_access_and_refresh_tokens() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let access = jwt.create_access_token("ann").unwrap();
    let refresh_token = jwt.create_refresh_token("ann").unwrap();
    assert_eq!(send(&app, "GET", "/protected", &access).await.0, 200);
    assert_eq!(
        send(&app, "DELETE", "/logout", &access).await,
        (200, json!({ "msg": "access token successfully revoked" }))
    );
    assert_eq!(
        send(&app, "GET", "/protected", &access).await,
        (401, json!({ "msg": "Token has been revoked" }))
    );
    assert_eq!(
        send(&app, "GET", "/unchecked", &access).await.0,
        200,
        "skip_revocation_check skips"
    );
    assert_eq!(
        send(&app, "DELETE", "/logout", &refresh_token).await.1["msg"],
        "refresh token successfully revoked"
    );
    assert_eq!(send(&app, "POST", "/refresh", &refresh_token).await.0, 401);
    // Revocation is by jti: another encoding of the same token id is revoked too.
    let same_jti = jwt
        .access_token("ann")
        .claim("jti", jwt.decode_token(&access).unwrap().jti())
        .encode()
        .unwrap();
    assert_ne!(same_jti, access);
    assert_eq!(send(&app, "GET", "/protected", &same_jti).await.0, 401);
    // Other tokens of the same user are untouched.
    assert_eq!(
        send(
            &app,
            "GET",
            "/protected",
            &jwt.create_access_token("ann").unwrap()
        )
        .await
        .0,
        200
    );
}

#[actix_web::test]
async fn revocations_expire_with_their_tokens() {
    let store = Arc::new(MemoryStore::new());
    let jwt = builder()
        .revocation_store(SharedStore(store.clone()))
        .build()
        .unwrap();
    let short = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(1))
        .encode()
        .unwrap();
    jwt.revoke_token(&jwt.decode_token(&short).unwrap())
        .await
        .unwrap();
    assert_eq!(store.len(), 1);
    std::thread::sleep(Duration::from_millis(2100));
    assert!(
        store.is_empty(),
        "the entry lives as long as the token, no longer"
    );
}

/// A store shared with the test, to look inside it.
struct SharedStore(Arc<MemoryStore>);

impl RevocationStore for SharedStore {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        self.0.insert(key, ttl)
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        self.0.contains(keys)
    }
}

/// A store that is down, or answers too late.
enum BrokenStore {
    Failing,
    Slow(Duration),
}

impl RevocationStore for BrokenStore {
    fn insert<'a>(&'a self, _: &'a str, _: Option<Duration>) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }

    fn contains<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            match self {
                BrokenStore::Failing => Err(StoreError::new("connection refused")),
                BrokenStore::Slow(delay) => {
                    actix_web::rt::time::sleep(*delay).await;
                    Ok(false)
                }
            }
        })
    }
}

#[actix_web::test]
async fn a_failing_or_slow_store_fails_closed() {
    for (store, timeout) in [
        (BrokenStore::Failing, Duration::from_millis(250)),
        (
            BrokenStore::Slow(Duration::from_secs(2)),
            Duration::from_millis(100),
        ),
    ] {
        let jwt = builder()
            .revocation_store(store)
            .revocation_timeout(timeout)
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        let started = std::time::Instant::now();
        let (status, body) = send(
            &app,
            "GET",
            "/counted",
            &jwt.create_access_token("ann").unwrap(),
        )
        .await;
        assert_eq!(
            (status, body),
            (503, json!({ "msg": "Token revocation status unavailable" }))
        );
        assert_eq!(
            COUNTED_CALLS.load(Ordering::SeqCst),
            0,
            "the handler never ran"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the timeout cut the slow store short"
        );
        // Routes that skip the check still work.
        assert_eq!(
            send(
                &app,
                "GET",
                "/unchecked",
                &jwt.create_access_token("ann").unwrap()
            )
            .await
            .0,
            200
        );
    }
}

#[actix_web::test]
async fn failing_open_is_an_explicit_choice_and_the_answer_is_customisable() {
    let jwt = builder()
        .revocation_store(BrokenStore::Failing)
        .revocation_fail_open(true)
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    assert_eq!(
        send(
            &app,
            "GET",
            "/protected",
            &jwt.create_access_token("ann").unwrap()
        )
        .await
        .0,
        200
    );

    let jwt = builder()
        .revocation_store(BrokenStore::Failing)
        .store_unavailable_loader(|reason| {
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "5"))
                .json(json!({ "error": reason }))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let req = test::TestRequest::get()
        .uri("/protected")
        .insert_header((
            "Authorization",
            format!("Bearer {}", jwt.create_access_token("ann").unwrap()),
        ))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers().get("retry-after").unwrap(), "5");
}

#[actix_web::test]
async fn rotation_issues_a_new_pair_and_reuse_revokes_the_family() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .refresh_reuse_interval(Duration::ZERO)
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let first = jwt.create_refresh_token("ann").unwrap();
    let (status, pair) = send(&app, "POST", "/refresh", &first).await;
    assert_eq!(status, 200);
    let second = pair["refresh_token"].as_str().unwrap().to_owned();
    let access = pair["access_token"].as_str().unwrap().to_owned();
    assert_eq!(send(&app, "GET", "/protected", &access).await.0, 200);
    let (status, pair) = send(&app, "POST", "/refresh", &second).await;
    assert_eq!(status, 200, "the new refresh token works once");
    let third = pair["refresh_token"].as_str().unwrap().to_owned();

    // The first token comes back: a thief has it. The whole family dies.
    assert_eq!(
        send(&app, "POST", "/refresh", &first).await,
        (401, json!({ "msg": "Token has been revoked" }))
    );
    assert_eq!(
        send(&app, "POST", "/refresh", &third).await.0,
        401,
        "the latest refresh token is revoked too"
    );
    assert_eq!(
        send(&app, "GET", "/protected", &access).await.0,
        401,
        "so are the family's access tokens"
    );
    // Another login starts a new family.
    assert_eq!(
        send(
            &app,
            "POST",
            "/refresh",
            &jwt.create_refresh_token("ann").unwrap()
        )
        .await
        .0,
        200
    );
}

#[actix_web::test]
async fn without_a_reuse_interval_of_two_concurrent_refreshes_exactly_one_succeeds() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .refresh_reuse_interval(Duration::ZERO)
        .build()
        .unwrap();
    let token = jwt
        .decode_token(&jwt.create_refresh_token("ann").unwrap())
        .unwrap();
    let (a, b) = futures_join(
        jwt.rotate_refresh_token(&token),
        jwt.rotate_refresh_token(&token),
    )
    .await;
    assert_eq!(
        a.is_ok() as u8 + b.is_ok() as u8,
        1,
        "exactly one exchange wins"
    );
    let loser = if a.is_ok() { b } else { a };
    assert_eq!(loser.unwrap_err().kind(), JwtErrorKind::Revoked);
}

/// Polls both futures to completion on this task, interleaved.
async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let (a, b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut a, mut b) = (a, b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

#[actix_web::test]
async fn revocation_needs_a_store() {
    let jwt = builder().build().unwrap();
    let decoded = jwt
        .decode_token(&jwt.create_access_token("ann").unwrap())
        .unwrap();
    let err = jwt.revoke_token(&decoded).await.unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Misconfigured);
    let err = jwt.rotate_refresh_token(&decoded).await.unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Misconfigured);
}

#[jwt_required(refresh, skip_revocation_check)]
async fn refresh_unchecked(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    let pair = jwt.rotate_refresh_token(&token).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "access_token": pair.access_token, "refresh_token": pair.refresh_token })))
}

#[actix_web::test]
async fn rotation_checks_revocation_itself() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/refresh", web::post().to(refresh))
            .route("/refresh-unchecked", web::post().to(refresh_unchecked)),
    )
    .await;

    // A revoked refresh token, through decode_token (which checks no revocation)...
    let revoked = jwt.create_refresh_token("ann").unwrap();
    let decoded = jwt.decode_token(&revoked).unwrap();
    jwt.revoke_token(&decoded).await.unwrap();
    let err = jwt.rotate_refresh_token(&decoded).await.unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Revoked);
    // ... and through a route that skips the pipeline's check.
    assert_eq!(
        send(&app, "POST", "/refresh-unchecked", &revoked).await,
        (401, json!({ "msg": "Token has been revoked" }))
    );
}

/// `exp` values far in the future that still verify: the largest integer,
/// one whose remaining lifetime in milliseconds is 2^64, and one beyond
/// `i64` (read as the largest integer, as PyJWT's `int()` would allow).
fn far_future_exps() -> Vec<Value> {
    let now = chrono::Utc::now().timestamp();
    vec![
        json!(i64::MAX),
        json!(now + (1_i64 << 54) / 1000 * 1024),
        json!(now + 18_446_744_073_709_551),
        json!(u64::MAX),
        json!(1e300),
    ]
}

#[actix_web::test]
async fn tokens_that_never_seem_to_expire_can_be_revoked_and_stay_revoked() {
    for leeway in [TimeDelta::zero(), TimeDelta::days(1)] {
        let store = Arc::new(MemoryStore::new());
        let jwt = builder()
            .revocation_store(SharedStore(store.clone()))
            .decode_leeway(leeway)
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        for exp in far_future_exps() {
            let token = jwt.access_token("ann").claim("exp", &exp).encode().unwrap();
            assert_eq!(
                send(&app, "GET", "/protected", &token).await.0,
                200,
                "exp {exp} verifies"
            );
            assert_eq!(
                send(&app, "DELETE", "/logout", &token).await.0,
                200,
                "exp {exp}: logout works"
            );
            std::thread::sleep(Duration::from_millis(20));
            assert_eq!(
                send(&app, "GET", "/protected", &token).await,
                (401, json!({ "msg": "Token has been revoked" })),
                "exp {exp}: still revoked"
            );
        }
    }
}

#[actix_web::test]
async fn a_double_submitted_refresh_does_not_log_the_user_out() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let login = jwt.create_refresh_token("ann").unwrap();
    // Two tabs, or a retry: the same token twice within the interval.
    let (status_a, pair_a) = send(&app, "POST", "/refresh", &login).await;
    let (status_b, pair_b) = send(&app, "POST", "/refresh", &login).await;
    assert_eq!((status_a, status_b), (200, 200));
    for pair in [&pair_a, &pair_b] {
        let access = pair["access_token"].as_str().unwrap();
        assert_eq!(send(&app, "GET", "/protected", access).await.0, 200);
    }
    let family = |pair: &Value| {
        jwt.decode_token(pair["refresh_token"].as_str().unwrap())
            .unwrap()
            .claims()["fam"]
            .clone()
    };
    assert_eq!(family(&pair_a), family(&pair_b), "one family");
    assert_ne!(pair_a["refresh_token"], pair_b["refresh_token"]);
    // Each new refresh token works, once.
    for pair in [&pair_a, &pair_b] {
        let refresh_token = pair["refresh_token"].as_str().unwrap();
        assert_eq!(send(&app, "POST", "/refresh", refresh_token).await.0, 200);
    }
}

#[actix_web::test]
async fn two_concurrent_exchanges_within_the_interval_both_succeed() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .build()
        .unwrap();
    let token = jwt
        .decode_token(&jwt.create_refresh_token("ann").unwrap())
        .unwrap();
    both_exchanges_succeed(&jwt, &jwt, &token).await;
}

/// Exchanges `token` with `first` and `second` at once: both must get a
/// pair, and both new access tokens must pass `first`'s protected route
/// (nothing was revoked).
async fn both_exchanges_succeed(first: &JwtManager, second: &JwtManager, token: &DecodedJwt) {
    let (a, b) = futures_join(
        first.rotate_refresh_token(token),
        second.rotate_refresh_token(token),
    )
    .await;
    let (a, b) = (a.expect("the first exchange"), b.expect("the other one"));
    let app = app!(first.clone());
    for access in [&a.access_token, &b.access_token] {
        assert_eq!(
            send(&app, "GET", "/protected", access).await.0,
            200,
            "nothing was revoked"
        );
    }
}

#[derive(serde::Serialize)]
struct User {
    name: &'static str,
    role: &'static str,
}

#[actix_web::test]
async fn a_rotated_pair_keeps_the_identity_and_claims_of_the_login_pair() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .user_identity_loader(|user| user["name"].clone())
        .additional_claims_loader(|user| json!({ "role": user["role"] }))
        .build()
        .unwrap();
    let login = jwt
        .refresh_token(User {
            name: "ann",
            role: "admin",
        })
        .claim("tenant", 7)
        .encode()
        .unwrap();
    let decoded = jwt.decode_token(&login).unwrap();
    assert_eq!(decoded.identity(), "ann");
    let pair = jwt.rotate_refresh_token(&decoded).await.unwrap();
    for token in [&pair.access_token, &pair.refresh_token] {
        let claims = jwt.decode_token(token).unwrap().into_parts().1;
        assert_eq!(claims["sub"], "ann", "{claims:?}");
        assert_eq!(claims["role"], "admin", "{claims:?}");
        assert_eq!(claims["tenant"], 7, "{claims:?}");
        assert_eq!(claims["fam"], decoded.jti().unwrap());
    }
    let access = jwt.decode_token(&pair.access_token).unwrap();
    assert_eq!(access.token_type(), "access");
    assert_eq!(access.claims()["fresh"], false);
    // And the next rotation, from the rotated refresh token.
    let next = jwt
        .rotate_refresh_token(&jwt.decode_token(&pair.refresh_token).unwrap())
        .await
        .unwrap();
    let claims = jwt.decode_token(&next.access_token).unwrap().into_parts().1;
    assert_eq!(
        (&claims["sub"], &claims["role"]),
        (&json!("ann"), &json!("admin"))
    );
}

#[actix_web::test]
async fn a_replay_after_the_interval_revokes_the_family_login_access_token_included() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .refresh_reuse_interval(Duration::from_millis(500))
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let login = jwt.create_token_pair("ann").unwrap();
    let family = jwt.decode_token(&login.refresh_token).unwrap().claims()["fam"].clone();
    assert!(family.is_string());
    assert_eq!(
        jwt.decode_token(&login.access_token).unwrap().claims()["fam"],
        family,
        "the login access token belongs to the family"
    );
    assert_eq!(
        send(&app, "GET", "/protected", &login.access_token).await.0,
        200
    );
    let (status, rotated) = send(&app, "POST", "/refresh", &login.refresh_token).await;
    assert_eq!(status, 200);
    // Within the interval: a double submit, answered with a pair.
    assert_eq!(
        send(&app, "POST", "/refresh", &login.refresh_token).await.0,
        200
    );
    std::thread::sleep(Duration::from_millis(600));
    // After it: theft. The family dies, the login access token with it.
    assert_eq!(
        send(&app, "POST", "/refresh", &login.refresh_token).await,
        (401, json!({ "msg": "Token has been revoked" }))
    );
    for token in [
        &login.access_token,
        rotated["access_token"].as_str().unwrap(),
    ] {
        assert_eq!(send(&app, "GET", "/protected", token).await.0, 401);
    }
    let unused = rotated["refresh_token"].as_str().unwrap();
    assert_eq!(send(&app, "POST", "/refresh", unused).await.0, 401);
    // Rotation refuses the family's tokens itself, through decode_token too.
    let err = jwt
        .rotate_refresh_token(&jwt.decode_token(unused).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Revoked);
}

#[actix_web::test]
async fn rotation_outside_the_pipeline_honours_the_interval_too() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .refresh_reuse_interval(Duration::from_millis(500))
        .build()
        .unwrap();
    let login = jwt.create_token_pair("ann").unwrap();
    let refresh_token = jwt.decode_token(&login.refresh_token).unwrap();
    let first = jwt.rotate_refresh_token(&refresh_token).await.unwrap();
    let replay = jwt.rotate_refresh_token(&refresh_token).await.unwrap();
    let fam = |token: &str| jwt.decode_token(token).unwrap().claims()["fam"].clone();
    assert_eq!(fam(&first.refresh_token), fam(&replay.refresh_token));
    assert_eq!(fam(&replay.access_token), fam(&login.access_token));
    std::thread::sleep(Duration::from_millis(600));
    let err = jwt.rotate_refresh_token(&refresh_token).await.unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Revoked);
    for pair in [&first, &replay] {
        let next = jwt
            .rotate_refresh_token(&jwt.decode_token(&pair.refresh_token).unwrap())
            .await;
        assert_eq!(next.unwrap_err().kind(), JwtErrorKind::Revoked);
    }
}

#[actix_web::test]
async fn a_login_pair_carries_its_claims_to_every_rotation() {
    let jwt = builder()
        .revocation_store(MemoryStore::new())
        .build()
        .unwrap();
    let login = jwt
        .token_pair("ann")
        .fresh(true)
        .claim("role", "admin")
        .claims(json!({ "tenant": 7 }))
        .encode()
        .unwrap();
    let access = jwt.decode_token(&login.access_token).unwrap();
    assert_eq!(access.claims()["fresh"], true);
    let rotated = jwt
        .rotate_refresh_token(&jwt.decode_token(&login.refresh_token).unwrap())
        .await
        .unwrap();
    for token in [
        &login.refresh_token,
        &rotated.access_token,
        &rotated.refresh_token,
    ] {
        let claims = jwt.decode_token(token).unwrap().into_parts().1;
        assert_eq!(
            (&claims["role"], &claims["tenant"]),
            (&json!("admin"), &json!(7))
        );
        assert_eq!(claims["fam"], access.claims()["fam"]);
    }
    assert_eq!(
        jwt.decode_token(&rotated.access_token).unwrap().claims()["fresh"],
        false
    );
}

/// A shared store whose operations take time: `delay` for every one, and
/// `used_delay` more to record a used refresh token, to interleave two
/// exchanges in a chosen order.
struct Paced {
    inner: Arc<MemoryStore>,
    delay: Duration,
    used_delay: Duration,
}

impl RevocationStore for Paced {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        let extra = if key.starts_with("used:") {
            self.used_delay
        } else {
            Duration::ZERO
        };
        Box::pin(async move {
            actix_web::rt::time::sleep(self.delay + extra).await;
            self.inner.insert(key, ttl).await
        })
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            actix_web::rt::time::sleep(self.delay).await;
            self.inner.contains(keys).await
        })
    }
}

#[actix_web::test]
async fn a_double_submit_is_no_theft_however_the_exchanges_interleave() {
    let inner = Arc::new(MemoryStore::new());
    let paced = |delay, used_delay| {
        builder()
            .revocation_store(Paced {
                inner: inner.clone(),
                delay: Duration::from_millis(delay),
                used_delay: Duration::from_millis(used_delay),
            })
            .revocation_timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    };
    // `slow` starts the interval first, `quick` records the token as used
    // first: `slow` then finds it used by an exchange as recent as its own.
    let (slow, quick) = (paced(0, 100), paced(10, 0));
    let token = slow
        .decode_token(&slow.create_refresh_token("ann").unwrap())
        .unwrap();
    both_exchanges_succeed(&slow, &quick, &token).await;
}
