//! The cookie location: flask-jwt-extended's `_decode_jwt_from_cookies`,
//! with the CSRF double submit on state-changing methods.

use actix_web::HttpRequest;

use super::Found;
use super::body::{Body, is_form};
use crate::config::{CookieNames, Settings};
use crate::{JwtError, JwtErrorKind};

pub(super) fn token_from_cookies(
    req: &HttpRequest,
    settings: &Settings,
    refresh: bool,
    body: &Body,
) -> Result<Found<'static>, JwtError> {
    let names = cookie_names(settings, refresh);
    let token = req
        .cookie(&names.cookie)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if token.is_empty() {
        return Err(JwtError::new(
            JwtErrorKind::NoAuthorization,
            format!("Missing cookie \"{}\"", names.cookie),
        ));
    }
    if !needs_csrf(req, settings) {
        return Ok(Found {
            token: token.into(),
            csrf: None,
        });
    }
    // The proof comes from a header (or form field) that only the site's own
    // scripts can set; the CSRF cookie itself never counts, since the browser
    // sends it along with the forged request.
    let mut csrf = csrf_header(req, names);
    if csrf.is_none() && settings.transport.csrf_check_form {
        csrf = csrf_form_field(req, names, body);
    }
    match csrf {
        Some(csrf) => Ok(Found {
            token: token.into(),
            csrf: Some(csrf),
        }),
        None => Err(JwtError::new(JwtErrorKind::Csrf, "Missing CSRF token")),
    }
}

pub(crate) fn cookie_names(settings: &Settings, refresh: bool) -> &CookieNames {
    if refresh {
        &settings.transport.refresh
    } else {
        &settings.transport.access
    }
}

/// CSRF applies to cookies when protection is on and the method is one of
/// `JWT_CSRF_METHODS`.
pub(crate) fn needs_csrf(req: &HttpRequest, settings: &Settings) -> bool {
    settings.csrf_protect && settings.transport.csrf_methods.contains(req.method())
}

fn csrf_header(req: &HttpRequest, names: &CookieNames) -> Option<String> {
    req.headers()
        .get(names.csrf_header.as_str())
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the CSRF value must be looked for in a form body: the guard
/// decides this before the body can be read.
pub(crate) fn wants_form_body(req: &HttpRequest, settings: &Settings, refresh: bool) -> bool {
    settings.transport.csrf_check_form
        && needs_csrf(req, settings)
        && is_form(req)
        && csrf_header(req, cookie_names(settings, refresh)).is_none()
}

fn csrf_form_field(req: &HttpRequest, names: &CookieNames, body: &Body) -> Option<String> {
    let Body::Read(bytes) = body else { return None };
    if !is_form(req) {
        return None;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    fields
        .into_iter()
        .find(|(name, _)| *name == names.csrf_field)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}
