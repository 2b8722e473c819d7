//! Setting and clearing the JWT and CSRF cookies on responses:
//! flask-jwt-extended's `set_access_cookies`, `unset_jwt_cookies` and
//! friends, writing the same `Set-Cookie` headers as Werkzeug.

use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use crate::config::{PERSISTENT_COOKIE_MAX_AGE, Settings};
use crate::request::locations::cookies::cookie_names;
use crate::{DecodeOptions, Failure, JwtError, JwtErrorKind, JwtManager, TokenType};

/// Browsers drop cookies whose name and value exceed 4096 bytes (RFC 6265 §6.1).
const MAX_COOKIE_SIZE: usize = 4096;

/// Per-call cookie options: flask's `max_age` and `domain` arguments, which
/// win over the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct CookieOptions {
    max_age: Option<TimeDelta>,
    domain: Option<String>,
}

impl CookieOptions {
    /// flask's defaults: the configured lifetime and domain.
    pub fn new() -> Self {
        Self::default()
    }

    /// A persistent cookie living this long (`Max-Age` and `Expires`).
    /// Defaults to the configuration: a session cookie, or flask's
    /// 31540000 seconds with `JWT_SESSION_COOKIE = False`.
    pub fn max_age(mut self, max_age: TimeDelta) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The cookie `Domain`. Defaults to `JWT_COOKIE_DOMAIN`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }
}

/// A response, or a response being built, that can receive `Set-Cookie`
/// headers: `HttpResponse`, `HttpResponseBuilder`, and `ServiceResponse`
/// for middleware.
pub trait SetCookieTarget: sealed::Sealed {
    /// Appends one `Set-Cookie` header.
    fn append_set_cookie(&mut self, value: HeaderValue);
}

mod sealed {
    pub trait Sealed {}
    impl<B> Sealed for actix_web::HttpResponse<B> {}
    impl Sealed for actix_web::HttpResponseBuilder {}
    impl<B> Sealed for actix_web::dev::ServiceResponse<B> {}
}

impl<B> SetCookieTarget for HttpResponse<B> {
    fn append_set_cookie(&mut self, value: HeaderValue) {
        self.headers_mut().append(SET_COOKIE, value);
    }
}

impl SetCookieTarget for HttpResponseBuilder {
    fn append_set_cookie(&mut self, value: HeaderValue) {
        self.append_header((SET_COOKIE, value));
    }
}

impl<B> SetCookieTarget for ServiceResponse<B> {
    fn append_set_cookie(&mut self, value: HeaderValue) {
        self.response_mut().headers_mut().append(SET_COOKIE, value);
    }
}

/// One cookie in Werkzeug's attribute order: `Domain`, `Expires`,
/// `Max-Age`, `Secure`, `HttpOnly`, `Path`, `SameSite`.
struct CookieLine<'a> {
    name: &'a str,
    value: &'a str,
    domain: Option<&'a str>,
    expires: Option<DateTime<Utc>>,
    max_age: Option<i64>,
    http_only: bool,
    path: &'a str,
}

impl CookieLine<'_> {
    fn render(&self, settings: &Settings) -> Result<HeaderValue, Failure> {
        if self.name.len() + self.value.len() > MAX_COOKIE_SIZE {
            return Err(Failure::new(
                JwtErrorKind::Encode,
                format!(
                    "cookie {:?} would be {} bytes, more than the {MAX_COOKIE_SIZE} browsers keep: \
                     put fewer claims in the token",
                    self.name,
                    self.name.len() + self.value.len()
                ),
            ));
        }
        let mut line = format!("{}={}", self.name, self.value);
        if let Some(domain) = self.domain {
            line.push_str(&format!("; Domain={}", domain.trim_start_matches('.')));
        }
        if let Some(expires) = self.expires {
            line.push_str(&format!(
                "; Expires={}",
                expires.format("%a, %d %b %Y %H:%M:%S GMT")
            ));
        }
        if let Some(max_age) = self.max_age {
            line.push_str(&format!("; Max-Age={max_age}"));
        }
        if settings.cookie_secure {
            line.push_str("; Secure");
        }
        if self.http_only {
            line.push_str("; HttpOnly");
        }
        line.push_str(&format!("; Path={}", self.path));
        if let Some(samesite) = settings.cookie_samesite {
            line.push_str(&format!("; SameSite={}", samesite.as_str()));
        }
        HeaderValue::from_str(&line).map_err(|_| {
            Failure::new(
                JwtErrorKind::Encode,
                "cookie value is not a valid header value",
            )
        })
    }
}

impl JwtManager {
    /// flask's `set_access_cookies(response, token)`: the HttpOnly access
    /// cookie and, with CSRF protection in cookies, the `csrf_access_token`
    /// cookie browser code copies into the `X-CSRF-TOKEN` header.
    ///
    /// ```
    /// use actix_web::{HttpResponse, post};
    /// use jwt_ext::{JwtError, JwtManager};
    ///
    /// #[post("/login")]
    /// async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    ///     let mut response = HttpResponse::Ok().json(serde_json::json!({ "login": true }));
    ///     jwt.set_access_cookies(&mut response, &jwt.create_access_token("test")?)?;
    ///     jwt.set_refresh_cookies(&mut response, &jwt.create_refresh_token("test")?)?;
    ///     Ok(response)
    /// }
    /// ```
    ///
    /// # Errors
    /// The token is decoded to read its `csrf` claim, as in flask, so an
    /// invalid or expired token is refused; so is a token without a `csrf`
    /// claim, and a cookie over 4096 bytes.
    pub fn set_access_cookies(
        &self,
        response: &mut impl SetCookieTarget,
        token: &str,
    ) -> Result<(), JwtError> {
        self.set_cookies(response, TokenType::Access, token, &CookieOptions::new())
            .map_err(|e| self.render(e))
    }

    /// [`set_access_cookies`](Self::set_access_cookies) with flask's
    /// `max_age` and `domain` arguments.
    ///
    /// # Errors
    /// As [`set_access_cookies`](Self::set_access_cookies).
    pub fn set_access_cookies_with(
        &self,
        response: &mut impl SetCookieTarget,
        token: &str,
        options: &CookieOptions,
    ) -> Result<(), JwtError> {
        self.set_cookies(response, TokenType::Access, token, options)
            .map_err(|e| self.render(e))
    }

    /// flask's `set_refresh_cookies(response, token)`.
    ///
    /// # Errors
    /// As [`set_access_cookies`](Self::set_access_cookies).
    pub fn set_refresh_cookies(
        &self,
        response: &mut impl SetCookieTarget,
        token: &str,
    ) -> Result<(), JwtError> {
        self.set_cookies(response, TokenType::Refresh, token, &CookieOptions::new())
            .map_err(|e| self.render(e))
    }

    /// [`set_refresh_cookies`](Self::set_refresh_cookies) with flask's
    /// `max_age` and `domain` arguments.
    ///
    /// # Errors
    /// As [`set_access_cookies`](Self::set_access_cookies).
    pub fn set_refresh_cookies_with(
        &self,
        response: &mut impl SetCookieTarget,
        token: &str,
        options: &CookieOptions,
    ) -> Result<(), JwtError> {
        self.set_cookies(response, TokenType::Refresh, token, options)
            .map_err(|e| self.render(e))
    }

    /// flask's `unset_jwt_cookies(response)`: expires the access and refresh
    /// cookies and their CSRF cookies (logout).
    pub fn unset_jwt_cookies(&self, response: &mut impl SetCookieTarget) {
        self.unset_jwt_cookies_with(response, &CookieOptions::new());
    }

    /// [`unset_jwt_cookies`](Self::unset_jwt_cookies) with flask's `domain`
    /// argument (`max_age` is ignored).
    pub fn unset_jwt_cookies_with(
        &self,
        response: &mut impl SetCookieTarget,
        options: &CookieOptions,
    ) {
        self.unset_cookies(response, TokenType::Access, options);
        self.unset_cookies(response, TokenType::Refresh, options);
    }

    /// flask's `unset_access_cookies(response)`.
    pub fn unset_access_cookies(&self, response: &mut impl SetCookieTarget) {
        self.unset_access_cookies_with(response, &CookieOptions::new());
    }

    /// [`unset_access_cookies`](Self::unset_access_cookies) with flask's
    /// `domain` argument (`max_age` is ignored): a browser deletes a cookie
    /// only for the domain it was set with.
    ///
    /// ```
    /// # let jwt = jwt_ext::JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").build().unwrap();
    /// use jwt_ext::CookieOptions;
    ///
    /// let mut response = actix_web::HttpResponse::Ok().finish();
    /// jwt.unset_access_cookies_with(&mut response, &CookieOptions::new().domain("api.example.com"));
    /// let cleared = response.headers().get("set-cookie").unwrap();
    /// assert_eq!(
    ///     cleared,
    ///     "access_token_cookie=; Domain=api.example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/"
    /// );
    /// ```
    pub fn unset_access_cookies_with(
        &self,
        response: &mut impl SetCookieTarget,
        options: &CookieOptions,
    ) {
        self.unset_cookies(response, TokenType::Access, options);
    }

    /// flask's `unset_refresh_cookies(response)`.
    pub fn unset_refresh_cookies(&self, response: &mut impl SetCookieTarget) {
        self.unset_refresh_cookies_with(response, &CookieOptions::new());
    }

    /// [`unset_refresh_cookies`](Self::unset_refresh_cookies) with flask's
    /// `domain` argument (`max_age` is ignored).
    pub fn unset_refresh_cookies_with(
        &self,
        response: &mut impl SetCookieTarget,
        options: &CookieOptions,
    ) {
        self.unset_cookies(response, TokenType::Refresh, options);
    }

    /// flask's `get_csrf_token(token)`: the `csrf` claim of a verified token,
    /// the value the double submit expects.
    ///
    /// # Errors
    /// As [`decode_token`](Self::decode_token), or
    /// [`JwtErrorKind::Encode`] when the token has no `csrf` claim (it was
    /// minted with `cookie_csrf_protect(false)`).
    pub fn get_csrf_token(&self, token: &str) -> Result<String, JwtError> {
        self.csrf_token(token).map_err(|e| self.render(e))
    }

    fn csrf_token(&self, token: &str) -> Result<String, Failure> {
        match self
            .decode(token, &DecodeOptions::default())?
            .claims()
            .get("csrf")
        {
            Some(Value::String(csrf)) => Ok(csrf.clone()),
            _ => Err(Failure::new(
                JwtErrorKind::Encode,
                "the token has no csrf claim: it was minted with cookie_csrf_protect(false)",
            )),
        }
    }

    fn set_cookies(
        &self,
        response: &mut impl SetCookieTarget,
        kind: TokenType,
        token: &str,
        options: &CookieOptions,
    ) -> Result<(), Failure> {
        let settings = self.settings();
        let names = cookie_names(settings, kind);
        // flask: `max_age or config`, so a zero max-age falls back too
        // (quirk 18).
        let max_age = options
            .max_age
            .filter(|age| !age.is_zero())
            .map(|age| age.num_seconds())
            .or((!settings.session_cookie).then_some(PERSISTENT_COOKIE_MAX_AGE));
        let expires = max_age.map(|secs| settings.clock.now() + TimeDelta::seconds(secs));
        let domain = domain(settings, options);
        let mut lines = vec![
            CookieLine {
                name: &names.cookie,
                value: token,
                domain,
                expires,
                max_age,
                http_only: true,
                path: &names.cookie_path,
            }
            .render(settings)?,
        ];
        if settings.csrf_protect && settings.csrf_in_cookies {
            let csrf = self.csrf_token(token)?;
            let line = CookieLine {
                name: &names.csrf_cookie,
                value: &csrf,
                domain,
                expires,
                max_age,
                // Browser code must read it to send it back in the header.
                http_only: false,
                path: &names.csrf_cookie_path,
            };
            lines.push(line.render(settings)?);
        }
        for line in lines {
            response.append_set_cookie(line);
        }
        Ok(())
    }

    fn unset_cookies(
        &self,
        response: &mut impl SetCookieTarget,
        kind: TokenType,
        options: &CookieOptions,
    ) {
        let settings = self.settings();
        let names = cookie_names(settings, kind);
        let domain = domain(settings, options);
        let mut cookies = vec![(&names.cookie, &names.cookie_path, true)];
        if settings.csrf_protect && settings.csrf_in_cookies {
            cookies.push((&names.csrf_cookie, &names.csrf_cookie_path, false));
        }
        for (name, path, http_only) in cookies {
            let line = CookieLine {
                name,
                value: "",
                domain,
                expires: Some(DateTime::UNIX_EPOCH),
                max_age: None,
                http_only,
                path,
            };
            // Names and paths were validated at start-up and the value is
            // empty, so rendering cannot fail.
            if let Ok(value) = line.render(settings) {
                response.append_set_cookie(value);
            }
        }
    }
}

/// flask: `domain or config`.
fn domain<'a>(settings: &'a Settings, options: &'a CookieOptions) -> Option<&'a str> {
    options
        .domain
        .as_deref()
        .filter(|d| !d.is_empty())
        .or(settings.cookie_domain.as_deref())
}
