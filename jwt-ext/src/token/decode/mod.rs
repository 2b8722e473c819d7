//! Decoding and verifying a token: flask-jwt-extended's `decode_token`.

mod claims;
mod object;
mod segments;

use serde_json::{Map, Value};

use crate::config::Settings;
use crate::keys::prepared::{self, VerifyFailure};
use crate::model::algorithm::parse_alg;
use crate::{DecodedJwt, Failure, JwtError, JwtErrorKind, JwtManager};

use claims::{ClaimRules, Present, Registered};

/// Options of [`JwtManager::decode_token_with`](crate::JwtManager::decode_token_with).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct DecodeOptions {
    allow_expired: bool,
    csrf_value: Option<String>,
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
    segments::split(token, crate::config::DEFAULT_MAX_TOKEN_SIZE)
        .map(|segments| segments.header)
        .map_err(Failure::without_manager)
}

/// Verifies `token` in PyJWT's order: structure, header checks, `alg`
/// allow-list, signature, registered claims, then flask's identity claim and
/// defaults.
pub(crate) fn decode(
    settings: &Settings,
    token: &str,
    options: &DecodeOptions,
    now_micros: i64,
) -> Result<DecodedJwt, Failure> {
    let segments = segments::split(token, settings.max_token_size)?;
    verify_signature(settings, &segments)?;
    let (header, mut claims) = (segments.header, segments.payload);
    let rules = ClaimRules {
        settings,
        now_micros,
        verify_exp: !options.allow_expired,
    };
    let registered = Registered::find(&claims, &settings.identity_claim);
    let present = registered.present;
    match rules.check(&registered) {
        Ok(()) => {}
        Err(err) if err.kind() == JwtErrorKind::Expired => {
            // flask's `JWTManager._decode_jwt_from_config` catches the
            // ExpiredSignatureError and decodes again with the expiry check
            // off, so the expired callback sees the claims; an error of that
            // second pass (bad `iss`, `aud`, CSRF, ...) replaces "expired".
            ClaimRules {
                verify_exp: false,
                ..rules
            }
            .check(&registered)?;
            finish_claims(settings, &mut claims, present)?;
            check_csrf(&claims, options.csrf_value.as_deref())?;
            return Err(err.with_token(header, claims));
        }
        Err(err) => return Err(err),
    }
    finish_claims(settings, &mut claims, present)?;
    check_csrf(&claims, options.csrf_value.as_deref())?;
    Ok(DecodedJwt::new(
        header,
        claims,
        settings.identity_claim.clone(),
    ))
}

fn verify_signature(settings: &Settings, segments: &segments::Segments<'_>) -> Result<(), Failure> {
    // flask asks the decode key loader with the unverified header and
    // claims before PyJWT checks `alg`; so do we.
    let loaded = match &settings.callbacks.decode_key {
        Some(loader) => Some(loader(&segments.header, &segments.payload)?),
        None => None,
    };
    let not_allowed = || Failure::invalid_token("The specified alg value is not allowed");
    let algorithm = match segments.header.get("alg") {
        None => return Err(Failure::invalid_token("Algorithm not specified")),
        Some(Value::String(name)) => {
            parse_alg(name).filter(|alg| settings.decode_algorithms.contains(alg))
        }
        Some(_) => None,
    }
    .ok_or_else(not_allowed)?;
    let (key, id) = match &loaded {
        // A key of another family is never used: no key confusion.
        Some(loaded) if loaded.family != algorithm.family() => return Err(not_allowed()),
        Some(loaded) => (&loaded.key, None),
        None => (&settings.keys.decoding, Some(settings.keys.id)),
    };
    prepared::verify(
        settings.provider,
        id,
        algorithm,
        key,
        segments.signing_input.as_bytes(),
        &segments.signature,
    )
    .map_err(|failure| match failure {
        VerifyFailure::Unusable => not_allowed(),
        VerifyFailure::BadSignature => Failure::invalid_token("Signature verification failed"),
    })
}

/// flask's `_decode_jwt` after PyJWT: the identity claim must be present, and
/// `type`, `fresh`, `jti` get defaults so third-party tokens work.
fn finish_claims(
    settings: &Settings,
    claims: &mut Map<String, Value>,
    present: Present,
) -> Result<(), Failure> {
    if !present.identity {
        return Err(Failure::invalid_token(format!(
            "Missing claim: {}",
            settings.identity_claim
        )));
    }
    if !present.token_type {
        claims.insert("type".to_owned(), Value::String("access".to_owned()));
    }
    if !present.fresh {
        claims.insert("fresh".to_owned(), Value::Bool(false));
    }
    if !present.jti {
        claims.insert("jti".to_owned(), Value::Null);
    }
    Ok(())
}

/// flask's double-submit check: the value sent beside a cookie must equal the
/// token's `csrf` claim.
fn check_csrf(claims: &Map<String, Value>, sent: Option<&str>) -> Result<(), Failure> {
    use subtle::ConstantTimeEq;
    let Some(sent) = sent.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    match claims.get("csrf") {
        None => Err(Failure::invalid_token("Missing claim: csrf")),
        Some(Value::String(claim)) if bool::from(claim.as_bytes().ct_eq(sent.as_bytes())) => Ok(()),
        Some(_) => Err(Failure::new(
            JwtErrorKind::Csrf,
            "CSRF double submit tokens do not match",
        )),
    }
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
