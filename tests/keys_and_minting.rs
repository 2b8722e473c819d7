//! Minting options and every algorithm family with the committed test keys.

use actix_web::test as actix_test;
use actix_web::{App, HttpResponse};
use chrono::TimeDelta;
use jwt_ext::{Algorithm, Expiry, Jwt, JwtErrorKind, JwtManager, JwtManagerBuilder};
use jwt_ext_tests::{fixtures_dir, key, segment_json};
use serde_json::{Value, json};

const SECRET: &str = "minting-test-secret-0123456789abcdef-0123456789abcdef-0123456789";

fn asymmetric(algorithm: Algorithm, private: &str, public: &str) -> JwtManager {
    JwtManager::builder()
        .algorithm(algorithm)
        .private_key_pem(key(private))
        .public_key_pem(key(public))
        .build()
        .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"))
}

#[actix_web::get("/me")]
async fn me(jwt: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "sub": jwt.identity(), "alg": jwt.header()["alg"] }))
}

#[actix_web::test]
async fn every_asymmetric_family_round_trips() {
    let cases = [
        (Algorithm::RS256, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::RS512, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::PS256, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::ES256, "ec256_private.pem", "ec256_public.pem"),
        (
            Algorithm::EdDSA,
            "ed25519_private.pem",
            "ed25519_public.pem",
        ),
    ];
    for (algorithm, private, public) in cases {
        let jwt = asymmetric(algorithm, private, public);
        let token = jwt.create_access_token("alice").unwrap();
        let app = actix_test::init_service(App::new().app_data(jwt.clone()).service(me)).await;
        let req = actix_test::TestRequest::get()
            .uri("/me")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let resp = actix_test::call_service(&app, req).await;
        assert_eq!(resp.status(), 200, "{algorithm:?}");
        let body: Value = actix_test::read_body_json(resp).await;
        assert_eq!(body["sub"], "alice");
        assert_eq!(body["alg"], json!(format!("{algorithm:?}")));

        // A tampered payload fails the signature, whatever the family.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = base64_json(&json!({ "sub": "mallory", "type": "access" }));
        let err = jwt.decode_token(&parts.join(".")).unwrap_err();
        assert_eq!(
            err.message(),
            "Signature verification failed",
            "{algorithm:?}"
        );
    }
}

fn base64_json(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[actix_web::test]
async fn ecdsa_zero_signatures_are_refused() {
    let jwt = asymmetric(Algorithm::ES256, "ec256_private.pem", "ec256_public.pem");
    let token = jwt.create_access_token("alice").unwrap();
    let (signing_input, _) = token.rsplit_once('.').unwrap();
    let zeros = "A".repeat(86);
    let err = jwt
        .decode_token(&format!("{signing_input}.{zeros}"))
        .unwrap_err();
    assert_eq!(err.message(), "Signature verification failed");
}

#[test]
fn a_public_key_alone_verifies_but_cannot_mint() {
    let signer = asymmetric(Algorithm::RS256, "rsa_private.pem", "rsa_public.pem");
    let verifier = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa_public.pem"))
        .build()
        .unwrap();
    let token = signer.create_access_token("alice").unwrap();
    assert_eq!(verifier.decode_token(&token).unwrap().identity(), "alice");
    let err = verifier.create_access_token("alice").unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    assert_eq!(
        err.message(),
        "JWT_PRIVATE_KEY must be set to use asymmetric cryptography algorithm \"RS256\""
    );
}

#[test]
fn keys_that_do_not_fit_are_startup_errors() {
    let err = JwtManager::builder()
        .algorithm(Algorithm::ES384)
        .private_key_pem(key("ec256_private.pem"))
        .public_key_pem(key("ec256_public.pem"))
        .build()
        .unwrap_err();
    assert!(err.message().contains("\"ES384\""), "{err}");
    let err = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("ec256_public.pem"))
        .build()
        .unwrap_err();
    assert!(
        err.message()
            .starts_with("JWT_PUBLIC_KEY is not a PEM RSA public key"),
        "{err}"
    );
    let err = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem("not a key")
        .build()
        .unwrap_err();
    assert!(err.message().starts_with("JWT_PUBLIC_KEY"), "{err}");
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let err = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa1024_public.pem"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.message(),
        "the RSA key has 1024 bits; RFC 7518 requires at least 2048 for \"RS256\""
    );
}

#[test]
fn rs256_keys_load_from_files_named_in_the_environment() {
    let keys = fixtures_dir().join("keys");
    let lookup = |name: &str| match name {
        "JWT_ALGORITHM" => Some("RS256".to_owned()),
        "JWT_PRIVATE_KEY_FILE" => Some(keys.join("rsa_private.pem").display().to_string()),
        "JWT_PUBLIC_KEY_FILE" => Some(keys.join("rsa_public.pem").display().to_string()),
        _ => None,
    };
    let jwt = JwtManagerBuilder::from_lookup(lookup)
        .unwrap()
        .build()
        .unwrap();
    let token = jwt.create_access_token("alice").unwrap();
    assert_eq!(segment_json(&token, 0), r#"{"alg":"RS256","typ":"JWT"}"#);

    let missing =
        |name: &str| (name == "JWT_PUBLIC_KEY_FILE").then(|| "no/such/file.pem".to_owned());
    let err = JwtManagerBuilder::from_lookup(missing).err().unwrap();
    assert!(
        err.message()
            .starts_with("JWT_PUBLIC_KEY_FILE: cannot read"),
        "{err}"
    );
}

fn hs() -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .decode_algorithms([Algorithm::HS512])
        .build()
        .unwrap()
}

#[test]
fn extra_headers_follow_pyjwt() {
    let jwt = hs();
    // `alg` changes the signing algorithm, within the key's family.
    let token = jwt
        .access_token("a")
        .headers(json!({ "alg": "HS512", "kid": "k9", "x": "y" }))
        .encode()
        .unwrap();
    assert_eq!(
        segment_json(&token, 0),
        r#"{"alg":"HS512","kid":"k9","typ":"JWT","x":"y"}"#
    );
    assert_eq!(jwt.decode_token(&token).unwrap().header()["alg"], "HS512");
    let strict = JwtManager::builder().secret_key(SECRET).build().unwrap();
    assert_eq!(
        strict.decode_token(&token).unwrap_err().message(),
        "The specified alg value is not allowed"
    );

    let err = jwt
        .access_token("a")
        .headers(json!({ "alg": "RS256" }))
        .encode()
        .unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    // `typ: null` drops the header.
    let token = jwt
        .access_token("a")
        .headers(json!({ "typ": null }))
        .encode()
        .unwrap();
    assert_eq!(segment_json(&token, 0), r#"{"alg":"HS256"}"#);
    let err = jwt
        .access_token("a")
        .headers(json!({ "kid": 5 }))
        .encode()
        .unwrap_err();
    assert_eq!(err.message(), "Key ID header parameter must be a string");
}

#[test]
fn additional_claims_may_override_reserved_ones() {
    let jwt = hs();
    let token = jwt
        .access_token("a")
        .claims(json!({ "type": "refresh", "sub": "b", "extra": 1 }))
        .encode()
        .unwrap();
    let decoded = jwt.decode_token(&token).unwrap();
    assert!(decoded.is_refresh());
    assert_eq!(decoded.identity(), "b");
    let payload = segment_json(&token, 1);
    assert!(
        payload.contains(r#""type":"refresh","sub":"b""#),
        "overrides keep their position: {payload}"
    );
    assert!(payload.ends_with(r#""extra":1}"#), "{payload}");

    let err = jwt
        .access_token("a")
        .claims(json!(["not", "an", "object"]))
        .encode()
        .unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
}

#[test]
fn expiry_choices() {
    let jwt = hs();
    let never = jwt
        .access_token("a")
        .expires(Expiry::Never)
        .encode()
        .unwrap();
    assert!(jwt.decode_token(&never).unwrap().expires_at().is_none());
    let hour = jwt
        .access_token("a")
        .expires(TimeDelta::hours(1))
        .encode()
        .unwrap();
    let decoded = jwt.decode_token(&hour).unwrap();
    assert_eq!(
        decoded.expires_at().unwrap() - decoded.claims()["iat"].as_i64().unwrap(),
        3600
    );
    let refresh = jwt.create_refresh_token("a").unwrap();
    let decoded = jwt.decode_token(&refresh).unwrap();
    assert_eq!(
        decoded.expires_at().unwrap() - decoded.claims()["iat"].as_i64().unwrap(),
        30 * 86400
    );
    let err = jwt
        .access_token("a")
        .expires(TimeDelta::zero())
        .encode()
        .unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
}

#[test]
fn unserialisable_identities_are_encode_errors() {
    let jwt = hs();
    let mut map = std::collections::HashMap::new();
    map.insert(vec![1u8], 1);
    let err = jwt.create_access_token(map).unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    assert_eq!(err.status(), 500);
}

#[test]
fn csrf_and_nbf_switches() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .cookie_csrf_protect(false)
        .encode_nbf(false)
        .build()
        .unwrap();
    let claims = jwt
        .decode_token(&jwt.create_access_token("a").unwrap())
        .unwrap()
        .into_parts()
        .1;
    assert!(!claims.contains_key("csrf") && !claims.contains_key("nbf"));
    let claims = hs()
        .decode_token(&hs().create_access_token("a").unwrap())
        .unwrap()
        .into_parts()
        .1;
    assert!(claims.contains_key("csrf") && claims.contains_key("nbf"));
}

#[test]
fn jti_and_unverified_headers() {
    let jwt = hs();
    let token = jwt
        .access_token("a")
        .headers(json!({ "kid": "k1" }))
        .encode()
        .unwrap();
    let jti = jwt.get_jti(&token).unwrap().unwrap();
    assert_eq!(Some(jti.as_str()), jwt.decode_token(&token).unwrap().jti());
    // Another key: get_jti verifies, get_unverified_jwt_headers does not.
    let other = JwtManager::builder()
        .secret_key("another-secret-0123456789abcdef-0123456789")
        .build()
        .unwrap();
    assert_eq!(
        other.get_jti(&token).unwrap_err().message(),
        "Signature verification failed"
    );
    let header = jwt_ext::get_unverified_jwt_headers(&token).unwrap();
    assert_eq!(header["kid"], "k1");
    assert_eq!(
        jwt_ext::get_unverified_jwt_headers("a.b")
            .unwrap_err()
            .message(),
        "Not enough segments"
    );
}

#[test]
fn float_claims_round_trip_exactly() {
    // Found by fuzzing: without serde_json's float_roundtrip these came back changed.
    let jwt = hs();
    for value in [
        4.72316840475785e-309_f64,
        1.1756428363648023e214,
        0.1,
        1795871212.922241,
    ] {
        let token = jwt.access_token("a").claim("x", value).encode().unwrap();
        assert_eq!(
            jwt.decode_token(&token).unwrap().claims()["x"].as_f64(),
            Some(value),
            "{value:e}"
        );
    }
}

#[test]
fn an_identity_claim_named_like_a_minted_claim_takes_its_place() {
    // flask builds the claims as a dict literal: a repeated key keeps its
    // first position and its last value, with or without extra claims.
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .identity_claim("jti")
        .build()
        .unwrap();
    let plain = segment_json(&jwt.create_access_token("alice").unwrap(), 1);
    let extra = jwt
        .access_token("alice")
        .claims(json!({ "role": "admin" }))
        .encode()
        .unwrap();
    let extra = segment_json(&extra, 1);
    let order = ["fresh", "iat", "jti", "type", "nbf", "csrf", "exp"];
    assert_eq!(jwt_ext_tests::key_order(&plain), order);
    assert_eq!(jwt_ext_tests::key_order(&extra)[..7], order);
    for payload in [&plain, &extra] {
        let claims: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(claims["jti"], "alice", "{payload}");
    }
}
