//! A token's life after minting: revoking it, rotating refresh tokens with
//! reuse detection, minting access and refresh tokens as a pair, and how
//! long a revocation must be kept, and logging out everywhere.

mod lifetime;
mod logout;
mod pair;
mod rotation;
mod unrevoked;

pub use pair::{TokenPair, TokenPairBuilder};
