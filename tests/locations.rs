//! Token locations beyond the header through real actix Apps: the body a
//! handler still reads after the JSON lookup, CSRF form fields, limits,
//! cookie rules checked at start-up, and implicit refresh.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    ImplicitRefresh, JwtError, JwtErrorKind, JwtManager, SameSite, TokenLocation, VerifyOptions,
    get_jwt, get_jwt_identity, jwt_required, verify_jwt_in_request,
};
use serde_json::{Value, json};

const SECRET: &str = "locations-test-secret-0123456789abcdef";

fn manager(locations: &[TokenLocation]) -> JwtManager {
    JwtManager::builder()
        .secret_key(SECRET)
        .token_location(locations.iter().copied())
        .build()
        .unwrap()
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    access_token: String,
    item: String,
    quantity: u32,
}

#[jwt_required(locations = ["json"])]
async fn order(req: HttpRequest, body: web::Json<Order>) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(
        json!({ "by": get_jwt_identity(&req)?, "item": body.item, "quantity": body.quantity }),
    ))
}

#[jwt_required(locations = ["json"])]
async fn raw(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body(body)
}

#[actix_web::test]
async fn the_handler_reads_the_whole_json_body_after_the_lookup() {
    let jwt = manager(&[TokenLocation::Headers]);
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/order", web::post().to(order))
            .route("/raw", web::post().to(raw)),
    )
    .await;
    let token = jwt.create_access_token("ann").unwrap();
    let body = json!({ "access_token": token, "item": "pen", "quantity": 3 });
    let req = test::TestRequest::post()
        .uri("/order")
        .set_json(&body)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 200);
    let answer: Value = test::read_body_json(resp).await;
    assert_eq!(answer, json!({ "by": "ann", "item": "pen", "quantity": 3 }));

    let req = test::TestRequest::post()
        .uri("/raw")
        .set_json(&body)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        test::read_body(resp).await,
        serde_json::to_vec(&body).unwrap()
    );

    // No token in the body: the 401 comes before the handler's extractor.
    let req = test::TestRequest::post()
        .uri("/order")
        .set_json(json!({ "item": "pen" }))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"Missing \\\"access_token\\\" key in json data.\"}\n"
    );
}

#[actix_web::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .body_limit(64)
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/raw", web::post().to(raw)),
    )
    .await;
    let body = json!({ "access_token": jwt.create_access_token("ann").unwrap() });
    let req = test::TestRequest::post()
        .uri("/raw")
        .set_json(body)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 413);
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"Request body is larger than 64 bytes\"}\n"
    );
}

#[derive(serde::Deserialize)]
struct Comment {
    text: String,
}

#[jwt_required]
async fn comment(req: HttpRequest, form: web::Form<Comment>) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "by": get_jwt_identity(&req)?, "text": form.text })))
}

#[actix_web::test]
async fn the_csrf_value_may_come_from_a_form_field_and_the_form_stays_readable() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .token_location([TokenLocation::Cookies])
        .csrf_check_form(true)
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/comment", web::post().to(comment)),
    )
    .await;
    let token = jwt.create_access_token("bo").unwrap();
    let csrf = jwt.get_csrf_token(&token).unwrap();
    let post = |form: String| {
        test::TestRequest::post()
            .uri("/comment")
            .insert_header(("Cookie", format!("access_token_cookie={token}")))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(form)
            .to_request()
    };
    let resp = test::call_service(&app, post(format!("text=hello&csrf_token={csrf}"))).await;
    assert_eq!(resp.status(), 200);
    let answer: Value = test::read_body_json(resp).await;
    assert_eq!(answer, json!({ "by": "bo", "text": "hello" }));

    let resp = test::call_service(&app, post("text=hello&csrf_token=wrong".to_owned())).await;
    assert_eq!(resp.status(), 401);
    let resp = test::call_service(&app, post("text=hello".to_owned())).await;
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"Missing CSRF token\"}\n"
    );
}

#[jwt_required(locations = ["query_string"])]
async fn query_only(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "by": get_jwt_identity(&req)? })))
}

#[actix_web::test]
async fn a_route_can_restrict_its_locations() {
    let jwt = manager(&[TokenLocation::Headers]);
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/q", web::get().to(query_only)),
    )
    .await;
    let token = jwt.create_access_token("cy").unwrap();
    let req = test::TestRequest::get()
        .uri(&format!("/q?jwt={token}"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    let req = test::TestRequest::get()
        .uri("/q")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"Missing 'jwt' query paramater\"}\n"
    );
}

async fn runtime_json(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    verify_jwt_in_request(&req, VerifyOptions::new().locations([TokenLocation::Json])).await?;
    Ok(HttpResponse::Ok().finish())
}

#[actix_web::test]
async fn verify_jwt_in_request_says_when_it_cannot_read_the_body() {
    let jwt = manager(&[TokenLocation::Headers]);
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/r", web::post().to(runtime_json)),
    )
    .await;
    let req = test::TestRequest::post()
        .uri("/r")
        .set_json(json!({ "access_token": "x" }))
        .to_request();
    let logs = jwt_ext_tests::logs::capture();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), 500);
    // The client learns nothing of the code; the log says what to use instead.
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body, json!({ "msg": "Internal Server Error" }));
    let logged = logs.text();
    assert!(
        logged
            .lines()
            .any(|line| line.starts_with("ERROR")
                && line.contains("verify_jwt_in_request_with_payload")),
        "{logged}"
    );
}

#[actix_web::test]
async fn cookie_rules_are_checked_at_start_up() {
    let refused = |builder: jwt_ext::JwtManagerBuilder| {
        builder
            .secret_key(SECRET)
            .build()
            .unwrap_err()
            .message()
            .to_owned()
    };
    let msg = refused(JwtManager::builder().cookie_samesite(SameSite::None));
    assert!(msg.contains("requires JWT_COOKIE_SECURE"), "{msg}");
    let msg = refused(JwtManager::builder().access_cookie_name("__Host-access"));
    assert!(msg.contains("require JWT_COOKIE_SECURE"), "{msg}");
    let msg = refused(
        JwtManager::builder()
            .access_cookie_name("__Host-access")
            .cookie_secure(true)
            .cookie_domain("ex.com"),
    );
    assert!(
        msg.contains("__Host- prefix requires path \"/\" and no JWT_COOKIE_DOMAIN"),
        "{msg}"
    );
    let msg = refused(JwtManager::builder().refresh_cookie_name("__Secure-refresh"));
    assert!(msg.contains("require JWT_COOKIE_SECURE"), "{msg}");
    let msg = refused(JwtManager::builder().access_cookie_name("bad name"));
    assert!(msg.contains("not a valid cookie name"), "{msg}");
    let msg = refused(JwtManager::builder().cookie_domain("ex.com:8080"));
    assert!(msg.contains("bare host name"), "{msg}");
    assert!(
        JwtManager::builder()
            .secret_key(SECRET)
            .access_cookie_name("__Host-access")
            .access_csrf_cookie_name("__Host-csrf")
            .cookie_secure(true)
            .cookie_samesite(SameSite::None)
            .build()
            .is_ok()
    );
}

#[actix_web::test]
async fn prefixed_cookies_carry_their_required_attributes() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .access_cookie_name("__Host-access")
        .cookie_secure(true)
        .cookie_samesite(SameSite::Strict)
        .build()
        .unwrap();
    let mut response = HttpResponse::Ok().finish();
    jwt.set_access_cookies(&mut response, &jwt.create_access_token("a").unwrap())
        .unwrap();
    let line = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(line.starts_with("__Host-access=ey"), "{line}");
    assert!(
        line.ends_with("; Secure; HttpOnly; Path=/; SameSite=Strict"),
        "{line}"
    );
    assert!(!line.contains("Domain="), "{line}");
}

#[actix_web::test]
async fn tokens_too_large_for_a_cookie_are_an_error() {
    let jwt = JwtManager::builder().secret_key(SECRET).build().unwrap();
    let token = jwt
        .access_token("a")
        .claim("padding", "x".repeat(4000))
        .encode()
        .unwrap();
    let mut response = HttpResponse::Ok().finish();
    let err = jwt.set_access_cookies(&mut response, &token).unwrap_err();
    assert_eq!(err.kind(), JwtErrorKind::Encode);
    assert!(
        err.message().contains("more than the 4096 browsers keep"),
        "{err}"
    );
    assert!(
        response.headers().get("set-cookie").is_none(),
        "nothing half-set"
    );
}

#[actix_web::test]
async fn cookie_setters_work_on_builders_too() {
    let jwt = JwtManager::builder().secret_key(SECRET).build().unwrap();
    let mut builder = HttpResponse::Ok();
    jwt.set_refresh_cookies(&mut builder, &jwt.create_refresh_token("a").unwrap())
        .unwrap();
    jwt.unset_access_cookies(&mut builder);
    let response = builder.finish();
    let names: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "refresh_token_cookie",
            "csrf_refresh_token",
            "access_token_cookie",
            "csrf_access_token"
        ]
    );
}

#[jwt_required]
async fn cookie_protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "by": get_jwt_identity(&req)? })))
}

async fn cookie_names(resp: &ServiceResponse) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn implicit_refresh_renews_cookies_near_expiry() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .token_location([TokenLocation::Cookies, TokenLocation::Headers])
        .access_token_expires(TimeDelta::hours(1))
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
            .route("/p", web::get().to(cookie_protected)),
    )
    .await;
    let get_with_cookie = |token: &str| {
        test::TestRequest::get()
            .uri("/p")
            .insert_header(("Cookie", format!("access_token_cookie={token}")))
            .to_request()
    };

    let soon = jwt
        .access_token("di")
        .expires(TimeDelta::minutes(10))
        .encode()
        .unwrap();
    let resp = test::call_service(&app, get_with_cookie(&soon)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        cookie_names(&resp).await,
        ["access_token_cookie", "csrf_access_token"]
    );
    let renewed = resp.headers().get("set-cookie").unwrap().to_str().unwrap();
    let renewed = renewed
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("access_token_cookie=")
        .to_owned();
    let decoded = jwt.decode_token(&renewed).unwrap();
    assert_eq!(decoded.identity(), "di");
    assert!(decoded.expires_at().unwrap() > chrono::Utc::now().timestamp() + 3500);
    assert_eq!(
        test::read_body(resp).await,
        "{\"by\":\"di\"}",
        "the handler's body is untouched"
    );

    let later = jwt
        .access_token("di")
        .expires(TimeDelta::minutes(50))
        .encode()
        .unwrap();
    let resp = test::call_service(&app, get_with_cookie(&later)).await;
    assert!(cookie_names(&resp).await.is_empty(), "not near expiry");

    let req = test::TestRequest::get()
        .uri("/p")
        .insert_header(("Authorization", format!("Bearer {soon}")))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert!(
        cookie_names(&resp).await.is_empty(),
        "header tokens are not cookies"
    );

    let resp = test::call_service(&app, test::TestRequest::get().uri("/p").to_request()).await;
    assert_eq!(resp.status(), 401);
    assert!(cookie_names(&resp).await.is_empty());
}

/// A hand-written after-handler hook, as in flask's `after_request` recipe.
async fn stamp_identity(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut resp = next.call(req).await?;
    let identity = get_jwt(resp.request())
        .ok()
        .and_then(|claims| claims.get("sub").cloned());
    if let Some(Value::String(identity)) = identity {
        resp.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-identity"),
            actix_web::http::header::HeaderValue::from_str(&identity).unwrap(),
        );
    }
    Ok(resp)
}

#[actix_web::test]
async fn the_verified_token_is_readable_after_the_handler() {
    let jwt = manager(&[TokenLocation::Headers]);
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .wrap(from_fn(stamp_identity))
            .route("/p", web::get().to(cookie_protected)),
    )
    .await;
    let token = jwt.create_access_token("eve").unwrap();
    let req = test::TestRequest::get()
        .uri("/p")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.headers().get("x-identity").unwrap(), "eve");
}

/// A request whose body sends `first` and then never finishes arriving, as
/// a slow or hostile client sends it; the body stays open while the second
/// value lives.
fn stalled(req: test::TestRequest, first: &'static str) -> (actix_http::Request, impl Sized) {
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    sender.feed_data(first.into());
    let (req, _) = req
        .to_request()
        .replace_payload(actix_http::Payload::from(payload));
    (req, sender)
}

#[jwt_required(locations = ["headers", "json"])]
async fn header_or_json() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Answers within `limit`, or fails: on old code these requests hung.
async fn answered<S>(app: &S, req: actix_http::Request) -> (u16, String)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let call = async {
        let resp = test::call_service(app, req).await;
        let status = resp.status().as_u16();
        (
            status,
            String::from_utf8(test::read_body(resp).await.to_vec()).unwrap(),
        )
    };
    actix_web::rt::time::timeout(std::time::Duration::from_secs(10), call)
        .await
        .expect("answered without waiting for the rest of the body")
}

#[actix_web::test]
async fn the_json_lookup_reads_bodies_only_where_a_token_may_be() {
    let jwt = JwtManager::builder()
        .secret_key(SECRET)
        .body_timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/raw", web::to(raw))
            .route("/either", web::to(header_or_json)),
    )
    .await;
    let json_type = ("Content-Type", "application/json");

    // A body that stops arriving is cut off after the timeout: 408.
    let chunked = ("Transfer-Encoding", "chunked");
    let (req, _sender) = stalled(
        test::TestRequest::post()
            .uri("/raw")
            .insert_header(json_type)
            .insert_header(chunked),
        "{\"access_token\": \"",
    );
    assert_eq!(
        answered(&app, req).await,
        (
            408,
            "{\"msg\":\"Request body was not received within 200 ms\"}\n".to_owned()
        )
    );

    // A request that announces no body is not waited for: no token in it.
    let (req, _sender) = stalled(
        test::TestRequest::get()
            .uri("/raw")
            .insert_header(json_type),
        "{",
    );
    assert_eq!(
        answered(&app, req).await,
        (
            401,
            "{\"msg\":\"Missing \\\"access_token\\\" key in json data.\"}\n".to_owned()
        )
    );

    // A token found in an earlier location leaves the body unread.
    let token = jwt.create_access_token("ann").unwrap();
    let (req, _sender) = stalled(
        test::TestRequest::post()
            .uri("/either")
            .insert_header(json_type)
            .insert_header(chunked)
            .insert_header(("Authorization", format!("Bearer {token}"))),
        "{",
    );
    assert_eq!(answered(&app, req).await, (200, String::new()));

    // A declared length over the limit (64 KiB by default) is refused unread.
    let (req, _sender) = stalled(
        test::TestRequest::post()
            .uri("/raw")
            .insert_header(json_type)
            .insert_header(("Content-Length", "65537")),
        "{",
    );
    assert_eq!(
        answered(&app, req).await,
        (
            413,
            "{\"msg\":\"Request body is larger than 65536 bytes\"}\n".to_owned()
        )
    );
}

#[actix_web::test]
async fn a_zero_body_timeout_is_refused_at_start_up() {
    let err = JwtManager::builder()
        .secret_key(SECRET)
        .body_timeout(std::time::Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("JWT_BODY_TIMEOUT"), "{err}");
}
