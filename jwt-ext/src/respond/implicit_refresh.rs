//! Renewing the access cookie of a request whose token is about to expire:
//! flask-jwt-extended's `implicit_refresh` pattern (an `after_request` hook)
//! as actix middleware.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::Error;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::SET_COOKIE;
use chrono::TimeDelta;

use crate::request::outcome::RequestJwt;
use crate::{JwtManager, TokenLocation};

/// Middleware that sets a new access cookie after the handler ran when the
/// request's token came from a cookie and expires within `window`, so a
/// browser session continues without an explicit refresh.
///
/// The new token carries the identity and the custom claims of the old one
/// (the identity and additional-claims loaders do not run again), is not
/// fresh, and has the configured lifetime. The handler's response is
/// otherwise untouched, and requests without a verified cookie token pass
/// through.
///
/// No renewal happens when:
/// - the response already sets or expires the access cookie or its CSRF
///   cookie (a logout, a login as someone else): the handler's cookies stand;
/// - the token is revoked by now: the revocation store and the blocklist
///   loader are asked again after the handler, which may have revoked it.
///   A store that fails means no renewal, and a warning in the log;
/// - the route skipped the revocation check (`skip_revocation_check`)
///   while a store or a blocklist loader is configured: an unchecked token
///   is not extended.
///
/// ```
/// use actix_web::App;
/// use chrono::TimeDelta;
/// use jwt_ext::{ImplicitRefresh, JwtManager, TokenLocation};
///
/// let jwt = JwtManager::builder()
///     .secret_key("change me: a long random secret, 32 bytes or more")
///     .token_location([TokenLocation::Cookies])
///     .access_token_expires(TimeDelta::hours(1))
///     .build()?;
/// let app = App::new().app_data(jwt).wrap(ImplicitRefresh::new(TimeDelta::minutes(30)));
/// # let _ = app;
/// # Ok::<(), jwt_ext::ConfigError>(())
/// ```
///
/// The verified token stays readable after the handler (`get_jwt(req)`
/// works in any middleware), so a different renewal rule is a few lines of
/// `actix_web::middleware::from_fn`.
#[derive(Clone, Copy, Debug)]
pub struct ImplicitRefresh {
    window: TimeDelta,
}

impl ImplicitRefresh {
    /// Renews tokens that expire within `window` (flask's example: 30 minutes).
    pub fn new(window: TimeDelta) -> Self {
        ImplicitRefresh { window }
    }
}

impl<S, B> Transform<S, ServiceRequest> for ImplicitRefresh
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = ImplicitRefreshMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ImplicitRefreshMiddleware {
            service: Rc::new(service),
            window: self.window,
        }))
    }
}

/// The service of [`ImplicitRefresh`].
pub struct ImplicitRefreshMiddleware<S> {
    service: Rc<S>,
    window: TimeDelta,
}

impl<S, B> Service<ServiceRequest> for ImplicitRefreshMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<ServiceResponse<B>, Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let response = self.service.call(req);
        let window = self.window;
        Box::pin(async move {
            let mut response = response.await?;
            renew_if_needed(&mut response, window).await;
            Ok(response)
        })
    }
}

async fn renew_if_needed<B>(response: &mut ServiceResponse<B>, window: TimeDelta) {
    let Some(RequestJwt::Verified(jwt)) = RequestJwt::load(response.request()) else {
        return;
    };
    if jwt.location() != Some(TokenLocation::Cookies) || jwt.is_refresh() {
        return;
    }
    let Some(exp) = jwt.expires_at() else { return };
    let Ok(manager) = JwtManager::from_app(response.request()).cloned() else {
        return;
    };
    // flask: renew when `now + window > exp`, with now's fraction of a
    // second (quirk 19).
    let window_micros = window.num_microseconds().unwrap_or(i64::MAX);
    if manager
        .settings()
        .clock
        .now_micros()
        .saturating_add(window_micros)
        <= exp.saturating_mul(1_000_000)
    {
        return;
    }
    // The handler decided about the cookie (a logout, a new login): it stands.
    if sets_access_cookie(response, &manager) {
        return;
    }
    // A token whose revocation nobody checked is not extended.
    if !jwt.revocation_checked && manager.checks_revocation() {
        return;
    }
    // The handler may have revoked it (a logout that keeps the cookies).
    match manager.still_unrevoked(&jwt).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(err) => {
            tracing::warn!(
                target: "jwt_ext::implicit_refresh",
                reason = err.message(),
                "implicit refresh skipped: revocation status unknown"
            );
            return;
        }
    }
    let renewed = manager
        .renewed_access_token(&jwt)
        .encode()
        .and_then(|token| manager.set_access_cookies(response, &token));
    if let Err(err) = renewed {
        // The response stands; the client refreshes explicitly later.
        tracing::warn!(
            target: "jwt_ext::implicit_refresh",
            reason = err.message(),
            "implicit refresh failed"
        );
    }
}

/// Whether the response sets or expires the access cookie or its CSRF
/// cookie.
fn sets_access_cookie<B>(response: &ServiceResponse<B>, manager: &JwtManager) -> bool {
    let names = &manager.settings().transport.access;
    response
        .headers()
        .get_all(SET_COOKIE)
        .filter_map(|value| value.to_str().ok())
        .filter_map(|cookie| cookie.split_once('='))
        .any(|(name, _)| {
            let name = name.trim();
            name == names.cookie || name == names.csrf_cookie
        })
}
