//! What jwt-ext's benchmarks share: the test keys, managers configured as a
//! service would configure them, the hand-written actix-web + jsonwebtoken
//! baseline ([`raw`]) that every figure is compared with, and the
//! interleaved A/B timer ([`ratio`]) that turns a noisy machine's timings
//! into ratios.
//!
//! The bench targets (`cargo bench -p jwt-ext-benches`):
//!
//! | target | measures |
//! |---|---|
//! | `verify` | `decode_token` and the header-to-claims path against `jsonwebtoken::decode`, per algorithm; a trusted issuer's keys (JWKS URL, static JWK Set) against a configured key |
//! | `mint` | `create_access_token` against `jsonwebtoken::encode` |
//! | `pipeline` | `#[jwt_required]` routes through `actix_web::test` against a hand-written handler |
//! | `allocations` | heap allocations per operation, counted by a global allocator |
//!
//! The `anchor` binary is the hand-written server `scripts/load` drives
//! with `wrk` beside the `simple` example. The `ops` binary runs one of
//! these operations a given number of times, for `scripts/instructions`,
//! which counts instructions under callgrind: a figure the machine's load
//! does not move.

pub mod ext;
pub mod fixture;
pub mod issuer;
pub mod loopback;
pub mod ratio;
pub mod raw;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use jsonwebtoken::Algorithm;
use jwt_ext::JwtManager;

/// The algorithms the benches cover, one per key family.
pub const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// The HMAC secret of the benches: 32 bytes, as RFC 7518 wants for HS256
/// (the `anchor` server uses the `simple` example's `super-secret` instead).
pub const SECRET: &str = "bench-secret-0123456789abcdef-012";

/// The identity every bench token is minted for.
pub const IDENTITY: &str = "test";

/// Lifetime of the bench tokens: long enough that no token expires during a
/// run, so an expired-token error can never pass for a fast verification.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

const RSA_PRIVATE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/rsa_private.pem"
));
const RSA_PUBLIC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/rsa_public.pem"
));
const EC_PRIVATE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/ec256_private.pem"
));
const EC_PUBLIC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/ec256_public.pem"
));
const ED_PRIVATE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/ed25519_private.pem"
));
const ED_PUBLIC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/keys/ed25519_public.pem"
));

/// The PEM `(private, public)` test pair of an asymmetric algorithm's
/// family; `None` for HMAC.
pub fn pem_pair(algorithm: Algorithm) -> Option<(&'static str, &'static str)> {
    match algorithm {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => Some((RSA_PRIVATE, RSA_PUBLIC)),
        Algorithm::ES256 => Some((EC_PRIVATE, EC_PUBLIC)),
        Algorithm::EdDSA => Some((ED_PRIVATE, ED_PUBLIC)),
        _ => None,
    }
}

/// A jwt-ext manager for `algorithm` with the test keys and flask's
/// defaults, except a day-long access token lifetime ([`TOKEN_LIFETIME`]).
///
/// # Panics
/// When jwt-ext refuses the configuration.
pub fn manager(algorithm: Algorithm) -> JwtManager {
    let builder = JwtManager::builder()
        .algorithm(algorithm)
        .access_token_expires(TOKEN_LIFETIME);
    let builder = match pem_pair(algorithm) {
        Some((private, public)) => builder.private_key_pem(private).public_key_pem(public),
        None => builder.secret_key(SECRET),
    };
    builder
        .build()
        .unwrap_or_else(|e| panic!("jwt-ext refused the {algorithm:?} bench configuration: {e}"))
}

/// The raw side's keys for `algorithm`: the same key material as
/// [`manager`].
///
/// # Panics
/// When jsonwebtoken cannot parse a test key.
pub fn raw_keys(algorithm: Algorithm) -> raw::RawKeys {
    match pem_pair(algorithm) {
        Some((private, public)) => raw::RawKeys::from_pem(algorithm, private, public),
        None => raw::RawKeys::hmac(algorithm, SECRET.as_bytes()),
    }
}

/// The output of a future that must be ready at once, as jwt-ext's
/// verification is when no body is read and no async loader is configured.
///
/// # Panics
/// When the future is pending.
pub fn now_or_never<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future was expected to be ready at once"),
    }
}
