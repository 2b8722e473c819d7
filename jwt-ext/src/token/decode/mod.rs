//! Decoding and verifying a token: flask-jwt-extended's `decode_token`.

mod segments;
mod verify;

use serde_json::{Map, Value};

use crate::{DecodedJwt, Failure, JwtError, JwtManager, TokenLocation, TokenType};

pub(crate) use verify::decode;

/// Options of [`JwtManager::decode_token_with`](crate::JwtManager::decode_token_with).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct DecodeOptions {
    pub(crate) allow_expired: bool,
    pub(crate) csrf_value: Option<String>,
    /// The pipeline's checks after decoding; never set by `decode_token`,
    /// which, as flask's, checks neither type nor freshness.
    pub(crate) token_type: Option<TokenType>,
    pub(crate) fresh: bool,
    pub(crate) location: Option<TokenLocation>,
}

impl DecodeOptions {
    /// Accept an expired token (flask's `allow_expired=True`), e.g. to read
    /// the claims of a token a client is logging out with. Defaults to `false`.
    pub fn allow_expired(mut self, allow: bool) -> Self {
        self.allow_expired = allow;
        self
    }

    /// The CSRF value sent with the token (flask's `csrf_value`): the
    /// token's `csrf` claim must equal it (compared in constant time).
    /// Defaults to none (no check).
    pub fn csrf_value(mut self, value: impl Into<String>) -> Self {
        self.csrf_value = Some(value.into());
        self
    }
}

/// The JOSE header of `token` without verifying anything else (flask's
/// `get_unverified_jwt_headers`), e.g. to read `kid` before choosing a key.
/// The structure, `kid` and `crit` are checked as when decoding; the token's
/// size is capped at 8192 bytes.
///
/// **Never trust what it returns**: the signature is not checked.
///
/// ```
/// # let jwt = jwt_ext::JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").build().unwrap();
/// let token = jwt.access_token("a").headers(serde_json::json!({ "kid": "2026-11" })).encode()?;
/// let header = jwt_ext::get_unverified_jwt_headers(&token)?;
/// assert_eq!(header["kid"], "2026-11");
/// # Ok::<(), jwt_ext::JwtError>(())
/// ```
///
/// # Errors
/// The [`JwtError`] of a malformed token (422).
pub fn get_unverified_jwt_headers(token: &str) -> Result<Map<String, Value>, JwtError> {
    // The payload is parsed too, so a malformed one is refused as when decoding.
    let segments = segments::split(token, crate::config::DEFAULT_MAX_TOKEN_SIZE)
        .map_err(Failure::without_manager)?;
    segments.claims("sub").map_err(Failure::without_manager)?;
    Ok(crate::model::parse_object(&segments.header))
}

impl JwtManager {
    /// flask's `decode_token(token)`: verifies signature and claims, adds
    /// flask's defaults. It does not check the token type, freshness or
    /// revocation, as in flask.
    ///
    /// # Errors
    /// The [`JwtError`] flask would raise, carrying this manager's error key.
    pub fn decode_token(&self, token: &str) -> Result<DecodedJwt, JwtError> {
        self.decode_token_with(token, DecodeOptions::default())
    }

    /// [`decode_token`](Self::decode_token) with options, e.g. allowing
    /// expired tokens.
    ///
    /// # Errors
    /// See [`decode_token`](Self::decode_token).
    pub fn decode_token_with(
        &self,
        token: &str,
        options: DecodeOptions,
    ) -> Result<DecodedJwt, JwtError> {
        self.decode(token, &options).map_err(|e| self.render(e))
    }

    /// [`decode_token_with`](Self::decode_token_with) for the crate's own
    /// callers.
    pub(crate) fn decode(
        &self,
        token: &str,
        options: &DecodeOptions,
    ) -> Result<DecodedJwt, Failure> {
        decode(
            self.settings(),
            token,
            options,
            self.settings().clock.now_micros(),
        )
    }

    /// The `jti` of a verified token (flask's `get_jti`), `None` for
    /// third-party tokens without one; e.g. to revoke the token at logout.
    ///
    /// # Errors
    /// As [`decode_token`](Self::decode_token).
    pub fn get_jti(&self, token: &str) -> Result<Option<String>, JwtError> {
        Ok(self.decode_token(token)?.jti().map(str::to_owned))
    }
}
