//! A browser app: a single page (plain HTML and JavaScript, served by this
//! binary) that logs in with a form, keeps its tokens in `HttpOnly`
//! cookies, calls a protected JSON API with the CSRF double submit,
//! refreshes through the refresh cookie and logs out by revoking its
//! tokens. [`ImplicitRefresh`] renews the access cookie of an active page.
//! The crate's guide "Cookies and CSRF for browser apps" walks through it.
//!
//! ```text
//! cargo run --example browser_app
//! # then open http://127.0.0.1:5000/ and log in as test / test.
//!
//! # The same session with curl.
//! $ curl -i -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "nope"}'
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Bad username or password"}
//!
//! # The tokens in HttpOnly cookies, each with its CSRF value in a cookie
//! # the page's script can read.
//! $ curl -i -c jar -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}'
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/; SameSite=Lax
//! set-cookie: csrf_access_token=4f6d2a0e-...; Path=/; SameSite=Lax
//! set-cookie: refresh_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/; SameSite=Lax
//! set-cookie: csrf_refresh_token=9b0c7d31-...; Path=/; SameSite=Lax
//! {"msg":"login successful"}
//!
//! $ curl -s -b jar http://127.0.0.1:5000/api/whoami
//! {"logged_in_as":"test","expires_at":1767225600}
//!
//! # A POST with the cookies alone could be forged by another site ...
//! $ curl -i -b jar -X POST http://127.0.0.1:5000/api/notes \
//!     -H 'Content-Type: application/json' -d '{"text": "hello"}'
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing CSRF token"}
//!
//! # ... so it carries the CSRF cookie's value in X-CSRF-TOKEN.
//! $ CSRF=$(awk '$6 == "csrf_access_token" { print $7 }' jar)
//! $ curl -s -b jar -X POST http://127.0.0.1:5000/api/notes -H "X-CSRF-TOKEN: $CSRF" \
//!     -H 'Content-Type: application/json' -d '{"text": "hello"}'
//! {"msg":"note saved","notes":["hello"]}
//!
//! # A new access token from the refresh cookie and its own CSRF value.
//! $ REFRESH_CSRF=$(awk '$6 == "csrf_refresh_token" { print $7 }' jar)
//! $ curl -i -b jar -c jar -X POST http://127.0.0.1:5000/refresh -H "X-CSRF-TOKEN: $REFRESH_CSRF"
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...; HttpOnly; Path=/; SameSite=Lax
//! set-cookie: csrf_access_token=c2a81e5f-...; Path=/; SameSite=Lax
//! {"refresh":true}
//!
//! # Logout revokes the access and refresh tokens and expires the cookies.
//! $ cp jar stolen
//! $ CSRF=$(awk '$6 == "csrf_access_token" { print $7 }' jar)
//! $ curl -i -b jar -c jar -X POST http://127.0.0.1:5000/logout -H "X-CSRF-TOKEN: $CSRF"
//! HTTP/1.1 200 OK
//! set-cookie: access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/; SameSite=Lax
//! set-cookie: csrf_access_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Lax
//! set-cookie: refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/; SameSite=Lax
//! set-cookie: csrf_refresh_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Lax
//! {"msg":"logout successful"}
//!
//! $ curl -i -b jar http://127.0.0.1:5000/api/whoami
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing cookie \"access_token_cookie\""}
//!
//! # A copy of the cookies taken before the logout is worthless.
//! $ curl -i -b stolen http://127.0.0.1:5000/api/whoami
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//! $ REFRESH_CSRF=$(awk '$6 == "csrf_refresh_token" { print $7 }' stolen)
//! $ curl -i -b stolen -X POST http://127.0.0.1:5000/refresh -H "X-CSRF-TOKEN: $REFRESH_CSRF"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//! ```
//!
//! Configuration comes from flask-jwt-extended's environment variables
//! (`JwtManagerBuilder::from_lookup`), e.g. `JWT_ACCESS_TOKEN_EXPIRES=6` for
//! 6-second access tokens, which shows the implicit refresh at work. This
//! example changes four of flask's defaults, each overridden by its
//! variable:
//!
//! - `JWT_TOKEN_LOCATION=cookies`: a browser app keeps its tokens in
//!   cookies only.
//! - `JWT_COOKIE_SAMESITE=Lax`: browsers leave the cookies off cross-site
//!   `POST`s and subrequests, a second line of defence behind the CSRF
//!   check.
//! - `JWT_COOKIE_SECURE=false`: this example serves plain http on
//!   127.0.0.1, where not every browser keeps `Secure` cookies (Chromium
//!   and curl do, for a loopback address). Off only because it is plain
//!   http on localhost: anywhere else, serve https and set
//!   `JWT_COOKIE_SECURE=true`, or the tokens travel in the clear.
//! - `JWT_SECRET_KEY`: a development secret written below, public, so
//!   anyone can mint tokens this example accepts. The example says so at
//!   start-up; set `JWT_SECRET_KEY` to a random secret of 32 bytes or more
//!   for anything but a local try.
//!
//! [`ImplicitRefresh`] renews the access cookie of a request made in the
//! second half of the token's lifetime (flask's example: the last 30 of 60
//! minutes), on every route, logout included: a logout expires the access
//! cookie and revokes the token, so no renewal undoes it. Revocations live
//! in a [`MemoryStore`], which forgets them on restart: use a shared store
//! (`RedisStore`) when several instances serve the app.
//!
//! The port comes from `PORT` (default 5000).

use std::sync::Mutex;

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, error, post, route, web};
use chrono::TimeDelta;
use jwt_ext::{
    ImplicitRefresh, Jwt, JwtError, JwtManager, JwtManagerBuilder, MemoryStore, jwt_required,
};
use serde::Deserialize;
use serde_json::json;

const INDEX_HTML: &str = include_str!("browser_app/index.html");
const APP_JS: &str = include_str!("browser_app/app.js");
const APP_CSS: &str = include_str!("browser_app/app.css");

/// For local development only: it is public, so it protects nothing.
const DEVELOPMENT_SECRET: &str =
    "browser_app example: public development secret, never for production";

/// How many notes the app keeps, the oldest dropped first.
const MAX_NOTES: usize = 100;

/// flask-jwt-extended's default access token lifetime.
const DEFAULT_ACCESS_EXPIRES: TimeDelta = TimeDelta::minutes(15);

/// Whether neither `JWT_SECRET_KEY` nor flask's `SECRET_KEY` is set.
fn without_secret() -> bool {
    std::env::var_os("JWT_SECRET_KEY").is_none() && std::env::var_os("SECRET_KEY").is_none()
}

/// The example's defaults for flask's variables that are not set.
fn example_default(name: &str) -> Option<String> {
    let value = match name {
        "JWT_SECRET_KEY" if without_secret() => DEVELOPMENT_SECRET,
        "JWT_TOKEN_LOCATION" => "cookies",
        "JWT_COOKIE_SAMESITE" => "Lax",
        "JWT_COOKIE_SECURE" => "false",
        _ => return None,
    };
    Some(value.to_owned())
}

/// The notes saved through the API, with the identity that saved each.
#[derive(Default)]
struct Notes(Mutex<Vec<(String, String)>>);

impl Notes {
    fn of(&self, identity: &str) -> Vec<String> {
        let notes = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        notes
            .iter()
            .filter(|(owner, _)| owner == identity)
            .map(|(_, text)| text.clone())
            .collect()
    }

    fn add(&self, identity: &str, text: String) {
        let mut notes = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if notes.len() == MAX_NOTES {
            notes.remove(0);
        }
        notes.push((identity.to_owned(), text));
    }
}

#[derive(Deserialize)]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

/// A static file of the page. The policy lets it load only this site's
/// script and style, so an injected inline script would not run.
fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

#[route("/", method = "GET", method = "HEAD")]
async fn index() -> HttpResponse {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

#[route("/app.js", method = "GET", method = "HEAD")]
async fn app_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

#[route("/app.css", method = "GET", method = "HEAD")]
async fn app_css() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// Checks the credentials and sets the four cookies: each token
/// (`HttpOnly`) and its CSRF value (readable by the page).
#[post("/login")]
async fn login(jwt: JwtManager, body: web::Json<Credentials>) -> Result<HttpResponse, JwtError> {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
    }
    let mut response = HttpResponse::Ok().json(json!({ "msg": "login successful" }));
    jwt.set_access_cookies(&mut response, &jwt.create_access_token("test")?)?;
    jwt.set_refresh_cookies(&mut response, &jwt.create_refresh_token("test")?)?;
    Ok(response)
}

/// A new access cookie for the refresh cookie; as a `POST` with a cookie
/// token, it needs the refresh token's CSRF value (`csrf_refresh_token`)
/// in `X-CSRF-TOKEN`.
#[post("/refresh")]
#[jwt_required(refresh)]
async fn refresh(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    let mut response = HttpResponse::Ok().json(json!({ "refresh": true }));
    jwt.set_access_cookies(&mut response, &jwt.create_access_token(token.identity())?)?;
    Ok(response)
}

/// Revokes the access token and the refresh token, so copies of the
/// cookies are worthless, and expires the cookies. The expired access
/// cookie and the revocation each keep [`ImplicitRefresh`] from setting a
/// new one.
#[post("/logout")]
#[jwt_required]
async fn logout(jwt: JwtManager, token: Jwt, req: HttpRequest) -> Result<HttpResponse, JwtError> {
    jwt.revoke_token(&token).await?;
    // An expired or invalid refresh token can mint nothing: no need.
    let refresh_cookie = std::env::var("JWT_REFRESH_COOKIE_NAME")
        .unwrap_or_else(|_| "refresh_token_cookie".to_owned());
    if let Some(refresh_token) = req
        .cookie(&refresh_cookie)
        .and_then(|cookie| jwt.decode_token(cookie.value()).ok())
        .filter(|decoded| decoded.is_refresh())
    {
        jwt.revoke_token(&refresh_token).await?;
    }
    let mut response = HttpResponse::Ok().json(json!({ "msg": "logout successful" }));
    jwt.unset_jwt_cookies(&mut response);
    Ok(response)
}

#[route("/api/whoami", method = "GET", method = "HEAD")]
#[jwt_required]
async fn whoami(token: Jwt) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "logged_in_as": token.identity(),
        "expires_at": token.expires_at(),
    }))
}

#[route("/api/notes", method = "GET", method = "HEAD")]
#[jwt_required]
async fn list_notes(token: Jwt, notes: web::Data<Notes>) -> HttpResponse {
    let owner = token.identity().to_string();
    HttpResponse::Ok().json(json!({ "notes": notes.of(&owner) }))
}

/// A state-changing request: the CSRF header is required.
#[post("/api/notes")]
#[jwt_required]
async fn add_note(token: Jwt, notes: web::Data<Notes>, note: web::Json<NewNote>) -> HttpResponse {
    let text = note.into_inner().text;
    if text.trim().is_empty() || text.chars().count() > 200 {
        return HttpResponse::BadRequest().json(json!({ "msg": "A note has 1 to 200 characters" }));
    }
    let owner = token.identity().to_string();
    notes.add(&owner, text);
    HttpResponse::Created().json(json!({ "msg": "note saved", "notes": notes.of(&owner) }))
}

/// Half the access token lifetime that `JWT_ACCESS_TOKEN_EXPIRES` sets
/// (flask's default without it), as flask's example renews in the last 30
/// of 60 minutes.
fn renewal_window() -> TimeDelta {
    let lifetime = std::env::var("JWT_ACCESS_TOKEN_EXPIRES")
        .ok()
        .and_then(|seconds| seconds.trim().parse().ok())
        .and_then(TimeDelta::try_seconds)
        .unwrap_or(DEFAULT_ACCESS_EXPIRES);
    lifetime / 2
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings. Refusals are DEBUG events:
    // RUST_LOG=info,jwt_ext::refusal=debug shows each with its reason.
    tracing_subscriber::fmt::init();
    let jwt = JwtManagerBuilder::from_lookup(|name| {
        std::env::var(name).ok().or_else(|| example_default(name))
    })
    .map_err(std::io::Error::other)?
    .revocation_store(MemoryStore::new())
    .build()
    .map_err(std::io::Error::other)?;
    if without_secret() {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: using the example's public development secret, \
             which lets anyone mint tokens; set JWT_SECRET_KEY for anything but a local try"
        );
    }
    let window = renewal_window();
    let saved_notes = web::Data::new(Notes::default());
    // Bad JSON gets a JSON answer too.
    let json_config = web::JsonConfig::default()
        .limit(4096)
        .error_handler(|err, _req| {
            let body = json!({ "msg": err.to_string() });
            error::InternalError::from_response(err, HttpResponse::BadRequest().json(body)).into()
        });
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    println!("listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .app_data(jwt.clone())
            .app_data(saved_notes.clone())
            .app_data(json_config.clone())
            .wrap(ImplicitRefresh::new(window))
            .service(index)
            .service(app_js)
            .service(app_css)
            .service(login)
            .service(refresh)
            .service(logout)
            .service(whoami)
            .service(list_notes)
            .service(add_note)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
