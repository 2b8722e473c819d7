//! A Redis revocation store, shared by every instance of a service.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::cache::{CacheStats, LocalCache, Value};
use super::redis_tracking::Tracked;
use super::{Lookup, RevocationStore, StoreError, StoreFuture};

/// Revoked keys in Redis, with a TTL equal to the token's remaining
/// lifetime, so the list cleans itself up. Every instance that shares the
/// Redis sees a revocation at once. A TTL too long for Redis's expiry
/// arithmetic (beyond about 73 million years) is kept without expiry.
///
/// The connection is managed: after Redis restarts, the next requests
/// reconnect. While Redis is unreachable, lookups fail and protected routes
/// answer 503 (fail closed), unless fail-open was chosen explicitly.
///
/// Every protected request costs a Redis round trip, unless the store
/// keeps a [local cache](Self::with_local_cache) that Redis keeps coherent.
#[derive(Clone)]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    url: Arc<str>,
    tracked: Option<Arc<Tracked>>,
}

impl RedisStore {
    /// Connects to `url` (for example `redis://127.0.0.1:6379`); keys are
    /// prefixed with `jwt-ext:`.
    ///
    /// # Errors
    /// A [`StoreError`] when the URL is invalid or Redis does not answer.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::new(format!("invalid Redis URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StoreError::new(format!("cannot connect to Redis: {e}")))?;
        Ok(RedisStore {
            connection,
            prefix: "jwt-ext:".to_owned(),
            url: Arc::from(url),
            tracked: None,
        })
    }

    /// Uses `prefix` before every key instead of `jwt-ext:`, e.g. to share a
    /// Redis between services.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        if let Some(tracked) = &self.tracked {
            tracked.set_prefix(&self.prefix);
        }
        self
    }

    /// Keeps the answers of the per-request check in this process, so a
    /// protected request normally costs a local lookup instead of a Redis
    /// round trip, with Redis keeping the copy coherent (server-assisted
    /// client-side caching, Redis 6 or later).
    ///
    /// A second connection, in RESP3 with `CLIENT TRACKING` on, reads
    /// what the cache misses; Redis remembers each key read over it and
    /// pushes an invalidation when any client, on any instance, changes
    /// that key, so a revocation through any instance reaches this one's
    /// cache as fast as Redis can push it. A heartbeat proves the channel
    /// alive four times per [staleness](LocalCache::staleness) period. A
    /// cached answer is never used after the channel was last known alive
    /// plus that bound (100 ms by default): while heartbeats are late,
    /// lookups read Redis directly. When the connection is lost, or a
    /// heartbeat gets no answer for two seconds, the cache is dropped at
    /// once and lookups read Redis directly (and answer 503 while Redis is
    /// down) until the channel is back, which the store re-establishes by
    /// itself.
    ///
    /// Entries live until their token expires, at most
    /// [`capacity`](LocalCache::capacity) of them (100,000 by default,
    /// about 20 MB), the oldest dropped first. Refresh-token rotation and
    /// writes always go to Redis; this instance's own writes also drop
    /// their key from its cache at once.
    ///
    /// ```no_run
    /// use jwt_ext::{LocalCache, RedisStore};
    ///
    /// # async fn run() -> Result<(), jwt_ext::StoreError> {
    /// let store = RedisStore::connect("redis://127.0.0.1:6379")
    ///     .await?
    ///     .with_local_cache(LocalCache::new())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A [`StoreError`] when the second connection cannot be made, or
    /// Redis refuses RESP3 or tracking (before Redis 6).
    pub async fn with_local_cache(mut self, cache: LocalCache) -> Result<Self, StoreError> {
        self.tracked = Some(Tracked::start(&self.url, self.prefix.clone(), cache).await?);
        Ok(self)
    }

    /// The counters of the local cache, if there is one.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.tracked.as_ref().map(|tracked| tracked.cache.stats())
    }

    /// The remaining lifetime of a key, for inspection and tests.
    ///
    /// # Errors
    /// A [`StoreError`] when Redis does not answer.
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, StoreError> {
        let mut connection = self.connection.clone();
        let millis: i64 = redis::cmd("PTTL")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        // -2: no key; -1: no expiry.
        Ok(u64::try_from(millis).ok().map(Duration::from_millis))
    }
}

/// The `PX` argument for `ttl`, or `None` to keep the key without expiry
/// when Redis cannot express the TTL: Redis refuses an expiry whose
/// `now + PX` overflows a signed 64-bit count of milliseconds, so anything
/// above a quarter of that range (about 73 million years) is kept forever.
pub(super) fn px_millis(ttl: Duration) -> Option<i64> {
    const LONGEST: i64 = i64::MAX / 4;
    // At least a millisecond: PX 0 is an error.
    let millis = i64::try_from(ttl.as_millis()).ok()?.max(1);
    (millis <= LONGEST).then_some(millis)
}

/// Raises the time under `KEYS[1]` to `ARGV[1]` unless it is already
/// later, and renews its expiry (`ARGV[2]` milliseconds, empty: none), in
/// one atomic step: of two concurrent logouts the later time wins.
const RAISE_NOT_BEFORE: &str = r"
local at = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current > at then at = current end
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], at)
else
  redis.call('SET', KEYS[1], at, 'PX', ARGV[2])
end
return at
";

fn redis_error(e: redis::RedisError) -> StoreError {
    StoreError::new(format!("Redis: {e}"))
}

impl RevocationStore for RedisStore {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut command = redis::cmd("SET");
            command
                .arg(format!("{}{key}", self.prefix))
                .arg(1)
                .arg("NX");
            if let Some(millis) = ttl.and_then(px_millis) {
                command.arg("PX").arg(millis);
            }
            let reply: Option<String> = command
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            self.forget(key);
            Ok(reply.is_some())
        })
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let found: u64 = keys_command("EXISTS", &self.prefix, keys)
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            Ok(found > 0)
        })
    }

    fn raise_not_before<'a>(
        &'a self,
        key: &'a str,
        at: u64,
        ttl: Option<Duration>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let _: i64 = raise_not_before_command(&self.prefix, key, at, ttl)
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            self.forget(key);
            Ok(())
        })
    }

    fn contains_or_not_before<'a>(
        &'a self,
        keys: &'a [String],
        not_before: &'a str,
    ) -> StoreFuture<'a, (bool, Option<u64>)> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            // One MGET: the per-request cost stays one command, one round trip.
            let values = not_before_lookup(&self.prefix, keys, not_before)
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            read_not_before(values, "Redis")
        })
    }

    fn lookup_now(&self, lookup: Lookup<'_>) -> Option<(bool, Option<u64>)> {
        let tracked = self.tracked.as_ref()?;
        tracked.cache.trusted_epoch()?;
        cached_answer(tracked, lookup)
    }

    fn lookup<'a>(&'a self, lookup: Lookup<'a>) -> StoreFuture<'a, (bool, Option<u64>)> {
        Box::pin(async move {
            if let Some(tracked) = &self.tracked
                && let Some(answer) = self.cached_lookup(tracked, lookup).await?
            {
                return Ok(answer);
            }
            match lookup.not_before {
                Some(not_before) => self.contains_or_not_before(lookup.keys, not_before).await,
                None => Ok((self.contains(lookup.keys).await?, None)),
            }
        })
    }
}

/// The lookup answered by the cache alone, if every key it reads is cached
/// (a "not before" time that does not parse counts as not cached: Redis is
/// asked, and its answer is the error).
fn cached_answer(tracked: &Tracked, lookup: Lookup<'_>) -> Option<(bool, Option<u64>)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let mut listed = false;
    for key in lookup.keys {
        listed |= tracked.cache.get(key, now)?.is_some();
        if listed {
            return Some((true, None));
        }
    }
    let time = match lookup.not_before {
        Some(key) => parse_time(tracked.cache.get(key, now)?.as_deref(), "Redis").ok()?,
        None => None,
    };
    Some((false, time))
}

impl RedisStore {
    /// The lookup answered by the cache, or read over the tracking
    /// connection and cached; `None` when the cache cannot be trusted now
    /// (the caller reads Redis directly).
    async fn cached_lookup(
        &self,
        tracked: &Tracked,
        lookup: Lookup<'_>,
    ) -> Result<Option<(bool, Option<u64>)>, StoreError> {
        let Some(epoch) = tracked.cache.trusted_epoch() else {
            return Ok(None);
        };
        if let Some(answer) = cached_answer(tracked, lookup) {
            return Ok(Some(answer));
        }
        let expires_at = lookup.expires_at.unwrap_or(u64::MAX);
        let Some(mut connection) = tracked.connection() else {
            return Ok(None);
        };
        let command = match lookup.not_before {
            Some(not_before) => not_before_lookup(&self.prefix, lookup.keys, not_before),
            None => keys_command("MGET", &self.prefix, lookup.keys),
        };
        let Ok(values) = command
            .query_async::<Vec<Option<String>>>(&mut connection)
            .await
        else {
            // The channel failed mid-read: its task notices; read directly.
            return Ok(None);
        };
        let names = lookup
            .keys
            .iter()
            .map(String::as_str)
            .chain(lookup.not_before);
        let mut listed = false;
        let mut time = None;
        for (i, (name, value)) in names.zip(values).enumerate() {
            let value: Value = value.map(Arc::from);
            if i < lookup.keys.len() {
                listed |= value.is_some();
            } else {
                time = parse_time(value.as_deref(), "Redis")?;
            }
            tracked.cache.insert(name, value, expires_at, epoch);
        }
        Ok(Some((listed, time)))
    }

    /// Drops `key` from this instance's cache after writing it, so the
    /// next request here sees the write even before Redis's push arrives.
    fn forget(&self, key: &str) {
        if let Some(tracked) = &self.tracked {
            tracked.cache.invalidate(key);
        }
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The script that moves `key`'s "not before" time forward to `at`,
/// atomically, kept for `ttl`.
pub(super) fn raise_not_before_command(
    prefix: &str,
    key: &str,
    at: u64,
    ttl: Option<Duration>,
) -> redis::Cmd {
    let millis = ttl
        .and_then(px_millis)
        .map_or_else(String::new, |millis| millis.to_string());
    let mut command = redis::cmd("EVAL");
    command
        .arg(RAISE_NOT_BEFORE)
        .arg(1)
        .arg(format!("{prefix}{key}"))
        .arg(at)
        .arg(millis);
    command
}

/// The `MGET` of a token's keys and, last, its identity's "not before"
/// time: one command for both.
pub(super) fn not_before_lookup(prefix: &str, keys: &[String], not_before: &str) -> redis::Cmd {
    let mut command = keys_command("MGET", prefix, keys);
    command.arg(format!("{prefix}{not_before}"));
    command
}

/// `name` (`EXISTS`, `MGET`) over `keys`, each under `prefix`.
pub(super) fn keys_command(name: &str, prefix: &str, keys: &[String]) -> redis::Cmd {
    let mut command = redis::cmd(name);
    for key in keys {
        command.arg(format!("{prefix}{key}"));
    }
    command
}

/// Whether any token key was found, and the "not before" time, from the
/// answer of [`not_before_lookup`]; `store` names the store in errors.
pub(super) fn read_not_before(
    mut values: Vec<Option<String>>,
    store: &str,
) -> Result<(bool, Option<u64>), StoreError> {
    let time = parse_time(values.pop().flatten().as_deref(), store)?;
    Ok((values.iter().any(Option::is_some), time))
}

/// A stored "not before" time; unreadable is an error, since refusing is
/// safer than guessing.
fn parse_time(value: Option<&str>, store: &str) -> Result<Option<u64>, StoreError> {
    value
        .map(|time| {
            time.parse::<u64>().map_err(|_| {
                StoreError::new(format!("{store}: a \"not before\" time is not a number"))
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_redis_cannot_hold_are_kept_without_expiry() {
        assert_eq!(px_millis(Duration::from_micros(10)), Some(1));
        assert_eq!(px_millis(Duration::from_secs(60)), Some(60_000));
        // 2^64 ms: a truncating cast would make it 0.
        assert_eq!(
            px_millis(Duration::from_millis(u64::MAX).saturating_add(Duration::from_millis(1))),
            None
        );
        assert_eq!(px_millis(Duration::from_millis(u64::MAX)), None);
        assert_eq!(px_millis(Duration::MAX), None);
    }
}
