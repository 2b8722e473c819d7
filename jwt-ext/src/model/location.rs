//! Where a token can be found in a request.

use std::fmt;

use serde::Serialize;

/// A place in the request where jwt-ext looks for a token.
///
/// The names are flask-jwt-extended's (`JWT_TOKEN_LOCATION`), so that
/// `get_jwt_request_location` answers the same strings in both stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenLocation {
    /// The `Authorization` header (or the configured header name and type).
    Headers,
    /// The access or refresh cookie, with the CSRF double-submit check on
    /// state-changing methods.
    Cookies,
    /// A query-string parameter (`?jwt=...`).
    QueryString,
    /// A key of a JSON request body (`{"access_token": "..."}`).
    Json,
}

impl TokenLocation {
    /// Every location, in flask's documentation order.
    pub const ALL: &'static [TokenLocation] = &[
        TokenLocation::Headers,
        TokenLocation::Cookies,
        TokenLocation::QueryString,
        TokenLocation::Json,
    ];

    /// The flask-jwt-extended name of the location: `"headers"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenLocation::Headers => "headers",
            TokenLocation::Cookies => "cookies",
            TokenLocation::QueryString => "query_string",
            TokenLocation::Json => "json",
        }
    }

    /// Parses a flask-jwt-extended location name.
    ///
    /// Returns `None` for other names (matching is exact, as in flask).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|loc| loc.as_str() == name)
    }
}

impl fmt::Display for TokenLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for loc in TokenLocation::ALL {
            assert_eq!(TokenLocation::from_name(loc.as_str()), Some(*loc));
        }
        assert_eq!(TokenLocation::from_name("Headers"), None);
        assert_eq!(TokenLocation::from_name("query-string"), None);
    }

    #[test]
    fn serializes_as_flask_name() {
        let json = serde_json::to_string(&TokenLocation::QueryString).unwrap();
        assert_eq!(json, "\"query_string\"");
    }
}
