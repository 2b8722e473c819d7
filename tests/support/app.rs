//! Calling a test `App` the way most tests do.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test;
use serde_json::Value;

/// Sends `method path` with `Authorization: Bearer <token>` to `app` and
/// returns the status and the JSON body (`Null` when the body is not JSON).
pub async fn call_bearer(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    method: Method,
    path: &str,
    token: &str,
) -> (u16, Value) {
    let req = test::TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(app, req).await;
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&test::read_body(resp).await).unwrap_or(Value::Null),
    )
}

/// The status of `GET /protected` with `token`, the route most tests guard.
pub async fn protected_status(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    token: &str,
) -> u16 {
    call_bearer(app, Method::GET, "/protected", token).await.0
}

/// The status of `DELETE /logout` with `token`.
pub async fn logout_status(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    token: &str,
) -> u16 {
    call_bearer(app, Method::DELETE, "/logout", token).await.0
}
