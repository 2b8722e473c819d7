//! JSON Web Keys (RFC 7517) that verify tokens: one key checked against
//! the rules of a verifier, and a key set with the choice of a key for a
//! token.
//!
//! jsonwebtoken parses the JWK members and builds the key
//! (`DecodingKey::from_jwk`); the rules here decide whether a key may
//! verify at all and with which algorithms. A key refused by a rule is
//! skipped with its reason, never an error of the whole set, so one odd
//! key of a provider does not take the others down.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use serde_json::Value;

use crate::keys::prepared::KeyId;
use crate::model::algorithm::{alg_name, parse_alg};

const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// A public key from a JWK, allowed to verify with `algorithms` only.
pub(crate) struct JwkKey {
    /// The JWK's `kid`, which a token's `kid` header names.
    pub(crate) kid: Option<String>,
    /// The key type's family: RSA, EC or Ed25519, never HMAC.
    pub(crate) family: AlgorithmFamily,
    /// The JWK's `alg` alone when it has one, else every algorithm of its
    /// type (EC by curve).
    pub(crate) algorithms: Vec<Algorithm>,
    /// The key, parsed once.
    pub(crate) key: DecodingKey,
    /// Names the key for the verifiers each thread prepares, as a
    /// configured key's id does.
    pub(crate) id: KeyId,
}

impl JwkKey {
    /// Checks `jwk` against the rules and parses it.
    ///
    /// # Errors
    /// Why the key may not verify tokens: a symmetric or unknown key type,
    /// an unsupported curve, `use` other than `sig`, `key_ops` without
    /// `verify`, an `alg` that is unsupported or not the key's, a key that
    /// does not parse or is too small.
    pub(crate) fn from_jwk(jwk: &Jwk) -> Result<JwkKey, String> {
        let (family, by_type): (AlgorithmFamily, &[Algorithm]) = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => (AlgorithmFamily::Rsa, &RSA_ALGORITHMS),
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => (AlgorithmFamily::Ec, &[Algorithm::ES256]),
                EllipticCurve::P384 => (AlgorithmFamily::Ec, &[Algorithm::ES384]),
                _ => return Err(format!("the EC curve {} is not supported", crv(&ec.curve))),
            },
            AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
                EllipticCurve::Ed25519 => (AlgorithmFamily::Ed, &[Algorithm::EdDSA]),
                _ => {
                    return Err(format!(
                        "the OKP curve {} is not supported",
                        crv(&okp.curve)
                    ));
                }
            },
            // Anyone who can read a published set could sign with it.
            AlgorithmParameters::OctetKey(_) => {
                return Err("a symmetric (\"oct\") key is never accepted from a key set".into());
            }
            _ => return Err("the key type is unknown or its members are missing".into()),
        };
        match &jwk.common.public_key_use {
            None | Some(PublicKeyUse::Signature) => {}
            Some(_) => return Err("its \"use\" is not \"sig\"".into()),
        }
        if let Some(ops) = &jwk.common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return Err("its \"key_ops\" do not include \"verify\"".into());
        }
        let algorithms = match &jwk.common.key_algorithm {
            None => by_type.to_vec(),
            Some(alg) => {
                let name = alg.to_string();
                let algorithm = parse_alg(&name)
                    .ok_or_else(|| format!("its \"alg\" {name:?} is not supported"))?;
                if !by_type.contains(&algorithm) {
                    return Err(format!(
                        "its \"alg\" {name:?} does not match its key type or curve"
                    ));
                }
                vec![algorithm]
            }
        };
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("it does not parse: {e}"))?;
        check_size(&key, by_type[0])?;
        Ok(JwkKey {
            kid: jwk.common.key_id.clone(),
            family,
            algorithms,
            key,
            id: KeyId::next(),
        })
    }
}

/// The curve's JWK name, for messages.
fn crv(curve: &EllipticCurve) -> String {
    serde_json::to_string(curve).unwrap_or_default()
}

/// RSA keys of 2048 bits or more (RFC 7518 §3.3), as for configured keys;
/// EC points and Ed25519 keys of their curve's length, since
/// jsonwebtoken takes the coordinates as given.
fn check_size(key: &DecodingKey, algorithm: Algorithm) -> Result<(), String> {
    let wrong = || {
        format!(
            "its coordinates are not of its curve for {}",
            alg_name(algorithm)
        )
    };
    match (key.kind(), algorithm) {
        (DecodingKeyKind::RsaModulusExponent { n, .. }, _) => {
            let significant = &n[n.iter().take_while(|b| **b == 0).count()..];
            let bits = significant.len() * 8
                - significant
                    .first()
                    .map_or(8, |b| b.leading_zeros() as usize);
            if bits < 2048 {
                return Err(format!(
                    "the RSA key has {bits} bits; RFC 7518 requires at least 2048"
                ));
            }
        }
        // An uncompressed point: 0x04, then x and y.
        (DecodingKeyKind::SecretOrDer(point), Algorithm::ES256) if point.len() != 65 => {
            return Err(wrong());
        }
        (DecodingKeyKind::SecretOrDer(point), Algorithm::ES384) if point.len() != 97 => {
            return Err(wrong());
        }
        (DecodingKeyKind::SecretOrDer(x), Algorithm::EdDSA) if x.len() != 32 => {
            return Err(wrong());
        }
        _ => {}
    }
    Ok(())
}

impl std::fmt::Debug for JwkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwkKey")
            .field("kid", &self.kid)
            .field("family", &self.family)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

/// The usable keys of a JWK Set.
#[derive(Debug, Default)]
pub(crate) struct JwkSet {
    keys: Vec<JwkKey>,
}

impl JwkSet {
    /// A set of keys already checked.
    pub(crate) fn from_keys(keys: Vec<JwkKey>) -> Self {
        JwkSet { keys }
    }

    /// Parses a JWK Set document: the usable keys, and for each key
    /// skipped, why (`key 2 ("kid" "a"): ...`).
    ///
    /// # Errors
    /// A document that is not a JSON object with a `keys` array.
    // The remote key sets call it; until then only the tests do.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn parse(document: &[u8]) -> Result<(JwkSet, Vec<String>), String> {
        let value: Value =
            serde_json::from_slice(document).map_err(|e| format!("not JSON: {e}"))?;
        let Some(Value::Array(entries)) = value.get("keys") else {
            return Err("not a JWK Set: no \"keys\" array".into());
        };
        let mut keys = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let key = serde_json::from_value::<Jwk>(entry.clone())
                .map_err(|e| format!("it is not a JWK: {e}"))
                .and_then(|jwk| JwkKey::from_jwk(&jwk));
            match key {
                Ok(key) => keys.push(key),
                Err(why) => {
                    let named = match entry.get("kid").and_then(Value::as_str) {
                        Some(kid) => format!(" (\"kid\" {kid:?})"),
                        None => String::new(),
                    };
                    skipped.push(format!("key {index}{named} skipped: {why}"));
                }
            }
        }
        Ok((JwkSet { keys }, skipped))
    }

    /// The keys, in the document's order.
    pub(crate) fn keys(&self) -> &[JwkKey] {
        &self.keys
    }

    /// The `kid`s of the set, in order (`-` for a key without one): what
    /// logs and tests show of a set.
    #[cfg(feature = "oidc")]
    pub(crate) fn kids(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|key| key.kid.clone().unwrap_or_else(|| "-".to_owned()))
            .collect()
    }

    /// The key for a token: the one its `kid` names, allowed to verify
    /// `alg`; without a `kid`, the one key allowing `alg`, if exactly one
    /// does (several would make the choice a guess).
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&JwkKey> {
        let allows = |key: &&JwkKey| key.algorithms.contains(&alg);
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(allows)
                .find(|key| key.kid.as_deref() == Some(kid)),
            None => {
                let mut candidates = self.keys.iter().filter(allows);
                let first = candidates.next()?;
                candidates.next().is_none().then_some(first)
            }
        }
    }
}

#[cfg(test)]
#[path = "jwk_tests.rs"]
mod tests;
