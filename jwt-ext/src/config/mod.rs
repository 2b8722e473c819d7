//! Configuration: every minting and verification option of
//! flask-jwt-extended, with its defaults, built in code or from `JWT_*`
//! environment variables.

mod audience;
mod builder;
mod env;
mod error;
mod keys;
pub(crate) use keys::refuse_asymmetric_key_text;
mod provider;
#[cfg(test)]
pub(crate) use provider::ensure_crypto_provider;
mod settings;
mod transport;

pub use audience::Audience;
pub use builder::JwtManagerBuilder;
pub use error::ConfigError;
pub(crate) use settings::Settings;
pub use transport::SameSite;
pub(crate) use transport::{CookieNames, PERSISTENT_COOKIE_MAX_AGE, TransportOptions};
