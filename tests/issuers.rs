//! Trusted issuers with keys known in advance (a JWK Set document): a token
//! is checked against the issuer its `iss` names, with that issuer's keys,
//! algorithms, audience and leeway; the manager's own tokens still verify;
//! a manager without keys of its own verifies only its issuers' tokens.
//! The same checks against a real OpenID Provider are in `oidc`.

use actix_web::test as actix_test;
use actix_web::{App, HttpResponse, get};
use chrono::TimeDelta;
use jsonwebtoken::Algorithm;
use jwt_ext::{
    JwtError, JwtManager, JwtManagerBuilder, TrustedIssuer, get_jwt_identity, jwt_required,
};
use jwt_ext_tests::{forge_hs256, key};
use serde_json::{Value, json};

const ISSUER: &str = "https://tenant.example.test/";
const AUDIENCE: &str = "https://api.example.test";
const SECRET: &str = "the resource server's own secret, 32 bytes or more";

/// A manager minting as `ISSUER` for `AUDIENCE` with a PEM key pair under
/// `kid`.
fn minting(
    algorithm: Algorithm,
    private_pem: Vec<u8>,
    public_pem: Vec<u8>,
    kid: &str,
) -> JwtManagerBuilder {
    JwtManager::builder()
        .algorithm(algorithm)
        .private_key_pem(private_pem)
        .public_key_pem(public_pem)
        .key_id(kid)
        .encode_issuer(ISSUER)
        .encode_audience(AUDIENCE)
}

/// The identity provider: the fixtures' RSA pair under the key id `prov-1`.
fn provider_builder() -> JwtManagerBuilder {
    minting(
        Algorithm::RS256,
        key("rsa_private.pem").into(),
        key("rsa_public.pem").into(),
        "prov-1",
    )
}

/// The provider, minting for `audience`.
fn provider(audience: &str) -> JwtManager {
    provider_builder()
        .encode_audience(audience)
        .build()
        .unwrap()
}

fn provider_jwks() -> String {
    provider(AUDIENCE).jwks().to_string()
}

fn trusted() -> TrustedIssuer {
    TrustedIssuer::with_jwks(ISSUER, provider_jwks()).audience(AUDIENCE)
}

/// A service with its own secret that also trusts the provider.
fn service() -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .trusted_issuer(trusted())
        .build()
        .unwrap()
}

#[get("/private")]
#[jwt_required]
async fn private(req: actix_web::HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "sub": get_jwt_identity(&req)? })))
}

/// Status and body of `GET /private` with `token`.
async fn call(manager: &JwtManager, token: &str) -> (u16, Value) {
    let app = actix_test::init_service(App::new().app_data(manager.clone()).service(private)).await;
    let req = actix_test::TestRequest::get()
        .uri("/private")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let res = actix_test::call_service(&app, req).await;
    let status = res.status().as_u16();
    (status, actix_test::read_body_json(res).await)
}

#[actix_web::test]
async fn a_token_of_a_trusted_issuer_and_an_own_token_both_pass() {
    let service = service();
    let from_provider = provider(AUDIENCE).create_access_token("client-1").unwrap();
    assert_eq!(
        call(&service, &from_provider).await,
        (200, json!({ "sub": "client-1" }))
    );
    let own = service.create_access_token("ann").unwrap();
    assert_eq!(call(&service, &own).await, (200, json!({ "sub": "ann" })));
}

#[actix_web::test]
async fn the_issuers_audience_is_checked() {
    let other_api = provider("https://other-api.example.test")
        .create_access_token("client-1")
        .unwrap();
    assert_eq!(
        call(&service(), &other_api).await,
        (422, json!({ "msg": "Audience doesn't match" }))
    );
}

#[actix_web::test]
async fn a_kid_the_issuer_does_not_publish_is_refused() {
    let renamed = minting(
        Algorithm::RS256,
        key("rsa_private.pem").into(),
        key("rsa_public.pem").into(),
        "prov-2",
    )
    .build()
    .unwrap();
    let token = renamed.create_access_token("client-1").unwrap();
    assert_eq!(
        call(&service(), &token).await,
        (
            422,
            json!({ "msg": "Unable to find a signing key that matches the token's kid" })
        )
    );
}

#[actix_web::test]
async fn a_token_whose_alg_does_not_fit_the_published_key_is_refused() {
    let impostor = minting(
        Algorithm::ES256,
        key("ec256_private.pem").into(),
        key("ec256_public.pem").into(),
        "prov-1",
    )
    .build()
    .unwrap();
    let token = impostor.create_access_token("client-1").unwrap();
    // The published key is RSA: an ES256 token cannot use it.
    assert_eq!(
        call(&service(), &token).await,
        (
            422,
            json!({ "msg": "The specified alg value is not allowed" })
        )
    );
}

#[actix_web::test]
async fn another_rsa_key_under_the_issuers_kid_fails_the_signature() {
    let path = |name: &str| {
        jwt_ext_tests::fixtures_dir()
            .join("key_encodings")
            .join(name)
    };
    let impostor = minting(
        Algorithm::RS256,
        std::fs::read(path("attacker_rsa_private.pem")).unwrap(),
        std::fs::read(path("attacker_rsa_public.pem")).unwrap(),
        "prov-1",
    )
    .build()
    .unwrap();
    let token = impostor.create_access_token("client-1").unwrap();
    assert_eq!(
        call(&service(), &token).await,
        (422, json!({ "msg": "Signature verification failed" }))
    );
}

#[actix_web::test]
async fn an_hmac_token_naming_a_trusted_issuer_never_meets_the_own_secret() {
    // Signed with the service's own secret, but naming the provider: the
    // provider's keys decide, and they allow no HMAC.
    let token = forge_hs256(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &json!({ "sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "type": "access" }).to_string(),
        SECRET,
    );
    assert_eq!(
        call(&service(), &token).await,
        (
            422,
            json!({ "msg": "The specified alg value is not allowed" })
        )
    );
}

#[actix_web::test]
async fn a_service_without_keys_of_its_own_trusts_only_its_issuers() {
    let resource_server = JwtManager::builder()
        .trusted_issuer(trusted())
        .build()
        .unwrap();
    let from_provider = provider(AUDIENCE).create_access_token("client-1").unwrap();
    assert_eq!(
        call(&resource_server, &from_provider).await,
        (200, json!({ "sub": "client-1" }))
    );
    let foreign = JwtManager::builder()
        .secret_key(SECRET)
        .build()
        .unwrap()
        .create_access_token("ann")
        .unwrap();
    assert_eq!(
        call(&resource_server, &foreign).await,
        (422, json!({ "msg": "The token's issuer is not trusted" }))
    );
    // It mints nothing.
    let err = resource_server.create_access_token("ann").unwrap_err();
    assert_eq!(err.status().as_u16(), 500);
}

#[actix_web::test]
async fn each_issuer_has_its_own_leeway() {
    // Minted two minutes ago for one minute.
    let expired_a_minute_ago = provider_builder()
        .clock(|| chrono::Utc::now() - TimeDelta::minutes(2))
        .build()
        .unwrap()
        .access_token("client-1")
        .expires(TimeDelta::minutes(1))
        .encode()
        .unwrap();
    let strict = service();
    assert_eq!(
        call(&strict, &expired_a_minute_ago).await,
        (401, json!({ "msg": "Token has expired" }))
    );
    let lenient = JwtManager::builder()
        .secret_key(SECRET)
        .trusted_issuer(trusted().leeway(TimeDelta::seconds(90)))
        .build()
        .unwrap();
    assert_eq!(call(&lenient, &expired_a_minute_ago).await.0, 200);
}

#[test]
fn misconfigured_issuers_fail_at_start_up() {
    let refused = |builder: jwt_ext::JwtManagerBuilder| builder.build().unwrap_err().to_string();
    assert!(
        refused(JwtManager::builder().trusted_issuer(trusted().algorithms([Algorithm::HS256])))
            .contains("HMAC keys are never taken")
    );
    assert!(
        refused(
            JwtManager::builder()
                .trusted_issuer(trusted())
                .trusted_issuer(trusted())
        )
        .contains("configured twice")
    );
    assert!(
        refused(JwtManager::builder().trusted_issuer(TrustedIssuer::with_jwks(ISSUER, "{")))
            .contains("cannot be read")
    );
    let only_oct = json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0", "kid": "s" }] }).to_string();
    assert!(
        refused(JwtManager::builder().trusted_issuer(TrustedIssuer::with_jwks(ISSUER, only_oct)))
            .contains("no usable key")
    );
}
