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
}
