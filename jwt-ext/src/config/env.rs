//! Configuration from flask-jwt-extended's option names, so a Flask
//! deployment's `JWT_*` settings carry over unchanged.

use chrono::TimeDelta;

use actix_web::http::Method;

use super::{Audience, JwtManagerBuilder, SameSite};
use crate::ConfigError;
use crate::model::algorithm::parse_alg;
use crate::{Expiry, TokenLocation};

impl JwtManagerBuilder {
    /// A builder configured from environment variables named as
    /// flask-jwt-extended's options; unset variables keep flask's defaults.
    ///
    /// | Variable | Format |
    /// |---|---|
    /// | `JWT_SECRET_KEY` (falls back to `SECRET_KEY`) | text |
    /// | `JWT_PRIVATE_KEY`, `JWT_PUBLIC_KEY` | PEM text; or `JWT_PRIVATE_KEY_FILE`, `JWT_PUBLIC_KEY_FILE` naming a PEM file |
    /// | `JWT_ALGORITHM` | `HS256` … `EdDSA` |
    /// | `JWT_DECODE_ALGORITHMS`, `JWT_TOKEN_LOCATION` | comma-separated list |
    /// | `JWT_ACCESS_TOKEN_EXPIRES`, `JWT_REFRESH_TOKEN_EXPIRES` | seconds; `0` or `false` for never, as in flask |
    /// | `JWT_DECODE_LEEWAY` | seconds |
    /// | `JWT_ENCODE_AUDIENCE`, `JWT_DECODE_AUDIENCE` | one audience, or a comma-separated list |
    /// | `JWT_ENCODE_ISSUER`, `JWT_DECODE_ISSUER`, `JWT_IDENTITY_CLAIM`, `JWT_ERROR_MESSAGE_KEY`, `JWT_HEADER_NAME`, `JWT_HEADER_TYPE` | text (`JWT_HEADER_TYPE` may be empty) |
    /// | `JWT_ENCODE_NBF`, `JWT_VERIFY_SUB`, `JWT_COOKIE_CSRF_PROTECT` | `true`/`false` (also `True`, `1`, `0`, `yes`, `no`) |
    /// | `JWT_ACCESS_COOKIE_NAME`, `JWT_REFRESH_COOKIE_NAME`, `JWT_ACCESS_COOKIE_PATH`, `JWT_REFRESH_COOKIE_PATH`, `JWT_COOKIE_DOMAIN`, `JWT_ACCESS_CSRF_COOKIE_NAME`, `JWT_REFRESH_CSRF_COOKIE_NAME`, `JWT_ACCESS_CSRF_COOKIE_PATH`, `JWT_REFRESH_CSRF_COOKIE_PATH`, `JWT_ACCESS_CSRF_HEADER_NAME`, `JWT_REFRESH_CSRF_HEADER_NAME`, `JWT_ACCESS_CSRF_FIELD_NAME`, `JWT_REFRESH_CSRF_FIELD_NAME`, `JWT_QUERY_STRING_NAME`, `JWT_QUERY_STRING_VALUE_PREFIX`, `JWT_JSON_KEY`, `JWT_REFRESH_JSON_KEY` | text |
    /// | `JWT_COOKIE_SECURE`, `JWT_SESSION_COOKIE`, `JWT_CSRF_IN_COOKIES`, `JWT_CSRF_CHECK_FORM` | `true`/`false` |
    /// | `JWT_COOKIE_SAMESITE` | `Lax`, `Strict`, `None`, or empty for no attribute |
    /// | `JWT_CSRF_METHODS` | comma-separated HTTP methods |
    /// | `JWT_MAX_TOKEN_SIZE`, `JWT_BODY_LIMIT` | bytes |
    /// | `JWT_BODY_TIMEOUT` | seconds |
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable whose value cannot be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading the options from `lookup`
    /// (a map, a config file, …) instead of the environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the option whose value cannot be read.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut b = JwtManagerBuilder::new();
        if let Some(secret) = lookup("JWT_SECRET_KEY").or_else(|| lookup("SECRET_KEY")) {
            b = b.secret_key(secret);
        }
        if let Some(pem) = pem(&lookup, "JWT_PRIVATE_KEY")? {
            b = b.private_key_pem(pem);
        }
        if let Some(pem) = pem(&lookup, "JWT_PUBLIC_KEY")? {
            b = b.public_key_pem(pem);
        }
        if let Some(v) = lookup("JWT_ALGORITHM") {
            b = b.algorithm(algorithm("JWT_ALGORITHM", &v)?);
        }
        if let Some(v) = lookup("JWT_DECODE_ALGORITHMS") {
            let algs = list(&v)
                .map(|a| algorithm("JWT_DECODE_ALGORITHMS", a))
                .collect::<Result<Vec<_>, _>>()?;
            b = b.decode_algorithms(algs);
        }
        if let Some(v) = lookup("JWT_ACCESS_TOKEN_EXPIRES") {
            b = b.access_token_expires(expiry("JWT_ACCESS_TOKEN_EXPIRES", &v)?);
        }
        if let Some(v) = lookup("JWT_REFRESH_TOKEN_EXPIRES") {
            b = b.refresh_token_expires(expiry("JWT_REFRESH_TOKEN_EXPIRES", &v)?);
        }
        if let Some(v) = lookup("JWT_IDENTITY_CLAIM") {
            b = b.identity_claim(v);
        }
        if let Some(v) = lookup("JWT_ENCODE_NBF") {
            b = b.encode_nbf(boolean("JWT_ENCODE_NBF", &v)?);
        }
        if let Some(v) = lookup("JWT_ENCODE_AUDIENCE") {
            b = b.encode_audience(audience(&v));
        }
        if let Some(v) = lookup("JWT_ENCODE_ISSUER") {
            b = b.encode_issuer(v);
        }
        if let Some(v) = lookup("JWT_DECODE_AUDIENCE") {
            b = b.decode_audience(audience(&v));
        }
        if let Some(v) = lookup("JWT_DECODE_ISSUER") {
            b = b.decode_issuer(v);
        }
        if let Some(v) = lookup("JWT_DECODE_LEEWAY") {
            b = b.decode_leeway(seconds(
                "JWT_DECODE_LEEWAY",
                integer("JWT_DECODE_LEEWAY", &v)?,
            )?);
        }
        if let Some(v) = lookup("JWT_ERROR_MESSAGE_KEY") {
            b = b.error_message_key(v);
        }
        if let Some(v) = lookup("JWT_HEADER_NAME") {
            b = b.header_name(v);
        }
        if let Some(v) = lookup("JWT_HEADER_TYPE") {
            b = b.header_type(v);
        }
        if let Some(v) = lookup("JWT_VERIFY_SUB") {
            b = b.verify_sub(boolean("JWT_VERIFY_SUB", &v)?);
        }
        if let Some(v) = lookup("JWT_TOKEN_LOCATION") {
            let locs = list(&v).map(location).collect::<Result<Vec<_>, _>>()?;
            b = b.token_location(locs);
        }
        b = transport_from_lookup(b, &lookup)?;
        if let Some(v) = lookup("JWT_MAX_TOKEN_SIZE") {
            let size = usize::try_from(integer("JWT_MAX_TOKEN_SIZE", &v)?).map_err(|_| {
                ConfigError::new("JWT_MAX_TOKEN_SIZE must be a positive number of bytes")
            })?;
            b = b.max_token_size(size);
        }
        Ok(b)
    }
}

/// The cookie, CSRF, query-string and JSON options.
fn transport_from_lookup(
    mut b: JwtManagerBuilder,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<JwtManagerBuilder, ConfigError> {
    type Set<T> = fn(JwtManagerBuilder, T) -> JwtManagerBuilder;
    let text_options: [(&str, Set<String>); 17] = [
        ("JWT_ACCESS_COOKIE_NAME", |b, v| b.access_cookie_name(v)),
        ("JWT_REFRESH_COOKIE_NAME", |b, v| b.refresh_cookie_name(v)),
        ("JWT_ACCESS_COOKIE_PATH", |b, v| b.access_cookie_path(v)),
        ("JWT_REFRESH_COOKIE_PATH", |b, v| b.refresh_cookie_path(v)),
        ("JWT_COOKIE_DOMAIN", |b, v| b.cookie_domain(v)),
        ("JWT_ACCESS_CSRF_COOKIE_NAME", |b, v| {
            b.access_csrf_cookie_name(v)
        }),
        ("JWT_REFRESH_CSRF_COOKIE_NAME", |b, v| {
            b.refresh_csrf_cookie_name(v)
        }),
        ("JWT_ACCESS_CSRF_COOKIE_PATH", |b, v| {
            b.access_csrf_cookie_path(v)
        }),
        ("JWT_REFRESH_CSRF_COOKIE_PATH", |b, v| {
            b.refresh_csrf_cookie_path(v)
        }),
        ("JWT_ACCESS_CSRF_HEADER_NAME", |b, v| {
            b.access_csrf_header_name(v)
        }),
        ("JWT_REFRESH_CSRF_HEADER_NAME", |b, v| {
            b.refresh_csrf_header_name(v)
        }),
        ("JWT_ACCESS_CSRF_FIELD_NAME", |b, v| {
            b.access_csrf_field_name(v)
        }),
        ("JWT_REFRESH_CSRF_FIELD_NAME", |b, v| {
            b.refresh_csrf_field_name(v)
        }),
        ("JWT_QUERY_STRING_NAME", |b, v| b.query_string_name(v)),
        ("JWT_QUERY_STRING_VALUE_PREFIX", |b, v| {
            b.query_string_value_prefix(v)
        }),
        ("JWT_JSON_KEY", |b, v| b.json_key(v)),
        ("JWT_REFRESH_JSON_KEY", |b, v| b.refresh_json_key(v)),
    ];
    for (option, set) in text_options {
        if let Some(v) = lookup(option) {
            b = set(b, v);
        }
    }
    let bool_options: [(&str, Set<bool>); 5] = [
        ("JWT_COOKIE_SECURE", |b, v| b.cookie_secure(v)),
        ("JWT_SESSION_COOKIE", |b, v| b.session_cookie(v)),
        ("JWT_CSRF_IN_COOKIES", |b, v| b.csrf_in_cookies(v)),
        ("JWT_CSRF_CHECK_FORM", |b, v| b.csrf_check_form(v)),
        ("JWT_COOKIE_CSRF_PROTECT", |b, v| b.cookie_csrf_protect(v)),
    ];
    for (option, set) in bool_options {
        if let Some(v) = lookup(option) {
            b = set(b, boolean(option, &v)?);
        }
    }
    if let Some(v) = lookup("JWT_COOKIE_SAMESITE") {
        b = match v.trim() {
            // Empty is flask's `None`: no attribute.
            "" => b,
            "Lax" | "lax" => b.cookie_samesite(SameSite::Lax),
            "Strict" | "strict" => b.cookie_samesite(SameSite::Strict),
            "None" | "none" => b.cookie_samesite(SameSite::None),
            _ => {
                return Err(ConfigError::new(format!(
                    "JWT_COOKIE_SAMESITE must be Lax, Strict or None, not {v:?}"
                )));
            }
        };
    }
    if let Some(v) = lookup("JWT_CSRF_METHODS") {
        let methods = list(&v)
            .map(|m| {
                Method::from_bytes(m.as_bytes()).map_err(|_| {
                    ConfigError::new(format!("JWT_CSRF_METHODS: {m:?} is not an HTTP method"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        b = b.csrf_methods(methods);
    }
    if let Some(v) = lookup("JWT_BODY_LIMIT") {
        let bytes = usize::try_from(integer("JWT_BODY_LIMIT", &v)?)
            .map_err(|_| ConfigError::new("JWT_BODY_LIMIT must be a positive number of bytes"))?;
        b = b.body_limit(bytes);
    }
    if let Some(v) = lookup("JWT_BODY_TIMEOUT") {
        let secs = u64::try_from(integer("JWT_BODY_TIMEOUT", &v)?)
            .ok()
            .filter(|&secs| secs > 0)
            .ok_or_else(|| {
                ConfigError::new("JWT_BODY_TIMEOUT must be a positive number of seconds")
            })?;
        b = b.body_timeout(std::time::Duration::from_secs(secs));
    }
    Ok(b)
}

fn pem(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<Vec<u8>>, ConfigError> {
    if let Some(text) = lookup(name) {
        return Ok(Some(text.into_bytes()));
    }
    let file_var = format!("{name}_FILE");
    match lookup(&file_var) {
        Some(path) => std::fs::read(&path)
            .map(Some)
            .map_err(|e| ConfigError::new(format!("{file_var}: cannot read {path:?}: {e}"))),
        None => Ok(None),
    }
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn algorithm(option: &str, value: &str) -> Result<jsonwebtoken::Algorithm, ConfigError> {
    parse_alg(value).ok_or_else(|| {
        ConfigError::new(format!(
            "{option}: unknown algorithm {value:?}; expected one of HS256, HS384, HS512, RS256, RS384, \
             RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
        ))
    })
}

fn expiry(option: &str, value: &str) -> Result<Expiry, ConfigError> {
    if value.eq_ignore_ascii_case("false") {
        return Ok(Expiry::Never);
    }
    match integer(option, value)? {
        // flask: a falsy delta (0) mints tokens without `exp`.
        0 => Ok(Expiry::Never),
        secs if secs > 0 => Ok(Expiry::In(seconds(option, secs)?)),
        _ => Err(ConfigError::new(format!("{option} cannot be negative"))),
    }
}

/// A number of seconds as a duration; chrono would panic past its range.
fn seconds(option: &str, secs: i64) -> Result<TimeDelta, ConfigError> {
    TimeDelta::try_seconds(secs)
        .ok_or_else(|| ConfigError::new(format!("{option} is too large: {secs} seconds")))
}

fn integer(option: &str, value: &str) -> Result<i64, ConfigError> {
    value.trim().parse().map_err(|_| {
        ConfigError::new(format!(
            "{option} must be a whole number of seconds, not {value:?}"
        ))
    })
}

fn boolean(option: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{option} must be true or false, not {value:?}"
        ))),
    }
}

fn audience(value: &str) -> Audience {
    let values: Vec<String> = list(value).map(str::to_owned).collect();
    match <[String; 1]>::try_from(values) {
        Ok([one]) => Audience::One(one),
        Err(many) => Audience::Many(many),
    }
}

fn location(name: &str) -> Result<TokenLocation, ConfigError> {
    TokenLocation::from_name(name).ok_or_else(|| {
        ConfigError::new(
            "JWT_TOKEN_LOCATION can only contain \"headers\", \"cookies\", \"query_string\", or \"json\"",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<JwtManagerBuilder, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        JwtManagerBuilder::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn reads_flask_names() {
        let b = from(&[
            ("SECRET_KEY", "fallback-secret-0123456789abcdef0123"),
            ("JWT_ACCESS_TOKEN_EXPIRES", "60"),
            ("JWT_REFRESH_TOKEN_EXPIRES", "False"),
            ("JWT_DECODE_AUDIENCE", "a, b"),
            ("JWT_ENCODE_AUDIENCE", "a"),
            ("JWT_HEADER_TYPE", ""),
            ("JWT_VERIFY_SUB", "False"),
            ("JWT_DECODE_LEEWAY", "30"),
        ])
        .unwrap();
        assert_eq!(
            b.keys.secret.as_deref(),
            Some(&b"fallback-secret-0123456789abcdef0123"[..])
        );
        assert_eq!(b.access_expires, Expiry::In(TimeDelta::seconds(60)));
        assert_eq!(b.refresh_expires, Expiry::Never);
        assert_eq!(
            b.decode_audience,
            Some(Audience::Many(vec!["a".into(), "b".into()]))
        );
        assert_eq!(b.encode_audience, Some(Audience::One("a".into())));
        assert_eq!(b.header_type, "");
        assert!(!b.verify_sub);
        assert_eq!(b.leeway, TimeDelta::seconds(30));
    }

    #[test]
    fn zero_expiry_from_flask_config_means_never() {
        let b = from(&[("JWT_ACCESS_TOKEN_EXPIRES", "0")]).unwrap();
        assert_eq!(b.access_expires, Expiry::Never);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = from(&[("JWT_ALGORITHM", "HS999")]).err().unwrap();
        assert!(
            e.message().starts_with("JWT_ALGORITHM: unknown algorithm"),
            "{e}"
        );
        let e = from(&[("JWT_ACCESS_TOKEN_EXPIRES", "15m")]).err().unwrap();
        assert!(e.message().contains("JWT_ACCESS_TOKEN_EXPIRES"), "{e}");
        let e = from(&[("JWT_TOKEN_LOCATION", "headers,body")])
            .err()
            .unwrap();
        assert!(e.message().contains("can only contain"), "{e}");
        let b = from(&[("JWT_TOKEN_LOCATION", "json, cookies")]).unwrap();
        assert_eq!(
            b.token_locations,
            vec![TokenLocation::Json, TokenLocation::Cookies]
        );
        let e = from(&[("JWT_ACCESS_TOKEN_EXPIRES", "9223372036854775807")])
            .err()
            .unwrap();
        assert!(e.message().contains("too large"), "{e}");
        let e = from(&[("JWT_DECODE_LEEWAY", "-9223372036854775807")])
            .err()
            .unwrap();
        assert!(e.message().contains("too large"), "{e}");
        let e = from(&[("JWT_VERIFY_SUB", "maybe")]).err().unwrap();
        assert!(e.message().contains("JWT_VERIFY_SUB"), "{e}");
        for bad in ["0", "-1", "1.5"] {
            let e = from(&[("JWT_BODY_TIMEOUT", bad)]).err().unwrap();
            assert!(e.message().contains("JWT_BODY_TIMEOUT"), "{bad}: {e}");
        }
    }

    #[test]
    fn body_limits_are_read_in_bytes_and_seconds() {
        let b = from(&[("JWT_BODY_LIMIT", "1024"), ("JWT_BODY_TIMEOUT", "2")]).unwrap();
        assert_eq!(b.transport.body_limit, 1024);
        assert_eq!(b.transport.body_timeout, std::time::Duration::from_secs(2));
    }
}
