//! `JwtRequired` protecting whole scopes: the same answers as
//! `#[jwt_required]` for every refusal, optional, fresh and refresh scopes,
//! getters and extractors inside, public routes outside, a nested
//! attribute, the body handed on, implicit refresh, and bad options
//! refused at start-up; with the typed `Claims<T>` extractor and
//! `JwtError::forbidden`, through real Apps.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::{Service, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    Claims, CurrentUser, ImplicitRefresh, Jwt, JwtError, JwtIdentity, JwtManager,
    JwtManagerBuilder, JwtRequired, MemoryStore, OptionalJwt, TokenLocation, get_current_user,
    get_jwt, get_jwt_identity, jwt_required,
};
use jwt_ext_tests::logs;
use serde::Deserialize;
use serde_json::{Value, json};

const SECRET: &str = "scope-middleware-secret-0123456789abcdef";

/// The user the lookup loader loads: every identity but `ghost`.
#[derive(Debug)]
struct User(String);

/// What every protected route answers: the identity as the getters see it.
async fn whoami(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let identity = get_jwt_identity(&req)?;
    let user = get_current_user::<User>(&req)?.map(|user| user.0.clone());
    Ok(HttpResponse::Ok().json(json!({ "identity": identity, "user": user })))
}

#[jwt_required]
async fn attr_plain(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

#[jwt_required(fresh)]
async fn attr_fresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

#[jwt_required(refresh)]
async fn attr_refresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

#[jwt_required(optional)]
async fn attr_optional(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

/// Inside a scope with the scope's own options: its verification is reused.
#[jwt_required]
async fn nested_same(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

/// Inside a plain scope, stricter: verified again with these options.
#[jwt_required(fresh)]
async fn nested_fresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    whoami(req).await
}

#[derive(Deserialize)]
struct Profile {
    sub: String,
    #[serde(default)]
    roles: Vec<String>,
}

/// Every extractor at once, without a getter.
async fn extractors(
    jwt: Jwt,
    optional: OptionalJwt,
    JwtIdentity(name): JwtIdentity<String>,
    Claims(profile): Claims<Profile>,
    user: CurrentUser<User>,
) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "type": jwt.token_type(),
        "optional": optional.0.is_some(),
        "hello": format!("hello {name}"),
        "sub": profile.sub,
        "user": user.0.0,
    }))
}

/// The documented role check: typed claims, then a 403 of the application.
async fn admins_only(
    req: HttpRequest,
    Claims(profile): Claims<Profile>,
) -> Result<HttpResponse, JwtError> {
    if !profile.roles.iter().any(|role| role == "admin") {
        return Err(JwtError::forbidden(&req, "Admins only"));
    }
    Ok(HttpResponse::Ok().body("welcome"))
}

/// The handler's own body extractor after the scope read a JSON token.
async fn echo(body: web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().json(body.into_inner())
}

/// A manager with a revocation store, a user lookup counting its calls, and
/// a message key of its own, so that answers show the manager's rendering.
fn builder(lookups: &Arc<AtomicUsize>) -> JwtManagerBuilder {
    let lookups = lookups.clone();
    JwtManager::builder()
        .secret_key(SECRET)
        .token_location([TokenLocation::Headers, TokenLocation::Cookies])
        .error_message_key("error")
        .revocation_store(MemoryStore::new())
        .user_lookup_loader(move |jwt: Jwt| {
            lookups.fetch_add(1, Ordering::SeqCst);
            let name = jwt.identity().as_str().unwrap_or_default().to_owned();
            async move { Ok::<_, actix_web::Error>((name != "ghost").then_some(User(name))) }
        })
}

/// The app of these tests: public, attribute and scope routes side by side.
macro_rules! app {
    ($jwt:expr) => {{
        let jwt = $jwt;
        test::init_service(
            App::new()
                .app_data(jwt)
                .route("/public", web::get().to(HttpResponse::Ok))
                .route("/attr/plain", web::to(attr_plain))
                .route("/attr/fresh", web::to(attr_fresh))
                .route("/attr/refresh", web::to(attr_refresh))
                .route("/attr/optional", web::to(attr_optional))
                .service(
                    web::scope("/plain")
                        .wrap(JwtRequired::new())
                        .route("/a", web::to(whoami))
                        .route("/b", web::to(whoami))
                        .route("/extractors", web::get().to(extractors))
                        .route("/admin", web::get().to(admins_only))
                        .route("/same", web::get().to(nested_same))
                        .route("/fresh", web::get().to(nested_fresh)),
                )
                .service(
                    web::scope("/fresh")
                        .wrap(JwtRequired::new().fresh())
                        .route("/a", web::to(whoami)),
                )
                .service(
                    web::scope("/refresh")
                        .wrap(JwtRequired::new().refresh())
                        .route("/a", web::to(whoami)),
                )
                .service(
                    web::scope("/optional")
                        .wrap(JwtRequired::new().optional())
                        .route("/a", web::to(whoami))
                        .route(
                            "/jwt",
                            web::get().to(|jwt: Jwt| async move {
                                HttpResponse::Ok().json(jwt.identity())
                            }),
                        ),
                )
                .service(
                    web::scope("/json")
                        .wrap(JwtRequired::new().locations([TokenLocation::Json]))
                        .route("/echo", web::post().to(echo)),
                ),
        )
        .await
    }};
}
/// One answer, all of it a client sees.
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    body: String,
}

async fn answer(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    req: test::TestRequest,
) -> Answer {
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    Answer {
        status,
        challenge,
        body,
    }
}

fn bearer(method: &str, uri: &str, token: Option<&str>) -> test::TestRequest {
    let req = match method {
        "POST" => test::TestRequest::post(),
        _ => test::TestRequest::get(),
    }
    .uri(uri);
    match token {
        Some(token) => req.insert_header(("Authorization", format!("Bearer {token}"))),
        None => req,
    }
}

/// A request to be sent to the uri given.
type Request = Box<dyn Fn(&str) -> test::TestRequest>;

/// Every refusal the scope can produce answers exactly as the attribute on
/// an equivalent route: status, challenge and body bytes.
#[actix_web::test]
async fn every_refusal_answers_as_the_attribute() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());

    let expired = jwt
        .access_token("alice")
        .expires(TimeDelta::seconds(-3600))
        .encode()
        .unwrap();
    let foreign = JwtManager::builder()
        .secret_key("another-secret-0123456789abcdef-0123456789")
        .build()
        .unwrap()
        .create_access_token("alice")
        .unwrap();
    let refresh = jwt.create_refresh_token("alice").unwrap();
    let access = jwt.create_access_token("alice").unwrap();
    let ghost = jwt.create_access_token("ghost").unwrap();
    let revoked = jwt.create_access_token("alice").unwrap();
    jwt.revoke_token(&jwt.decode_token(&revoked).unwrap())
        .await
        .unwrap();

    // (what, the attribute's route, the scope's route, the request but its uri)
    let cases: Vec<(&str, &str, &str, Request)> = vec![
        (
            "missing",
            "/attr/plain",
            "/plain/a",
            Box::new(|uri| bearer("GET", uri, None)),
        ),
        (
            "garbage",
            "/attr/plain",
            "/plain/a",
            Box::new(|uri| bearer("GET", uri, Some("a.b"))),
        ),
        (
            "bad header",
            "/attr/plain",
            "/plain/a",
            Box::new(|uri| {
                test::TestRequest::get()
                    .uri(uri)
                    .insert_header(("Authorization", "Bearer a b"))
            }),
        ),
        (
            "expired",
            "/attr/plain",
            "/plain/a",
            Box::new(move |uri| bearer("GET", uri, Some(&expired))),
        ),
        (
            "bad signature",
            "/attr/plain",
            "/plain/a",
            Box::new(move |uri| bearer("GET", uri, Some(&foreign))),
        ),
        ("refresh for access", "/attr/plain", "/plain/a", {
            let refresh = refresh.clone();
            Box::new(move |uri| bearer("GET", uri, Some(&refresh)))
        }),
        ("access for refresh", "/attr/refresh", "/refresh/a", {
            let access = access.clone();
            Box::new(move |uri| bearer("GET", uri, Some(&access)))
        }),
        ("not fresh", "/attr/fresh", "/fresh/a", {
            let access = access.clone();
            Box::new(move |uri| bearer("GET", uri, Some(&access)))
        }),
        (
            "revoked",
            "/attr/plain",
            "/plain/a",
            Box::new(move |uri| bearer("GET", uri, Some(&revoked))),
        ),
        (
            "unknown user",
            "/attr/plain",
            "/plain/a",
            Box::new(move |uri| bearer("GET", uri, Some(&ghost))),
        ),
        ("cookie without CSRF", "/attr/plain", "/plain/a", {
            let access = access.clone();
            Box::new(move |uri| {
                test::TestRequest::post()
                    .uri(uri)
                    .insert_header(("Cookie", format!("access_token_cookie={access}")))
            })
        }),
        ("cookie with a wrong CSRF", "/attr/plain", "/plain/a", {
            let access = access.clone();
            Box::new(move |uri| {
                test::TestRequest::post()
                    .uri(uri)
                    .insert_header(("Cookie", format!("access_token_cookie={access}")))
                    .insert_header(("X-CSRF-TOKEN", "nope"))
            })
        }),
    ];
    for (what, attribute, scope, request) in &cases {
        let expected = answer(&app, request(attribute)).await;
        assert!(expected.status.is_client_error(), "{what}: {expected:?}");
        assert!(
            expected.body.starts_with("{\"error\":"),
            "{what}: {expected:?}"
        );
        let actual = answer(&app, request(scope)).await;
        assert_eq!(actual, expected, "{what}");
        // Another route of the same scope answers the same.
        if scope.starts_with("/plain") {
            let other = answer(&app, request("/plain/b")).await;
            assert_eq!(other, expected, "{what} on another route");
        }
    }
}

#[actix_web::test]
async fn routes_outside_the_scope_stay_public_and_inside_getters_work() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let public = answer(&app, test::TestRequest::get().uri("/public")).await;
    assert_eq!(public.status, StatusCode::OK);

    let token = jwt.create_access_token("alice").unwrap();
    let inside = answer(&app, bearer("GET", "/plain/a", Some(&token))).await;
    assert_eq!(inside.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&inside.body).unwrap(),
        json!({ "identity": "alice", "user": "alice" })
    );
    // A path of the scope that matches no route is refused, not a 404.
    let unknown = answer(&app, test::TestRequest::get().uri("/plain/nowhere")).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn extractors_inside_the_scope_read_its_verification() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let token = jwt
        .access_token("alice")
        .claims(json!({ "roles": ["admin"] }))
        .encode()
        .unwrap();
    let resp = answer(&app, bearer("GET", "/plain/extractors", Some(&token))).await;
    assert_eq!(resp.status, StatusCode::OK, "{resp:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&resp.body).unwrap(),
        json!({
            "type": "access",
            "optional": true,
            // A plain identity: no JSON quotes around it.
            "hello": "hello alice",
            "sub": "alice",
            "user": "alice",
        })
    );
    // Five extractors, one verification: the user was loaded once.
    assert_eq!(lookups.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn an_optional_scope_lets_a_request_without_a_token_through() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    for uri in ["/optional/a", "/attr/optional"] {
        let resp = answer(&app, bearer("GET", uri, None)).await;
        assert_eq!(resp.status, StatusCode::OK, "{uri}");
        assert_eq!(
            serde_json::from_str::<Value>(&resp.body).unwrap(),
            json!({ "identity": null, "user": null }),
            "{uri}"
        );
    }
    let token = jwt.create_access_token("alice").unwrap();
    let resp = answer(&app, bearer("GET", "/optional/a", Some(&token))).await;
    assert_eq!(
        serde_json::from_str::<Value>(&resp.body).unwrap(),
        json!({ "identity": "alice", "user": "alice" })
    );
    // An invalid token is still refused, as under the attribute.
    let scope = answer(&app, bearer("GET", "/optional/a", Some("a.b.c"))).await;
    let attribute = answer(&app, bearer("GET", "/attr/optional", Some("a.b.c"))).await;
    assert_eq!(scope.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(scope, attribute);
    // A `Jwt` extractor in an optional scope without a token: the missing
    // token's 401, as behind `#[jwt_required(optional)]`.
    let resp = answer(&app, bearer("GET", "/optional/jwt", None)).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.body,
        "{\"error\":\"Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie \\\"access_token_cookie\\\")\"}\n"
    );
}

#[actix_web::test]
async fn fresh_and_refresh_scopes_take_their_tokens() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let fresh = jwt.access_token("alice").fresh(true).encode().unwrap();
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        answer(&app, bearer("GET", "/fresh/a", Some(&fresh)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        answer(&app, bearer("GET", "/refresh/a", Some(&refresh)))
            .await
            .status,
        StatusCode::OK
    );
    let resp = answer(&app, bearer("GET", "/fresh/a", Some(&refresh))).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.body,
        "{\"error\":\"Only non-refresh tokens are allowed\"}\n"
    );
}

#[actix_web::test]
async fn a_nested_attribute_with_the_scopes_options_reuses_its_verification() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("alice").unwrap();
    let resp = answer(&app, bearer("GET", "/plain/same", Some(&token))).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "verified once, loaders once"
    );
}

#[actix_web::test]
async fn a_nested_attribute_with_other_options_verifies_again_with_its_own() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let stale = jwt.create_access_token("alice").unwrap();
    let resp = answer(&app, bearer("GET", "/plain/fresh", Some(&stale))).await;
    let attribute = answer(&app, bearer("GET", "/attr/fresh", Some(&stale))).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(resp, attribute);
    let fresh = jwt.access_token("alice").fresh(true).encode().unwrap();
    lookups.store(0, Ordering::SeqCst);
    let resp = answer(&app, bearer("GET", "/plain/fresh", Some(&fresh))).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        2,
        "the scope's and the attribute's"
    );
    // Without a token, the scope answers first.
    let resp = answer(&app, bearer("GET", "/plain/fresh", None)).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_json_token_leaves_the_body_whole_for_the_handler() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("alice").unwrap();
    let body = json!({ "access_token": token, "note": "kept" });
    let req = test::TestRequest::post().uri("/json/echo").set_json(&body);
    let resp = answer(&app, req).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(serde_json::from_str::<Value>(&resp.body).unwrap(), body);
    let req = test::TestRequest::post()
        .uri("/json/echo")
        .set_json(json!({ "note": "no token" }));
    let resp = answer(&app, req).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.body,
        "{\"error\":\"Missing \\\"access_token\\\" key in json data.\"}\n"
    );
}

#[actix_web::test]
async fn implicit_refresh_renews_a_cookie_verified_by_the_scope() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .token_location([TokenLocation::Cookies])
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
            .service(
                web::scope("/api")
                    .wrap(JwtRequired::new())
                    .route("/a", web::get().to(HttpResponse::Ok)),
            ),
    )
    .await;
    let token = jwt
        .access_token("alice")
        .expires(TimeDelta::minutes(10))
        .encode()
        .unwrap();
    let req = test::TestRequest::get()
        .uri("/api/a")
        .insert_header(("Cookie", format!("access_token_cookie={token}")));
    let resp = test::call_service(&app, req.to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let renewed = resp
        .headers()
        .get_all("set-cookie")
        .filter_map(|value| value.to_str().ok())
        .any(|cookie| cookie.starts_with("access_token_cookie="));
    assert!(renewed, "the access cookie is renewed");
}

#[actix_web::test]
async fn a_missing_manager_is_the_attributes_500() {
    let app = test::init_service(
        App::new()
            .route("/attr/plain", web::get().to(attr_plain))
            .service(
                web::scope("/plain")
                    .wrap(JwtRequired::new())
                    .route("/a", web::get().to(whoami)),
            ),
    )
    .await;
    let attribute = answer(&app, test::TestRequest::get().uri("/attr/plain")).await;
    let scope = answer(&app, test::TestRequest::get().uri("/plain/a")).await;
    assert_eq!(scope.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(scope.body, "{\"msg\":\"Internal Server Error\"}\n");
    assert_eq!(scope, attribute);
}

/// Whether a service wrapped in `required` starts: the step of an App's start.
async fn starts(required: JwtRequired) -> bool {
    required.new_transform(test::ok_service()).await.is_ok()
}

#[actix_web::test]
async fn options_the_attribute_refuses_to_compile_fail_at_start_up() {
    for required in [
        JwtRequired::new().fresh().refresh(),
        JwtRequired::new().refresh().scopes(["read"]),
        JwtRequired::new().locations([]),
        JwtRequired::new().scopes(["read write"]),
    ] {
        assert!(!starts(required.clone()).await, "{required:?}");
    }
    assert!(
        starts(
            JwtRequired::new()
                .optional()
                .scopes(["read"])
                .roles(["admin"])
        )
        .await
    );
}

#[actix_web::test]
async fn claims_that_do_not_deserialise_answer_400_never_500() {
    let lookups = Arc::new(AtomicUsize::new(0));
    // `Profile` needs a `sub` and a list of roles: this token has neither.
    let jwt = builder(&lookups).identity_claim("uid").build().unwrap();
    let app = app!(jwt.clone());
    let token = jwt
        .access_token("alice")
        .claims(json!({ "roles": "admin" }))
        .encode()
        .unwrap();
    let logs = logs::capture();
    let resp = answer(&app, bearer("GET", "/plain/extractors", Some(&token))).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.body,
        "{\"error\":\"User claims verification failed\"}\n"
    );
    assert_eq!(resp.challenge, None);
    // Logged with the type the claims do not fit, never with serde's error,
    // which would quote the claim ("admin").
    let text = logs.text();
    let line = text
        .lines()
        .find(|line| line.contains("kind=ClaimsVerification"))
        .unwrap_or_else(|| panic!("no refusal logged: {text}"));
    assert!(line.contains("scope_middleware::Profile"), "{line}");
    assert!(!line.contains("admin"), "{line}");
}

#[actix_web::test]
async fn claims_failures_reach_the_token_verification_failed_loader() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups)
        .token_verification_failed_loader(|_header, claims| {
            HttpResponse::BadRequest().json(json!({ "rejected": claims["roles"] }))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let token = jwt
        .access_token("alice")
        .claims(json!({ "roles": 7 }))
        .encode()
        .unwrap();
    let resp = answer(&app, bearer("GET", "/plain/admin", Some(&token))).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&resp.body).unwrap(),
        json!({ "rejected": 7 })
    );
}

#[actix_web::test]
async fn forbidden_answers_403_through_the_managers_rendering() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).bearer_realm("api").build().unwrap();
    let app = app!(jwt.clone());
    let user = jwt.create_access_token("alice").unwrap();
    let resp = answer(&app, bearer("GET", "/plain/admin", Some(&user))).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(resp.body, "{\"error\":\"Admins only\"}\n");
    // No RFC 6750 challenge: this is no refusal of the token.
    assert_eq!(resp.challenge, None);
    let admin = jwt
        .access_token("alice")
        .claims(json!({ "roles": ["admin"] }))
        .encode()
        .unwrap();
    let resp = answer(&app, bearer("GET", "/plain/admin", Some(&admin))).await;
    assert_eq!(
        (resp.status, resp.body.as_str()),
        (StatusCode::OK, "welcome")
    );
}

#[actix_web::test]
async fn forbidden_loader_answers_instead_and_the_error_carries_the_claims() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups)
        .forbidden_loader(|reason| HttpResponse::Forbidden().json(json!({ "denied": reason })))
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let user = jwt.create_access_token("alice").unwrap();
    let resp = answer(&app, bearer("GET", "/plain/admin", Some(&user))).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<Value>(&resp.body).unwrap(),
        json!({ "denied": "Admins only" })
    );

    let req = test::TestRequest::get().to_http_request();
    let err = JwtError::forbidden(&req, "nobody");
    assert_eq!(err.kind(), jwt_ext::JwtErrorKind::Forbidden);
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
    assert_eq!(err.jwt_claims(), None, "no verified token");
    assert_eq!(
        err.body(),
        "{\"msg\":\"nobody\"}\n",
        "no manager: flask's key"
    );
    let resp = actix_web::ResponseError::error_response(&err);
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(resp.headers().get("www-authenticate"), None);
}

#[actix_web::test]
async fn get_jwt_inside_a_scope_is_the_tokens_payload() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let jwt = builder(&lookups).build().unwrap();
    let app = test::init_service(App::new().app_data(jwt.clone()).service(
        web::scope("/api").wrap(JwtRequired::new()).route(
            "/claims",
            web::get().to(|req: HttpRequest| async move {
                get_jwt(&req).map(|claims| HttpResponse::Ok().json(claims))
            }),
        ),
    ))
    .await;
    let token = jwt
        .access_token("alice")
        .claims(json!({ "tier": "gold" }))
        .encode()
        .unwrap();
    let resp = answer(&app, bearer("GET", "/api/claims", Some(&token))).await;
    let claims: Value = serde_json::from_str(&resp.body).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["tier"], "gold");
}

#[actix_web::test]
async fn a_manager_registered_on_the_scope_itself_is_found() {
    let jwt = JwtManager::builder().secret_key(SECRET).build().unwrap();
    let token = jwt.create_access_token("alice").unwrap();
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .app_data(jwt.clone())
                .wrap(JwtRequired::new())
                .route("/a", web::get().to(HttpResponse::Ok)),
        ),
    )
    .await;
    let resp = answer(&app, bearer("GET", "/api/a", Some(&token))).await;
    assert_eq!(resp.status, StatusCode::OK);
    let resp = answer(&app, bearer("GET", "/api/a", None)).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
}
