//! flask-jwt-extended's `examples/implicit_refresh.py`: tokens live in
//! cookies for an hour, and any request made in their last 30 minutes gets
//! a new access cookie with the response, so an active browser session
//! never meets an expired token and the page never calls a refresh route.
//!
//! The original does the renewal in an `@app.after_request` callback; the
//! idiomatic actix port is jwt-ext's [`ImplicitRefresh`] middleware, which
//! runs the same rule after the handler: when the request's token came from
//! a cookie and expires within the window, mint a token with the same
//! identity (and the same custom claims) and set it with
//! `set_access_cookies`. Unlike the original, it leaves alone a response
//! that sets or unsets the access cookie itself (a protected logout, say),
//! so a logout near expiry is not undone by a fresh cookie. A different
//! rule is a small `actix_web::middleware::from_fn` reading `get_jwt(&req)`
//! after the handler, as the Python callback reads `get_jwt()`.
//!
//! ```text
//! cargo run --example implicit_refresh
//!
//! $ curl -i http://127.0.0.1:5000/protected
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing cookie \"access_token_cookie\""}
//!
//! # No password check here, as in the original: every login is "example_user".
//! $ curl -i -c jar -X POST http://127.0.0.1:5000/login
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/
//! set-cookie: csrf_access_token=6d0f7a4e-...; Path=/
//! {"msg":"login successful"}
//!
//! # A fresh login has an hour left: the cookie stays as it is.
//! $ curl -i -b jar -c jar http://127.0.0.1:5000/protected
//! HTTP/1.1 200 OK
//! {"foo":"bar"}
//!
//! # Half an hour later, the same request also renews both cookies (a new
//! # token, valid for an hour again, and its new CSRF value).
//! $ curl -i -b jar -c jar http://127.0.0.1:5000/protected
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/
//! set-cookie: csrf_access_token=b81e0c9d-...; Path=/
//! {"foo":"bar"}
//!
//! # Logout expires the access and refresh cookies and their CSRF cookies.
//! $ curl -i -b jar -X POST http://127.0.0.1:5000/logout
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
//! set-cookie: csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
//! set-cookie: refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/
//! set-cookie: csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/
//! {"msg":"logout successful"}
//! ```
//!
//! Once a token has expired, no renewal happens: the request gets 401
//! `{"msg":"Token has expired"}` and the user logs in again. The CSRF cookie
//! matters for routes that change state (POST, PUT, PATCH, DELETE): there
//! the page copies its value into the `X-CSRF-TOKEN` header.
//!
//! Cookies are sent over plain http here because `cookie_secure` is off, as
//! in the original, for a local test run. In production turn it on (and
//! serve https), so browsers never send the token cookies in the clear.
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use actix_web::{App, HttpResponse, HttpServer, post, route};
use chrono::TimeDelta;
use jwt_ext::{ImplicitRefresh, JwtError, JwtManager, TokenLocation, jwt_required};
use serde_json::json;

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let mut response = HttpResponse::Ok().json(json!({ "msg": "login successful" }));
    let access_token = jwt.create_access_token("example_user")?;
    jwt.set_access_cookies(&mut response, &access_token)?;
    Ok(response)
}

#[post("/logout")]
async fn logout(jwt: JwtManager) -> HttpResponse {
    let mut response = HttpResponse::Ok().json(json!({ "msg": "logout successful" }));
    jwt.unset_jwt_cookies(&mut response);
    response
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
        // Lets the cookies travel over plain http for this local example.
        // In production this must be true: https only.
        .cookie_secure(false)
        .token_location([TokenLocation::Cookies])
        .secret_key("super-secret") // Change this!
        .access_token_expires(TimeDelta::hours(1))
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
            // After every handler: renew any cookie token that expires within
            // 30 minutes. Change the durations to match your application.
            .wrap(ImplicitRefresh::new(TimeDelta::minutes(30)))
            .service(login)
            .service(logout)
            .service(protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
