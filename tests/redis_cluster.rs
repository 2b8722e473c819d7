//! The Redis Cluster revocation store against a real local cluster (three
//! masters, started by the tests; `.ci/run` installs redis-server):
//! revocation, rotation with reuse detection, the keys of one token on
//! different masters, and a master killed: refused or 503 during the
//! failover, never a pass, and served again after it without a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::{App, HttpResponse, test, web};
use jwt_ext::{Jwt, JwtError, JwtManager, RedisClusterStore, RevocationStore, jwt_required};
use jwt_ext_tests::app::call_bearer;
use jwt_ext_tests::redis_cluster::RedisCluster;
use serde_json::{Value, json};

const SECRET: &str = "cluster-test-secret-0123456789abcdef-012";

async fn store(cluster: &RedisCluster) -> RedisClusterStore {
    RedisClusterStore::connect(&cluster.urls())
        .await
        .expect("connect to the test cluster")
}

async fn manager(cluster: &RedisCluster) -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(store(cluster).await)
        .revocation_timeout(Duration::from_millis(800))
        .refresh_reuse_interval(Duration::ZERO)
        .build()
        .unwrap()
}

/// How many times the protected handler ran.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

#[jwt_required]
async fn protected(runs: web::Data<Runs>, token: Jwt) -> HttpResponse {
    runs.0.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({ "identity": token.identity() }))
}

#[jwt_required]
async fn logout(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    jwt.revoke_token(&token).await?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "Access token revoked" })))
}

#[jwt_required(refresh)]
async fn refresh(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    let pair = jwt.rotate_refresh_token(&token).await?;
    Ok(HttpResponse::Ok().json(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
    })))
}

macro_rules! app {
    ($jwt:expr, $runs:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .app_data(web::Data::new($runs))
                .route("/protected", web::get().to(protected))
                .route("/logout", web::delete().to(logout))
                .route("/refresh", web::post().to(refresh)),
        )
        .await
    };
}

fn revoked() -> (u16, Value) {
    (401, json!({ "msg": "Token has been revoked" }))
}

fn jti(jwt: &JwtManager, token: &str) -> String {
    jwt.decode_token(token).unwrap().jti().unwrap().to_owned()
}

/// The full store key of a `revoked:`/`family:`/... key.
fn stored(key: &str) -> String {
    format!("jwt-ext:{key}")
}

#[actix_web::test]
async fn a_revoked_token_is_refused_on_the_cluster() {
    let Some(cluster) = RedisCluster::start(false) else {
        return;
    };
    let jwt = manager(&cluster).await;
    let runs = Runs::default();
    let app = app!(jwt.clone(), runs.clone());
    let (kept, revoked_token) = (
        jwt.create_access_token("ann").unwrap(),
        jwt.create_access_token("bob").unwrap(),
    );
    assert_eq!(
        call_bearer(&app, Method::DELETE, "/logout", &revoked_token)
            .await
            .0,
        200
    );
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &revoked_token).await,
        revoked()
    );
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &kept).await,
        (200, json!({ "identity": "ann" }))
    );
    assert_eq!(runs.0.load(Ordering::SeqCst), 1);
    // A second instance on the same cluster sees it too, with its TTL.
    let other = manager(&cluster).await;
    let app = app!(other, Runs::default());
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &revoked_token).await,
        revoked()
    );
    let ttl = store(&cluster)
        .await
        .ttl(&format!("revoked:{}", jti(&jwt, &revoked_token)))
        .await
        .unwrap()
        .expect("a TTL");
    assert!(ttl > Duration::from_secs(800) && ttl <= Duration::from_secs(900));
}

#[actix_web::test]
async fn keys_on_different_masters_are_read_together() {
    let Some(cluster) = RedisCluster::start(false) else {
        return;
    };
    let store = store(&cluster).await;
    // Two keys on different masters, only the second one recorded.
    let first = "revoked:a".to_owned();
    let second = (0..)
        .map(|n| format!("family:{n}"))
        .find(|key| cluster.master_of(&stored(key)) != cluster.master_of(&stored(&first)))
        .unwrap();
    assert!(
        !store
            .contains(&[first.clone(), second.clone()])
            .await
            .unwrap()
    );
    assert!(store.insert(&second, None).await.unwrap());
    assert!(!store.insert(&second, None).await.unwrap(), "set if absent");
    assert!(store.contains(&[first.clone(), second]).await.unwrap());
    assert!(!store.contains(&[first]).await.unwrap());
    assert!(!store.contains(&[]).await.unwrap());
}

#[actix_web::test]
async fn rotation_and_reuse_detection_work_across_masters() {
    let Some(cluster) = RedisCluster::start(false) else {
        return;
    };
    let jwt = manager(&cluster).await;
    let runs = Runs::default();
    let app = app!(jwt.clone(), runs.clone());
    // A login refresh token whose rotated access token keeps its
    // `revoked:` key and its family's key on different masters.
    let (login, access) = loop {
        let login = jwt.create_refresh_token("ann").unwrap();
        let (status, pair) = call_bearer(&app, Method::POST, "/refresh", &login).await;
        assert_eq!(status, 200, "{pair}");
        let access = pair["access_token"].as_str().unwrap().to_owned();
        let family = jti(&jwt, &login);
        if cluster.master_of(&stored(&format!("revoked:{}", jti(&jwt, &access))))
            != cluster.master_of(&stored(&format!("family:{family}")))
        {
            break (login, access);
        }
    };
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &access)
            .await
            .0,
        200
    );
    // The exchanged token comes back: theft, the whole family is revoked.
    assert_eq!(
        call_bearer(&app, Method::POST, "/refresh", &login).await,
        revoked()
    );
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &access).await,
        revoked()
    );
    assert_eq!(runs.0.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn concurrent_rotations_on_the_cluster_let_exactly_one_through() {
    let Some(cluster) = RedisCluster::start(false) else {
        return;
    };
    let (one, two) = (manager(&cluster).await, manager(&cluster).await);
    let refresh = one
        .decode_token(&one.create_refresh_token("ann").unwrap())
        .unwrap();
    let exchange = |jwt: JwtManager, token: jwt_ext::DecodedJwt| {
        actix_web::rt::spawn(async move { jwt.rotate_refresh_token(&token).await.is_ok() })
    };
    let (a, b) = (exchange(one, refresh.clone()), exchange(two, refresh));
    let wins = u8::from(a.await.unwrap()) + u8::from(b.await.unwrap());
    assert_eq!(wins, 1, "SET NX on the key's master lets exactly one win");
}

#[actix_web::test]
async fn a_master_failing_over_refuses_or_answers_503_never_passes_then_recovers() {
    let Some(mut cluster) = RedisCluster::start(true) else {
        return;
    };
    let jwt = manager(&cluster).await;
    let runs = Runs::default();
    let app = app!(jwt.clone(), runs.clone());
    // A revoked token and a valid one, both with their key on the master
    // about to be killed.
    let revoked_token = jwt.create_access_token("mallory").unwrap();
    let victim = cluster.master_of(&stored(&format!("revoked:{}", jti(&jwt, &revoked_token))));
    let valid = (0..)
        .map(|_| jwt.create_access_token("ann").unwrap())
        .find(|token| {
            cluster.master_of(&stored(&format!("revoked:{}", jti(&jwt, token)))) == victim
        })
        .unwrap();
    assert_eq!(
        call_bearer(&app, Method::DELETE, "/logout", &revoked_token)
            .await
            .0,
        200
    );
    cluster.wait_until_replicated(victim, Duration::from_secs(5));
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &valid).await.0,
        200
    );
    let before = runs.0.load(Ordering::SeqCst);

    let killed = Instant::now();
    cluster.kill(victim);
    let (mut unavailable, mut served) = (0, 0);
    // The gap: until the replica is promoted and the client has found it.
    let recovered = loop {
        let (status, body) = call_bearer(&app, Method::GET, "/protected", &revoked_token).await;
        assert!(
            (status, &body) == (401, &revoked().1) || status == 503,
            "a revoked token during failover: {status} {body}"
        );
        let (status, body) = call_bearer(&app, Method::GET, "/protected", &valid).await;
        match status {
            503 => {
                assert_eq!(
                    body,
                    json!({ "msg": "Token revocation status unavailable" })
                );
                unavailable += 1;
            }
            200 => {
                served += 1;
                if cluster.is_ok() {
                    break killed.elapsed();
                }
            }
            _ => panic!("a valid token during failover: {status} {body}"),
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "no recovery within 30 s"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(unavailable > 0, "the gap was seen as 503s");
    assert_eq!(
        runs.0.load(Ordering::SeqCst),
        before + served,
        "the handler ran for the 200s only, never on a 503"
    );
    // Served again by the promoted replica, the revocation kept.
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &revoked_token).await,
        revoked()
    );
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &valid).await.0,
        200
    );
    eprintln!("failover: {unavailable} requests answered 503, served again after {recovered:?}");
}

#[actix_web::test]
async fn with_replica_acks_a_revocation_no_replica_has_answers_503() {
    let Some(mut cluster) = RedisCluster::start(true) else {
        return;
    };
    let acked = store(&cluster)
        .await
        .with_replica_acks(1, Duration::from_millis(200));
    let first = "revoked:first".to_owned();
    assert!(acked.insert(&first, None).await.unwrap());
    assert!(!acked.insert(&first, None).await.unwrap(), "set if absent");
    let master = cluster.master_of(&stored(&first));
    cluster.kill(cluster.replica_of(master));

    // A token whose key is on that master, now without a replica.
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .revocation_store(acked.clone())
        .revocation_timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let token = (0..)
        .map(|_| jwt.create_access_token("ann").unwrap())
        .find(|token| {
            cluster.master_of(&stored(&format!("revoked:{}", jti(&jwt, token)))) == master
        })
        .unwrap();
    let app = app!(jwt.clone(), Runs::default());
    assert_eq!(
        call_bearer(&app, Method::DELETE, "/logout", &token).await,
        (503, json!({ "msg": "Token revocation status unavailable" })),
        "the logout is not reported done"
    );
    // Without the option, the same write is acknowledged by the master alone.
    let plain = store(&cluster).await;
    assert!(
        plain
            .insert(&format!("revoked:{}", jti(&jwt, &token)), None)
            .await
            .is_ok()
    );
    assert!(acked.contains(&[first]).await.unwrap());
}

#[actix_web::test]
async fn log_out_everywhere_works_on_the_cluster() {
    let Some(cluster) = RedisCluster::start(false) else {
        return;
    };
    let at = |secs: i64| move || chrono::DateTime::from_timestamp(secs, 0).expect("a time");
    let instance = |secs: i64| {
        let cluster = &cluster;
        async move {
            JwtManager::builder()
                .secret_key(SECRET)
                .revocation_store(store(cluster).await)
                .logout_everywhere(true)
                .clock(at(secs))
                .build()
                .unwrap()
        }
    };
    let before = instance(1_900_000_000).await;
    let (ann, bob) = (
        before.create_access_token("ann").unwrap(),
        before.create_access_token("bob").unwrap(),
    );
    before
        .revoke_all_tokens_of(&json!("ann"))
        .await
        .expect("revoked everywhere");
    // Another instance, a minute later: ann's older token is refused, bob's
    // passes, and ann's new token passes.
    let later = instance(1_900_000_060).await;
    let app = app!(later.clone(), Runs::default());
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &ann).await,
        revoked()
    );
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &bob).await,
        (200, json!({ "identity": "bob" }))
    );
    let fresh = later.create_access_token("ann").unwrap();
    assert_eq!(
        call_bearer(&app, Method::GET, "/protected", &fresh).await,
        (200, json!({ "identity": "ann" }))
    );
}
