//! The request pipeline of `#[jwt_required]`: flask-jwt-extended's
//! `verify_jwt_in_request`.

use std::borrow::Cow;
use std::rc::Rc;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde_json::Value;

use crate::compat::python_str::python_str;
use crate::config::Settings;
use crate::request::future::VerifyFuture;
use crate::request::in_flight::InFlight;
use crate::request::locations::body::{self, Body, BodyLimits};
use crate::request::locations::{find_token, needs_body};
use crate::request::state::RequestJwt;
use crate::token::decode::{self, DecodeOptions};
use crate::{
    DecodedJwt, Failure, Jwt, JwtError, JwtErrorKind, JwtManager, TokenLocation, TokenType,
};

/// The options of `#[jwt_required(...)]` and [`verify_jwt_in_request`],
/// with flask's defaults: a non-optional, non-fresh access token from the
/// configured locations, type checked, revocation checked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct VerifyOptions {
    pub(crate) optional: bool,
    pub(crate) fresh: bool,
    pub(crate) token_type: TokenType,
    pub(crate) locations: Cow<'static, [TokenLocation]>,
    pub(crate) verify_type: bool,
    pub(crate) skip_revocation_check: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            optional: false,
            fresh: false,
            token_type: TokenType::Access,
            locations: Cow::Borrowed(&[]),
            verify_type: true,
            skip_revocation_check: false,
        }
    }
}

impl VerifyOptions {
    /// flask's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A request without a token passes (getters then return nothing); an
    /// invalid, expired or badly sent token is still refused. Defaults to `false`.
    pub fn optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// Require a fresh access token. Defaults to `false`.
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// Require a refresh token instead of an access token. Defaults to `false`.
    /// The same as [`token_type`](Self::token_type) with
    /// [`TokenType::Refresh`] (`true`) or [`TokenType::Access`] (`false`).
    pub fn refresh(mut self, refresh: bool) -> Self {
        self.token_type = if refresh {
            TokenType::Refresh
        } else {
            TokenType::Access
        };
        self
    }

    /// The kind of token the route takes: its cookie, CSRF names and JSON
    /// key are read, and with [`verify_type`](Self::verify_type) its type is
    /// checked. Defaults to [`TokenType::Access`].
    pub fn token_type(mut self, token_type: TokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Look only in these locations, in this order. Defaults to the
    /// configured `JWT_TOKEN_LOCATION`.
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Cow::Owned(locations.into_iter().collect());
        self
    }

    /// Check that the token type (access or refresh) fits the route; `false`
    /// accepts both, e.g. for a logout route. Defaults to `true`.
    pub fn verify_type(mut self, verify: bool) -> Self {
        self.verify_type = verify;
        self
    }

    /// Skip the revocation (blocklist) check. Defaults to `false`.
    pub fn skip_revocation_check(mut self, skip: bool) -> Self {
        self.skip_revocation_check = skip;
        self
    }
}

/// Verifies the request's token the way `#[jwt_required]` does, for custom
/// guards (flask's `admin_required` recipe) and middleware.
///
/// Returns the verified token, or `None` for an optional route without a
/// token. Every method is verified, `OPTIONS` included: a guarded handler
/// never runs without a verified token (answer CORS preflights with
/// actix-cors, which replies before routing). The result is stored in the
/// request, so [`get_jwt`](crate::get_jwt) and the extractors see it
/// afterwards.
///
/// A `&HttpRequest` gives no access to the body: when the locations include
/// `json` and the request has a JSON body, this answers
/// [`BodyUnavailable`](crate::JwtErrorKind::BodyUnavailable); use
/// [`verify_jwt_in_request_with_payload`] from an extractor instead.
///
/// ```
/// use actix_web::{HttpRequest, HttpResponse};
/// use jwt_ext::{JwtError, VerifyOptions, verify_jwt_in_request};
///
/// async fn admin_only(req: HttpRequest) -> Result<HttpResponse, JwtError> {
///     let jwt = verify_jwt_in_request(&req, VerifyOptions::new()).await?;
///     let is_admin = jwt.as_ref().is_some_and(|jwt| jwt.claims()["is_administrator"] == true);
///     Ok(if is_admin {
///         HttpResponse::Ok().finish()
///     } else {
///         HttpResponse::Forbidden().json(serde_json::json!({ "msg": "Admins only!" }))
///     })
/// }
/// ```
///
/// # Errors
/// The [`JwtError`] of the first failing step: a missing or malformed token,
/// a CSRF failure, a bad signature or claim, the wrong token type, a stale
/// token.
pub async fn verify_jwt_in_request(
    req: &HttpRequest,
    options: VerifyOptions,
) -> Result<Option<Jwt>, JwtError> {
    let manager = JwtManager::from_app(req)?;
    run(req, manager, &Body::NotRead, options)
        .await
        .map_err(|e| manager.render(e))
}

/// [`verify_jwt_in_request`] for extractors, which can read the body: a
/// token in a JSON body or a CSRF value in a form field is found, and the
/// handler's own body extractors still receive the whole body.
///
/// Call it from `FromRequest::from_request` and await the future there.
///
/// ```
/// use actix_web::{FromRequest, HttpRequest, dev::Payload};
/// use jwt_ext::{Jwt, JwtError, VerifyOptions, verify_jwt_in_request_with_payload};
/// use std::{future::Future, pin::Pin};
///
/// /// Any verified token, from any location, for any method.
/// struct Caller(Option<Jwt>);
///
/// impl FromRequest for Caller {
///     type Error = JwtError;
///     type Future = Pin<Box<dyn Future<Output = Result<Self, JwtError>>>>;
///
///     fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
///         let verification = verify_jwt_in_request_with_payload(req, payload, VerifyOptions::new().optional(true));
///         Box::pin(async move { Ok(Caller(verification.await?)) })
///     }
/// }
/// ```
pub fn verify_jwt_in_request_with_payload(
    req: &HttpRequest,
    payload: &mut Payload,
    options: VerifyOptions,
) -> VerifyFuture<Option<Jwt>> {
    start(req, payload, options, Ok)
}

/// Starts verification for an extractor: synchronously unless the body has
/// to be read or a loader awaited, so the plain path allocates no future.
///
/// flask exempts `OPTIONS` (`JWT_EXEMPT_METHODS`), so a view that lists
/// `OPTIONS` runs unauthenticated there; in actix every route registered
/// without a method guard takes `OPTIONS`, so jwt-ext verifies it like any
/// other method.
pub(crate) fn start<T>(
    req: &HttpRequest,
    payload: &mut Payload,
    options: VerifyOptions,
    finish: fn(Option<Jwt>) -> Result<T, Failure>,
) -> VerifyFuture<T> {
    let manager = match JwtManager::from_app(req) {
        Ok(manager) => manager,
        Err(err) => return VerifyFuture::unregistered(err, finish),
    };
    let settings = manager.settings();
    let locations = effective_locations(settings, &options);
    let read_body = needs_body(req, settings, locations, options.token_type);
    if !read_body && !settings.awaits_loaders(options.skip_revocation_check) {
        let outcome =
            verify_with(req, &Body::NotRead, settings, &options).map(|token| Jwt::new(token, None));
        return VerifyFuture::ready(
            conclude(req, &options, outcome),
            finish,
            &settings.responses,
        );
    }
    // Only the awaiting path needs its own handle on the manager.
    let manager = manager.clone();
    let settings = manager.settings();
    let limits = BodyLimits {
        bytes: settings.body_limit,
        timeout: settings.body_timeout,
    };
    let read = read_body.then(|| body::buffer(req, payload, limits));
    let in_flight = InFlight::begin(req);
    let req = req.clone();
    let responses = settings.responses.clone();
    VerifyFuture::reading(
        async move {
            let verification = async {
                let body = match read {
                    Some(read) => Body::Read(read.await.map_err(log_refusal)?),
                    None => Body::NotRead,
                };
                run(&req, &manager, &body, options).await
            };
            let result = verification.await;
            // Extractors waiting for this verification see what it stored.
            let outcome = match (&result, RequestJwt::load(&req)) {
                (Err(err), _) => Err(err.clone()),
                (Ok(_), Some(state)) => Ok(state),
                (Ok(_), None) => Err(Failure::not_verified()),
            };
            in_flight.complete(outcome);
            result
        },
        finish,
        &responses,
    )
}

fn effective_locations<'a>(
    settings: &'a Settings,
    options: &'a VerifyOptions,
) -> &'a [TokenLocation] {
    if options.locations.is_empty() {
        &settings.token_locations
    } else {
        &options.locations
    }
}

/// The whole pipeline, loaders included, for every method.
async fn run(
    req: &HttpRequest,
    manager: &JwtManager,
    body: &Body,
    options: VerifyOptions,
) -> Result<Option<Jwt>, Failure> {
    let outcome = match verify_with(req, body, manager.settings(), &options) {
        Ok(token) => run_loaders(manager, token, &options).await,
        Err(err) => Err(err),
    };
    conclude(req, &options, outcome)
}

/// Stores the outcome in the request: a verified token, or for an optional
/// route without one, the fact that there is none.
fn conclude(
    req: &HttpRequest,
    options: &VerifyOptions,
    outcome: Result<Jwt, Failure>,
) -> Result<Option<Jwt>, Failure> {
    match outcome {
        Ok(jwt) => {
            RequestJwt::Verified(jwt.clone()).store(req);
            Ok(Some(jwt))
        }
        Err(err) if options.optional && err.kind() == JwtErrorKind::NoAuthorization => {
            RequestJwt::Absent(err).store(req);
            Ok(None)
        }
        Err(err) => Err(log_refusal(err)),
    }
}

/// Logs a refusal by its reason (never the token).
fn log_refusal(err: Failure) -> Failure {
    tracing::debug!(
        target: "jwt_ext::refusal",
        kind = ?err.kind(),
        reason = err.message(),
        "JWT refused"
    );
    err
}

/// flask's order after decoding: revocation, claims verification, user
/// lookup. Each loader sees a token whose signature is verified.
async fn run_loaders(
    manager: &JwtManager,
    token: Rc<DecodedJwt>,
    options: &VerifyOptions,
) -> Result<Jwt, Failure> {
    let callbacks = &manager.settings().callbacks;
    let mut jwt = Jwt::new(token, None);
    let refused = |kind, message: String, jwt: &Jwt| {
        Failure::new(kind, message).with_token(jwt.header().clone(), jwt.claims().clone())
    };
    if let Some(check) = manager
        .settings()
        .revocation
        .as_ref()
        .filter(|_| !options.skip_revocation_check)
        && check.is_revoked(&jwt, manager.family_ttl(&jwt)).await?
    {
        return Err(refused(
            JwtErrorKind::Revoked,
            "Token has been revoked".into(),
            &jwt,
        ));
    }
    if let Some(blocklist) = callbacks
        .blocklist
        .as_ref()
        .filter(|_| !options.skip_revocation_check)
        && blocklist(jwt.clone()).await?
    {
        return Err(refused(
            JwtErrorKind::Revoked,
            "Token has been revoked".into(),
            &jwt,
        ));
    }
    // What `ImplicitRefresh` needs to know before renewing this token.
    jwt.revocation_checked = !options.skip_revocation_check && manager.checks_revocation();
    if let Some(verify) = &callbacks.claims_verification
        && !verify(jwt.clone()).await?
    {
        return Err(refused(
            JwtErrorKind::ClaimsVerification,
            "User claims verification failed".into(),
            &jwt,
        ));
    }
    if let Some(lookup) = &callbacks.user_lookup {
        match lookup(jwt.clone()).await? {
            Some(user) => jwt.user = Some(user),
            None => {
                let message = format!("Error loading the user {}", python_str(jwt.identity()));
                return Err(refused(JwtErrorKind::UserLookup, message, &jwt));
            }
        }
    }
    Ok(jwt)
}

fn verify_with(
    req: &HttpRequest,
    body: &Body,
    settings: &Settings,
    options: &VerifyOptions,
) -> Result<Rc<DecodedJwt>, Failure> {
    let locations = effective_locations(settings, options);
    let mut missing = Vec::new();
    let mut found = None;
    for &location in locations {
        match find_token(req, settings, location, options.token_type, body) {
            Ok(token) => {
                found = Some((location, token));
                break;
            }
            // Only a missing token moves on to the next location.
            Err(err) if err.kind() == JwtErrorKind::NoAuthorization => {
                if locations.len() == 1 {
                    return Err(err);
                }
                missing.push(err);
            }
            Err(err) => return Err(err),
        }
    }
    let Some((location, found)) = found else {
        return Err(missing_everywhere(locations, missing));
    };
    let now = settings.clock.now_micros();
    let mut decode_options = DecodeOptions::default();
    if let Some(csrf) = found.csrf {
        decode_options = decode_options.csrf_value(csrf);
    }
    let jwt = decode::decode(settings, &found.token, &decode_options, now)?.with_location(location);
    check_type(&jwt, options)?;
    if options.fresh {
        check_fresh(&jwt, now)?;
    }
    Ok(Rc::new(jwt))
}

/// flask combines the messages of several locations as
/// `Missing JWT in a, b or c (msg a; msg b; msg c)` (one location gives its
/// own message, returned before this).
fn missing_everywhere(locations: &[TokenLocation], missing: Vec<Failure>) -> Failure {
    let names: Vec<&str> = locations.iter().map(|loc| loc.as_str()).collect();
    let (last, rest) = names
        .split_last()
        .expect("at least one location is configured");
    let reasons: Vec<&str> = missing.iter().map(Failure::message).collect();
    Failure::new(
        JwtErrorKind::NoAuthorization,
        format!(
            "Missing JWT in {} or {last} ({})",
            rest.join(", "),
            reasons.join("; ")
        ),
    )
}

fn check_type(jwt: &DecodedJwt, options: &VerifyOptions) -> Result<(), Failure> {
    if !options.verify_type {
        return Ok(());
    }
    let message = match (options.token_type, jwt.is_refresh()) {
        (TokenType::Access, true) => "Only non-refresh tokens are allowed",
        (TokenType::Refresh, false) => "Only refresh tokens are allowed",
        _ => return Ok(()),
    };
    Err(Failure::new(JwtErrorKind::WrongTokenType, message)
        .with_token(jwt.header().clone(), jwt.claims().clone()))
}

/// `fresh` is `true`, or a timestamp not yet passed. flask answers 500 for a
/// `fresh` of another type; we answer "Fresh token required".
fn check_fresh(jwt: &DecodedJwt, now_micros: i64) -> Result<(), Failure> {
    let fresh = match jwt.claims().get("fresh") {
        Some(Value::Bool(fresh)) => *fresh,
        Some(Value::Number(until)) => until
            .as_f64()
            .is_some_and(|until| until * 1_000_000.0 >= now_micros as f64),
        _ => false,
    };
    if fresh {
        Ok(())
    } else {
        Err(
            Failure::new(JwtErrorKind::FreshTokenRequired, "Fresh token required")
                .with_token(jwt.header().clone(), jwt.claims().clone()),
        )
    }
}

impl JwtManager {
    /// The manager registered in the app: `app_data(JwtManager)` or
    /// `app_data(web::Data<JwtManager>)`.
    ///
    /// # Errors
    /// [`JwtErrorKind::Misconfigured`] (500) when neither is registered.
    pub fn from_app(req: &HttpRequest) -> Result<&JwtManager, JwtError> {
        req.app_data::<JwtManager>()
            .or_else(|| {
                req.app_data::<web::Data<JwtManager>>()
                    .map(|data| data.get_ref())
            })
            .ok_or_else(|| {
                Failure::new(
                    JwtErrorKind::Misconfigured,
                    "No JwtManager is registered: add it with App::app_data(jwt_manager.clone())",
                )
                .without_manager()
            })
    }
}

impl FromRequest for JwtManager {
    type Error = JwtError;
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(JwtManager::from_app(req).cloned())
    }
}
