//! Configuration: every minting and verification option of
//! flask-jwt-extended, with its defaults, built in code or from `JWT_*`
//! environment variables.

mod audience;
mod builder;
mod callbacks;
mod env;
mod issuers;
mod loaders;
mod manager;
mod options;
mod revocation;
mod settings;
mod transport;

pub use audience::Audience;
pub use builder::JwtManagerBuilder;
pub(crate) use callbacks::{Callbacks, JsonLoader};
pub(crate) use issuers::Issuer;
pub use issuers::TrustedIssuer;
pub use manager::JwtManager;
pub(crate) use options::DEFAULT_MAX_TOKEN_SIZE;
pub(crate) use settings::Settings;
pub use transport::SameSite;
pub(crate) use transport::{CookieNames, PERSISTENT_COOKIE_MAX_AGE};
