//! The token locations beyond the header, as checked at build: cookies and
//! their CSRF double-submit protection, the query string and the JSON body.
//! Their options are defined in [`super::options`].

use super::options::Options;
use crate::ConfigError;

/// The `SameSite` attribute of the JWT and CSRF cookies (`JWT_COOKIE_SAMESITE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SameSite {
    /// `SameSite=Lax`: sent on top-level navigations from other sites.
    Lax,
    /// `SameSite=Strict`: never sent from other sites.
    Strict,
    /// `SameSite=None`: sent everywhere; browsers require `Secure` with it.
    None,
}

impl SameSite {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// One token kind's cookie and CSRF names and paths.
#[derive(Clone, Debug)]
pub(crate) struct CookieNames {
    pub(crate) cookie: String,
    pub(crate) cookie_path: String,
    pub(crate) csrf_cookie: String,
    pub(crate) csrf_cookie_path: String,
    pub(crate) csrf_header: String,
    pub(crate) csrf_field: String,
    pub(crate) json_key: String,
}

/// The cookie, CSRF and JSON names of both token kinds, grouped so the
/// request and response code picks one kind's names at once.
#[derive(Clone, Debug)]
pub(crate) struct TransportNames {
    pub(crate) access: CookieNames,
    pub(crate) refresh: CookieNames,
}

/// flask's `Max-Age` of persistent cookies (`JWT_SESSION_COOKIE = False`).
pub(crate) const PERSISTENT_COOKIE_MAX_AGE: i64 = 31_540_000;

impl TransportNames {
    /// Checks the cookie rules browsers enforce, at start-up instead of
    /// discovered as silently dropped cookies, and normalizes the cookie
    /// domain in place.
    pub(crate) fn validate(options: &mut Options) -> Result<Self, ConfigError> {
        if options.body_timeout.is_zero() {
            return Err(ConfigError::new(
                "JWT_BODY_TIMEOUT must be more than zero: a zero timeout refuses every body \
                 a token is looked for in",
            ));
        }
        // Werkzeug drops a leading dot (`.ex.com` is written `Domain=ex.com`; quirk 18).
        if let Some(domain) = options.cookie_domain.take() {
            if domain.contains([':', '/', ';', ' ']) {
                return Err(ConfigError::new(format!(
                    "JWT_COOKIE_DOMAIN {domain:?} must be a bare host name such as \"example.com\" \
                     (no port, scheme or path)"
                )));
            }
            let domain = domain.trim_start_matches('.').to_owned();
            options.cookie_domain = (!domain.is_empty()).then_some(domain);
        }
        if options.cookie_samesite == Some(SameSite::None) && !options.cookie_secure {
            return Err(ConfigError::new(
                "JWT_COOKIE_SAMESITE = \"None\" requires JWT_COOKIE_SECURE = true: browsers drop \
                 SameSite=None cookies that are not Secure",
            ));
        }
        let o = &*options;
        let names = TransportNames {
            access: CookieNames {
                cookie: o.access_cookie_name.clone(),
                cookie_path: o.access_cookie_path.clone(),
                csrf_cookie: o.access_csrf_cookie_name.clone(),
                csrf_cookie_path: o.access_csrf_cookie_path.clone(),
                csrf_header: o.access_csrf_header_name.clone(),
                csrf_field: o.access_csrf_field_name.clone(),
                json_key: o.json_key.clone(),
            },
            refresh: CookieNames {
                cookie: o.refresh_cookie_name.clone(),
                cookie_path: o.refresh_cookie_path.clone(),
                csrf_cookie: o.refresh_csrf_cookie_name.clone(),
                csrf_cookie_path: o.refresh_csrf_cookie_path.clone(),
                csrf_header: o.refresh_csrf_header_name.clone(),
                csrf_field: o.refresh_csrf_field_name.clone(),
                json_key: o.refresh_json_key.clone(),
            },
        };
        for names in [&names.access, &names.refresh] {
            for (option, name, path) in [
                ("cookie", &names.cookie, &names.cookie_path),
                ("CSRF cookie", &names.csrf_cookie, &names.csrf_cookie_path),
            ] {
                check_cookie_name(option, name)?;
                if !path.starts_with('/') {
                    return Err(ConfigError::new(format!(
                        "the {option} path {path:?} must start with \"/\""
                    )));
                }
                let secure_prefix = name.starts_with("__Secure-") || name.starts_with("__Host-");
                if secure_prefix && !o.cookie_secure {
                    return Err(ConfigError::new(format!(
                        "cookie {name:?}: the __Secure- and __Host- prefixes require JWT_COOKIE_SECURE = true"
                    )));
                }
                if name.starts_with("__Host-") && (path != "/" || o.cookie_domain.is_some()) {
                    return Err(ConfigError::new(format!(
                        "cookie {name:?}: the __Host- prefix requires path \"/\" and no JWT_COOKIE_DOMAIN"
                    )));
                }
            }
            for (option, value) in [
                ("CSRF header name", &names.csrf_header),
                ("JSON key", &names.json_key),
            ] {
                if value.is_empty() {
                    return Err(ConfigError::new(format!("the {option} cannot be empty")));
                }
            }
            actix_web::http::header::HeaderName::from_bytes(names.csrf_header.as_bytes()).map_err(
                |_| {
                    ConfigError::new(format!(
                        "the CSRF header name {:?} is not a valid HTTP header name",
                        names.csrf_header
                    ))
                },
            )?;
        }
        if o.query_string_name.is_empty() {
            return Err(ConfigError::new("JWT_QUERY_STRING_NAME cannot be empty"));
        }
        Ok(names)
    }
}

/// RFC 6265 cookie-name characters (an HTTP token).
fn check_cookie_name(option: &str, name: &str) -> Result<(), ConfigError> {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(is_token_char) {
        return Err(ConfigError::new(format!(
            "the {option} name {name:?} is not a valid cookie name"
        )));
    }
    Ok(())
}
