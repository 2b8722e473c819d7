//! The revocation check of the pipeline: a store lookup bounded by a
//! timeout, failing closed.

use std::sync::Arc;
use std::time::Duration;

use super::{Lookup, RevocationStore, StoreError, keys};
use crate::{DecodedJwt, Failure, JwtErrorKind};

/// How revocation is checked: the store, the time it may take, and what a
/// failing store means.
#[derive(Clone)]
pub(crate) struct RevocationCheck {
    pub(crate) store: Arc<dyn RevocationStore>,
    pub(crate) timeout: Duration,
    pub(crate) fail_open: bool,
    pub(crate) reuse_interval: Duration,
    /// Whether each lookup also reads the identity's "not before" time
    /// (log out everywhere).
    pub(crate) logout_everywhere: bool,
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
        if self.revoked_directly(jwt).await? {
            return Ok(true);
        }
        // Tokens without `jti` (third-party ones) cannot be revoked by id.
        let Some(jti) = jwt.jti() else {
            return Ok(false);
        };
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

    /// Whether the token itself or its family is revoked, or its identity
    /// logged out everywhere after it was issued, without the reuse check
    /// and without failing open. One store round trip.
    pub(crate) async fn revoked_directly(&self, jwt: &DecodedJwt) -> Result<bool, Failure> {
        let mut watched = Vec::with_capacity(2);
        if let Some(jti) = jwt.jti() {
            watched.push(keys::revoked(jti));
            if let Some(family) = family_of(jwt) {
                watched.push(keys::family(&family));
            }
        }
        if !self.logout_everywhere && watched.is_empty() {
            return Ok(false);
        }
        let not_before = self.logout_everywhere.then(|| keys::logout(jwt.identity()));
        let expires_at = jwt.expires_at().map(|exp| u64::try_from(exp).unwrap_or(0));
        let mut lookup = Lookup::new(&watched).expiring_at(expires_at);
        if let Some(key) = &not_before {
            lookup = lookup.with_not_before(key);
        }
        let (listed, time) = self.timed(self.store.lookup(lookup)).await?;
        Ok(listed || time.is_some_and(|time| issued_by(jwt, time)))
    }
}

/// Whether `jwt` was issued at or before `time` (Unix seconds), so a
/// "log out everywhere" at `time` refuses it.
///
/// `iat` holds whole seconds: a token of the logout's own second may have
/// been minted just before it or just after, and the two cannot be told
/// apart, so it is refused (fail closed; the user logs in again a second
/// later). A token without a numeric `iat` (third-party) cannot show that
/// it is newer, so it is refused too.
fn issued_by(jwt: &DecodedJwt, time: u64) -> bool {
    let iat = match jwt.claims().get("iat") {
        // PyJWT's `int()`: floats are truncated; beyond `i64` saturates.
        Some(serde_json::Value::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(secs), _) => secs,
            (None, Some(_)) => i64::MAX,
            (None, None) => n.as_f64().map_or(i64::MIN, |secs| secs as i64),
        },
        _ => return true,
    };
    u64::try_from(iat).map_or(true, |iat| iat <= time)
}

/// The rotation family of a token: its `fam` claim, or for a refresh token
/// minted outside rotation (at login), its own `jti`.
pub(crate) fn family_of(jwt: &DecodedJwt) -> Option<String> {
    match jwt.family_claim() {
        Some(family) => Some(family.to_owned()),
        None if jwt.is_refresh() => jwt.jti().map(str::to_owned),
        None => None,
    }
}
