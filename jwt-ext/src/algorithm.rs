//! Names of jsonwebtoken's algorithms as they appear in `alg` headers.

use jsonwebtoken::{Algorithm, AlgorithmFamily};

/// Every algorithm jwt-ext signs and verifies.
pub(crate) const SUPPORTED: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The `alg` header value, e.g. `"HS256"`.
pub(crate) fn alg_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
        _ => "unsupported",
    }
}

/// Parses an `alg` value exactly (case-sensitive, no trimming).
pub(crate) fn parse_alg(name: &str) -> Option<Algorithm> {
    SUPPORTED.into_iter().find(|alg| alg_name(*alg) == name)
}

/// A family name for messages.
pub(crate) fn family_name(family: AlgorithmFamily) -> &'static str {
    match family {
        AlgorithmFamily::Hmac => "HMAC",
        AlgorithmFamily::Rsa => "RSA",
        AlgorithmFamily::Ec => "EC",
        _ => "Ed25519",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_exact() {
        for alg in SUPPORTED {
            assert_eq!(parse_alg(alg_name(alg)), Some(alg));
        }
        for bad in ["hs256", "HS256 ", "HS256\0", "none", "None", ""] {
            assert_eq!(parse_alg(bad), None, "{bad:?}");
        }
    }
}
