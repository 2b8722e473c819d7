//! flask-jwt-extended's `examples/custom_decorators.py`: your own guard on
//! top of jwt-ext. flask's `@admin_required()` decorator becomes the
//! [`AdminRequired`] extractor: a handler that takes it runs only for a valid
//! access token whose `is_administrator` claim is `true`.
//!
//! ```text
//! cargo run --example custom_decorators
//!
//! # As in the original, everybody who logs in is an administrator.
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"foo":"bar"}
//!
//! # The guard verifies the token first, with jwt-ext's usual answers.
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! # A valid token without `"is_administrator": true` (flask answers 500 when
//! # the claim is missing, 403 when it is false), e.g. one from the simple
//! # example (same secret), started with `PORT=5001 cargo run --example simple`:
//! $ USER_TOKEN=$(curl -s -X POST http://127.0.0.1:5001/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}' \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $USER_TOKEN"
//! HTTP/1.1 403 Forbidden
//! {"msg":"Admins only!"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer, post, route};
use jwt_ext::{JwtError, JwtManager, VerifyOptions, verify_jwt_in_request};
use serde_json::{Value, json};

/// The port of flask's `admin_required` decorator: verifies that a JWT is
/// in the request, as `#[jwt_required]` would, then that it says the caller
/// is an administrator. Take it as a handler argument to guard the handler.
///
/// Only a JSON `true` makes an administrator (flask takes any truthy
/// value), and a token without the claim gets the 403 too, where flask's
/// `claims["is_administrator"]` raises a `KeyError`: a 500.
struct AdminRequired;

impl FromRequest for AdminRequired {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // A missing, invalid or expired token is answered here with
            // flask's 401 or 422, and the handler never runs.
            let jwt = verify_jwt_in_request(&req, VerifyOptions::new()).await?;
            // `None` only for OPTIONS preflights, which pass unverified.
            let is_admin = jwt.is_some_and(|jwt| {
                jwt.claims().get("is_administrator") == Some(&Value::Bool(true))
            });
            if is_admin {
                Ok(AdminRequired)
            } else {
                let body = json!({ "msg": "Admins only!" });
                Err(InternalError::from_response(
                    "Admins only!",
                    HttpResponse::Forbidden().json(body),
                )
                .into())
            }
        })
    }
}

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt
        .access_token("admin_user")
        .claims(json!({ "is_administrator": true }))
        .encode()?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Guarded by taking `AdminRequired`: flask's `@admin_required()`.
#[route("/protected", method = "GET", method = "HEAD")]
async fn protected(_: AdminRequired) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "foo": "bar" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        .build()
        .map_err(std::io::Error::other)?;
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    println!("listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .app_data(jwt.clone())
            .service(login)
            .service(protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
