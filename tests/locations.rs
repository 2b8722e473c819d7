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

/// flask reads `if not encoded_token` with Python truthiness: a falsy value
/// is "missing", a truthy non-string reaches PyJWT. Answers of flask 4.7.4.
#[actix_web::test]
async fn json_token_values_follow_python_truthiness() {
    let app = test::init_service(
        App::new()
            .app_data(manager(&[TokenLocation::Headers]))
            .route("/raw", web::post().to(raw)),
    )
    .await;
    let missing = (
        401,
        "{\"msg\":\"Missing \\\"access_token\\\" key in json data.\"}\n",
    );
    let not_bytes = (
        422,
        "{\"msg\":\"Invalid token type. Token must be a <class 'bytes'>\"}\n",
    );
    let cases = [
        ("0", missing),
        ("0.0", missing),
        ("-0.0", missing),
        ("[]", missing),
        ("{}", missing),
        ("false", missing),
        ("null", missing),
        ("\"\"", missing),
        ("true", not_bytes),
        ("1.5", not_bytes),
        ("{\"a\":1}", not_bytes),
        ("[\"\"]", not_bytes),
        ("\" \"", (422, "{\"msg\":\"Not enough segments\"}\n")),
    ];
    for (value, (status, body)) in cases {
        let req = test::TestRequest::post()
            .uri("/raw")
            .insert_header(("Content-Type", "application/json"))
            .set_payload(format!("{{\"access_token\":{value}}}"))
            .to_request();
        let resp = test::call_service(&app, req).await;
        assert_eq!(resp.status(), status, "access_token {value}");
        assert_eq!(test::read_body(resp).await, body, "access_token {value}");
    }
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

/// The `Set-Cookie` headers of a response as (name, value) pairs.
fn set_cookies(resp: &ServiceResponse) -> Vec<(String, String)> {
    resp.headers()
        .get_all("set-cookie")
        .map(|v| {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// The access token a response sets, if it sets one (an unset cookie has
/// an empty value).
fn renewed_access(resp: &ServiceResponse) -> Option<String> {
    set_cookies(resp)
        .into_iter()
        .find(|(name, value)| name == "access_token_cookie" && !value.is_empty())
        .map(|(_, value)| value)
}

mod renewal {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;
    use jwt_ext::{Jwt, JwtManagerBuilder, MemoryStore, RevocationStore, StoreError, StoreFuture};

    fn cookie_builder() -> JwtManagerBuilder {
        JwtManager::builder()
            .secret_key(SECRET)
            .token_location([TokenLocation::Cookies])
            .access_token_expires(TimeDelta::hours(1))
    }

    /// flask's logout: revoke the token, then expire the cookies.
    #[jwt_required]
    async fn logout(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
        jwt.revoke_token(&token).await?;
        let mut response = HttpResponse::Ok().json(json!({ "msg": "logout successful" }));
        jwt.unset_jwt_cookies(&mut response);
        Ok(response)
    }

    /// Revokes the caller's token and leaves the cookies alone.
    #[jwt_required]
    async fn revoke_only(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
        jwt.revoke_token(&token).await?;
        Ok(HttpResponse::Ok().finish())
    }

    /// Sets an access cookie of its own (a switch of account, say).
    #[jwt_required]
    async fn switch_user(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
        let mut response = HttpResponse::Ok().finish();
        jwt.set_access_cookies(&mut response, &jwt.create_access_token("bob")?)?;
        Ok(response)
    }

    #[jwt_required(skip_revocation_check)]
    async fn unchecked() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[jwt_required]
    async fn plain() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    macro_rules! app {
        ($jwt:expr) => {
            test::init_service(
                App::new()
                    .app_data($jwt)
                    .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
                    .route("/logout", web::post().to(logout))
                    .route("/revoke", web::post().to(revoke_only))
                    .route("/switch", web::post().to(switch_user))
                    .route("/unchecked", web::get().to(unchecked))
                    .route("/plain", web::get().to(plain)),
            )
            .await
        };
    }

    fn with_cookie(jwt: &JwtManager, method: &str, path: &str, token: &str) -> actix_http::Request {
        let csrf = jwt.get_csrf_token(token).unwrap();
        test::TestRequest::default()
            .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path)
            .insert_header(("Cookie", format!("access_token_cookie={token}")))
            .insert_header(("X-CSRF-TOKEN", csrf))
            .to_request()
    }

    fn near_expiry(jwt: &JwtManager) -> String {
        jwt.access_token("ann")
            .expires(TimeDelta::minutes(10))
            .encode()
            .unwrap()
    }

    #[actix_web::test]
    async fn a_logout_near_expiry_is_not_undone() {
        let jwt = cookie_builder()
            .revocation_store(MemoryStore::new())
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        let token = near_expiry(&jwt);
        let resp = test::call_service(&app, with_cookie(&jwt, "POST", "/logout", &token)).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            set_cookies(&resp)
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect::<Vec<_>>(),
            [
                ("access_token_cookie", ""),
                ("csrf_access_token", ""),
                ("refresh_token_cookie", ""),
                ("csrf_refresh_token", ""),
            ],
            "only the four unset cookies"
        );
        let resp = test::call_service(&app, with_cookie(&jwt, "GET", "/plain", &token)).await;
        assert_eq!(resp.status(), 401, "the token stays revoked");
    }

    #[actix_web::test]
    async fn a_token_revoked_by_the_handler_is_not_renewed() {
        let jwt = cookie_builder()
            .revocation_store(MemoryStore::new())
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        let resp = test::call_service(
            &app,
            with_cookie(&jwt, "POST", "/revoke", &near_expiry(&jwt)),
        )
        .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(renewed_access(&resp), None);
        assert!(set_cookies(&resp).is_empty());
    }

    #[actix_web::test]
    async fn a_response_that_sets_the_access_cookie_keeps_its_own() {
        let jwt = cookie_builder().build().unwrap();
        let app = app!(jwt.clone());
        let resp = test::call_service(
            &app,
            with_cookie(&jwt, "POST", "/switch", &near_expiry(&jwt)),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let names: Vec<String> = set_cookies(&resp).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["access_token_cookie", "csrf_access_token"]);
        let set = renewed_access(&resp).unwrap();
        assert_eq!(jwt.decode_token(&set).unwrap().identity(), "bob");
    }

    #[actix_web::test]
    async fn routes_that_skip_the_revocation_check_renew_nothing() {
        let jwt = cookie_builder()
            .revocation_store(MemoryStore::new())
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        let token = near_expiry(&jwt);
        jwt.revoke_token(&jwt.decode_token(&token).unwrap())
            .await
            .unwrap();
        let resp = test::call_service(&app, with_cookie(&jwt, "GET", "/unchecked", &token)).await;
        assert_eq!(resp.status(), 200, "the route itself skips the check");
        assert_eq!(
            renewed_access(&resp),
            None,
            "but a revoked token is not renewed"
        );
        // Not even an unrevoked one: nothing checked it.
        let resp = test::call_service(
            &app,
            with_cookie(&jwt, "GET", "/unchecked", &near_expiry(&jwt)),
        )
        .await;
        assert_eq!(renewed_access(&resp), None);
        // A checked route renews.
        let resp =
            test::call_service(&app, with_cookie(&jwt, "GET", "/plain", &near_expiry(&jwt))).await;
        assert!(renewed_access(&resp).is_some());
    }

    #[actix_web::test]
    async fn the_blocklist_loader_is_asked_again_before_renewal() {
        let blocked: Arc<Mutex<HashSet<String>>> = Arc::default();
        let seen = blocked.clone();
        let jwt = cookie_builder()
            .token_in_blocklist_loader(move |token: Jwt| {
                let revoked = seen.lock().unwrap().contains(token.jti().unwrap());
                async move { Ok::<_, actix_web::Error>(revoked) }
            })
            .build()
            .unwrap();
        let block = blocked.clone();
        let app = test::init_service(
            App::new()
                .app_data(jwt.clone())
                .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
                .route(
                    "/block",
                    web::post().to(move |token: Jwt| {
                        block
                            .lock()
                            .unwrap()
                            .insert(token.jti().unwrap().to_owned());
                        async { HttpResponse::Ok().finish() }
                    }),
                ),
        )
        .await;
        let resp = test::call_service(
            &app,
            with_cookie(&jwt, "POST", "/block", &near_expiry(&jwt)),
        )
        .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(renewed_access(&resp), None);
    }

    /// A store that goes down when told to.
    #[derive(Clone, Default)]
    struct Switchable {
        store: Arc<MemoryStore>,
        down: Arc<AtomicBool>,
    }

    impl RevocationStore for Switchable {
        fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
            self.store.insert(key, ttl)
        }

        fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
            if self.down.load(Ordering::SeqCst) {
                return Box::pin(async { Err(StoreError::new("connection refused")) });
            }
            self.store.contains(keys)
        }
    }

    #[actix_web::test]
    async fn a_store_failing_at_renewal_time_means_no_renewal() {
        let store = Switchable::default();
        let down = store.down.clone();
        let jwt = cookie_builder().revocation_store(store).build().unwrap();
        let app = test::init_service(
            App::new()
                .app_data(jwt.clone())
                .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
                .route(
                    "/outage",
                    web::get().to(move |_: Jwt| {
                        down.store(true, Ordering::SeqCst);
                        async { HttpResponse::Ok().finish() }
                    }),
                ),
        )
        .await;
        let resp = test::call_service(
            &app,
            with_cookie(&jwt, "GET", "/outage", &near_expiry(&jwt)),
        )
        .await;
        assert_eq!(resp.status(), 200, "the handler's answer stands");
        assert_eq!(renewed_access(&resp), None, "fail closed: no renewal");
    }

    #[derive(serde::Serialize)]
    struct User {
        name: &'static str,
        role: &'static str,
    }

    #[actix_web::test]
    async fn a_renewed_token_keeps_the_identity_and_claims_of_the_old_one() {
        // The identity loader of the crate's own docs, and a claims loader.
        let jwt = cookie_builder()
            .user_identity_loader(|user| user["name"].clone())
            .additional_claims_loader(|user| json!({ "role": user["role"] }))
            .revocation_store(MemoryStore::new())
            .build()
            .unwrap();
        let app = app!(jwt.clone());
        let token = jwt
            .access_token(User {
                name: "ann",
                role: "admin",
            })
            .expires(TimeDelta::minutes(10))
            .claim("tenant", 7)
            .claim("fam", "family-1")
            .fresh(true)
            .encode()
            .unwrap();
        let old = jwt.decode_token(&token).unwrap();
        let resp = test::call_service(&app, with_cookie(&jwt, "GET", "/plain", &token)).await;
        assert_eq!(resp.status(), 200);
        let renewed = renewed_access(&resp).expect("renewed");
        let new = jwt.decode_token(&renewed).unwrap();
        assert_eq!(new.identity(), "ann");
        assert_eq!(new.claims()["role"], "admin");
        assert_eq!(new.claims()["tenant"], 7);
        assert_eq!(new.claims()["fam"], "family-1", "still of its family");
        assert_eq!(new.claims()["fresh"], false, "renewed tokens are not fresh");
        assert_eq!(new.token_type(), "access");
        assert_ne!(new.jti(), old.jti());
        assert_ne!(new.claims()["csrf"], old.claims()["csrf"]);
        assert!(new.expires_at().unwrap() > old.expires_at().unwrap());
        // The same claims, in the same order, but the minted ones.
        let custom = |claims: &serde_json::Map<String, Value>| -> Vec<(String, Value)> {
            claims
                .iter()
                .filter(|(name, _)| {
                    !["iat", "nbf", "jti", "exp", "csrf", "fresh"].contains(&name.as_str())
                })
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        };
        assert_eq!(custom(new.claims()), custom(old.claims()));
        // The renewed token renews again, still as ann.
        let again = jwt
            .access_token(User {
                name: "ann",
                role: "user",
            })
            .expires(TimeDelta::minutes(5))
            .encode()
            .unwrap();
        let resp = test::call_service(&app, with_cookie(&jwt, "GET", "/plain", &again)).await;
        let renewed = jwt
            .decode_token(&renewed_access(&resp).expect("renewed"))
            .unwrap();
        assert_eq!(renewed.identity(), "ann");
        assert_eq!(renewed.claims()["role"], "user");
    }
}
