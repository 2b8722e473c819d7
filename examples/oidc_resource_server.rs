//! An API protected by tokens of an identity provider (Auth0, Keycloak,
//! Okta, Entra ID, ...), in the shape of Auth0's API quickstarts. Build with
//! jwt-ext's `oidc` feature.
//!
//! ```text
//! OIDC_ISSUER=https://your-tenant.example.com/ OIDC_AUDIENCE=https://api.example.com \
//!     cargo run --example oidc_resource_server
//!
//! $ curl -s http://127.0.0.1:5000/api/public
//! {"message":"Hello from a public endpoint! You don't need to be authenticated to see this."}
//!
//! $ curl -i http://127.0.0.1:5000/api/private
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! $ curl -s http://127.0.0.1:5000/api/private -H "Authorization: Bearer $TOKEN"
//! {"sub":"<the token's subject>"}
//!
//! $ curl -i http://127.0.0.1:5000/api/private-scoped -H "Authorization: Bearer $TOKEN_WITHOUT_SCOPE"
//! HTTP/1.1 403 Forbidden
//! www-authenticate: Bearer realm="api", error="insufficient_scope", error_description="Missing required scopes: read:messages", scope="read:messages"
//! {"msg":"Missing required scopes: read:messages"}
//! ```
//!
//! At start-up the manager reads `{OIDC_ISSUER}/.well-known/openid-configuration`,
//! checks that it names the same issuer, and fetches the provider's keys
//! (start-up fails, saying why, when it cannot). It refreshes them in the
//! background and fetches them again, at most every 30 s, when a token
//! names a key it has not seen: a key rotation at the provider needs no
//! restart. The port comes from `PORT` (default 5000).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, get};
use jwt_ext::{JwtError, JwtManager, TrustedIssuer, get_jwt_identity, jwt_required};
use serde_json::json;

/// No token needed.
#[get("/api/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "message": "Hello from a public endpoint! You don't need to be authenticated to see this."
    }))
}

/// A valid token of the provider, for this API's audience.
#[get("/api/private")]
#[jwt_required]
async fn private(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "sub": get_jwt_identity(&req)? })))
}

/// The same, and the scope `read:messages`; without it, 403.
#[get("/api/private-scoped")]
#[jwt_required(scopes = ["read:messages"])]
async fn private_scoped(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(json!({ "sub": get_jwt_identity(&req)? })))
}

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} must be set: see the example's documentation");
        std::process::exit(2)
    })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt::init();
    let issuer = required("OIDC_ISSUER");
    let audience = required("OIDC_AUDIENCE");
    // The manager mints nothing: it only trusts the provider's tokens.
    let jwt = JwtManager::builder()
        .trusted_issuer(TrustedIssuer::discover(issuer).audience(audience))
        .bearer_realm("api")
        .build()
        .unwrap_or_else(|err| {
            eprintln!("JWT configuration: {err}");
            std::process::exit(2)
        });
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    println!("listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .app_data(jwt.clone())
            .service(public)
            .service(private)
            .service(private_scoped)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
