//! Every value option of [`JwtManagerBuilder`], each defined once: its doc
//! (flask name, meaning, default), its field and default, its setter, and
//! the `JWT_*` variable [`from_env`](JwtManagerBuilder::from_env) reads it
//! from, with the format that variable takes.
//!
//! The [`options!`] table below generates from those entries the
//! [`Options`] the builder holds (and a built manager reads through its
//! `Settings`), its `Default`, one documented setter per option, the
//! environment lookup, and the table of variables in the docs of
//! [`from_env`](JwtManagerBuilder::from_env): adding an option is one entry
//! here plus the code that uses it.
//!
//! Left outside the table, on purpose:
//! - key material (`secret_key`, `private_key_pem`, `public_key_pem`):
//!   parsed into keys at build rather than read as values, and read from
//!   the environment with fallbacks (`SECRET_KEY`, the `_FILE` variables)
//!   no other option has; their variables are rows of the same table,
//!   listed under `read_by_hand`;
//! - loaders (`*_loader` closures), error-response loaders, the revocation
//!   store and the clock: they have no variable and no value to default,
//!   so their setter is their whole definition.

use std::time::Duration;

use actix_web::http::Method;
use chrono::TimeDelta;
use jsonwebtoken::Algorithm;

use super::env;
use super::{Audience, JwtManagerBuilder, SameSite};
use crate::ConfigError;
use crate::{Expiry, TokenLocation};

/// The default of [`JwtManagerBuilder::max_token_size`].
pub(crate) const DEFAULT_MAX_TOKEN_SIZE: usize = 8192;

/// Generates the options from one entry each:
///
/// ```text
/// /// Doc of the setter: flask name, meaning, "Defaults to ...".
/// field: FieldType = default_expression,
///     fn setter(param: ParamType) => conversion_into_FieldType,
///     env "JWT_NAME" => parser, "format for the docs";
/// ```
///
/// The `env` line is left out for an option without a variable; `parser`
/// is `fn(&str, &str) -> Result<FieldType, ConfigError>`, given the
/// variable's name (for its error messages) and its value.
macro_rules! options {
    (@some) => { None };
    (@some $env:literal) => { Some($env) };
    (
        read_by_hand { $( $hand_env:literal => $hand_format:literal, )* }
        $(
            $(#[doc = $doc:literal])*
            $field:ident: $ty:ty = $default:expr,
                fn $setter:ident($param:ident: $param_ty:ty) => $conversion:expr,
                $( env $env:literal => $parse:path, $format:literal )?
            ;
        )*
    ) => {
        /// The value options as configured; each field is documented on its
        /// setter of [`JwtManagerBuilder`]. Checked (and a few normalized in
        /// place) when the manager is built.
        #[derive(Clone)]
        pub(crate) struct Options {
            $( pub(crate) $field: $ty, )*
        }

        impl Default for Options {
            fn default() -> Self {
                Options { $( $field: $default, )* }
            }
        }

        impl JwtManagerBuilder {
            $(
                $(#[doc = $doc])*
                pub fn $setter(mut self, $param: $param_ty) -> Self {
                    self.options.$field = $conversion;
                    self
                }
            )*
        }

        impl Options {
            /// Reads every option that has a variable; unset ones keep
            /// their value.
            pub(crate) fn read_env(
                &mut self,
                lookup: &impl Fn(&str) -> Option<String>,
            ) -> Result<(), ConfigError> {
                $($(
                    if let Some(value) = lookup($env) {
                        self.$field = $parse($env, &value)?;
                    }
                )?)*
                Ok(())
            }
        }

        /// Every variable [`from_env`](JwtManagerBuilder::from_env) reads,
        /// with its format, in the order of its docs.
        #[cfg(test)]
        pub(crate) const ENV_ROWS: &[(&str, &str)] = &[
            $( ($hand_env, $hand_format), )*
            $($( ($env, $format), )?)*
        ];

        /// Each setter's name, its variable if any, and its doc.
        #[cfg(test)]
        pub(crate) const SETTER_DOCS: &[(&str, Option<&str>, &str)] = &[
            $( (
                stringify!($setter),
                options!(@some $($env)?),
                concat!($( $doc, "\n", )*),
            ), )*
        ];

        /// The Markdown table of variables in the docs of `from_env`.
        macro_rules! env_table {
            () => {
                concat!(
                    "| Variable | Format |\n|---|---|\n",
                    $( "| `", $hand_env, "` | ", $hand_format, " |\n", )*
                    $($( "| `", $env, "` | ", $format, " |\n", )?)*
                )
            };
        }
        pub(crate) use env_table;
    };
}

options! {
    read_by_hand {
        "JWT_SECRET_KEY" => "text",
        "SECRET_KEY" => "text, read when `JWT_SECRET_KEY` is unset (Flask's own secret)",
        "JWT_PRIVATE_KEY" => "PEM text",
        "JWT_PRIVATE_KEY_FILE" => "path of a PEM file, read when `JWT_PRIVATE_KEY` is unset",
        "JWT_PUBLIC_KEY" => "PEM text",
        "JWT_PUBLIC_KEY_FILE" => "path of a PEM file, read when `JWT_PUBLIC_KEY` is unset",
        "JWT_KEY_ID" => "text: the signing key's `kid` (jwt-ext's; asymmetric algorithms only)",
    }

    /// The signing algorithm (`JWT_ALGORITHM`). Defaults to `HS256`.
    algorithm: Algorithm = Algorithm::HS256,
        fn algorithm(algorithm: Algorithm) => algorithm,
        env "JWT_ALGORITHM" => env::algorithm, "`HS256` … `EdDSA`";

    /// The algorithms accepted when verifying (`JWT_DECODE_ALGORITHMS`); the
    /// signing algorithm is always added. All must belong to the family of
    /// the configured key. Defaults to the signing algorithm alone.
    decode_algorithms: Vec<Algorithm> = Vec::new(),
        fn decode_algorithms(algorithms: impl IntoIterator<Item = Algorithm>) => algorithms.into_iter().collect(),
        env "JWT_DECODE_ALGORITHMS" => env::algorithms, "comma-separated list of algorithms";

    /// Lifetime of access tokens (`JWT_ACCESS_TOKEN_EXPIRES`): a duration or
    /// [`Expiry::Never`]. A zero or negative duration is refused at build:
    /// flask reads zero as "never", say so explicitly. Defaults to 15 minutes.
    access_expires: Expiry = Expiry::DEFAULT_ACCESS,
        fn access_token_expires(expires: impl Into<Expiry>) => expires.into(),
        env "JWT_ACCESS_TOKEN_EXPIRES" => env::expiry, "seconds; `0` or `false` for never, as in flask";

    /// Lifetime of refresh tokens (`JWT_REFRESH_TOKEN_EXPIRES`); see
    /// [`access_token_expires`](Self::access_token_expires). Defaults to 30 days.
    refresh_expires: Expiry = Expiry::DEFAULT_REFRESH,
        fn refresh_token_expires(expires: impl Into<Expiry>) => expires.into(),
        env "JWT_REFRESH_TOKEN_EXPIRES" => env::expiry, "seconds; `0` or `false` for never, as in flask";

    /// The claim holding the identity (`JWT_IDENTITY_CLAIM`). Defaults to `"sub"`.
    identity_claim: String = "sub".to_owned(),
        fn identity_claim(claim: impl Into<String>) => claim.into(),
        env "JWT_IDENTITY_CLAIM" => env::text, "text";

    /// Whether minted tokens carry `nbf = iat` (`JWT_ENCODE_NBF`). Defaults to `true`.
    encode_nbf: bool = true,
        fn encode_nbf(encode: bool) => encode,
        env "JWT_ENCODE_NBF" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// The `aud` claim of minted tokens (`JWT_ENCODE_AUDIENCE`). Defaults to none.
    encode_audience: Option<Audience> = None,
        fn encode_audience(audience: impl Into<Audience>) => Some(audience.into()),
        env "JWT_ENCODE_AUDIENCE" => env::audience, "one audience, or a comma-separated list";

    /// The `iss` claim of minted tokens (`JWT_ENCODE_ISSUER`). Defaults to none.
    encode_issuer: Option<String> = None,
        fn encode_issuer(issuer: impl Into<String>) => Some(issuer.into()),
        env "JWT_ENCODE_ISSUER" => env::some_text, "text";

    /// The audiences a token must name (`JWT_DECODE_AUDIENCE`); when unset,
    /// `aud` is not checked at all, as in flask. Defaults to none.
    decode_audience: Option<Audience> = None,
        fn decode_audience(audience: impl Into<Audience>) => Some(audience.into()),
        env "JWT_DECODE_AUDIENCE" => env::audience, "one audience, or a comma-separated list";

    /// The issuer a token must name exactly (`JWT_DECODE_ISSUER`). Defaults to none.
    decode_issuer: Option<String> = None,
        fn decode_issuer(issuer: impl Into<String>) => Some(issuer.into()),
        env "JWT_DECODE_ISSUER" => env::some_text, "text";

    /// Clock leeway for `exp`, `nbf` and `iat` (`JWT_DECODE_LEEWAY`).
    /// Defaults to zero (jsonwebtoken's own default of 60 s is not used).
    leeway: TimeDelta = TimeDelta::zero(),
        fn decode_leeway(leeway: TimeDelta) => leeway,
        env "JWT_DECODE_LEEWAY" => env::leeway, "seconds";

    /// The JSON key of error bodies (`JWT_ERROR_MESSAGE_KEY`). Defaults to `"msg"`.
    error_message_key: String = "msg".to_owned(),
        fn error_message_key(key: impl Into<String>) => key.into(),
        env "JWT_ERROR_MESSAGE_KEY" => env::text, "text";

    /// The request header holding the token (`JWT_HEADER_NAME`). Defaults to
    /// `"Authorization"`.
    header_name: String = "Authorization".to_owned(),
        fn header_name(name: impl Into<String>) => name.into(),
        env "JWT_HEADER_NAME" => env::text, "text";

    /// The scheme before the token (`JWT_HEADER_TYPE`); empty means the
    /// header holds the bare token. Defaults to `"Bearer"`.
    header_type: String = "Bearer".to_owned(),
        fn header_type(header_type: impl Into<String>) => header_type.into(),
        env "JWT_HEADER_TYPE" => env::text, "text; may be empty";

    /// Whether a present `sub` claim must be a string (`JWT_VERIFY_SUB`);
    /// turn off to accept legacy tokens with integer subjects. Defaults to `true`.
    verify_sub: bool = true,
        fn verify_sub(verify: bool) => verify,
        env "JWT_VERIFY_SUB" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// Whether minted tokens carry a `csrf` claim (`JWT_COOKIE_CSRF_PROTECT`).
    /// As in flask, this applies to every token, whatever the locations.
    /// Defaults to `true`.
    csrf_protect: bool = true,
        fn cookie_csrf_protect(protect: bool) => protect,
        env "JWT_COOKIE_CSRF_PROTECT" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// Where to look for tokens, in order (`JWT_TOKEN_LOCATION`). Defaults to
    /// headers only.
    token_locations: Vec<TokenLocation> = vec![TokenLocation::Headers],
        fn token_location(locations: impl IntoIterator<Item = TokenLocation>) => locations.into_iter().collect(),
        env "JWT_TOKEN_LOCATION" => env::locations, "comma-separated list of `headers`, `cookies`, `query_string`, `json`";

    /// The largest token accepted, in bytes (`JWT_MAX_TOKEN_SIZE`); larger
    /// ones are refused before any base64 or JSON work (an addition to
    /// flask). Defaults to 8192.
    max_token_size: usize = DEFAULT_MAX_TOKEN_SIZE,
        fn max_token_size(bytes: usize) => bytes,
        env "JWT_MAX_TOKEN_SIZE" => env::bytes, "bytes";

    /// The access token cookie (`JWT_ACCESS_COOKIE_NAME`). Defaults to `"access_token_cookie"`.
    access_cookie_name: String = "access_token_cookie".to_owned(),
        fn access_cookie_name(name: impl Into<String>) => name.into(),
        env "JWT_ACCESS_COOKIE_NAME" => env::text, "text";

    /// The refresh token cookie (`JWT_REFRESH_COOKIE_NAME`). Defaults to `"refresh_token_cookie"`.
    refresh_cookie_name: String = "refresh_token_cookie".to_owned(),
        fn refresh_cookie_name(name: impl Into<String>) => name.into(),
        env "JWT_REFRESH_COOKIE_NAME" => env::text, "text";

    /// Path of the access cookie (`JWT_ACCESS_COOKIE_PATH`). Defaults to `"/"`.
    access_cookie_path: String = "/".to_owned(),
        fn access_cookie_path(path: impl Into<String>) => path.into(),
        env "JWT_ACCESS_COOKIE_PATH" => env::text, "text";

    /// Path of the refresh cookie (`JWT_REFRESH_COOKIE_PATH`), e.g. your
    /// refresh route, so the refresh token travels only there. Defaults to `"/"`.
    refresh_cookie_path: String = "/".to_owned(),
        fn refresh_cookie_path(path: impl Into<String>) => path.into(),
        env "JWT_REFRESH_COOKIE_PATH" => env::text, "text";

    /// The cookies' `Domain` (`JWT_COOKIE_DOMAIN`); a leading dot is dropped,
    /// as Werkzeug does. Defaults to none (host-only cookies).
    cookie_domain: Option<String> = None,
        fn cookie_domain(domain: impl Into<String>) => Some(domain.into()),
        env "JWT_COOKIE_DOMAIN" => env::some_text, "text";

    /// Whether cookies are `Secure` (`JWT_COOKIE_SECURE`). **Turn it on in
    /// production**; flask's default is kept for parity. Defaults to `false`.
    cookie_secure: bool = false,
        fn cookie_secure(secure: bool) => secure,
        env "JWT_COOKIE_SECURE" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// The cookies' `SameSite` (`JWT_COOKIE_SAMESITE`); `Lax` or `Strict`
    /// is recommended. Defaults to none (no attribute).
    cookie_samesite: Option<SameSite> = None,
        fn cookie_samesite(samesite: SameSite) => Some(samesite),
        env "JWT_COOKIE_SAMESITE" => env::samesite, "`Lax`, `Strict`, `None`, or empty for no attribute";

    /// Session cookies (`true`) or persistent ones with flask's
    /// `Max-Age=31540000` (`JWT_SESSION_COOKIE`). Defaults to `true`.
    session_cookie: bool = true,
        fn session_cookie(session: bool) => session,
        env "JWT_SESSION_COOKIE" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// Whether the cookie setters also set the non-HttpOnly CSRF cookies that
    /// browser code reads (`JWT_CSRF_IN_COOKIES`). Defaults to `true`.
    csrf_in_cookies: bool = true,
        fn csrf_in_cookies(in_cookies: bool) => in_cookies,
        env "JWT_CSRF_IN_COOKIES" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// The methods that need the CSRF double submit when the token comes
    /// from a cookie (`JWT_CSRF_METHODS`). Defaults to POST, PUT, PATCH, DELETE.
    csrf_methods: Vec<Method> = vec![Method::POST, Method::PUT, Method::PATCH, Method::DELETE],
        fn csrf_methods(methods: impl IntoIterator<Item = Method>) => methods.into_iter().collect(),
        env "JWT_CSRF_METHODS" => env::methods, "comma-separated HTTP methods";

    /// Also accept the CSRF value from a form field of an
    /// `application/x-www-form-urlencoded` body when the header is absent
    /// (`JWT_CSRF_CHECK_FORM`). Defaults to `false`.
    csrf_check_form: bool = false,
        fn csrf_check_form(check: bool) => check,
        env "JWT_CSRF_CHECK_FORM" => env::boolean, "`true`/`false` (also `True`, `1`, `0`, `yes`, `no`)";

    /// The CSRF cookie of access tokens (`JWT_ACCESS_CSRF_COOKIE_NAME`).
    /// Defaults to `"csrf_access_token"`.
    access_csrf_cookie_name: String = "csrf_access_token".to_owned(),
        fn access_csrf_cookie_name(name: impl Into<String>) => name.into(),
        env "JWT_ACCESS_CSRF_COOKIE_NAME" => env::text, "text";

    /// The CSRF cookie of refresh tokens (`JWT_REFRESH_CSRF_COOKIE_NAME`).
    /// Defaults to `"csrf_refresh_token"`.
    refresh_csrf_cookie_name: String = "csrf_refresh_token".to_owned(),
        fn refresh_csrf_cookie_name(name: impl Into<String>) => name.into(),
        env "JWT_REFRESH_CSRF_COOKIE_NAME" => env::text, "text";

    /// Path of the access CSRF cookie (`JWT_ACCESS_CSRF_COOKIE_PATH`). Defaults to `"/"`.
    access_csrf_cookie_path: String = "/".to_owned(),
        fn access_csrf_cookie_path(path: impl Into<String>) => path.into(),
        env "JWT_ACCESS_CSRF_COOKIE_PATH" => env::text, "text";

    /// Path of the refresh CSRF cookie (`JWT_REFRESH_CSRF_COOKIE_PATH`). Defaults to `"/"`.
    refresh_csrf_cookie_path: String = "/".to_owned(),
        fn refresh_csrf_cookie_path(path: impl Into<String>) => path.into(),
        env "JWT_REFRESH_CSRF_COOKIE_PATH" => env::text, "text";

    /// The header carrying the CSRF value with access cookies
    /// (`JWT_ACCESS_CSRF_HEADER_NAME`). Defaults to `"X-CSRF-TOKEN"`.
    access_csrf_header_name: String = "X-CSRF-TOKEN".to_owned(),
        fn access_csrf_header_name(name: impl Into<String>) => name.into(),
        env "JWT_ACCESS_CSRF_HEADER_NAME" => env::text, "text";

    /// The header carrying the CSRF value with refresh cookies
    /// (`JWT_REFRESH_CSRF_HEADER_NAME`). Defaults to `"X-CSRF-TOKEN"`.
    refresh_csrf_header_name: String = "X-CSRF-TOKEN".to_owned(),
        fn refresh_csrf_header_name(name: impl Into<String>) => name.into(),
        env "JWT_REFRESH_CSRF_HEADER_NAME" => env::text, "text";

    /// The form field of the CSRF value with access cookies
    /// (`JWT_ACCESS_CSRF_FIELD_NAME`). Defaults to `"csrf_token"`.
    access_csrf_field_name: String = "csrf_token".to_owned(),
        fn access_csrf_field_name(name: impl Into<String>) => name.into(),
        env "JWT_ACCESS_CSRF_FIELD_NAME" => env::text, "text";

    /// The form field of the CSRF value with refresh cookies
    /// (`JWT_REFRESH_CSRF_FIELD_NAME`). Defaults to `"csrf_token"`.
    refresh_csrf_field_name: String = "csrf_token".to_owned(),
        fn refresh_csrf_field_name(name: impl Into<String>) => name.into(),
        env "JWT_REFRESH_CSRF_FIELD_NAME" => env::text, "text";

    /// The query parameter holding the token (`JWT_QUERY_STRING_NAME`).
    /// Defaults to `"jwt"`.
    query_string_name: String = "jwt".to_owned(),
        fn query_string_name(name: impl Into<String>) => name.into(),
        env "JWT_QUERY_STRING_NAME" => env::text, "text";

    /// A prefix the query value must start with, e.g. `"Bearer "`
    /// (`JWT_QUERY_STRING_VALUE_PREFIX`). Defaults to `""`.
    query_string_value_prefix: String = String::new(),
        fn query_string_value_prefix(prefix: impl Into<String>) => prefix.into(),
        env "JWT_QUERY_STRING_VALUE_PREFIX" => env::text, "text";

    /// The JSON body key of access tokens (`JWT_JSON_KEY`). Defaults to `"access_token"`.
    json_key: String = "access_token".to_owned(),
        fn json_key(key: impl Into<String>) => key.into(),
        env "JWT_JSON_KEY" => env::text, "text";

    /// The JSON body key of refresh tokens (`JWT_REFRESH_JSON_KEY`). Defaults
    /// to `"refresh_token"`.
    refresh_json_key: String = "refresh_token".to_owned(),
        fn refresh_json_key(key: impl Into<String>) => key.into(),
        env "JWT_REFRESH_JSON_KEY" => env::text, "text";

    /// The claim holding the roles that `#[jwt_required(roles = [...])]`
    /// and [`VerifyOptions::roles`](crate::VerifyOptions::roles) check, as
    /// an RFC 6901 JSON Pointer into the claims (`JWT_ROLES_CLAIM`; an
    /// addition to flask): `/roles`, Keycloak's `/realm_access/roles`,
    /// Auth0's namespaced `/https:~1~1example.com~1roles` (`~1` stands for
    /// `/`, `~0` for `~`, so a key holding dots or slashes is named
    /// exactly). The claim is an array of strings, or one string naming
    /// one role. Defaults to `"/roles"`.
    roles_claim: String = "/roles".to_owned(),
        fn roles_claim(pointer: impl Into<String>) => pointer.into(),
        env "JWT_ROLES_CLAIM" => env::text, "JSON Pointer, e.g. `/realm_access/roles`";

    /// Adds RFC 6750 §3 attributes to the `WWW-Authenticate` header of every
    /// refusal of a token (`JWT_BEARER_REALM`; an addition to flask):
    /// `Bearer realm="<realm>"` alone when no token was sent,
    /// `error="invalid_request"` for a malformed request (a bad header,
    /// query value or body, a missing CSRF value), `error="invalid_token"`
    /// for a token refused (malformed, badly signed, expired, revoked, of
    /// the wrong type or not fresh, refused by a loader), and
    /// `error="insufficient_scope"` with `scope="..."` for a missing scope
    /// or role (403), each with `error_description`, the message. A custom
    /// response keeps its own `WWW-Authenticate` if it sets one. An empty
    /// realm leaves the `realm` attribute out. Bodies are unchanged.
    /// Defaults to none: flask's bodies, and a bare `WWW-Authenticate:
    /// Bearer` on 401 answers.
    bearer_realm: Option<String> = None,
        fn bearer_realm(realm: impl Into<String>) => Some(realm.into()),
        env "JWT_BEARER_REALM" => env::some_text, "text; may be empty";

    /// The largest request body read to find a token in JSON or a CSRF form
    /// field (`JWT_BODY_LIMIT`); larger bodies are answered 413 (an addition
    /// to flask), a declared `Content-Length` over it before anything is
    /// read. Defaults to 64 KiB: room for a token and the data sent beside
    /// it, while every connection a client holds open costs at most this.
    /// Raise it for routes that take larger JSON documents with the token
    /// inside; the handler's own `web::Json` limit is separate.
    body_limit: usize = 64 * 1024,
        fn body_limit(bytes: usize) => bytes,
        env "JWT_BODY_LIMIT" => env::bytes, "bytes";

    /// How long reading that body may take (`JWT_BODY_TIMEOUT`, seconds)
    /// before the request is answered 408 and the connection's buffer is
    /// freed (an addition to flask, whose WSGI server bounds it instead).
    /// Defaults to 5 seconds, as actix-web's own wait for request headers.
    body_timeout: Duration = Duration::from_secs(5),
        fn body_timeout(timeout: Duration) => timeout,
        env "JWT_BODY_TIMEOUT" => env::positive_seconds, "seconds";

    /// How long a revocation lookup may take before the request is refused
    /// with 503. Defaults to 250 ms.
    revocation_timeout: Duration = Duration::from_millis(250),
        fn revocation_timeout(timeout: Duration) => timeout,
    ;

    /// How long after a refresh token's exchange a replay of it is taken
    /// for a double submit (two tabs, a retried request) rather than theft:
    /// within the interval the replay gets a new pair of the same family
    /// and nothing is revoked; after it, the whole family is revoked, as
    /// reuse detection wants. Zero makes refresh tokens strictly single-use:
    /// of two concurrent exchanges one wins and the other revokes the
    /// family. Defaults to 5 seconds, as Auth0's reuse interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// use jwt_ext::{JwtManager, MemoryStore};
    ///
    /// let jwt = JwtManager::builder()
    ///     .secret_key("change me: a long random secret, 32 bytes or more")
    ///     .revocation_store(MemoryStore::new())
    ///     .refresh_reuse_interval(Duration::from_secs(2))
    ///     .build()?;
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    refresh_reuse_interval: Duration = Duration::from_secs(5),
        fn refresh_reuse_interval(interval: Duration) => interval,
    ;

    /// Let requests through when the revocation store fails, instead of
    /// refusing them. Revoked tokens are then accepted while the store is
    /// down: choose this only where availability matters more than logout,
    /// and watch the warning it logs. Defaults to `false` (fail closed).
    revocation_fail_open: bool = false,
        fn revocation_fail_open(fail_open: bool) => fail_open,
    ;
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
