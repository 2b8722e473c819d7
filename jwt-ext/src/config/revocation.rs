//! The revocation options of the builder: the store, its timeout, failing
//! open, the reuse interval.

use std::sync::Arc;
use std::time::Duration;

use crate::JwtManagerBuilder;
use crate::revocation::{RevocationCheck, RevocationStore};

/// The builder's revocation settings, assembled into a check at build time.
#[derive(Clone)]
pub(crate) struct RevocationOptions {
    pub(crate) store: Option<Arc<dyn RevocationStore>>,
    pub(crate) timeout: Duration,
    pub(crate) fail_open: bool,
    pub(crate) reuse_interval: Duration,
}

impl Default for RevocationOptions {
    fn default() -> Self {
        RevocationOptions {
            store: None,
            timeout: Duration::from_millis(250),
            fail_open: false,
            reuse_interval: Duration::from_secs(5),
        }
    }
}

impl RevocationOptions {
    pub(crate) fn check(self) -> Option<RevocationCheck> {
        let store = self.store?;
        Some(RevocationCheck {
            store,
            timeout: self.timeout,
            fail_open: self.fail_open,
            reuse_interval: self.reuse_interval,
        })
    }
}

impl JwtManagerBuilder {
    /// Checks every verified token against `store` (unless a route says
    /// `skip_revocation_check`): a revoked token answers 401 `Token has been
    /// revoked`. A store that fails or does not answer within the
    /// [timeout](Self::revocation_timeout) answers 503 and the handler does
    /// not run. Defaults to no store.
    ///
    /// ```
    /// use jwt_ext::{JwtManager, MemoryStore};
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .revocation_store(MemoryStore::new())
    ///     .build()?;
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn revocation_store(mut self, store: impl RevocationStore) -> Self {
        self.revocation.store = Some(Arc::new(store));
        self
    }

    /// How long a revocation lookup may take before the request is refused
    /// with 503. Defaults to 250 ms.
    pub fn revocation_timeout(mut self, timeout: Duration) -> Self {
        self.revocation.timeout = timeout;
        self
    }

    /// How long after a refresh token's exchange a replay of it is taken
    /// for a double submit (two tabs, a retried request) rather than theft:
    /// within the interval the replay gets a new pair of the same family
    /// and nothing is revoked; after it, the whole family is revoked, as
    /// reuse detection wants. Zero makes refresh tokens strictly single-use:
    /// of two concurrent exchanges one wins and the other revokes the
    /// family. Defaults to 5 seconds, as Auth0's reuse interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// use jwt_ext::{JwtManager, MemoryStore};
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .revocation_store(MemoryStore::new())
    ///     .refresh_reuse_interval(Duration::from_secs(2))
    ///     .build()?;
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn refresh_reuse_interval(mut self, interval: Duration) -> Self {
        self.revocation.reuse_interval = interval;
        self
    }

    /// Let requests through when the revocation store fails, instead of
    /// refusing them. Revoked tokens are then accepted while the store is
    /// down: choose this only where availability matters more than logout,
    /// and watch the warning it logs. Defaults to `false` (fail closed).
    pub fn revocation_fail_open(mut self, fail_open: bool) -> Self {
        self.revocation.fail_open = fail_open;
        self
    }
}
