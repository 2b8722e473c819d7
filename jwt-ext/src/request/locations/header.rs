//! The `Authorization` header, parsed exactly as flask-jwt-extended's
//! `_decode_jwt_from_headers`: repeated headers joined with `,` as a WSGI
//! server joins them, comma-separated fields, a case-sensitive scheme,
//! Python's notion of whitespace.

use std::borrow::Cow;

use actix_web::HttpRequest;

use crate::compat::wsgi::{joined_header, latin1_header};
use crate::config::Settings;
use crate::{Failure, JwtErrorKind};

pub(crate) fn token_from_header<'r>(
    req: &'r HttpRequest,
    settings: &Settings,
) -> Result<Cow<'r, str>, Failure> {
    let name = &settings.options.header_name;
    // A WSGI server joins repeated fields with `,`: `Bearer a` twice reads
    // `Bearer a,Bearer a`, two `Bearer` fields, which flask refuses (quirk 1).
    let value = joined_header(req, &settings.header_name, b",");
    if let Some(Cow::Borrowed(value)) = value
        && let Some(token) = plain_token(value, &settings.header_type)
    {
        return Ok(Cow::Borrowed(token));
    }
    // Werkzeug reads header bytes as Latin-1; so do we, so that a non-ASCII
    // byte is a character to split on or reject, never a decoding failure.
    let raw = value.map(latin1_header).unwrap_or_default();
    let value = raw.trim_matches(is_py_space).trim_matches(',');
    if value.is_empty() {
        // Written at start-up: optional routes meet this on every anonymous request.
        return Err(Failure::new(
            JwtErrorKind::NoAuthorization,
            settings.missing_header_message.clone(),
        ));
    }
    parse(value, name, &settings.header_type).map(Cow::Owned)
}

/// The usual `<type> <token>` (one space, a token of printable ASCII
/// without commas), borrowed: the general parse gives the same answer for
/// it. The configured type holds no space or comma (checked at start-up);
/// a non-ASCII type is left to the general parse, which reads the header
/// as Latin-1, not UTF-8.
fn plain_token<'v>(value: &'v [u8], header_type: &str) -> Option<&'v str> {
    if header_type.is_empty() || !header_type.is_ascii() {
        return None;
    }
    let token = value
        .strip_prefix(header_type.as_bytes())?
        .strip_prefix(b" ")?;
    // A fold, not `all`: no early exit, so the loop vectorises.
    let plain = token.iter().fold(!token.is_empty(), |plain, &b| {
        plain & b.is_ascii_graphic() & (b != b',')
    });
    if plain {
        std::str::from_utf8(token).ok()
    } else {
        None
    }
}

fn parse(value: &str, name: &str, header_type: &str) -> Result<String, Failure> {
    if header_type.is_empty() {
        let mut parts = value.split(is_py_space).filter(|p| !p.is_empty());
        return match (parts.next(), parts.next()) {
            (Some(token), None) => Ok(token.to_owned()),
            _ => Err(Failure::new(
                JwtErrorKind::InvalidHeader,
                format!("Bad {name} header. Expected '{name}: <JWT>'"),
            )),
        };
    }
    // `re.split(r",\s*", value)`, keeping fields whose first word is the type.
    let mut matching = split_fields(value).filter(|field| {
        // flask crashes (500) on a field of blanks; we let it match nothing.
        field.split(is_py_space).find(|w| !w.is_empty()) == Some(header_type)
    });
    let (Some(field), None) = (matching.next(), matching.next()) else {
        return Err(Failure::new(
            JwtErrorKind::NoAuthorization,
            format!(
                "Missing '{header_type}' type in '{name}' header. Expected '{name}: {header_type} <JWT>'"
            ),
        ));
    };
    let mut parts = field.split(is_py_space).filter(|p| !p.is_empty());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(token), None) => Ok(token.to_owned()),
        _ => Err(Failure::new(
            JwtErrorKind::InvalidHeader,
            format!("Bad {name} header. Expected '{name}: {header_type} <JWT>'"),
        )),
    }
}

/// Splits on `,` and swallows the whitespace after each comma.
fn split_fields(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').enumerate().map(|(i, field)| {
        if i == 0 {
            field
        } else {
            field.trim_start_matches(is_py_space)
        }
    })
}

/// Python's `str.isspace()` over Latin-1: ASCII whitespace, the separators
/// 0x1C-0x1F, NEL and NBSP (quirk 3).
fn is_py_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_bearer(value: &str) -> Result<String, String> {
        let value = value.trim_matches(is_py_space).trim_matches(',');
        parse(value, "Authorization", "Bearer").map_err(|e| e.message().to_owned())
    }

    const MISSING: &str =
        "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'";
    const BAD: &str = "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'";

    #[test]
    fn accepts_flask_forms() {
        assert_eq!(parse_bearer("Bearer t").unwrap(), "t");
        assert_eq!(parse_bearer("Basic xyz, Bearer t").unwrap(), "t");
        assert_eq!(parse_bearer("Bearer t,").unwrap(), "t");
        assert_eq!(parse_bearer("Bearer\tt").unwrap(), "t");
        assert_eq!(parse_bearer("Bearer   t").unwrap(), "t");
        assert_eq!(parse_bearer("Bearer\u{a0}t").unwrap(), "t");
    }

    #[test]
    fn refuses_like_flask() {
        assert_eq!(parse_bearer("bearer t").unwrap_err(), MISSING);
        assert_eq!(parse_bearer("Basic abc").unwrap_err(), MISSING);
        assert_eq!(parse_bearer("Bearer t, Bearer t").unwrap_err(), MISSING);
        assert_eq!(parse_bearer("Bearer").unwrap_err(), BAD);
        assert_eq!(parse_bearer("Bearer a b").unwrap_err(), BAD);
        assert_eq!(parse_bearer("Bearer ,,0").unwrap_err(), BAD);
        assert_eq!(parse_bearer("Foo 1, Bearer, Baz").unwrap_err(), BAD);
        assert_eq!(parse_bearer(" , ,, ").unwrap_err(), MISSING);
    }

    #[test]
    fn the_plain_form_is_borrowed_and_agrees_with_the_parse() {
        for value in [
            "Bearer a.b.c",
            "Bearer a.b.c,",
            "Bearer a,b",
            "Bearer  a",
            "Bearer ",
            "Bearer a b",
            "Bearer\ta",
            "bearer a",
            "Bearer a\u{a0}",
            "Bearera",
        ] {
            let fast = plain_token(value.as_bytes(), "Bearer");
            if let Some(token) = fast {
                assert_eq!(Ok(token.to_owned()), parse_bearer(value), "{value:?}");
            }
            assert_eq!(
                fast.is_some(),
                ["Bearer a.b.c"].contains(&value),
                "{value:?}"
            );
        }
        assert_eq!(plain_token(b"Bearer \xe9", "Bearer"), None);
        // UTF-8 "Bé" reads as Latin-1 "BÃ©": not the type "Bé".
        assert_eq!(plain_token("Bé abc".as_bytes(), "Bé"), None);
        assert_eq!(plain_token(b"t", ""), None);
    }

    #[test]
    fn empty_type_takes_the_bare_token() {
        assert_eq!(parse("t", "X-Token", "").unwrap(), "t");
        assert_eq!(
            parse("a b", "X-Token", "").unwrap_err().message(),
            "Bad X-Token header. Expected 'X-Token: <JWT>'"
        );
    }
}
