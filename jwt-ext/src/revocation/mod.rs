//! Revocation stores: revoked token ids behind one small trait, and the
//! pipeline's check against them, bounded by a timeout and failing closed.
//! Revoking, rotation and token pairs, which mint and need the manager,
//! are in `lifecycle`.

mod check;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_cluster;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub(crate) use check::{RevocationCheck, family_of};
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
#[cfg(feature = "redis")]
pub use redis_cluster::RedisClusterStore;

/// The future of a [`RevocationStore`] operation.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + 'a>>;

/// Where revoked token ids live: a set of keys that expire.
///
/// Two operations are enough for revocation, logout everywhere and refresh
/// rotation. jwt-ext ships [`MemoryStore`] (one process) and, with the
/// `redis` feature, `RedisStore` (shared by every instance); a SQL table
/// or any other store implements the trait in a few lines.
///
/// ```
/// use std::time::Duration;
/// use jwt_ext::{MemoryStore, RevocationStore};
///
/// # actix_web::rt::System::new().block_on(async {
/// let store = MemoryStore::new();
/// assert!(store.insert("jti-1", Some(Duration::from_secs(60))).await.unwrap());
/// assert!(!store.insert("jti-1", None).await.unwrap(), "already there");
/// assert!(store.contains(&["jti-0".to_owned(), "jti-1".to_owned()]).await.unwrap());
/// # });
/// ```
pub trait RevocationStore: Send + Sync + 'static {
    /// Records `key` for `ttl` (forever when `None`), atomically: `true` if
    /// it was not there yet, `false` if it was. Two concurrent inserts of
    /// the same key must not both answer `true`.
    ///
    /// A key must never expire before its `ttl`: a TTL longer than the
    /// store can express is kept without expiry, never shortened or
    /// wrapped. jwt-ext itself passes `None` for revocations of tokens that
    /// live more than 100 years (or whose `exp` is too large to compute
    /// with), so stores only see TTLs below that.
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool>;

    /// Whether any of `keys` is recorded and not expired.
    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool>;
}

/// A store that could not answer: unreachable, timed out, or failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A store failure described by `message` (never include a token).
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// Store keys, namespaced so one store can serve several purposes.
pub(crate) mod keys {
    /// A revoked token.
    pub(crate) fn revoked(jti: &str) -> String {
        format!("revoked:{jti}")
    }

    /// A refresh token already exchanged by rotation.
    pub(crate) fn used(jti: &str) -> String {
        format!("used:{jti}")
    }

    /// A refresh token exchanged within the last reuse interval: a replay
    /// now is a double submit, not theft.
    pub(crate) fn grace(jti: &str) -> String {
        format!("grace:{jti}")
    }

    /// A refresh-token family revoked after reuse.
    pub(crate) fn family(family: &str) -> String {
        format!("family:{family}")
    }
}
