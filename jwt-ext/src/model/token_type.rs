//! The kind of a token: what its `type` claim says and which cookies,
//! JSON key and lifetime it uses.

/// The kind of a token, as written in its `type` claim.
///
/// Used by minting, cookies, token lookup and [`VerifyOptions`](crate::VerifyOptions).
/// The enum is `#[non_exhaustive]`: custom token types may be added in a
/// later release, so a `match` on it needs a wildcard arm.
///
/// ```
/// use jwt_ext::TokenType;
///
/// assert_eq!(TokenType::Refresh.as_str(), "refresh");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// An access token, the kind routes accept by default. The default.
    #[default]
    Access,
    /// A refresh token, accepted only by refresh routes.
    Refresh,
}

impl TokenType {
    /// The `type` claim value: `"access"` or `"refresh"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
        }
    }
}

impl std::fmt::Display for TokenType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TokenType;

    #[test]
    fn as_str_is_the_type_claim_value() {
        assert_eq!(TokenType::Access.as_str(), "access");
        assert_eq!(TokenType::Refresh.as_str(), "refresh");
        assert_eq!(TokenType::Refresh.to_string(), "refresh");
        assert_eq!(TokenType::default(), TokenType::Access);
    }
}
