//! A local copy of revocation answers, trusted only while the store's
//! invalidation channel is known to be live.
//!
//! The map knows nothing of Redis: the store fills it with what it read,
//! and the channel's owner calls [`Cache::invalidate`] for every key the
//! store says changed, [`Cache::trust_until`] after each heartbeat, and
//! [`Cache::distrust`] when the channel is lost.
//!
//! Races: an answer read from the store may be overtaken by an
//! invalidation of the same key before it is inserted. Every invalidation
//! (and every change of trust) bumps an epoch under the key's shard lock;
//! an answer is inserted only if the epoch it was read in is still the
//! current one, checked under the same lock, so a stale answer is never
//! kept.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the local cache of a [`RedisStore`](super::RedisStore) is sized
/// and how stale it may ever be; see
/// [`RedisStore::with_local_cache`](super::RedisStore::with_local_cache).
///
/// ```
/// use std::time::Duration;
/// use jwt_ext::LocalCache;
///
/// let cache = LocalCache::new()
///     .capacity(200_000)
///     .staleness(Duration::from_millis(50));
/// assert_eq!(cache.capacity_entries(), 200_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalCache {
    capacity: usize,
    staleness: Duration,
}

impl Default for LocalCache {
    fn default() -> Self {
        LocalCache {
            capacity: 100_000,
            staleness: Duration::from_millis(100),
        }
    }
}

impl LocalCache {
    /// 100,000 entries at most (about 20 MB), stale by 100 ms at most.
    pub fn new() -> Self {
        Self::default()
    }

    /// The most entries kept (one per key read: a token's id, its family,
    /// an identity's logout time); beyond it the oldest are dropped.
    /// An entry takes about 200 bytes. At least 16.
    #[must_use]
    pub fn capacity(mut self, entries: usize) -> Self {
        self.capacity = entries.max(16);
        self
    }

    /// The longest a cached answer may be used after the invalidation
    /// channel was last seen alive: a heartbeat runs four times per
    /// period, and when none came back within it, the cache stops being
    /// used (lookups go to Redis) until one does. At least 10 ms.
    #[must_use]
    pub fn staleness(mut self, bound: Duration) -> Self {
        self.staleness = bound.max(Duration::from_millis(10));
        self
    }

    /// The configured capacity, in entries.
    pub fn capacity_entries(&self) -> usize {
        self.capacity
    }

    /// The configured staleness bound.
    pub fn staleness_bound(&self) -> Duration {
        self.staleness
    }
}

/// Counters of a local cache, for monitoring and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Entries held now.
    pub entries: usize,
    /// Lookups answered from the cache alone.
    pub hits: u64,
    /// Lookups that had to read Redis while the cache was trusted.
    pub misses: u64,
    /// Keys invalidated by Redis or by this instance's own writes.
    pub invalidations: u64,
    /// Times the invalidation channel was lost and the cache dropped.
    pub losses: u64,
    /// Whether lookups use the cache now (the channel is live).
    pub trusted: bool,
}

const SHARDS: usize = 16;

/// What a key held when it was read: absent, or its value.
pub(crate) type Value = Option<Arc<str>>;

struct Entry {
    value: Value,
    /// Unix seconds after which the answer is worthless (its token has
    /// expired); `u64::MAX` for none.
    expires_at: u64,
    /// Insertion order, to tell a live entry from a stale queue record.
    seq: u64,
}

#[derive(Default)]
struct Shard {
    map: HashMap<Arc<str>, Entry>,
    /// Oldest first; records of entries since removed are skipped.
    order: VecDeque<(u64, Arc<str>)>,
    next_seq: u64,
    hits: u64,
    misses: u64,
    invalidations: u64,
}

/// The shard of `key`: FNV-1a over its last 8 bytes, which for the keys the
/// pipeline reads (a random `jti`, a hex digest) are already spread; the
/// map hashes the whole key with its own keyed hasher anyway.
fn shard_of(key: &str) -> usize {
    let bytes = key.as_bytes();
    let tail = &bytes[bytes.len().saturating_sub(8)..];
    let mut hash: u32 = 0x811c_9dc5;
    for &byte in tail {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (hash as usize) % SHARDS
}

/// The shared state: shards, epoch and trust.
pub(crate) struct Cache {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    /// Bumped by every invalidation and every change of trust.
    epoch: AtomicU64,
    base: Instant,
    /// Nanoseconds since `base` until which the cache may answer; 0: not
    /// trusted.
    trusted_until: AtomicU64,
    losses: AtomicU64,
    config: LocalCache,
}

impl Cache {
    pub(crate) fn new(config: LocalCache) -> Self {
        Cache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: config.capacity.div_ceil(SHARDS),
            epoch: AtomicU64::new(0),
            base: Instant::now(),
            trusted_until: AtomicU64::new(0),
            losses: AtomicU64::new(0),
            config,
        }
    }

    pub(crate) fn config(&self) -> LocalCache {
        self.config
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, Shard> {
        let index = shard_of(key);
        // A panic elsewhere while holding the lock leaves the map usable.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_nanos(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The epoch to read in, if the cache may answer now.
    pub(crate) fn trusted_epoch(&self) -> Option<u64> {
        // Epoch first: a loss after this bumps it, and the insert is refused.
        let epoch = self.epoch.load(Ordering::Acquire);
        (self.now_nanos() < self.trusted_until.load(Ordering::Acquire)).then_some(epoch)
    }

    /// What `key` held, if cached and its token has not expired by `now`
    /// (Unix seconds).
    pub(crate) fn get(&self, key: &str, now: u64) -> Option<Value> {
        let mut shard = self.shard(key);
        match shard.map.get(key) {
            Some(entry) if entry.expires_at > now => {
                let value = entry.value.clone();
                shard.hits += 1;
                Some(value)
            }
            Some(_) => {
                shard.map.remove(key);
                shard.misses += 1;
                None
            }
            None => {
                shard.misses += 1;
                None
            }
        }
    }

    /// Keeps `value` for `key` until `expires_at`, if nothing changed since
    /// `epoch` was read.
    pub(crate) fn insert(&self, key: &str, value: Value, expires_at: u64, epoch: u64) {
        let mut shard = self.shard(key);
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        let key: Arc<str> = Arc::from(key);
        let seq = shard.next_seq;
        shard.next_seq += 1;
        shard.order.push_back((seq, Arc::clone(&key)));
        shard.map.insert(
            key,
            Entry {
                value,
                expires_at,
                seq,
            },
        );
        while shard.map.len() > self.per_shard {
            let Some((seq, key)) = shard.order.pop_front() else {
                break;
            };
            if shard.map.get(&key).is_some_and(|entry| entry.seq == seq) {
                shard.map.remove(&key);
            }
        }
        // Records of invalidated entries pile up; drop them now and then.
        if shard.order.len() > 2 * self.per_shard + 16 {
            let Shard { map, order, .. } = &mut *shard;
            order.retain(|(seq, key)| map.get(key).is_some_and(|entry| entry.seq == *seq));
        }
    }

    /// Forgets `key`: the store says it changed.
    pub(crate) fn invalidate(&self, key: &str) {
        let mut shard = self.shard(key);
        // Under the lock: an insert of this key either ran before (and is
        // removed now) or sees the new epoch (and is refused).
        self.epoch.fetch_add(1, Ordering::AcqRel);
        shard.map.remove(key);
        shard.invalidations += 1;
    }

    /// Forgets everything (the store was flushed, or trust changed).
    pub(crate) fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        for shard in &*self.shards {
            let mut shard = shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            shard.map = HashMap::new();
            shard.order = VecDeque::new();
        }
    }

    /// Lets the cache answer until `deadline` (a heartbeat sent at
    /// `deadline - staleness` came back).
    pub(crate) fn trust_until(&self, deadline: Instant) {
        let nanos = u64::try_from(deadline.saturating_duration_since(self.base).as_nanos())
            .unwrap_or(u64::MAX);
        self.trusted_until.fetch_max(nanos, Ordering::AcqRel);
    }

    /// Starts trusting a new channel: nothing read before counts.
    pub(crate) fn restart(&self) {
        self.trusted_until.store(0, Ordering::Release);
        self.clear();
    }

    /// The channel is lost: stop answering and drop everything at once.
    pub(crate) fn distrust(&self) {
        self.trusted_until.store(0, Ordering::Release);
        self.clear();
        self.losses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let mut stats = CacheStats {
            losses: self.losses.load(Ordering::Relaxed),
            trusted: self.trusted_epoch().is_some(),
            ..CacheStats::default()
        };
        for shard in &*self.shards {
            let shard = shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            stats.entries += shard.map.len();
            stats.hits += shard.hits;
            stats.misses += shard.misses;
            stats.invalidations += shard.invalidations;
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(config: LocalCache) -> Cache {
        let cache = Cache::new(config);
        cache.trust_until(Instant::now() + Duration::from_secs(60));
        cache
    }

    #[test]
    fn keys_spread_over_the_shards() {
        let mut used = [0usize; SHARDS];
        for i in 0..1600 {
            used[shard_of(&format!("revoked:{}", uuid::Uuid::new_v4()))] += 1;
            used[shard_of(&format!("logout:{i:064x}"))] += 1;
        }
        assert!(used.iter().all(|&n| n > 100), "{used:?}");
    }

    #[test]
    fn answers_only_while_trusted() {
        let cache = Cache::new(LocalCache::new());
        assert_eq!(cache.trusted_epoch(), None, "untrusted until a heartbeat");
        cache.trust_until(Instant::now() + Duration::from_secs(60));
        let epoch = cache.trusted_epoch().expect("trusted");
        cache.insert("revoked:a", None, u64::MAX, epoch);
        assert_eq!(cache.get("revoked:a", 0), Some(None));
        cache.distrust();
        assert_eq!(cache.trusted_epoch(), None);
        assert_eq!(cache.get("revoked:a", 0), None, "dropped at once");
        assert_eq!(cache.stats().losses, 1);
    }

    #[test]
    fn trust_lapses_without_heartbeat() {
        let cache = Cache::new(LocalCache::new());
        cache.trust_until(Instant::now() + Duration::from_millis(20));
        assert!(cache.trusted_epoch().is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(cache.trusted_epoch(), None);
    }

    #[test]
    fn an_answer_overtaken_by_an_invalidation_is_not_kept() {
        let cache = trusted(LocalCache::new());
        let epoch = cache.trusted_epoch().unwrap();
        // Read "absent" from the store; the key is revoked meanwhile.
        cache.invalidate("revoked:a");
        cache.insert("revoked:a", None, u64::MAX, epoch);
        assert_eq!(cache.get("revoked:a", 0), None);
        // Read again in the new epoch: kept.
        let epoch = cache.trusted_epoch().unwrap();
        cache.insert("revoked:a", Some(Arc::from("1")), u64::MAX, epoch);
        assert_eq!(cache.get("revoked:a", 0), Some(Some(Arc::from("1"))));
    }

    #[test]
    fn entries_expire_with_their_token() {
        let cache = trusted(LocalCache::new());
        let epoch = cache.trusted_epoch().unwrap();
        cache.insert("revoked:a", None, 1_000, epoch);
        assert_eq!(cache.get("revoked:a", 999), Some(None));
        assert_eq!(cache.get("revoked:a", 1_000), None);
        assert_eq!(cache.stats().entries, 0, "removed when found expired");
    }

    #[test]
    fn capacity_evicts_the_oldest() {
        let cache = trusted(LocalCache::new().capacity(16 * 4));
        for i in 0..10_000 {
            let epoch = cache.trusted_epoch().unwrap();
            cache.insert(&format!("revoked:{i}"), None, u64::MAX, epoch);
            if i % 3 == 0 {
                cache.invalidate(&format!("revoked:{i}"));
            }
        }
        let stats = cache.stats();
        assert!(stats.entries <= 16 * 4, "{stats:?}");
        assert!(stats.entries > 0);
        assert_eq!(cache.get("revoked:9998", 0), Some(None), "newest kept");
        assert_eq!(cache.get("revoked:1", 0), None, "oldest dropped");
        for shard in &*cache.shards {
            let shard = shard.lock().unwrap();
            assert!(shard.order.len() <= 2 * cache.per_shard + 16 + 1);
        }
    }
}
