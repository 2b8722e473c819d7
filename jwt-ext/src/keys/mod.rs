//! Keys: the PEM and secret material checked at start-up, the public
//! `SigningKey`/`VerifyingKey` of key loaders, the crypto provider, and
//! the signers and verifiers prepared once per thread.
//!
//! jsonwebtoken supplies the key types and signature primitives only;
//! everything else about a JWS is jwt-ext's own (see `token`).

#[cfg(feature = "oidc")]
pub(crate) mod jwk;
mod material;
pub(crate) mod prepared;
mod provider;
mod public;

pub(crate) use material::{KeyMaterial, KeySet, refuse_asymmetric_key_text};
pub(crate) use provider::ensure_crypto_provider;
pub use public::{SigningKey, VerifyingKey};
