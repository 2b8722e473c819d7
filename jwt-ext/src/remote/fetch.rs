//! One fetch of a key set: the discovery document when the JWKS URL is not
//! known yet, then the JWK Set, each a `GET` bounded in time and size.
//!
//! Runs on the fetching thread's own actix runtime (`worker.rs`).

use std::sync::Arc;
use std::time::Duration;

use actix_http::header::{ACCEPT, CACHE_CONTROL};
use awc::Client;
use awc::error::PayloadError;

use crate::keys::jwk::JwkSet;
use crate::remote::max_age::parse_max_age;
use crate::remote::source::{FetchOptions, Origin};
use crate::remote::url::Endpoint;

/// A key set fetched and parsed.
pub(crate) struct Fetched {
    pub(crate) set: JwkSet,
    /// Why each key left out was refused.
    pub(crate) skipped: Vec<String>,
    /// The JWKS answer's `Cache-Control: max-age`, in seconds.
    pub(crate) max_age: Option<u64>,
    /// The JWK Set document as fetched, to tell an unchanged set.
    pub(crate) document: Vec<u8>,
}

/// Fetches the key set of one source; remembers the discovered JWKS URL.
pub(crate) struct Fetcher {
    client: Client,
    origin: Origin,
    options: FetchOptions,
    jwks: Option<Endpoint>,
}

impl Fetcher {
    /// Must be called on the actix runtime that runs the fetches.
    pub(crate) fn new(origin: Origin, options: FetchOptions) -> Fetcher {
        let jwks = match &origin {
            Origin::Jwks { url } => Endpoint::parse(url).ok(),
            Origin::Discovery { .. } => None,
        };
        let connector = awc::Connector::new()
            .rustls_0_23(tls_config())
            .timeout(options.connect_timeout)
            .handshake_timeout(options.connect_timeout);
        let client = Client::builder()
            .connector(connector)
            .timeout(options.read_timeout)
            .disable_redirects()
            .finish();
        Fetcher {
            client,
            origin,
            options,
            jwks,
        }
    }

    /// Fetches the key set; on failure, the URL that failed and why.
    pub(crate) async fn fetch(&mut self) -> Result<Fetched, String> {
        let jwks = match &self.jwks {
            Some(jwks) => jwks.clone(),
            None => {
                let jwks = self.discover().await?;
                self.jwks = Some(jwks.clone());
                jwks
            }
        };
        let (document, max_age) = match self.get(&jwks).await {
            Ok(answer) => answer,
            Err(why) => {
                // The provider may have moved its key set: discover again
                // next time.
                if matches!(self.origin, Origin::Discovery { .. }) {
                    self.jwks = None;
                }
                return Err(why);
            }
        };
        let (set, skipped) =
            JwkSet::parse(&document).map_err(|why| format!("GET {}: {why}", jwks.url))?;
        Ok(Fetched {
            set,
            skipped,
            max_age,
            document,
        })
    }

    /// The discovered `jwks_uri`, once the document's `issuer` is checked.
    async fn discover(&self) -> Result<Endpoint, String> {
        let Origin::Discovery { issuer } = &self.origin else {
            unreachable!("a JWKS URL source is checked when it starts");
        };
        let endpoint = Endpoint::discovery(issuer)?;
        let (document, _) = self.get(&endpoint).await?;
        #[derive(serde::Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let bad = |why: String| format!("GET {}: {why}", endpoint.url);
        let discovery: Discovery = serde_json::from_slice(&document).map_err(|e| {
            bad(format!(
                "not a discovery document with string \"issuer\" and \"jwks_uri\": {e}"
            ))
        })?;
        // OpenID Connect Discovery 1.0 §4.3: the same string, byte for byte,
        // or tokens of another issuer could be verified with these keys.
        if discovery.issuer != *issuer {
            return Err(bad(format!(
                "the document's issuer {:?} is not the configured issuer {issuer:?}",
                discovery.issuer
            )));
        }
        Endpoint::parse(&discovery.jwks_uri).map_err(|why| bad(format!("its jwks_uri: {why}")))
    }

    /// The body of a `200` answer to `GET endpoint`, and its `max-age`.
    async fn get(&self, endpoint: &Endpoint) -> Result<(Vec<u8>, Option<u64>), String> {
        let limit = self.options.max_document_size;
        let request = async {
            let mut response = self
                .client
                .get(&endpoint.url)
                .insert_header((ACCEPT, "application/json"))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            if status.is_redirection() {
                return Err(format!("answered {status}; redirects are not followed"));
            }
            if status != actix_http::StatusCode::OK {
                return Err(format!("answered {status}"));
            }
            let max_age = response
                .headers()
                .get_all(CACHE_CONTROL)
                .filter_map(|value| value.to_str().ok())
                .filter_map(parse_max_age)
                .min();
            let body = response.body().limit(limit).await.map_err(|e| match e {
                PayloadError::Overflow => format!("the document is larger than {limit} bytes"),
                other => other.to_string(),
            })?;
            Ok((body.to_vec(), max_age))
        };
        let total = self.options.read_timeout + self.options.connect_timeout;
        match actix_rt::time::timeout(total, request).await {
            Ok(result) => result,
            Err(_) => Err(format!("no complete answer within {total:?}")),
        }
        .map_err(|why| format!("GET {}: {why}", endpoint.url))
    }
}

/// rustls with aws-lc-rs and the webpki roots, chosen here rather than
/// taken from the process: rustls panics when it has to pick a provider
/// itself and the build enables two.
fn tls_config() -> Arc<rustls::ClientConfig> {
    // awc's `Connector::new` builds a default TLS configuration before
    // ours replaces it, which needs a process-wide provider: install
    // aws-lc-rs unless the application installed one already.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::CryptoProvider::install_default((*provider).clone());
    }
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default TLS versions")
        .with_root_certificates(actix_tls::connect::rustls_0_23::webpki_roots_cert_store())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// How long to wait for a fetch that makes two requests, with slack.
pub(crate) fn fetch_bound(options: &FetchOptions) -> Duration {
    (options.connect_timeout + options.read_timeout) * 2 + Duration::from_secs(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_rustls_with_aws_lc_rs_whatever_the_process_installed() {
        let config = tls_config();
        // awc's connector needs a process-wide provider: there is one now.
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        let ours = rustls::crypto::aws_lc_rs::default_provider();
        let suites = |provider: &rustls::crypto::CryptoProvider| {
            provider
                .cipher_suites
                .iter()
                .map(|suite| suite.suite())
                .collect::<Vec<_>>()
        };
        assert_eq!(suites(config.crypto_provider()), suites(&ours));
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_fetcher_is_built_on_an_actix_runtime_without_panicking() {
        actix_rt::System::new().block_on(async {
            let origin = Origin::Jwks {
                url: "https://idp.example.com/jwks".to_owned(),
            };
            let fetcher = Fetcher::new(origin, FetchOptions::default());
            assert!(fetcher.jwks.is_some());
        });
    }
}
