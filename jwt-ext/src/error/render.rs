//! Custom error responses: flask-jwt-extended's `expired_token_loader`,
//! `invalid_token_loader`, `unauthorized_loader`, `needs_fresh_token_loader`,
//! `revoked_token_loader`, `user_lookup_error_loader` and
//! `token_verification_failed_loader`, and jwt-ext's own
//! `store_unavailable_loader`, `insufficient_scope_loader`,
//! `keys_unavailable_loader` and `forbidden_loader`.

use std::sync::Arc;

use actix_web::HttpResponse;
use serde_json::{Map, Value};

use crate::{Failure, JwtErrorKind};

type ReasonResponse = Arc<dyn Fn(&str) -> HttpResponse + Send + Sync>;
type TokenResponse =
    Arc<dyn Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse + Send + Sync>;

/// The configured response loaders; `None` keeps flask's default answer.
#[derive(Clone, Default)]
pub(crate) struct ResponseLoaders {
    pub(crate) expired: Option<TokenResponse>,
    pub(crate) invalid: Option<ReasonResponse>,
    pub(crate) unauthorized: Option<ReasonResponse>,
    pub(crate) needs_fresh: Option<TokenResponse>,
    pub(crate) revoked: Option<TokenResponse>,
    pub(crate) user_lookup_error: Option<TokenResponse>,
    pub(crate) verification_failed: Option<TokenResponse>,
    pub(crate) store_unavailable: Option<ReasonResponse>,
    pub(crate) insufficient_scope: Option<TokenResponse>,
    pub(crate) keys_unavailable: Option<ReasonResponse>,
    pub(crate) forbidden: Option<ReasonResponse>,
}

/// How a manager's errors are rendered: the message key of the default
/// bodies, the custom responses, and the realm of RFC 6750 challenges when
/// the application opted into them.
pub(crate) struct ErrorResponses {
    message_key: Arc<str>,
    loaders: ResponseLoaders,
    bearer_realm: Option<Arc<str>>,
}

impl ErrorResponses {
    #[cfg(test)]
    pub(crate) fn new(message_key: &str) -> Self {
        Self::with_loaders(message_key, ResponseLoaders::default())
    }

    pub(crate) fn with_loaders(message_key: &str, loaders: ResponseLoaders) -> Self {
        ErrorResponses {
            message_key: message_key.into(),
            loaders,
            bearer_realm: None,
        }
    }

    /// Adds RFC 6750 §3 attributes to every refusal, with this realm (an
    /// empty one sends none).
    pub(crate) fn with_bearer_realm(mut self, realm: Option<&str>) -> Self {
        self.bearer_realm = realm.map(Arc::from);
        self
    }

    pub(crate) fn message_key(&self) -> &str {
        &self.message_key
    }

    pub(crate) fn bearer_realm(&self) -> Option<&str> {
        self.bearer_realm.as_deref()
    }

    /// The custom response for `err`, routed as flask routes its exceptions.
    pub(crate) fn custom(&self, err: &Failure) -> Option<HttpResponse> {
        let empty = Map::new();
        let header = err.jwt_header().unwrap_or(&empty);
        let claims = err.jwt_claims().unwrap_or(&empty);
        let loaders = &self.loaders;
        let with_token =
            |loader: &Option<TokenResponse>| loader.as_ref().map(|f| f(header, claims));
        let with_reason =
            |loader: &Option<ReasonResponse>| loader.as_ref().map(|f| f(err.message()));
        match err.kind() {
            JwtErrorKind::NoAuthorization | JwtErrorKind::Csrf => {
                with_reason(&loaders.unauthorized)
            }
            JwtErrorKind::InvalidHeader
            | JwtErrorKind::InvalidToken
            | JwtErrorKind::WrongTokenType
            | JwtErrorKind::InvalidQueryParam => with_reason(&loaders.invalid),
            JwtErrorKind::Expired => with_token(&loaders.expired),
            JwtErrorKind::FreshTokenRequired => with_token(&loaders.needs_fresh),
            JwtErrorKind::Revoked => with_token(&loaders.revoked),
            JwtErrorKind::UserLookup => with_token(&loaders.user_lookup_error),
            JwtErrorKind::ClaimsVerification => with_token(&loaders.verification_failed),
            JwtErrorKind::StoreUnavailable => with_reason(&loaders.store_unavailable),
            JwtErrorKind::InsufficientScope => with_token(&loaders.insufficient_scope),
            JwtErrorKind::KeysUnavailable => with_reason(&loaders.keys_unavailable),
            JwtErrorKind::Forbidden => with_reason(&loaders.forbidden),
            _ => None,
        }
    }
}
