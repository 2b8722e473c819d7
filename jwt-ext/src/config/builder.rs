//! The builder of [`JwtManager`](crate::JwtManager): one setter per
//! flask-jwt-extended option, each defaulting to flask's value.

use chrono::TimeDelta;
use jsonwebtoken::Algorithm;

use super::Audience;
use super::transport::TransportOptions;
use crate::ConfigError;
use crate::config::Callbacks;
use crate::error::ResponseLoaders;
use crate::keys::KeyMaterial;
use crate::{Expiry, JwtManager, TokenLocation};

/// The default of [`JwtManagerBuilder::max_token_size`](crate::JwtManagerBuilder::max_token_size).
pub(crate) const DEFAULT_MAX_TOKEN_SIZE: usize = 8192;

/// Builds a [`JwtManager`]. Every setter names the flask-jwt-extended option
/// it mirrors and ends with its default.
///
/// ```
/// use jwt_ext::{Algorithm, Expiry, JwtManager};
/// use chrono::TimeDelta;
///
/// let jwt = JwtManager::builder()
///     .secret_key("a long random secret from your vault, 32 bytes or more")
///     .algorithm(Algorithm::HS256)
///     .access_token_expires(TimeDelta::minutes(5))
///     .refresh_token_expires(Expiry::Never)
///     .build()?;
/// # Ok::<(), jwt_ext::ConfigError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct JwtManagerBuilder {
    pub(crate) keys: KeyMaterial,
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: Vec<Algorithm>,
    pub(crate) access_expires: Expiry,
    pub(crate) refresh_expires: Expiry,
    pub(crate) identity_claim: String,
    pub(crate) encode_nbf: bool,
    pub(crate) encode_audience: Option<Audience>,
    pub(crate) encode_issuer: Option<String>,
    pub(crate) decode_audience: Option<Audience>,
    pub(crate) decode_issuer: Option<String>,
    pub(crate) leeway: TimeDelta,
    pub(crate) error_message_key: String,
    pub(crate) header_name: String,
    pub(crate) header_type: String,
    pub(crate) verify_sub: bool,
    pub(crate) csrf_protect: bool,
    pub(crate) token_locations: Vec<TokenLocation>,
    pub(crate) max_token_size: usize,
    pub(crate) transport: TransportOptions,
    pub(crate) callbacks: Callbacks,
    pub(crate) response_loaders: ResponseLoaders,
    pub(crate) clock: crate::model::clock::Clock,
    pub(crate) revocation: crate::config::RevocationOptions,
}

impl Default for JwtManagerBuilder {
    fn default() -> Self {
        JwtManagerBuilder {
            keys: KeyMaterial::default(),
            algorithm: Algorithm::HS256,
            decode_algorithms: Vec::new(),
            access_expires: Expiry::DEFAULT_ACCESS,
            refresh_expires: Expiry::DEFAULT_REFRESH,
            identity_claim: "sub".to_owned(),
            encode_nbf: true,
            encode_audience: None,
            encode_issuer: None,
            decode_audience: None,
            decode_issuer: None,
            leeway: TimeDelta::zero(),
            error_message_key: "msg".to_owned(),
            header_name: "Authorization".to_owned(),
            header_type: "Bearer".to_owned(),
            verify_sub: true,
            csrf_protect: true,
            token_locations: vec![TokenLocation::Headers],
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            transport: TransportOptions::default(),
            callbacks: Callbacks::default(),
            response_loaders: ResponseLoaders::default(),
            clock: crate::model::clock::Clock::default(),
            revocation: crate::config::RevocationOptions::default(),
        }
    }
}

impl JwtManagerBuilder {
    /// A builder with flask-jwt-extended's defaults and no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// The HMAC secret (`JWT_SECRET_KEY`). Required for HS256/384/512; should
    /// be random and at least as long as the hash (32 bytes for HS256).
    /// Defaults to none.
    pub fn secret_key(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.keys.secret = Some(secret.as_ref().to_vec());
        self
    }

    /// The PEM private key for RS*/PS*/ES*/EdDSA (`JWT_PRIVATE_KEY`). Without
    /// it the manager verifies but cannot mint. Defaults to none.
    pub fn private_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.keys.private_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// The PEM public key for RS*/PS*/ES*/EdDSA (`JWT_PUBLIC_KEY`). Required
    /// for those algorithms. Defaults to none.
    pub fn public_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.keys.public_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// The signing algorithm (`JWT_ALGORITHM`). Defaults to `HS256`.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The algorithms accepted when verifying (`JWT_DECODE_ALGORITHMS`); the
    /// signing algorithm is always added. All must belong to the family of
    /// the configured key. Defaults to the signing algorithm alone.
    pub fn decode_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.decode_algorithms = algorithms.into_iter().collect();
        self
    }

    /// Lifetime of access tokens (`JWT_ACCESS_TOKEN_EXPIRES`): a duration or
    /// [`Expiry::Never`]. A zero or negative duration is refused at build:
    /// flask reads zero as "never", say so explicitly. Defaults to 15 minutes.
    pub fn access_token_expires(mut self, expires: impl Into<Expiry>) -> Self {
        self.access_expires = expires.into();
        self
    }

    /// Lifetime of refresh tokens (`JWT_REFRESH_TOKEN_EXPIRES`); see
    /// [`access_token_expires`](Self::access_token_expires). Defaults to 30 days.
    pub fn refresh_token_expires(mut self, expires: impl Into<Expiry>) -> Self {
        self.refresh_expires = expires.into();
        self
    }

    /// The claim holding the identity (`JWT_IDENTITY_CLAIM`). Defaults to `"sub"`.
    pub fn identity_claim(mut self, claim: impl Into<String>) -> Self {
        self.identity_claim = claim.into();
        self
    }

    /// Whether minted tokens carry `nbf = iat` (`JWT_ENCODE_NBF`). Defaults to `true`.
    pub fn encode_nbf(mut self, encode: bool) -> Self {
        self.encode_nbf = encode;
        self
    }

    /// The `aud` claim of minted tokens (`JWT_ENCODE_AUDIENCE`). Defaults to none.
    pub fn encode_audience(mut self, audience: impl Into<Audience>) -> Self {
        self.encode_audience = Some(audience.into());
        self
    }

    /// The `iss` claim of minted tokens (`JWT_ENCODE_ISSUER`). Defaults to none.
    pub fn encode_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.encode_issuer = Some(issuer.into());
        self
    }

    /// The audiences a token must name (`JWT_DECODE_AUDIENCE`); when unset,
    /// `aud` is not checked at all, as in flask. Defaults to none.
    pub fn decode_audience(mut self, audience: impl Into<Audience>) -> Self {
        self.decode_audience = Some(audience.into());
        self
    }

    /// The issuer a token must name exactly (`JWT_DECODE_ISSUER`). Defaults to none.
    pub fn decode_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.decode_issuer = Some(issuer.into());
        self
    }

    /// Clock leeway for `exp`, `nbf` and `iat` (`JWT_DECODE_LEEWAY`).
    /// Defaults to zero (jsonwebtoken's own default of 60 s is not used).
    pub fn decode_leeway(mut self, leeway: TimeDelta) -> Self {
        self.leeway = leeway;
        self
    }

    /// The JSON key of error bodies (`JWT_ERROR_MESSAGE_KEY`). Defaults to `"msg"`.
    pub fn error_message_key(mut self, key: impl Into<String>) -> Self {
        self.error_message_key = key.into();
        self
    }

    /// The request header holding the token (`JWT_HEADER_NAME`). Defaults to
    /// `"Authorization"`.
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The scheme before the token (`JWT_HEADER_TYPE`); empty means the
    /// header holds the bare token. Defaults to `"Bearer"`.
    pub fn header_type(mut self, header_type: impl Into<String>) -> Self {
        self.header_type = header_type.into();
        self
    }

    /// Whether a present `sub` claim must be a string (`JWT_VERIFY_SUB`);
    /// turn off to accept legacy tokens with integer subjects. Defaults to `true`.
    pub fn verify_sub(mut self, verify: bool) -> Self {
        self.verify_sub = verify;
        self
    }

    /// Whether minted tokens carry a `csrf` claim (`JWT_COOKIE_CSRF_PROTECT`).
    /// As in flask, this applies to every token, whatever the locations.
    /// Defaults to `true`.
    pub fn cookie_csrf_protect(mut self, protect: bool) -> Self {
        self.csrf_protect = protect;
        self
    }

    /// Where to look for tokens, in order (`JWT_TOKEN_LOCATION`). Defaults to
    /// headers only.
    pub fn token_location(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.token_locations = locations.into_iter().collect();
        self
    }

    /// The largest token accepted, in bytes; larger ones are refused before
    /// any base64 or JSON work (an addition to flask). Defaults to 8192.
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Reads the time from `now` instead of the system clock: for tests of
    /// expiry boundaries and for replaying recorded traffic. Defaults to the
    /// system clock.
    ///
    /// ```
    /// use chrono::{DateTime, TimeDelta};
    /// use jwt_ext::{JwtErrorKind, JwtManager};
    ///
    /// let at = |secs| move || DateTime::from_timestamp(secs, 0).unwrap();
    /// let minted_at = JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").clock(at(1_000_000)).build()?;
    /// let token = minted_at.access_token("a").expires(TimeDelta::seconds(60)).encode().unwrap();
    /// let an_hour_later = JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").clock(at(1_003_600)).build()?;
    /// assert_eq!(an_hour_later.decode_token(&token).unwrap_err().kind(), JwtErrorKind::Expired);
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn clock(
        mut self,
        now: impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static,
    ) -> Self {
        self.clock = crate::model::clock::Clock::injected(now);
        self
    }

    /// Checks the configuration, parses the keys once and returns the manager.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the option to fix: no key for the algorithm,
    /// keys that are not a pair, decode algorithms of another family than the
    /// key, an empty header name, no token location, a zero expiry, …
    pub fn build(self) -> Result<JwtManager, ConfigError> {
        let settings = super::Settings::from_builder(self)?;
        Ok(JwtManager::from_settings(settings))
    }
}
