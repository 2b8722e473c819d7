//! The JSON body location: flask-jwt-extended's `_decode_jwt_from_json`.

use actix_web::HttpRequest;
use serde_json::Value;

use super::Found;
use super::body::{Body, is_json, may_have_body};
use super::cookies::cookie_names;
use crate::compat::json_dumps::python_truthy;
use crate::config::Settings;
use crate::{Failure, JwtErrorKind, TokenType};

pub(crate) fn token_from_json(
    req: &HttpRequest,
    settings: &Settings,
    token_type: TokenType,
    body: &Body,
) -> Result<Found<'static>, Failure> {
    if !is_json(req) {
        return Err(Failure::new(
            JwtErrorKind::NoAuthorization,
            "Invalid content-type. Must be application/json.",
        ));
    }
    let key = &cookie_names(settings, token_type).json_key;
    let missing = || {
        Failure::new(
            JwtErrorKind::NoAuthorization,
            format!("Missing \"{key}\" key in json data."),
        )
    };
    // No body announced: nothing to wait for, and no token in it.
    if !may_have_body(req) {
        return Err(missing());
    }
    let Body::Read(bytes) = body else {
        return Err(Failure::new(
            JwtErrorKind::BodyUnavailable,
            "The token may be in the JSON body, which verify_jwt_in_request cannot read: use \
             #[jwt_required], the Jwt extractor or verify_jwt_in_request_with_payload",
        ));
    };
    // flask: unparsable JSON, a non-object, a missing key or a falsy value
    // all mean "missing" (quirk 6; flask answers 500 for a list, we do not).
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(missing());
    };
    match map.remove(key.as_str()) {
        Some(Value::String(token)) if !token.is_empty() => Ok(Found {
            token: token.into(),
            csrf: None,
        }),
        // A truthy non-string reaches PyJWT, which refuses it with this message.
        Some(value) if python_truthy(&value) => Err(Failure::invalid_token(
            "Invalid token type. Token must be a <class 'bytes'>",
        )),
        _ => Err(missing()),
    }
}
