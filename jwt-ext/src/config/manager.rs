//! The manager: validated configuration shared by every worker, and the
//! entry point for minting and decoding.

use std::sync::Arc;

use super::{JwtManagerBuilder, Settings};
use crate::{Failure, JwtError};

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
