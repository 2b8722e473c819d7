//! The token itself: jwt-ext's own JWS decoder and verifier (segments,
//! header, signature through `keys`, claims, in PyJWT's order and with its
//! messages) and the minting of flask-jwt-extended's tokens.

pub(crate) mod decode;
pub(crate) mod mint;

pub use decode::{DecodeOptions, get_unverified_jwt_headers};
pub use mint::{AccessToken, Fresh, RefreshToken};
