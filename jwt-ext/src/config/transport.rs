//! Options of the token locations beyond the header: cookies and their CSRF
//! double-submit protection, the query string and the JSON body.

use std::time::Duration;

use actix_web::http::Method;

use super::JwtManagerBuilder;
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

/// Everything the cookie, query-string and JSON locations need, with
/// flask-jwt-extended's defaults.
#[derive(Clone, Debug)]
pub(crate) struct TransportOptions {
    pub(crate) access: CookieNames,
    pub(crate) refresh: CookieNames,
    pub(crate) cookie_domain: Option<String>,
    pub(crate) cookie_secure: bool,
    pub(crate) cookie_samesite: Option<SameSite>,
    pub(crate) session_cookie: bool,
    pub(crate) csrf_in_cookies: bool,
    pub(crate) csrf_methods: Vec<Method>,
    pub(crate) csrf_check_form: bool,
    pub(crate) query_string_name: String,
    pub(crate) query_string_value_prefix: String,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
}

/// flask's `Max-Age` of persistent cookies (`JWT_SESSION_COOKIE = False`).
pub(crate) const PERSISTENT_COOKIE_MAX_AGE: i64 = 31_540_000;

impl Default for TransportOptions {
    fn default() -> Self {
        let names = |kind: &str| CookieNames {
            cookie: format!("{kind}_token_cookie"),
            cookie_path: "/".to_owned(),
            csrf_cookie: format!("csrf_{kind}_token"),
            csrf_cookie_path: "/".to_owned(),
            csrf_header: "X-CSRF-TOKEN".to_owned(),
            csrf_field: "csrf_token".to_owned(),
            json_key: format!("{kind}_token"),
        };
        TransportOptions {
            access: names("access"),
            refresh: names("refresh"),
            cookie_domain: None,
            cookie_secure: false,
            cookie_samesite: None,
            session_cookie: true,
            csrf_in_cookies: true,
            csrf_methods: vec![Method::POST, Method::PUT, Method::PATCH, Method::DELETE],
            csrf_check_form: false,
            query_string_name: "jwt".to_owned(),
            query_string_value_prefix: String::new(),
            body_limit: 64 * 1024,
            body_timeout: Duration::from_secs(5),
        }
    }
}

impl TransportOptions {
    /// The cookie rules browsers enforce, checked at start-up instead of
    /// discovered as silently dropped cookies.
    pub(crate) fn validate(&mut self) -> Result<(), ConfigError> {
        if self.body_timeout.is_zero() {
            return Err(ConfigError::new(
                "JWT_BODY_TIMEOUT must be more than zero: a zero timeout refuses every body \
                 a token is looked for in",
            ));
        }
        // Werkzeug drops a leading dot (`.ex.com` is written `Domain=ex.com`).
        if let Some(domain) = self.cookie_domain.take() {
            if domain.contains([':', '/', ';', ' ']) {
                return Err(ConfigError::new(format!(
                    "JWT_COOKIE_DOMAIN {domain:?} must be a bare host name such as \"example.com\" \
                     (no port, scheme or path)"
                )));
            }
            let domain = domain.trim_start_matches('.').to_owned();
            self.cookie_domain = (!domain.is_empty()).then_some(domain);
        }
        if self.cookie_samesite == Some(SameSite::None) && !self.cookie_secure {
            return Err(ConfigError::new(
                "JWT_COOKIE_SAMESITE = \"None\" requires JWT_COOKIE_SECURE = true: browsers drop \
                 SameSite=None cookies that are not Secure",
            ));
        }
        for names in [&self.access, &self.refresh] {
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
                if secure_prefix && !self.cookie_secure {
                    return Err(ConfigError::new(format!(
                        "cookie {name:?}: the __Secure- and __Host- prefixes require JWT_COOKIE_SECURE = true"
                    )));
                }
                if name.starts_with("__Host-") && (path != "/" || self.cookie_domain.is_some()) {
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
        if self.query_string_name.is_empty() {
            return Err(ConfigError::new("JWT_QUERY_STRING_NAME cannot be empty"));
        }
        Ok(())
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

/// Cookie, CSRF, query-string and JSON setters; `access_` and `refresh_` pairs mirror
/// flask's `JWT_ACCESS_*` / `JWT_REFRESH_*` options.
impl JwtManagerBuilder {
    /// The access token cookie (`JWT_ACCESS_COOKIE_NAME`). Defaults to `"access_token_cookie"`.
    pub fn access_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.transport.access.cookie = name.into();
        self
    }

    /// The refresh token cookie (`JWT_REFRESH_COOKIE_NAME`). Defaults to `"refresh_token_cookie"`.
    pub fn refresh_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.transport.refresh.cookie = name.into();
        self
    }

    /// Path of the access cookie (`JWT_ACCESS_COOKIE_PATH`). Defaults to `"/"`.
    pub fn access_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.transport.access.cookie_path = path.into();
        self
    }

    /// Path of the refresh cookie (`JWT_REFRESH_COOKIE_PATH`), e.g. your
    /// refresh route, so the refresh token travels only there. Defaults to `"/"`.
    pub fn refresh_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.transport.refresh.cookie_path = path.into();
        self
    }

    /// The cookies' `Domain` (`JWT_COOKIE_DOMAIN`); a leading dot is dropped,
    /// as Werkzeug does. Defaults to none (host-only cookies).
    pub fn cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.transport.cookie_domain = Some(domain.into());
        self
    }

    /// Whether cookies are `Secure` (`JWT_COOKIE_SECURE`). **Turn it on in
    /// production**; flask's default is kept for parity. Defaults to `false`.
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.transport.cookie_secure = secure;
        self
    }

    /// The cookies' `SameSite` (`JWT_COOKIE_SAMESITE`); `Lax` or `Strict`
    /// is recommended. Defaults to none (no attribute).
    pub fn cookie_samesite(mut self, samesite: SameSite) -> Self {
        self.transport.cookie_samesite = Some(samesite);
        self
    }

    /// Session cookies (`true`) or persistent ones with flask's
    /// `Max-Age=31540000` (`JWT_SESSION_COOKIE`). Defaults to `true`.
    pub fn session_cookie(mut self, session: bool) -> Self {
        self.transport.session_cookie = session;
        self
    }

    /// Whether the cookie setters also set the non-HttpOnly CSRF cookies that
    /// browser code reads (`JWT_CSRF_IN_COOKIES`). Defaults to `true`.
    pub fn csrf_in_cookies(mut self, in_cookies: bool) -> Self {
        self.transport.csrf_in_cookies = in_cookies;
        self
    }

    /// The methods that need the CSRF double submit when the token comes
    /// from a cookie (`JWT_CSRF_METHODS`). Defaults to POST, PUT, PATCH, DELETE.
    pub fn csrf_methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.transport.csrf_methods = methods.into_iter().collect();
        self
    }

    /// Also accept the CSRF value from a form field of an
    /// `application/x-www-form-urlencoded` body when the header is absent
    /// (`JWT_CSRF_CHECK_FORM`). Defaults to `false`.
    pub fn csrf_check_form(mut self, check: bool) -> Self {
        self.transport.csrf_check_form = check;
        self
    }

    /// The CSRF cookie of access tokens (`JWT_ACCESS_CSRF_COOKIE_NAME`).
    /// Defaults to `"csrf_access_token"`.
    pub fn access_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.transport.access.csrf_cookie = name.into();
        self
    }

    /// The CSRF cookie of refresh tokens (`JWT_REFRESH_CSRF_COOKIE_NAME`).
    /// Defaults to `"csrf_refresh_token"`.
    pub fn refresh_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.transport.refresh.csrf_cookie = name.into();
        self
    }

    /// Path of the access CSRF cookie (`JWT_ACCESS_CSRF_COOKIE_PATH`). Defaults to `"/"`.
    pub fn access_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.transport.access.csrf_cookie_path = path.into();
        self
    }

    /// Path of the refresh CSRF cookie (`JWT_REFRESH_CSRF_COOKIE_PATH`). Defaults to `"/"`.
    pub fn refresh_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.transport.refresh.csrf_cookie_path = path.into();
        self
    }

    /// The header carrying the CSRF value with access cookies
    /// (`JWT_ACCESS_CSRF_HEADER_NAME`). Defaults to `"X-CSRF-TOKEN"`.
    pub fn access_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.transport.access.csrf_header = name.into();
        self
    }

    /// The header carrying the CSRF value with refresh cookies
    /// (`JWT_REFRESH_CSRF_HEADER_NAME`). Defaults to `"X-CSRF-TOKEN"`.
    pub fn refresh_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.transport.refresh.csrf_header = name.into();
        self
    }

    /// The form field of the CSRF value with access cookies
    /// (`JWT_ACCESS_CSRF_FIELD_NAME`). Defaults to `"csrf_token"`.
    pub fn access_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.transport.access.csrf_field = name.into();
        self
    }

    /// The form field of the CSRF value with refresh cookies
    /// (`JWT_REFRESH_CSRF_FIELD_NAME`). Defaults to `"csrf_token"`.
    pub fn refresh_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.transport.refresh.csrf_field = name.into();
        self
    }

    /// The query parameter holding the token (`JWT_QUERY_STRING_NAME`).
    /// Defaults to `"jwt"`.
    pub fn query_string_name(mut self, name: impl Into<String>) -> Self {
        self.transport.query_string_name = name.into();
        self
    }

    /// A prefix the query value must start with, e.g. `"Bearer "`
    /// (`JWT_QUERY_STRING_VALUE_PREFIX`). Defaults to `""`.
    pub fn query_string_value_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.transport.query_string_value_prefix = prefix.into();
        self
    }

    /// The JSON body key of access tokens (`JWT_JSON_KEY`). Defaults to `"access_token"`.
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.transport.access.json_key = key.into();
        self
    }

    /// The JSON body key of refresh tokens (`JWT_REFRESH_JSON_KEY`). Defaults
    /// to `"refresh_token"`.
    pub fn refresh_json_key(mut self, key: impl Into<String>) -> Self {
        self.transport.refresh.json_key = key.into();
        self
    }

    /// The largest request body read to find a token in JSON or a CSRF form
    /// field (`JWT_BODY_LIMIT`); larger bodies are answered 413 (an addition
    /// to flask), a declared `Content-Length` over it before anything is
    /// read. Defaults to 64 KiB: room for a token and the data sent beside
    /// it, while every connection a client holds open costs at most this.
    /// Raise it for routes that take larger JSON documents with the token
    /// inside; the handler's own `web::Json` limit is separate.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.transport.body_limit = bytes;
        self
    }

    /// How long reading that body may take (`JWT_BODY_TIMEOUT`, seconds)
    /// before the request is answered 408 and the connection's buffer is
    /// freed (an addition to flask, whose WSGI server bounds it instead).
    /// Defaults to 5 seconds, as actix-web's own wait for request headers.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.transport.body_timeout = timeout;
        self
    }
}
