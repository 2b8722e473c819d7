//! An in-memory revocation store for tests and single-process services.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{RevocationStore, StoreError, StoreFuture};

/// Revoked keys in this process's memory, expiring with their tokens (a
/// TTL beyond what the monotonic clock can hold is kept forever).
///
/// Right for tests and for a single instance; several instances behind a
/// load balancer need a shared store such as `RedisStore`
/// (feature `redis`), or a revocation on one would not be seen by the others.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Option<Instant>>>,
    /// The "not before" times of log out everywhere, with their expiry.
    not_before: Mutex<HashMap<String, (u64, Option<Instant>)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys are recorded and not expired ("not before" times
    /// included).
    pub fn len(&self) -> usize {
        let now = Instant::now();
        let times = lock(&self.not_before)
            .values()
            .filter(|(_, expiry)| live(expiry, now))
            .count();
        self.lock()
            .values()
            .filter(|expiry| live(expiry, now))
            .count()
            + times
    }

    /// Whether no key is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Instant>>> {
        lock(&self.entries)
    }
}

fn lock<T>(map: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves the map usable.
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn live(expiry: &Option<Instant>, now: Instant) -> bool {
    expiry.is_none_or(|at| at > now)
}

impl RevocationStore for MemoryStore {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let mut entries = self.lock();
        // Expired entries go when the map is touched: it cleans itself up.
        entries.retain(|_, expiry| live(expiry, now));
        let inserted = !entries.contains_key(key);
        if inserted {
            // A TTL beyond what `Instant` can hold is kept forever.
            let expiry = ttl.and_then(|ttl| now.checked_add(ttl));
            entries.insert(key.to_owned(), expiry);
        }
        Box::pin(std::future::ready(Ok::<_, StoreError>(inserted)))
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let entries = self.lock();
        let found = keys
            .iter()
            .any(|key| entries.get(key).is_some_and(|expiry| live(expiry, now)));
        Box::pin(std::future::ready(Ok(found)))
    }

    fn raise_not_before<'a>(
        &'a self,
        key: &'a str,
        at: u64,
        ttl: Option<Duration>,
    ) -> StoreFuture<'a, ()> {
        let now = Instant::now();
        let mut times = lock(&self.not_before);
        times.retain(|_, (_, expiry)| live(expiry, now));
        let expiry = ttl.and_then(|ttl| now.checked_add(ttl));
        let entry = times.entry(key.to_owned()).or_insert((at, expiry));
        // Only forward: a slower instance's earlier time cannot undo a later one.
        entry.0 = entry.0.max(at);
        entry.1 = expiry;
        Box::pin(std::future::ready(Ok(())))
    }

    fn contains_or_not_before<'a>(
        &'a self,
        keys: &'a [String],
        not_before: &'a str,
    ) -> StoreFuture<'a, (bool, Option<u64>)> {
        let now = Instant::now();
        let time = lock(&self.not_before)
            .get(not_before)
            .filter(|(_, expiry)| live(expiry, now))
            .map(|(at, _)| *at);
        let found = self.lookup_now(keys, now);
        Box::pin(std::future::ready(found.map(|found| (found, time))))
    }
}

impl MemoryStore {
    fn lookup_now(&self, keys: &[String], now: Instant) -> Result<bool, StoreError> {
        let entries = self.lock();
        Ok(keys
            .iter()
            .any(|key| entries.get(key).is_some_and(|expiry| live(expiry, now))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn entries_expire() {
        let store = MemoryStore::new();
        assert!(
            store
                .insert("a", Some(Duration::from_millis(30)))
                .await
                .unwrap()
        );
        assert!(store.insert("b", None).await.unwrap());
        assert!(store.contains(&["a".to_owned()]).await.unwrap());
        assert_eq!(store.len(), 2);
        std::thread::sleep(Duration::from_millis(50));
        assert!(!store.contains(&["a".to_owned()]).await.unwrap());
        assert!(
            store
                .contains(&["a".to_owned(), "b".to_owned()])
                .await
                .unwrap()
        );
        assert_eq!(store.len(), 1);
        assert!(
            store.insert("a", None).await.unwrap(),
            "expired keys can be recorded again"
        );
    }

    #[actix_web::test]
    async fn a_not_before_time_only_moves_forward_and_expires() {
        let store = MemoryStore::new();
        let none: &[String] = &[];
        assert_eq!(
            store.contains_or_not_before(none, "n").await.unwrap(),
            (false, None)
        );
        store.raise_not_before("n", 20, None).await.unwrap();
        store.raise_not_before("n", 10, None).await.unwrap();
        assert_eq!(
            store.contains_or_not_before(none, "n").await.unwrap(),
            (false, Some(20))
        );
        store.insert("k", None).await.unwrap();
        assert_eq!(
            store
                .contains_or_not_before(&["k".to_owned()], "n")
                .await
                .unwrap(),
            (true, Some(20))
        );
        store
            .raise_not_before("n", 30, Some(Duration::from_millis(30)))
            .await
            .unwrap();
        assert_eq!(
            store.contains_or_not_before(none, "n").await.unwrap(),
            (false, Some(30))
        );
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            store.contains_or_not_before(none, "n").await.unwrap(),
            (false, None)
        );
    }

    #[actix_web::test]
    async fn a_ttl_too_long_for_the_clock_keeps_the_key_forever() {
        let store = MemoryStore::new();
        assert!(store.insert("far", Some(Duration::MAX)).await.unwrap());
        assert!(store.contains(&["far".to_owned()]).await.unwrap());
        assert_eq!(store.len(), 1);
    }
}
