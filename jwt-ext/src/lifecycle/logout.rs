//! Log out everywhere: one "not before" time per identity, and the explicit
//! revocation of one refresh-token family.

use serde_json::Value;

use crate::revocation::{family_of, keys};
use crate::{DecodedJwt, Failure, JwtError, JwtErrorKind, JwtManager};

impl JwtManager {
    /// Revokes every token of `identity` issued until now, access and
    /// refresh, on every instance that shares the store (a password change,
    /// a stolen laptop). `identity` is the value of the identity claim as
    /// the tokens carry it (`json!("alice")`, `json!(42)`, ...).
    ///
    /// The store keeps one "not before" time for the identity, which only
    /// moves forward, as long as the longest-lived token it must refuse
    /// lives: every token whose `iat` is not after it answers 401 `Token has
    /// been revoked`. A token minted in the same second as the logout is
    /// refused too (`iat` has whole seconds, so it cannot show that it is
    /// newer); a token without `iat` is refused once its identity logged out
    /// everywhere. Needs
    /// [`logout_everywhere`](crate::JwtManagerBuilder::logout_everywhere).
    ///
    /// ```
    /// use actix_web::{HttpResponse, delete};
    /// use jwt_ext::{Jwt, JwtError, JwtManager, jwt_required};
    ///
    /// #[delete("/logout_everywhere")]
    /// #[jwt_required]
    /// async fn logout_everywhere(jwt: JwtManager, token: Jwt) -> Result<HttpResponse, JwtError> {
    ///     jwt.revoke_all_tokens_of(token.identity()).await?;
    ///     Ok(HttpResponse::Ok().json(serde_json::json!({"msg": "All sessions revoked"})))
    /// }
    /// ```
    ///
    /// # Errors
    /// [`Misconfigured`](JwtErrorKind::Misconfigured) without a revocation
    /// store or without `logout_everywhere`;
    /// [`StoreUnavailable`](JwtErrorKind::StoreUnavailable) (503) when the
    /// store fails, times out, or does not support it.
    pub async fn revoke_all_tokens_of(&self, identity: &Value) -> Result<(), JwtError> {
        self.log_out_everywhere(identity)
            .await
            .map_err(|e| self.render(e))
    }

    async fn log_out_everywhere(&self, identity: &Value) -> Result<(), Failure> {
        let check = self.revocation()?;
        if !check.logout_everywhere {
            return Err(Failure::new(
                JwtErrorKind::Misconfigured,
                "Log out everywhere is off: enable it with JwtManagerBuilder::logout_everywhere",
            ));
        }
        // Before the epoch only with an injected clock: nothing was issued.
        let now = u64::try_from(self.settings().clock.now().timestamp()).unwrap_or(0);
        check
            .timed(check.store.raise_not_before(
                &keys::logout(identity),
                now,
                self.longest_lifetime(),
            ))
            .await
    }

    /// Revokes the rotation family of `token` explicitly: the refresh token
    /// and every token rotation derived from the same login, access tokens
    /// of the family included, answer 401 `Token has been revoked`. `token`
    /// is a refresh token, or an access token minted by
    /// [`rotate_refresh_token`](Self::rotate_refresh_token) (it names its
    /// family).
    ///
    /// # Errors
    /// As [`revoke_token`](Self::revoke_token); 422 `Only refresh tokens are
    /// allowed` for an access token outside any family.
    pub async fn revoke_token_family(&self, token: &DecodedJwt) -> Result<(), JwtError> {
        self.revoke_family(token).await.map_err(|e| self.render(e))
    }

    async fn revoke_family(&self, token: &DecodedJwt) -> Result<(), Failure> {
        let check = self.revocation()?;
        let family = family_of(token).ok_or_else(|| {
            Failure::new(
                JwtErrorKind::WrongTokenType,
                "Only refresh tokens are allowed",
            )
        })?;
        check
            .timed(
                check
                    .store
                    .insert(&keys::family(&family), self.family_ttl(token)),
            )
            .await?;
        Ok(())
    }
}
