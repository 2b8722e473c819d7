//! flask-jwt-extended's `examples/jwt_locations.py`: one app that accepts
//! its tokens from every location, the `Authorization` header, cookies (with
//! the CSRF double submit), a JSON body and the query string, and one route
//! that narrows the choice back to the header.
//!
//! ```text
//! cargo run --example jwt_locations
//!
//! # Nowhere: every configured location reports why it found nothing.
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing JWT in headers, cookies, json or query_string (Missing Authorization Header; Missing cookie \"access_token_cookie\"; Invalid content-type. Must be application/json.; Missing 'jwt' query paramater)"}
//!
//! # Headers: the token comes in the login's JSON body and goes back in
//! # the Authorization header (no password check, as in the original).
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login_without_cookies \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"foo":"bar"}
//! $ curl -s http://127.0.0.1:5000/only_headers -H "Authorization: Bearer $TOKEN"
//! {"foo":"baz"}
//!
//! # Query string: the same token as ?jwt=...
//! $ curl -s "http://127.0.0.1:5000/protected?jwt=$TOKEN"
//! {"foo":"bar"}
//!
//! # JSON body: {"access_token": ...} in an application/json request.
//! $ curl -s -X POST http://127.0.0.1:5000/protected \
//!     -H 'Content-Type: application/json' -d "{\"access_token\": \"$TOKEN\"}"
//! {"foo":"bar"}
//!
//! # Cookies: the login sets the HttpOnly token cookie and the CSRF cookie
//! # that page scripts read and copy into the X-CSRF-TOKEN header.
//! $ curl -i -c jar -X POST http://127.0.0.1:5000/login_with_cookies
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/
//! set-cookie: csrf_access_token=0f5b4c1e-...; Path=/
//! {"msg":"login successful"}
//!
//! $ curl -s -b jar http://127.0.0.1:5000/protected
//! {"foo":"bar"}
//!
//! # A POST with the cookie alone could be a forged cross-site request ...
//! $ curl -i -b jar -X POST http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing CSRF token"}
//!
//! # ... so it must also carry the CSRF cookie's value in the header.
//! $ CSRF=$(awk '$6 == "csrf_access_token" { print $7 }' jar)
//! $ curl -s -b jar -X POST http://127.0.0.1:5000/protected -H "X-CSRF-TOKEN: $CSRF"
//! {"foo":"bar"}
//!
//! # /only_headers looks in the header only: cookies and ?jwt= do not count.
//! $ curl -i -b jar http://127.0.0.1:5000/only_headers
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! # Logout expires the access and refresh cookies and their CSRF cookies.
//! $ curl -i -b jar -X POST http://127.0.0.1:5000/logout_with_cookies
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
//! set-cookie: csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
//! set-cookie: refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
//! set-cookie: csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
//! {"msg":"logout successful"}
//! ```
//!
//! Cookies are sent over plain http here because `cookie_secure` is off, as
//! in the original, for a local test run. In production turn it on (and
//! serve https), so browsers never send the token cookies in the clear.
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpResponse, HttpServer, post, route};
use jwt_ext::{JwtError, JwtManager, TokenLocation, jwt_required};
use serde_json::json;

/// For clients that keep the token themselves: sent back in a header, the
/// query string or a JSON body.
#[post("/login_without_cookies")]
async fn login_without_cookies(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token("example_user")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// For browsers: the token in an HttpOnly cookie, out of reach of page
/// scripts, and its CSRF value in a cookie they can read.
#[post("/login_with_cookies")]
async fn login_with_cookies(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let mut response = HttpResponse::Ok().json(json!({ "msg": "login successful" }));
    let access_token = jwt.create_access_token("example_user")?;
    jwt.set_access_cookies(&mut response, &access_token)?;
    Ok(response)
}

#[post("/logout_with_cookies")]
async fn logout_with_cookies(jwt: JwtManager) -> HttpResponse {
    let mut response = HttpResponse::Ok().json(json!({ "msg": "logout successful" }));
    jwt.unset_jwt_cookies(&mut response);
    response
}

/// Any configured location. The CSRF check applies to cookies on POST only
/// (and the other state-changing methods), not on GET.
#[route("/protected", method = "GET", method = "HEAD", method = "POST")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "foo": "bar" }))
}

/// `locations` overrides the configured list for one route.
#[route("/only_headers", method = "GET", method = "HEAD")]
#[jwt_required(locations = ["headers"])]
async fn only_headers() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "foo": "baz" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let jwt = JwtManager::builder()
        // Every way a token may come in, looked up in this order; the
        // default is the header alone.
        .token_location([
            TokenLocation::Headers,
            TokenLocation::Cookies,
            TokenLocation::Json,
            TokenLocation::QueryString,
        ])
        // Lets the cookies travel over plain http for this local example.
        // In production this must be true: https only.
        .cookie_secure(false)
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
            .service(login_without_cookies)
            .service(login_with_cookies)
            .service(logout_with_cookies)
            .service(protected)
            .service(only_headers)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
