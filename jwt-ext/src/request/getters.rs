//! flask's request getters: `get_jwt`, `get_jwt_header`, `get_jwt_identity`,
//! `get_jwt_request_location`, reading what the pipeline stored.

use actix_web::{HttpMessage, HttpRequest};
use serde_json::{Map, Value};

use super::outcome::{RequestJwt, render};
use crate::{Failure, Jwt, JwtError, TokenLocation};

fn verified(req: &HttpRequest) -> Result<Option<Jwt>, JwtError> {
    // Borrowed, not `load`ed: the getters need no copy of the "missing" error.
    match req.extensions().get::<RequestJwt>() {
        Some(RequestJwt::Verified(jwt)) => Ok(Some(jwt.clone())),
        Some(RequestJwt::Absent(_)) => Ok(None),
        None => Err(render(req, Failure::not_verified())),
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
