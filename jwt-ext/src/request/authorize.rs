//! The route's scopes and roles, checked last: after the token is verified,
//! the revocation check and the loaders. A revoked, expired or unknown
//! token answers 401 whatever it grants; 403 means "authenticated, but not
//! allowed", so only a token that passed everything else reaches it.

use serde_json::{Map, Value};

use super::VerifyOptions;
use crate::config::Settings;
use crate::{Failure, Jwt, JwtErrorKind};

/// `jwt` if it grants every scope and role the route requires, else a 403
/// [`InsufficientScope`](JwtErrorKind::InsufficientScope) naming what is
/// missing.
pub(super) fn authorize(
    settings: &Settings,
    options: &VerifyOptions,
    jwt: Jwt,
) -> Result<Jwt, Failure> {
    if options.scopes.is_empty() && options.roles.is_empty() {
        return Ok(jwt);
    }
    let claims = jwt.claims();
    let granted = token_scopes(claims);
    let missing: Vec<&str> = options
        .scopes
        .iter()
        .filter(|scope| !granted.contains(scope))
        .collect();
    if !missing.is_empty() {
        let required: Vec<&str> = options.scopes.iter().collect();
        return Err(refused(
            &jwt,
            format!("Missing required scopes: {}", missing.join(" ")),
        )
        .with_required_scope(required.join(" ")));
    }
    let roles = token_roles(claims, &settings.roles_pointer);
    let missing: Vec<&str> = options
        .roles
        .iter()
        .filter(|role| !roles.contains(role))
        .collect();
    if !missing.is_empty() {
        return Err(refused(
            &jwt,
            format!("Missing required roles: {}", missing.join(" ")),
        ));
    }
    Ok(jwt)
}

fn refused(jwt: &Jwt, message: String) -> Failure {
    Failure::new(JwtErrorKind::InsufficientScope, message)
        .with_token(jwt.header().clone(), jwt.claims().clone())
}

/// The scopes a token grants: its `scope` claim when present, else `scp`;
/// either a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3, Entra
/// ID's `scp`) or an array of strings (Okta's `scp`). Any other type, or an
/// element that is not a string, grants nothing: a 403, never a 500.
fn token_scopes(claims: &Map<String, Value>) -> Vec<&str> {
    match claims.get("scope").or_else(|| claims.get("scp")) {
        // RFC 6749 §3.3 separates scope-tokens by single spaces; runs of
        // spaces are tolerated, other whitespace is part of a (never
        // required) token.
        Some(Value::String(scopes)) => scopes.split(' ').filter(|s| !s.is_empty()).collect(),
        Some(Value::Array(scopes)) => scopes.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The roles at the configured claim path (the pointer's segments,
/// unescaped): an array of strings, or one string naming one role. A
/// missing path or another type grants nothing.
fn token_roles<'a>(claims: &'a Map<String, Value>, pointer: &[String]) -> Vec<&'a str> {
    let Some((first, rest)) = pointer.split_first() else {
        return Vec::new();
    };
    let mut value = claims.get(first);
    for segment in rest {
        value = match value {
            Some(Value::Object(map)) => map.get(segment),
            Some(Value::Array(items)) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
    }
    match value {
        Some(Value::String(role)) => vec![role.as_str()],
        Some(Value::Array(roles)) => roles.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn path(segments: &[&str]) -> Vec<String> {
        segments.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn scopes_from_string_or_array_scope_first() {
        assert_eq!(token_scopes(&claims(json!({"scope": "a  b"}))), ["a", "b"]);
        assert_eq!(
            token_scopes(&claims(json!({"scp": ["a", 1, "b"]}))),
            ["a", "b"]
        );
        assert_eq!(token_scopes(&claims(json!({"scp": "c d"}))), ["c", "d"]);
        // `scope` wins even when it grants less: no union of two claims.
        assert_eq!(
            token_scopes(&claims(json!({"scope": "a", "scp": "b"}))),
            ["a"]
        );
        assert!(token_scopes(&claims(json!({"scope": 7, "scp": "b"}))).is_empty());
        assert!(token_scopes(&claims(json!({"scope": "a\tb"}))) == ["a\tb"]);
        assert!(token_scopes(&claims(json!({}))).is_empty());
    }

    #[test]
    fn roles_at_a_pointer_path() {
        let keycloak = claims(json!({"realm_access": {"roles": ["admin", "user"]}}));
        assert_eq!(
            token_roles(&keycloak, &path(&["realm_access", "roles"])),
            ["admin", "user"]
        );
        let auth0 = claims(json!({"https://example.com/roles": ["admin"]}));
        assert_eq!(
            token_roles(&auth0, &path(&["https://example.com/roles"])),
            ["admin"]
        );
        let nested = claims(json!({"a": [{"r": "one"}]}));
        assert_eq!(token_roles(&nested, &path(&["a", "0", "r"])), ["one"]);
        assert!(token_roles(&nested, &path(&["a", "x", "r"])).is_empty());
        assert!(
            token_roles(
                &claims(json!({"roles": {"admin": true}})),
                &path(&["roles"])
            )
            .is_empty()
        );
        assert!(token_roles(&keycloak, &[]).is_empty());
    }
}
