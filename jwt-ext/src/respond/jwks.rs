//! Publishing the manager's public keys as a JWK Set (RFC 7517 §5), so
//! that other services verify its tokens by a URL alone.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde_json::Value;

use crate::JwtManager;

/// How long clients may cache the key set, in seconds (`Cache-Control:
/// public, max-age=300`): a verifier learns a new key within five minutes
/// even without refetching on an unknown `kid`, and a busy verifier asks at
/// most once per five minutes.
pub const JWKS_MAX_AGE_SECS: u32 = 300;

impl JwtManager {
    /// The JWK Set of the manager's public keys: the signing key's public
    /// part, then each [older key](crate::JwtManagerBuilder::previous_public_key_pem),
    /// each with `kty` and its public members, `use: "sig"`, `alg` and
    /// `kid` (the [configured key id](crate::JwtManagerBuilder::key_id), else
    /// the key's RFC 7638 thumbprint). Private members never appear: the set
    /// is built from the verification keys. An HMAC manager publishes an
    /// empty set (`{"keys": []}`), since its secret must stay secret.
    ///
    /// Built once at start-up; serve it with [`jwks_handler`](crate::jwks_handler).
    ///
    /// ```
    /// let public_pem = "-----BEGIN PUBLIC KEY-----
    /// MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDyfQccUR5JGlwNhG6gjX9KCdizy7
    /// EcneCs8blnWh7SZN0/IDuvYAjt7fxDiRRFK6XomKfQ+u4RUNuNe031a8KQ==
    /// -----END PUBLIC KEY-----";
    /// let jwt = jwt_ext::JwtManager::builder()
    ///     .algorithm(jwt_ext::Algorithm::ES256)
    ///     .public_key_pem(public_pem)
    ///     .key_id("2026-12")
    ///     .build()?;
    /// let jwks = jwt.jwks();
    /// assert_eq!(jwks["keys"][0]["kid"], "2026-12");
    /// assert_eq!(jwks["keys"][0]["kty"], "EC");
    /// assert_eq!(jwks["keys"][0]["alg"], "ES256");
    /// assert_eq!(jwks["keys"][0]["use"], "sig");
    /// # Ok::<(), jwt_ext::ConfigError>(())
    /// ```
    pub fn jwks(&self) -> Value {
        self.settings().keys.rotation.published.clone()
    }
}

/// An actix handler answering [`JwtManager::jwks`] of the app's manager,
/// to be routed at `/.well-known/jwks.json`, the path identity providers
/// and JWKS clients use. It answers `Content-Type: application/jwk-set+json`,
/// the type RFC 7517 §8.5 registers for key sets (JWKS clients read the
/// body whatever the type), and `Cache-Control: public, max-age=300`
/// ([`JWKS_MAX_AGE_SECS`]). Without a registered `JwtManager` it answers
/// 500, like `#[jwt_required]`.
///
/// ```
/// use actix_web::{App, web};
///
/// # fn app(jwt: jwt_ext::JwtManager) {
/// let app = App::new()
///     .app_data(jwt)
///     .route("/.well-known/jwks.json", web::get().to(jwt_ext::jwks_handler));
/// # }
/// ```
pub async fn jwks_handler(jwt: JwtManager) -> HttpResponse {
    let body = serde_json::to_vec(&jwt.settings().keys.rotation.published).unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/jwk-set+json"))
        .insert_header((
            CACHE_CONTROL,
            format!("public, max-age={JWKS_MAX_AGE_SECS}"),
        ))
        .body(body)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::Algorithm;

    use crate::JwtManager;
    use crate::keys::jwk::JwkSet;
    use crate::keys::prepared;

    const KEYS: [(Algorithm, &str, &str); 3] = [
        (
            Algorithm::RS256,
            include_str!("../../../tests/fixtures/keys/rsa_private.pem"),
            include_str!("../../../tests/fixtures/keys/rsa_public.pem"),
        ),
        (
            Algorithm::ES256,
            include_str!("../../../tests/fixtures/keys/ec256_private.pem"),
            include_str!("../../../tests/fixtures/keys/ec256_public.pem"),
        ),
        (
            Algorithm::EdDSA,
            include_str!("../../../tests/fixtures/keys/ed25519_private.pem"),
            include_str!("../../../tests/fixtures/keys/ed25519_public.pem"),
        ),
    ];

    #[test]
    fn the_published_set_loads_back_and_verifies_the_managers_tokens() {
        for (algorithm, private, public) in KEYS {
            let jwt = JwtManager::builder()
                .algorithm(algorithm)
                .private_key_pem(private)
                .public_key_pem(public)
                .key_id("current")
                .build()
                .unwrap();
            let document = serde_json::to_vec(&jwt.jwks()).unwrap();
            let (set, skipped) = JwkSet::parse(&document).unwrap();
            assert!(skipped.is_empty(), "{algorithm:?}: {skipped:?}");
            let key = set.find(Some("current"), algorithm).expect("the key");
            assert_eq!(key.algorithms, [algorithm]);
            let token = jwt.create_access_token("alice").unwrap();
            let (signing_input, signature) = token.rsplit_once('.').unwrap();
            let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
            let verify = |message: &str| {
                prepared::verify(
                    jwt.settings().provider,
                    Some(key.id),
                    algorithm,
                    &key.key,
                    message.as_bytes(),
                    &signature,
                )
            };
            assert_eq!(verify(signing_input), Ok(()), "{algorithm:?}");
            assert_eq!(
                verify("another message"),
                Err(prepared::VerifyFailure::BadSignature)
            );
        }
    }
}
