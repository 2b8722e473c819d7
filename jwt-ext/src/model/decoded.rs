//! A verified token: header, claims (with flask's defaults) and where it was found.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::TokenLocation;

/// A token whose signature and claims were verified.
///
/// `claims()` is what flask-jwt-extended's `get_jwt()` returns: the payload
/// with `type` (`"access"`), `fresh` (`false`) and `jti` (`null`) added when
/// a third-party token lacks them.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) identity_claim: Arc<str>,
    pub(crate) location: Option<TokenLocation>,
}

impl DecodedJwt {
    /// The JOSE header (`get_jwt_header()`).
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The claims with flask's defaults (`get_jwt()`).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The identity: the value of the configured identity claim (`sub` by
    /// default). Verification guarantees it is present.
    pub fn identity(&self) -> &Value {
        self.claims
            .get(&*self.identity_claim)
            .unwrap_or(&Value::Null)
    }

    /// The identity deserialised as `T`, e.g. `String` or a user id type.
    ///
    /// # Errors
    /// The serde error when the claim does not have the shape of `T`.
    pub fn identity_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self.identity())
    }

    /// The `type` claim: `"access"`, `"refresh"`, or a custom value.
    pub fn token_type(&self) -> &str {
        self.claims
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Whether this is a refresh token.
    pub fn is_refresh(&self) -> bool {
        self.token_type() == "refresh"
    }

    /// The `jti` claim, absent for third-party tokens without one.
    pub fn jti(&self) -> Option<&str> {
        self.claims.get("jti").and_then(Value::as_str)
    }

    /// The `exp` claim in seconds since the epoch; `None` for tokens that never expire.
    pub fn expires_at(&self) -> Option<i64> {
        self.claims.get("exp").and_then(Value::as_i64)
    }

    /// Where the token was found; `None` for tokens decoded with
    /// [`JwtManager::decode_token`](crate::JwtManager::decode_token).
    pub fn location(&self) -> Option<TokenLocation> {
        self.location
    }

    /// Takes the header and claims out.
    pub fn into_parts(self) -> (Map<String, Value>, Map<String, Value>) {
        (self.header, self.claims)
    }
}
