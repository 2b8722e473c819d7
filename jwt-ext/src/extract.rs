//! Extractors: the verified token, an optional one, and a typed identity.

use std::future::{Ready, ready};
use std::ops::Deref;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::state::RequestJwt;
use crate::verify::{VerifyOptions, run};
use crate::{DecodedJwt, JwtError, JwtErrorKind, JwtManager};

/// The verified token of the request, as an extractor.
///
/// Behind `#[jwt_required(...)]` it is the token that route verified; on its
/// own it verifies with flask's defaults (an access token from the
/// configured locations) and refuses the request without one.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_ext::Jwt;
///
/// async fn whoami(jwt: Jwt) -> HttpResponse {
///     HttpResponse::Ok().json(serde_json::json!({ "id": jwt.identity(), "jti": jwt.jti() }))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Jwt(pub(crate) Rc<DecodedJwt>);

impl Deref for Jwt {
    type Target = DecodedJwt;

    fn deref(&self) -> &DecodedJwt {
        &self.0
    }
}

impl FromRequest for Jwt {
    type Error = JwtError;
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match RequestJwt::load(req) {
            Some(RequestJwt::Verified(jwt)) => Ok(Jwt(jwt)),
            Some(RequestJwt::Absent(missing)) => Err(missing),
            // Not optional: `run` returns a token or an error.
            None => run(req, &VerifyOptions::new())
                .and_then(|jwt| jwt.ok_or_else(JwtError::not_verified)),
        })
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
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match RequestJwt::load(req) {
            Some(RequestJwt::Verified(jwt)) => Ok(OptionalJwt(Some(Jwt(jwt)))),
            Some(RequestJwt::Absent(_)) => Ok(OptionalJwt(None)),
            None => run(req, &VerifyOptions::new().optional(true)).map(OptionalJwt),
        })
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

impl<T: DeserializeOwned> FromRequest for JwtIdentity<T> {
    type Error = JwtError;
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let jwt = match Jwt::from_request(req, payload).into_inner() {
            Ok(jwt) => jwt,
            Err(err) => return ready(Err(err)),
        };
        ready(jwt.identity_as::<T>().map(JwtIdentity).map_err(|e| {
            let err = JwtError::new(
                JwtErrorKind::InvalidToken,
                format!("Invalid identity claim: {e}"),
            );
            match JwtManager::from_app(req) {
                Ok(manager) => manager.own(err),
                Err(_) => err,
            }
        }))
    }
}
