//! Where a remote key set comes from and how it is fetched: the public
//! configuration, checked when the fetching starts.

use std::time::Duration;

use crate::ConfigError;
use crate::remote::url::Endpoint;

/// A key set published by an identity provider: found by OpenID Connect
/// discovery from the issuer's URL, or at a JWKS URL given directly.
///
/// The keys are fetched when the manager is built (start-up fails when
/// they cannot be, unless [`start_without_keys`](Self::start_without_keys)),
/// cached, refreshed in the background before they expire, and fetched
/// again when a token names a key id the set lacks, at most once per
/// [cooldown](Self::unknown_kid_cooldown). The set in hand keeps verifying
/// while the provider is unreachable.
///
/// Only `https` URLs are fetched, except on loopback hosts (`localhost`,
/// `127.0.0.0/8`, `::1`), for development and tests. Redirects are not
/// followed: a `3xx` answer is a failed fetch, so the keys always come
/// from the URL configured or discovered.
///
/// ```
/// use std::time::Duration;
/// use jwt_ext::RemoteKeySource;
///
/// let auth0 = RemoteKeySource::discover("https://example.eu.auth0.com/");
/// let keycloak = RemoteKeySource::jwks_url(
///     "https://sso.example.com/realms/main/protocol/openid-connect/certs",
/// )
/// .unknown_kid_cooldown(Duration::from_secs(60));
/// # let _ = (auth0, keycloak);
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub struct RemoteKeySource {
    pub(crate) origin: Origin,
    pub(crate) options: FetchOptions,
}

/// Discovery from an issuer, or a JWKS URL.
#[derive(Clone, Debug)]
pub(crate) enum Origin {
    Discovery { issuer: String },
    Jwks { url: String },
}

/// How often and how carefully the set is fetched.
#[derive(Clone, Debug)]
pub(crate) struct FetchOptions {
    pub(crate) default_refresh: Duration,
    pub(crate) min_refresh: Duration,
    pub(crate) max_refresh: Duration,
    pub(crate) min_retry: Duration,
    pub(crate) max_retry: Duration,
    pub(crate) unknown_kid_cooldown: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) max_document_size: usize,
    pub(crate) start_without_keys: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            default_refresh: Duration::from_secs(600),
            min_refresh: Duration::from_secs(60),
            max_refresh: Duration::from_secs(86_400),
            min_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(300),
            unknown_kid_cooldown: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            max_document_size: 256 * 1024,
            start_without_keys: false,
        }
    }
}

impl RemoteKeySource {
    /// The keys of `issuer`, found by OpenID Connect Discovery 1.0: `GET
    /// {issuer}/.well-known/openid-configuration` (a trailing `/` of the
    /// issuer removed first), whose `issuer` must equal `issuer` exactly,
    /// then its `jwks_uri`.
    pub fn discover(issuer: impl Into<String>) -> Self {
        Self::new(Origin::Discovery {
            issuer: issuer.into(),
        })
    }

    /// The keys published at a JWK Set URL, without discovery.
    pub fn jwks_url(url: impl Into<String>) -> Self {
        Self::new(Origin::Jwks { url: url.into() })
    }

    fn new(origin: Origin) -> Self {
        RemoteKeySource {
            origin,
            options: FetchOptions::default(),
        }
    }

    /// The issuer given to [`discover`](Self::discover), which tokens'
    /// `iss` must name; `None` for a JWKS URL.
    pub fn issuer(&self) -> Option<&str> {
        match &self.origin {
            Origin::Discovery { issuer } => Some(issuer),
            Origin::Jwks { .. } => None,
        }
    }

    /// The issuer or the JWKS URL, naming the source in messages.
    pub(crate) fn label(&self) -> &str {
        match &self.origin {
            Origin::Discovery { issuer } => issuer,
            Origin::Jwks { url } => url,
        }
    }

    /// How long a fetched set is kept before it is fetched again, when the
    /// provider's answer has no `Cache-Control: max-age`. 10 minutes by
    /// default.
    pub fn default_refresh(mut self, interval: Duration) -> Self {
        self.options.default_refresh = interval;
        self
    }

    /// The bounds a provider's `Cache-Control: max-age` is held to: 1
    /// minute and 1 day by default, so a provider cannot make jwt-ext
    /// fetch constantly nor keep a key set forever.
    pub fn refresh_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.options.min_refresh = min;
        self.options.max_refresh = max;
        self
    }

    /// The bounds of the delay before a failed fetch is tried again, which
    /// doubles from `min` to `max` while the provider keeps failing: 1
    /// second and 5 minutes by default. The last good set is kept meanwhile.
    pub fn retry_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.options.min_retry = min;
        self.options.max_retry = max;
        self
    }

    /// How long after fetching for a token with an unknown key id another
    /// such token may cause a fetch: 30 seconds by default. Tokens with
    /// unknown key ids within the cooldown are checked against the set in
    /// hand, so a flood of made-up key ids costs the provider at most one
    /// request per cooldown.
    pub fn unknown_kid_cooldown(mut self, cooldown: Duration) -> Self {
        self.options.unknown_kid_cooldown = cooldown;
        self
    }

    /// How long connecting (name resolution and TLS handshake included)
    /// may take: 5 seconds by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options.connect_timeout = timeout;
        self
    }

    /// How long one request may take from sending it to the last byte of
    /// the answer: 10 seconds by default.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.options.read_timeout = timeout;
        self
    }

    /// The largest discovery or JWKS document accepted, in bytes: 256 KiB
    /// by default. A larger one is a failed fetch, never truncated.
    pub fn max_document_size(mut self, bytes: usize) -> Self {
        self.options.max_document_size = bytes;
        self
    }

    /// Starts even when the keys cannot be fetched at start-up (`false`
    /// by default: start-up fails). Until a fetch succeeds, tokens of this
    /// source are answered 503, and fetching is retried in the background.
    pub fn start_without_keys(mut self, start: bool) -> Self {
        self.options.start_without_keys = start;
        self
    }

    /// The URL fetched first, checked; and the options, checked.
    pub(crate) fn validate(&self) -> Result<Endpoint, ConfigError> {
        let o = &self.options;
        let positive = [
            ("default_refresh", o.default_refresh),
            ("refresh_bounds", o.min_refresh),
            ("retry_backoff", o.min_retry),
            ("connect_timeout", o.connect_timeout),
            ("read_timeout", o.read_timeout),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| value.is_zero()) {
            return Err(ConfigError::new(format!(
                "RemoteKeySource::{name} must be longer than zero"
            )));
        }
        if o.min_refresh > o.max_refresh || o.min_retry > o.max_retry {
            return Err(ConfigError::new(
                "RemoteKeySource::refresh_bounds and retry_backoff take the minimum first, then the maximum",
            ));
        }
        if o.max_document_size == 0 {
            return Err(ConfigError::new(
                "RemoteKeySource::max_document_size must be at least one byte",
            ));
        }
        let endpoint = match &self.origin {
            Origin::Discovery { issuer } => Endpoint::discovery(issuer),
            Origin::Jwks { url } => Endpoint::parse(url),
        };
        endpoint.map_err(|why| ConfigError::new(format!("RemoteKeySource: {why}")))
    }
}
