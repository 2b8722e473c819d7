//! flask-jwt-extended's `examples/loaders.py`: changing the answer to an
//! expired token with the `expired_token_loader`.
//!
//! ```text
//! cargo run --example loaders
//!
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"hello":"world"}
//!
//! # Fifteen minutes later (access tokens expire after 15 minutes):
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! HTTP/1.1 401 Unauthorized
//! {"code":"dave","err":"I can't let you do that"}
//!
//! # The other answers are flask's defaults.
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpResponse, HttpServer, post, route};
use jwt_ext::{JwtError, JwtManager, jwt_required};
use serde_json::{Map, Value, json};

/// Using the `expired_token_loader`, we change the response sent back when
/// an expired token reaches a protected endpoint. It receives the token's
/// header and claims.
fn my_expired_token_callback(
    _jwt_header: &Map<String, Value>,
    _jwt_payload: &Map<String, Value>,
) -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({ "code": "dave", "err": "I can't let you do that" }))
}

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token("example_user")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "hello": "world" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        .expired_token_loader(my_expired_token_callback)
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
