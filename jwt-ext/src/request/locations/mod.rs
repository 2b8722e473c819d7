//! Finding the token in a request, one module per location.

pub(crate) mod body;
pub(crate) mod cookies;
mod header;
mod json;
mod query;

use std::borrow::Cow;

use actix_web::HttpRequest;

use crate::config::Settings;
use crate::{Failure, TokenLocation, TokenType};

use body::Body;

/// A token as found, with the CSRF value sent beside it (cookies only).
/// A plain `Authorization` header and a plain cookie value lend their
/// token; other locations own it.
pub(crate) struct Found<'r> {
    pub(crate) token: Cow<'r, str>,
    pub(crate) csrf: Option<String>,
}

/// The token at `location`, or the error of that location (a
/// [`NoAuthorization`](crate::JwtErrorKind::NoAuthorization) error means
/// "not here", and lets the next location be tried). `token_type` picks the
/// cookie, CSRF names and JSON key to read.
pub(crate) fn find_token<'r>(
    req: &'r HttpRequest,
    settings: &Settings,
    location: TokenLocation,
    token_type: TokenType,
    body: &Body,
) -> Result<Found<'r>, Failure> {
    match location {
        TokenLocation::Headers => {
            header::token_from_header(req, settings).map(|token| Found { token, csrf: None })
        }
        TokenLocation::Cookies => cookies::token_from_cookies(req, settings, token_type, body),
        TokenLocation::QueryString => query::token_from_query(req, settings),
        TokenLocation::Json => json::token_from_json(req, settings, token_type, body),
    }
}

/// Whether looking in `locations` needs the request body: a JSON body, or a
/// CSRF value that may be in a form field, reached before a location that
/// holds a token. A request that announces no body is never waited for.
pub(crate) fn needs_body(
    req: &HttpRequest,
    settings: &Settings,
    locations: &[TokenLocation],
    token_type: TokenType,
) -> bool {
    let wants_body = |location: TokenLocation| match location {
        TokenLocation::Json => body::is_json(req),
        TokenLocation::Cookies => cookies::wants_form_body(req, settings, token_type),
        _ => false,
    };
    if !body::may_have_body(req) || !locations.iter().any(|&location| wants_body(location)) {
        return false;
    }
    for &location in locations {
        if wants_body(location) {
            return true;
        }
        // The lookup stops at the first location that is not "missing":
        // no later body is read for it.
        match find_token(req, settings, location, token_type, &Body::NotRead) {
            Err(err) if err.kind() == crate::JwtErrorKind::NoAuthorization => {}
            _ => return false,
        }
    }
    false
}
