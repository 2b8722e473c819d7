//! The revocation store of the builder; its timeout, failing open and the
//! reuse interval are value options (see [`super::options`]).

use std::sync::Arc;

use crate::JwtManagerBuilder;
use crate::revocation::RevocationStore;

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
        self.revocation_store = Some(Arc::new(store));
        self
    }

    /// Enables [log out everywhere](crate::JwtManager::revoke_all_tokens_of):
    /// every revocation lookup also reads the identity's "not before" time,
    /// in the same store round trip. Needs a store that implements
    /// [`RevocationStore::contains_or_not_before`] (`MemoryStore`,
    /// `RedisStore`); with another store every protected request answers
    /// 503 (fail closed). Defaults to off: the lookup stays as it was.
    ///
    /// ```
    /// use jwt_ext::{JwtManager, MemoryStore};
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .revocation_store(MemoryStore::new())
    ///     .logout_everywhere(true)
    ///     .build()?;
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn logout_everywhere(mut self, enabled: bool) -> Self {
        self.logout_everywhere = enabled;
        self
    }
}
