//! The request pipeline through real actix Apps: `#[jwt_required]` and its
//! options, the getters in and out of protected handlers, the extractors,
//! OPTIONS requests, and where errors come from.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, get, post, test, web};
use jwt_ext::{
    DecodeOptions, Jwt, JwtError, JwtErrorKind, JwtIdentity, JwtManager, OptionalJwt,
    TokenLocation, VerifyOptions, get_jwt, get_jwt_header, get_jwt_identity,
    get_jwt_request_location, jwt_required, verify_jwt_in_request,
};
use serde_json::{Value, json};

const SECRET: &str = "pipeline-test-secret-0123456789abcdef";

fn manager() -> JwtManager {
    JwtManager::builder().secret_key(SECRET).build().unwrap()
}

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

async fn body_json(resp: actix_web::dev::ServiceResponse) -> (StatusCode, Value) {
    let status = resp.status();
    let bytes = test::read_body(resp).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[derive(serde::Deserialize)]
struct Item {
    name: String,
}

// Stacked below the route macro.
#[post("/items")]
#[jwt_required]
async fn create_item(req: HttpRequest, item: web::Json<Item>) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Created().json(json!({ "by": get_jwt_identity(&req)?, "name": item.name })))
}

// Stacked above the route macro.
#[jwt_required(fresh)]
#[post("/settings")]
async fn change_settings(jwt: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "fresh_for": jwt.identity() }))
}

#[get("/optional")]
#[jwt_required(optional)]
async fn maybe(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({
        "identity": get_jwt_identity(&req)?,
        "claims": get_jwt(&req)?,
        "header": get_jwt_header(&req)?,
        "location": get_jwt_request_location(&req),
    })))
}

#[get("/refresh")]
#[jwt_required(refresh)]
async fn refresh(jwt: JwtManager, req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let identity = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": jwt.create_access_token(identity)? })))
}

#[get("/headers-only")]
#[jwt_required(locations = ["headers"], skip_revocation_check)]
async fn headers_only(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "location": get_jwt_request_location(&req) })))
}

#[get("/logout")]
#[jwt_required(verify_type = false)]
async fn any_kind(jwt: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "type": jwt.token_type() }))
}

#[get("/unprotected")]
async fn unprotected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req)? })))
}

#[get("/location")]
async fn location_only(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "location": get_jwt_request_location(&req) }))
}

#[get("/decode")]
async fn decode_in_view(jwt: JwtManager, req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let token = req
        .headers()
        .get("X-Token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let decoded = jwt.decode_token(token)?;
    Ok(HttpResponse::Ok().json(json!({ "sub": decoded.identity() })))
}

#[get("/jwt")]
async fn jwt_extractor(jwt: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "sub": jwt.identity(), "location": jwt.location() }))
}

#[get("/optional-jwt")]
async fn optional_extractor(OptionalJwt(jwt): OptionalJwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "sub": jwt.as_ref().map(|jwt| jwt.identity().clone()) }))
}

#[get("/identity")]
async fn typed_identity(JwtIdentity(id): JwtIdentity<u64>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "id": id }))
}

#[get("/admin")]
async fn admin(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let jwt = verify_jwt_in_request(
        &req,
        VerifyOptions::new().locations([TokenLocation::Headers]),
    )
    .await?;
    let is_admin =
        jwt.is_some_and(|jwt| jwt.claims().get("is_administrator") == Some(&Value::Bool(true)));
    Ok(if is_admin {
        HttpResponse::Ok().json(json!({ "msg": "welcome" }))
    } else {
        HttpResponse::Forbidden().json(json!({ "msg": "Admins only!" }))
    })
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .service(create_item)
                .service(change_settings)
                .service(maybe)
                .service(refresh)
                .service(headers_only)
                .service(any_kind)
                .service(unprotected)
                .service(location_only)
                .service(decode_in_view)
                .service(jwt_extractor)
                .service(optional_extractor)
                .service(typed_identity)
                .service(admin),
        )
        .await
    };
}

#[actix_web::test]
async fn the_guard_runs_before_the_handlers_own_extractors() {
    let jwt = manager();
    let app = app!(jwt.clone());
    // No token and a body that is not JSON: the 401 wins over the 400.
    let req = test::TestRequest::post()
        .uri("/items")
        .set_payload("not json")
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(status, 401);
    assert_eq!(body, json!({ "msg": "Missing Authorization Header" }));

    // With a token the handler's Json<Item> still reads the body.
    let token = jwt.create_access_token("alice").unwrap();
    let req = test::TestRequest::post()
        .uri("/items")
        .insert_header(bearer(&token))
        .set_json(json!({ "name": "pen" }))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(status, 201);
    assert_eq!(body, json!({ "by": "alice", "name": "pen" }));
}

#[actix_web::test]
async fn fresh_routes_need_fresh_tokens() {
    let jwt = manager();
    let app = app!(jwt.clone());
    let call = |token: String| {
        test::TestRequest::post()
            .uri("/settings")
            .insert_header(bearer(&token))
            .to_request()
    };

    let (status, body) =
        body_json(test::call_service(&app, call(jwt.create_access_token("a").unwrap())).await)
            .await;
    assert_eq!(
        (status.as_u16(), body),
        (401, json!({ "msg": "Fresh token required" }))
    );

    let fresh = jwt.access_token("a").fresh(true).encode().unwrap();
    assert_eq!(test::call_service(&app, call(fresh)).await.status(), 200);

    let fresh_for_a_while = jwt
        .access_token("a")
        .fresh(chrono::TimeDelta::minutes(5))
        .encode()
        .unwrap();
    assert_eq!(
        test::call_service(&app, call(fresh_for_a_while))
            .await
            .status(),
        200
    );

    let no_longer_fresh = jwt
        .access_token("a")
        .fresh(chrono::TimeDelta::seconds(-1))
        .encode()
        .unwrap();
    assert_eq!(
        test::call_service(&app, call(no_longer_fresh))
            .await
            .status(),
        401
    );

    let refresh_token = jwt.create_refresh_token("a").unwrap();
    let (status, body) = body_json(test::call_service(&app, call(refresh_token)).await).await;
    assert_eq!(
        (status.as_u16(), body),
        (422, json!({ "msg": "Only non-refresh tokens are allowed" }))
    );
}

#[actix_web::test]
async fn refresh_routes_take_refresh_tokens_and_mint_access_tokens() {
    let jwt = manager();
    let app = app!(jwt.clone());
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let req = test::TestRequest::get()
        .uri("/refresh")
        .insert_header(bearer(&refresh_token))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(status, 200);
    let access = jwt
        .decode_token(body["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(access.token_type(), "access");
    assert_eq!(access.identity(), "alice");
    assert_eq!(access.claims()["fresh"], false);

    let access_token = jwt.create_access_token("alice").unwrap();
    let req = test::TestRequest::get()
        .uri("/refresh")
        .insert_header(bearer(&access_token))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(
        (status.as_u16(), body),
        (422, json!({ "msg": "Only refresh tokens are allowed" }))
    );

    for token in [access_token, refresh_token] {
        let req = test::TestRequest::get()
            .uri("/logout")
            .insert_header(bearer(&token))
            .to_request();
        assert_eq!(
            test::call_service(&app, req).await.status(),
            200,
            "verify_type = false takes both kinds"
        );
    }
}

#[actix_web::test]
async fn optional_routes_see_nothing_without_a_token() {
    let jwt = manager();
    let app = app!(jwt.clone());
    let req = test::TestRequest::get().uri("/optional").to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "identity": null, "claims": {}, "header": {}, "location": null })
    );

    // Another scheme counts as missing; a malformed Bearer header does not.
    let req = test::TestRequest::get()
        .uri("/optional")
        .insert_header(("Authorization", "Basic abc"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    let req = test::TestRequest::get()
        .uri("/optional")
        .insert_header(("Authorization", "Bearer a b"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 422);

    let token = jwt.create_access_token("bob").unwrap();
    let req = test::TestRequest::get()
        .uri("/optional")
        .insert_header(bearer(&token))
        .to_request();
    let (_, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(body["identity"], "bob");
    assert_eq!(body["location"], "headers");
    assert_eq!(body["header"], json!({ "alg": "HS256", "typ": "JWT" }));
    assert_eq!(body["claims"]["type"], "access");
}

#[actix_web::test]
async fn getters_outside_protected_handlers_say_what_is_missing() {
    let app = app!(manager());
    let req = test::TestRequest::get().uri("/unprotected").to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    // flask raises RuntimeError (a bare 500); the reason is for the log.
    assert_eq!(status, 500);
    assert_eq!(body, json!({ "msg": "Internal Server Error" }));
    // get_jwt_request_location never fails.
    let req = test::TestRequest::get().uri("/location").to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!((status.as_u16(), body), (200, json!({ "location": null })));
}

/// Counts the handler runs of the OPTIONS tests.
static OPTIONS_RUNS: AtomicUsize = AtomicUsize::new(0);

#[jwt_required]
async fn guarded_any_method(req: HttpRequest) -> HttpResponse {
    OPTIONS_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({ "verified": get_jwt(&req).is_ok() }))
}

async fn custom_guard(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let jwt = verify_jwt_in_request(&req, VerifyOptions::new()).await?;
    OPTIONS_RUNS.fetch_add(1, Ordering::SeqCst);
    Ok(HttpResponse::Ok().json(json!({ "verified": jwt.is_some() })))
}

async fn takes_jwt(jwt: Jwt) -> HttpResponse {
    OPTIONS_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({ "verified": jwt.identity() == "olive" }))
}

fn options(uri: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri(uri)
}

/// Routes registered without a method guard take OPTIONS in actix; flask
/// exempts OPTIONS from verification. A guarded handler must still never
/// run without a verified token, whatever the method.
#[actix_web::test]
async fn options_never_runs_a_guarded_handler_without_a_token() {
    let jwt = manager();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/route", web::route().to(guarded_any_method))
            .service(web::resource("/resource").to(guarded_any_method))
            .route("/custom", web::route().to(custom_guard))
            .route("/extractor", web::route().to(takes_jwt))
            .default_service(web::to(guarded_any_method)),
    )
    .await;
    let token = jwt.create_access_token("olive").unwrap();
    let forged = {
        let other = JwtManager::builder()
            .secret_key("another-secret-0123456789abcdef0123")
            .build()
            .unwrap();
        other.create_access_token("olive").unwrap()
    };
    OPTIONS_RUNS.store(0, Ordering::SeqCst);
    for uri in ["/route", "/resource", "/custom", "/extractor", "/anything"] {
        let resp = test::call_service(&app, options(uri).to_request()).await;
        let (status, body) = body_json(resp).await;
        assert_eq!(
            (status.as_u16(), body),
            (401, json!({ "msg": "Missing Authorization Header" })),
            "{uri} without a token"
        );
        let req = options(uri).insert_header(bearer(&forged)).to_request();
        let (status, body) = body_json(test::call_service(&app, req).await).await;
        assert_eq!(
            (status.as_u16(), body),
            (422, json!({ "msg": "Signature verification failed" })),
            "{uri} with a forged token"
        );
        assert_eq!(
            OPTIONS_RUNS.load(Ordering::SeqCst),
            0,
            "{uri} ran unverified"
        );
    }
    for uri in ["/route", "/resource", "/custom", "/extractor", "/anything"] {
        let req = options(uri).insert_header(bearer(&token)).to_request();
        let (status, body) = body_json(test::call_service(&app, req).await).await;
        assert_eq!(
            (status.as_u16(), body),
            (200, json!({ "verified": true })),
            "{uri}"
        );
    }
    assert_eq!(OPTIONS_RUNS.load(Ordering::SeqCst), 5);
}

#[actix_web::test]
async fn options_on_method_routes_and_unguarded_handlers() {
    // A `#[post]` route does not take OPTIONS: actix's routing answers 404.
    let app = test::init_service(App::new().app_data(manager()).service(create_item)).await;
    let resp = test::call_service(&app, options("/items").to_request()).await;
    assert_eq!(resp.status(), 404);
    // A handler without `#[jwt_required]` runs, and the getters say so.
    let app = test::init_service(App::new().app_data(manager()).route(
        "/items",
        web::route().to(|req: HttpRequest| async move {
            let verified = get_jwt(&req).map_err(|e| e.kind());
            HttpResponse::Ok()
                .json(json!({ "not_verified": verified == Err(JwtErrorKind::NotVerified) }))
        }),
    ))
    .await;
    let (status, body) =
        body_json(test::call_service(&app, options("/items").to_request()).await).await;
    assert_eq!(
        (status.as_u16(), body),
        (200, json!({ "not_verified": true }))
    );
}

static CORS_RUNS: AtomicUsize = AtomicUsize::new(0);

#[jwt_required]
async fn cors_guarded() -> HttpResponse {
    CORS_RUNS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}

/// actix-cors answers preflights before routing, so a browser's preflight to
/// a guarded route succeeds without a token and the handler does not run.
#[actix_web::test]
async fn cors_preflights_are_answered_by_actix_cors() {
    let jwt = manager();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .wrap(
                actix_cors::Cors::default()
                    .allowed_origin("https://app.example")
                    .allowed_methods(["GET", "POST"])
                    .allowed_header("authorization"),
            )
            .route("/preflighted", web::route().to(cors_guarded)),
    )
    .await;
    let req = options("/preflighted")
        .insert_header(("Origin", "https://app.example"))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .insert_header(("Access-Control-Request-Headers", "authorization"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example"
    );
    assert_eq!(CORS_RUNS.load(Ordering::SeqCst), 0);
    // The actual request still needs its token.
    let req = test::TestRequest::get()
        .uri("/preflighted")
        .insert_header(("Origin", "https://app.example"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 401);
    let token = jwt.create_access_token("olive").unwrap();
    let req = test::TestRequest::get()
        .uri("/preflighted")
        .insert_header(("Origin", "https://app.example"))
        .insert_header(bearer(&token))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    assert_eq!(CORS_RUNS.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn extractors_verify_on_their_own() {
    let jwt = manager();
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("carol").unwrap();

    let req = test::TestRequest::get()
        .uri("/jwt")
        .insert_header(bearer(&token))
        .to_request();
    let (_, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(body, json!({ "sub": "carol", "location": "headers" }));
    let req = test::TestRequest::get().uri("/jwt").to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 401);

    let req = test::TestRequest::get().uri("/optional-jwt").to_request();
    let (_, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(body, json!({ "sub": null }));
    let req = test::TestRequest::get()
        .uri("/optional-jwt")
        .insert_header(("Authorization", "Bearer x.y.z"))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        422,
        "an invalid token is not 'no token'"
    );

    let numeric = JwtManager::builder()
        .secret_key(SECRET)
        .verify_sub(false)
        .build()
        .unwrap();
    let app = app!(numeric.clone());
    let req = test::TestRequest::get()
        .uri("/identity")
        .insert_header(bearer(&numeric.create_access_token(7).unwrap()))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!((status.as_u16(), body), (200, json!({ "id": 7 })));
    let req = test::TestRequest::get()
        .uri("/identity")
        .insert_header(bearer(&numeric.create_access_token("x").unwrap()))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 422);
}

#[actix_web::test]
async fn verify_jwt_in_request_builds_custom_guards() {
    let jwt = manager();
    let app = app!(jwt.clone());
    let admin_token = jwt
        .access_token("root")
        .claim("is_administrator", true)
        .encode()
        .unwrap();
    let user_token = jwt.create_access_token("user").unwrap();
    let req = test::TestRequest::get()
        .uri("/admin")
        .insert_header(bearer(&admin_token))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    let req = test::TestRequest::get()
        .uri("/admin")
        .insert_header(bearer(&user_token))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(
        (status.as_u16(), body),
        (403, json!({ "msg": "Admins only!" }))
    );
    let req = test::TestRequest::get().uri("/admin").to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 401);
}

#[actix_web::test]
async fn errors_of_decode_token_in_a_view_use_the_configured_key() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .error_message_key("error")
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let expired = jwt
        .access_token("x")
        .expires(chrono::TimeDelta::seconds(-5))
        .encode()
        .unwrap();
    let req = test::TestRequest::get()
        .uri("/decode")
        .insert_header(("X-Token", expired.clone()))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(
        test::read_body(resp).await,
        "{\"error\":\"Token has expired\"}\n"
    );

    let decoded = jwt
        .decode_token_with(&expired, DecodeOptions::default().allow_expired(true))
        .unwrap();
    assert_eq!(decoded.identity(), "x");

    let req = test::TestRequest::get().uri("/headers-only").to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        test::read_body(resp).await,
        "{\"error\":\"Missing Authorization Header\"}\n"
    );
}

#[actix_web::test]
async fn a_missing_manager_is_a_clear_500() {
    let logs = jwt_ext_tests::logs::capture();
    let app = test::init_service(App::new().service(headers_only)).await;
    let req = test::TestRequest::get().uri("/headers-only").to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(status, 500);
    assert_eq!(body, json!({ "msg": "Internal Server Error" }));
    // What to fix is in the log, at ERROR.
    let logged = logs.text();
    assert!(
        logged.lines().any(|line| line.starts_with("ERROR")
            && line.contains("No JwtManager is registered: add it with App::app_data")),
        "{logged}"
    );
}

#[actix_web::test]
async fn a_manager_in_web_data_is_found_too() {
    let jwt = manager();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(jwt.clone()))
            .service(jwt_extractor),
    )
    .await;
    let req = test::TestRequest::get()
        .uri("/jwt")
        .insert_header(bearer(&jwt.create_access_token("d").unwrap()))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
}

#[actix_web::test]
async fn custom_header_name_and_type() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .header_name("X-Api-Token")
        .header_type("")
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let token = jwt.create_access_token("eve").unwrap();
    let req = test::TestRequest::get()
        .uri("/jwt")
        .insert_header(("X-Api-Token", token.clone()))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    let req = test::TestRequest::get()
        .uri("/jwt")
        .insert_header(bearer(&token))
        .to_request();
    let (status, body) = body_json(test::call_service(&app, req).await).await;
    assert_eq!(
        (status.as_u16(), body),
        (401, json!({ "msg": "Missing X-Api-Token Header" }))
    );
}
