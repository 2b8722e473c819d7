//! flask-jwt-extended's `examples/additional_data_in_access_token.py`: put
//! your own claims in a token at login, read them back with `get_jwt`.
//!
//! ```text
//! cargo run --example additional_data_in_access_token
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
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"foo":"bar"}
//!
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//! ```
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, route, web};
use jwt_ext::{JwtError, JwtManager, get_jwt, jwt_required};
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
    // `claims` either adds custom claims or overrides the default ones. The
    // `aud` claim is only checked by apps that configure a decode audience,
    // as in flask; this one does not.
    let additional_claims = json!({ "aud": "some_audience", "foo": "bar" });
    let access_token = jwt
        .access_token("test")
        .claims(additional_claims)
        .encode()?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// In a protected handler, read the claims you added with `get_jwt`.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let claims = get_jwt(&req)?;
    // `get`, not `claims["foo"]`, which would panic on a token without the
    // claim (flask answers 500 there); such a token gets `{"foo": null}`.
    Ok(HttpResponse::Ok().json(json!({ "foo": claims.get("foo") })))
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
