//! One algorithm's fixtures: both sides' keys, a token both accept, the
//! requests carrying it, and the header-to-claims paths of both sides.

use std::hint::black_box;

use actix_web::cookie::Cookie;
use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::rt::SystemRunner;
use actix_web::test::{self, TestRequest};
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::Algorithm;
use jwt_ext::{DecodedJwt, Jwt, JwtManager, VerifyOptions, verify_jwt_in_request};
use serde_json::Value;

use crate::raw::{self, Claims, RawKeys, bearer};
use crate::{IDENTITY, manager, now_or_never, raw_keys};

/// Keys, a token and its requests for one algorithm.
pub struct Fixture {
    /// The algorithm of both sides.
    pub algorithm: Algorithm,
    /// jwt-ext's manager ([`manager`]).
    pub manager: JwtManager,
    /// The hand-written side's keys, as its handlers find them.
    pub raw: web::Data<RawKeys>,
    /// An access token for [`IDENTITY`], minted by jwt-ext, accepted by both.
    pub token: String,
    /// `Bearer <token>`.
    pub authorization: String,
    /// The token's `csrf` claim, for the CSRF double submit.
    pub csrf: String,
}

impl Fixture {
    /// The fixtures of `algorithm`.
    ///
    /// # Panics
    /// When either side refuses the token: a fast refusal must never be
    /// measured as a fast verification.
    pub fn new(algorithm: Algorithm) -> Self {
        let manager = manager(algorithm);
        let token = manager
            .create_access_token(IDENTITY)
            .expect("jwt-ext mints the bench token");
        let raw = web::Data::new(raw_keys(algorithm));
        let decoded = manager.decode_token(&token).expect("jwt-ext verifies it");
        raw.verify_access::<Claims>(&token)
            .unwrap_or_else(|_| panic!("jsonwebtoken refuses the {algorithm:?} token"));
        let csrf = decoded.claims()["csrf"]
            .as_str()
            .expect("a csrf claim")
            .to_owned();
        Fixture {
            algorithm,
            manager,
            raw,
            authorization: format!("Bearer {token}"),
            token,
            csrf,
        }
    }

    /// The algorithm's name, e.g. `HS256`.
    pub fn name(&self) -> String {
        format!("{:?}", self.algorithm)
    }

    /// `GET /protected` with the Bearer token as an `HttpRequest`, both
    /// sides' app data registered: the input of the header-to-claims paths.
    pub fn http_request(&self) -> HttpRequest {
        TestRequest::get()
            .uri("/protected")
            .insert_header((AUTHORIZATION, self.authorization.as_str()))
            .app_data(self.manager.clone())
            .app_data(self.raw.clone())
            .to_http_request()
    }

    /// `GET /protected` with the Bearer token, for a test service.
    pub fn header_request(&self) -> actix_http::Request {
        TestRequest::get()
            .uri("/protected")
            .insert_header((AUTHORIZATION, self.authorization.as_str()))
            .to_request()
    }

    /// `POST /cookie` with the access cookie and `X-CSRF-TOKEN`.
    pub fn cookie_request(&self) -> actix_http::Request {
        TestRequest::post()
            .uri("/cookie")
            .cookie(Cookie::new(raw::ACCESS_COOKIE, self.token.as_str()))
            .insert_header((raw::CSRF_HEADER, self.csrf.as_str()))
            .to_request()
    }

    /// `GET /optional` without a token.
    pub fn optional_request(&self) -> actix_http::Request {
        TestRequest::get().uri("/optional").to_request()
    }

    /// jwt-ext's `decode_token` of the token.
    ///
    /// # Panics
    /// When the token is refused.
    pub fn decode_token(&self) -> DecodedJwt {
        self.manager
            .decode_token(black_box(&self.token))
            .expect("verified")
    }

    /// `jsonwebtoken::decode::<Claims>` of the token: the anchor.
    ///
    /// # Panics
    /// When the token is refused.
    pub fn jsonwebtoken_decode(&self) -> Claims {
        self.raw
            .decode_as::<Claims>(black_box(&self.token))
            .expect("verified")
            .claims
    }

    /// `jsonwebtoken::decode::<Value>` of the token.
    ///
    /// # Panics
    /// When the token is refused.
    pub fn jsonwebtoken_decode_value(&self) -> Value {
        self.raw
            .decode(black_box(&self.token))
            .expect("verified")
            .claims
    }
}

/// A whole-request scenario of the pipeline benches: its name and the
/// request it sends.
pub type Scenario = (&'static str, fn(&Fixture) -> actix_http::Request);

/// The scenarios of the pipeline benches, served by [`crate::ext::routes`]
/// and [`crate::raw::routes`] (of either claims shape) alike.
pub const SCENARIOS: [Scenario; 3] = [
    ("GET /protected, Bearer header", Fixture::header_request),
    (
        "POST /cookie, cookie + X-CSRF-TOKEN",
        Fixture::cookie_request,
    ),
    ("GET /optional, no token", Fixture::optional_request),
];

/// jwt-ext's `Jwt` extractor, the synchronous path `#[jwt_required]` takes;
/// the request is returned with the token, as both live until the answer.
///
/// # Panics
/// When the token is refused.
pub fn extractor(req: HttpRequest) -> (HttpRequest, Jwt) {
    let jwt = now_or_never(Jwt::from_request(&req, &mut Payload::None)).expect("verified");
    (req, jwt)
}

/// jwt-ext's `verify_jwt_in_request`, as custom guards call it.
///
/// # Panics
/// When the token is refused.
pub fn verify_in_request(req: HttpRequest) -> (HttpRequest, Jwt) {
    let jwt = now_or_never(verify_jwt_in_request(&req, VerifyOptions::new()))
        .expect("verified")
        .expect("a token");
    (req, jwt)
}

/// The hand-written path, the anchor: the keys from the app data, the
/// `Bearer` split, `jsonwebtoken::decode::<Claims>`, the type check.
///
/// # Panics
/// When the token is refused.
pub fn raw_header_to_claims(req: HttpRequest) -> (HttpRequest, Claims) {
    raw_header_to::<Claims>(req)
}

/// [`raw_header_to_claims`] decoding into `serde_json::Value`.
///
/// # Panics
/// When the token is refused.
pub fn raw_header_to_value(req: HttpRequest) -> (HttpRequest, Value) {
    raw_header_to::<Value>(req)
}

fn raw_header_to<C: raw::AccessClaims>(req: HttpRequest) -> (HttpRequest, C) {
    let keys = req
        .app_data::<web::Data<RawKeys>>()
        .expect("registered keys");
    let token = bearer(&req).expect("a Bearer token");
    let claims = keys.verify_access::<C>(token).expect("verified");
    (req, claims)
}

/// Calls a test service on `rt` and checks that it answered with a success,
/// so that no refusal is ever measured.
///
/// # Panics
/// On a refusal.
pub fn call<S, B>(rt: &SystemRunner, app: &S, req: actix_http::Request) -> ServiceResponse<B>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let response = rt.block_on(test::call_service(app, req));
    assert!(
        response.status().is_success(),
        "refused: {}",
        response.status()
    );
    response
}
