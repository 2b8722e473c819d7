//! The published key set and key rotation: `JwtManager::jwks`, the
//! `jwks_handler` behind a real server, tokens of an older key verified by
//! their `kid`, and a `kid` naming no key refused.

use std::net::{Ipv4Addr, TcpListener};

use actix_web::test as actix_test;
use actix_web::{App, HttpResponse, web};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwt_ext::{Jwt, JwtManager, JwtManagerBuilder};
use jwt_ext_tests::http::request;
use jwt_ext_tests::{fixtures_dir, key, segment_json};
use serde_json::{Value, json};

/// The second RSA pair of the fixtures: the "old" key of the rotation tests.
fn old_rsa(name: &str) -> String {
    let path = fixtures_dir().join("key_encodings").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manager(algorithm: Algorithm, private: &str, public: &str) -> JwtManagerBuilder {
    JwtManager::builder()
        .algorithm(algorithm)
        .private_key_pem(key(private))
        .public_key_pem(key(public))
}

/// The old service: the second RSA pair, named `2026-11`.
fn old_service() -> JwtManager {
    JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(old_rsa("attacker_rsa_private.pem"))
        .public_key_pem(old_rsa("attacker_rsa_public.pem"))
        .key_id("2026-11")
        .build()
        .unwrap()
}

/// After the rotation: the fixtures' RSA pair signs as `2026-12`, the old
/// public key still verifies as `2026-11`.
fn rotated_service() -> JwtManager {
    manager(Algorithm::RS256, "rsa_private.pem", "rsa_public.pem")
        .key_id("2026-12")
        .previous_public_key_pem("2026-11", old_rsa("attacker_rsa_public.pem"))
        .build()
        .unwrap()
}

#[actix_web::get("/me")]
async fn me(jwt: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "sub": jwt.identity(), "kid": jwt.header().get("kid") }))
}

/// Calls `/me` of an app with `jwt` and `token`: (status, body).
async fn call_me(jwt: &JwtManager, token: &str) -> (u16, Value) {
    let app = actix_test::init_service(App::new().app_data(jwt.clone()).service(me)).await;
    let req = actix_test::TestRequest::get()
        .uri("/me")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = actix_test::call_service(&app, req).await;
    let status = resp.status().as_u16();
    (status, actix_test::read_body_json(resp).await)
}

fn header(token: &str) -> Value {
    serde_json::from_str(&segment_json(token, 0)).unwrap()
}

/// Verifies `token` with jsonwebtoken's own JWK handling, independent of
/// jwt-ext's: the key the token's `kid` names in `jwks`.
fn verify_with_jwks(jwks: &Value, token: &str) -> Result<Value, String> {
    let set: JwkSet = serde_json::from_value(jwks.clone()).map_err(|e| e.to_string())?;
    let kid = header(token)["kid"].as_str().map(str::to_owned);
    let jwk = match kid {
        Some(kid) => set.find(&kid).ok_or("no key with that kid")?,
        None => set.keys.first().ok_or("an empty set")?,
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let alg: Algorithm = header(token)["alg"].as_str().unwrap().parse().unwrap();
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

#[test]
fn the_key_set_is_served_over_http_with_caching_headers() {
    let jwt = rotated_service();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = jwt_ext_tests::serve_jwks(listener, jwt.clone());

    let resp = request(port, "GET", "/.well-known/jwks.json", &[], None);
    server.stop();

    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/jwk-set+json")
    );
    assert_eq!(resp.header("cache-control"), Some("public, max-age=300"));
    let served = resp.json();
    assert_eq!(served, jwt.jwks());
    let kids: Vec<_> = served["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(kids, [json!("2026-12"), json!("2026-11")]);
    for jwk in served["keys"].as_array().unwrap() {
        assert_eq!(
            (&jwk["kty"], &jwk["alg"], &jwk["use"]),
            (&json!("RSA"), &json!("RS256"), &json!("sig"))
        );
        // Only the public members, whatever the manager holds.
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            assert!(jwk.get(private).is_none(), "{private} published");
        }
    }
    // What a second service reads from the URL verifies the first one's tokens.
    let token = jwt.create_access_token("alice").unwrap();
    assert_eq!(verify_with_jwks(&served, &token).unwrap()["sub"], "alice");
}

#[actix_web::test]
async fn the_handler_without_a_manager_is_a_500() {
    let app =
        actix_test::init_service(App::new().route("/jwks", web::get().to(jwt_ext::jwks_handler)))
            .await;
    let resp = actix_test::call_service(
        &app,
        actix_test::TestRequest::get().uri("/jwks").to_request(),
    )
    .await;
    assert_eq!(resp.status(), 500);
}

#[actix_web::test]
async fn an_hmac_manager_publishes_an_empty_set() {
    let jwt = JwtManager::builder()
        .secret_key("a-long-random-secret-0123456789abcdef")
        .build()
        .unwrap();
    assert_eq!(jwt.jwks(), json!({ "keys": [] }));
    let app = actix_test::init_service(App::new().app_data(jwt).route(
        "/.well-known/jwks.json",
        web::get().to(jwt_ext::jwks_handler),
    ))
    .await;
    let req = actix_test::TestRequest::get()
        .uri("/.well-known/jwks.json")
        .to_request();
    let body: Value = actix_test::call_and_read_body_json(&app, req).await;
    assert_eq!(body, json!({ "keys": [] }));
}

#[actix_web::test]
async fn each_asymmetric_family_publishes_a_set_that_verifies_its_tokens() {
    let cases = [
        (Algorithm::RS256, "rsa_private.pem", "rsa_public.pem", "RSA"),
        (Algorithm::PS384, "rsa_private.pem", "rsa_public.pem", "RSA"),
        (
            Algorithm::ES256,
            "ec256_private.pem",
            "ec256_public.pem",
            "EC",
        ),
        (
            Algorithm::EdDSA,
            "ed25519_private.pem",
            "ed25519_public.pem",
            "OKP",
        ),
    ];
    for (algorithm, private, public, kty) in cases {
        for kid in [None, Some("k1")] {
            let mut builder = manager(algorithm, private, public);
            if let Some(kid) = kid {
                builder = builder.key_id(kid);
            }
            let jwt = builder.build().unwrap();
            let jwks = jwt.jwks();
            let jwk = &jwks["keys"][0];
            assert_eq!(jwk["kty"], kty, "{algorithm:?}");
            assert_eq!(jwk["alg"], format!("{algorithm:?}"));
            assert_eq!(jwk["use"], "sig");
            // A configured kid, else the 43 characters of a base64url SHA-256.
            match kid {
                Some(kid) => assert_eq!(jwk["kid"], kid),
                None => assert_eq!(jwk["kid"].as_str().unwrap().len(), 43),
            }
            let token = jwt.create_access_token("alice").unwrap();
            assert_eq!(
                header(&token).get("kid").and_then(Value::as_str),
                kid,
                "{algorithm:?}"
            );
            let claims =
                verify_with_jwks(&jwks, &token).unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
            assert_eq!(claims["sub"], "alice");
        }
    }
}

#[actix_web::test]
async fn without_a_key_id_tokens_carry_no_kid_and_any_kid_verifies_as_before() {
    let jwt = manager(Algorithm::RS256, "rsa_private.pem", "rsa_public.pem")
        .build()
        .unwrap();
    let plain = jwt.create_access_token("alice").unwrap();
    assert_eq!(segment_json(&plain, 0), r#"{"alg":"RS256","typ":"JWT"}"#);
    // A manager without key ids does not tell tokens apart by kid: flask's behaviour.
    let named = jwt
        .access_token("alice")
        .headers(json!({ "kid": "anything" }))
        .encode()
        .unwrap();
    assert_eq!(call_me(&jwt, &named).await.0, 200);
}

#[actix_web::test]
async fn rotation_end_to_end() {
    let (old, new) = (old_service(), rotated_service());
    let old_token = old.create_access_token("alice").unwrap();
    assert_eq!(header(&old_token)["kid"], "2026-11");

    // Tokens of the old key still verify, chosen by their kid.
    let (status, body) = call_me(&new, &old_token).await;
    assert_eq!((status, &body["sub"]), (200, &json!("alice")));

    // New tokens carry the new kid, and the old service cannot verify them.
    let new_token = new.create_access_token("bob").unwrap();
    assert_eq!(
        segment_json(&new_token, 0),
        r#"{"alg":"RS256","kid":"2026-12","typ":"JWT"}"#
    );
    assert_eq!(
        call_me(&new, &new_token).await,
        (200, json!({"sub": "bob", "kid": "2026-12"}))
    );
    assert_eq!(call_me(&old, &new_token).await.0, 422);

    // A kid naming no key of the manager: refused, not tried with the current key.
    let unknown = new
        .access_token("carol")
        .headers(json!({ "kid": "2025-01" }))
        .encode()
        .unwrap();
    let (status, body) = call_me(&new, &unknown).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"msg": "Unable to find a signing key that matches the token's kid"})
    );

    // Without a kid: the current key, as before the rotation.
    let current_without_kid = manager(Algorithm::RS256, "rsa_private.pem", "rsa_public.pem")
        .build()
        .unwrap()
        .create_access_token("dave")
        .unwrap();
    assert_eq!(call_me(&new, &current_without_kid).await.0, 200);
    let old_without_kid = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(old_rsa("attacker_rsa_private.pem"))
        .public_key_pem(old_rsa("attacker_rsa_public.pem"))
        .build()
        .unwrap()
        .create_access_token("erin")
        .unwrap();
    let (status, body) = call_me(&new, &old_without_kid).await;
    assert_eq!(
        (status, &body["msg"]),
        (422, &json!("Signature verification failed"))
    );

    // The old key's kid with the current key's signature fails the signature.
    let forged = new
        .access_token("mallory")
        .headers(json!({ "kid": "2026-11" }))
        .encode()
        .unwrap();
    let (status, body) = call_me(&new, &forged).await;
    assert_eq!(
        (status, &body["msg"]),
        (422, &json!("Signature verification failed"))
    );
}

#[actix_web::test]
async fn an_older_ec_key_verifies_by_its_kid() {
    // An older EC key is published with its curve's algorithm and verifies
    // the tokens naming it.
    let jwt = manager(Algorithm::ES256, "ec256_private.pem", "ec256_public.pem")
        .key_id("new")
        .previous_public_key_pem("old", key("ec256_public.pem"))
        .build()
        .unwrap();
    let token = jwt
        .access_token("alice")
        .headers(json!({ "kid": "old" }))
        .encode()
        .unwrap();
    assert_eq!(call_me(&jwt, &token).await.0, 200);
    let published: Vec<_> = jwt.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kid"].clone(), k["alg"].clone(), k["crv"].clone()))
        .collect();
    assert_eq!(
        published,
        [
            (json!("new"), json!("ES256"), json!("P-256")),
            (json!("old"), json!("ES256"), json!("P-256"))
        ]
    );
}

#[actix_web::test]
async fn a_token_naming_an_older_key_of_another_curve_with_the_current_alg_is_refused() {
    let jwt = manager(Algorithm::ES256, "ec256_private.pem", "ec256_public.pem")
        .previous_public_key_pem("p384", key("ec384_public.pem"))
        .build()
        .unwrap();
    let published = &jwt.jwks()["keys"][1];
    assert_eq!(
        (&published["alg"], &published["crv"]),
        (&json!("ES384"), &json!("P-384"))
    );
    // ES256 is allowed, but not with that key: refused before any signature check.
    let token = jwt
        .access_token("mallory")
        .headers(json!({ "kid": "p384" }))
        .encode()
        .unwrap();
    let (status, body) = call_me(&jwt, &token).await;
    assert_eq!(
        (status, &body["msg"]),
        (422, &json!("The specified alg value is not allowed"))
    );
}

#[test]
fn the_key_id_is_read_from_jwt_key_id() {
    let (private, public) = (key("ec256_private.pem"), key("ec256_public.pem"));
    let jwt = JwtManagerBuilder::from_lookup(|name| match name {
        "JWT_ALGORITHM" => Some("ES256".into()),
        "JWT_PRIVATE_KEY" => Some(private.clone()),
        "JWT_PUBLIC_KEY" => Some(public.clone()),
        "JWT_KEY_ID" => Some("from-env".into()),
        _ => None,
    })
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(jwt.jwks()["keys"][0]["kid"], "from-env");
    let token = jwt.create_access_token("alice").unwrap();
    assert_eq!(header(&token)["kid"], "from-env");
}

#[test]
fn start_up_refuses_conflicting_rotation_options() {
    let message = |builder: JwtManagerBuilder| builder.build().unwrap_err().message().to_owned();
    let rsa = || manager(Algorithm::RS256, "rsa_private.pem", "rsa_public.pem");
    assert!(
        message(
            rsa()
                .key_id("a")
                .previous_public_key_pem("a", key("rsa_public.pem"))
        )
        .contains("names two keys")
    );
    assert!(
        message(rsa().previous_public_key_pem("old", key("ec256_public.pem")))
            .starts_with("previous_public_key_pem(\"old\")")
    );
    let hmac = || JwtManager::builder().secret_key("a-long-random-secret-0123456789abcdef");
    assert!(message(hmac().key_id("a")).starts_with("key_id "));
    assert!(
        message(hmac().previous_public_key_pem("old", key("rsa_public.pem")))
            .starts_with("previous_public_key_pem ")
    );
}
