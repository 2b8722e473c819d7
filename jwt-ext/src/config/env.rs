//! Configuration from flask-jwt-extended's option names, so a Flask
//! deployment's `JWT_*` settings carry over unchanged. Which variable sets
//! which option is in [`super::options`]; here are the key variables and
//! the parsers of the values.

use std::time::Duration;

use actix_web::http::Method;
use chrono::TimeDelta;
use jsonwebtoken::Algorithm;

use super::{Audience, JwtManagerBuilder, SameSite};
use crate::ConfigError;
use crate::model::algorithm::parse_alg;
use crate::{Expiry, TokenLocation};

impl JwtManagerBuilder {
    /// A builder configured from environment variables named as
    /// flask-jwt-extended's options; unset variables keep flask's defaults.
    ///
    #[doc = super::options::env_table!()]
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
        if let Some(kid) = lookup("JWT_KEY_ID") {
            b = b.key_id(kid);
        }
        b.options.read_env(&lookup)?;
        Ok(b)
    }
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

// The parsers of the option table: each takes the variable's name, for its
// error messages, and its value.

pub(super) fn text(_option: &str, value: &str) -> Result<String, ConfigError> {
    Ok(value.to_owned())
}

pub(super) fn some_text(_option: &str, value: &str) -> Result<Option<String>, ConfigError> {
    Ok(Some(value.to_owned()))
}

pub(super) fn algorithm(option: &str, value: &str) -> Result<Algorithm, ConfigError> {
    parse_alg(value).ok_or_else(|| {
        ConfigError::new(format!(
            "{option}: unknown algorithm {value:?}; expected one of HS256, HS384, HS512, RS256, RS384, \
             RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
        ))
    })
}

pub(super) fn algorithms(option: &str, value: &str) -> Result<Vec<Algorithm>, ConfigError> {
    list(value).map(|a| algorithm(option, a)).collect()
}

pub(super) fn expiry(option: &str, value: &str) -> Result<Expiry, ConfigError> {
    if value.eq_ignore_ascii_case("false") {
        return Ok(Expiry::Never);
    }
    match integer(option, value)? {
        // flask: a falsy delta (0) mints tokens without `exp` (quirk 10).
        0 => Ok(Expiry::Never),
        secs if secs > 0 => Ok(Expiry::In(seconds(option, secs)?)),
        _ => Err(ConfigError::new(format!("{option} cannot be negative"))),
    }
}

/// Any whole number of seconds; a negative one is refused at build.
pub(super) fn leeway(option: &str, value: &str) -> Result<TimeDelta, ConfigError> {
    seconds(option, integer(option, value)?)
}

/// A number of seconds as a duration; chrono would panic past its range.
fn seconds(option: &str, secs: i64) -> Result<TimeDelta, ConfigError> {
    TimeDelta::try_seconds(secs)
        .ok_or_else(|| ConfigError::new(format!("{option} is too large: {secs} seconds")))
}

pub(super) fn positive_seconds(option: &str, value: &str) -> Result<Duration, ConfigError> {
    u64::try_from(integer(option, value)?)
        .ok()
        .filter(|&secs| secs > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| ConfigError::new(format!("{option} must be a positive number of seconds")))
}

pub(super) fn bytes(option: &str, value: &str) -> Result<usize, ConfigError> {
    usize::try_from(integer(option, value)?)
        .map_err(|_| ConfigError::new(format!("{option} must be a positive number of bytes")))
}

fn integer(option: &str, value: &str) -> Result<i64, ConfigError> {
    value.trim().parse().map_err(|_| {
        ConfigError::new(format!(
            "{option} must be a whole number of seconds, not {value:?}"
        ))
    })
}

pub(super) fn boolean(option: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{option} must be true or false, not {value:?}"
        ))),
    }
}

pub(super) fn audience(_option: &str, value: &str) -> Result<Option<Audience>, ConfigError> {
    let values: Vec<String> = list(value).map(str::to_owned).collect();
    Ok(Some(match <[String; 1]>::try_from(values) {
        Ok([one]) => Audience::One(one),
        Err(many) => Audience::Many(many),
    }))
}

pub(super) fn locations(_option: &str, value: &str) -> Result<Vec<TokenLocation>, ConfigError> {
    list(value)
        .map(|name| {
            TokenLocation::from_name(name).ok_or_else(|| {
                ConfigError::new(
                    "JWT_TOKEN_LOCATION can only contain \"headers\", \"cookies\", \"query_string\", or \"json\"",
                )
            })
        })
        .collect()
}

pub(super) fn samesite(option: &str, value: &str) -> Result<Option<SameSite>, ConfigError> {
    match value.trim() {
        // Empty is flask's `None`: no attribute.
        "" => Ok(None),
        "Lax" | "lax" => Ok(Some(SameSite::Lax)),
        "Strict" | "strict" => Ok(Some(SameSite::Strict)),
        "None" | "none" => Ok(Some(SameSite::None)),
        _ => Err(ConfigError::new(format!(
            "{option} must be Lax, Strict or None, not {value:?}"
        ))),
    }
}

pub(super) fn methods(option: &str, value: &str) -> Result<Vec<Method>, ConfigError> {
    list(value)
        .map(|m| {
            Method::from_bytes(m.as_bytes())
                .map_err(|_| ConfigError::new(format!("{option}: {m:?} is not an HTTP method")))
        })
        .collect()
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
        assert_eq!(b.options.access_expires, Expiry::In(TimeDelta::seconds(60)));
        assert_eq!(b.options.refresh_expires, Expiry::Never);
        assert_eq!(
            b.options.decode_audience,
            Some(Audience::Many(vec!["a".into(), "b".into()]))
        );
        assert_eq!(b.options.encode_audience, Some(Audience::One("a".into())));
        assert_eq!(b.options.header_type, "");
        assert!(!b.options.verify_sub);
        assert_eq!(b.options.leeway, TimeDelta::seconds(30));
    }

    #[test]
    fn zero_expiry_from_flask_config_means_never() {
        let b = from(&[("JWT_ACCESS_TOKEN_EXPIRES", "0")]).unwrap();
        assert_eq!(b.options.access_expires, Expiry::Never);
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
            b.options.token_locations,
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
        assert_eq!(b.options.body_limit, 1024);
        assert_eq!(b.options.body_timeout, std::time::Duration::from_secs(2));
    }
}
