//! Refresh-token rotation with reuse detection (RFC 9700 §4.14), an opt-in
//! beyond flask-jwt-extended.

use super::TokenPair;
use crate::revocation::{RevocationCheck, family_of, keys};
use crate::{DecodedJwt, Failure, JwtError, JwtErrorKind, JwtManager};

impl JwtManager {
    /// Revokes a verified token until it would expire anyway (logout).
    ///
    /// # Errors
    /// [`Misconfigured`](JwtErrorKind::Misconfigured) without a
    /// [revocation store](crate::JwtManagerBuilder::revocation_store), an
    /// invalid token if it has no `jti`, and
    /// [`StoreUnavailable`](JwtErrorKind::StoreUnavailable) when the store
    /// fails.
    pub async fn revoke_token(&self, jwt: &DecodedJwt) -> Result<(), JwtError> {
        self.revoke(jwt).await.map_err(|e| self.render(e))
    }

    async fn revoke(&self, jwt: &DecodedJwt) -> Result<(), Failure> {
        let check = self.revocation()?;
        let jti = jwt
            .jti()
            .ok_or_else(|| Failure::invalid_token("Missing claim: jti"))?;
        check
            .timed(
                check
                    .store
                    .insert(&keys::revoked(jti), self.remaining_lifetime(jwt)),
            )
            .await?;
        Ok(())
    }

    /// Exchanges a verified refresh token for a new pair of the same
    /// family, and marks the old one as used.
    ///
    /// The new tokens carry the identity and the custom claims of the
    /// exchanged one (the loaders do not run again: see the
    /// [revocation guide](crate::guide::revocation)); the access token is
    /// not fresh. A revoked token, or one of a revoked family, is refused
    /// here too, whether or not the route checked revocation.
    ///
    /// A used refresh token that comes back within the
    /// [reuse interval](crate::JwtManagerBuilder::refresh_reuse_interval)
    /// (5 s by default: two tabs, a retried request) gets another new pair
    /// of the same family. After the interval it is a sign of theft: its
    /// whole family is revoked, so the thief and the victim both have to
    /// log in again. With an interval of zero, of two concurrent exchanges
    /// of one token exactly one succeeds.
    ///
    /// ```
    /// use actix_web::{HttpResponse, post};
    /// use jwt_ext::{Jwt, JwtError, JwtManager, jwt_required};
    ///
    /// #[post("/refresh")]
    /// #[jwt_required(refresh)]
    /// async fn refresh(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    ///     let pair = jwt.rotate_refresh_token(&token).await?;
    ///     Ok(HttpResponse::Ok().json(serde_json::json!({
    ///         "access_token": pair.access_token,
    ///         "refresh_token": pair.refresh_token,
    ///     })))
    /// }
    /// ```
    ///
    /// # Errors
    /// As [`revoke_token`](Self::revoke_token); a 422 for an access token;
    /// 401 `Token has been revoked` for a revoked token and for a token
    /// exchanged before the reuse interval.
    pub async fn rotate_refresh_token(&self, refresh: &DecodedJwt) -> Result<TokenPair, JwtError> {
        self.rotate(refresh).await.map_err(|e| self.render(e))
    }

    async fn rotate(&self, refresh: &DecodedJwt) -> Result<TokenPair, Failure> {
        let check = self.revocation()?;
        if !refresh.is_refresh() {
            return Err(Failure::new(
                JwtErrorKind::WrongTokenType,
                "Only refresh tokens are allowed",
            ));
        }
        let jti = refresh
            .jti()
            .ok_or_else(|| Failure::invalid_token("Missing claim: jti"))?;
        let revoked = || {
            Failure::new(JwtErrorKind::Revoked, "Token has been revoked")
                .with_token(refresh.header().clone(), refresh.claims().clone())
        };
        // First of all: `decode_token` and `skip_revocation_check` routes
        // bring tokens nothing has checked.
        if !self.still_unrevoked_decoded(refresh).await? {
            return Err(revoked());
        }
        let family = family_of(refresh).unwrap_or_else(|| jti.to_owned());
        let replay = match self.exchange(check, refresh, jti).await? {
            Exchange::First => false,
            Exchange::Replay => true,
            Exchange::Reuse => {
                check
                    .timed(
                        check
                            .store
                            .insert(&keys::family(&family), self.family_ttl(refresh)),
                    )
                    .await?;
                tracing::warn!(
                    target: "jwt_ext::revocation",
                    "refresh token reuse detected: its token family is revoked"
                );
                return Err(revoked());
            }
        };
        // A double submit gets a pair, unless theft was detected meanwhile.
        if replay {
            if check
                .timed(check.store.contains(&[keys::family(&family)]))
                .await?
            {
                return Err(revoked());
            }
            tracing::info!(
                target: "jwt_ext::revocation",
                "refresh token replayed within the reuse interval: same family"
            );
        }
        Ok(TokenPair {
            access_token: self
                .renewed_access_token(refresh)
                .claim("fam", &family)
                .mint()?,
            refresh_token: self
                .renewed_refresh_token(refresh)
                .claim("fam", &family)
                .mint()?,
        })
    }

    /// Marks `refresh` as used and says whether it was used before, within
    /// the reuse interval or not.
    ///
    /// Every exchange that finds the token unused records the grace key
    /// (for the interval) before the used key. So the used key never exists
    /// without a grace key recorded at or before it: an exchange that finds
    /// the token already used is a replay within the interval exactly when
    /// the grace key is still there. An exchange that found it unused and
    /// then loses the race for the used key ran alongside the winner: a
    /// double submit as well.
    async fn exchange(
        &self,
        check: &RevocationCheck,
        refresh: &DecodedJwt,
        jti: &str,
    ) -> Result<Exchange, Failure> {
        let interval = check.reuse_interval;
        let lifetime = self.remaining_lifetime(refresh);
        if interval.is_zero() {
            // Strictly single use: one atomic insert decides.
            let first = check
                .timed(check.store.insert(&keys::used(jti), lifetime))
                .await?;
            return Ok(if first {
                Exchange::First
            } else {
                Exchange::Reuse
            });
        }
        if check
            .timed(check.store.contains(&[keys::used(jti)]))
            .await?
        {
            let within = check
                .timed(check.store.contains(&[keys::grace(jti)]))
                .await?;
            return Ok(if within {
                Exchange::Replay
            } else {
                Exchange::Reuse
            });
        }
        check
            .timed(check.store.insert(&keys::grace(jti), Some(interval)))
            .await?;
        let first = check
            .timed(check.store.insert(&keys::used(jti), lifetime))
            .await?;
        Ok(if first {
            Exchange::First
        } else {
            Exchange::Replay
        })
    }

    pub(super) fn revocation(&self) -> Result<&RevocationCheck, Failure> {
        self.settings().revocation.as_ref().ok_or_else(|| {
            Failure::new(
                JwtErrorKind::Misconfigured,
                "No revocation store: configure one with JwtManagerBuilder::revocation_store",
            )
        })
    }
}

/// What an exchange found.
enum Exchange {
    /// The token's first exchange.
    First,
    /// A replay within the reuse interval: a double submit.
    Replay,
    /// A replay after the interval: theft.
    Reuse,
}
