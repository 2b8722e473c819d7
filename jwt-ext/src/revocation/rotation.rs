//! Refresh-token rotation with reuse detection (RFC 9700 §4.14), an opt-in
//! beyond flask-jwt-extended.

use std::time::Duration;

use super::check::family_of;
use super::keys;
use crate::{DecodedJwt, Expiry, Fresh, JwtError, JwtErrorKind, JwtManager};

/// A new access token and a new refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    /// The new access token (not fresh).
    pub access_token: String,
    /// The new refresh token, of the same family as the one exchanged.
    pub refresh_token: String,
}

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
    /// family, and marks the old one as used. A used refresh token that
    /// comes back is a sign of theft: its whole family is revoked, so the
    /// thief and the victim both have to log in again. Of two concurrent
    /// exchanges of one token, exactly one succeeds.
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
    /// 401 `Token has been revoked` for a token already exchanged.
    pub async fn rotate_refresh_token(&self, refresh: &DecodedJwt) -> Result<TokenPair, JwtError> {
        let check = self.revocation()?;
        if !refresh.is_refresh() {
            return Err(self.own(JwtError::new(
                JwtErrorKind::WrongTokenType,
                "Only refresh tokens are allowed",
            )));
        }
        let jti = refresh
            .jti()
            .ok_or_else(|| self.own(JwtError::invalid_token("Missing claim: jti")))?;
        let family = family_of(refresh).unwrap_or_else(|| jti.to_owned());
        let first_use = check
            .timed(
                check
                    .store
                    .insert(&keys::used(jti), self.remaining_lifetime(refresh)),
            )
            .await
            .map_err(|e| self.own(e))?;
        if !first_use {
            check
                .timed(
                    check
                        .store
                        .insert(&keys::family(&family), self.family_lifetime()),
                )
                .await
                .map_err(|e| self.own(e))?;
            tracing::warn!(
                target: "jwt_ext::revocation",
                "refresh token reuse detected: its token family is revoked"
            );
            return Err(self.own(
                JwtError::new(JwtErrorKind::Revoked, "Token has been revoked")
                    .with_token(refresh.header().clone(), refresh.claims().clone()),
            ));
        }
        let identity = refresh.identity();
        Ok(TokenPair {
            access_token: self
                .access_token(identity)
                .fresh(Fresh::No)
                .claim("fam", &family)
                .encode()?,
            refresh_token: self
                .refresh_token(identity)
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

    /// How long a revocation must be kept: until the token expires, plus
    /// the leeway during which it would still be accepted.
    pub(crate) fn remaining_lifetime(&self, jwt: &DecodedJwt) -> Option<Duration> {
        let settings = self.settings();
        let exp = jwt.expires_at()?;
        let remaining = exp + settings.leeway_secs - settings.clock.now().timestamp();
        Some(Duration::from_secs(
            u64::try_from(remaining).unwrap_or(0).max(1),
        ))
    }

    /// How long a revoked family is kept: as long as its refresh tokens live.
    pub(crate) fn family_lifetime(&self) -> Option<Duration> {
        match self.settings().refresh_expires {
            Expiry::In(delta) => delta
                .to_std()
                .ok()
                .map(|d| d + Duration::from_secs(self.settings().leeway_secs as u64)),
            Expiry::Never => None,
        }
    }
}
