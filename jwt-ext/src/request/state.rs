//! The per-request verification result and flask's request getters.
//!
//! A request is in one of three states: not verified (the getters say
//! `#[jwt_required]` is missing), optional-and-absent (empty claims, no
//! identity), or verified. The state lives in the request extensions until
//! the response is sent, so middleware running after the handler reads it too.

use actix_web::{HttpMessage, HttpRequest};
use serde_json::{Map, Value};

use crate::{Failure, Jwt, JwtError, JwtManager, TokenLocation};

/// What verification concluded for this request.
#[derive(Clone)]
pub(crate) enum RequestJwt {
    Verified(Jwt),
    /// An optional route without a token; keeps the "missing" error for
    /// extractors that require a token anyway.
    Absent(Failure),
}

impl RequestJwt {
    pub(crate) fn store(self, req: &HttpRequest) {
        req.extensions_mut().insert(self);
    }

    pub(crate) fn load(req: &HttpRequest) -> Option<RequestJwt> {
        req.extensions().get::<RequestJwt>().cloned()
    }
}

fn verified(req: &HttpRequest) -> Result<Option<Jwt>, JwtError> {
    // Borrowed, not `load`ed: the getters need no copy of the "missing" error.
    match req.extensions().get::<RequestJwt>() {
        Some(RequestJwt::Verified(jwt)) => Ok(Some(jwt.clone())),
        Some(RequestJwt::Absent(_)) => Ok(None),
        None => Err(render(req, Failure::not_verified())),
    }
}

/// A getter's failure, rendered by the manager registered for `req`.
pub(crate) fn render(req: &HttpRequest, failure: Failure) -> JwtError {
    match JwtManager::from_app(req) {
        Ok(manager) => manager.render(failure),
        Err(_) => failure.without_manager(),
    }
}

/// The claims of the verified token (flask's `get_jwt()`), with flask's
/// defaults for `type`, `fresh` and `jti`; empty on an optional route
/// without a token.
///
/// # Errors
/// [`NotVerified`](crate::JwtErrorKind::NotVerified) (500) when no
/// verification ran for this request: the handler lacks `#[jwt_required]`.
pub fn get_jwt(req: &HttpRequest) -> Result<Map<String, Value>, JwtError> {
    Ok(verified(req)?
        .map(|jwt| jwt.claims().clone())
        .unwrap_or_default())
}

/// The JOSE header of the verified token (flask's `get_jwt_header()`);
/// empty on an optional route without a token.
///
/// # Errors
/// As [`get_jwt`].
pub fn get_jwt_header(req: &HttpRequest) -> Result<Map<String, Value>, JwtError> {
    Ok(verified(req)?
        .map(|jwt| jwt.header().clone())
        .unwrap_or_default())
}

/// The identity of the caller (flask's `get_jwt_identity()`): the value of
/// the identity claim, `None` on an optional route without a token.
///
/// ```
/// use actix_web::{HttpRequest, HttpResponse};
/// use jwt_ext::{JwtError, get_jwt_identity, jwt_required};
///
/// #[jwt_required]
/// async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
///     let current_user = get_jwt_identity(&req)?;
///     Ok(HttpResponse::Ok().json(serde_json::json!({ "logged_in_as": current_user })))
/// }
/// ```
///
/// # Errors
/// As [`get_jwt`].
pub fn get_jwt_identity(req: &HttpRequest) -> Result<Option<Value>, JwtError> {
    Ok(verified(req)?.map(|jwt| jwt.identity().clone()))
}

/// Where the verified token was found (flask's `get_jwt_request_location()`);
/// `None` when there is none. Never fails.
pub fn get_jwt_request_location(req: &HttpRequest) -> Option<TokenLocation> {
    verified(req).ok().flatten().and_then(|jwt| jwt.location())
}
