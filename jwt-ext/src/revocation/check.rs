//! The revocation check of the pipeline: a store lookup bounded by a
//! timeout, failing closed.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::{RevocationStore, StoreError, keys};
use crate::{DecodedJwt, Failure, Jwt, JwtErrorKind, JwtManager, JwtManagerBuilder};

/// How revocation is checked: the store, the time it may take, and what a
/// failing store means.
#[derive(Clone)]
pub(crate) struct RevocationCheck {
    pub(crate) store: Arc<dyn RevocationStore>,
    pub(crate) timeout: Duration,
    pub(crate) fail_open: bool,
    pub(crate) reuse_interval: Duration,
}

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

impl RevocationCheck {
    /// Runs a store operation within the timeout; a failure is a 503.
    pub(crate) async fn timed<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, Failure> {
        let outcome = match actix_web::rt::time::timeout(self.timeout, operation).await {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreError::new(format!(
                "no answer within {:?}",
                self.timeout
            ))),
        };
        outcome.map_err(|e| {
            tracing::error!(
                target: "jwt_ext::revocation",
                reason = %e,
                "revocation store unavailable"
            );
            Failure::new(
                JwtErrorKind::StoreUnavailable,
                "Token revocation status unavailable",
            )
        })
    }

    /// Whether `jwt` is revoked, directly, through its refresh family, or
    /// because it is a refresh token exchanged before the reuse interval
    /// (reuse: the whole family is revoked now).
    pub(crate) async fn is_revoked(
        &self,
        jwt: &DecodedJwt,
        family_ttl: Option<Duration>,
    ) -> Result<bool, Failure> {
        let outcome = self.lookup(jwt, family_ttl).await;
        match outcome {
            Err(err) if self.fail_open && err.kind() == JwtErrorKind::StoreUnavailable => {
                tracing::warn!(
                    target: "jwt_ext::revocation",
                    "revocation store unavailable; failing open as configured"
                );
                Ok(false)
            }
            other => other,
        }
    }

    async fn lookup(
        &self,
        jwt: &DecodedJwt,
        family_ttl: Option<Duration>,
    ) -> Result<bool, Failure> {
        // Tokens without `jti` (third-party ones) cannot be revoked by id.
        let Some(jti) = jwt.jti() else {
            return Ok(false);
        };
        if self.revoked_directly(jwt).await? {
            return Ok(true);
        }
        if jwt.is_refresh() && self.timed(self.store.contains(&[keys::used(jti)])).await? {
            // A replay of a token exchanged moments ago is a double submit:
            // rotation answers it with a pair of the same family.
            if !self.reuse_interval.is_zero()
                && self.timed(self.store.contains(&[keys::grace(jti)])).await?
            {
                return Ok(false);
            }
            if let Some(family) = &family_of(jwt) {
                self.timed(self.store.insert(&keys::family(family), family_ttl))
                    .await?;
            }
            tracing::warn!(
                target: "jwt_ext::revocation",
                "refresh token reuse detected: its token family is revoked"
            );
            return Ok(true);
        }
        Ok(false)
    }

    /// Whether the token itself or its family is revoked, without the reuse
    /// check and without failing open.
    pub(crate) async fn revoked_directly(&self, jwt: &DecodedJwt) -> Result<bool, Failure> {
        let Some(jti) = jwt.jti() else {
            return Ok(false);
        };
        let mut watched = vec![keys::revoked(jti)];
        if let Some(family) = family_of(jwt) {
            watched.push(keys::family(&family));
        }
        self.timed(self.store.contains(&watched)).await
    }
}

impl JwtManager {
    /// Whether `jwt` is still unrevoked now, by the store and the blocklist
    /// loader: asked again before a token is renewed or exchanged, since
    /// the handler may have revoked it. A failing store is an error, never
    /// a yes, whatever `revocation_fail_open` says.
    pub(crate) async fn still_unrevoked(&self, jwt: &Jwt) -> Result<bool, Failure> {
        let settings = self.settings();
        if let Some(check) = &settings.revocation
            && check.revoked_directly(jwt).await?
        {
            return Ok(false);
        }
        match &settings.callbacks.blocklist {
            Some(blocklist) => Ok(!blocklist(jwt.clone()).await?),
            None => Ok(true),
        }
    }

    /// [`still_unrevoked`](Self::still_unrevoked) for a token verified
    /// outside the pipeline.
    pub(crate) async fn still_unrevoked_decoded(&self, jwt: &DecodedJwt) -> Result<bool, Failure> {
        self.still_unrevoked(&Jwt::new(Rc::new(jwt.clone()), None))
            .await
    }

    /// Whether a revocation check can say anything: a store or a
    /// blocklist loader is configured.
    pub(crate) fn checks_revocation(&self) -> bool {
        let settings = self.settings();
        settings.revocation.is_some() || settings.callbacks.blocklist.is_some()
    }
}

/// The rotation family of a token: its `fam` claim, or for a refresh token
/// minted outside rotation (at login), its own `jti`.
pub(crate) fn family_of(jwt: &DecodedJwt) -> Option<String> {
    match jwt.claims().get("fam").and_then(serde_json::Value::as_str) {
        Some(family) => Some(family.to_owned()),
        None if jwt.is_refresh() => jwt.jti().map(str::to_owned),
        None => None,
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
