//! The seed example: flask-jwt-extended's `examples/simple.py`.
//!
//! ```text
//! cargo run --example simple
//!
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! $ curl -s -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}'
//! {"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"logged_in_as":"test"}
//!
//! $ curl -I http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! content-length: 39
//! content-type: application/json
//! www-authenticate: Bearer
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

/// Create a route to authenticate your users and return JWTs. The
/// `create_access_token` function is used to actually generate the JWT.
#[post("/login")]
async fn login(jwt: JwtManager, body: web::Json<Credentials>) -> Result<HttpResponse, JwtError> {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
    }
    let access_token = jwt.create_access_token("test")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Protect a route with `#[jwt_required]`, which kicks out requests without a
/// valid JWT present.
///
/// Flask answers HEAD on every GET route; actix only on the routes that list
/// it, so every GET route of the examples lists HEAD too. actix then sends
/// the GET's status and header fields without the body.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    // Access the identity of the current user with get_jwt_identity
    let current_user = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short
    // secret. Refusals are DEBUG events, hidden at the default INFO:
    // RUST_LOG=info,jwt_ext::refusal=debug shows each with its reason.
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
