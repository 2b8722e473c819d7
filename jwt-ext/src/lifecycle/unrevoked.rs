//! Whether a token is still unrevoked, asked again before it is renewed or
//! exchanged.

use std::rc::Rc;

use crate::{DecodedJwt, Failure, Jwt, JwtManager};

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
