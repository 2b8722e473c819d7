//! flask-jwt-extended for actix-web: mint access and refresh tokens, protect
//! handlers with `#[jwt_required]`, read the caller with
//! [`get_jwt_identity`], and get the same tokens, status codes and JSON
//! bodies as a flask-jwt-extended 4.7 service, so both can share tokens and
//! an API can move from Flask route by route.
//!
//! ```
//! use actix_web::{App, HttpRequest, HttpResponse, get, post, test, web};
//! use jwt_ext::{JwtError, JwtManager, get_jwt_identity, jwt_required};
//! use serde::Deserialize;
//! use serde_json::json;
//!
//! #[derive(Deserialize)]
//! struct Login {
//!     username: String,
//!     password: String,
//! }
//!
//! #[post("/login")]
//! async fn login(jwt: JwtManager, body: web::Json<Login>) -> Result<HttpResponse, JwtError> {
//!     if body.username != "test" || body.password != "test" {
//!         return Ok(HttpResponse::Unauthorized().json(json!({ "msg": "Bad username or password" })));
//!     }
//!     let access_token = jwt.create_access_token(&body.username)?;
//!     Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
//! }
//!
//! #[get("/protected")]
//! #[jwt_required]
//! async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
//!     let current_user = get_jwt_identity(&req)?;
//!     Ok(HttpResponse::Ok().json(json!({ "logged_in_as": current_user })))
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let jwt = JwtManager::builder()
//!     .secret_key("change me: a long random secret, 32 bytes or more")
//!     .build()
//!     .expect("valid JWT configuration");
//! let app = test::init_service(App::new().app_data(jwt).service(login).service(protected)).await;
//!
//! // Without a token: flask's 401.
//! let resp = test::call_service(&app, test::TestRequest::get().uri("/protected").to_request()).await;
//! assert_eq!(resp.status(), 401);
//! assert_eq!(test::read_body(resp).await, "{\"msg\":\"Missing Authorization Header\"}\n");
//!
//! // Log in, then call with the token.
//! let req = test::TestRequest::post()
//!     .uri("/login")
//!     .set_json(json!({ "username": "test", "password": "test" }))
//!     .to_request();
//! let body: serde_json::Value = test::call_and_read_body_json(&app, req).await;
//! let token = body["access_token"].as_str().unwrap();
//! let req = test::TestRequest::get()
//!     .uri("/protected")
//!     .insert_header(("Authorization", format!("Bearer {token}")))
//!     .to_request();
//! let body: serde_json::Value = test::call_and_read_body_json(&app, req).await;
//! assert_eq!(body, json!({ "logged_in_as": "test" }));
//! # });
//! ```
//!
//! # From flask-jwt-extended
//!
//! | flask-jwt-extended | jwt-ext |
//! |---|---|
//! | `JWTManager(app)`, `app.config["JWT_…"]` | [`JwtManager::builder()`](JwtManager::builder) or [`JwtManager::from_env()`] (same `JWT_*` names), registered with `App::app_data` |
//! | `create_access_token(identity, fresh=…, expires_delta=…, additional_claims=…, additional_headers=…)` | [`jwt.access_token(identity).fresh(…).expires(…).claims(…).headers(…).encode()`](JwtManager::access_token), or [`jwt.create_access_token(identity)`](JwtManager::create_access_token) |
//! | `create_refresh_token(identity)` | [`jwt.refresh_token(identity)`](JwtManager::refresh_token), [`jwt.create_refresh_token(identity)`](JwtManager::create_refresh_token) |
//! | `@jwt_required(optional=…, fresh=…, refresh=…, locations=…, verify_type=…, skip_revocation_check=…)` | [`#[jwt_required(optional, fresh, refresh, locations = [...], verify_type = false, skip_revocation_check)]`](jwt_required) |
//! | `verify_jwt_in_request()` in a blueprint's `before_request` (protect every route) | [`web::scope(...).wrap(JwtRequired::new().fresh()…)`](JwtRequired): the attribute's options as builder methods ([guide](guide::protecting_routes)) |
//! | the `admin_required` decorator recipe answering 403 | [`Claims<T>`](Claims) and [`JwtError::forbidden(&req, "Admins only")`](JwtError::forbidden); `scopes`/`roles` on the attribute or the middleware |
//! | `verify_jwt_in_request(...)` | [`verify_jwt_in_request(&req, VerifyOptions::new()…)`](verify_jwt_in_request) |
//! | `get_jwt()`, `get_jwt_header()`, `get_jwt_identity()`, `get_jwt_request_location()` | [`get_jwt(&req)`](get_jwt), [`get_jwt_header(&req)`](get_jwt_header), [`get_jwt_identity(&req)`](get_jwt_identity), [`get_jwt_request_location(&req)`](get_jwt_request_location); or the extractors [`Jwt`], [`OptionalJwt`], [`JwtIdentity<T>`](JwtIdentity) (a plain identity: `JwtIdentity<String>` prints `alice`, the getter's JSON value `"alice"`), [`Claims<T>`](Claims) |
//! | `get_jti(token)`, `get_unverified_jwt_headers(token)` | [`jwt.get_jti(token)`](JwtManager::get_jti), [`get_unverified_jwt_headers(token)`](get_unverified_jwt_headers) |
//! | `set_access_cookies`, `set_refresh_cookies`, `unset_jwt_cookies`, `unset_access_cookies`, `unset_refresh_cookies`, `get_csrf_token` | [`jwt.set_access_cookies(&mut response, &token)`](JwtManager::set_access_cookies) and the other [`JwtManager`] methods, on `HttpResponse`, `HttpResponseBuilder` or `ServiceResponse` |
//! | the `implicit_refresh` example's `after_request` hook | the [`ImplicitRefresh`] middleware |
//! | `decode_token(token, allow_expired=…)` | [`jwt.decode_token(token)`](JwtManager::decode_token), [`jwt.decode_token_with(token, DecodeOptions::default().allow_expired(true))`](JwtManager::decode_token_with) |
//! | `@jwt.user_lookup_loader`, `current_user`, `get_current_user()` and the other loaders | builder methods of the same names ([guide](guide::loaders)), [`CurrentUser<U>`](CurrentUser), [`get_current_user`] |
//! | `token_in_blocklist_loader` with a store of revoked `jti`s | [`revocation_store`](JwtManagerBuilder::revocation_store), [`jwt.revoke_token(&token)`](JwtManager::revoke_token); also [`rotate_refresh_token`](JwtManager::rotate_refresh_token) ([guide](guide::revocation)) |
//! | exceptions and their default responses | [`JwtError`] with [`JwtErrorKind`]: flask's status and `{"msg": …}` body |
//!
//! # What the pipeline checks, in order
//!
//! For `#[jwt_required]`, [`JwtRequired`], [`verify_jwt_in_request`] and
//! the extractors:
//!
//! 1. Every method is verified, `OPTIONS` included: a guarded handler never
//!    runs without a verified token. (flask exempts `OPTIONS`; in actix every
//!    route without a method guard takes `OPTIONS`. Answer CORS preflights
//!    with actix-cors, which replies before routing.)
//! 2. The token is looked up in the route's `locations` or the configured
//!    ones (headers, cookies, query string, JSON body), in order; only a
//!    *missing* token moves on to the next. A cookie on a `POST`, `PUT`,
//!    `PATCH` or `DELETE` needs its CSRF value in the `X-CSRF-TOKEN` header.
//! 3. Structure, header (`kid`, `crit`), `alg` allow-list, signature, then
//!    `iat`, `nbf`, `exp` (expired when `exp <= now - leeway`), `iss`, `aud`
//!    (only when a decode audience is configured), `sub` (a string when
//!    `verify_sub`), `jti`, the identity claim, in PyJWT's order and with its
//!    messages.
//! 4. The CSRF double submit (cookies), the token type (access or
//!    refresh), then freshness.
//! 5. When configured, the revocation store and blocklist, claims
//!    verification and user lookup; then the route's `scopes` and `roles`
//!    (403, RFC 6750's `insufficient_scope`), last, so a revoked or
//!    expired token answers 401 whatever it grants.
//!
//! The verified token is stored in the request until the response is sent.
//!
//! Keys are parsed when the manager is built; each worker thread turns them
//! into a signer and a verifier once, on first use, not per token. Without
//! async loaders and a token in the body, verification runs synchronously:
//! no boxed future, no task. The README's performance section compares
//! every path with hand-written actix-web + jsonwebtoken.
//!
//! # Guides
//!
//! - [Cookies and CSRF for browser apps](guide::browser_apps): the double
//!   submit, production settings, token locations, silent renewal.
//! - [Tokens from an identity provider](guide::identity_providers): Auth0,
//!   Keycloak, Okta, Entra ID, Cognito or another jwt-ext service as trusted
//!   issuers (keys by OpenID Connect discovery or a JWKS URL with the `oidc`
//!   feature), scopes and roles, RFC 6750 challenges.
//! - [Key rotation and the published key set](guide::key_rotation): key
//!   ids, `/.well-known/jwks.json`, replacing a signing key without logging
//!   anyone out.
//! - [Loaders](guide::loaders): user loading, extra claims, keys per token,
//!   revocation and claims checks, custom answers.
//! - [Protecting routes](guide::protecting_routes): `#[jwt_required]` or
//!   the [`JwtRequired`] middleware for a whole scope, a plain identity,
//!   typed [`Claims<T>`](Claims), and 403 for "authenticated, but not
//!   allowed".
//! - [Revocation](guide::revocation): stores, failing closed, refresh-token
//!   rotation with reuse detection.
//! - [Logging](guide::logging): the `tracing` events, their levels and
//!   targets; refusals are `DEBUG`, so invisible at the usual `INFO`.
//! - [Differences from flask-jwt-extended](guide::flask_differences): where
//!   jwt-ext is stricter, the flask quirks it keeps, and what the Rust API adds.
//!
//! # Crate features
//!
//! | feature | default | what it enables |
//! |---|---|---|
//! | `macros` | yes | [`#[jwt_required]`](jwt_required) |
//! | `aws_lc_rs` | yes | jsonwebtoken's aws-lc-rs backend (fastest RSA and EC) |
//! | `rust_crypto` | no | jsonwebtoken's pure-Rust backend; when both backends are enabled, aws-lc-rs is used |
//! | `redis` | no | `RedisStore` and `RedisClusterStore` (Redis Cluster, Valkey cluster), revocation stores shared by every instance |
//! | `oidc` | no | `TrustedIssuer::discover`, `TrustedIssuer::jwks_url` and `RemoteKeySource`: keys from an identity provider, by OpenID Connect discovery or a JWKS URL, fetched with awc over rustls (aws-lc-rs) ([guide](guide::identity_providers)) |
//!
//! Building a [`JwtManager`] installs the crypto provider of the enabled
//! backend, or fails with a [`ConfigError`] when none is enabled.
//!
//! jwt-ext also enables two features of `serde_json`, and Cargo unifies
//! features across a build, so they apply to every crate of your
//! application, which cannot turn them off:
//!
//! - `preserve_order`: a `serde_json::Map` keeps insertion order (and
//!   serialises in it) instead of sorting its keys; `Map::remove` may move
//!   the last entry into the removed one's place. jwt-ext needs it to mint
//!   the bytes flask mints (its claim order, then custom claims in the order
//!   given) and to hand back claims in the token's order.
//! - `float_roundtrip`: floats parse to exactly the value written, at some
//!   cost in parsing speed. jwt-ext needs it so that a float claim, such as
//!   flask's `fresh` timestamp, decodes to the value minted and is copied
//!   byte for byte into renewed tokens.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod compat;
mod config;
mod error;
pub mod guide;
mod keys;
mod lifecycle;
mod model;
#[cfg(feature = "oidc")]
mod remote;
mod request;
mod respond;
mod revocation;
mod token;

#[doc(hidden)]
pub mod __private;

pub use config::{Audience, JwtManager, JwtManagerBuilder, SameSite, TrustedIssuer};
pub(crate) use error::Failure;
pub use error::{ConfigError, JwtError, JwtErrorKind};
pub use jsonwebtoken::Algorithm;
pub use keys::{SigningKey, VerifyingKey};
pub use lifecycle::{TokenPair, TokenPairBuilder};
pub use model::{DecodedJwt, Expiry, Jwt, TokenLocation, TokenType};
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub use remote::RemoteKeySource;
pub use request::{
    Claims, CurrentUser, JwtIdentity, JwtRequired, JwtRequiredMiddleware, OptionalJwt,
    VerifyFuture, VerifyOptions, get_current_user, get_jwt, get_jwt_header, get_jwt_identity,
    get_jwt_request_location, verify_jwt_in_request, verify_jwt_in_request_with_payload,
};
pub use respond::{
    CookieOptions, ImplicitRefresh, ImplicitRefreshMiddleware, JWKS_MAX_AGE_SECS, SetCookieTarget,
    jwks_handler,
};
#[cfg(feature = "redis")]
pub use revocation::RedisClusterStore;
#[cfg(feature = "redis")]
pub use revocation::RedisStore;
#[cfg(feature = "redis")]
pub use revocation::{CacheStats, LocalCache};
pub use revocation::{Lookup, MemoryStore, RevocationStore, StoreError, StoreFuture};
pub use token::{AccessToken, DecodeOptions, Fresh, RefreshToken, get_unverified_jwt_headers};

#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use jwt_ext_macros::jwt_required;
