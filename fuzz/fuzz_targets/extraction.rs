//! Arbitrary requests through a real actix service whose routes use
//! `#[jwt_required]`, with all four token locations (headers, cookies,
//! query string, JSON body) and the CSRF double submit.
//!
//! Input layout: one selector byte (route = byte % 8 mod 6, method =
//! byte / 8 mod 7), then, one per line, the `Authorization` header, the
//! `Cookie` header, the query string, the `X-CSRF-TOKEN` header and the
//! `Content-Type` header (an empty line leaves it out), then the body.
//! `@ACCESS@`, `@STALE@` (not fresh), `@REFRESH@`, `@EXPIRED@`, `@CSRF@` and
//! `@RCSRF@` anywhere become tokens and CSRF values minted once with the
//! fuzz secret, so the fuzzer reaches the paths behind a valid token.
//!
//! Must hold for every input that actix can build as a request (others are
//! skipped): no panic; the answer is 200, 400, 401, 413, 415 or 422, never a
//! 5xx; a 200 from a protected route names the identity the fuzz secret
//! signed.
#![no_main]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::LazyLock;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::rt::System;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{JwtError, JwtManager, TokenLocation, get_jwt, get_jwt_identity, jwt_required};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const IDENTITY: &str = "fuzz-user";

/// `EXTRACTION_TRACE=1` prints each route and answer (to check the seeds).
static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("EXTRACTION_TRACE").is_some());

fn manager() -> JwtManager {
    common::hs256()
        .token_location([
            TokenLocation::Headers,
            TokenLocation::Cookies,
            TokenLocation::QueryString,
            TokenLocation::Json,
        ])
        .csrf_check_form(true)
        .body_limit(1024)
        .build()
        .expect("manager")
}

/// What the placeholders stand for.
struct Minted {
    replacements: Vec<(&'static [u8], Vec<u8>)>,
}

static MINTED: LazyLock<Minted> = LazyLock::new(|| {
    let jwt = manager();
    let csrf = |token: &str| {
        jwt.decode_token(token).expect("own token").claims()["csrf"]
            .as_str()
            .expect("csrf claim")
            .to_owned()
    };
    let access = jwt
        .access_token(IDENTITY)
        .fresh(true)
        .encode()
        .expect("mint");
    let stale = jwt.create_access_token(IDENTITY).expect("mint");
    let refresh = jwt.create_refresh_token(IDENTITY).expect("mint");
    let expired = jwt
        .access_token(IDENTITY)
        .expires(TimeDelta::seconds(-60))
        .encode()
        .expect("mint");
    let (csrf_access, csrf_refresh) = (csrf(&access), csrf(&refresh));
    Minted {
        replacements: vec![
            (b"@ACCESS@", access.into_bytes()),
            (b"@STALE@", stale.into_bytes()),
            (b"@REFRESH@", refresh.into_bytes()),
            (b"@EXPIRED@", expired.into_bytes()),
            (b"@CSRF@", csrf_access.into_bytes()),
            (b"@RCSRF@", csrf_refresh.into_bytes()),
        ],
    }
});

fn expand(part: &[u8]) -> Vec<u8> {
    let mut out = part.to_vec();
    if !out.contains(&b'@') {
        return out;
    }
    for (placeholder, value) in &MINTED.replacements {
        let mut i = 0;
        while i + placeholder.len() <= out.len() {
            if out[i..].starts_with(placeholder) {
                out.splice(i..i + placeholder.len(), value.iter().copied());
                i += value.len();
            } else {
                i += 1;
            }
        }
    }
    out
}

/// The handler body shared by every route: the getters must work (on an
/// `OPTIONS` preflight no verification runs and they fail by design).
fn answer(req: &HttpRequest) -> Result<HttpResponse, JwtError> {
    if req.method() == Method::OPTIONS {
        return Ok(HttpResponse::Ok().json(json!({ "preflight": true })));
    }
    let claims = get_jwt(req)?;
    Ok(HttpResponse::Ok().json(json!({
        "identity": get_jwt_identity(req)?,
        "type": claims.get("type"),
        "location": jwt_ext::get_jwt_request_location(req).map(|l| format!("{l:?}")),
    })))
}

#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    answer(&req)
}

#[jwt_required(optional)]
async fn optional(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    answer(&req)
}

#[jwt_required(refresh)]
async fn refresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    answer(&req)
}

#[jwt_required(fresh)]
async fn fresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    answer(&req)
}

#[jwt_required(locations = ["json"])]
async fn json_body(req: HttpRequest, body: web::Json<Value>) -> Result<HttpResponse, JwtError> {
    let _ = body.into_inner();
    answer(&req)
}

#[jwt_required]
async fn bytes_body(req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, JwtError> {
    let _ = body.len();
    answer(&req)
}

const ROUTES: [&str; 6] = [
    "/protected",
    "/optional",
    "/refresh",
    "/fresh",
    "/json",
    "/bytes",
];
const METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::HEAD,
];

type Response = (u16, web::Bytes);
type Call = Box<dyn Fn(test::TestRequest) -> Pin<Box<dyn Future<Output = Response>>>>;

/// One single-threaded actix runtime and one service for the whole run.
struct Harness {
    system: actix_web::rt::SystemRunner,
    call: Call,
}

impl Harness {
    fn new() -> Self {
        let system = System::new();
        let app = App::new()
            .app_data(manager())
            .route(ROUTES[0], web::route().to(protected))
            .route(ROUTES[1], web::route().to(optional))
            .route(ROUTES[2], web::route().to(refresh))
            .route(ROUTES[3], web::route().to(fresh))
            .route(ROUTES[4], web::route().to(json_body))
            .route(ROUTES[5], web::route().to(bytes_body));
        let service = Rc::new(system.block_on(test::init_service(app)));
        let call: Call = Box::new(move |req: test::TestRequest| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                match test::try_call_service(&*service, req.to_request()).await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let body = actix_web::body::to_bytes(resp.into_body())
                            .await
                            .unwrap_or_default();
                        (status, body)
                    }
                    Err(err) => (
                        err.as_response_error().status_code().as_u16(),
                        web::Bytes::new(),
                    ),
                }
            })
        });
        Harness { system, call }
    }
}

thread_local! {
    // Leaked, never dropped: at exit, actix's own thread locals may already
    // be gone, and dropping the service would then panic.
    static HARNESS: &'static Harness = Box::leak(Box::new(Harness::new()));
}

fn header(name: &'static str, value: &[u8]) -> Option<Option<(HeaderName, HeaderValue)>> {
    if value.is_empty() {
        return Some(None);
    }
    let value = HeaderValue::from_bytes(&expand(value)).ok()?;
    Some(Some((HeaderName::from_static(name), value)))
}

fn request(data: &[u8]) -> Option<(usize, test::TestRequest)> {
    let (&selector, rest) = data.split_first()?;
    let route = usize::from(selector % 8) % ROUTES.len();
    let method = METHODS[usize::from(selector / 8) % METHODS.len()].clone();
    let mut parts = rest.splitn(6, |&b| b == b'\n');
    let mut next = || parts.next().unwrap_or_default();
    let (authorization, cookie, query, csrf, content_type, body) =
        (next(), next(), next(), next(), next(), next());

    let query = expand(query);
    let query = std::str::from_utf8(&query).ok()?;
    let uri = if query.is_empty() {
        ROUTES[route].to_owned()
    } else {
        format!("{}?{query}", ROUTES[route])
    };
    // TestRequest::uri panics on an invalid URI: check first.
    Uri::from_str(&uri).ok()?;
    let mut req = test::TestRequest::default().method(method).uri(&uri);
    for (name, value) in [
        ("authorization", authorization),
        ("cookie", cookie),
        ("x-csrf-token", csrf),
        ("content-type", content_type),
    ] {
        if let Some(pair) = header(name, value)? {
            req = req.insert_header(pair);
        }
    }
    if !body.is_empty() {
        req = req.set_payload(expand(body));
    }
    Some((route, req))
}

fuzz_target!(|data: &[u8]| {
    let Some((route, req)) = request(data) else {
        return;
    };
    HARNESS.with(|harness| {
        let (status, body) = harness.system.block_on((harness.call)(req));
        if *TRACE {
            eprintln!(
                "{} -> {status} {}",
                ROUTES[route],
                String::from_utf8_lossy(&body).trim_end()
            );
        }
        assert!(
            status < 500,
            "{} answered {status}: {}",
            ROUTES[route],
            String::from_utf8_lossy(&body)
        );
        assert!(
            matches!(status, 200 | 400 | 401 | 413 | 415 | 422),
            "{} answered {status}: {}",
            ROUTES[route],
            String::from_utf8_lossy(&body)
        );
        if status == 200 && !body.is_empty() {
            let body: Value = serde_json::from_slice(&body).expect("handlers answer JSON");
            if body.get("preflight").is_none() {
                let identity = &body["identity"];
                let optional = ROUTES[route] == "/optional";
                assert!(
                    identity == IDENTITY || (optional && identity.is_null()),
                    "{} let in identity {identity}",
                    ROUTES[route]
                );
            }
        }
    });
});
