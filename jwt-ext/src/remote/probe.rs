//! A window on `RemoteKeys` for the integration tests, named in
//! `__private`: not public API.

use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::ConfigError;
use crate::remote::{RemoteKeySource, RemoteKeys};

/// Starts a [`RemoteKeySource`] as a manager would and shows its key ids.
/// Not public API: may change in any release.
#[derive(Clone)]
pub struct RemoteKeysProbe(RemoteKeys);

impl RemoteKeysProbe {
    /// Starts fetching as building a manager does.
    ///
    /// # Errors
    /// The `ConfigError` building a manager would return.
    pub fn start(source: &RemoteKeySource) -> Result<Self, ConfigError> {
        RemoteKeys::start(source).map(RemoteKeysProbe)
    }

    /// The key ids of the set in hand.
    pub fn kids(&self) -> Vec<String> {
        self.0.get().kids()
    }

    /// Identifies the set in hand: the same while fetches bring the same
    /// document, so the verifiers prepared for its keys stay valid.
    pub fn snapshot_id(&self) -> usize {
        std::sync::Arc::as_ptr(&self.0.get()) as usize
    }

    /// Whether the set in hand has a key for this `kid` and `alg`.
    pub fn finds(&self, kid: Option<&str>, alg: Algorithm) -> bool {
        self.0.get().find(kid, alg).is_some()
    }

    /// The key ids after a fetch for an unknown key id; `Err` with the
    /// reason when the provider is unavailable.
    ///
    /// # Errors
    /// The `Unavailable` answer, as text.
    pub async fn refetch_for_unknown_kid(&self) -> Result<Vec<String>, String> {
        self.0
            .refetch_for_unknown_kid()
            .await
            .map(|set| set.kids())
            .map_err(|unavailable| unavailable.to_string())
    }

    /// Drops this handle, the last one, and waits up to `within` for the
    /// fetching thread to end; whether it did.
    pub fn drop_and_wait_for_stop(self, within: Duration) -> bool {
        let shared = self.0.downgrade_shared();
        drop(self);
        let deadline = std::time::Instant::now() + within;
        while shared.strong_count() > 0 {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// The time `n` calls of the request side's `get` take, for the
    /// measurement of its cost.
    pub fn time_gets(&self, n: u32) -> Duration {
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(self.0.get());
        }
        start.elapsed()
    }
}
