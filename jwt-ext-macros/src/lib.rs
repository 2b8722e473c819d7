//! Procedural macros of [jwt-ext](https://docs.rs/jwt-ext), flask-jwt-extended
//! for actix-web.
//!
//! Do not depend on this crate directly: add `jwt-ext` and use
//! `jwt_ext::jwt_required`, which is re-exported (with the `macros` feature, on
//! by default) together with the runtime items that the expansion names. The
//! two crates are released together and pinned to each other's exact version.
//!
//! The macro only rewrites syntax (parse, validate, expand); the verification
//! pipeline lives in the runtime crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod expand;

use proc_macro::TokenStream;

/// Requires a valid JWT to call an actix-web handler: the port of
/// flask-jwt-extended's `@jwt_required()`.
///
/// The handler runs only when the request carries a token that passes the
/// whole verification pipeline of jwt-ext (location, signature and claims,
/// token type, freshness, revocation, custom claims, user lookup). Otherwise the
/// request is answered with the same status and JSON body as
/// flask-jwt-extended (for example `401 {"msg": "Missing Authorization Header"}`)
/// and the handler is not called. Inside the handler, `get_jwt(&req)`,
/// `get_jwt_identity(&req)` and jwt-ext's extractors read the verified token.
///
/// # Syntax
///
/// ```text
/// #[jwt_required]
/// #[jwt_required(ARGUMENT, ...)]
///
/// ARGUMENT := optional [= BOOL]
///           | fresh [= BOOL]
///           | refresh [= BOOL]
///           | verify_type [= BOOL]
///           | skip_revocation_check [= BOOL]
///           | locations = "NAME"
///           | locations = ["NAME", ...]
///           | scopes = ["SCOPE", ...]
///           | roles = ["ROLE", ...]
/// BOOL     := true | false
/// ```
///
/// Arguments come in any order, each at most once. A bare flag means `true`.
///
/// # Attributes
///
/// | argument | default | meaning (flask-jwt-extended's keyword of the same name) |
/// |---|---|---|
/// | `optional` | `false` | a request *without* a token reaches the handler too, with no identity; an invalid token is still refused |
/// | `fresh` | `false` | the access token must be fresh (`fresh` claim true, or a timestamp not yet passed) |
/// | `refresh` | `false` | require a refresh token instead of an access token (for the refresh endpoint) |
/// | `verify_type` | `true` | check that the token's `type` claim is the one required (`access`, or `refresh` with `refresh`) |
/// | `skip_revocation_check` | `false` | do not call the configured blocklist check |
/// | `locations` | the configured `JWT_TOKEN_LOCATION` | where to look for the token, in order, instead of the configured locations; names: `"headers"`, `"cookies"`, `"query_string"`, `"json"` |
/// | `scopes` | none | *(jwt-ext's own)* every OAuth 2.0 scope the token must grant, else 403 (see below) |
/// | `roles` | none | *(jwt-ext's own)* every role the configured roles claim must list, else 403 (see below) |
///
/// `fresh` and `refresh` cannot be combined: refresh tokens are never fresh.
/// `optional` and `fresh` can: a request without a token passes, one with a
/// token that is not fresh is refused. Every location flask-jwt-extended
/// knows is supported, with its rules: a token in a cookie needs its CSRF
/// value on `POST`, `PUT`, `PATCH` and `DELETE` (the default CSRF methods),
/// and `"json"` reads the body before the handler runs and hands it on
/// whole, so the handler's own `web::Json<T>` or `web::Bytes` still gets it.
/// A name outside these four, a repeated one or an empty list is a compile
/// error.
///
/// # Scopes and roles
///
/// `scopes = ["read:messages", "write:messages"]` requires *every* listed
/// scope. The token's scopes are its `scope` claim, or when it has none its
/// `scp` claim, each either a space-separated string (RFC 8693 §4.2,
/// RFC 9068 §2.2.3, Entra ID's `scp`) or an array of strings (Okta's
/// `scp`). Scopes match whole and case-sensitively; a claim of another
/// type, or an element that is not a string, grants nothing.
///
/// `roles = ["admin"]` requires every listed role in the claim that
/// `JwtManagerBuilder::roles_claim` names with a JSON Pointer (RFC 6901):
/// `/roles` by default, `/realm_access/roles` for Keycloak, or
/// `/https:~1~1example.com~1roles` for Auth0's namespaced claim (`~1` is a
/// `/` inside a key). The claim is an array of strings, or one string
/// naming one role.
///
/// A token that lacks one answers **403** with
/// `{"msg": "Missing required scopes: write:messages"}` (or `roles`; the
/// manager's message key applies), `JwtErrorKind::InsufficientScope`,
/// customisable with `insufficient_scope_loader`, and with
/// `bearer_realm` configured the RFC 6750 challenge
/// `WWW-Authenticate: Bearer realm="...", error="insufficient_scope",
/// error_description="...", scope="read:messages write:messages"`. The check
/// runs last, after the signature, claims, type, freshness, revocation and
/// the loaders: an expired, revoked or unknown token answers 401 whatever it
/// grants, and 403 always means "authenticated, but not allowed". On an
/// `optional` route a request without a token still passes. For checks
/// decided at run time, `verify_jwt_in_request` takes the same
/// `VerifyOptions::scopes` and `VerifyOptions::roles`.
///
/// Each scope is an RFC 6749 §3.3 scope-token: printable ASCII without
/// spaces, `"` or `\`. `scopes` and `refresh` cannot be combined: scopes
/// are granted to access tokens. `roles` may be used with `refresh`.
///
/// The attribute applies to a free `async fn` used as an actix-web handler. It
/// works above or below actix-web's routing attributes (`#[get]`, `#[post]`,
/// `#[route]`, ...) and keeps every other attribute, the visibility, generics,
/// where-clause, return type and body as written.
///
/// # Examples
///
/// ```
/// use actix_web::{App, HttpRequest, HttpResponse, Responder, get, post, test, web};
/// use jwt_ext::{JwtError, JwtIdentity, JwtManager, get_jwt_identity, jwt_required};
///
/// // `JwtIdentity<String>` is the identity as a plain string; the JSON
/// // value of `get_jwt_identity` would print with its quotes.
/// #[get("/protected")]
/// #[jwt_required]
/// async fn protected(JwtIdentity(name): JwtIdentity<String>) -> HttpResponse {
///     HttpResponse::Ok().body(format!("logged in as {name}"))
/// }
///
/// // Only a freshly logged-in user may change the password. The guard runs
/// // before the body is read.
/// #[post("/password")]
/// #[jwt_required(fresh)]
/// async fn change_password(new_password: String) -> HttpResponse {
///     # let _ = new_password;
///     HttpResponse::NoContent().finish()
/// }
///
/// // The refresh endpoint wants a refresh token, from the `Authorization` header.
/// #[post("/refresh")]
/// #[jwt_required(refresh, locations = ["headers"])]
/// async fn refresh(jwt: JwtManager, req: HttpRequest) -> Result<HttpResponse, JwtError> {
///     let access_token = jwt.create_access_token(get_jwt_identity(&req)?)?;
///     Ok(HttpResponse::Ok().body(access_token))
/// }
///
/// // Pages for the browser read the token from its cookie, and nowhere else.
/// #[get("/account")]
/// #[jwt_required(locations = "cookies")]
/// async fn account() -> &'static str {
///     "your account"
/// }
///
/// // Only tokens granting both scopes (403 otherwise).
/// #[post("/messages")]
/// #[jwt_required(scopes = ["read:messages", "write:messages"])]
/// async fn post_message() -> HttpResponse {
///     HttpResponse::Created().finish()
/// }
///
/// // Anonymous callers are let in too; a token, if sent, must be valid.
/// #[jwt_required(optional)]
/// async fn greeting(req: HttpRequest) -> Result<impl Responder, JwtError> {
///     let identity = get_jwt_identity(&req)?;
///     Ok(match identity.as_ref().and_then(|identity| identity.as_str()) {
///         Some(name) => format!("hello {name}"),
///         None => "hello anonymous".to_owned(),
///     })
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let jwt = JwtManager::builder()
///     .secret_key("change me: a long random secret, 32 bytes or more")
///     .build()
///     .expect("valid JWT configuration");
/// let access_token = jwt.create_access_token("alice").unwrap();
/// let scoped = jwt.access_token("alice")
///     .claims(std::collections::HashMap::from([("scope", "read:messages write:messages")]))
///     .encode()
///     .unwrap();
/// let app = App::new()
///     .app_data(jwt)
///     .service(protected)
///     .service(change_password)
///     .service(refresh)
///     .service(account)
///     .service(post_message)
///     .route("/", web::get().to(greeting));
/// let app = test::init_service(app).await;
///
/// let get = |uri| test::TestRequest::get().uri(uri);
/// let bearer = ("Authorization", format!("Bearer {access_token}"));
///
/// let resp = test::call_service(&app, get("/protected").to_request()).await;
/// assert_eq!(resp.status(), 401); // {"msg": "Missing Authorization Header"}
///
/// let req = get("/protected").insert_header(bearer.clone()).to_request();
/// assert_eq!(test::call_and_read_body(&app, req).await, "logged in as alice");
///
/// let req = test::TestRequest::post().uri("/password").insert_header(bearer.clone());
/// let resp = test::call_service(&app, req.to_request()).await;
/// assert_eq!(resp.status(), 401); // {"msg": "Fresh token required"}
///
/// let req = test::TestRequest::post().uri("/refresh").insert_header(bearer.clone());
/// let resp = test::call_service(&app, req.to_request()).await;
/// assert_eq!(resp.status(), 422); // {"msg": "Only refresh tokens are allowed"}
///
/// let req = get("/account").insert_header(bearer.clone()).to_request();
/// let resp = test::call_service(&app, req).await;
/// assert_eq!(resp.status(), 401); // {"msg": "Missing cookie \"access_token_cookie\""}
///
/// let cookie = ("Cookie", format!("access_token_cookie={access_token}"));
/// let req = get("/account").insert_header(cookie).to_request();
/// assert_eq!(test::call_and_read_body(&app, req).await, "your account");
///
/// let req = test::TestRequest::post().uri("/messages").insert_header(bearer.clone());
/// let resp = test::call_service(&app, req.to_request()).await;
/// assert_eq!(resp.status(), 403); // {"msg": "Missing required scopes: read:messages write:messages"}
///
/// let req = test::TestRequest::post().uri("/messages");
/// let req = req.insert_header(("Authorization", format!("Bearer {scoped}")));
/// assert_eq!(test::call_service(&app, req.to_request()).await.status(), 201);
///
/// let req = get("/").to_request();
/// assert_eq!(test::call_and_read_body(&app, req).await, "hello anonymous");
///
/// let req = get("/").insert_header(bearer.clone()).to_request();
/// assert_eq!(test::call_and_read_body(&app, req).await, "hello alice");
/// # });
/// ```
///
/// # A whole scope: `JwtRequired`
///
/// `web::scope("/api").wrap(jwt_ext::JwtRequired::new())` runs the same
/// pipeline, with the same options as builder methods (`.optional()`,
/// `.fresh()`, `.refresh()`, `.locations([...])`, `.verify_type(false)`,
/// `.skip_revocation_check()`, `.scopes([...])`, `.roles([...])`), before
/// every route of the scope, and answers the same refusals. The attribute
/// is checked at compile time, takes its options per route and shows at the
/// handler that it is protected; the middleware cannot be forgotten on a
/// route added later, takes its options per scope, and reports bad options
/// only when the app starts. Inside such a scope, an attribute with the
/// scope's options reuses the scope's verification; one with other options
/// verifies again with its own, and the request must pass both.
///
/// # How it works
///
/// The macro adds one parameter, first, so that actix-web runs it before the
/// handler's own extractors, and carries the options in a hidden zero-sized
/// type:
///
/// ```text
/// #[jwt_required(fresh)]
/// pub async fn protected(req: HttpRequest) -> impl Responder { /* body */ }
///
/// // expands to (paths shortened)
///
/// #[doc(hidden)]
/// pub struct __jwt_ext_route_protected;
/// impl jwt_ext::__private::RouteOptions for __jwt_ext_route_protected {
///     const OPTIONAL: bool = false;
///     const FRESH: bool = true;
///     const TOKEN_TYPE: jwt_ext::TokenType = jwt_ext::TokenType::Access;
///     const VERIFY_TYPE: bool = true;
///     const SKIP_REVOCATION_CHECK: bool = false;
///     const LOCATIONS: &'static [jwt_ext::TokenLocation] = &[];
///     const SCOPES: &'static [&'static str] = &[];
///     const ROLES: &'static [&'static str] = &[];
/// }
/// pub async fn protected(
///     _: jwt_ext::__private::Guard<__jwt_ext_route_protected>,
///     req: HttpRequest,
/// ) -> impl Responder { /* body */ }
/// ```
///
/// So:
/// - the handler can take at most 15 parameters of its own (actix-web handlers
///   take at most 16 extractors);
/// - the expansion names `::jwt_ext`, so the crate must depend on `jwt-ext`
///   under that name;
/// - methods (`self`) and functions inside `impl` blocks, where the options
///   type cannot be declared, are not supported: use a free function, as
///   actix-web's own routing macros require.
///
/// Misuse is a compile error pointing at the offending token: an item that is
/// not a function, a function that is not `async`, or is `const` or `unsafe`,
/// a `self` receiver, a handler that already has 16 parameters, the attribute
/// applied twice, an unknown or repeated argument, `fresh` with `refresh`, a
/// flag whose value is not `true` or `false`, a `locations` value that is not
/// a string or a list of strings, an unknown or repeated location name, an
/// empty `locations` list; a `scopes` or `roles` value that is not a list of
/// string literals, an empty list, an empty or repeated name, a scope with a
/// space or another character outside RFC 6749's scope-token, `scopes` with
/// `refresh`.
#[proc_macro_attribute]
pub fn jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::jwt_required(args.into(), item.into()).into()
}
