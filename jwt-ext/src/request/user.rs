//! The user loaded by the `user_lookup_loader`: flask's `current_user`.

use std::any::type_name;
use std::ops::Deref;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::VerifyOptions;
use super::outcome::VerifyFuture;
use super::outcome::{self, RequestJwt};
use super::pipeline::start;
use crate::request::extract::required;
use crate::{Failure, Jwt, JwtError, JwtErrorKind};

/// The user the [`user_lookup_loader`](crate::JwtManagerBuilder::user_lookup_loader)
/// loaded for this request (flask's `current_user`), as an extractor.
///
/// Behind `#[jwt_required]` it is the user of that route's token; on its own
/// it verifies with flask's defaults first. A request without a token is
/// refused (401); see [`get_current_user`] for optional routes.
pub struct CurrentUser<U>(pub Rc<U>);

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.0
    }
}

impl<U> Clone for CurrentUser<U> {
    fn clone(&self) -> Self {
        CurrentUser(self.0.clone())
    }
}

impl<U: std::fmt::Debug> std::fmt::Debug for CurrentUser<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CurrentUser").field(&self.0).finish()
    }
}

impl<U: 'static> FromRequest for CurrentUser<U> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let finish = |jwt: Option<Jwt>| user_of::<U>(&required(jwt)?).map(CurrentUser);
        VerifyFuture::earlier(req, false, finish)
            .unwrap_or_else(|| start(req, payload, VerifyOptions::new(), finish))
    }
}

/// The loaded user of the request (flask's `get_current_user()`): `None` on
/// an optional route without a token.
///
/// # Errors
/// [`NotVerified`](JwtErrorKind::NotVerified) when no verification ran, and
/// [`Misconfigured`](JwtErrorKind::Misconfigured) when no
/// `user_lookup_loader` is configured or it returns another type than `U`.
pub fn get_current_user<U: 'static>(req: &HttpRequest) -> Result<Option<Rc<U>>, JwtError> {
    let user = match RequestJwt::load(req) {
        None => Err(Failure::not_verified()),
        Some(RequestJwt::Absent(_)) => Ok(None),
        Some(RequestJwt::Verified(jwt)) => user_of::<U>(&jwt).map(Some),
    };
    user.map_err(|e| outcome::render(req, e))
}

fn user_of<U: 'static>(jwt: &Jwt) -> Result<Rc<U>, Failure> {
    let user = jwt.user.clone().ok_or_else(|| {
        Failure::new(
            JwtErrorKind::Misconfigured,
            "You must provide a `user_lookup_loader` callback to use this method",
        )
    })?;
    user.downcast::<U>().map_err(|_| {
        Failure::new(
            JwtErrorKind::Misconfigured,
            format!(
                "the user_lookup_loader returns another type than {}",
                type_name::<U>()
            ),
        )
    })
}
