//! The loaders after decoding, in flask's order: revocation (the store, then
//! the blocklist loader), claims verification, user lookup. Only a
//! manager that configures one of them awaits here.

use std::rc::Rc;

use crate::compat::python_str::python_str;
use crate::{DecodedJwt, Failure, Jwt, JwtErrorKind, JwtManager};

use super::VerifyOptions;

/// flask's order after decoding: revocation, claims verification, user
/// lookup. Each loader sees a token whose signature is verified.
pub(super) async fn run_loaders(
    manager: &JwtManager,
    token: Rc<DecodedJwt>,
    options: &VerifyOptions,
) -> Result<Jwt, Failure> {
    let callbacks = &manager.settings().callbacks;
    let mut jwt = Jwt::new(token, None);
    let refused = |kind, message: String, jwt: &Jwt| {
        Failure::new(kind, message).with_token(jwt.header().clone(), jwt.claims().clone())
    };
    if !options.skip_revocation_check && is_revoked(manager, &jwt).await? {
        return Err(revoked(&jwt));
    }
    // What `ImplicitRefresh` needs to know before renewing this token.
    jwt.revocation_checked = !options.skip_revocation_check && manager.checks_revocation();
    if let Some(verify) = &callbacks.claims_verification
        && !verify(jwt.clone()).await?
    {
        return Err(refused(
            JwtErrorKind::ClaimsVerification,
            "User claims verification failed".into(),
            &jwt,
        ));
    }
    if let Some(lookup) = &callbacks.user_lookup {
        match lookup(jwt.clone()).await? {
            Some(user) => jwt.user = Some(user),
            None => {
                // Python's `str()` of the identity (quirk 20).
                let message = format!("Error loading the user {}", python_str(jwt.identity()));
                return Err(refused(JwtErrorKind::UserLookup, message, &jwt));
            }
        }
    }
    Ok(jwt)
}

/// flask's refusal of a revoked token, with the token for the
/// `revoked_token_loader`.
pub(super) fn revoked(jwt: &DecodedJwt) -> Failure {
    Failure::new(JwtErrorKind::Revoked, "Token has been revoked")
        .with_token(jwt.header().clone(), jwt.claims().clone())
}

/// flask's `verify_token_not_blocklisted`, with the store asked first: a
/// token revoked in the store never reaches the blocklist loader.
async fn is_revoked(manager: &JwtManager, jwt: &Jwt) -> Result<bool, Failure> {
    let settings = manager.settings();
    if let Some(check) = &settings.revocation
        && check.is_revoked(jwt, || manager.family_ttl(jwt)).await?
    {
        return Ok(true);
    }
    match &settings.callbacks.blocklist {
        Some(blocklist) => blocklist(jwt.clone()).await,
        None => Ok(false),
    }
}
