//! flask-jwt-extended's `examples/optional_protected_endpoints.py`: one
//! route for everybody, which recognises the caller when there is a token.
//!
//! ```text
//! cargo run --example optional_protected_endpoints
//!
//! $ curl -s http://127.0.0.1:5000/optionally_protected
//! {"logged_in_as":"anonymous user"}
//!
//! $ curl -i -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "nope"}'
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Bad username or password"}
//!
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}' \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/optionally_protected -H "Authorization: Bearer $TOKEN"
//! {"logged_in_as":"test"}
//!
//! # Optional forgives a *missing* token only: a bad one is still refused.
//! $ curl -i http://127.0.0.1:5000/optionally_protected -H "Authorization: Bearer not-a-token"
//! HTTP/1.1 422 Unprocessable Entity
//! {"msg":"Not enough segments"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, route, web};
use jwt_ext::{JwtError, JwtManager, get_jwt_identity, jwt_required};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

#[post("/login")]
async fn login(jwt: JwtManager, body: web::Json<Credentials>) -> Result<HttpResponse, JwtError> {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
    }
    let access_token = jwt.create_access_token("test")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// `optional` lets requests without a token in; the identity is then `None`.
/// (The `OptionalJwt` extractor gives the same answer without the macro.)
#[route("/optionally_protected", method = "GET", method = "HEAD")]
#[jwt_required(optional)]
async fn optionally_protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    // flask tests `if current_identity:`, so an empty identity counts as
    // anonymous too (identities are strings: `sub` must be one).
    let current_identity = get_jwt_identity(&req)?.filter(|identity| identity != "");
    Ok(match current_identity {
        Some(identity) => HttpResponse::Ok().json(json!({ "logged_in_as": identity })),
        None => HttpResponse::Ok().json(json!({ "logged_in_as": "anonymous user" })),
    })
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
            .service(optionally_protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
