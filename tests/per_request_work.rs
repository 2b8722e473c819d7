//! What a verified request does not repeat. No key construction: the
//! manager's keys become a signer and a verifier once per thread, however
//! many tokens pass, and never serve another manager's tokens. A counting
//! crypto provider (this test binary's own process-wide default) sees every
//! construction; each test counts on its own thread, where its requests are
//! served. No waiting: without async loaders, the extractors' futures are
//! ready when first polled, the synchronous path (the `allocations` bench
//! counts what that path allocates: no boxed future).

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::{self as actix_test, TestRequest};
use actix_web::{App, FromRequest, HttpResponse};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, aws_lc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use jwt_ext::{Jwt, JwtIdentity, JwtManager, OptionalJwt, VerifyingKey, jwt_required};

thread_local! {
    static SIGNERS_BUILT: Cell<usize> = const { Cell::new(0) };
    static VERIFIERS_BUILT: Cell<usize> = const { Cell::new(0) };
}

fn counting_signer(
    algorithm: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    SIGNERS_BUILT.set(SIGNERS_BUILT.get() + 1);
    (aws_lc::DEFAULT_PROVIDER.signer_factory)(algorithm, key)
}

fn counting_verifier(
    algorithm: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    VERIFIERS_BUILT.set(VERIFIERS_BUILT.get() + 1);
    (aws_lc::DEFAULT_PROVIDER.verifier_factory)(algorithm, key)
}

/// Installs the counting provider before any manager is built.
fn counting() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let mut provider = aws_lc::DEFAULT_PROVIDER.clone();
        provider.signer_factory = counting_signer;
        provider.verifier_factory = counting_verifier;
        let provider: &'static CryptoProvider = Box::leak(Box::new(provider));
        assert!(
            provider.install_default().is_ok(),
            "the counting provider must be the first one installed"
        );
    });
}

fn built() -> (usize, usize) {
    (SIGNERS_BUILT.get(), VERIFIERS_BUILT.get())
}

fn manager(secret: &str) -> JwtManager {
    JwtManager::builder()
        .secret_key(secret)
        .build()
        .expect("a valid configuration")
}

#[actix_web::get("/protected")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn bearer(token: &str) -> (actix_web::http::header::HeaderName, String) {
    (AUTHORIZATION, format!("Bearer {token}"))
}

#[actix_web::test]
async fn a_hundred_tokens_cost_one_signer_and_one_verifier() {
    counting();
    let jwt = manager("prepared-keys-secret-0123456789abcdef-0123");
    let app = actix_test::init_service(App::new().app_data(jwt.clone()).service(protected)).await;
    let before = built();
    for i in 0..100 {
        let token = jwt.create_access_token(format!("user-{i}")).unwrap();
        let req = TestRequest::get()
            .uri("/protected")
            .insert_header(bearer(&token))
            .to_request();
        assert_eq!(
            actix_test::call_service(&app, req).await.status(),
            StatusCode::OK
        );
    }
    let after = built();
    // The test runs on one thread: one of each, prepared by the first token.
    assert_eq!(after.0 - before.0, 1, "signers built for 100 tokens");
    assert_eq!(after.1 - before.1, 1, "verifiers built for 100 requests");
}

#[actix_web::test]
async fn a_prepared_verifier_never_serves_another_managers_tokens() {
    counting();
    let first = manager("first-manager-secret-0123456789abcdef-0123");
    let second = manager("second-manager-secret-0123456789abcdef-012");
    let token = first.create_access_token("alice").unwrap();
    // Both managers verify on this thread, each with its own prepared key.
    assert!(first.decode_token(&token).is_ok());
    let refused = second.decode_token(&token).unwrap_err();
    assert_eq!(refused.message(), "Signature verification failed");
    assert!(first.decode_token(&token).is_ok());
    let own = second.create_access_token("bob").unwrap();
    assert!(second.decode_token(&own).is_ok());
    assert!(first.decode_token(&own).is_err());
}

#[actix_web::test]
async fn keys_from_a_loader_are_prepared_per_token() {
    counting();
    // A loader may pick another key for every token: its keys are not kept.
    let secret = "loader-secret-0123456789abcdef-0123456789ab";
    let jwt = JwtManager::builder()
        .secret_key(secret)
        .decode_key_loader(move |_header, _claims| Ok(VerifyingKey::hmac(secret).expect("a key")))
        .build()
        .unwrap();
    let token = jwt.create_access_token("carol").unwrap();
    let before = built().1;
    for _ in 0..5 {
        assert!(jwt.decode_token(&token).is_ok());
    }
    assert_eq!(built().1 - before, 5);
}

fn ready_at_first_poll<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the extractor's future waits: it took the async path"),
    }
}

#[actix_web::test]
async fn without_async_loaders_the_extractors_are_ready_at_once() {
    counting();
    let jwt = manager("synchronous-path-secret-0123456789abcdef-01");
    let token = jwt.create_access_token("dave").unwrap();
    let request = |authorization: Option<String>| {
        let mut req = TestRequest::get().app_data(jwt.clone());
        if let Some(value) = authorization {
            req = req.insert_header((AUTHORIZATION, value));
        }
        req.to_http_request()
    };
    let with_token = request(Some(format!("Bearer {token}")));
    let verified = ready_at_first_poll(Jwt::from_request(&with_token, &mut Payload::None));
    assert_eq!(verified.unwrap().identity(), "dave");
    let identity = ready_at_first_poll(JwtIdentity::<String>::from_request(
        &request(Some(format!("Bearer {token}"))),
        &mut Payload::None,
    ));
    assert_eq!(identity.unwrap().0, "dave");
    let anonymous = ready_at_first_poll(OptionalJwt::from_request(
        &request(None),
        &mut Payload::None,
    ));
    assert!(anonymous.unwrap().0.is_none());
    let refused = ready_at_first_poll(Jwt::from_request(
        &request(Some("Bearer not.a.token".to_owned())),
        &mut Payload::None,
    ));
    assert_eq!(
        refused.unwrap_err().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
