//! Verifying a split token, in PyJWT's order and with its messages: the
//! `alg` allow-list and the signature, the registered claims (`iat`,
//! `nbf`, `exp`, `iss`, `aud`, `sub`, `jti`), then flask-jwt-extended's own
//! checks: the identity claim and its defaults, the CSRF double submit, and
//! for the request pipeline the token type and freshness.

use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};

use super::DecodeOptions;
use super::segments;
use crate::compat::json_dumps::python_truthy;
use crate::config::{Issuer, Settings};
use crate::keys::prepared::{self, KeyId, VerifyFailure};
use crate::{DecodedJwt, Failure, JwtErrorKind, TokenType};

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
    let issuer = trusted_issuer(settings, &segments.payload);
    match issuer {
        Some(issuer) => verify_issuer_signature(settings, issuer, &segments)?,
        None if !settings.own_keys => return Err(Failure::invalid_token(UNTRUSTED_ISSUER)),
        None => verify_signature(settings, &segments)?,
    }
    let (header, mut claims) = (segments.header, segments.payload);
    let rules = ClaimRules {
        settings,
        issuer,
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
            // second pass (bad `iss`, `aud`, CSRF, ...) replaces "expired"
            // (quirk 13).
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
    let jwt = DecodedJwt {
        header,
        claims,
        identity_claim: settings.identity_claim.clone(),
        location: options.location,
    };
    // flask's `_decode_jwt_from_request` after `decode_token`.
    check_type(&jwt, options.token_type)?;
    if options.fresh {
        check_fresh(&jwt, now_micros)?;
    }
    Ok(jwt)
}

/// The trusted issuer the token's (unverified) `iss` names, if any: its
/// keys are the only ones tried, and a token naming no trusted issuer
/// never causes a key fetch.
fn trusted_issuer<'s>(settings: &'s Settings, claims: &Map<String, Value>) -> Option<&'s Issuer> {
    if settings.issuers.is_empty() {
        return None;
    }
    let Some(Value::String(iss)) = claims.get("iss") else {
        return None;
    };
    settings.issuers.iter().find(|issuer| issuer.issuer == *iss)
}

const UNTRUSTED_ISSUER: &str = "The token's issuer is not trusted";

/// Verifies a trusted issuer's token with its keys: the `alg` must be one
/// the issuer allows and the key allows, the key the one its `kid` names.
fn verify_issuer_signature(
    settings: &Settings,
    issuer: &Issuer,
    segments: &segments::Segments<'_>,
) -> Result<(), Failure> {
    let not_allowed = || Failure::invalid_token("The specified alg value is not allowed");
    let algorithm = match segments.header.get("alg") {
        None => return Err(Failure::invalid_token("Algorithm not specified")),
        Some(Value::String(name)) => name
            .parse::<Algorithm>()
            .ok()
            .filter(|alg| issuer.algorithms.contains(alg)),
        Some(_) => None,
    }
    .ok_or_else(not_allowed)?;
    // A non-string `kid` was refused with the header.
    let kid = segments.header.get("kid").and_then(Value::as_str);
    let keys = issuer.keys.current();
    let Some(key) = keys.find(kid, algorithm) else {
        // A published key that does not allow this `alg` is no reason to
        // fetch the set again.
        if kid.is_some() && keys.keys().iter().any(|key| key.kid.as_deref() == kid) {
            return Err(not_allowed());
        }
        return Err(issuer.keys.unknown_key(UNKNOWN_KID));
    };
    prepared::verify(
        settings.provider,
        Some(key.id),
        algorithm,
        &key.key,
        segments.signing_input.as_bytes(),
        &segments.signature,
    )
    .map_err(|failure| match failure {
        VerifyFailure::Unusable => not_allowed(),
        VerifyFailure::BadSignature => Failure::invalid_token("Signature verification failed"),
    })
}

fn verify_signature(settings: &Settings, segments: &segments::Segments<'_>) -> Result<(), Failure> {
    // flask asks the decode key loader with the unverified header and
    // claims before PyJWT checks `alg`; so do we (quirk 14).
    let loaded = match &settings.callbacks.decode_key {
        Some(loader) => Some(loader(&segments.header, &segments.payload)?),
        None => None,
    };
    let not_allowed = || Failure::invalid_token("The specified alg value is not allowed");
    let algorithm = match segments.header.get("alg") {
        None => return Err(Failure::invalid_token("Algorithm not specified")),
        Some(Value::String(name)) => {
            // The allowed algorithms are all supported ones: jsonwebtoken's
            // names are PyJWT's.
            name.parse::<Algorithm>()
                .ok()
                .filter(|alg| settings.decode_algorithms.contains(alg))
        }
        Some(_) => None,
    }
    .ok_or_else(not_allowed)?;
    let (key, id) = match &loaded {
        // A key of another family is never used: no key confusion.
        Some(loaded) if loaded.family != algorithm.family() => return Err(not_allowed()),
        Some(loaded) => (&loaded.key, None),
        None => own_key(settings, &segments.header, algorithm)?,
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

/// The manager's key for a token: the current key, or with key ids
/// configured (rotation), the key the token's `kid` names. A `kid` naming
/// no key is refused rather than tried with the current key: the issuer
/// meant another key.
fn own_key<'s>(
    settings: &'s Settings,
    header: &Map<String, Value>,
    algorithm: Algorithm,
) -> Result<(&'s DecodingKey, Option<KeyId>), Failure> {
    let keys = &settings.keys;
    let current = Ok((&keys.decoding, Some(keys.id)));
    let rotation = &keys.rotation;
    // Without key ids a `kid` plays no part, as in flask (and costs no lookup).
    if !rotation.has_key_ids() {
        return current;
    }
    let Some(Value::String(kid)) = header.get("kid") else {
        return current;
    };
    if rotation.kid.as_deref() == Some(kid.as_str()) {
        return current;
    }
    match rotation.previous.find(Some(kid), algorithm) {
        Some(key) => Ok((&key.key, Some(key.id))),
        None if rotation
            .previous
            .keys()
            .iter()
            .any(|key| key.kid.as_ref() == Some(kid)) =>
        {
            Err(Failure::invalid_token(
                "The specified alg value is not allowed",
            ))
        }
        None => Err(Failure::invalid_token(UNKNOWN_KID)),
    }
}

/// The refusal of a `kid` that names none of the manager's keys: PyJWKClient's
/// words without the value, which the sender chose.
const UNKNOWN_KID: &str = "Unable to find a signing key that matches the token's kid";

/// flask's `_decode_jwt` after PyJWT: the identity claim must be present, and
/// `type`, `fresh`, `jti` get defaults so third-party tokens work (quirk 15).
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

/// flask's `verify_token_type`: a route's type against the token's `type`.
fn check_type(jwt: &DecodedJwt, expected: Option<TokenType>) -> Result<(), Failure> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let message = match (expected, jwt.is_refresh()) {
        (TokenType::Access, true) => "Only non-refresh tokens are allowed",
        (TokenType::Refresh, false) => "Only refresh tokens are allowed",
        _ => return Ok(()),
    };
    Err(Failure::new(JwtErrorKind::WrongTokenType, message)
        .with_token(jwt.header().clone(), jwt.claims().clone()))
}

/// `fresh` is `true`, or a timestamp not yet passed. flask answers 500 for a
/// `fresh` of another type; we answer "Fresh token required".
fn check_fresh(jwt: &DecodedJwt, now_micros: i64) -> Result<(), Failure> {
    let fresh = match jwt.claims().get("fresh") {
        Some(Value::Bool(fresh)) => *fresh,
        Some(Value::Number(until)) => until
            .as_f64()
            .is_some_and(|until| until * 1_000_000.0 >= now_micros as f64),
        _ => false,
    };
    if fresh {
        Ok(())
    } else {
        Err(
            Failure::new(JwtErrorKind::FreshTokenRequired, "Fresh token required")
                .with_token(jwt.header().clone(), jwt.claims().clone()),
        )
    }
}

/// The claims the checks read, found in one pass over the payload instead
/// of a hash lookup each.
#[derive(Clone, Copy, Default)]
struct Registered<'a> {
    iat: Option<&'a Value>,
    nbf: Option<&'a Value>,
    exp: Option<&'a Value>,
    iss: Option<&'a Value>,
    aud: Option<&'a Value>,
    sub: Option<&'a Value>,
    jti: Option<&'a Value>,
    /// Which of the claims flask requires or defaults are present.
    pub(crate) present: Present,
}

/// The identity claim, and the claims flask gives defaults when absent.
#[derive(Clone, Copy, Default)]
struct Present {
    pub(crate) identity: bool,
    pub(crate) token_type: bool,
    pub(crate) fresh: bool,
    pub(crate) jti: bool,
}

impl<'a> Registered<'a> {
    fn find(claims: &'a Map<String, Value>, identity_claim: &str) -> Self {
        let mut found = Registered::default();
        for (name, value) in claims {
            found.present.identity |= name == identity_claim;
            let slot = match name.as_str() {
                "iat" => &mut found.iat,
                "nbf" => &mut found.nbf,
                "exp" => &mut found.exp,
                "iss" => &mut found.iss,
                "aud" => &mut found.aud,
                "sub" => &mut found.sub,
                "jti" => &mut found.jti,
                "type" => {
                    found.present.token_type = true;
                    continue;
                }
                "fresh" => {
                    found.present.fresh = true;
                    continue;
                }
                _ => continue,
            };
            *slot = Some(value);
        }
        found.present.jti = found.jti.is_some();
        found
    }
}

/// What the claim checks compare against.
struct ClaimRules<'a> {
    pub(crate) settings: &'a Settings,
    /// The trusted issuer whose keys verified the token: its issuer,
    /// audience and leeway replace the manager's.
    pub(crate) issuer: Option<&'a Issuer>,
    /// The current time in microseconds since the epoch.
    pub(crate) now_micros: i64,
    pub(crate) verify_exp: bool,
}

impl ClaimRules<'_> {
    fn check(&self, claims: &Registered<'_>) -> Result<(), Failure> {
        let (expected_issuer, audiences, leeway_secs) = match self.issuer {
            Some(issuer) => (
                Some(&issuer.issuer),
                issuer.audience.as_ref(),
                issuer.leeway_secs,
            ),
            None => (
                self.settings.decode_issuer.as_ref(),
                self.settings.decode_audience.as_ref(),
                self.settings.leeway_secs,
            ),
        };
        let leeway = leeway_secs.saturating_mul(1_000_000);
        if let Some(iat) = claims.iat {
            let iat = integer(iat, "Issued At claim (iat) must be an integer.")?;
            if micros(iat) > self.now_micros.saturating_add(leeway) {
                return Err(Failure::invalid_token("The token is not yet valid (iat)"));
            }
        }
        if let Some(nbf) = claims.nbf {
            let nbf = integer(nbf, "Not Before claim (nbf) must be an integer.")?;
            if micros(nbf) > self.now_micros.saturating_add(leeway) {
                return Err(Failure::invalid_token("The token is not yet valid (nbf)"));
            }
        }
        if self.verify_exp
            && let Some(exp) = claims.exp
        {
            let exp = integer(exp, "Expiration Time claim (exp) must be an integer.")?;
            // PyJWT: `exp <= now - leeway` is expired, so `exp == now` is too
            // (quirk 12).
            if micros(exp) <= self.now_micros.saturating_sub(leeway) {
                return Err(Failure::new(JwtErrorKind::Expired, "Token has expired"));
            }
        }
        if let Some(issuer) = expected_issuer {
            match claims.iss {
                None => {
                    return Err(Failure::invalid_token("Token is missing the \"iss\" claim"));
                }
                Some(Value::String(iss)) if iss == issuer => {}
                Some(Value::String(_)) => return Err(Failure::invalid_token("Invalid issuer")),
                Some(_) => {
                    return Err(Failure::invalid_token(
                        "Payload Issuer (iss) must be a string",
                    ));
                }
            }
        }
        if let Some(audiences) = audiences {
            check_audience(claims.aud, audiences)?;
        }
        if self.settings.verify_sub && claims.sub.is_some_and(|sub| !sub.is_string()) {
            return Err(Failure::invalid_token("Subject must be a string"));
        }
        if claims.jti.is_some_and(|jti| !jti.is_string()) {
            return Err(Failure::invalid_token("JWT ID must be a string"));
        }
        Ok(())
    }
}

/// PyJWT applies `int()`: integers pass, floats truncate towards zero.
/// Unlike `int()`, numeric strings and booleans are refused (RFC 7519 wants
/// a NumericDate; CVE-2026-25537 came from treating such values loosely).
fn integer(value: &Value, message: &'static str) -> Result<i64, Failure> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if n.as_u64().is_some() {
                Ok(i64::MAX)
            } else {
                // Saturating cast: truncates towards zero like Python's int()
                // (quirk 12).
                Ok(n.as_f64().map_or(0, |f| f as i64))
            }
        }
        _ => Err(Failure::invalid_token(message)),
    }
}

fn micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

fn check_audience(claim: Option<&Value>, expected: &[String]) -> Result<(), Failure> {
    let missing = || Failure::invalid_token("Token is missing the \"aud\" claim");
    let bad_format = || Failure::invalid_token("Invalid claim format in token");
    // PyJWT: `if "aud" not in payload or not payload["aud"]` (quirk 12).
    let claim = claim.filter(|aud| python_truthy(aud)).ok_or_else(missing)?;
    let claimed: Vec<&str> = match claim {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(bad_format))
            .collect::<Result<_, _>>()?,
        _ => return Err(bad_format()),
    };
    if expected.iter().any(|aud| claimed.contains(&aud.as_str())) {
        Ok(())
    } else {
        Err(Failure::invalid_token("Audience doesn't match"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_dates_follow_python_int() {
        assert_eq!(integer(&json!(5), "m").unwrap(), 5);
        assert_eq!(integer(&json!(1.9), "m").unwrap(), 1);
        assert_eq!(integer(&json!(-1.9), "m").unwrap(), -1);
        assert_eq!(integer(&json!(u64::MAX), "m").unwrap(), i64::MAX);
        for bad in [json!("1"), json!(true), json!(null), json!([1]), json!({})] {
            assert_eq!(integer(&bad, "m").unwrap_err().message(), "m");
        }
    }

    #[test]
    fn audience_rules() {
        let api = vec!["api".to_owned()];
        let msg = |v: Option<Value>| match check_audience(v.as_ref(), &api) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.message().to_owned(),
        };
        assert_eq!(msg(Some(json!("api"))), "ok");
        assert_eq!(msg(Some(json!(["x", "api"]))), "ok");
        assert_eq!(msg(Some(json!("apix"))), "Audience doesn't match");
        assert_eq!(msg(Some(json!("ap"))), "Audience doesn't match");
        assert_eq!(msg(Some(json!([""]))), "Audience doesn't match");
        assert_eq!(msg(Some(json!([]))), "Token is missing the \"aud\" claim");
        assert_eq!(msg(None), "Token is missing the \"aud\" claim");
        // Every falsy value is "missing", every other non-string a bad format.
        for falsy in [
            json!(null),
            json!(false),
            json!(0),
            json!(-0.0),
            json!(""),
            json!({}),
        ] {
            assert_eq!(msg(Some(falsy)), "Token is missing the \"aud\" claim");
        }
        for truthy in [json!(true), json!(0.5), json!({"api": 1})] {
            assert_eq!(msg(Some(truthy)), "Invalid claim format in token");
        }
        assert_eq!(msg(Some(json!(1))), "Invalid claim format in token");
        assert_eq!(
            msg(Some(json!(["api", 1]))),
            "Invalid claim format in token"
        );
    }
}
