//! Finding the token in a request, one module per location.

mod header;

use actix_web::HttpRequest;

use crate::config::Settings;
use crate::{JwtError, TokenLocation};

/// The encoded token found at `location`, or the error of that location
/// (a [`NoAuthorization`](crate::JwtErrorKind::NoAuthorization) error means
/// "not here", and lets the next location be tried).
pub(crate) fn find_token(
    req: &HttpRequest,
    settings: &Settings,
    location: TokenLocation,
) -> Result<String, JwtError> {
    match location {
        TokenLocation::Headers => header::token_from_header(req, settings),
    }
}
