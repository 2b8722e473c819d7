//! The query-string location: flask-jwt-extended's
//! `_decode_jwt_from_query_string`, typo included.

use actix_web::HttpRequest;

use super::Found;
use crate::config::Settings;
use crate::{Failure, JwtErrorKind};

pub(crate) fn token_from_query(
    req: &HttpRequest,
    settings: &Settings,
) -> Result<Found<'static>, Failure> {
    let name = &settings.query_string_name;
    let prefix = &settings.query_string_value_prefix;
    // Werkzeug's `request.args.get` takes the first value of a repeated
    // name (quirk 5).
    let value = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap_or_default();
    if value.is_empty() {
        // "paramater" is flask's spelling; clients may match on it (quirk 5).
        return Err(Failure::new(
            JwtErrorKind::NoAuthorization,
            format!("Missing '{name}' query paramater"),
        ));
    }
    match value.strip_prefix(prefix.as_str()) {
        Some(token) => Ok(Found {
            token: token.to_owned().into(),
            csrf: None,
        }),
        None => Err(Failure::new(
            JwtErrorKind::InvalidQueryParam,
            format!(
                "Invalid value for query parameter '{name}'. Expected the value to start with '{prefix}'"
            ),
        )),
    }
}
