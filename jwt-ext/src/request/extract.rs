//! Extractors: the verified token, an optional one, a typed identity and
//! typed claims.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::VerifyOptions;
use super::outcome::VerifyFuture;
use super::pipeline::start;
use crate::{Failure, Jwt, JwtError, JwtErrorKind};

pub(crate) fn required(jwt: Option<Jwt>) -> Result<Jwt, Failure> {
    // Not optional: verification returns a token or an error.
    jwt.ok_or_else(Failure::not_verified)
}

impl FromRequest for Jwt {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        VerifyFuture::earlier(req, false, required)
            .unwrap_or_else(|| start(req, payload, VerifyOptions::new(), required))
    }
}

/// The verified token if the request has one: flask's `optional=True`.
///
/// A request without a token gets `OptionalJwt(None)`; an invalid, expired
/// or badly sent token is still refused. (Actix's own `Option<Jwt>` would
/// turn every error into `None`, so use this instead.)
#[derive(Clone, Debug)]
pub struct OptionalJwt(pub Option<Jwt>);

impl FromRequest for OptionalJwt {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let finish = |jwt| Ok(OptionalJwt(jwt));
        VerifyFuture::earlier(req, true, finish)
            .unwrap_or_else(|| start(req, payload, VerifyOptions::new().optional(true), finish))
    }
}

/// The caller's identity deserialised as `T` (a `String`, a numeric id, …):
/// the way to get a plain identity.
///
/// [`get_jwt_identity`](crate::get_jwt_identity) returns the claim as a JSON
/// [`Value`](serde_json::Value), whose `Display` is JSON: `format!("hello
/// {identity}")` with it writes `hello "alice"`, quotes included.
/// `JwtIdentity<String>` gives `alice`. An identity that does not
/// deserialise as `T` is refused with 422 `Invalid identity claim: ...`.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_ext::JwtIdentity;
///
/// async fn hello(JwtIdentity(name): JwtIdentity<String>) -> HttpResponse {
///     HttpResponse::Ok().body(format!("hello {name}"))
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtIdentity<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JwtIdentity<T> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let finish = |jwt: Option<Jwt>| {
            let jwt = required(jwt)?;
            jwt.identity_as::<T>().map(JwtIdentity).map_err(|e| {
                Failure::new(
                    JwtErrorKind::InvalidToken,
                    format!("Invalid identity claim: {e}"),
                )
            })
        };
        VerifyFuture::earlier(req, false, finish)
            .unwrap_or_else(|| start(req, payload, VerifyOptions::new(), finish))
    }
}

/// The whole payload of the verified token deserialised as `T`: typed
/// claims, custom ones included.
///
/// Like the other extractors it verifies with flask's defaults, or reuses
/// the verification of `#[jwt_required]` or [`JwtRequired`](crate::JwtRequired).
/// A payload that does not deserialise as `T` (a claim missing or of
/// another type) means the token does not carry what the application
/// requires of it: the request is refused as flask refuses a token its
/// `token_verification_loader` rejects, 400 `User claims verification
/// failed` ([`ClaimsVerification`](crate::JwtErrorKind::ClaimsVerification),
/// answered by the
/// [`token_verification_failed_loader`](crate::JwtManagerBuilder::token_verification_failed_loader)
/// when one is configured, with the token's header and claims); never a
/// 500. The serde error, which may quote a claim, reaches neither the
/// client nor the log: the `DEBUG` refusal event names the type `T`.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_ext::Claims;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct MyClaims {
///     sub: String,
///     #[serde(default)]
///     roles: Vec<String>,
/// }
///
/// async fn me(Claims(claims): Claims<MyClaims>) -> HttpResponse {
///     HttpResponse::Ok().body(format!("{} has {} roles", claims.sub, claims.roles.len()))
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Claims<T> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let finish = |jwt: Option<Jwt>| {
            let jwt = required(jwt)?;
            T::deserialize(jwt.claims()).map(Claims).map_err(|_| {
                // The serde error may quote a claim's value: only its type goes to the log.
                let failure = Failure::new(
                    JwtErrorKind::ClaimsVerification,
                    "User claims verification failed",
                );
                tracing::debug!(
                    target: "jwt_ext::refusal",
                    kind = ?failure.kind(),
                    reason = failure.message(),
                    claims_type = std::any::type_name::<T>(),
                    "JWT refused"
                );
                failure.with_token(jwt.header().clone(), jwt.claims().clone())
            })
        };
        VerifyFuture::earlier(req, false, finish)
            .unwrap_or_else(|| start(req, payload, VerifyOptions::new(), finish))
    }
}
