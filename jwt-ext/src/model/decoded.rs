//! A verified token: header, claims (with flask's defaults) and where it was found.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::TokenLocation;

/// A token whose signature and claims were verified.
///
/// `claims()` is what flask-jwt-extended's `get_jwt()` returns: the payload
/// with `type` (`"access"`), `fresh` (`false`) and `jti` (`null`) added when
/// a third-party token lacks them.
#[derive(Clone)]
pub struct DecodedJwt {
    /// The header's JSON, checked whole when the token was decoded.
    pub(crate) header_json: Vec<u8>,
    /// The header, parsed from `header_json` the first time it is asked for.
    pub(crate) header: OnceLock<Map<String, Value>>,
    /// The payload's JSON, checked whole when the token was decoded.
    pub(crate) payload: Vec<u8>,
    /// The claims, parsed from `payload` the first time they are asked
    /// for: a route that reads only the identity never builds the map.
    pub(crate) claims: OnceLock<Map<String, Value>>,
    /// The flask defaults `claims` gets.
    pub(crate) defaults: ClaimDefaults,
    /// The identity claim's value, read when decoding.
    pub(crate) identity: Value,
    /// The `type` claim: `access` when absent, empty when not a string.
    pub(crate) token_type: Cow<'static, str>,
    /// The `exp` claim when it is an integer.
    pub(crate) expires_at: Option<i64>,
    /// The `jti` claim when it is a string.
    pub(crate) jti: Option<Box<str>>,
    /// The `fam` claim (a rotation family) when it is a string.
    pub(crate) family: Option<Box<str>>,
    pub(crate) identity_claim: Arc<str>,
    pub(crate) location: Option<TokenLocation>,
}

/// Which of flask's defaults a payload needs: the claims it lacks
/// (quirk 15).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClaimDefaults {
    pub(crate) token_type: bool,
    pub(crate) fresh: bool,
    pub(crate) jti: bool,
}

impl ClaimDefaults {
    /// `claims` with the defaults added, in flask's order.
    pub(crate) fn apply(self, claims: &mut Map<String, Value>) {
        if self.token_type {
            claims.insert("type".to_owned(), Value::String("access".to_owned()));
        }
        if self.fresh {
            claims.insert("fresh".to_owned(), Value::Bool(false));
        }
        if self.jti {
            claims.insert("jti".to_owned(), Value::Null);
        }
    }
}

/// The object a segment the decoder has already parsed whole holds.
pub(crate) fn parse_object(json: &[u8]) -> Map<String, Value> {
    // The decoder read these bytes with serde_json's grammar and found an
    // object, so parsing them again cannot fail.
    let parsed = serde_json::from_slice::<Map<String, Value>>(json);
    debug_assert!(parsed.is_ok(), "a decoded segment parses");
    parsed.unwrap_or_default()
}

/// The claims of a payload the decoder has already parsed whole, with
/// flask's defaults.
pub(crate) fn parse_claims(payload: &[u8], defaults: ClaimDefaults) -> Map<String, Value> {
    let mut claims = parse_object(payload);
    defaults.apply(&mut claims);
    claims
}

impl DecodedJwt {
    /// The JOSE header (`get_jwt_header()`).
    pub fn header(&self) -> &Map<String, Value> {
        self.header.get_or_init(|| parse_object(&self.header_json))
    }

    /// The claims with flask's defaults (`get_jwt()`).
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims
            .get_or_init(|| parse_claims(&self.payload, self.defaults))
    }

    /// The identity: the value of the configured identity claim (`sub` by
    /// default). Verification guarantees it is present.
    pub fn identity(&self) -> &Value {
        &self.identity
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
        &self.token_type
    }

    /// Whether this is a refresh token.
    pub fn is_refresh(&self) -> bool {
        self.token_type() == "refresh"
    }

    /// The `jti` claim, absent for third-party tokens without one.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// The `fam` claim, the refresh-token rotation family, when a string.
    pub(crate) fn family_claim(&self) -> Option<&str> {
        self.family.as_deref()
    }

    /// The `exp` claim in seconds since the epoch; `None` for tokens that never expire.
    pub fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }

    /// Where the token was found; `None` for tokens decoded with
    /// [`JwtManager::decode_token`](crate::JwtManager::decode_token).
    pub fn location(&self) -> Option<TokenLocation> {
        self.location
    }

    /// Takes the header and claims out.
    pub fn into_parts(mut self) -> (Map<String, Value>, Map<String, Value>) {
        let header = match self.header.take() {
            Some(header) => header,
            None => parse_object(&self.header_json),
        };
        let claims = match self.claims.take() {
            Some(claims) => claims,
            None => parse_claims(&self.payload, self.defaults),
        };
        (header, claims)
    }
}

impl PartialEq for DecodedJwt {
    fn eq(&self, other: &Self) -> bool {
        self.header() == other.header()
            && self.claims() == other.claims()
            && self.identity_claim == other.identity_claim
            && self.location == other.location
    }
}

// The same output as a derived `Debug` of header, claims, identity claim
// and location, whether or not the claims were parsed yet.
impl fmt::Debug for DecodedJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedJwt")
            .field("header", self.header())
            .field("claims", self.claims())
            .field("identity_claim", &self.identity_claim)
            .field("location", &self.location)
            .finish()
    }
}
