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

/// The `alg` header value, e.g. `"HS256"`; `"unsupported"` for a variant
/// outside [`SUPPORTED`], which only messages ever show.
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

/// Parses an `alg` value exactly (case-sensitive, no trimming), as
/// jsonwebtoken's `FromStr` does. `Algorithm` is `#[non_exhaustive]`: a name
/// jsonwebtoken learns later (e.g. `ES512`) stays refused until jwt-ext
/// supports it.
pub(crate) fn parse_alg(name: &str) -> Option<Algorithm> {
    name.parse().ok().filter(is_supported)
}

/// Whether jwt-ext signs and verifies with `algorithm`.
pub(crate) fn is_supported(algorithm: &Algorithm) -> bool {
    SUPPORTED.contains(algorithm)
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
        let refused = [
            "hs256", "HS256 ", " HS256", "HS256\0", "eddsa", "EDDSA", "Ed25519", "ES512", "none",
            "None", "",
        ];
        for bad in refused {
            assert_eq!(parse_alg(bad), None, "{bad:?}");
        }
    }
}
