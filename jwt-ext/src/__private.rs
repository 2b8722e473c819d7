//! What `#[jwt_required]` expands to. Not public API: names may change in
//! any release.

use std::borrow::Cow;
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::request::future::VerifyFuture;
use crate::request::pipeline::{VerifyOptions, start};
use crate::{JwtError, TokenLocation, TokenType};

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
    /// `refresh` gives [`TokenType::Refresh`], otherwise [`TokenType::Access`].
    const TOKEN_TYPE: TokenType;
    /// `verify_type`.
    const VERIFY_TYPE: bool;
    /// `skip_revocation_check`.
    const SKIP_REVOCATION_CHECK: bool;
    /// `locations`; empty means the configured ones.
    const LOCATIONS: &'static [TokenLocation];
}

/// The options of route `O`, field by field by name: two flags of the same
/// type cannot trade places. Consts only, so nothing is computed per request.
const fn route_options<O: RouteOptions>() -> VerifyOptions {
    VerifyOptions {
        optional: O::OPTIONAL,
        fresh: O::FRESH,
        token_type: O::TOKEN_TYPE,
        locations: Cow::Borrowed(O::LOCATIONS),
        verify_type: O::VERIFY_TYPE,
        skip_revocation_check: O::SKIP_REVOCATION_CHECK,
    }
}

/// The hidden first parameter `#[jwt_required]` adds: running first, it
/// authenticates before the handler's own extractors.
pub struct Guard<O: RouteOptions>(PhantomData<O>);

impl<O: RouteOptions> FromRequest for Guard<O> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        start(req, payload, route_options::<O>(), |_| {
            Ok(Guard(PhantomData))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skips the revocation check but checks the type.
    struct SkipRevocation;
    impl RouteOptions for SkipRevocation {
        const OPTIONAL: bool = false;
        const FRESH: bool = false;
        const TOKEN_TYPE: TokenType = TokenType::Refresh;
        const VERIFY_TYPE: bool = true;
        const SKIP_REVOCATION_CHECK: bool = true;
        const LOCATIONS: &'static [TokenLocation] = &[TokenLocation::Cookies];
    }

    /// The mirror image: accepts any type but checks revocation.
    struct AnyType;
    impl RouteOptions for AnyType {
        const OPTIONAL: bool = true;
        const FRESH: bool = true;
        const TOKEN_TYPE: TokenType = TokenType::Access;
        const VERIFY_TYPE: bool = false;
        const SKIP_REVOCATION_CHECK: bool = false;
        const LOCATIONS: &'static [TokenLocation] = &[];
    }

    // Built at compile time, as the guard's options are: nothing per request.
    const _: () = {
        let options = route_options::<SkipRevocation>();
        assert!(options.verify_type && options.skip_revocation_check);
        std::mem::forget(options);
    };

    #[test]
    fn each_const_lands_in_the_option_of_its_name() {
        assert_eq!(
            route_options::<SkipRevocation>(),
            VerifyOptions::new()
                .token_type(TokenType::Refresh)
                .locations([TokenLocation::Cookies])
                .verify_type(true)
                .skip_revocation_check(true)
        );
        assert_eq!(
            route_options::<AnyType>(),
            VerifyOptions::new()
                .optional(true)
                .fresh(true)
                .refresh(false)
                .verify_type(false)
                .skip_revocation_check(false)
        );
        assert_ne!(
            route_options::<SkipRevocation>(),
            route_options::<AnyType>()
        );
    }
}
