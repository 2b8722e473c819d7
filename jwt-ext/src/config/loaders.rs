//! The loader setters of [`JwtManagerBuilder`], named as flask-jwt-extended's
//! decorators.

use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::HttpResponse;
use serde_json::{Map, Value};

use super::callbacks::AsyncCheck;
use crate::{Failure, Jwt, JwtError, JwtManagerBuilder};
use crate::{SigningKey, VerifyingKey};

/// Erases an async yes/no loader; its application errors become
/// [`Callback`](crate::JwtErrorKind::Callback) errors.
fn async_check<F, Fut, E>(loader: F) -> AsyncCheck
where
    F: Fn(Jwt) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<bool, E>> + 'static,
    E: Into<actix_web::Error>,
{
    Arc::new(move |jwt| {
        let check = loader(jwt);
        Box::pin(async move { check.await.map_err(Failure::from_callback) })
    })
}

impl JwtManagerBuilder {
    /// flask's `user_identity_loader`: turns the identity given to
    /// `create_access_token` (as JSON: a user object becomes its fields)
    /// into the identity claim. Defaults to the identity unchanged.
    ///
    /// ```
    /// use jwt_ext::JwtManager;
    ///
    /// #[derive(serde::Serialize)]
    /// struct User { id: u64, name: String }
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .user_identity_loader(|user| user["name"].clone())
    ///     .build()?;
    /// let token = jwt.create_access_token(User { id: 1, name: "ann".into() }).unwrap();
    /// assert_eq!(jwt.decode_token(&token).unwrap().identity(), "ann");
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn user_identity_loader(
        mut self,
        loader: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.identity = Some(Arc::new(loader));
        self
    }

    /// flask's `additional_claims_loader`: claims added to every token,
    /// from the identity given to `create_*_token` (before the identity
    /// loader). It must return a JSON object; claims given when minting win.
    /// Defaults to none.
    pub fn additional_claims_loader(
        mut self,
        loader: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.additional_claims = Some(Arc::new(loader));
        self
    }

    /// flask's `additional_headers_loader`: JOSE header fields added to every
    /// token; headers given when minting win. Defaults to none.
    pub fn additional_headers_loader(
        mut self,
        loader: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.additional_headers = Some(Arc::new(loader));
        self
    }

    /// flask's `encode_key_loader`: the signing key for a token, chosen from
    /// the identity; its `kid`, if any, goes into the header. The key must
    /// belong to the configured algorithm's family. Defaults to the
    /// configured key.
    pub fn encode_key_loader(
        mut self,
        loader: impl Fn(&Value) -> SigningKey + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.encode_key = Some(Arc::new(loader));
        self
    }

    /// flask's `decode_key_loader`: the verification key for a token, chosen
    /// from its **unverified** header and claims (for example by `kid`, or
    /// by `iss` for several issuers). Return an error for an unknown key;
    /// a key of another family than the token's `alg` is refused (422).
    /// Defaults to the configured key.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use jwt_ext::{JwtError, JwtErrorKind, JwtManager, VerifyingKey};
    ///
    /// let keys: HashMap<String, VerifyingKey> = HashMap::from([
    ///     ("2026-10".to_owned(), VerifyingKey::hmac("previous secret, still accepted for a while")?),
    ///     ("2026-11".to_owned(), VerifyingKey::hmac("current secret, 32 bytes or more......")?),
    /// ]);
    /// let jwt = JwtManager::builder()
    ///     .secret_key("current secret, 32 bytes or more......")
    ///     .decode_key_loader(move |header, _claims| {
    ///         let kid = header.get("kid").and_then(|kid| kid.as_str()).unwrap_or_default();
    ///         keys.get(kid).cloned().ok_or_else(|| JwtError::new(JwtErrorKind::InvalidToken, "Unknown key id"))
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn decode_key_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> Result<VerifyingKey, JwtError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.callbacks.decode_key = Some(Arc::new(loader));
        self
    }

    /// flask's `token_in_blocklist_loader`, async: `true` revokes the token
    /// (401 `Token has been revoked`). Consulted for access and refresh
    /// tokens unless a route says `skip_revocation_check`. An error of the
    /// loader is answered with that error's response: the handler never
    /// runs. Defaults to no revocation.
    pub fn token_in_blocklist_loader<F, Fut, E>(mut self, loader: F) -> Self
    where
        F: Fn(Jwt) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + 'static,
        E: Into<actix_web::Error>,
    {
        self.callbacks.blocklist = Some(async_check(loader));
        self
    }

    /// flask's `token_verification_loader`, async: `false` refuses the token
    /// (400 `User claims verification failed`). Runs after the signature,
    /// type, freshness and revocation checks. Defaults to accepting.
    pub fn token_verification_loader<F, Fut, E>(mut self, loader: F) -> Self
    where
        F: Fn(Jwt) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + 'static,
        E: Into<actix_web::Error>,
    {
        self.callbacks.claims_verification = Some(async_check(loader));
        self
    }

    /// flask's `user_lookup_loader`, async: loads the application's user for
    /// a verified token, last in the pipeline. `Ok(None)` answers 401
    /// `Error loading the user <identity>`; an error answers that error's
    /// response. Handlers read the user with the
    /// [`CurrentUser<U>`](crate::CurrentUser) extractor or
    /// [`get_current_user`](crate::get_current_user).
    ///
    /// ```
    /// use jwt_ext::{JwtManager, CurrentUser};
    ///
    /// #[derive(Clone)]
    /// struct User { name: String }
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .user_lookup_loader(|jwt| async move {
    ///         // A database query in a real app.
    ///         let name = jwt.identity().as_str().unwrap_or_default().to_owned();
    ///         Ok::<_, actix_web::Error>((name == "ann").then_some(User { name }))
    ///     })
    ///     .build()?;
    ///
    /// async fn who_am_i(user: CurrentUser<User>) -> String {
    ///     user.name.clone()
    /// }
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn user_lookup_loader<U, F, Fut, E>(mut self, loader: F) -> Self
    where
        U: 'static,
        F: Fn(Jwt) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<U>, E>> + 'static,
        E: Into<actix_web::Error>,
    {
        self.callbacks.user_lookup = Some(Arc::new(move |jwt| {
            let lookup = loader(jwt);
            Box::pin(async move {
                let user = lookup.await.map_err(Failure::from_callback)?;
                Ok(user.map(|user| Rc::new(user) as Rc<dyn std::any::Any>))
            })
        }));
        self
    }

    /// flask's `expired_token_loader`: the answer to an expired token, from
    /// its header and claims. Defaults to 401 `{"msg": "Token has expired"}`.
    pub fn expired_token_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.expired = Some(Arc::new(loader));
        self
    }

    /// flask's `invalid_token_loader`: the answer to a malformed or badly
    /// signed token, a wrong token type or a bad header, from the reason.
    /// Defaults to 422 `{"msg": reason}`.
    pub fn invalid_token_loader(
        mut self,
        loader: impl Fn(&str) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.response_loaders.invalid = Some(Arc::new(loader));
        self
    }

    /// flask's `unauthorized_loader`: the answer to a missing token or a
    /// CSRF failure, from the reason. Defaults to 401 `{"msg": reason}`.
    pub fn unauthorized_loader(
        mut self,
        loader: impl Fn(&str) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.response_loaders.unauthorized = Some(Arc::new(loader));
        self
    }

    /// flask's `needs_fresh_token_loader`. Defaults to 401
    /// `{"msg": "Fresh token required"}`.
    pub fn needs_fresh_token_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.needs_fresh = Some(Arc::new(loader));
        self
    }

    /// flask's `revoked_token_loader`. Defaults to 401
    /// `{"msg": "Token has been revoked"}`.
    pub fn revoked_token_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.revoked = Some(Arc::new(loader));
        self
    }

    /// flask's `user_lookup_error_loader`. Defaults to 401
    /// `{"msg": "Error loading the user <identity>"}`.
    pub fn user_lookup_error_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.user_lookup_error = Some(Arc::new(loader));
        self
    }

    /// The answer when the revocation store fails or times out (an addition
    /// to flask), from the reason. Defaults to 503
    /// `{"msg": "Token revocation status unavailable"}`.
    pub fn store_unavailable_loader(
        mut self,
        loader: impl Fn(&str) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.response_loaders.store_unavailable = Some(Arc::new(loader));
        self
    }

    /// The answer when a token names a key its trusted issuer's remote key
    /// set lacks and the set cannot be fetched again (an addition to
    /// flask), from the reason. Defaults to 503
    /// `{"msg": "The token's signing keys are unavailable"}`.
    pub fn keys_unavailable_loader(
        mut self,
        loader: impl Fn(&str) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.response_loaders.keys_unavailable = Some(Arc::new(loader));
        self
    }

    /// flask's `token_verification_failed_loader`. Defaults to 400
    /// `{"msg": "User claims verification failed"}`.
    pub fn token_verification_failed_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.verification_failed = Some(Arc::new(loader));
        self
    }

    /// The answer to a [`JwtError::forbidden`](crate::JwtError::forbidden)
    /// of the application ("authenticated, but not allowed"; an addition to
    /// flask), from its reason. Defaults to 403 `{"msg": reason}`.
    pub fn forbidden_loader(
        mut self,
        loader: impl Fn(&str) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.response_loaders.forbidden = Some(Arc::new(loader));
        self
    }

    /// The answer when a valid token lacks a scope or a role the route
    /// requires (an addition to flask; see
    /// [`VerifyOptions::scopes`](crate::VerifyOptions::scopes)), from its
    /// header and claims. Defaults to 403
    /// `{"msg": "Missing required scopes: <the missing ones>"}` (or `roles`).
    pub fn insufficient_scope_loader(
        mut self,
        loader: impl Fn(&Map<String, Value>, &Map<String, Value>) -> HttpResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.response_loaders.insufficient_scope = Some(Arc::new(loader));
        self
    }
}
