//! The cookie location: flask-jwt-extended's `_decode_jwt_from_cookies`,
//! with the CSRF double submit on state-changing methods. The request is
//! read as a WSGI server hands it to flask: the `Cookie` header parsed by
//! Werkzeug's rules, repeated headers joined.

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::Version;
use actix_web::http::header::COOKIE;

use super::Found;
use super::body::{Body, is_form};
use crate::compat::werkzeug_cookies;
use crate::compat::wsgi::{joined_header, latin1_header};
use crate::config::{CookieNames, Settings};
use crate::{Failure, JwtErrorKind, TokenType};

pub(crate) fn token_from_cookies<'r>(
    req: &'r HttpRequest,
    settings: &Settings,
    token_type: TokenType,
    body: &Body,
) -> Result<Found<'r>, Failure> {
    let names = cookie_names(settings, token_type);
    let token = match cookie_header(req) {
        None => None,
        Some(Cow::Borrowed(header)) => werkzeug_cookies::get(header, &names.cookie),
        Some(Cow::Owned(header)) => werkzeug_cookies::get(&header, &names.cookie)
            .map(|value| Cow::Owned(value.into_owned())),
    };
    let Some(token) = token.filter(|token| !token.is_empty()) else {
        return Err(Failure::new(
            JwtErrorKind::NoAuthorization,
            format!("Missing cookie \"{}\"", names.cookie),
        ));
    };
    if !needs_csrf(req, settings) {
        return Ok(Found { token, csrf: None });
    }
    // The proof comes from a header (or form field) that only the site's own
    // scripts can set; the CSRF cookie itself never counts, since the browser
    // sends it along with the forged request.
    let mut csrf = csrf_header(req, names).map(|value| latin1_header(value).into_owned());
    if csrf.is_none() && settings.csrf_check_form {
        csrf = csrf_form_field(req, names, body);
    }
    match csrf {
        Some(csrf) => Ok(Found {
            token,
            csrf: Some(csrf),
        }),
        None => Err(Failure::new(JwtErrorKind::Csrf, "Missing CSRF token")),
    }
}

/// The `Cookie` header as flask sees it. Over HTTP/1 a WSGI server joins
/// repeated headers with `,`, which Werkzeug then reads as part of a value.
/// HTTP/2 and HTTP/3 clients split one cookie header into crumbs, which
/// RFC 9113 §8.2.3 rejoins with `; ` before any HTTP/1 hop to flask.
fn cookie_header(req: &HttpRequest) -> Option<Cow<'_, [u8]>> {
    let separator: &[u8] = if req.version() >= Version::HTTP_2 {
        b"; "
    } else {
        b","
    };
    joined_header(req, COOKIE, separator)
}

/// The cookie, CSRF and JSON key names of `token_type`'s tokens.
pub(crate) fn cookie_names(settings: &Settings, token_type: TokenType) -> &CookieNames {
    match token_type {
        TokenType::Access => &settings.transport.access,
        TokenType::Refresh => &settings.transport.refresh,
    }
}

/// CSRF applies to cookies when protection is on and the method is one of
/// `JWT_CSRF_METHODS`.
pub(crate) fn needs_csrf(req: &HttpRequest, settings: &Settings) -> bool {
    settings.csrf_protect && settings.csrf_methods.contains(req.method())
}

/// The CSRF header, repeated values joined with `,` as flask sees them (a
/// right value then a wrong one is no match); `None` when absent or empty,
/// as flask's `not csrf_value`.
fn csrf_header<'r>(req: &'r HttpRequest, names: &CookieNames) -> Option<Cow<'r, [u8]>> {
    joined_header(req, names.csrf_header.as_str(), b",").filter(|value| !value.is_empty())
}

/// Whether the CSRF value must be looked for in a form body: the guard
/// decides this before the body can be read.
pub(crate) fn wants_form_body(
    req: &HttpRequest,
    settings: &Settings,
    token_type: TokenType,
) -> bool {
    settings.csrf_check_form
        && needs_csrf(req, settings)
        && is_form(req)
        && csrf_header(req, cookie_names(settings, token_type)).is_none()
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
