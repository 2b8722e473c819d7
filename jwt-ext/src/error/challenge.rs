//! RFC 6750 §3 `WWW-Authenticate: Bearer` challenges, opt-in through
//! `bearer_realm`: which error code each refusal is, and the attribute
//! values quoted so that no message can break the header.

use actix_web::http::header::HeaderValue;

use super::{Failure, JwtErrorKind};

/// RFC 6750 §3.1's error code of a refusal; `None` for a request that sent
/// no token at all (§3.1: no error code then) and for kinds that are no
/// refusal of the token (a store outage, a loader's own error, a fault of
/// the application), which get no challenge.
fn error_code(kind: JwtErrorKind) -> Option<Option<&'static str>> {
    Some(match kind {
        JwtErrorKind::NoAuthorization => None,
        JwtErrorKind::InvalidHeader
        | JwtErrorKind::InvalidQueryParam
        | JwtErrorKind::Csrf
        | JwtErrorKind::BadPayload
        | JwtErrorKind::PayloadTooLarge
        | JwtErrorKind::BodyTimeout => Some("invalid_request"),
        JwtErrorKind::InvalidToken
        | JwtErrorKind::Expired
        | JwtErrorKind::WrongTokenType
        | JwtErrorKind::FreshTokenRequired
        | JwtErrorKind::Revoked
        | JwtErrorKind::UserLookup
        | JwtErrorKind::ClaimsVerification => Some("invalid_token"),
        JwtErrorKind::InsufficientScope => Some("insufficient_scope"),
        JwtErrorKind::StoreUnavailable
        | JwtErrorKind::Forbidden
        | JwtErrorKind::KeysUnavailable
        | JwtErrorKind::Callback
        | JwtErrorKind::NotVerified
        | JwtErrorKind::Misconfigured
        | JwtErrorKind::Encode
        | JwtErrorKind::BodyUnavailable => return None,
    })
}

/// `Bearer realm="..."[, error="...", error_description="..."[, scope="..."]]`
/// for `failure`, or `None` when it gets no challenge. An empty realm is
/// left out.
pub(super) fn challenge(realm: &str, failure: &Failure) -> Option<HeaderValue> {
    let code = error_code(failure.kind())?;
    let mut params = Vec::with_capacity(4);
    if !realm.is_empty() {
        params.push(format!("realm={}", quoted(realm)));
    }
    if let Some(code) = code {
        params.push(format!("error=\"{code}\""));
        params.push(format!(
            "error_description=\"{}\"",
            description(failure.message())
        ));
        if let Some(scope) = failure.required_scope() {
            params.push(format!("scope=\"{}\"", scope_value(scope)));
        }
    }
    let value = if params.is_empty() {
        "Bearer".to_owned()
    } else {
        format!("Bearer {}", params.join(", "))
    };
    // Every byte written above is visible ASCII or a space.
    HeaderValue::from_str(&value).ok()
}

/// An RFC 7235 quoted-string: `"` and `\` escaped; the realm is checked at
/// build to be printable ASCII, anything else is replaced all the same.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push('"');
    out
}

/// RFC 6750 §3's `error_description`: `%x20-21 / %x23-5B / %x5D-7E`, so
/// neither `"` nor `\` even escaped. A `"` in a message becomes `'`, any
/// other character outside the set (`\`, controls, CR, LF, non-ASCII from
/// a claim value) becomes `?`.
fn description(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '?',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// RFC 6750 §3's `scope`: scope-tokens (`%x21 / %x23-5B / %x5D-7E`)
/// separated by spaces. The attribute's names are checked at compile time;
/// a name given at run time outside that set has its characters replaced.
fn scope_value(scope: &str) -> String {
    scope
        .chars()
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(realm: &str, failure: &Failure) -> String {
        challenge(realm, failure)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn no_token_gets_the_realm_alone() {
        let missing = Failure::new(
            JwtErrorKind::NoAuthorization,
            "Missing Authorization Header",
        );
        assert_eq!(header("api", &missing), r#"Bearer realm="api""#);
        assert_eq!(header("", &missing), "Bearer");
    }

    #[test]
    fn each_refusal_names_its_code() {
        let expired = Failure::new(JwtErrorKind::Expired, "Token has expired");
        assert_eq!(
            header("api", &expired),
            r#"Bearer realm="api", error="invalid_token", error_description="Token has expired""#
        );
        let bad = Failure::new(JwtErrorKind::InvalidHeader, "Bad Authorization header");
        assert!(header("", &bad).starts_with(r#"Bearer error="invalid_request", "#));
        let scope = Failure::new(
            JwtErrorKind::InsufficientScope,
            "Missing required scopes: b",
        )
        .with_required_scope("a b".into());
        assert_eq!(
            header("api", &scope),
            r#"Bearer realm="api", error="insufficient_scope", error_description="Missing required scopes: b", scope="a b""#
        );
        for kind in [
            JwtErrorKind::StoreUnavailable,
            JwtErrorKind::Callback,
            JwtErrorKind::Misconfigured,
        ] {
            assert!(
                challenge("api", &Failure::new(kind, "x")).is_none(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn values_cannot_break_the_header() {
        let hostile = Failure::new(
            JwtErrorKind::UserLookup,
            "Error loading the user \"x\\\"\r\nSet-Cookie: a=b é",
        );
        assert_eq!(
            header("a \"b\" \\c", &hostile),
            "Bearer realm=\"a \\\"b\\\" \\\\c\", error=\"invalid_token\", \
             error_description=\"Error loading the user 'x?'??Set-Cookie: a=b ?\""
        );
        let scope = Failure::new(JwtErrorKind::InsufficientScope, "x")
            .with_required_scope("a\"b\r\n".into());
        assert!(header("", &scope).ends_with(r#"scope="a?b??""#));
    }
}
