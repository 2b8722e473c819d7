//! The options of a verification: `#[jwt_required(...)]`'s arguments and
//! [`verify_jwt_in_request`](crate::verify_jwt_in_request)'s.

use std::borrow::Cow;

use crate::{TokenLocation, TokenType};

/// The options of `#[jwt_required(...)]` and [`verify_jwt_in_request`](crate::verify_jwt_in_request),
/// with flask's defaults: a non-optional, non-fresh access token from the
/// configured locations, type checked, revocation checked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct VerifyOptions {
    pub(crate) optional: bool,
    pub(crate) fresh: bool,
    pub(crate) token_type: TokenType,
    pub(crate) locations: Cow<'static, [TokenLocation]>,
    pub(crate) verify_type: bool,
    pub(crate) skip_revocation_check: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            optional: false,
            fresh: false,
            token_type: TokenType::Access,
            locations: Cow::Borrowed(&[]),
            verify_type: true,
            skip_revocation_check: false,
        }
    }
}

impl VerifyOptions {
    /// flask's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A request without a token passes (getters then return nothing); an
    /// invalid, expired or badly sent token is still refused. Defaults to `false`.
    pub fn optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// Require a fresh access token. Defaults to `false`.
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// Require a refresh token instead of an access token. Defaults to `false`.
    /// The same as [`token_type`](Self::token_type) with
    /// [`TokenType::Refresh`] (`true`) or [`TokenType::Access`] (`false`).
    pub fn refresh(mut self, refresh: bool) -> Self {
        self.token_type = if refresh {
            TokenType::Refresh
        } else {
            TokenType::Access
        };
        self
    }

    /// The kind of token the route takes: its cookie, CSRF names and JSON
    /// key are read, and with [`verify_type`](Self::verify_type) its type is
    /// checked. Defaults to [`TokenType::Access`].
    pub fn token_type(mut self, token_type: TokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Look only in these locations, in this order. Defaults to the
    /// configured `JWT_TOKEN_LOCATION`.
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Cow::Owned(locations.into_iter().collect());
        self
    }

    /// Check that the token type (access or refresh) fits the route; `false`
    /// accepts both, e.g. for a logout route. Defaults to `true`.
    pub fn verify_type(mut self, verify: bool) -> Self {
        self.verify_type = verify;
        self
    }

    /// Skip the revocation (blocklist) check. Defaults to `false`.
    pub fn skip_revocation_check(mut self, skip: bool) -> Self {
        self.skip_revocation_check = skip;
        self
    }
}
