//! The validated, immutable configuration a manager runs with.

use std::sync::Arc;

use actix_web::http::header::HeaderName;
use jsonwebtoken::{Algorithm, crypto::CryptoProvider};
use serde_json::Value;

use super::{JwtManagerBuilder, TransportOptions};
use crate::ConfigError;
use crate::config::Callbacks;
use crate::error::ErrorResponses;
use crate::keys::{KeySet, ensure_crypto_provider};
use crate::model::algorithm::{alg_name, family_name, is_supported};
use crate::{Expiry, TokenLocation};

/// Everything a request needs, checked once: no per-request key parsing or
/// option validation.
pub(crate) struct Settings {
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: Vec<Algorithm>,
    pub(crate) keys: KeySet,
    pub(crate) access_expires: Expiry,
    pub(crate) refresh_expires: Expiry,
    pub(crate) identity_claim: Arc<str>,
    pub(crate) encode_nbf: bool,
    pub(crate) encode_audience: Option<Value>,
    pub(crate) encode_issuer: Option<String>,
    pub(crate) decode_audience: Option<Vec<String>>,
    pub(crate) decode_issuer: Option<String>,
    pub(crate) leeway_secs: i64,
    pub(crate) responses: Arc<ErrorResponses>,
    pub(crate) callbacks: Callbacks,
    pub(crate) clock: crate::model::clock::Clock,
    pub(crate) revocation: Option<crate::revocation::RevocationCheck>,
    pub(crate) header_name: HeaderName,
    pub(crate) header_name_display: String,
    /// flask's `Missing <name> Header`.
    pub(crate) missing_header_message: String,
    pub(crate) header_type: String,
    pub(crate) verify_sub: bool,
    pub(crate) csrf_protect: bool,
    pub(crate) token_locations: Vec<TokenLocation>,
    pub(crate) max_token_size: usize,
    pub(crate) transport: TransportOptions,
    pub(crate) provider: &'static CryptoProvider,
    /// The header segment of tokens minted without extra headers.
    /// Written by the first mint, the same for every token minted after.
    pub(crate) minted_header: std::sync::OnceLock<String>,
}

impl Settings {
    pub(crate) fn from_builder(b: JwtManagerBuilder) -> Result<Self, ConfigError> {
        let provider = ensure_crypto_provider()?;
        if !is_supported(&b.algorithm) {
            return Err(ConfigError::new(
                "JWT_ALGORITHM is not supported by jwt-ext",
            ));
        }
        let keys = b.keys.load(b.algorithm)?;
        let decode_algorithms = decode_algorithms(
            b.algorithm,
            b.decode_algorithms,
            b.callbacks.decode_key.is_some(),
        )?;
        check_expiry("JWT_ACCESS_TOKEN_EXPIRES", b.access_expires)?;
        check_expiry("JWT_REFRESH_TOKEN_EXPIRES", b.refresh_expires)?;
        if b.identity_claim.is_empty() {
            return Err(ConfigError::new("JWT_IDENTITY_CLAIM cannot be empty"));
        }
        if b.error_message_key.is_empty() {
            return Err(ConfigError::new("JWT_ERROR_MESSAGE_KEY cannot be empty"));
        }
        if b.header_name.is_empty() {
            return Err(ConfigError::new("JWT_HEADER_NAME cannot be empty"));
        }
        let header_name = HeaderName::from_bytes(b.header_name.as_bytes()).map_err(|_| {
            ConfigError::new(format!(
                "JWT_HEADER_NAME {:?} is not a valid HTTP header name",
                b.header_name
            ))
        })?;
        // The header parse splits on Python's whitespace (which includes the
        // separators 0x1C-0x1F) and on commas: a type holding one never matches.
        if b.header_type
            .chars()
            .any(|c| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c) || c == ',')
        {
            return Err(ConfigError::new(format!(
                "JWT_HEADER_TYPE {:?} cannot contain spaces, separators or commas",
                b.header_type
            )));
        }
        if b.leeway < chrono::TimeDelta::zero() {
            return Err(ConfigError::new("JWT_DECODE_LEEWAY cannot be negative"));
        }
        let token_locations = token_locations(b.token_locations)?;
        if b.max_token_size < 64 {
            return Err(ConfigError::new(
                "the maximum token size must be at least 64 bytes (a minimal JWT is longer)",
            ));
        }
        let mut transport = b.transport;
        transport.validate()?;
        let encode_audience = b.encode_audience.and_then(|aud| aud.claim());
        let encode_issuer = b.encode_issuer.filter(|iss| !iss.is_empty());
        Ok(Settings {
            algorithm: b.algorithm,
            decode_algorithms,
            keys,
            access_expires: b.access_expires,
            refresh_expires: b.refresh_expires,
            identity_claim: b.identity_claim.into(),
            encode_nbf: b.encode_nbf,
            encode_audience,
            encode_issuer,
            decode_audience: b.decode_audience.map(|aud| aud.values()),
            decode_issuer: b.decode_issuer,
            leeway_secs: b.leeway.num_seconds(),
            responses: Arc::new(ErrorResponses::with_loaders(
                &b.error_message_key,
                b.response_loaders,
            )),
            callbacks: b.callbacks,
            clock: b.clock,
            revocation: b.revocation.check(),
            missing_header_message: format!("Missing {} Header", b.header_name),
            header_name_display: b.header_name,
            header_name,
            header_type: b.header_type,
            verify_sub: b.verify_sub,
            csrf_protect: b.csrf_protect,
            token_locations,
            max_token_size: b.max_token_size,
            transport,
            provider,
            minted_header: std::sync::OnceLock::new(),
        })
    }
}

/// flask appends the signing algorithm to `JWT_DECODE_ALGORITHMS`; we do the
/// same without mutating the caller's list, and refuse a list that crosses
/// key families (RFC 8725 §3.1: one key, one family) unless a decode key
/// loader returns a key per token, whose family is checked against its `alg`.
fn decode_algorithms(
    signing: Algorithm,
    configured: Vec<Algorithm>,
    keys_per_token: bool,
) -> Result<Vec<Algorithm>, ConfigError> {
    let mut algorithms = Vec::with_capacity(configured.len() + 1);
    for alg in configured.into_iter().chain([signing]) {
        if alg.family() != signing.family() && !keys_per_token {
            return Err(ConfigError::new(format!(
                "JWT_DECODE_ALGORITHMS contains \"{}\", an {} algorithm, but the key is for \"{}\" ({}): \
                 one key must never verify two algorithm families",
                alg_name(alg),
                family_name(alg.family()),
                alg_name(signing),
                family_name(signing.family()),
            )));
        }
        if !is_supported(&alg) {
            return Err(ConfigError::new(
                "JWT_DECODE_ALGORITHMS contains an unsupported algorithm",
            ));
        }
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    Ok(algorithms)
}

fn check_expiry(option: &str, expiry: Expiry) -> Result<(), ConfigError> {
    match expiry {
        Expiry::In(delta) if delta <= chrono::TimeDelta::zero() => Err(ConfigError::new(format!(
            "{option} must be a positive duration; flask-jwt-extended reads 0 as \"never expires\", \
             use Expiry::Never to say that explicitly"
        ))),
        _ => Ok(()),
    }
}

fn token_locations(locations: Vec<TokenLocation>) -> Result<Vec<TokenLocation>, ConfigError> {
    if locations.is_empty() {
        return Err(ConfigError::new(
            "JWT_TOKEN_LOCATION must contain at least one of \"headers\", \"cookies\", \"query_string\", or \"json\"",
        ));
    }
    for (i, loc) in locations.iter().enumerate() {
        if locations[..i].contains(loc) {
            return Err(ConfigError::new(format!(
                "JWT_TOKEN_LOCATION lists \"{loc}\" twice"
            )));
        }
    }
    Ok(locations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JwtManager;

    fn err(builder: JwtManagerBuilder) -> String {
        match builder.build() {
            Ok(_) => panic!("configuration should be refused"),
            Err(e) => e.to_string(),
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn missing_secret_names_the_option() {
        let msg = err(JwtManager::builder());
        assert!(
            msg.contains(
                "JWT_SECRET_KEY or SECRET_KEY must be set when using symmetric algorithm \"HS256\""
            ),
            "{msg}"
        );
        assert!(err(JwtManager::builder().secret_key("")).contains("empty"));
    }

    #[test]
    fn asymmetric_without_public_key() {
        let msg = err(JwtManager::builder()
            .algorithm(Algorithm::RS256)
            .secret_key(SECRET));
        assert!(
            msg.contains(
                "JWT_PUBLIC_KEY must be set to use asymmetric cryptography algorithm \"RS256\""
            ),
            "{msg}"
        );
    }

    #[test]
    fn mixed_families_are_refused() {
        let msg = err(JwtManager::builder()
            .secret_key(SECRET)
            .decode_algorithms([Algorithm::RS256]));
        assert!(
            msg.contains("JWT_DECODE_ALGORITHMS contains \"RS256\""),
            "{msg}"
        );
    }

    #[test]
    fn decode_algorithms_gain_the_signing_one() {
        let jwt = JwtManager::builder()
            .secret_key(SECRET)
            .decode_algorithms([Algorithm::HS512])
            .build()
            .unwrap();
        assert_eq!(
            jwt.settings().decode_algorithms,
            vec![Algorithm::HS512, Algorithm::HS256]
        );
    }

    #[test]
    fn header_and_location_checks() {
        assert!(
            err(JwtManager::builder().secret_key(SECRET).header_name(""))
                .contains("JWT_HEADER_NAME cannot be empty")
        );
        assert!(
            err(JwtManager::builder()
                .secret_key(SECRET)
                .header_name("Bad Name"))
            .contains("not a valid HTTP header name")
        );
        assert!(
            err(JwtManager::builder().secret_key(SECRET).token_location([]))
                .contains("at least one")
        );
        assert!(
            err(JwtManager::builder()
                .secret_key(SECRET)
                .token_location([TokenLocation::Headers, TokenLocation::Headers]))
            .contains("twice")
        );
    }

    #[test]
    fn zero_expiry_must_be_explicit() {
        let msg = err(JwtManager::builder()
            .secret_key(SECRET)
            .access_token_expires(chrono::TimeDelta::zero()));
        assert!(msg.contains("Expiry::Never"), "{msg}");
        assert!(
            JwtManager::builder()
                .secret_key(SECRET)
                .access_token_expires(Expiry::Never)
                .build()
                .is_ok()
        );
    }
}
