//! The jwt-ext side of the pipeline benches: the `simple` example's
//! `/protected` handler, and its cookie and optional variants.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use jwt_ext::{JwtError, get_jwt_identity, jwt_required};
use serde_json::json;

/// `GET /protected`: `#[jwt_required]`, the token from the configured
/// location (the `Authorization` header by default).
#[get("/protected")]
#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let current_user = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
}

/// `POST /cookie`: the token from the access cookie, so the CSRF double
/// submit applies (`X-CSRF-TOKEN`).
#[post("/cookie")]
#[jwt_required(locations = ["cookies"])]
async fn cookie_protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let current_user = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
}

/// `GET /optional`: `#[jwt_required(optional)]`; `null` without a token.
#[get("/optional")]
#[jwt_required(optional)]
async fn optional(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let current_user = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
}

/// Registers the three routes (the manager goes in the app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(protected)
        .service(cookie_protected)
        .service(optional);
}
