//! Keys chosen per token by the key loaders: typed by algorithm family, so
//! a key is never used with an algorithm of another family.

use jsonwebtoken::{AlgorithmFamily, DecodingKey, EncodingKey};

use crate::ConfigError;

/// A signing key returned by an
/// [`encode_key_loader`](crate::JwtManagerBuilder::encode_key_loader),
/// optionally named by a `kid` header. Parse keys once, at start-up, and
/// hand out clones.
#[derive(Clone)]
pub struct SigningKey {
    pub(crate) key: EncodingKey,
    pub(crate) family: AlgorithmFamily,
    pub(crate) kid: Option<String>,
}

/// A verification key returned by a
/// [`decode_key_loader`](crate::JwtManagerBuilder::decode_key_loader).
#[derive(Clone)]
pub struct VerifyingKey {
    pub(crate) key: DecodingKey,
    pub(crate) family: AlgorithmFamily,
}

fn bad(what: &str, e: jsonwebtoken::errors::Error) -> ConfigError {
    ConfigError::new(format!("not a usable {what}: {e}"))
}

impl SigningKey {
    /// An HMAC secret (HS256/384/512).
    ///
    /// # Errors
    /// An empty secret, or public-key text (PEM, OpenSSH) used as a secret.
    pub fn hmac(secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        crate::keys::refuse_asymmetric_key_text(secret.as_ref())?;
        let key = EncodingKey::from_secret(secret.as_ref()).map_err(|e| bad("HMAC secret", e))?;
        Ok(SigningKey {
            key,
            family: AlgorithmFamily::Hmac,
            kid: None,
        })
    }

    /// A PEM RSA private key (RS*/PS*).
    ///
    /// # Errors
    /// A PEM that is not an RSA private key.
    pub fn rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = EncodingKey::from_rsa_pem(pem.as_ref()).map_err(|e| bad("RSA private key", e))?;
        Ok(SigningKey {
            key,
            family: AlgorithmFamily::Rsa,
            kid: None,
        })
    }

    /// A PEM EC private key (ES256/384).
    ///
    /// # Errors
    /// A PEM that is not an EC private key.
    pub fn ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = EncodingKey::from_ec_pem(pem.as_ref()).map_err(|e| bad("EC private key", e))?;
        Ok(SigningKey {
            key,
            family: AlgorithmFamily::Ec,
            kid: None,
        })
    }

    /// A PEM Ed25519 private key (EdDSA).
    ///
    /// # Errors
    /// A PEM that is not an Ed25519 private key.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key =
            EncodingKey::from_ed_pem(pem.as_ref()).map_err(|e| bad("Ed25519 private key", e))?;
        Ok(SigningKey {
            key,
            family: AlgorithmFamily::Ed,
            kid: None,
        })
    }

    /// Names the key in the `kid` header of the tokens it signs, so
    /// verifiers can pick the matching key (key rotation).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }
}

impl VerifyingKey {
    /// An HMAC secret (HS256/384/512).
    ///
    /// # Errors
    /// An empty secret, or public-key text (PEM, OpenSSH) used as a secret.
    pub fn hmac(secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        crate::keys::refuse_asymmetric_key_text(secret.as_ref())?;
        let key = DecodingKey::from_secret(secret.as_ref()).map_err(|e| bad("HMAC secret", e))?;
        Ok(VerifyingKey {
            key,
            family: AlgorithmFamily::Hmac,
        })
    }

    /// A PEM RSA public key (RS*/PS*).
    ///
    /// # Errors
    /// A PEM that is not an RSA public key.
    pub fn rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_rsa_pem(pem.as_ref()).map_err(|e| bad("RSA public key", e))?;
        Ok(VerifyingKey {
            key,
            family: AlgorithmFamily::Rsa,
        })
    }

    /// A PEM EC public key (ES256/384).
    ///
    /// # Errors
    /// A PEM that is not an EC public key.
    pub fn ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_ec_pem(pem.as_ref()).map_err(|e| bad("EC public key", e))?;
        Ok(VerifyingKey {
            key,
            family: AlgorithmFamily::Ec,
        })
    }

    /// A PEM Ed25519 public key (EdDSA).
    ///
    /// # Errors
    /// A PEM that is not an Ed25519 public key.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key =
            DecodingKey::from_ed_pem(pem.as_ref()).map_err(|e| bad("Ed25519 public key", e))?;
        Ok(VerifyingKey {
            key,
            family: AlgorithmFamily::Ed,
        })
    }
}

impl std::fmt::Debug for SigningKey {
    // Key material stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("family", &self.family)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}
