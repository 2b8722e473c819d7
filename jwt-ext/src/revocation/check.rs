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
    /// `family_ttl` is asked only when reuse is found.
    pub(crate) async fn is_revoked(
        &self,
        jwt: &DecodedJwt,
        family_ttl: impl FnOnce() -> Option<Duration>,
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
        family_ttl: impl FnOnce() -> Option<Duration>,
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
                self.timed(self.store.insert(&keys::family(family), family_ttl()))
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
        let Some(query) = self.query(jwt) else {
            return Ok(false);
        };
        let answer = self.timed(self.store.lookup(query.lookup())).await?;
        Ok(revoked_by(jwt, answer))
    }

    /// The whole check answered at once from the store's local state, when
    /// it can answer without I/O: never for a refresh token (its reuse
    /// check reads the store), and never an error (the awaiting path
    /// handles those, and fail-open).
    pub(crate) fn revoked_now(&self, jwt: &DecodedJwt) -> Option<bool> {
        if jwt.is_refresh() {
            return None;
        }
        let Some(query) = self.query(jwt) else {
            return Some(false);
        };
        let answer = self.store.lookup_now(query.lookup())?;
        Some(revoked_by(jwt, answer))
    }

    /// The keys `jwt` is checked under; `None` when it has none.
    fn query(&self, jwt: &DecodedJwt) -> Option<Query> {
        let mut watched = Vec::with_capacity(2);
        if let Some(jti) = jwt.jti() {
            watched.push(keys::revoked(jti));
            if let Some(family) = family_of(jwt) {
                watched.push(keys::family(&family));
            }
        }
        if !self.logout_everywhere && watched.is_empty() {
            return None;
        }
        Some(Query {
            watched,
            not_before: self.logout_everywhere.then(|| keys::logout(jwt.identity())),
            expires_at: jwt.expires_at().map(|exp| u64::try_from(exp).unwrap_or(0)),
        })
    }
}

/// The store keys of one token's check.
struct Query {
    watched: Vec<String>,
    not_before: Option<String>,
    expires_at: Option<u64>,
}

impl Query {
    fn lookup(&self) -> Lookup<'_> {
        let lookup = Lookup::new(&self.watched).expiring_at(self.expires_at);
        match &self.not_before {
            Some(key) => lookup.with_not_before(key),
            None => lookup,
        }
    }
}

/// Whether a store's answer (listed, "not before" time) refuses `jwt`.
fn revoked_by(jwt: &DecodedJwt, (listed, time): (bool, Option<u64>)) -> bool {
    listed || time.is_some_and(|time| issued_by(jwt, time))
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
