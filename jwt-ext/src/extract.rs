//! Extractors: the verified token, an optional one, and a typed identity.

use std::any::Any;
use std::ops::Deref;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::future::VerifyFuture;
use crate::verify::{VerifyOptions, start};
use crate::{DecodedJwt, Failure, JwtError, JwtErrorKind};

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
#[derive(Clone)]
pub struct Jwt {
    token: Rc<DecodedJwt>,
    /// What the `user_lookup_loader` returned, if one is configured.
    pub(crate) user: Option<Rc<dyn Any>>,
    /// Whether the pipeline checked this token's revocation (a store or a
    /// blocklist loader is configured and the route did not skip it).
    pub(crate) revocation_checked: bool,
}

impl Jwt {
    pub(crate) fn new(token: Rc<DecodedJwt>, user: Option<Rc<dyn Any>>) -> Self {
        Jwt {
            token,
            user,
            revocation_checked: false,
        }
    }

    /// The verified token.
    pub fn decoded(&self) -> &DecodedJwt {
        &self.token
    }
}

impl Deref for Jwt {
    type Target = DecodedJwt;

    fn deref(&self) -> &DecodedJwt {
        &self.token
    }
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("token", &self.token)
            .field("user_loaded", &self.user.is_some())
            .finish()
    }
}

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
