//! Signing and verification keys, parsed once at start-up.

use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};

use crate::ConfigError;
use crate::keys::prepared::KeyId;
use crate::keys::rotation::{self, Rotation};
use crate::model::algorithm::{alg_name, family_name};

/// The keys of one manager: always a verification key, and a signing key
/// unless the service only verifies (an asymmetric public key alone).
pub(crate) struct KeySet {
    pub(crate) encoding: Option<EncodingKey>,
    pub(crate) decoding: DecodingKey,
    /// Names these keys for the signers and verifiers each thread prepares.
    pub(crate) id: KeyId,
    /// The signing key's id, the older keys and the published set.
    pub(crate) rotation: Rotation,
}

/// Key material as configured, before parsing.
#[derive(Clone, Default)]
pub(crate) struct KeyMaterial {
    pub(crate) secret: Option<Vec<u8>>,
    pub(crate) private_pem: Option<Vec<u8>>,
    pub(crate) public_pem: Option<Vec<u8>>,
    /// The signing key's id (`kid`).
    pub(crate) key_id: Option<String>,
    /// Older public keys that still verify, each with its `kid`.
    pub(crate) previous: Vec<(String, Vec<u8>)>,
}

impl KeySet {
    /// The keys of a manager that only verifies other issuers' tokens: a
    /// random HMAC secret nobody knows, so nothing verifies with it, and no
    /// signing key, so nothing is minted.
    pub(crate) fn unusable() -> Result<KeySet, ConfigError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| ConfigError::new(format!("the OS gave no random bytes: {e}")))?;
        let decoding = DecodingKey::from_secret(&secret)
            .map_err(|_| ConfigError::new("no throwaway HMAC key could be made"))?;
        Ok(KeySet {
            encoding: None,
            rotation: Rotation {
                kid: None,
                previous: crate::keys::jwk::JwkSet::from_keys(Vec::new()),
                published: serde_json::json!({ "keys": [] }),
            },
            decoding,
            id: KeyId::next(),
        })
    }
}

impl KeyMaterial {
    /// Whether no key at all is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.secret.is_none()
            && self.private_pem.is_none()
            && self.public_pem.is_none()
            && self.key_id.is_none()
            && self.previous.is_empty()
    }

    /// Parses the keys `algorithm` needs; flask's messages name the option to set.
    pub(crate) fn load(&self, algorithm: Algorithm) -> Result<KeySet, ConfigError> {
        let name = alg_name(algorithm);
        let keys = match algorithm.family() {
            AlgorithmFamily::Hmac => {
                let secret = match self.secret.as_deref() {
                    Some(secret) if !secret.is_empty() => secret,
                    Some(_) => {
                        return Err(ConfigError::new(format!(
                            "JWT_SECRET_KEY is empty; set a long random secret for symmetric algorithm \"{name}\""
                        )));
                    }
                    None => {
                        return Err(ConfigError::new(format!(
                            "JWT_SECRET_KEY or SECRET_KEY must be set when using symmetric algorithm \"{name}\""
                        )));
                    }
                };
                refuse_asymmetric_key_text(secret)?;
                warn_if_short(secret, algorithm);
                let bad = |_| ConfigError::new("JWT_SECRET_KEY cannot be used as an HMAC key");
                let decoding = DecodingKey::from_secret(secret).map_err(bad)?;
                KeySet {
                    encoding: Some(EncodingKey::from_secret(secret).map_err(bad)?),
                    rotation: self.rotation(algorithm, &decoding)?,
                    decoding,
                    id: KeyId::next(),
                }
            }
            family => {
                let public = self.public_pem.as_deref().ok_or_else(|| {
                    ConfigError::new(format!(
                        "JWT_PUBLIC_KEY must be set to use asymmetric cryptography algorithm \"{name}\""
                    ))
                })?;
                let decoding = parse_public(family, public).map_err(|detail| {
                    ConfigError::new(format!(
                        "JWT_PUBLIC_KEY is not a PEM {} public key usable with \"{name}\": {detail}",
                        family_name(family)
                    ))
                })?;
                let encoding = match self.private_pem.as_deref() {
                    Some(private) => Some(parse_private(family, private).map_err(|detail| {
                        ConfigError::new(format!(
                            "JWT_PRIVATE_KEY is not a PEM {} private key usable with \"{name}\": {detail}",
                            family_name(family)
                        ))
                    })?),
                    None => None,
                };
                check_rsa_size(&decoding, algorithm)?;
                KeySet {
                    encoding,
                    rotation: self.rotation(algorithm, &decoding)?,
                    decoding,
                    id: KeyId::next(),
                }
            }
        };
        check_pair(&keys, algorithm)?;
        Ok(keys)
    }

    /// The key id and the older keys, of the family of `algorithm`.
    fn rotation(
        &self,
        algorithm: Algorithm,
        current: &DecodingKey,
    ) -> Result<Rotation, ConfigError> {
        rotation::load(
            algorithm,
            current,
            self.key_id.as_deref(),
            &self.previous,
            |pem| parse_public(algorithm.family(), pem),
        )
    }
}

fn parse_public(
    family: AlgorithmFamily,
    pem: &[u8],
) -> Result<DecodingKey, jsonwebtoken::errors::Error> {
    match family {
        AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
        _ => DecodingKey::from_ed_pem(pem),
    }
}

fn parse_private(
    family: AlgorithmFamily,
    pem: &[u8],
) -> Result<EncodingKey, jsonwebtoken::errors::Error> {
    match family {
        AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => EncodingKey::from_ec_pem(pem),
        _ => EncodingKey::from_ed_pem(pem),
    }
}

/// PyJWT's guard against key confusion (CVE-2017-11424, CVE-2022-29217):
/// public-key text is never an HMAC secret, or anyone holding the public key
/// could sign tokens.
pub(crate) fn refuse_asymmetric_key_text(secret: &[u8]) -> Result<(), ConfigError> {
    let text = secret.trim_ascii_start();
    let markers: [&[u8]; 5] = [
        b"-----BEGIN ",
        b"ssh-rsa",
        b"ssh-ed25519",
        b"ssh-dss",
        b"ecdsa-sha2-",
    ];
    if markers.iter().any(|marker| text.starts_with(marker)) {
        return Err(ConfigError::new(
            "the HMAC secret is an asymmetric key or x509 certificate and should not be used as an HMAC secret; \
             use a random secret, or the asymmetric algorithm the key is for",
        ));
    }
    Ok(())
}

/// RFC 7518 §3.3: RSA keys of 2048 bits or more. Smaller keys are refused.
fn check_rsa_size(key: &DecodingKey, algorithm: Algorithm) -> Result<(), ConfigError> {
    if algorithm.family() != AlgorithmFamily::Rsa {
        return Ok(());
    }
    let DecodingKeyKind::SecretOrDer(der) = key.kind() else {
        return Ok(());
    };
    let Some(provider) = jsonwebtoken::crypto::CryptoProvider::try_get_default() else {
        return Ok(());
    };
    // A backend that cannot take the key apart leaves the size unchecked;
    // the key itself was parsed above.
    let Ok((modulus, _)) = (provider.key_utils.rsa_pub_components_from_public_key)(der) else {
        return Ok(());
    };
    let leading_zeros = modulus.iter().take_while(|b| **b == 0).count();
    let significant = &modulus[leading_zeros..];
    let bits = significant.len() * 8
        - significant
            .first()
            .map_or(8, |b| b.leading_zeros() as usize);
    if bits < 2048 {
        return Err(ConfigError::new(format!(
            "the RSA key has {bits} bits; RFC 7518 requires at least 2048 for \"{}\"",
            alg_name(algorithm)
        )));
    }
    Ok(())
}

/// Signs and verifies a probe, so that a private key of the wrong curve or a
/// public key from another pair fails here and not on the first login.
fn check_pair(keys: &KeySet, algorithm: Algorithm) -> Result<(), ConfigError> {
    let Some(encoding) = &keys.encoding else {
        return Ok(());
    };
    let probe = b"jwt-ext key check";
    let name = alg_name(algorithm);
    let signature = jsonwebtoken::crypto::sign(probe, encoding, algorithm).map_err(|e| {
        ConfigError::new(format!("the signing key cannot sign with \"{name}\": {e}"))
    })?;
    match jsonwebtoken::crypto::verify(&signature, probe, &keys.decoding, algorithm) {
        Ok(true) => Ok(()),
        _ => Err(ConfigError::new(format!(
            "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are not one key pair for \"{name}\": \
             a signature made with the private key does not verify with the public key"
        ))),
    }
}

/// RFC 7518 §3.2 wants an HMAC key at least as long as the hash; PyJWT
/// warns (`InsecureKeyLengthWarning`) and so do we, without refusing, so the
/// `super-secret` of flask's examples still runs.
fn warn_if_short(secret: &[u8], algorithm: Algorithm) {
    let minimum = match algorithm {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    };
    if secret.len() < minimum {
        tracing::warn!(
            target: "jwt_ext::config",
            algorithm = alg_name(algorithm),
            length = secret.len(),
            minimum,
            "JWT_SECRET_KEY is shorter than the hash output; use a random secret of at least {minimum} bytes in production"
        );
    }
}
