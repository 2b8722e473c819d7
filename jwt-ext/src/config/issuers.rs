//! Issuers the manager trusts besides itself: identity providers (Auth0,
//! Keycloak, Okta, Entra ID, another jwt-ext service) whose tokens carry
//! their URL in `iss` and are verified with their keys.
//!
//! A token is checked against the trusted issuer its `iss` names, with that
//! issuer's keys, algorithms, audience and leeway; a token naming no
//! trusted issuer is checked as flask-jwt-extended checks its own tokens,
//! with the manager's key. So self-minted tokens and provider tokens
//! coexist in one app, and a token naming an untrusted issuer never causes
//! a key fetch.

use std::sync::Arc;

use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, AlgorithmFamily};

use super::{Audience, JwtManagerBuilder};
use crate::keys::jwk::JwkSet;
use crate::model::algorithm::{SUPPORTED, alg_name};
#[cfg(feature = "oidc")]
use crate::remote::{RemoteKeySource, RemoteKeys};
use crate::{ConfigError, Failure};

/// An issuer of tokens the manager accepts, with its keys and the claims
/// its tokens must carry.
///
/// ```
/// use jwt_ext::{JwtManager, TrustedIssuer};
///
/// # let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519",
/// #     "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "k1"}]});
/// // Keys known in advance (a JWK Set document); with the `oidc` feature,
/// // `TrustedIssuer::discover("https://tenant.example.com/")` fetches them.
/// let jwt = JwtManager::builder()
///     .trusted_issuer(
///         TrustedIssuer::with_jwks("https://tenant.example.com/", jwks.to_string())
///             .audience("https://api.example.com"),
///     )
///     .build()?;
/// # Ok::<(), jwt_ext::ConfigError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct TrustedIssuer {
    issuer: String,
    keys: KeySource,
    audience: Option<Audience>,
    leeway: TimeDelta,
    algorithms: Option<Vec<Algorithm>>,
}

#[derive(Clone)]
enum KeySource {
    Jwks(Vec<u8>),
    #[cfg(feature = "oidc")]
    Remote(RemoteKeySource),
}

impl TrustedIssuer {
    /// An issuer whose keys are the JWK Set `jwks` (the document, as text or
    /// bytes), e.g. copied from the provider or shipped with the service.
    pub fn with_jwks(issuer: impl Into<String>, jwks: impl Into<Vec<u8>>) -> Self {
        Self::new(issuer.into(), KeySource::Jwks(jwks.into()))
    }

    /// An OpenID Provider: its keys are found through
    /// `{issuer}/.well-known/openid-configuration`, whose `issuer` must be
    /// this one, fetched when the manager is built and refreshed in the
    /// background. See [`RemoteKeySource`] for the fetching options.
    #[cfg(feature = "oidc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
    pub fn discover(issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        let source = RemoteKeySource::discover(issuer.clone());
        Self::new(issuer, KeySource::Remote(source))
    }

    /// An issuer whose JWK Set is at `jwks_url`, without discovery.
    #[cfg(feature = "oidc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
    pub fn jwks_url(issuer: impl Into<String>, jwks_url: impl Into<String>) -> Self {
        Self::new(
            issuer.into(),
            KeySource::Remote(RemoteKeySource::jwks_url(jwks_url)),
        )
    }

    /// An issuer whose keys come from `source`, with its fetching options
    /// (refresh, cooldown, timeouts, starting without keys).
    #[cfg(feature = "oidc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
    pub fn with_source(issuer: impl Into<String>, source: RemoteKeySource) -> Self {
        Self::new(issuer.into(), KeySource::Remote(source))
    }

    fn new(issuer: String, keys: KeySource) -> Self {
        TrustedIssuer {
            issuer,
            keys,
            audience: None,
            leeway: TimeDelta::zero(),
            algorithms: None,
        }
    }

    /// The audience this issuer's tokens must name in `aud` (one of them
    /// for a list), as resource servers check it. Defaults to none: `aud`
    /// is not checked, which suits only a provider that mints for this
    /// service alone.
    pub fn audience(mut self, audience: impl Into<Audience>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Clock skew allowed for `exp`, `nbf` and `iat` of this issuer's
    /// tokens. Defaults to zero.
    pub fn leeway(mut self, leeway: TimeDelta) -> Self {
        self.leeway = leeway;
        self
    }

    /// The algorithms accepted from this issuer; each key allows only those
    /// of its type (and its `alg`, when it names one). Defaults to every
    /// asymmetric algorithm jwt-ext supports; HMAC is never accepted from a
    /// key set.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }
}

impl JwtManagerBuilder {
    /// Accepts tokens of `issuer` besides the manager's own: a token whose
    /// `iss` names it is verified with its keys, algorithms, audience and
    /// leeway. A manager with trusted issuers needs no key of its own; it
    /// then verifies only their tokens and mints none. Defaults to none.
    pub fn trusted_issuer(mut self, issuer: TrustedIssuer) -> Self {
        self.issuers.push(issuer);
        self
    }
}

/// A trusted issuer, checked and ready for requests.
pub(crate) struct Issuer {
    pub(crate) issuer: String,
    pub(crate) keys: IssuerKeys,
    pub(crate) audience: Option<Vec<String>>,
    pub(crate) leeway_secs: i64,
    pub(crate) algorithms: Vec<Algorithm>,
}

/// Where an issuer's keys are read from on each request.
pub(crate) enum IssuerKeys {
    Fixed(Arc<JwkSet>),
    #[cfg(feature = "oidc")]
    Remote(RemoteKeys),
}

impl IssuerKeys {
    /// The refusal of a token whose key is not in the set: for remote keys
    /// it carries the request to fetch them again, which the pipeline makes
    /// (at most once per cooldown) before refusing for good.
    pub(crate) fn unknown_key(&self, message: &'static str) -> Failure {
        let failure = Failure::invalid_token(message);
        match self {
            IssuerKeys::Fixed(_) => failure,
            #[cfg(feature = "oidc")]
            IssuerKeys::Remote(remote) => failure.with_refetch(Arc::new(remote.clone())),
        }
    }

    /// The keys as of now.
    pub(crate) fn current(&self) -> Arc<JwkSet> {
        match self {
            IssuerKeys::Fixed(keys) => keys.clone(),
            #[cfg(feature = "oidc")]
            IssuerKeys::Remote(remote) => remote.get(),
        }
    }
}

/// Checks the configured issuers and loads their keys (fetching remote ones).
pub(crate) fn prepare(issuers: Vec<TrustedIssuer>) -> Result<Vec<Issuer>, ConfigError> {
    let mut ready: Vec<Issuer> = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        let name = issuer.issuer;
        if name.is_empty() {
            return Err(ConfigError::new("a trusted issuer cannot be empty"));
        }
        if ready.iter().any(|known| known.issuer == name) {
            return Err(ConfigError::new(format!(
                "the trusted issuer {name:?} is configured twice"
            )));
        }
        let algorithms = match issuer.algorithms {
            Some(algorithms) => {
                if algorithms.is_empty() {
                    return Err(ConfigError::new(format!(
                        "the trusted issuer {name:?} allows no algorithm"
                    )));
                }
                if let Some(hmac) = algorithms
                    .iter()
                    .find(|a| a.family() == AlgorithmFamily::Hmac)
                {
                    return Err(ConfigError::new(format!(
                        "the trusted issuer {name:?} cannot allow \"{}\": a key set holds public keys, and HMAC keys are never taken from one",
                        alg_name(*hmac)
                    )));
                }
                algorithms
            }
            None => SUPPORTED
                .into_iter()
                .filter(|a| a.family() != AlgorithmFamily::Hmac)
                .collect(),
        };
        if issuer.leeway < TimeDelta::zero() {
            return Err(ConfigError::new(format!(
                "the leeway of the trusted issuer {name:?} cannot be negative"
            )));
        }
        let keys = match issuer.keys {
            KeySource::Jwks(document) => {
                let (set, skipped) = JwkSet::parse(&document).map_err(|why| {
                    ConfigError::new(format!(
                        "the JWK Set of the trusted issuer {name:?} cannot be read: {why}"
                    ))
                })?;
                for why in &skipped {
                    tracing::warn!(
                        target: "jwt_ext::config",
                        issuer = %name,
                        reason = %why,
                        "trusted issuer key skipped"
                    );
                }
                if set.keys().is_empty() {
                    return Err(ConfigError::new(format!(
                        "the JWK Set of the trusted issuer {name:?} has no usable key"
                    )));
                }
                IssuerKeys::Fixed(Arc::new(set))
            }
            #[cfg(feature = "oidc")]
            KeySource::Remote(source) => {
                IssuerKeys::Remote(RemoteKeys::start(&source).map_err(|err| {
                    ConfigError::new(format!("the trusted issuer {name:?}: {err}"))
                })?)
            }
        };
        ready.push(Issuer {
            issuer: name,
            keys,
            audience: issuer.audience.as_ref().map(Audience::values),
            leeway_secs: issuer.leeway.num_seconds(),
            algorithms,
        });
    }
    Ok(ready)
}
