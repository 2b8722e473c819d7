//! The validated, immutable configuration a manager runs with.

use std::sync::Arc;

use actix_web::http::header::HeaderName;
use jsonwebtoken::{Algorithm, crypto::CryptoProvider};
use serde_json::Value;

use super::options::Options;
use super::transport::TransportNames;
use super::{Audience, JwtManagerBuilder};
use crate::ConfigError;
use crate::config::Callbacks;
use crate::error::ErrorResponses;
use crate::keys::{KeySet, ensure_crypto_provider};
use crate::model::algorithm::{alg_name, family_name, is_supported};
use crate::revocation::RevocationCheck;
use crate::{Expiry, TokenLocation};

/// Everything a request needs, checked once: no per-request key parsing or
/// option validation.
///
/// The options are read through `Deref` (`settings.verify_sub`). A field
/// here named as an option holds its prepared form and wins over the raw
/// option of that name: `identity_claim` (shared), `encode_audience` (the
/// claim value), `decode_audience` (the list), `header_name` (parsed);
/// the raw values stay at `settings.options`. Where the prepared form has
/// the option's type it replaces the option in place instead:
/// `decode_algorithms` (with the signing one), `encode_issuer` (none when
/// empty), `cookie_domain` (without a leading dot).
pub(crate) struct Settings {
    pub(crate) options: Options,
    pub(crate) keys: KeySet,
    /// Whether `keys` were configured: a manager that only trusts other
    /// issuers holds a throwaway key that nothing verifies with.
    pub(crate) own_keys: bool,
    /// The issuers trusted besides the manager itself.
    pub(crate) issuers: Vec<super::Issuer>,
    pub(crate) identity_claim: Arc<str>,
    pub(crate) encode_audience: Option<Value>,
    pub(crate) decode_audience: Option<Vec<String>>,
    pub(crate) leeway_secs: i64,
    pub(crate) responses: Arc<ErrorResponses>,
    pub(crate) callbacks: Callbacks,
    pub(crate) clock: crate::model::clock::Clock,
    pub(crate) revocation: Option<RevocationCheck>,
    pub(crate) header_name: HeaderName,
    /// flask's `Missing <name> Header`.
    pub(crate) missing_header_message: String,
    pub(crate) transport: TransportNames,
    /// `roles_claim`'s JSON Pointer, split and unescaped.
    pub(crate) roles_pointer: Box<[String]>,
    pub(crate) provider: &'static CryptoProvider,
    /// The header segment of tokens minted without extra headers.
    /// Written by the first mint, the same for every token minted after.
    pub(crate) minted_header: std::sync::OnceLock<String>,
}

impl std::ops::Deref for Settings {
    type Target = Options;

    fn deref(&self) -> &Options {
        &self.options
    }
}

impl Settings {
    pub(crate) fn from_builder(b: JwtManagerBuilder) -> Result<Self, ConfigError> {
        let provider = ensure_crypto_provider()?;
        let mut o = b.options;
        if !is_supported(&o.algorithm) {
            return Err(ConfigError::new(
                "JWT_ALGORITHM is not supported by jwt-ext",
            ));
        }
        // A manager that trusts other issuers needs no key of its own.
        let own_keys = !b.keys.is_empty() || b.issuers.is_empty();
        let keys = if own_keys {
            b.keys.load(o.algorithm)?
        } else {
            KeySet::unusable()?
        };
        let issuers = super::issuers::prepare(b.issuers)?;
        o.decode_algorithms = decode_algorithms(
            o.algorithm,
            std::mem::take(&mut o.decode_algorithms),
            b.callbacks.decode_key.is_some(),
        )?;
        check_expiry("JWT_ACCESS_TOKEN_EXPIRES", o.access_expires)?;
        check_expiry("JWT_REFRESH_TOKEN_EXPIRES", o.refresh_expires)?;
        if o.identity_claim.is_empty() {
            return Err(ConfigError::new("JWT_IDENTITY_CLAIM cannot be empty"));
        }
        if o.error_message_key.is_empty() {
            return Err(ConfigError::new("JWT_ERROR_MESSAGE_KEY cannot be empty"));
        }
        if o.header_name.is_empty() {
            return Err(ConfigError::new("JWT_HEADER_NAME cannot be empty"));
        }
        let header_name = HeaderName::from_bytes(o.header_name.as_bytes()).map_err(|_| {
            ConfigError::new(format!(
                "JWT_HEADER_NAME {:?} is not a valid HTTP header name",
                o.header_name
            ))
        })?;
        // The header parse splits on Python's whitespace (which includes the
        // separators 0x1C-0x1F) and on commas: a type holding one never
        // matches (quirk 3).
        if o.header_type
            .chars()
            .any(|c| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c) || c == ',')
        {
            return Err(ConfigError::new(format!(
                "JWT_HEADER_TYPE {:?} cannot contain spaces, separators or commas",
                o.header_type
            )));
        }
        if o.leeway < chrono::TimeDelta::zero() {
            return Err(ConfigError::new("JWT_DECODE_LEEWAY cannot be negative"));
        }
        check_token_locations(&o.token_locations)?;
        if o.max_token_size < 64 {
            return Err(ConfigError::new(
                "the maximum token size must be at least 64 bytes (a minimal JWT is longer)",
            ));
        }
        let transport = TransportNames::validate(&mut o)?;
        let roles_pointer = json_pointer(&o.roles_claim)?;
        if let Some(realm) = &o.bearer_realm
            && !realm.chars().all(|c| matches!(c, ' '..='~'))
        {
            return Err(ConfigError::new(
                "JWT_BEARER_REALM must be printable ASCII (no control characters, CR or LF)",
            ));
        }
        o.encode_issuer = o.encode_issuer.filter(|iss| !iss.is_empty());
        let revocation = b.revocation_store.map(|store| RevocationCheck {
            store,
            timeout: o.revocation_timeout,
            fail_open: o.revocation_fail_open,
            reuse_interval: o.refresh_reuse_interval,
            logout_everywhere: b.logout_everywhere,
        });
        Ok(Settings {
            keys,
            own_keys,
            issuers,
            identity_claim: o.identity_claim.as_str().into(),
            encode_audience: o.encode_audience.as_ref().and_then(Audience::claim),
            decode_audience: o.decode_audience.as_ref().map(Audience::values),
            leeway_secs: o.leeway.num_seconds(),
            responses: Arc::new(
                ErrorResponses::with_loaders(&o.error_message_key, b.response_loaders)
                    .with_bearer_realm(o.bearer_realm.as_deref()),
            ),
            callbacks: b.callbacks,
            clock: b.clock,
            revocation,
            missing_header_message: format!("Missing {} Header", o.header_name),
            header_name,
            transport,
            roles_pointer,
            provider,
            minted_header: std::sync::OnceLock::new(),
            options: o,
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

/// RFC 6901: `/a/b` names key `b` of object `a`; `~1` is `/` and `~0` is
/// `~` inside a key. The whole document (`""`) is no claim.
fn json_pointer(pointer: &str) -> Result<Box<[String]>, ConfigError> {
    let invalid = || {
        ConfigError::new(format!(
            "JWT_ROLES_CLAIM {pointer:?} is not a JSON Pointer to a claim: \
             write `/roles` or `/realm_access/roles` (RFC 6901, `~1` for `/` and `~0` for `~` in a key)"
        ))
    };
    let Some(path) = pointer.strip_prefix('/') else {
        return Err(invalid());
    };
    path.split('/')
        .map(|segment| {
            let mut key = String::with_capacity(segment.len());
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                key.push(match c {
                    '~' => match chars.next() {
                        Some('0') => '~',
                        Some('1') => '/',
                        _ => return Err(invalid()),
                    },
                    _ => c,
                });
            }
            Ok(key)
        })
        .collect()
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

fn check_token_locations(locations: &[TokenLocation]) -> Result<(), ConfigError> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JwtManager;

    #[test]
    fn roles_claim_is_an_rfc_6901_pointer() {
        let path = |pointer: &str| json_pointer(pointer).map(Vec::from);
        assert_eq!(path("/roles").unwrap(), ["roles"]);
        assert_eq!(
            path("/realm_access/roles").unwrap(),
            ["realm_access", "roles"]
        );
        assert_eq!(
            path("/https:~1~1example.com~1roles").unwrap(),
            ["https://example.com/roles"]
        );
        assert_eq!(path("/a.b/~01").unwrap(), ["a.b", "~1"]);
        for bad in ["", "roles", "realm_access.roles", "/a~", "/a~2"] {
            assert!(path(bad).is_err(), "{bad}");
        }
        let message = err(JwtManager::builder()
            .secret_key(SECRET)
            .roles_claim("realm_access.roles"));
        assert!(
            message.contains("JWT_ROLES_CLAIM \"realm_access.roles\" is not a JSON Pointer"),
            "{message}"
        );
    }

    #[test]
    fn bearer_realm_is_printable_ascii() {
        let build = |realm: &str| JwtManager::builder().secret_key(SECRET).bearer_realm(realm);
        assert!(build("api \"v1\" \\").build().is_ok());
        assert!(build("").build().is_ok());
        for bad in ["a\r\nb", "caf\u{e9}", "\t"] {
            assert!(
                err(build(bad)).ends_with(
                    "JWT_BEARER_REALM must be printable ASCII (no control characters, CR or LF)"
                ),
                "{bad:?}"
            );
        }
    }

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
