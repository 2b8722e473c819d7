//! The manager: validated configuration shared by every worker, and the
//! entry point for minting and decoding.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::config::Settings;
use crate::decode::{self, DecodeOptions};
use crate::{DecodedJwt, Failure, JwtError, JwtErrorKind, JwtManagerBuilder};

/// flask-jwt-extended's `JWTManager`: keys, options and (later) callbacks,
/// checked once at start-up and shared cheaply (`Clone` is an `Arc` clone).
///
/// Register it as app data; `#[jwt_required]`, the extractors and the
/// request helpers find it there. A handler can take it as an extractor to
/// mint tokens:
///
/// ```no_run
/// use actix_web::{App, HttpResponse, HttpServer, post, web};
/// use jwt_ext::{JwtError, JwtManager};
///
/// #[post("/login")]
/// async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
///     let token = jwt.create_access_token("test")?;
///     Ok(HttpResponse::Ok().json(serde_json::json!({ "access_token": token })))
/// }
///
/// #[actix_web::main]
/// async fn main() -> std::io::Result<()> {
///     let jwt = JwtManager::builder()
///         .secret_key("change me: a long random secret")
///         .build()
///         .expect("JWT configuration");
///     HttpServer::new(move || App::new().app_data(jwt.clone()).service(login))
///         .bind(("127.0.0.1", 5000))?
///         .run()
///         .await
/// }
/// ```
#[derive(Clone)]
pub struct JwtManager {
    inner: Arc<Settings>,
}

impl JwtManager {
    /// A builder with flask-jwt-extended's defaults.
    pub fn builder() -> JwtManagerBuilder {
        JwtManagerBuilder::new()
    }

    /// A manager configured from `JWT_*` environment variables; see
    /// [`JwtManagerBuilder::from_env`].
    ///
    /// # Errors
    /// A [`ConfigError`](crate::ConfigError) saying what to fix.
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        JwtManagerBuilder::from_env()?.build()
    }

    pub(crate) fn from_settings(settings: Settings) -> Self {
        JwtManager {
            inner: Arc::new(settings),
        }
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner
    }

    /// The manager registered in the app: `app_data(JwtManager)` or
    /// `app_data(web::Data<JwtManager>)`.
    ///
    /// # Errors
    /// [`JwtErrorKind::Misconfigured`] (500) when neither is registered.
    pub fn from_app(req: &HttpRequest) -> Result<&JwtManager, JwtError> {
        req.app_data::<JwtManager>()
            .or_else(|| {
                req.app_data::<web::Data<JwtManager>>()
                    .map(|data| data.get_ref())
            })
            .ok_or_else(|| {
                Failure::new(
                    JwtErrorKind::Misconfigured,
                    "No JwtManager is registered: add it with App::app_data(jwt_manager.clone())",
                )
                .without_manager()
            })
    }

    /// flask's `decode_token(token)`: verifies signature and claims, adds
    /// flask's defaults. It does not check the token type, freshness or
    /// revocation, as in flask.
    ///
    /// # Errors
    /// The [`JwtError`] flask would raise, carrying this manager's error key.
    pub fn decode_token(&self, token: &str) -> Result<DecodedJwt, JwtError> {
        self.decode_token_with(token, DecodeOptions::default())
    }

    /// [`decode_token`](Self::decode_token) with options, e.g. allowing
    /// expired tokens.
    ///
    /// # Errors
    /// See [`decode_token`](Self::decode_token).
    pub fn decode_token_with(
        &self,
        token: &str,
        options: DecodeOptions,
    ) -> Result<DecodedJwt, JwtError> {
        self.decode(token, &options).map_err(|e| self.render(e))
    }

    /// [`decode_token_with`](Self::decode_token_with) for the crate's own
    /// callers.
    pub(crate) fn decode(
        &self,
        token: &str,
        options: &DecodeOptions,
    ) -> Result<DecodedJwt, Failure> {
        decode::decode(
            self.settings(),
            token,
            options,
            self.settings().clock.now_micros(),
        )
    }

    /// The `jti` of a verified token (flask's `get_jti`), `None` for
    /// third-party tokens without one; e.g. to revoke the token at logout.
    ///
    /// # Errors
    /// As [`decode_token`](Self::decode_token).
    pub fn get_jti(&self, token: &str) -> Result<Option<String>, JwtError> {
        Ok(self.decode_token(token)?.jti().map(str::to_owned))
    }

    /// [`Failure::render`] with this manager's `JWT_ERROR_MESSAGE_KEY` and
    /// custom responses.
    pub(crate) fn render(&self, failure: Failure) -> JwtError {
        failure.render(&self.inner.responses)
    }
}

impl std::fmt::Debug for JwtManager {
    // Keys stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtManager")
            .field("algorithm", &self.inner.algorithm)
            .field("token_locations", &self.inner.token_locations)
            .finish_non_exhaustive()
    }
}

impl FromRequest for JwtManager {
    type Error = JwtError;
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(JwtManager::from_app(req).cloned())
    }
}
