//! The options of a verification: `#[jwt_required(...)]`'s arguments and
//! [`verify_jwt_in_request`](crate::verify_jwt_in_request)'s.

use std::borrow::Cow;
use std::sync::Arc;

use crate::{TokenLocation, TokenType};

/// A list of names (scopes or roles): the route's consts, or a list given
/// at run time.
#[derive(Clone, Debug)]
pub(crate) enum Names {
    Static(&'static [&'static str]),
    Owned(Arc<[String]>),
}

impl Names {
    pub(crate) const NONE: Names = Names::Static(&[]);

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Names::Static(names) => names.is_empty(),
            Names::Owned(names) => names.is_empty(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        let (borrowed, owned) = match self {
            Names::Static(names) => (Some(names.iter().copied()), None),
            Names::Owned(names) => (None, Some(names.iter().map(String::as_str))),
        };
        borrowed
            .into_iter()
            .flatten()
            .chain(owned.into_iter().flatten())
    }

    fn collect(names: impl IntoIterator<Item = impl Into<String>>) -> Names {
        let mut list: Vec<String> = Vec::new();
        for name in names {
            let name = name.into();
            if !list.contains(&name) {
                list.push(name);
            }
        }
        Names::Owned(list.into())
    }
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Names {}

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
    pub(crate) scopes: Names,
    pub(crate) roles: Names,
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
            scopes: Names::NONE,
            roles: Names::NONE,
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

    /// Require every one of these scopes (an extension to flask, as
    /// `#[jwt_required(scopes = [...])]`): the token's `scope` claim, a
    /// space-separated string or an array of strings, or else its `scp`
    /// claim in either form, must grant each (RFC 8693 §4.2, RFC 9068
    /// §2.2.3). Otherwise the request is answered 403
    /// [`InsufficientScope`](crate::JwtErrorKind::InsufficientScope), after
    /// the revocation check and the loaders. Scopes are RFC 6749 §3.3
    /// scope-tokens: printable ASCII without spaces, `"` or `\`. Defaults to
    /// none.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = Names::collect(scopes);
        self
    }

    /// Require every one of these roles (an extension to flask, as
    /// `#[jwt_required(roles = [...])]`) in the claim named by
    /// [`roles_claim`](crate::JwtManagerBuilder::roles_claim): an array of
    /// strings, or one string naming one role. Otherwise the request is
    /// answered 403 [`InsufficientScope`](crate::JwtErrorKind::InsufficientScope).
    /// Defaults to none.
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.roles = Names::collect(roles);
        self
    }
}
