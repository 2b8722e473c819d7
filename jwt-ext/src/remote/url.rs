//! Which URLs are fetched: `https`, or `http` on a loopback host only.

use std::net::IpAddr;

use actix_http::Uri;

/// A URL that may be fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
}

impl Endpoint {
    /// `url` if it is absolute, `https` (or `http` to a loopback host) and
    /// has a host; otherwise why not.
    pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let host = uri
            .host()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| format!("{url:?} is not an absolute URL with a host"))?;
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(format!("{url:?} carries credentials; they are not sent"));
        }
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if is_loopback(host) => {}
            Some("http") => {
                return Err(format!(
                    "{url:?} is not https: keys are fetched over https only, except from loopback hosts"
                ));
            }
            _ => return Err(format!("{url:?} is not an https URL")),
        }
        Ok(Endpoint {
            url: url.to_owned(),
        })
    }

    /// The discovery document's URL for `issuer` (OpenID Connect Discovery
    /// 1.0 §4: a terminating `/` of the issuer removed before
    /// `/.well-known/openid-configuration` is appended).
    pub(crate) fn discovery(issuer: &str) -> Result<Endpoint, String> {
        if issuer.contains(['?', '#']) {
            return Err(format!(
                "the issuer {issuer:?} has a query or fragment, which an issuer URL may not have"
            ));
        }
        Self::parse(issuer)?;
        Self::parse(&format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ))
    }
}

/// `localhost`, `127.0.0.0/8` and `::1`: where plain `http` is allowed.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://idp.example.com/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://127.3.2.1/jwks",
            "http://localhost:9000/keys",
            "http://LOCALHOST/keys",
            "http://[::1]:9000/keys",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://idp.example.com/jwks",
            "http://10.0.0.1/jwks",
            "http://[::2]/jwks",
            "http://localhost.example.com/jwks",
            "http://127.0.0.1.nip.io/jwks",
            "ftp://127.0.0.1/jwks",
            "/jwks",
            "idp.example.com/jwks",
            "https://user:pass@idp.example.com/jwks",
            "",
        ] {
            assert!(Endpoint::parse(refused).is_err(), "{refused}");
        }
        let why = Endpoint::parse("http://idp.example.com/jwks").unwrap_err();
        assert!(why.contains("https only"), "{why}");
    }

    #[test]
    fn discovery_url_drops_the_terminating_slash() {
        let url = |issuer| Endpoint::discovery(issuer).unwrap().url;
        assert_eq!(
            url("https://idp.example.com"),
            "https://idp.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            url("https://idp.example.com/"),
            "https://idp.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            url("https://idp.example.com/realms/main/"),
            "https://idp.example.com/realms/main/.well-known/openid-configuration"
        );
        assert!(Endpoint::discovery("https://idp.example.com/?tenant=1").is_err());
        assert!(Endpoint::discovery("http://idp.example.com").is_err());
    }
}
