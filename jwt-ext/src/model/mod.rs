//! What the crate talks about: algorithms, token types and locations,
//! expiry, the clock, and decoded and verified tokens. Plain values; no
//! configuration, no I/O.

pub(crate) mod algorithm;
pub(crate) mod clock;
mod decoded;
mod expiry;
mod jwt;
mod location;
mod token_type;

pub use decoded::DecodedJwt;
pub(crate) use decoded::{ClaimDefaults, parse_object};
pub use expiry::Expiry;
pub use jwt::Jwt;
pub use location::TokenLocation;
pub use token_type::TokenType;
