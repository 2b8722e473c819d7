//! Revocation stores: revoked token ids behind one small trait, and the
//! pipeline's check against them, bounded by a timeout and failing closed.
//! Revoking, rotation and token pairs, which mint and need the manager,
//! are in `lifecycle`.

#[cfg(feature = "redis")]
mod cache;
mod check;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_cluster;
#[cfg(feature = "redis")]
mod redis_tracking;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

#[cfg(feature = "redis")]
pub use cache::{CacheStats, LocalCache};
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
/// Two operations are enough for revocation and refresh rotation; log out
/// everywhere adds two more ([`raise_not_before`](Self::raise_not_before)
/// and [`contains_or_not_before`](Self::contains_or_not_before)), whose
/// defaults fail, so a store written before them still compiles. The
/// per-request check goes through [`lookup`](Self::lookup), whose default
/// calls those; a store with a local cache overrides it. jwt-ext ships
/// [`MemoryStore`] (one process) and, with the `redis` feature,
/// `RedisStore` (shared by every instance, with an optional local cache
/// kept coherent by Redis); a SQL table or any other store implements the
/// trait in a few lines.
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

    /// Records the time `at` (Unix seconds) under `key` for `ttl` (forever
    /// when `None`), unless a later time is already there: the stored time
    /// only moves forward, atomically, and its TTL is renewed. Used by
    /// [log out everywhere](crate::JwtManager::revoke_all_tokens_of).
    ///
    /// The default answers a [`StoreError`]: a store that does not
    /// implement it cannot log out everywhere, and the call answers 503.
    fn raise_not_before<'a>(
        &'a self,
        key: &'a str,
        at: u64,
        ttl: Option<Duration>,
    ) -> StoreFuture<'a, ()> {
        let _ = (key, at, ttl);
        Box::pin(std::future::ready(Err(unsupported())))
    }

    /// In one round trip: whether any of `keys` is recorded, and the time
    /// recorded under `not_before` by
    /// [`raise_not_before`](Self::raise_not_before), if any.
    ///
    /// The default answers a [`StoreError`], so with
    /// [log out everywhere](crate::JwtManagerBuilder::logout_everywhere)
    /// enabled, every protected request on such a store answers 503 and
    /// its handler does not run (fail closed).
    fn contains_or_not_before<'a>(
        &'a self,
        keys: &'a [String],
        not_before: &'a str,
    ) -> StoreFuture<'a, (bool, Option<u64>)> {
        let _ = (keys, not_before);
        Box::pin(std::future::ready(Err(unsupported())))
    }

    /// The check the pipeline makes once per request: whether any of the
    /// token's keys is recorded and, with log out everywhere, the
    /// identity's "not before" time, in one round trip.
    ///
    /// The default calls [`contains`](Self::contains) or
    /// [`contains_or_not_before`](Self::contains_or_not_before); a store
    /// with a local cache overrides it to use
    /// [`Lookup::expires_at`], which says how long the answer is worth
    /// keeping.
    fn lookup<'a>(&'a self, lookup: Lookup<'a>) -> StoreFuture<'a, (bool, Option<u64>)> {
        Box::pin(async move {
            match lookup.not_before {
                Some(not_before) => self.contains_or_not_before(lookup.keys, not_before).await,
                None => Ok((self.contains(lookup.keys).await?, None)),
            }
        })
    }

    /// [`lookup`](Self::lookup) answered at once, without I/O, when the
    /// store can (from a local cache it trusts); `None` when it would have
    /// to wait. A request answered here skips the asynchronous path
    /// altogether. The default never can.
    fn lookup_now(&self, lookup: Lookup<'_>) -> Option<(bool, Option<u64>)> {
        let _ = lookup;
        None
    }
}

/// What the pipeline asks a [`RevocationStore`] about one token; see
/// [`RevocationStore::lookup`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Lookup<'a> {
    /// The token's keys (its id, its refresh family): is any recorded?
    pub keys: &'a [String],
    /// The key of its identity's "not before" time, with log out
    /// everywhere on.
    pub not_before: Option<&'a str>,
    /// The token's `exp` (Unix seconds), if it has one: after it the
    /// token is refused anyway, so an answer about it is worth nothing.
    pub expires_at: Option<u64>,
}

impl<'a> Lookup<'a> {
    /// A lookup of `keys`, without "not before" time or expiry.
    pub fn new(keys: &'a [String]) -> Self {
        Lookup {
            keys,
            not_before: None,
            expires_at: None,
        }
    }

    /// Also reads the "not before" time under `key`.
    #[must_use]
    pub fn with_not_before(mut self, key: &'a str) -> Self {
        self.not_before = Some(key);
        self
    }

    /// The token expires at `exp` (Unix seconds).
    #[must_use]
    pub fn expiring_at(mut self, exp: Option<u64>) -> Self {
        self.expires_at = exp;
        self
    }
}

fn unsupported() -> StoreError {
    StoreError::new("this revocation store does not support logging out everywhere")
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

    /// The "not before" time of one identity (log out everywhere). The
    /// identity can be any JSON, of any length: its SHA-256 (hex) bounds the
    /// key's length and keeps spaces, `:` and control characters out of
    /// it, so no identity can spell another key.
    pub(crate) fn logout(identity: &serde_json::Value) -> String {
        use sha2::{Digest, Sha256};
        // Compact JSON: the identity as the token's claim holds it.
        let digest = Sha256::digest(identity.to_string().as_bytes());
        let mut key = String::with_capacity(7 + 64);
        key.push_str("logout:");
        for byte in digest {
            key.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
            key.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
        }
        key
    }
}
