//! flask-jwt-extended's `examples/token_freshness.py`: a password login gives
//! a *fresh* access token; tokens minted from a refresh token are not fresh,
//! and `#[jwt_required(fresh)]` routes turn them away.
//!
//! ```text
//! cargo run --example token_freshness
//!
//! $ curl -i -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "nope"}'
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Bad username or password"}
//!
//! $ LOGIN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}'); echo "$LOGIN"
//! {"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...","refresh_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}
//! $ FRESH=$(echo "$LOGIN" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ REFRESH=$(echo "$LOGIN" | sed 's/.*"refresh_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $FRESH"
//! {"foo":"bar"}
//!
//! # A token from the refresh token is not fresh.
//! $ STALE=$(curl -s -X POST http://127.0.0.1:5000/refresh -H "Authorization: Bearer $REFRESH" \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $STALE"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Fresh token required"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, route, web};
use chrono::TimeDelta;
use jwt_ext::{JwtError, JwtManager, get_jwt_identity, jwt_required};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

/// We verify the user's password here, so we return a fresh access token.
#[post("/login")]
async fn login(jwt: JwtManager, body: web::Json<Credentials>) -> Result<HttpResponse, JwtError> {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
    }
    // The original mints for "example_user", whoever logs in; so do we.
    let access_token = jwt.access_token("example_user").fresh(true).encode()?;
    let refresh_token = jwt.create_refresh_token("example_user")?;
    Ok(HttpResponse::Ok()
        .json(json!({ "access_token": access_token, "refresh_token": refresh_token })))
}

/// If we are refreshing a token here, we have not verified the user's
/// password in a while, so mark the new access token as not fresh.
#[post("/refresh")]
#[jwt_required(refresh)]
async fn refresh(req: HttpRequest, jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let identity = get_jwt_identity(&req)?;
    let access_token = jwt.access_token(identity).fresh(false).encode()?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Only fresh access tokens get in, thanks to `fresh`.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required(fresh)]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "foo": "bar" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        .access_token_expires(TimeDelta::hours(1))
        .refresh_token_expires(TimeDelta::days(30))
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
            .service(refresh)
            .service(protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
