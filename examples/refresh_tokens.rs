//! flask-jwt-extended's `examples/refresh_tokens.py`: short-lived access
//! tokens, and a long-lived refresh token that can only mint new ones.
//!
//! ```text
//! cargo run --example refresh_tokens
//!
//! # No password check here, as in the original: every login is "example_user".
//! $ LOGIN=$(curl -s -X POST http://127.0.0.1:5000/login); echo "$LOGIN"
//! {"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...","refresh_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}
//! $ ACCESS=$(echo "$LOGIN" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ REFRESH=$(echo "$LOGIN" | sed 's/.*"refresh_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $ACCESS"
//! {"foo":"bar"}
//!
//! # A refresh token opens no door but /refresh ...
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $REFRESH"
//! HTTP/1.1 422 Unprocessable Entity
//! {"msg":"Only non-refresh tokens are allowed"}
//!
//! # ... and /refresh wants nothing else.
//! $ curl -i -X POST http://127.0.0.1:5000/refresh -H "Authorization: Bearer $ACCESS"
//! HTTP/1.1 422 Unprocessable Entity
//! {"msg":"Only refresh tokens are allowed"}
//!
//! $ ACCESS=$(curl -s -X POST http://127.0.0.1:5000/refresh -H "Authorization: Bearer $REFRESH" \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $ACCESS"
//! {"foo":"bar"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, route};
use chrono::TimeDelta;
use jwt_ext::{JwtError, JwtManager, get_jwt_identity, jwt_required};
use serde_json::json;

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token("example_user")?;
    let refresh_token = jwt.create_refresh_token("example_user")?;
    Ok(HttpResponse::Ok()
        .json(json!({ "access_token": access_token, "refresh_token": refresh_token })))
}

/// `refresh` lets only refresh tokens in. The new access token is for the
/// identity of the refresh token.
#[post("/refresh")]
#[jwt_required(refresh)]
async fn refresh(req: HttpRequest, jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let identity = get_jwt_identity(&req)?;
    let access_token = jwt.create_access_token(identity)?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "foo": "bar" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        // Access tokens expire quickly; the refresh token saves a new login.
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
