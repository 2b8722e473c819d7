//! What `#[jwt_required]` expands to. Not public API: names may change in
//! any release.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::future::VerifyFuture;
use crate::verify::{VerifyOptions, start};
use crate::{JwtError, TokenLocation};

/// A route's `#[jwt_required(...)]` arguments, as associated consts of a
/// macro-generated zero-sized type: no per-request cost.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of `#[jwt_required]` options",
    note = "this trait is implemented by the `#[jwt_required]` attribute; do not implement it by hand"
)]
pub trait RouteOptions: 'static {
    /// `optional`.
    const OPTIONAL: bool;
    /// `fresh`.
    const FRESH: bool;
    /// `refresh`.
    const REFRESH: bool;
    /// `verify_type`.
    const VERIFY_TYPE: bool;
    /// `skip_revocation_check`.
    const SKIP_REVOCATION_CHECK: bool;
    /// `locations`; empty means the configured ones.
    const LOCATIONS: &'static [TokenLocation];
}

/// The hidden first parameter `#[jwt_required]` adds: running first, it
/// authenticates before the handler's own extractors.
pub struct Guard<O: RouteOptions>(PhantomData<O>);

impl<O: RouteOptions> FromRequest for Guard<O> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let options = VerifyOptions::from_static(
            O::OPTIONAL,
            O::FRESH,
            O::REFRESH,
            O::LOCATIONS,
            O::VERIFY_TYPE,
            O::SKIP_REVOCATION_CHECK,
        );
        start(req, payload, options, |_| Ok(Guard(PhantomData)))
    }
}
