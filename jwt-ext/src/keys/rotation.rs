//! Key rotation and publishing: the signing key's id, the older public
//! keys that still verify (chosen by a token's `kid`), and the JWK Set
//! (RFC 7517 §5) of all of them, built once at start-up.

use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::{Value, json};

use crate::ConfigError;
use crate::keys::jwk::{JwkKey, JwkSet};
use crate::model::algorithm::{alg_name, family_name};

/// The rotation part of a manager's keys.
pub(crate) struct Rotation {
    /// The signing key's id, written into the `kid` header of minted tokens.
    pub(crate) kid: Option<String>,
    /// Older public keys that still verify tokens naming their `kid`.
    pub(crate) previous: JwkSet,
    /// The JWK Set of the public keys: the current one, then the older ones.
    pub(crate) published: Value,
}

impl Rotation {
    /// Whether tokens are told apart by `kid`: only then does a `kid` that
    /// names no key refuse the token.
    pub(crate) fn has_key_ids(&self) -> bool {
        self.kid.is_some() || !self.previous.keys().is_empty()
    }
}

/// Checks the key ids and older keys against `algorithm` and builds the
/// published set from the current public key `current`.
pub(crate) fn load(
    algorithm: Algorithm,
    current: &DecodingKey,
    kid: Option<&str>,
    previous: &[(String, Vec<u8>)],
    parse_public: impl Fn(&[u8]) -> Result<DecodingKey, jsonwebtoken::errors::Error>,
) -> Result<Rotation, ConfigError> {
    let name = alg_name(algorithm);
    if algorithm.family() == AlgorithmFamily::Hmac {
        // An HMAC manager publishes nothing, so it has no key to name.
        if kid.is_some() {
            return Err(ConfigError::new(format!(
                "key_id names a published public key, but \"{name}\" uses a secret, which is never published; \
                 to put a kid into HMAC tokens, return SigningKey::hmac(..).with_kid(..) from an encode_key_loader"
            )));
        }
        if !previous.is_empty() {
            return Err(ConfigError::new(format!(
                "previous_public_key_pem needs an asymmetric JWT_ALGORITHM; \"{name}\" uses a secret"
            )));
        }
        return Ok(Rotation {
            kid: None,
            previous: JwkSet::default(),
            published: json!({ "keys": [] }),
        });
    }
    let mut seen: Vec<&str> = Vec::new();
    for id in kid
        .into_iter()
        .chain(previous.iter().map(|(id, _)| id.as_str()))
    {
        if id.is_empty() {
            return Err(ConfigError::new(
                "key_id and previous_public_key_pem: a key id cannot be empty",
            ));
        }
        if seen.contains(&id) {
            return Err(ConfigError::new(format!(
                "key_id and previous_public_key_pem: the key id {id:?} names two keys"
            )));
        }
        seen.push(id);
    }
    let (current_jwk, current_kid) = public_jwk(current, algorithm, kid).map_err(|detail| {
        ConfigError::new(format!(
            "JWT_PUBLIC_KEY cannot be published as a JWK: {detail}"
        ))
    })?;
    let mut published = vec![current_jwk];
    let mut keys = Vec::with_capacity(previous.len());
    for (id, pem) in previous {
        let refuse = |detail: String| {
            ConfigError::new(format!(
                "previous_public_key_pem({id:?}) is not a PEM {} public key usable with \"{name}\": {detail}",
                family_name(algorithm.family())
            ))
        };
        let key = parse_public(pem).map_err(|e| refuse(e.to_string()))?;
        let mut jwk = Jwk::from_decoding_key(&key, None).map_err(|e| refuse(e.to_string()))?;
        jwk.common.key_id = Some(id.clone());
        let key = JwkKey::from_jwk(&jwk).map_err(refuse)?;
        // The configured algorithms limit it further when verifying.
        let alg = if key.algorithms.contains(&algorithm) {
            algorithm
        } else {
            key.algorithms[0]
        };
        published.push(publishable(jwk, alg, id.clone()));
        keys.push(key);
    }
    if published
        .iter()
        .skip(1)
        .any(|jwk| jwk["kid"] == current_kid)
    {
        return Err(ConfigError::new(format!(
            "previous_public_key_pem: the key id {current_kid:?} is the current key's thumbprint"
        )));
    }
    Ok(Rotation {
        kid: kid.map(str::to_owned),
        previous: JwkSet::from_keys(keys),
        published: json!({ "keys": published }),
    })
}

/// The public JWK of `key` for `algorithm`, with `use: "sig"` and its
/// key id: `kid`, else its RFC 7638 thumbprint. Only public members:
/// jsonwebtoken builds it from the verification key.
fn public_jwk(
    key: &DecodingKey,
    algorithm: Algorithm,
    kid: Option<&str>,
) -> Result<(Value, String), String> {
    let jwk = Jwk::from_decoding_key(key, Some(algorithm)).map_err(|e| e.to_string())?;
    let kid = match kid {
        Some(kid) => kid.to_owned(),
        None => thumbprint(&jwk)?,
    };
    Ok((publishable(jwk, algorithm, kid.clone()), kid))
}

/// RFC 7638: base64url of the SHA-256 of the key's required members.
pub(crate) fn thumbprint(jwk: &Jwk) -> Result<String, String> {
    jwk.thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| e.to_string())
}

fn publishable(mut jwk: Jwk, algorithm: Algorithm, kid: String) -> Value {
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_operations = None;
    jwk.common.key_algorithm = alg_name(algorithm).parse().ok();
    jwk.common.key_id = Some(kid);
    serde_json::to_value(jwk).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyMaterial;

    const RSA_PRIVATE: &str = include_str!("../../../tests/fixtures/keys/rsa_private.pem");
    const RSA_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/rsa_public.pem");
    const RSA_1024: &str = include_str!("../../../tests/fixtures/keys/rsa1024_public.pem");
    const EC_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/ec256_public.pem");
    const ED_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/ed25519_public.pem");

    fn material(public: &str, kid: Option<&str>, previous: &[(&str, &str)]) -> KeyMaterial {
        KeyMaterial {
            public_pem: Some(public.as_bytes().to_vec()),
            key_id: kid.map(str::to_owned),
            previous: previous
                .iter()
                .map(|(kid, pem)| ((*kid).to_owned(), pem.as_bytes().to_vec()))
                .collect(),
            ..KeyMaterial::default()
        }
    }

    fn refusal(material: KeyMaterial, algorithm: Algorithm) -> String {
        crate::keys::ensure_crypto_provider().unwrap();
        match material.load(algorithm) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.message().to_owned(),
        }
    }

    #[test]
    fn duplicate_and_empty_key_ids_are_refused() {
        let twice = material(RSA_PUBLIC, Some("a"), &[("a", RSA_PUBLIC)]);
        assert!(refusal(twice, Algorithm::RS256).contains("key id \"a\" names two keys"));
        let among_old = material(RSA_PUBLIC, None, &[("b", RSA_PUBLIC), ("b", RSA_PUBLIC)]);
        assert!(refusal(among_old, Algorithm::RS256).contains("names two keys"));
        let empty = material(RSA_PUBLIC, Some(""), &[]);
        assert!(refusal(empty, Algorithm::RS256).contains("cannot be empty"));
    }

    #[test]
    fn an_older_key_of_another_family_or_too_small_is_refused() {
        let ec_for_rsa = material(RSA_PUBLIC, None, &[("old", EC_PUBLIC)]);
        let why = refusal(ec_for_rsa, Algorithm::RS256);
        assert!(
            why.starts_with("previous_public_key_pem(\"old\") is not a PEM RSA public key"),
            "{why}"
        );
        let rsa_for_ed = material(ED_PUBLIC, None, &[("old", RSA_PUBLIC)]);
        assert!(refusal(rsa_for_ed, Algorithm::EdDSA).contains("previous_public_key_pem(\"old\")"));
        let small = material(RSA_PUBLIC, None, &[("old", RSA_1024)]);
        assert!(refusal(small, Algorithm::RS256).contains("at least 2048"));
    }

    #[test]
    fn an_hmac_manager_has_no_key_id_and_no_older_public_keys() {
        let hmac = |kid: Option<&str>, previous: &[(&str, &str)]| KeyMaterial {
            secret: Some(b"0123456789abcdef0123456789abcdef".to_vec()),
            ..material(RSA_PUBLIC, kid, previous)
        };
        assert!(refusal(hmac(Some("k"), &[]), Algorithm::HS256).starts_with("key_id "));
        let why = refusal(hmac(None, &[("old", RSA_PUBLIC)]), Algorithm::HS256);
        assert!(
            why.starts_with("previous_public_key_pem needs an asymmetric"),
            "{why}"
        );
        let keys = hmac(None, &[]).load(Algorithm::HS256).unwrap();
        assert_eq!(keys.rotation.published, json!({"keys": []}));
        assert!(!keys.rotation.has_key_ids());
    }

    #[test]
    fn the_published_set_has_public_members_only() {
        crate::keys::ensure_crypto_provider().unwrap();
        let mut with_private = material(RSA_PUBLIC, Some("new"), &[("old", RSA_PUBLIC)]);
        with_private.private_pem = Some(RSA_PRIVATE.as_bytes().to_vec());
        // The same key twice is fine for this test: only its members matter.
        let keys = with_private.load(Algorithm::PS256).unwrap();
        let published = &keys.rotation.published["keys"];
        assert_eq!(published.as_array().unwrap().len(), 2);
        for (jwk, kid) in published.as_array().unwrap().iter().zip(["new", "old"]) {
            let mut members: Vec<_> = jwk.as_object().unwrap().keys().cloned().collect();
            members.sort();
            assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
            assert_eq!(jwk["kid"], kid);
            assert_eq!(jwk["alg"], "PS256");
            assert_eq!(jwk["use"], "sig");
        }
        assert_eq!(keys.rotation.previous.keys()[0].kid.as_deref(), Some("old"));
    }

    #[test]
    fn without_a_key_id_the_key_is_published_under_its_thumbprint() {
        crate::keys::ensure_crypto_provider().unwrap();
        let keys = material(EC_PUBLIC, None, &[])
            .load(Algorithm::ES256)
            .unwrap();
        let jwk = &keys.rotation.published["keys"][0];
        let parsed: Jwk = serde_json::from_value(jwk.clone()).unwrap();
        assert_eq!(jwk["kid"], thumbprint(&parsed).unwrap());
        assert_eq!(jwk["crv"], "P-256");
        assert!(jwk.get("d").is_none());
        // Tokens are not told apart by kid: flask's behaviour.
        assert!(!keys.rotation.has_key_ids());
        let ed = material(ED_PUBLIC, None, &[])
            .load(Algorithm::EdDSA)
            .unwrap();
        let jwk = &ed.rotation.published["keys"][0];
        assert_eq!(
            (&jwk["kty"], &jwk["crv"], &jwk["alg"]),
            (&json!("OKP"), &json!("Ed25519"), &json!("EdDSA"))
        );
    }

    #[test]
    fn the_thumbprint_of_rfc_7638_section_3_1() {
        crate::keys::ensure_crypto_provider().unwrap();
        let jwk: Jwk = serde_json::from_value(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }))
        .unwrap();
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
