//! Tokens from a real OpenID Provider (`support/oidc.rs`: panva's
//! oidc-provider issuing RFC 9068 access tokens) through `#[jwt_required]`:
//! discovery, audience, issuer, expiry and scopes; the provider rotating
//! its key; the provider stopped; a burst of unknown `kid`s; refused keys;
//! and a second jwt-ext service verified through its published key set.

use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use actix_web::test as actix_test;
use actix_web::{App, HttpRequest, HttpResponse, get};
use jsonwebtoken::Algorithm;
use jwt_ext::{
    JwtError, JwtManager, JwtManagerBuilder, RemoteKeySource, TrustedIssuer, get_jwt_identity,
    jwt_required,
};
use jwt_ext_tests::jose::b64;
use jwt_ext_tests::key;
use jwt_ext_tests::oidc::OidcProvider;
use serde_json::{Value, json};

const AUDIENCE: &str = "https://api.example.test";

#[get("/api/private")]
#[jwt_required]
async fn private(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "sub": get_jwt_identity(&req)? })))
}

#[get("/api/private-scoped")]
#[jwt_required(scopes = ["read:messages"])]
async fn private_scoped(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "sub": get_jwt_identity(&req)? })))
}

/// A resource server trusting `provider` alone, with a short cooldown so
/// the tests can wait it out.
fn resource_server(provider: &OidcProvider) -> JwtManagerBuilder {
    let source = RemoteKeySource::discover(provider.issuer())
        .unknown_kid_cooldown(Duration::from_millis(500));
    JwtManager::builder()
        .trusted_issuer(TrustedIssuer::with_source(provider.issuer(), source).audience(AUDIENCE))
}

struct Answer {
    status: u16,
    body: Value,
    challenge: Option<String>,
}

async fn call(manager: &JwtManager, path: &str, token: &str) -> Answer {
    let app = actix_test::init_service(
        App::new()
            .app_data(manager.clone())
            .service(private)
            .service(private_scoped),
    )
    .await;
    let req = actix_test::TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    Answer {
        status,
        body: actix_test::read_body_json(res).await,
        challenge,
    }
}

/// A token naming `issuer` and a `kid` no set holds (its signature is never
/// checked: the key is looked up first).
fn token_with_unknown_kid(issuer: &str, kid: &str) -> String {
    let header = json!({ "alg": "RS256", "typ": "at+jwt", "kid": kid });
    let claims = json!({ "iss": issuer, "sub": "x", "aud": AUDIENCE, "exp": 4_000_000_000u64 });
    format!(
        "{}.{}.{}",
        b64(header.to_string()),
        b64(claims.to_string()),
        b64([7u8; 256])
    )
}

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&jwt_ext_tests::jose::unb64(header)).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn provider_tokens_are_checked_for_audience_scope_issuer_and_expiry() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let jwt = resource_server(&provider)
        .bearer_realm("api")
        .build()
        .unwrap();

    let scoped = provider.token(&["read:messages"]);
    let answer = call(&jwt, "/api/private", &scoped).await;
    assert_eq!(
        (answer.status, answer.body),
        (200, json!({ "sub": "jwt-ext-tests" }))
    );
    assert_eq!(call(&jwt, "/api/private-scoped", &scoped).await.status, 200);

    let unscoped = provider.token(&[]);
    assert_eq!(call(&jwt, "/api/private", &unscoped).await.status, 200);
    let refused = call(&jwt, "/api/private-scoped", &unscoped).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({ "msg": "Missing required scopes: read:messages" })
    );
    let challenge = refused.challenge.expect("a challenge");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"read:messages\""), "{challenge}");

    let other_api = provider.token_for_audience("https://other.example.test", &[]);
    let refused = call(&jwt, "/api/private", &other_api).await;
    assert_eq!(
        (refused.status, refused.body),
        (422, json!({ "msg": "Audience doesn't match" }))
    );

    let short = provider.token_with_ttl(&[], 1);
    std::thread::sleep(Duration::from_millis(2100));
    let refused = call(&jwt, "/api/private", &short).await;
    assert_eq!(
        (refused.status, refused.body),
        (401, json!({ "msg": "Token has expired" }))
    );
    assert!(
        refused
            .challenge
            .unwrap()
            .contains("error=\"invalid_token\"")
    );

    // Another provider's token names an issuer this service does not trust.
    let Some(stranger) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let refused = call(&jwt, "/api/private", &stranger.token(&[])).await;
    assert_eq!(
        (refused.status, refused.body),
        (422, json!({ "msg": "The token's issuer is not trusted" }))
    );
}

#[actix_web::test]
async fn a_rotated_provider_key_is_picked_up_without_a_restart() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let jwt = resource_server(&provider).build().unwrap();
    let before = provider.token(&[]);
    assert_eq!(call(&jwt, "/api/private", &before).await.status, 200);
    let hits = provider.jwks_hits();

    let new_kid = provider.rotate(false);
    let after = provider.token(&[]);
    assert_eq!(kid_of(&after), new_kid);
    assert_eq!(call(&jwt, "/api/private", &after).await.status, 200);
    assert_eq!(
        provider.jwks_hits(),
        hits + 1,
        "one refetch for the new key"
    );
    // The old key is still published and still verifies.
    assert_eq!(call(&jwt, "/api/private", &before).await.status, 200);
}

#[actix_web::test]
async fn a_stopped_provider_leaves_cached_keys_and_unknown_keys_get_503() {
    let Some(mut provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let jwt = resource_server(&provider).build().unwrap();
    let custom = resource_server(&provider)
        .keys_unavailable_loader(|_| {
            HttpResponse::ServiceUnavailable().json(json!({ "retry": true }))
        })
        .build()
        .unwrap();
    let token = provider.token(&[]);
    let issuer = provider.issuer();
    provider.stop();

    assert_eq!(call(&jwt, "/api/private", &token).await.status, 200);
    let unknown = token_with_unknown_kid(&issuer, "never-published");
    let refused = call(&jwt, "/api/private", &unknown).await;
    assert_eq!(
        (refused.status, refused.body),
        (
            503,
            json!({ "msg": "The token's signing keys are unavailable" })
        )
    );
    let refused = call(&custom, "/api/private", &unknown).await;
    assert_eq!(
        (refused.status, refused.body),
        (503, json!({ "retry": true }))
    );

    // Back up: after the cooldown the set is fetched again, and a kid it
    // still lacks is refused as an invalid token.
    provider.restart();
    std::thread::sleep(Duration::from_millis(600));
    let refused = call(&jwt, "/api/private", &unknown).await;
    assert_eq!(
        (refused.status, refused.body),
        (
            422,
            json!({ "msg": "Unable to find a signing key that matches the token's kid" })
        )
    );
}

#[actix_web::test]
async fn a_burst_of_unknown_kids_costs_one_fetch_per_cooldown() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let jwt = resource_server(&provider).build().unwrap();
    let hits = provider.jwks_hits();
    for n in 0..50 {
        let token = token_with_unknown_kid(&provider.issuer(), &format!("random-{n}"));
        assert_eq!(call(&jwt, "/api/private", &token).await.status, 422);
    }
    assert!(
        provider.jwks_hits() - hits <= 1,
        "{} fetches for 50 unknown kids within one cooldown",
        provider.jwks_hits() - hits
    );
}

#[actix_web::test]
async fn an_oct_key_or_a_key_of_another_alg_never_verifies() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let token = provider.token(&[]);
    let kid = kid_of(&token);
    let real = provider.jwks()["keys"][0].clone();

    // The token's kid names a symmetric key; the real key is published
    // under another kid.
    let mut renamed = real.clone();
    renamed["kid"] = json!("renamed");
    provider.override_jwks(&json!({ "keys": [
        { "kty": "oct", "k": b64(b"provider secret"), "kid": kid, "alg": "HS256" },
        renamed,
    ]}));
    let jwt = resource_server(&provider).build().unwrap();
    assert_eq!(call(&jwt, "/api/private", &token).await.status, 422);

    // The real key, but restricted to RS512: an RS256 token cannot use it.
    let mut restricted = real;
    restricted["alg"] = json!("RS512");
    provider.override_jwks(&json!({ "keys": [restricted] }));
    let jwt = resource_server(&provider).build().unwrap();
    let refused = call(&jwt, "/api/private", &token).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
}

#[test]
fn a_second_service_verifies_the_first_through_its_published_keys() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let issuer = format!("http://127.0.0.1:{port}");
    let first = JwtManager::builder()
        .algorithm(Algorithm::ES256)
        .private_key_pem(key("ec256_private.pem"))
        .public_key_pem(key("ec256_public.pem"))
        .key_id("first-2026-12")
        .encode_issuer(&issuer)
        .encode_audience(AUDIENCE)
        .build()
        .unwrap();
    let server = jwt_ext_tests::serve_jwks(listener, first.clone());

    let second = JwtManager::builder()
        .trusted_issuer(
            TrustedIssuer::jwks_url(&issuer, format!("{issuer}/.well-known/jwks.json"))
                .audience(AUDIENCE),
        )
        .build()
        .unwrap();
    let token = first.create_access_token("ann").unwrap();
    let verified = second.decode_token(&token).unwrap();
    assert_eq!(verified.identity(), "ann");
    // A token of the first service for another audience is still refused.
    let other = JwtManager::builder()
        .algorithm(Algorithm::ES256)
        .private_key_pem(key("ec256_private.pem"))
        .public_key_pem(key("ec256_public.pem"))
        .key_id("first-2026-12")
        .encode_issuer(&issuer)
        .encode_audience("https://other.example.test")
        .build()
        .unwrap()
        .create_access_token("ann")
        .unwrap();
    assert_eq!(
        second.decode_token(&other).unwrap_err().to_string(),
        "Audience doesn't match"
    );

    server.stop();
}
