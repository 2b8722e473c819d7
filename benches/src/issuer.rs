//! One algorithm's trusted-issuer fixtures: a token minted by another
//! service, and three managers that verify it, one with the issuer's
//! public key configured as a PEM, one trusting the issuer through its
//! JWKS URL (fetched over loopback HTTP, as from an identity provider),
//! one trusting it through the same JWK Set given at start-up.
//!
//! The three check the same claims (the issuer's `iss`, no audience) and
//! choose the key by the token's `kid`, so what differs is where the key
//! came from: the issue's "verification with a remote key costs the same
//! as with a configured key".

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use jsonwebtoken::Algorithm;
use jwt_ext::{JwtManager, TrustedIssuer};

use crate::fixture::extractor;
use crate::loopback::serve_jwks;
use crate::{IDENTITY, TOKEN_LIFETIME, pem_pair};

/// The `iss` of the issuer's tokens.
pub const ISSUER: &str = "https://issuer.bench.example/";

/// The `kid` of the issuer's signing key.
pub const KID: &str = "bench-2026";

/// A token of another service and the managers that verify it.
pub struct IssuerFixture {
    /// The token's algorithm, asymmetric.
    pub algorithm: Algorithm,
    /// The issuer's public key configured as a PEM, with its key id and
    /// the issuer checked (`decode_issuer`).
    pub configured: JwtManager,
    /// Trusts [`ISSUER`], its key set fetched from a JWKS URL.
    pub remote: JwtManager,
    /// Trusts [`ISSUER`], its key set given at start-up (`with_jwks`).
    pub fixed: JwtManager,
    /// `Bearer <token>`, the token minted by the issuer with `kid` and `iss`.
    pub authorization: String,
    /// How many times the JWKS URL was fetched.
    pub jwks_fetches: Arc<AtomicUsize>,
}

impl IssuerFixture {
    /// The fixtures of `algorithm`.
    ///
    /// # Panics
    /// For HMAC (no key set publishes a secret), and when a manager refuses
    /// its configuration or the token: a fast refusal must never be
    /// measured as a fast verification.
    pub fn new(algorithm: Algorithm) -> Self {
        let (private, public) = pem_pair(algorithm).expect("an asymmetric algorithm");
        let built = |what: &str, builder: jwt_ext::JwtManagerBuilder| {
            builder
                .build()
                .unwrap_or_else(|e| panic!("jwt-ext refused the {algorithm:?} {what}: {e}"))
        };
        let issuer = built(
            "issuer",
            JwtManager::builder()
                .algorithm(algorithm)
                .private_key_pem(private)
                .public_key_pem(public)
                .key_id(KID)
                .encode_issuer(ISSUER)
                .access_token_expires(TOKEN_LIFETIME),
        );
        let jwks = issuer.jwks().to_string();
        let configured = built(
            "configured key",
            JwtManager::builder()
                .algorithm(algorithm)
                .public_key_pem(public)
                .key_id(KID)
                .decode_issuer(ISSUER),
        );
        let server = serve_jwks(jwks.clone().into_bytes());
        let remote = built(
            "JWKS URL",
            JwtManager::builder().trusted_issuer(TrustedIssuer::jwks_url(ISSUER, &server.url)),
        );
        let fixed = built(
            "static JWKS",
            JwtManager::builder().trusted_issuer(TrustedIssuer::with_jwks(ISSUER, jwks)),
        );
        let token = issuer
            .create_access_token(IDENTITY)
            .expect("the issuer mints the bench token");
        let fixture = IssuerFixture {
            algorithm,
            configured,
            remote,
            fixed,
            authorization: format!("Bearer {token}"),
            jwks_fetches: server.fetches,
        };
        assert!(
            fixture.jwks_fetches.load(Ordering::Relaxed) >= 1,
            "the remote manager fetched its key set"
        );
        for manager in [&fixture.configured, &fixture.remote, &fixture.fixed] {
            let decoded = manager.decode_token(&token).expect("jwt-ext verifies it");
            assert_eq!(decoded.claims()["iss"], ISSUER);
            assert_eq!(decoded.header()["kid"], KID);
            drop(extractor(fixture.request(manager)));
        }
        fixture
    }

    /// The algorithm's name, e.g. `RS256`.
    pub fn name(&self) -> String {
        format!("{:?}", self.algorithm)
    }

    /// `GET /protected` with the Bearer token, `manager` in the app data.
    pub fn request(&self, manager: &JwtManager) -> HttpRequest {
        TestRequest::get()
            .uri("/protected")
            .insert_header((AUTHORIZATION, self.authorization.as_str()))
            .app_data(manager.clone())
            .to_http_request()
    }
}
