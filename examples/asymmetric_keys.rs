//! The simple example signed with an RSA key pair (RS256) instead of a shared
//! secret: flask-jwt-extended's `JWT_ALGORITHM = "RS256"` with
//! `JWT_PRIVATE_KEY` and `JWT_PUBLIC_KEY`. The private key signs; anyone
//! holding only the public key (another service, a gateway) can verify the
//! tokens without being able to mint them.
//!
//! ```text
//! cargo run --example asymmetric_keys
//!
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
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
//! # The header says RS256.
//! $ echo "$TOKEN" | cut -d. -f1 | base64 -d 2>/dev/null; echo
//! {"alg":"RS256","typ":"JWT"}
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"logged_in_as":"test"}
//!
//! # The public key as a JWK Set, for services that verify by JWKS URL.
//! $ curl -s http://127.0.0.1:5000/.well-known/jwks.json
//! {"keys":[{"alg":"RS256","e":"AQAB","kid":"...","kty":"RSA","n":"...","use":"sig"}]}
//!
//! # A token signed with a secret (HS256, e.g. from the simple example) is refused.
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $HS256_TOKEN"
//! HTTP/1.1 422 Unprocessable Entity
//! {"msg":"The specified alg value is not allowed"}
//! ```
//!
//! The keys are `examples/keys/rsa_private.pem` and `rsa_public.pem`,
//! compiled into the binary. They are example keys, **published**: anyone
//! can mint tokens this example accepts. A real service generates its own
//! pair, keeps the private key out of the repository and loads both at start
//! (a file, or the `JWT_PRIVATE_KEY` and `JWT_PUBLIC_KEY` variables that
//! `JwtManager::from_env()` reads).
//!
//! The port comes from `PORT` (default 5000).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, route, web};
use jwt_ext::{Algorithm, JwtError, JwtManager, get_jwt_identity, jwt_required};
use serde::Deserialize;
use serde_json::json;

/// Example-only keys: see `examples/keys/README.md`.
const PRIVATE_KEY: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/rsa_private.pem"));
const PUBLIC_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/rsa_public.pem"));

#[derive(Deserialize)]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

/// Signs the access token with the private key.
#[post("/login")]
async fn login(jwt: JwtManager, body: web::Json<Credentials>) -> Result<HttpResponse, JwtError> {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
    }
    let access_token = jwt.create_access_token("test")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Verifies the token with the public key.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let current_user = get_jwt_identity(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        .algorithm(Algorithm::RS256)
        .private_key_pem(PRIVATE_KEY)
        .public_key_pem(PUBLIC_KEY)
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
            .route(
                "/.well-known/jwks.json",
                web::get().to(jwt_ext::jwks_handler),
            )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
