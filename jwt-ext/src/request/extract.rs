//! Extractors: the verified token, an optional one, and a typed identity.

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

/// The caller's identity deserialised as `T` (a `String`, a numeric id, …).
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
