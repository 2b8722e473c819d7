//! Every loader and its default through real actix Apps: identity, claims
//! and headers loaders, key loaders (rotation by `kid`), blocklist, claims
//! verification, user lookup, custom responses, and the order of the
//! pipeline.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    Algorithm, CurrentUser, Jwt, JwtError, JwtErrorKind, JwtManager, JwtManagerBuilder, SigningKey,
    TokenLocation, VerifyingKey, get_current_user, get_jwt_identity, jwt_required,
};
use jwt_ext_tests::key;
use serde_json::{Value, json};

const SECRET: &str = "loaders-test-secret-0123456789abcdef-0123456789";

fn builder() -> JwtManagerBuilder {
    JwtManager::builder().secret_key(SECRET)
}

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

async fn call(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    path: &str,
    token: &str,
) -> (u16, String) {
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(bearer(token))
        .to_request();
    let resp = test::call_service(app, req).await;
    let status = resp.status().as_u16();
    (
        status,
        String::from_utf8(test::read_body(resp).await.to_vec()).unwrap(),
    )
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
struct User {
    id: u64,
    name: String,
    role: String,
}

#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

#[jwt_required(skip_revocation_check)]
async fn unchecked(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

#[jwt_required(refresh)]
async fn refresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

#[jwt_required(fresh)]
async fn fresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

async fn who_am_i(user: CurrentUser<User>) -> HttpResponse {
    HttpResponse::Ok().json(&*user)
}

#[jwt_required(optional)]
async fn maybe_user(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let user = get_current_user::<User>(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "user": user.as_deref() })))
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/protected", web::route().to(protected))
                .route("/unchecked", web::route().to(unchecked))
                .route("/refresh", web::route().to(refresh))
                .route("/fresh", web::route().to(fresh))
                .route("/who_am_i", web::get().to(who_am_i))
                .route("/maybe_user", web::get().to(maybe_user)),
        )
        .await
    };
}

#[actix_web::test]
async fn identity_claims_and_headers_loaders_merge_as_in_flask() {
    let jwt = builder()
        .user_identity_loader(|user| user["name"].clone())
        // The loaders see the identity as given: here the whole user.
        .additional_claims_loader(|user| json!({ "role": user["role"], "source": "loader" }))
        .additional_headers_loader(
            |user| json!({ "kid": format!("user-{}", user["id"]), "x": "loader" }),
        )
        .build()
        .unwrap();
    let ann = User {
        id: 7,
        name: "ann".into(),
        role: "admin".into(),
    };
    let token = jwt
        .access_token(&ann)
        .claim("source", "call")
        .headers(json!({ "x": "call" }))
        .encode()
        .unwrap();
    let decoded = jwt.decode_token(&token).unwrap();
    assert_eq!(decoded.identity(), "ann");
    assert_eq!(decoded.claims()["role"], "admin");
    assert_eq!(decoded.claims()["source"], "call", "the argument wins");
    assert_eq!(decoded.header()["kid"], "user-7");
    assert_eq!(decoded.header()["x"], "call", "the argument wins");
    // Refresh tokens get the loaders' claims too.
    let refresh = jwt
        .decode_token(&jwt.create_refresh_token(&ann).unwrap())
        .unwrap();
    assert_eq!(refresh.claims()["role"], "admin");

    let broken = builder()
        .additional_claims_loader(|_| json!(["not", "an", "object"]))
        .build()
        .unwrap();
    let err = broken.create_access_token("a").unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    assert_eq!(
        err.message(),
        "the additional claims loader must return a JSON object"
    );
}

#[actix_web::test]
async fn keys_rotate_by_kid() {
    let current = "current-secret-0123456789abcdef-0123456789";
    let previous = "previous-secret-0123456789abcdef-012345678";
    let issuer = |secret: &'static str, kid: &'static str| {
        builder()
            .encode_key_loader(move |_| SigningKey::hmac(secret).unwrap().with_kid(kid))
            .build()
            .unwrap()
    };
    let verifier = builder()
        .decode_key_loader(
            move |header, _claims| match header.get("kid").and_then(Value::as_str) {
                Some("2026-11") => Ok(VerifyingKey::hmac(current).unwrap()),
                Some("2026-10") => Ok(VerifyingKey::hmac(previous).unwrap()),
                Some("rsa") => Ok(VerifyingKey::rsa_pem(key("rsa_public.pem")).unwrap()),
                _ => Err(JwtError::new(JwtErrorKind::InvalidToken, "Unknown key id")),
            },
        )
        .build()
        .unwrap();
    let app = app!(verifier.clone());

    let new_token = issuer(current, "2026-11").create_access_token("a").unwrap();
    assert_eq!(
        jwt_ext::get_unverified_jwt_headers(&new_token).unwrap()["kid"],
        "2026-11"
    );
    assert_eq!(call(&app, "/protected", &new_token).await.0, 200);
    let old_token = issuer(previous, "2026-10")
        .create_access_token("a")
        .unwrap();
    assert_eq!(call(&app, "/protected", &old_token).await.0, 200);
    // A token signed with one key but naming another fails the signature.
    let lying = issuer(previous, "2026-11")
        .create_access_token("a")
        .unwrap();
    assert_eq!(
        call(&app, "/protected", &lying).await,
        (422, "{\"msg\":\"Signature verification failed\"}\n".into())
    );
    let unknown = issuer(current, "1999-01").create_access_token("a").unwrap();
    assert_eq!(
        call(&app, "/protected", &unknown).await,
        (422, "{\"msg\":\"Unknown key id\"}\n".into())
    );
    // An HS256 token whose kid selects an RSA key is refused, never verified
    // with the public key as an HMAC secret.
    let confused = issuer(current, "rsa").create_access_token("a").unwrap();
    assert_eq!(
        call(&app, "/protected", &confused).await,
        (
            422,
            "{\"msg\":\"The specified alg value is not allowed\"}\n".into()
        )
    );
}

#[actix_web::test]
async fn an_encode_key_of_another_family_is_refused() {
    let jwt = builder()
        .encode_key_loader(|_| SigningKey::rsa_pem(key("rsa_private.pem")).unwrap())
        .build()
        .unwrap();
    let err = jwt.create_access_token("a").unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    assert!(err.message().contains("another family"), "{err}");
}

#[actix_web::test]
async fn several_issuers_with_their_own_keys() {
    // RS256 and ES256 tokens, each verified with its issuer's key.
    let rsa = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(key("rsa_private.pem"))
        .public_key_pem(key("rsa_public.pem"))
        .encode_issuer("rsa-issuer")
        .build()
        .unwrap();
    let ec = JwtManager::builder()
        .algorithm(Algorithm::ES256)
        .private_key_pem(key("ec256_private.pem"))
        .public_key_pem(key("ec256_public.pem"))
        .encode_issuer("ec-issuer")
        .build()
        .unwrap();
    let verifier = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .public_key_pem(key("rsa_public.pem"))
        .decode_algorithms([Algorithm::ES256])
        .decode_key_loader(
            |_header, claims| match claims.get("iss").and_then(Value::as_str) {
                Some("rsa-issuer") => Ok(VerifyingKey::rsa_pem(key("rsa_public.pem")).unwrap()),
                Some("ec-issuer") => Ok(VerifyingKey::ec_pem(key("ec256_public.pem")).unwrap()),
                _ => Err(JwtError::new(JwtErrorKind::InvalidToken, "Unknown issuer")),
            },
        )
        .build()
        .unwrap();
    let app = app!(verifier);
    assert_eq!(
        call(&app, "/protected", &rsa.create_access_token("r").unwrap())
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, "/protected", &ec.create_access_token("e").unwrap())
            .await
            .0,
        200
    );
}

/// Counts calls, to show which loaders ran.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A manager whose loaders refuse according to claims of the token, and
/// count their calls.
fn judged(calls: &Calls) -> JwtManager {
    let (blocklist, verification, lookup) = (calls.clone(), calls.clone(), calls.clone());
    builder()
        .token_in_blocklist_loader(move |jwt: Jwt| {
            blocklist.hit();
            async move {
                // A real store is awaited here; so is this timer.
                actix_web::rt::time::sleep(std::time::Duration::from_millis(1)).await;
                if jwt.claims().get("store_down") == Some(&Value::Bool(true)) {
                    return Err(actix_web::error::ErrorServiceUnavailable(
                        "blocklist store unreachable",
                    ));
                }
                Ok(jwt.claims().get("revoked") == Some(&Value::Bool(true)))
            }
        })
        .token_verification_loader(move |jwt: Jwt| {
            verification.hit();
            async move {
                Ok::<_, actix_web::Error>(
                    jwt.claims().get("bad_claims") != Some(&Value::Bool(true)),
                )
            }
        })
        .user_lookup_loader(move |jwt: Jwt| {
            lookup.hit();
            async move {
                let name = jwt.identity().as_str().map(str::to_owned);
                Ok::<_, actix_web::Error>(match name.as_deref() {
                    Some("ghost") | None => None,
                    Some(name) => Some(User {
                        id: 1,
                        name: name.to_owned(),
                        role: "user".into(),
                    }),
                })
            }
        })
        .build()
        .unwrap()
}

#[actix_web::test]
async fn loaders_run_in_flask_order_and_the_first_refusal_wins() {
    let calls = Calls::default();
    let jwt = judged(&calls);
    let app = app!(jwt.clone());
    let token =
        |identity: &str, claims: Value| jwt.access_token(identity).claims(claims).encode().unwrap();

    assert_eq!(
        call(&app, "/who_am_i", &token("ann", json!({}))).await,
        (200, r#"{"id":1,"name":"ann","role":"user"}"#.into())
    );
    let revoked = "{\"msg\":\"Token has been revoked\"}\n".to_owned();
    assert_eq!(
        call(
            &app,
            "/protected",
            &token("ann", json!({ "revoked": true }))
        )
        .await,
        (401, revoked.clone())
    );
    // Revoked wins over failed claims and a missing user.
    let all_bad = token("ghost", json!({ "revoked": true, "bad_claims": true }));
    assert_eq!(call(&app, "/protected", &all_bad).await, (401, revoked));
    // Failed claims win over a missing user.
    let bad_claims = token("ghost", json!({ "bad_claims": true }));
    assert_eq!(
        call(&app, "/protected", &bad_claims).await,
        (
            400,
            "{\"msg\":\"User claims verification failed\"}\n".into()
        )
    );
    assert_eq!(
        call(&app, "/protected", &token("ghost", json!({}))).await,
        (401, "{\"msg\":\"Error loading the user ghost\"}\n".into())
    );

    // Refresh tokens are checked for revocation too; skip_revocation_check skips it.
    let revoked_refresh = jwt
        .refresh_token("ann")
        .claim("revoked", true)
        .encode()
        .unwrap();
    assert_eq!(call(&app, "/refresh", &revoked_refresh).await.0, 401);
    assert_eq!(
        call(
            &app,
            "/unchecked",
            &token("ann", json!({ "revoked": true }))
        )
        .await
        .0,
        200
    );

    // Before the signature, type and freshness checks pass, no loader runs.
    let before = calls.count();
    let mut tampered: Vec<String> = token("ann", json!({}))
        .split('.')
        .map(str::to_owned)
        .collect();
    tampered[1] = tampered[1].replace('a', "b");
    assert_eq!(call(&app, "/protected", &tampered.join(".")).await.0, 422);
    let expired = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(-5))
        .encode()
        .unwrap();
    assert_eq!(call(&app, "/protected", &expired).await.0, 401);
    assert_eq!(call(&app, "/fresh", &token("ann", json!({}))).await.0, 401);
    assert_eq!(
        call(&app, "/refresh", &token("ann", json!({}))).await.0,
        422
    );
    assert_eq!(
        calls.count(),
        before,
        "no loader sees an unverified or refused token"
    );
}

#[actix_web::test]
async fn a_failing_store_fails_closed() {
    let calls = Calls::default();
    let jwt = judged(&calls);
    let app = app!(jwt.clone());
    let token = jwt
        .access_token("ann")
        .claim("store_down", true)
        .encode()
        .unwrap();
    let (status, body) = call(&app, "/protected", &token).await;
    assert_eq!(
        (status, body.as_str()),
        (503, "blocklist store unreachable")
    );
}

#[actix_web::test]
async fn user_lookup_messages_use_python_str_of_the_identity() {
    let jwt = builder()
        .verify_sub(false)
        .user_lookup_loader(|_jwt: Jwt| async { Ok::<Option<User>, actix_web::Error>(None) })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    assert_eq!(
        call(&app, "/protected", &jwt.create_access_token(5).unwrap())
            .await
            .1,
        "{\"msg\":\"Error loading the user 5\"}\n"
    );
    let dict = jwt.create_access_token(json!({ "a": 1 })).unwrap();
    assert_eq!(
        call(&app, "/protected", &dict).await.1,
        "{\"msg\":\"Error loading the user {'a': 1}\"}\n"
    );
    assert_eq!(
        call(&app, "/protected", &jwt.create_access_token(true).unwrap())
            .await
            .1,
        "{\"msg\":\"Error loading the user True\"}\n"
    );
}

#[actix_web::test]
async fn current_user_needs_a_loader_and_optional_routes_have_none() {
    let logs = jwt_ext_tests::logs::capture();
    let plain = builder().build().unwrap();
    let app = app!(plain.clone());
    let (status, body) = call(
        &app,
        "/who_am_i",
        &plain.create_access_token("ann").unwrap(),
    )
    .await;
    // flask raises RuntimeError: a bare 500 here, the reason in the log.
    assert_eq!(status, 500);
    assert_eq!(body, "{\"msg\":\"Internal Server Error\"}\n");
    let logged = logs.text();
    assert!(
        logged.lines().any(|line| line.starts_with("ERROR")
            && line.contains("You must provide a `user_lookup_loader` callback")),
        "{logged}"
    );

    let calls = Calls::default();
    let jwt = judged(&calls);
    let app = app!(jwt.clone());
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/maybe_user").to_request(),
    )
    .await;
    assert_eq!(test::read_body(resp).await, "{\"user\":null}");
    let (_, body) = call(&app, "/maybe_user", &jwt.create_access_token("bo").unwrap()).await;
    assert_eq!(body, r#"{"user":{"id":1,"name":"bo","role":"user"}}"#);
}

#[actix_web::test]
async fn every_failure_has_its_custom_response() {
    let respond = |tag: &'static str| {
        move |header: &serde_json::Map<String, Value>, claims: &serde_json::Map<String, Value>| {
            HttpResponse::ImATeapot()
                .json(json!({ "tag": tag, "alg": header["alg"], "sub": claims["sub"] }))
        }
    };
    let jwt = builder()
        .token_location([TokenLocation::Headers, TokenLocation::Cookies])
        .expired_token_loader(|_header, claims| {
            HttpResponse::Unauthorized().json(
                json!({ "code": "dave", "err": "I can't let you do that", "sub": claims["sub"] }),
            )
        })
        .invalid_token_loader(|reason| {
            HttpResponse::UnprocessableEntity().json(json!({ "invalid": reason }))
        })
        .unauthorized_loader(|reason| {
            HttpResponse::Unauthorized().json(json!({ "unauthorized": reason }))
        })
        .needs_fresh_token_loader(respond("fresh"))
        .revoked_token_loader(respond("revoked"))
        .user_lookup_error_loader(respond("user"))
        .token_verification_failed_loader(respond("claims"))
        .token_in_blocklist_loader(|jwt: Jwt| async move {
            Ok::<_, actix_web::Error>(jwt.identity() == "revoked")
        })
        .token_verification_loader(|jwt: Jwt| async move {
            Ok::<_, actix_web::Error>(jwt.identity() != "bad")
        })
        .user_lookup_loader(|jwt: Jwt| async move {
            Ok::<_, actix_web::Error>((jwt.identity() != "ghost").then(|| User {
                id: 2,
                name: "x".into(),
                role: "y".into(),
            }))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let expired = jwt
        .access_token("old")
        .expires(TimeDelta::seconds(-5))
        .encode()
        .unwrap();
    assert_eq!(
        call(&app, "/protected", &expired).await,
        (
            401,
            r#"{"code":"dave","err":"I can't let you do that","sub":"old"}"#.into()
        )
    );
    assert_eq!(
        call(&app, "/protected", "a.b").await,
        (422, r#"{"invalid":"Not enough segments"}"#.into())
    );
    let refresh_token = jwt.create_refresh_token("a").unwrap();
    assert_eq!(
        call(&app, "/protected", &refresh_token).await,
        (
            422,
            r#"{"invalid":"Only non-refresh tokens are allowed"}"#.into()
        )
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/protected").to_request(),
    )
    .await;
    assert_eq!(
        test::read_body(resp).await,
        r#"{"unauthorized":"Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie \"access_token_cookie\")"}"#
    );
    let cookie = jwt.create_access_token("a").unwrap();
    let req = test::TestRequest::post()
        .uri("/protected")
        .insert_header(("Cookie", format!("access_token_cookie={cookie}")))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        test::read_body(resp).await,
        r#"{"unauthorized":"Missing CSRF token"}"#
    );
    let teapot = |tag: &str, sub: &str| {
        (
            418,
            format!(r#"{{"tag":"{tag}","alg":"HS256","sub":"{sub}"}}"#),
        )
    };
    assert_eq!(
        call(&app, "/fresh", &jwt.create_access_token("a").unwrap()).await,
        teapot("fresh", "a")
    );
    assert_eq!(
        call(
            &app,
            "/protected",
            &jwt.create_access_token("revoked").unwrap()
        )
        .await,
        teapot("revoked", "revoked")
    );
    assert_eq!(
        call(&app, "/protected", &jwt.create_access_token("bad").unwrap()).await,
        teapot("claims", "bad")
    );
    assert_eq!(
        call(
            &app,
            "/protected",
            &jwt.create_access_token("ghost").unwrap()
        )
        .await,
        teapot("user", "ghost")
    );
    // The custom responses also render errors of decode_token used with `?`.
    let err = jwt.decode_token(&expired).unwrap_err();
    let resp = actix_web::ResponseError::error_response(&err);
    assert_eq!(resp.status(), 401);
}
