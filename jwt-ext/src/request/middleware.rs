//! `JwtRequired`: the pipeline of `#[jwt_required]` as middleware, for a
//! whole `web::scope` or `App`.
//!
//! It runs [`start`] with its options before the inner service, exactly as
//! the attribute's guard does before the handler, so the answers, the
//! loaders, the stored outcome and the rendering are the attribute's.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, HttpResponse};

use super::VerifyOptions;
use super::outcome::VerifiedWith;
use super::pipeline::start;
use crate::{TokenLocation, TokenType};

/// Middleware that requires a valid JWT for every route of a `web::scope`
/// (or a whole `App`): `#[jwt_required]` for routes that cannot forget it.
///
/// Each request runs the same pipeline as `#[jwt_required]` with the same
/// options, before the inner service: the same statuses and bodies, the
/// same loaders, revocation check and CSRF double submit for cookies. A
/// refused request is answered with the rendered [`JwtError`](crate::JwtError)
/// (the manager's message key and custom response loaders) and the inner
/// service is not called. Inside, the getters ([`get_jwt_identity`](crate::get_jwt_identity),
/// [`get_jwt`](crate::get_jwt), [`get_current_user`](crate::get_current_user), ...)
/// and the extractors ([`Jwt`](crate::Jwt), [`JwtIdentity<T>`](crate::JwtIdentity),
/// [`Claims<T>`](crate::Claims), [`CurrentUser<U>`](crate::CurrentUser), ...)
/// read the verified token as they do under the attribute, and
/// [`ImplicitRefresh`](crate::ImplicitRefresh) renews it.
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// use jwt_ext::{JwtIdentity, JwtManager, JwtRequired};
///
/// async fn hello(JwtIdentity(name): JwtIdentity<String>) -> HttpResponse {
///     HttpResponse::Ok().body(format!("hello {name}"))
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let jwt = JwtManager::builder()
///     .secret_key("change me: a long random secret, 32 bytes or more")
///     .build()
///     .expect("valid JWT configuration");
/// let token = jwt.create_access_token("alice").unwrap();
/// let app = test::init_service(
///     App::new()
///         .app_data(jwt)
///         .route("/health", web::get().to(HttpResponse::Ok))
///         .service(
///             web::scope("/api")
///                 .wrap(JwtRequired::new())
///                 .route("/hello", web::get().to(hello)),
///         ),
/// )
/// .await;
///
/// let req = test::TestRequest::get().uri("/api/hello").to_request();
/// let resp = test::call_service(&app, req).await;
/// assert_eq!(resp.status(), 401);
/// assert_eq!(test::read_body(resp).await, "{\"msg\":\"Missing Authorization Header\"}\n");
///
/// let req = test::TestRequest::get()
///     .uri("/api/hello")
///     .insert_header(("Authorization", format!("Bearer {token}")))
///     .to_request();
/// assert_eq!(test::call_and_read_body(&app, req).await, "hello alice");
///
/// let req = test::TestRequest::get().uri("/health").to_request();
/// assert_eq!(test::call_service(&app, req).await.status(), 200);
/// # });
/// ```
///
/// # Attribute or middleware
///
/// `#[jwt_required]` is checked at compile time (a bad option is a compile
/// error), takes options per route, and shows at the handler that it is
/// protected. `JwtRequired` cannot be forgotten on a route added to the
/// scope later, takes its options per scope, and reports bad options only
/// when the app starts: a service whose options are invalid (`fresh` with
/// `refresh`, `scopes` with `refresh`, an empty or repeated location, an
/// empty, repeated or malformed scope or role: what the attribute refuses
/// to compile) fails to start, with the reason logged at `ERROR`.
///
/// - The middleware also answers requests to paths of the scope that match
///   no route: 401 without a token, rather than 404.
/// - `OPTIONS` is verified like every method, as under the attribute:
///   answer CORS preflights with actix-cors wrapped *outside* this
///   middleware.
/// - The [`JwtManager`](crate::JwtManager) may be registered on the `App`
///   or on the scope itself. Without one, every request is answered 500,
///   as under the attribute.
///
/// # With `#[jwt_required]` inside
///
/// A handler of the scope may have `#[jwt_required(...)]` too, e.g. a
/// `fresh` route in a scope that requires any token. The scope answers
/// first; then, when the attribute's options are the scope's (the same
/// flags, locations, scopes and roles), its verification is reused: no
/// second revocation lookup or loader call. Otherwise the attribute verifies
/// again with its own options, which decide what the handler sees (its
/// loaders run a second time). Either way the request passes only when both
/// accept it.
#[derive(Clone, Debug)]
#[must_use]
pub struct JwtRequired {
    options: Arc<VerifyOptions>,
    /// The first invalid option, reported when the app starts.
    invalid: Option<Arc<str>>,
}

impl Default for JwtRequired {
    fn default() -> Self {
        Self::new()
    }
}

impl JwtRequired {
    /// flask's defaults, as `#[jwt_required]`: a non-optional, non-fresh
    /// access token from the configured locations, type and revocation
    /// checked.
    pub fn new() -> Self {
        JwtRequired {
            options: Arc::new(VerifyOptions::new()),
            invalid: None,
        }
    }

    fn with(mut self, change: impl FnOnce(VerifyOptions) -> VerifyOptions) -> Self {
        let options = Arc::unwrap_or_clone(self.options);
        self.options = Arc::new(change(options));
        self
    }

    /// A request without a token passes (the getters then return nothing);
    /// an invalid, expired or badly sent token is still refused: the
    /// attribute's `optional`.
    pub fn optional(self) -> Self {
        self.with(|options| options.optional(true))
    }

    /// Require a fresh access token: the attribute's `fresh`.
    pub fn fresh(self) -> Self {
        self.with(|options| options.fresh(true))
    }

    /// Require a refresh token instead of an access token: the attribute's
    /// `refresh`.
    pub fn refresh(self) -> Self {
        self.with(|options| options.refresh(true))
    }

    /// Look only in these locations, in this order, instead of the
    /// configured ones: the attribute's `locations`.
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        let locations: Vec<TokenLocation> = locations.into_iter().collect();
        self.note(check_locations(&locations));
        self.with(|options| options.locations(locations))
    }

    /// Whether the token type (access or refresh) must fit; `false` accepts
    /// both: the attribute's `verify_type`. Defaults to `true`.
    pub fn verify_type(self, verify: bool) -> Self {
        self.with(|options| options.verify_type(verify))
    }

    /// Skip the revocation (blocklist) check: the attribute's
    /// `skip_revocation_check`.
    pub fn skip_revocation_check(self) -> Self {
        self.with(|options| options.skip_revocation_check(true))
    }

    /// Require every one of these scopes, else 403
    /// [`InsufficientScope`](crate::JwtErrorKind::InsufficientScope): the
    /// attribute's `scopes` (see [`VerifyOptions::scopes`]).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        self.note(check_names("scope", &scopes));
        self.with(|options| options.scopes(scopes))
    }

    /// Require every one of these roles, else 403
    /// [`InsufficientScope`](crate::JwtErrorKind::InsufficientScope): the
    /// attribute's `roles` (see [`VerifyOptions::roles`]).
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let roles: Vec<String> = roles.into_iter().map(Into::into).collect();
        self.note(check_names("role", &roles));
        self.with(|options| options.roles(roles))
    }

    /// Keeps the first problem found while building.
    fn note(&mut self, problem: Result<(), String>) {
        if let (None, Err(problem)) = (&self.invalid, problem) {
            self.invalid = Some(problem.into());
        }
    }

    /// The first invalid option, if any: what the attribute would refuse
    /// to compile.
    fn problem(&self) -> Option<String> {
        self.invalid
            .as_deref()
            .map(str::to_owned)
            .or_else(|| check_combination(&self.options).err())
    }
}

impl<S, B> Transform<S, ServiceRequest> for JwtRequired
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = JwtRequiredMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        if let Some(problem) = self.problem() {
            tracing::error!(
                target: "jwt_ext::config",
                reason = %problem,
                "invalid JwtRequired options; the service does not start"
            );
            return ready(Err(()));
        }
        ready(Ok(JwtRequiredMiddleware {
            service: Rc::new(service),
            options: self.options.clone(),
        }))
    }
}

/// The service of [`JwtRequired`].
pub struct JwtRequiredMiddleware<S> {
    service: Rc<S>,
    options: Arc<VerifyOptions>,
}

impl<S, B> Service<ServiceRequest> for JwtRequiredMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>>>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let (http_req, payload) = req.parts_mut();
        // The guard's own start: the same verification, stored the same way.
        let verification = start(http_req, payload, (*self.options).clone(), Ok);
        let service = self.service.clone();
        let options = self.options.clone();
        Box::pin(async move {
            match verification.await {
                Ok(_) => {
                    req.extensions_mut().insert(VerifiedWith(options));
                    let response = service.call(req).await?;
                    Ok(response.map_into_left_body())
                }
                // As actix answers a handler's extractor error: the error's
                // response, with the error attached for the logger.
                Err(err) => Ok(req
                    .into_response(HttpResponse::from_error(err))
                    .map_into_right_body()),
            }
        })
    }
}

/// The combinations the attribute refuses to compile.
fn check_combination(options: &VerifyOptions) -> Result<(), String> {
    let refresh = options.token_type == TokenType::Refresh;
    if options.fresh && refresh {
        return Err(
            "`fresh` and `refresh` cannot be combined: refresh tokens are never fresh".into(),
        );
    }
    if refresh && !options.scopes.is_empty() {
        return Err(
            "`scopes` and `refresh` cannot be combined: scopes are granted to access tokens".into(),
        );
    }
    Ok(())
}

fn check_locations(locations: &[TokenLocation]) -> Result<(), String> {
    if locations.is_empty() {
        return Err("`locations` cannot be empty; leave it out to use the configured ones".into());
    }
    for (i, location) in locations.iter().enumerate() {
        if locations[..i].contains(location) {
            return Err(format!(
                "token location `{}` is listed more than once",
                location.as_str()
            ));
        }
    }
    Ok(())
}

/// A list of scopes or roles as the attribute accepts it: not empty, no
/// name empty or repeated, and each scope an RFC 6749 §3.3 scope-token
/// (printable ASCII without space, `"` or `\`).
fn check_names(what: &str, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err(format!(
            "`{what}s` cannot be empty; leave it out to require no {what}s"
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(format!("a {what} name cannot be empty"));
        }
        if names[..i].contains(name) {
            return Err(format!("{what} `{name}` is listed more than once"));
        }
        let scope_char = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
        if what == "scope" && !name.chars().all(scope_char) {
            return Err(format!(
                "a scope is printable ASCII without space, `\"` or `\\` (RFC 6749 §3.3); found {name:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(required: JwtRequired) -> Option<String> {
        required.problem()
    }

    #[test]
    fn what_the_attribute_refuses_to_compile_is_refused_at_start_up() {
        assert_eq!(problem(JwtRequired::new()), None);
        assert_eq!(
            problem(
                JwtRequired::new()
                    .optional()
                    .fresh()
                    .locations([TokenLocation::Headers, TokenLocation::Cookies])
                    .verify_type(false)
                    .skip_revocation_check()
                    .scopes(["read:messages"])
                    .roles(["admin"])
            ),
            None
        );
        for (required, reason) in [
            (
                JwtRequired::new().fresh().refresh(),
                "`fresh` and `refresh`",
            ),
            (
                JwtRequired::new().refresh().scopes(["read"]),
                "`scopes` and `refresh`",
            ),
            (
                JwtRequired::new().locations([]),
                "`locations` cannot be empty",
            ),
            (
                JwtRequired::new().locations([TokenLocation::Headers, TokenLocation::Headers]),
                "`headers` is listed more than once",
            ),
            (
                JwtRequired::new().scopes(Vec::<String>::new()),
                "`scopes` cannot be empty",
            ),
            (
                JwtRequired::new().scopes(["read write"]),
                "a scope is printable ASCII",
            ),
            (
                JwtRequired::new().scopes(["a\"b"]),
                "a scope is printable ASCII",
            ),
            (
                JwtRequired::new().scopes(["read", "read"]),
                "scope `read` is listed more than once",
            ),
            (
                JwtRequired::new().roles([""]),
                "a role name cannot be empty",
            ),
            (
                JwtRequired::new().roles(["x"]).roles(Vec::<String>::new()),
                "`roles` cannot be empty",
            ),
        ] {
            let found = problem(required).unwrap_or_default();
            assert!(found.contains(reason), "{found:?} should say {reason:?}");
        }
    }
}
