//! Keys from a published JWK Set (RFC 7517), parsed once when the set is
//! fetched: verification with one of them costs what it costs with a
//! configured key.
//!
//! Only signature keys of the asymmetric families jwt-ext verifies are
//! kept; anything else in a set is skipped with a reason, never an error
//! for the whole set.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};

use crate::keys::prepared::KeyId;
use crate::model::algorithm::parse_alg;

/// One verification key of a JWK Set.
// Read by token verification, which the remote sets are made for.
#[allow(dead_code)]
pub(crate) struct JwkKey {
    pub(crate) kid: Option<String>,
    pub(crate) family: AlgorithmFamily,
    /// The algorithms a token signed with this key may name.
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) key: DecodingKey,
    /// Names the key for the verifiers each thread prepares.
    pub(crate) id: KeyId,
}

impl JwkKey {
    /// The key of one JWK, or why it is refused.
    pub(crate) fn from_jwk(jwk: &Jwk) -> Result<JwkKey, String> {
        let kid = jwk.common.key_id.clone();
        if !matches!(
            jwk.common.public_key_use,
            None | Some(PublicKeyUse::Signature)
        ) {
            return Err("its \"use\" is not \"sig\"".to_owned());
        }
        if let Some(ops) = &jwk.common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return Err("its \"key_ops\" do not include \"verify\"".to_owned());
        }
        let (family, family_algs): (AlgorithmFamily, &[Algorithm]) = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => (
                AlgorithmFamily::Rsa,
                &[
                    Algorithm::RS256,
                    Algorithm::RS384,
                    Algorithm::RS512,
                    Algorithm::PS256,
                    Algorithm::PS384,
                    Algorithm::PS512,
                ],
            ),
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => (AlgorithmFamily::Ec, &[Algorithm::ES256]),
                EllipticCurve::P384 => (AlgorithmFamily::Ec, &[Algorithm::ES384]),
                _ => return Err("its EC curve is not P-256 or P-384".to_owned()),
            },
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                (AlgorithmFamily::Ed, &[Algorithm::EdDSA])
            }
            AlgorithmParameters::OctetKeyPair(_) => {
                return Err("its OKP curve is not Ed25519".to_owned());
            }
            AlgorithmParameters::OctetKey(_) => {
                return Err(
                    "it is a symmetric (\"oct\") key, never trusted from a key set".to_owned(),
                );
            }
            _ => return Err("its key type is not RSA, EC or OKP".to_owned()),
        };
        let algorithms = match jwk.common.key_algorithm {
            None => family_algs.to_vec(),
            Some(alg) => {
                let alg = serde_json::to_value(alg)
                    .ok()
                    .and_then(|name| name.as_str().and_then(parse_alg))
                    .filter(|alg| family_algs.contains(alg))
                    .ok_or_else(|| {
                        "its \"alg\" is not a signature algorithm of its key type".to_owned()
                    })?;
                vec![alg]
            }
        };
        let key =
            DecodingKey::from_jwk(jwk).map_err(|e| format!("its parameters are invalid: {e}"))?;
        Ok(JwkKey {
            kid,
            family,
            algorithms,
            key,
            id: KeyId::next(),
        })
    }
}

/// The usable keys of one JWK Set document.
#[derive(Default)]
pub(crate) struct JwkSet {
    keys: Vec<JwkKey>,
}

impl JwkSet {
    /// Parses a JWK Set document: the set of its usable keys and, for each
    /// key skipped, why. Fails only when the document is not a JWK Set.
    pub(crate) fn parse(document: &[u8]) -> Result<(JwkSet, Vec<String>), String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(document)
            .map_err(|e| format!("not a JWK Set (a JSON object with a \"keys\" array): {e}"))?;
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for (index, value) in document.keys.into_iter().enumerate() {
            let name = match value.get("kid").and_then(serde_json::Value::as_str) {
                Some(kid) => format!("key {kid:?}"),
                None => format!("key #{index}"),
            };
            let parsed = serde_json::from_value::<Jwk>(value)
                .map_err(|e| format!("it is not a JWK: {e}"))
                .and_then(|jwk| JwkKey::from_jwk(&jwk));
            match parsed {
                Ok(key) => keys.push(key),
                Err(why) => skipped.push(format!("{name} skipped: {why}")),
            }
        }
        Ok((JwkSet { keys }, skipped))
    }

    /// The key for a token's `kid` and `alg`: by `kid` when the token has
    /// one; without, only when exactly one key allows `alg`.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&JwkKey> {
        let allows = |key: &&JwkKey| key.algorithms.contains(&alg);
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .find(|key| key.kid.as_deref() == Some(kid))
                .filter(allows),
            None => {
                let mut candidates = self.keys.iter().filter(allows);
                let first = candidates.next()?;
                candidates.next().is_none().then_some(first)
            }
        }
    }

    /// The `kid`s of the set, in order (`-` for a key without one): what
    /// logs and tests show of a set.
    pub(crate) fn kids(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|key| key.kid.clone().unwrap_or_else(|| "-".to_owned()))
            .collect()
    }
}
