//! Verifying a split token, in PyJWT's order and with its messages: the
//! `alg` allow-list and the signature, the registered claims (`iat`,
//! `nbf`, `exp`, `iss`, `aud`, `sub`, `jti`), then flask-jwt-extended's own
//! checks: the identity claim and its defaults, the CSRF double submit, and
//! for the request pipeline the token type and freshness.

use std::borrow::Cow;
use std::sync::OnceLock;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::DecodeOptions;
use super::segments::{self, Claim, Registered};
use crate::compat::json_dumps::python_truthy;
use crate::config::{Issuer, Settings};
use crate::keys::prepared::{self, KeyId, VerifyFailure};
use crate::model::parse_object;
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
    let mut registered = segments.claims(&settings.identity_claim)?;
    let issuer = trusted_issuer(settings, registered.iss.as_ref());
    match issuer {
        Some(issuer) => verify_issuer_signature(settings, issuer, &segments)?,
        None if !settings.own_keys => return Err(Failure::invalid_token(UNTRUSTED_ISSUER)),
        None => verify_signature(settings, &segments)?,
    }
    let rules = ClaimRules {
        settings,
        issuer,
        now_micros,
        verify_exp: !options.allow_expired,
    };
    let expired = match rules.check(&registered) {
        Ok(()) => None,
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
            Some(err)
        }
        Err(err) => return Err(err),
    };
    // flask's `_decode_jwt` after PyJWT: the identity claim must be present.
    let Some(identity) = registered.identity.take() else {
        return Err(Failure::invalid_token(format!(
            "Missing claim: {}",
            settings.identity_claim
        )));
    };
    check_csrf(registered.csrf.as_ref(), options.csrf_value.as_deref())?;
    let fresh = options.fresh && is_fresh(registered.fresh.as_ref(), now_micros);
    let jwt = DecodedJwt {
        identity: identity.into_value(),
        // flask's default `type` is `access` (quirk 15).
        token_type: match &registered.token_type {
            None => Cow::Borrowed("access"),
            Some(claim) => match claim.as_str() {
                Some("access") => Cow::Borrowed("access"),
                Some("refresh") => Cow::Borrowed("refresh"),
                Some(other) => Cow::Owned(other.to_owned()),
                None => Cow::Borrowed(""),
            },
        },
        expires_at: match &registered.exp {
            Some(Claim::Other(exp)) => exp.as_i64(),
            _ => None,
        },
        defaults: registered.defaults(),
        // Read on every revocation check: kept, so the check never needs
        // the claims map.
        jti: registered
            .jti
            .as_ref()
            .and_then(Claim::as_str)
            .map(Box::from),
        family: registered
            .fam
            .as_ref()
            .and_then(Claim::as_str)
            .map(Box::from),
        header_json: segments.header,
        header: OnceLock::new(),
        payload: segments.payload,
        claims: OnceLock::new(),
        identity_claim: settings.identity_claim.clone(),
        location: options.location,
    };
    if let Some(err) = expired {
        let (header, claims) = jwt.into_parts();
        return Err(err.with_token(header, claims));
    }
    // flask's `_decode_jwt_from_request` after `decode_token`.
    check_type(&jwt, options.token_type)?;
    if options.fresh && !fresh {
        return Err(
            Failure::new(JwtErrorKind::FreshTokenRequired, "Fresh token required")
                .with_token(jwt.header().clone(), jwt.claims().clone()),
        );
    }
    Ok(jwt)
}

/// The trusted issuer the token's (unverified) `iss` names, if any: its
/// keys are the only ones tried, and a token naming no trusted issuer
/// never causes a key fetch.
fn trusted_issuer<'s>(settings: &'s Settings, iss: Option<&Claim<'_>>) -> Option<&'s Issuer> {
    if settings.issuers.is_empty() {
        return None;
    }
    let iss = iss?.as_str()?;
    settings.issuers.iter().find(|issuer| issuer.issuer == iss)
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
    let algorithm = match segments.alg {
        None => return Err(Failure::invalid_token("Algorithm not specified")),
        Some(alg) => alg.filter(|alg| issuer.algorithms.contains(alg)),
    }
    .ok_or_else(not_allowed)?;
    let kid = segments.kid.as_deref();
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
        Some(loader) => {
            // The header and payload as sent, without flask's defaults.
            let header = parse_object(&segments.header);
            let payload = parse_object(&segments.payload);
            Some(loader(&header, &payload)?)
        }
        None => None,
    };
    let not_allowed = || Failure::invalid_token("The specified alg value is not allowed");
    let algorithm = match segments.alg {
        None => return Err(Failure::invalid_token("Algorithm not specified")),
        // The allowed algorithms are all supported ones: jsonwebtoken's
        // names are PyJWT's.
        Some(alg) => alg.filter(|alg| settings.decode_algorithms.contains(alg)),
    }
    .ok_or_else(not_allowed)?;
    let (key, id) = match &loaded {
        // A key of another family is never used: no key confusion.
        Some(loaded) if loaded.family != algorithm.family() => return Err(not_allowed()),
        Some(loaded) => (&loaded.key, None),
        None => own_key(settings, segments.kid.as_deref(), algorithm)?,
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
    kid: Option<&str>,
    algorithm: Algorithm,
) -> Result<(&'s DecodingKey, Option<KeyId>), Failure> {
    let keys = &settings.keys;
    let current = Ok((&keys.decoding, Some(keys.id)));
    let rotation = &keys.rotation;
    // Without key ids a `kid` plays no part, as in flask (and costs no lookup).
    if !rotation.has_key_ids() {
        return current;
    }
    let Some(kid) = kid else {
        return current;
    };
    if rotation.kid.as_deref() == Some(kid) {
        return current;
    }
    match rotation.previous.find(Some(kid), algorithm) {
        Some(key) => Ok((&key.key, Some(key.id))),
        None if rotation
            .previous
            .keys()
            .iter()
            .any(|key| key.kid.as_deref() == Some(kid)) =>
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

/// flask's double-submit check: the value sent beside a cookie must equal the
/// token's `csrf` claim.
fn check_csrf(claim: Option<&Claim<'_>>, sent: Option<&str>) -> Result<(), Failure> {
    use subtle::ConstantTimeEq;
    let Some(sent) = sent.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    match claim {
        None => Err(Failure::invalid_token("Missing claim: csrf")),
        Some(Claim::Str(claim)) if bool::from(claim.as_bytes().ct_eq(sent.as_bytes())) => Ok(()),
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

/// `fresh` is `true`, or a timestamp not yet passed; absent is `false`
/// (flask's default). flask answers 500 for a `fresh` of another type; we
/// answer "Fresh token required".
fn is_fresh(claim: Option<&Claim<'_>>, now_micros: i64) -> bool {
    match claim {
        Some(Claim::Other(Value::Bool(fresh))) => *fresh,
        Some(Claim::Other(Value::Number(until))) => until
            .as_f64()
            .is_some_and(|until| until * 1_000_000.0 >= now_micros as f64),
        _ => false,
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
        if let Some(iat) = &claims.iat {
            let iat = integer(iat, "Issued At claim (iat) must be an integer.")?;
            if micros(iat) > self.now_micros.saturating_add(leeway) {
                return Err(Failure::invalid_token("The token is not yet valid (iat)"));
            }
        }
        if let Some(nbf) = &claims.nbf {
            let nbf = integer(nbf, "Not Before claim (nbf) must be an integer.")?;
            if micros(nbf) > self.now_micros.saturating_add(leeway) {
                return Err(Failure::invalid_token("The token is not yet valid (nbf)"));
            }
        }
        if self.verify_exp
            && let Some(exp) = &claims.exp
        {
            let exp = integer(exp, "Expiration Time claim (exp) must be an integer.")?;
            // PyJWT: `exp <= now - leeway` is expired, so `exp == now` is too
            // (quirk 12).
            if micros(exp) <= self.now_micros.saturating_sub(leeway) {
                return Err(Failure::new(JwtErrorKind::Expired, "Token has expired"));
            }
        }
        if let Some(issuer) = expected_issuer {
            match &claims.iss {
                None => {
                    return Err(Failure::invalid_token("Token is missing the \"iss\" claim"));
                }
                Some(Claim::Str(iss)) if iss == issuer => {}
                Some(Claim::Str(_)) => return Err(Failure::invalid_token("Invalid issuer")),
                Some(Claim::Other(_)) => {
                    return Err(Failure::invalid_token(
                        "Payload Issuer (iss) must be a string",
                    ));
                }
            }
        }
        if let Some(audiences) = audiences {
            let aud = claims.aud.as_ref().map(Claim::to_value);
            check_audience(aud.as_ref(), audiences)?;
        }
        if self.settings.verify_sub && matches!(claims.sub, Some(Claim::Other(_))) {
            return Err(Failure::invalid_token("Subject must be a string"));
        }
        if matches!(claims.jti, Some(Claim::Other(_))) {
            return Err(Failure::invalid_token("JWT ID must be a string"));
        }
        Ok(())
    }
}

/// PyJWT applies `int()`: integers pass, floats truncate towards zero.
/// Unlike `int()`, numeric strings and booleans are refused (RFC 7519 wants
/// a NumericDate; CVE-2026-25537 came from treating such values loosely).
fn integer(claim: &Claim<'_>, message: &'static str) -> Result<i64, Failure> {
    match claim {
        Claim::Other(Value::Number(n)) => {
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
        let integer = |value: Value| {
            let claim = match value {
                Value::String(s) => Claim::Str(s.into()),
                other => Claim::Other(other),
            };
            integer(&claim, "m")
        };
        assert_eq!(integer(json!(5)).unwrap(), 5);
        assert_eq!(integer(json!(1.9)).unwrap(), 1);
        assert_eq!(integer(json!(-1.9)).unwrap(), -1);
        assert_eq!(integer(json!(u64::MAX)).unwrap(), i64::MAX);
        for bad in [json!("1"), json!(true), json!(null), json!([1]), json!({})] {
            assert_eq!(integer(bad).unwrap_err().message(), "m");
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

#[cfg(test)]
mod lazy_tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::{Map, Value, json};

    use crate::JwtManager;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn manager(identity_claim: &str) -> JwtManager {
        JwtManager::builder()
            .secret_key(SECRET)
            .identity_claim(identity_claim)
            .build()
            .unwrap()
    }

    /// A segment of `token` parsed eagerly, as the decoder used to.
    fn segment(token: &str, index: usize) -> Map<String, Value> {
        let json = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(index).unwrap())
            .unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    fn third_party(payload: &Value) -> String {
        let key = EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        jsonwebtoken::encode(&Header::default(), payload, &key).unwrap()
    }

    #[test]
    fn maps_are_built_only_when_asked_for() {
        let jwt = manager("sub");
        let token = jwt
            .access_token("alice")
            .claim("roles", ["admin"])
            .encode()
            .unwrap();
        let decoded = jwt.decode_token(&token).unwrap();
        assert_eq!(decoded.identity(), "alice");
        assert_eq!(decoded.token_type(), "access");
        assert!(decoded.expires_at().is_some());
        assert!(decoded.header.get().is_none() && decoded.claims.get().is_none());

        assert_eq!(decoded.claims(), &segment(&token, 1));
        assert_eq!(decoded.header(), &segment(&token, 0));
        assert_eq!(decoded.jti(), segment(&token, 1)["jti"].as_str());
        let (header, claims) = decoded.clone().into_parts();
        assert_eq!((header, claims), (segment(&token, 0), segment(&token, 1)));
        let fresh = jwt.decode_token(&token).unwrap();
        assert_eq!(fresh, decoded);
        assert_eq!(format!("{fresh:?}"), format!("{decoded:?}"));
    }

    #[test]
    fn third_party_tokens_get_flask_defaults_after_their_claims() {
        let jwt = manager("user");
        let token = third_party(&json!({ "user": { "id": 7 }, "exp": 4_000_000_000_u64 }));
        let decoded = jwt.decode_token(&token).unwrap();
        assert_eq!(decoded.identity(), &json!({ "id": 7 }));
        assert_eq!(decoded.token_type(), "access");
        assert_eq!(decoded.expires_at(), Some(4_000_000_000));
        assert_eq!(decoded.jti(), None);
        let names: Vec<&str> = decoded.claims().keys().map(String::as_str).collect();
        assert_eq!(names, ["user", "exp", "type", "fresh", "jti"]);
        assert_eq!(decoded.claims()["type"], "access");
        assert_eq!(decoded.claims()["fresh"], false);
        assert_eq!(decoded.claims()["jti"], Value::Null);
        let (_, claims) = jwt.decode_token(&token).unwrap().into_parts();
        assert_eq!(&claims, decoded.claims());
    }

    #[test]
    fn the_identity_may_be_a_registered_claim() {
        let jwt = manager("jti");
        let token = third_party(&json!({ "jti": "j", "type": 5, "exp": 4.5e9 }));
        let decoded = jwt.decode_token(&token).unwrap();
        assert_eq!(decoded.identity(), "j");
        assert_eq!(decoded.jti(), Some("j"));
        // A `type` that is not a string, and an `exp` that is not an integer.
        assert_eq!(decoded.token_type(), "");
        assert_eq!(decoded.expires_at(), None);
    }

    #[test]
    fn the_revocation_check_reads_jti_and_family_without_the_map() {
        let jwt = manager("sub");
        let refresh = jwt
            .refresh_token("alice")
            .claim("fam", "family-1")
            .encode()
            .unwrap();
        let decoded = jwt.decode_token(&refresh).unwrap();
        let claims = segment(&refresh, 1);
        assert_eq!(decoded.jti(), claims["jti"].as_str());
        assert_eq!(decoded.family_claim(), claims["fam"].as_str());
        assert!(decoded.family_claim().is_some());
        assert!(decoded.claims.get().is_none(), "no map built");
        // A family that is not a string reads as absent, as from the map.
        let token = third_party(&json!({ "sub": "a", "fam": ["x"] }));
        let decoded = jwt.decode_token(&token).unwrap();
        assert_eq!(decoded.jti(), None);
        assert_eq!(decoded.family_claim(), None);
    }
}
