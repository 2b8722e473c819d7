//! Makes sure jsonwebtoken has exactly one crypto provider before any token
//! is signed or verified.
//!
//! jsonwebtoken 12 picks its provider from its own crate features and panics
//! at the first signature when both or neither are enabled (feature
//! unification makes "both" easy to reach). Choosing here, when the manager
//! is built, turns that panic into a start-up error or a deterministic choice.

use jsonwebtoken::crypto::CryptoProvider;

use crate::ConfigError;

/// Installs the provider of the enabled backend feature if none is installed;
/// aws-lc-rs wins when both features are on.
pub(crate) fn ensure_crypto_provider() -> Result<&'static CryptoProvider, ConfigError> {
    if let Some(provider) = CryptoProvider::try_get_default() {
        return Ok(provider);
    }
    #[cfg(feature = "aws_lc_rs")]
    let _ = CryptoProvider::install_default(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    #[cfg(all(feature = "rust_crypto", not(feature = "aws_lc_rs")))]
    let _ = CryptoProvider::install_default(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER);
    // Another thread may have installed one in between: take whatever is there.
    CryptoProvider::try_get_default().ok_or_else(|| {
        ConfigError::new(
            "no crypto provider: enable the `aws_lc_rs` (default) or `rust_crypto` feature of \
             jwt-ext, or install one with jsonwebtoken::crypto::CryptoProvider::install_default \
             before building the JwtManager",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "aws_lc_rs", feature = "rust_crypto"))]
    #[test]
    fn a_backend_feature_yields_a_provider() {
        assert!(ensure_crypto_provider().is_ok());
        assert!(CryptoProvider::try_get_default().is_some());
    }

    #[cfg(not(any(feature = "aws_lc_rs", feature = "rust_crypto")))]
    #[test]
    fn no_backend_is_a_startup_error_not_a_panic() {
        let err = ensure_crypto_provider().unwrap_err();
        assert!(err.message().contains("aws_lc_rs"), "{err}");
    }
}
