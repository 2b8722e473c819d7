//! flask's `verify_jwt_in_request`, for custom guards and extractors.

use actix_web::HttpRequest;
use actix_web::dev::Payload;

use super::VerifyOptions;
use super::locations::body::Body;
use super::outcome::VerifyFuture;
use super::pipeline::{run, start};
use crate::{Jwt, JwtError, JwtManager};

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
