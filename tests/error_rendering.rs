//! Every way a manager's error reaches a client renders with that manager's
//! configuration: its `JWT_ERROR_MESSAGE_KEY` and its custom response
//! loaders. Each public fallible method of `JwtManager`, each extractor,
//! `#[jwt_required]` and each request getter is made to fail on a manager
//! with `error_message_key("error")` and custom loaders, and the answer is
//! checked: the custom response where a loader applies, else
//! `{"error": ...}`, server faults included.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    CookieOptions, CurrentUser, DecodeOptions, Jwt, JwtError, JwtIdentity, JwtManager, OptionalJwt,
    RevocationStore, StoreError, StoreFuture, VerifyOptions, get_current_user, get_jwt,
    get_jwt_header, get_jwt_identity, jwt_required, verify_jwt_in_request,
    verify_jwt_in_request_with_payload,
};
use serde::Serialize;
use serde_json::{Value, json};

const SECRET: &str = "error-rendering-test-secret-0123456789";

/// A store that answers lookups (nothing is revoked) but cannot write:
/// verification passes, `revoke_token` and rotation fail.
struct ReadOnlyStore;

impl RevocationStore for ReadOnlyStore {
    fn insert<'a>(&'a self, _: &'a str, _: Option<Duration>) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }

    fn contains<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async { Ok(false) })
    }
}

/// A manager with the message key `error` and custom loaders for invalid
/// tokens, missing tokens and an unavailable store. With a store,
/// verification awaits it (the boxed path of the extractors); without, it
/// is synchronous.
fn manager(with_store: bool) -> JwtManager {
    let builder = JwtManager::builder()
        .secret_key(SECRET)
        .error_message_key("error")
        .invalid_token_loader(|reason| {
            HttpResponse::UnprocessableEntity().json(json!({ "custom": "invalid", "why": reason }))
        })
        .unauthorized_loader(|reason| {
            HttpResponse::Unauthorized().json(json!({ "custom": "unauthorized", "why": reason }))
        })
        .store_unavailable_loader(|reason| {
            HttpResponse::ServiceUnavailable().json(json!({ "custom": "store", "why": reason }))
        });
    let builder = if with_store {
        builder.revocation_store(ReadOnlyStore)
    } else {
        builder
    };
    builder.build().unwrap()
}

/// An identity that cannot be serialised.
struct Unserialisable;

impl Serialize for Unserialisable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("not serialisable"))
    }
}

const GARBAGE: &str = "not-a-token";

/// Calls the `JwtManager` method named in the path so that it fails, and
/// answers its error with `?`, as a handler does.
async fn call(jwt: JwtManager, name: web::Path<String>) -> Result<HttpResponse, JwtError> {
    let access = jwt.create_access_token("ann")?;
    let refresh = jwt.create_refresh_token("ann")?;
    let expired = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(-3600))
        .encode()?;
    let too_big = "x".repeat(5000);
    let not_an_object = json!([1, 2]);
    let mut response = HttpResponse::Ok().finish();
    let options = CookieOptions::new();
    match name.as_str() {
        "access_token.encode" => drop(jwt.access_token("ann").claims(&not_an_object).encode()?),
        "refresh_token.encode" => drop(jwt.refresh_token("ann").claims(&not_an_object).encode()?),
        "token_pair.encode" => drop(jwt.token_pair("ann").claims(&not_an_object).encode()?),
        "create_access_token" => drop(jwt.create_access_token(Unserialisable)?),
        "create_refresh_token" => drop(jwt.create_refresh_token(Unserialisable)?),
        "create_token_pair" => drop(jwt.create_token_pair(Unserialisable)?),
        "decode_token" => drop(jwt.decode_token(GARBAGE)?),
        "decode_token_with" => drop(jwt.decode_token_with(&expired, DecodeOptions::default())?),
        "get_jti" => drop(jwt.get_jti(GARBAGE)?),
        "get_csrf_token" => drop(jwt.get_csrf_token(GARBAGE)?),
        "set_access_cookies" => jwt.set_access_cookies(&mut response, &too_big)?,
        "set_access_cookies_with" => {
            jwt.set_access_cookies_with(&mut response, &too_big, &options)?;
        }
        "set_refresh_cookies" => jwt.set_refresh_cookies(&mut response, &too_big)?,
        "set_refresh_cookies_with" => {
            jwt.set_refresh_cookies_with(&mut response, &too_big, &options)?;
        }
        "revoke_token" => jwt.revoke_token(&jwt.decode_token(&access)?).await?,
        "rotate_refresh_token" => {
            drop(
                jwt.rotate_refresh_token(&jwt.decode_token(&refresh)?)
                    .await?,
            );
        }
        other => panic!("no case for {other}"),
    }
    Ok(HttpResponse::Ok().body("did not fail"))
}

async fn jwt_extractor(_: Jwt) -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

async fn optional_extractor(_: OptionalJwt) -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

async fn identity_extractor(_: JwtIdentity<u64>) -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

async fn user_extractor(_: CurrentUser<String>) -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

#[jwt_required(fresh)]
async fn fresh_guard() -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

#[jwt_required(scopes = ["write"])]
async fn scoped_guard() -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

async fn getter(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, JwtError> {
    match name.as_str() {
        "get_jwt" => drop(get_jwt(&req)?),
        "get_jwt_header" => drop(get_jwt_header(&req)?),
        "get_jwt_identity" => drop(get_jwt_identity(&req)?),
        "get_current_user" => drop(get_current_user::<String>(&req)?),
        "verify_jwt_in_request" => drop(verify_jwt_in_request(&req, VerifyOptions::new()).await?),
        "verify_jwt_in_request_with_roles" => {
            let options = VerifyOptions::new().roles(["admin"]);
            drop(verify_jwt_in_request(&req, options).await?);
        }
        other => panic!("no case for {other}"),
    }
    Ok(HttpResponse::Ok().body("did not fail"))
}

#[jwt_required]
async fn guarded_current_user(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    get_current_user::<String>(&req)?;
    Ok(HttpResponse::Ok().body("did not fail"))
}

/// An application extractor built on `verify_jwt_in_request_with_payload`.
struct Caller;

impl FromRequest for Caller {
    type Error = JwtError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, JwtError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let verification = verify_jwt_in_request_with_payload(req, payload, VerifyOptions::new());
        Box::pin(async move {
            verification.await?;
            Ok(Caller)
        })
    }
}

async fn caller_extractor(_: Caller) -> HttpResponse {
    HttpResponse::Ok().body("did not fail")
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/manager/{name}", web::get().to(call))
                .route("/extract/jwt", web::get().to(jwt_extractor))
                .route("/extract/optional", web::get().to(optional_extractor))
                .route("/extract/identity", web::get().to(identity_extractor))
                .route("/extract/user", web::get().to(user_extractor))
                .route("/extract/guard", web::get().to(fresh_guard))
                .route("/extract/scoped", web::get().to(scoped_guard))
                .route("/extract/caller", web::get().to(caller_extractor))
                .route(
                    "/get/guarded/get_current_user",
                    web::get().to(guarded_current_user),
                )
                .route("/get/{name}", web::get().to(getter)),
        )
        .await
    };
}

fn server_fault() -> Value {
    json!({ "error": "Internal Server Error" })
}

fn invalid(why: &str) -> Value {
    json!({ "custom": "invalid", "why": why })
}

fn unauthorized(why: &str) -> Value {
    json!({ "custom": "unauthorized", "why": why })
}

/// What each failing entry point must answer: (name, uri, token sent,
/// status, body).
fn expectations(jwt: &JwtManager) -> Vec<(&'static str, String, Option<String>, u16, Value)> {
    let access = jwt.create_access_token("ann").unwrap();
    let mut cases: Vec<(&'static str, String, Option<String>, u16, Value)> = Vec::new();
    for name in [
        "access_token.encode",
        "refresh_token.encode",
        "token_pair.encode",
        "create_access_token",
        "create_refresh_token",
        "create_token_pair",
        "set_access_cookies",
        "set_access_cookies_with",
        "set_refresh_cookies",
        "set_refresh_cookies_with",
    ] {
        cases.push((name, format!("/manager/{name}"), None, 500, server_fault()));
    }
    for name in ["decode_token", "get_jti", "get_csrf_token"] {
        let body = invalid("Not enough segments");
        cases.push((name, format!("/manager/{name}"), None, 422, body));
    }
    let expired = json!({ "error": "Token has expired" });
    cases.push((
        "decode_token_with",
        "/manager/decode_token_with".into(),
        None,
        401,
        expired,
    ));
    let none = || None;
    let bearer = |token: &str| Some(format!("Bearer {token}"));
    cases.extend([
        (
            "Jwt",
            "/extract/jwt".into(),
            none(),
            401,
            unauthorized("Missing Authorization Header"),
        ),
        (
            "OptionalJwt",
            "/extract/optional".into(),
            bearer(GARBAGE),
            422,
            invalid("Not enough segments"),
        ),
        (
            "CurrentUser",
            "/extract/user".into(),
            bearer(&access),
            500,
            server_fault(),
        ),
        (
            "#[jwt_required(fresh)]",
            "/extract/guard".into(),
            bearer(&access),
            401,
            json!({ "error": "Fresh token required" }),
        ),
        (
            "#[jwt_required(scopes)]",
            "/extract/scoped".into(),
            bearer(&access),
            403,
            json!({ "error": "Missing required scopes: write" }),
        ),
        (
            "verify_jwt_in_request (roles)",
            "/get/verify_jwt_in_request_with_roles".into(),
            bearer(&access),
            403,
            json!({ "error": "Missing required roles: admin" }),
        ),
        (
            "verify_jwt_in_request_with_payload",
            "/extract/caller".into(),
            bearer(GARBAGE),
            422,
            invalid("Not enough segments"),
        ),
        (
            "get_current_user (after the guard)",
            "/get/guarded/get_current_user".into(),
            bearer(&access),
            500,
            server_fault(),
        ),
        (
            "verify_jwt_in_request",
            "/get/verify_jwt_in_request".into(),
            none(),
            401,
            unauthorized("Missing Authorization Header"),
        ),
    ]);
    for name in [
        "get_jwt",
        "get_jwt_header",
        "get_jwt_identity",
        "get_current_user",
    ] {
        cases.push((name, format!("/get/{name}"), none(), 500, server_fault()));
    }
    cases
}

async fn check_all(with_store: bool) {
    let jwt = manager(with_store);
    let app = app!(jwt.clone());
    let mut cases = expectations(&jwt);
    if with_store {
        let store = || json!({ "custom": "store", "why": "Token revocation status unavailable" });
        cases.push((
            "revoke_token",
            "/manager/revoke_token".into(),
            None,
            503,
            store(),
        ));
        cases.push((
            "rotate_refresh_token",
            "/manager/rotate_refresh_token".into(),
            None,
            503,
            store(),
        ));
    }
    let mut wrong = Vec::new();
    for (name, uri, authorization, status, body) in cases {
        let mut req = test::TestRequest::get().uri(&uri);
        if let Some(authorization) = authorization {
            req = req.insert_header(("Authorization", authorization));
        }
        let resp = test::call_service(&app, req.to_request()).await;
        let got_status = resp.status().as_u16();
        let bytes = test::read_body(resp).await;
        let got: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        if got_status != status || got != body {
            wrong.push(format!(
                "{name}: {got_status} {got}, expected {status} {body}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "with_store={with_store}:\n{}",
        wrong.join("\n")
    );
}

#[actix_web::test]
async fn every_failure_renders_with_the_managers_configuration() {
    check_all(false).await;
}

#[actix_web::test]
async fn every_failure_renders_with_the_managers_configuration_when_verification_awaits() {
    check_all(true).await;
}

/// The identity extractor's own failure (the token is valid, its identity
/// is not a `u64`) goes to the invalid-token loader too.
#[actix_web::test]
async fn identity_extractor_failure_uses_the_invalid_token_loader() {
    for with_store in [false, true] {
        let jwt = manager(with_store);
        let app = app!(jwt.clone());
        let token = jwt.create_access_token("ann").unwrap();
        let req = test::TestRequest::get()
            .uri("/extract/identity")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let resp = test::call_service(&app, req).await;
        assert_eq!(resp.status(), 422, "with_store={with_store}");
        let body: Value = test::read_body_json(resp).await;
        assert_eq!(body["custom"], "invalid", "with_store={with_store}: {body}");
        assert!(
            body["why"]
                .as_str()
                .unwrap()
                .starts_with("Invalid identity claim"),
            "{body}"
        );
    }
}

/// A loader's own `JwtError::new`, which knows no manager, renders with the
/// manager's key once it passes through the pipeline.
#[actix_web::test]
async fn errors_built_by_loaders_take_the_managers_key() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .error_message_key("error")
        .decode_key_loader(|_, _| {
            Err(JwtError::new(
                jwt_ext::JwtErrorKind::ClaimsVerification,
                "no key for you",
            ))
        })
        .build()
        .unwrap();
    let token = jwt.create_access_token("ann").unwrap();
    let app = app!(jwt.clone());
    let req = test::TestRequest::get()
        .uri("/extract/jwt")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 400);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body, json!({ "error": "no key for you" }));
    let err = jwt.decode_token(&token).unwrap_err();
    assert_eq!(err.body(), "{\"error\":\"no key for you\"}\n");
}

/// With `bearer_realm`, the RFC 6750 challenge is added where the token (or
/// its absence) is refused, to default and custom answers alike, and never
/// to server faults or a store outage.
#[actix_web::test]
async fn bearer_challenges_reach_every_refusal_and_only_refusals() {
    for with_store in [false, true] {
        let jwt = JwtManager::builder()
            .secret_key(SECRET)
            .error_message_key("error")
            .bearer_realm("api")
            .unauthorized_loader(|reason| {
                HttpResponse::Unauthorized().json(json!({ "why": reason }))
            })
            .store_unavailable_loader(|_| HttpResponse::ServiceUnavailable().finish());
        let jwt = if with_store {
            jwt.revocation_store(ReadOnlyStore)
        } else {
            jwt
        }
        .build()
        .unwrap();
        let access = jwt.create_access_token("ann").unwrap();
        let app = app!(jwt.clone());
        let invalid_token = |why: &str| {
            format!(r#"Bearer realm="api", error="invalid_token", error_description="{why}""#)
        };
        let mut cases: Vec<(&str, Option<&str>, Option<String>)> = vec![
            ("/extract/jwt", None, Some(r#"Bearer realm="api""#.into())),
            ("/extract/optional", Some(GARBAGE), Some(invalid_token("Not enough segments"))),
            ("/extract/guard", Some(&access), Some(invalid_token("Fresh token required"))),
            (
                "/extract/scoped",
                Some(&access),
                Some(
                    r#"Bearer realm="api", error="insufficient_scope", error_description="Missing required scopes: write", scope="write""#
                        .into(),
                ),
            ),
            ("/manager/decode_token_with", None, Some(invalid_token("Token has expired"))),
            ("/extract/user", Some(&access), None),
            ("/get/get_jwt", None, None),
        ];
        if with_store {
            cases.push(("/manager/revoke_token", None, None));
        }
        for (uri, token, expected) in cases {
            let mut req = test::TestRequest::get().uri(uri);
            if let Some(token) = token {
                req = req.insert_header(("Authorization", format!("Bearer {token}")));
            }
            let resp = test::call_service(&app, req.to_request()).await;
            assert!(!resp.status().is_success(), "{uri}");
            let got = resp
                .headers()
                .get("www-authenticate")
                .map(|value| value.to_str().unwrap().to_owned());
            assert_eq!(got, expected, "with_store={with_store} {uri}");
        }
    }
}

/// Without `bearer_realm`, answers are as before: a bare `Bearer` on the
/// default 401s, nothing on a 403 or on custom answers.
#[actix_web::test]
async fn without_a_realm_only_default_401s_carry_bearer() {
    let jwt = manager(false);
    let access = jwt.create_access_token("ann").unwrap();
    let app = app!(jwt.clone());
    for (uri, token, expected) in [
        ("/extract/guard", Some(access.as_str()), Some("Bearer")),
        ("/extract/jwt", None, None),
        ("/extract/optional", Some(GARBAGE), None),
        ("/extract/scoped", Some(access.as_str()), None),
    ] {
        let mut req = test::TestRequest::get().uri(uri);
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let resp = test::call_service(&app, req.to_request()).await;
        let got = resp.headers().get("www-authenticate");
        assert_eq!(got.map(|v| v.to_str().unwrap()), expected, "{uri}");
    }
}
