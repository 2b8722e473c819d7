//! "Authenticated, but not allowed": the application's 403, rendered by the
//! request's manager like every refusal of jwt-ext.

use actix_web::{HttpMessage, HttpRequest};

use super::outcome::{RequestJwt, render};
use crate::{Failure, JwtError, JwtErrorKind};

impl JwtError {
    /// A 403 [`Forbidden`](JwtErrorKind::Forbidden) with `message`, for a
    /// handler or a guard that decides the caller, though authenticated, may
    /// not do this: `{"msg": message}` with the manager's
    /// [message key](crate::JwtManagerBuilder::error_message_key), or the
    /// [`forbidden_loader`](crate::JwtManagerBuilder::forbidden_loader)'s
    /// answer. The error carries the verified token's header and claims
    /// ([`jwt_claims`](JwtError::jwt_claims)) when the request has one.
    ///
    /// For the scopes and roles a route names, `#[jwt_required(scopes =
    /// [...], roles = [...])]` and [`JwtRequired`](crate::JwtRequired)
    /// answer 403 [`InsufficientScope`](JwtErrorKind::InsufficientScope)
    /// themselves, with RFC 6750's `insufficient_scope` challenge when
    /// [`bearer_realm`](crate::JwtManagerBuilder::bearer_realm) is set; this
    /// is for every other rule, written in the application, and carries no
    /// challenge (RFC 6750 defines none for it).
    ///
    /// ```
    /// use actix_web::{HttpRequest, HttpResponse};
    /// use jwt_ext::{Claims, JwtError, jwt_required};
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Roles {
    ///     #[serde(default)]
    ///     roles: Vec<String>,
    /// }
    ///
    /// #[jwt_required]
    /// async fn admin(req: HttpRequest, Claims(claims): Claims<Roles>) -> Result<HttpResponse, JwtError> {
    ///     if !claims.roles.iter().any(|role| role == "admin") {
    ///         return Err(JwtError::forbidden(&req, "Admins only"));
    ///     }
    ///     Ok(HttpResponse::Ok().finish())
    /// }
    /// ```
    pub fn forbidden(req: &HttpRequest, message: impl Into<String>) -> JwtError {
        let failure = Failure::new(JwtErrorKind::Forbidden, message.into());
        let failure = match req.extensions().get::<RequestJwt>() {
            Some(RequestJwt::Verified(jwt)) => {
                failure.with_token(jwt.header().clone(), jwt.claims().clone())
            }
            _ => failure,
        };
        render(req, failure)
    }
}
