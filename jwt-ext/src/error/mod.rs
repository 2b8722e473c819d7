//! The error type of every request-time failure, with flask-jwt-extended's
//! statuses and messages.

mod challenge;
mod config_error;
mod render;

pub use config_error::ConfigError;
pub(crate) use render::{ErrorResponses, ResponseLoaders};

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use actix_web::http::header::HeaderMap;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value};

use crate::compat::json_dumps::{KeyOrder, object_to_python_json};

/// What went wrong, grouped the way flask-jwt-extended routes its exceptions
/// to response callbacks. The status of each kind is flask's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwtErrorKind {
    /// No token in any searched location: 401 (flask `NoAuthorizationError`).
    NoAuthorization,
    /// The header holding the token is malformed: 422 (`InvalidHeaderError`).
    InvalidHeader,
    /// The token is malformed, badly signed or has invalid claims: 422
    /// (PyJWT's `DecodeError`, `InvalidTokenError` family, `JWTDecodeError`).
    InvalidToken,
    /// The token has expired: 401 (`ExpiredSignatureError`).
    Expired,
    /// An access token on a refresh route or the reverse: 422 (`WrongTokenError`).
    WrongTokenType,
    /// The route needs a fresh token: 401 (`FreshTokenRequired`).
    FreshTokenRequired,
    /// A cookie-borne token without a valid CSRF double submit: 401 (`CSRFError`).
    Csrf,
    /// The query parameter lacks the configured prefix: 422 (`InvalidQueryParamError`).
    InvalidQueryParam,
    /// The blocklist loader says the token is revoked: 401 (`RevokedTokenError`).
    Revoked,
    /// The claims verification loader refused the token: 400
    /// (`UserClaimsVerificationError`).
    ClaimsVerification,
    /// The user lookup loader found no user: 401 (`UserLookupError`).
    UserLookup,
    /// The revocation store failed or did not answer in time: 503, the
    /// handler does not run (an addition to flask, which has no store).
    StoreUnavailable,
    /// A loader of the application failed with an error of its own; the
    /// answer is that error's response (a database outage stays a 5xx).
    Callback,
    /// The request body read for a JSON token or a CSRF form field exceeds
    /// the configured limit: 413 (an addition to flask).
    PayloadTooLarge,
    /// The request body could not be read: 400.
    BadPayload,
    /// The request body read for a JSON token or a CSRF form field did not
    /// arrive within the configured
    /// [timeout](crate::JwtManagerBuilder::body_timeout): 408 (an addition
    /// to flask).
    BodyTimeout,
    /// A token may be in the JSON body but the body was not available:
    /// [`verify_jwt_in_request`](crate::verify_jwt_in_request) cannot read
    /// it (use the extractors, `#[jwt_required]` or
    /// [`verify_jwt_in_request_with_payload`](crate::verify_jwt_in_request_with_payload)): 500.
    BodyUnavailable,
    /// A request getter was called where no verification ran: 500. This is a
    /// programming error (a handler without `#[jwt_required]`), not bad input.
    NotVerified,
    /// A programming error in the app: no [`JwtManager`](crate::JwtManager)
    /// is registered, or a getter needs a loader that is not configured: 500.
    Misconfigured,
    /// A token could not be minted (unserialisable claims, no signing key): 500.
    Encode,
    /// A valid token lacks a scope or a role the route requires: 403, RFC
    /// 6750's `insufficient_scope` (an addition to flask; see
    /// [`VerifyOptions::scopes`](crate::VerifyOptions::scopes)).
    InsufficientScope,
    /// The caller is authenticated but not allowed: 403, built by the
    /// application with [`JwtError::forbidden`] (an addition to flask, whose
    /// recipes answer 403 by hand). For the scopes and roles a route names,
    /// jwt-ext answers [`InsufficientScope`](Self::InsufficientScope)
    /// instead.
    Forbidden,
    /// The token names a key its trusted issuer's remote key set lacks, and
    /// the set cannot be fetched again: 503, the handler does not run (an
    /// addition to flask).
    KeysUnavailable,
}

impl JwtErrorKind {
    /// The HTTP status flask-jwt-extended answers for this kind
    /// ([`Callback`](Self::Callback) errors answer their own status).
    pub const fn status(self) -> StatusCode {
        match self {
            JwtErrorKind::NoAuthorization
            | JwtErrorKind::Expired
            | JwtErrorKind::FreshTokenRequired
            | JwtErrorKind::Csrf
            | JwtErrorKind::Revoked
            | JwtErrorKind::UserLookup => StatusCode::UNAUTHORIZED,
            JwtErrorKind::InvalidHeader
            | JwtErrorKind::InvalidToken
            | JwtErrorKind::WrongTokenType
            | JwtErrorKind::InvalidQueryParam => StatusCode::UNPROCESSABLE_ENTITY,
            JwtErrorKind::ClaimsVerification | JwtErrorKind::BadPayload => StatusCode::BAD_REQUEST,
            JwtErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            JwtErrorKind::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            JwtErrorKind::StoreUnavailable | JwtErrorKind::KeysUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            JwtErrorKind::InsufficientScope | JwtErrorKind::Forbidden => StatusCode::FORBIDDEN,
            JwtErrorKind::Callback
            | JwtErrorKind::NotVerified
            | JwtErrorKind::Misconfigured
            | JwtErrorKind::Encode
            | JwtErrorKind::BodyUnavailable => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl JwtErrorKind {
    /// Whether the failure is the application's, not the client's: a
    /// missing `JwtManager` or loader, a getter outside a protected handler,
    /// a token that could not be minted. These answer 500 with a body that
    /// says nothing of the application's code (`Internal Server Error`); the
    /// message, which names what to fix, goes to the log at `ERROR`.
    pub const fn is_server_fault(self) -> bool {
        matches!(
            self,
            JwtErrorKind::NotVerified
                | JwtErrorKind::Misconfigured
                | JwtErrorKind::Encode
                | JwtErrorKind::BodyUnavailable
        )
    }
}

/// The body text of [server faults](JwtErrorKind::is_server_fault), as
/// Werkzeug's `InternalServerError` names them.
const SERVER_FAULT_MESSAGE: &str = "Internal Server Error";

/// The header and claims of the token an error is about.
type TokenParts = (Map<String, Value>, Map<String, Value>);

/// The response of an application error raised by a loader, kept as parts
/// so the error stays `Send` and `Clone`.
#[derive(Clone)]
struct CapturedResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// A failure inside the crate, before it is tied to a manager's rendering.
///
/// Internal code produces `Failure`s; public methods hand out [`JwtError`]s.
/// `Failure` is no [`ResponseError`] and does not convert into a
/// `JwtError` by `From`, so the only way out is [`Failure::render`], which
/// needs the manager's [`ErrorResponses`]: an exit that forgets the
/// manager's message key and loaders does not compile. (The crate's
/// `clippy.toml` forbids it the public constructors `JwtError::new` and
/// `JwtError::from_callback`, which build errors without a manager.)
#[derive(Clone)]
pub(crate) struct Failure {
    kind: JwtErrorKind,
    /// Borrowed for the messages that do not vary, so refusing costs no allocation.
    message: Cow<'static, str>,
    token: Option<Box<TokenParts>>,
    captured: Option<Box<CapturedResponse>>,
    /// The scopes the route requires, space-separated, for RFC 6750's
    /// `scope` attribute of an [`InsufficientScope`](JwtErrorKind::InsufficientScope).
    required_scope: Option<Box<str>>,
    /// Keys to fetch again before this refusal is final: a token naming a
    /// key its issuer's set lacks, when that set is remote.
    refetch: Option<Arc<dyn Refetch>>,
}

/// A key set that can be fetched again. Defined here, implemented by the
/// remote key sets above: a failure carries it up to the pipeline, which
/// fetches once and verifies again before refusing.
pub(crate) trait Refetch: Send + Sync {
    /// Fetches the set again (shared, at most once per cooldown); `false`
    /// when it cannot be fetched.
    fn refetch(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + '_>>;
}

impl Failure {
    /// A failure of `kind` with flask's `message`.
    pub(crate) fn new(kind: JwtErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Failure {
            kind,
            message: message.into(),
            token: None,
            captured: None,
            refetch: None,
            required_scope: None,
        }
    }

    /// Marks the failure as final only once `keys` were fetched again.
    #[cfg(feature = "oidc")]
    pub(crate) fn with_refetch(mut self, keys: Arc<dyn Refetch>) -> Self {
        self.refetch = Some(keys);
        self
    }

    /// The key set to fetch again before this failure is final, if any.
    pub(crate) fn refetch(&self) -> Option<Arc<dyn Refetch>> {
        self.refetch.clone()
    }

    /// See [`JwtError::from_callback`].
    pub(crate) fn from_callback(err: impl Into<actix_web::Error>) -> Self {
        let err: actix_web::Error = err.into();
        let (head, body) = err.error_response().into_parts();
        Failure {
            captured: Some(Box::new(CapturedResponse {
                status: head.status(),
                headers: head.headers().clone(),
                body: actix_web::body::MessageBody::try_into_bytes(body).unwrap_or_default(),
            })),
            ..Failure::new(JwtErrorKind::Callback, err.to_string())
        }
    }

    pub(crate) fn invalid_token(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(JwtErrorKind::InvalidToken, message)
    }

    pub(crate) fn not_verified() -> Self {
        Self::new(
            JwtErrorKind::NotVerified,
            "You must call `#[jwt_required]` or `verify_jwt_in_request` before using this method",
        )
    }

    /// Attaches the header and claims of the token the failure is about.
    pub(crate) fn with_token(
        mut self,
        header: Map<String, Value>,
        claims: Map<String, Value>,
    ) -> Self {
        self.token = Some(Box::new((header, claims)));
        self
    }

    /// Names the scopes the route requires (space-separated).
    pub(crate) fn with_required_scope(mut self, scope: String) -> Self {
        self.required_scope = Some(scope.into());
        self
    }

    pub(crate) fn kind(&self) -> JwtErrorKind {
        self.kind
    }

    pub(crate) fn required_scope(&self) -> Option<&str> {
        self.required_scope.as_deref()
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn status(&self) -> StatusCode {
        match &self.captured {
            Some(captured) => captured.status,
            None => self.kind.status(),
        }
    }

    pub(crate) fn jwt_header(&self) -> Option<&Map<String, Value>> {
        self.token.as_deref().map(|(header, _)| header)
    }

    pub(crate) fn jwt_claims(&self) -> Option<&Map<String, Value>> {
        self.token.as_deref().map(|(_, claims)| claims)
    }

    /// The one conversion into the public error: renders with the manager's
    /// `JWT_ERROR_MESSAGE_KEY` and custom responses.
    pub(crate) fn render(self, responses: &Arc<ErrorResponses>) -> JwtError {
        JwtError {
            failure: self,
            responses: Some(responses.clone()),
        }
    }
}

/// An error of the application (a loader's, built with [`JwtError::new`] or
/// [`JwtError::from_callback`]) entering the pipeline, where the manager's
/// rendering replaces whatever it had.
impl From<JwtError> for Failure {
    fn from(err: JwtError) -> Self {
        err.failure
    }
}

/// A failed token operation: its [kind](JwtErrorKind), flask's message, and
/// for failures about a readable token, its header and claims.
///
/// As an actix [`ResponseError`] it renders flask's answer: the status of the
/// kind and `{"msg": "..."}`, or the custom response configured for that
/// failure, so a handler can use `?` on any jwt-ext call.
///
/// Every error a [`JwtManager`](crate::JwtManager) hands out, from its
/// methods, the extractors, `#[jwt_required]` or the request getters,
/// renders with that manager's configuration: its
/// [message key](crate::JwtManagerBuilder::error_message_key) and its custom
/// response loaders. An error built with [`JwtError::new`] renders with
/// `msg` until it passes through a manager, e.g. when a loader returns it.
#[derive(Clone)]
pub struct JwtError {
    failure: Failure,
    /// `None` only for errors built outside a manager.
    responses: Option<Arc<ErrorResponses>>,
}

impl JwtError {
    /// An error of `kind` with flask's `message`.
    pub fn new(kind: JwtErrorKind, message: impl Into<String>) -> Self {
        Failure::new(kind, message.into()).without_manager()
    }

    /// Wraps an error a loader of the application returned: the request is
    /// answered with that error's own response.
    pub fn from_callback(err: impl Into<actix_web::Error>) -> Self {
        Failure::from_callback(err).without_manager()
    }

    /// What went wrong.
    pub fn kind(&self) -> JwtErrorKind {
        self.failure.kind
    }

    /// flask-jwt-extended's message, e.g. `Missing Authorization Header`.
    pub fn message(&self) -> &str {
        &self.failure.message
    }

    /// The HTTP status of the default answer.
    pub fn status(&self) -> StatusCode {
        self.failure.status()
    }

    /// The header of the token the error is about, when it could be read:
    /// set for expired tokens (decoded again without the expiry check, as
    /// flask does), wrong types, missing freshness, revoked tokens, failed
    /// claims verification and user lookup.
    pub fn jwt_header(&self) -> Option<&Map<String, Value>> {
        self.failure.jwt_header()
    }

    /// The claims of the token the error is about; see [`JwtError::jwt_header`].
    pub fn jwt_claims(&self) -> Option<&Map<String, Value>> {
        self.failure.jwt_claims()
    }

    /// The default body: `{"<key>":"<message>"}\n`, byte for byte what
    /// Flask's `jsonify` writes (quirk 8). For [server
    /// faults](JwtErrorKind::is_server_fault) the message is `Internal
    /// Server Error`: what went wrong is for the log, not the client.
    pub fn body(&self) -> String {
        let key = self
            .responses
            .as_deref()
            .map_or("msg", ErrorResponses::message_key);
        let message = if self.kind().is_server_fault() {
            SERVER_FAULT_MESSAGE
        } else {
            self.message()
        };
        let mut map = Map::with_capacity(1);
        map.insert(key.to_owned(), Value::String(message.to_owned()));
        let mut body = object_to_python_json(&map, KeyOrder::Sorted);
        body.push('\n');
        body
    }

    /// flask's default answer for this error, ignoring custom responses.
    pub fn default_response(&self) -> HttpResponse {
        if let Some(captured) = &self.failure.captured {
            let mut response = HttpResponse::with_body(captured.status, captured.body.clone());
            *response.headers_mut() = captured.headers.clone();
            return response.map_into_boxed_body();
        }
        let mut response = HttpResponse::build(self.status());
        response.content_type(header::ContentType::json());
        if let Some(challenge) = self.challenge() {
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        } else if self.status() == StatusCode::UNAUTHORIZED {
            // RFC 6750 §3; flask omits it, clients that compare bodies are unaffected.
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(self.body())
    }

    /// The RFC 6750 §3 challenge, when the manager opted into it with
    /// [`bearer_realm`](crate::JwtManagerBuilder::bearer_realm).
    fn challenge(&self) -> Option<header::HeaderValue> {
        let realm = self.responses.as_deref()?.bearer_realm()?;
        challenge::challenge(realm, &self.failure)
    }
}

impl Failure {
    /// An error no manager renders: one built by the application, the
    /// answer when no manager is registered at all, or a function without a
    /// manager ([`get_unverified_jwt_headers`](crate::get_unverified_jwt_headers)).
    pub(crate) fn without_manager(self) -> JwtError {
        JwtError {
            failure: self,
            responses: None,
        }
    }
}

impl fmt::Debug for JwtError {
    // Claims may hold personal data: keep them out of logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtError")
            .field("kind", &self.kind())
            .field("message", &self.message())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Failure {
    // As `JwtError`'s: no claims.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for JwtError {}

impl ResponseError for JwtError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.kind().is_server_fault() {
            // The client sees a bare 500; the operator sees what to fix.
            tracing::error!(
                target: "jwt_ext::server_fault",
                kind = ?self.kind(),
                reason = %self.message(),
                "jwt-ext answered 500"
            );
        }
        match self
            .responses
            .as_deref()
            .and_then(|responses| responses.custom(&self.failure))
        {
            Some(mut response) => {
                // A custom body keeps the standard challenge unless it sets its own.
                if let Some(challenge) = self.challenge()
                    && !response.headers().contains_key(header::WWW_AUTHENTICATE)
                {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, challenge);
                }
                response
            }
            None => self.default_response(),
        }
    }
}

#[cfg(test)]
// The public constructors are what these tests are about.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn body_is_flask_jsonify_bytes() {
        let err = JwtError::new(
            JwtErrorKind::NoAuthorization,
            "Missing Authorization Header",
        );
        assert_eq!(err.body(), "{\"msg\":\"Missing Authorization Header\"}\n");
        let err = Failure::from(err).render(&Arc::new(ErrorResponses::new("error")));
        assert_eq!(err.body(), "{\"error\":\"Missing Authorization Header\"}\n");
    }

    #[test]
    fn status_survives_conversion_to_actix_error() {
        let err = Failure::invalid_token("Not enough segments").without_manager();
        let actix_err: actix_web::Error = err.into();
        assert_eq!(
            actix_err.as_response_error().status_code(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let resp = actix_err.error_response();
        assert_eq!(resp.status(), 422);
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/json"
        );
    }

    #[test]
    fn unauthorized_carries_www_authenticate() {
        let resp = JwtError::new(JwtErrorKind::Expired, "Token has expired").error_response();
        assert_eq!(resp.status(), 401);
        assert_eq!(resp.headers().get("www-authenticate").unwrap(), "Bearer");
    }

    #[test]
    fn application_errors_keep_their_response() {
        let app_error = actix_web::error::ErrorServiceUnavailable("database is down");
        let err = JwtError::from_callback(app_error);
        assert_eq!(err.kind(), JwtErrorKind::Callback);
        assert_eq!(err.status(), 503);
        let resp = err.error_response();
        assert_eq!(resp.status(), 503);
        let body = actix_web::body::MessageBody::try_into_bytes(resp.into_body()).unwrap();
        assert_eq!(body, "database is down");
    }

    #[test]
    fn server_faults_name_nothing_internal_in_their_body() {
        let err = JwtError::new(
            JwtErrorKind::Misconfigured,
            "No JwtManager is registered: add it with App::app_data(jwt_manager.clone())",
        );
        assert_eq!(err.status(), 500);
        assert_eq!(err.body(), "{\"msg\":\"Internal Server Error\"}\n");
        assert!(err.message().contains("App::app_data"), "kept for the log");
        for kind in [
            JwtErrorKind::NotVerified,
            JwtErrorKind::Encode,
            JwtErrorKind::BodyUnavailable,
        ] {
            assert!(kind.is_server_fault());
            assert_eq!(kind.status(), 500);
        }
        // A loader's own error keeps its own answer.
        assert!(!JwtErrorKind::Callback.is_server_fault());
    }

    #[test]
    fn debug_hides_claims() {
        let mut claims = Map::new();
        claims.insert("sub".into(), Value::String("secret-person".into()));
        let err = Failure::new(JwtErrorKind::Expired, "Token has expired")
            .with_token(Map::new(), claims)
            .without_manager();
        assert!(!format!("{err:?}").contains("secret-person"));
    }
}
