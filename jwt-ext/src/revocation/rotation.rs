//! Refresh-token rotation with reuse detection (RFC 9700 §4.14), an opt-in
//! beyond flask-jwt-extended.

use super::check::family_of;
use super::{TokenPair, keys};
use crate::{DecodedJwt, JwtError, JwtErrorKind, JwtManager};

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
        let check = self.revocation()?;
        let jti = jwt
            .jti()
            .ok_or_else(|| JwtError::invalid_token("Missing claim: jti"))?;
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
        self.rotate(refresh).await.map_err(|e| self.own(e))
    }

    async fn rotate(&self, refresh: &DecodedJwt) -> Result<TokenPair, JwtError> {
        let check = self.revocation()?;
        if !refresh.is_refresh() {
            return Err(JwtError::new(
                JwtErrorKind::WrongTokenType,
                "Only refresh tokens are allowed",
            ));
        }
        let jti = refresh
            .jti()
            .ok_or_else(|| JwtError::invalid_token("Missing claim: jti"))?;
        let revoked = || {
            JwtError::new(JwtErrorKind::Revoked, "Token has been revoked")
                .with_token(refresh.header().clone(), refresh.claims().clone())
        };
        // First of all: `decode_token` and `skip_revocation_check` routes
        // bring tokens nothing has checked.
        if !self.still_unrevoked_decoded(refresh).await? {
            return Err(revoked());
        }
        let family = family_of(refresh).unwrap_or_else(|| jti.to_owned());
        let interval = check.reuse_interval;
        // The grace key goes in before the used key: an exchange that finds
        // the token used finds the grace key too while the interval lasts,
        // however two exchanges interleave.
        let starts_interval = interval.is_zero()
            || check
                .timed(check.store.insert(&keys::grace(jti), Some(interval)))
                .await?;
        let first_use = check
            .timed(
                check
                    .store
                    .insert(&keys::used(jti), self.remaining_lifetime(refresh)),
            )
            .await?;
        if !first_use {
            if starts_interval {
                check
                    .timed(
                        check
                            .store
                            .insert(&keys::family(&family), self.family_ttl(refresh)),
                    )
                    .await?;
                tracing::warn!("refresh token reuse detected: its token family is revoked");
                return Err(revoked());
            }
            // A double submit; unless theft was detected meanwhile.
            if check
                .timed(check.store.contains(&[keys::family(&family)]))
                .await?
            {
                return Err(revoked());
            }
            tracing::info!("refresh token replayed within the reuse interval: same family");
        }
        Ok(TokenPair {
            access_token: self
                .renewed_access_token(refresh)
                .claim("fam", &family)
                .encode()?,
            refresh_token: self
                .renewed_refresh_token(refresh)
                .claim("fam", &family)
                .encode()?,
        })
    }

    fn revocation(&self) -> Result<&super::RevocationCheck, JwtError> {
        self.settings().revocation.as_ref().ok_or_else(|| {
            JwtError::new(
                JwtErrorKind::Misconfigured,
                "No revocation store: configure one with JwtManagerBuilder::revocation_store",
            )
        })
    }
}
