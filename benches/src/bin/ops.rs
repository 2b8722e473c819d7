//! Runs one benchmarked operation `n` times, for instruction counts that do
//! not drift with the machine's load:
//!
//! ```sh
//! cargo build --release -p jwt-ext-benches --bin ops
//! valgrind --tool=callgrind target/release/ops ext-extractor 2000
//! ```
//!
//! Run it twice (say `n` = 0 and 2000) and divide the difference by `n`:
//! the set-up cancels out. `ops` with no argument lists the operations.

use std::hint::black_box;
use std::process::ExitCode;

use actix_web::rt::System;
use actix_web::{App, test, web};
use jsonwebtoken::Algorithm;
use jwt_ext_benches::fixture::{
    Fixture, SCENARIOS, call, extractor, raw_header_to_claims, raw_header_to_value,
    verify_in_request,
};
use jwt_ext_benches::issuer::IssuerFixture;
use jwt_ext_benches::raw::ClaimsShape;
use jwt_ext_benches::{IDENTITY, ext, raw};

/// The operations, each with jwt-ext's and the hand-written side (`raw-`:
/// typed claims, the anchor; `value-`: `serde_json::Value` claims).
const OPERATIONS: [&str; 28] = [
    "ext-decode",
    "raw-decode",
    "value-decode",
    "ext-extractor",
    "ext-verify-in-request",
    "raw-header",
    "value-header",
    "ext-mint",
    "raw-mint",
    "raw-encode",
    "ext-service-header",
    "raw-service-header",
    "value-service-header",
    "ext-service-cookie",
    "raw-service-cookie",
    "ext-service-optional",
    "raw-service-optional",
    "ext-service-rs256",
    "raw-service-rs256",
    "issuer-configured-rs256",
    "issuer-remote-rs256",
    "issuer-static-rs256",
    "issuer-configured-es256",
    "issuer-remote-es256",
    "issuer-static-es256",
    "issuer-configured-eddsa",
    "issuer-remote-eddsa",
    "issuer-static-eddsa",
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(operation), Some(n)) = (args.next(), args.next().and_then(|n| n.parse().ok())) else {
        eprintln!(
            "usage: ops <operation> <n>; operations: {}",
            OPERATIONS.join(", ")
        );
        return ExitCode::from(2);
    };
    if !OPERATIONS.contains(&operation.as_str()) {
        eprintln!(
            "unknown operation {operation}; known: {}",
            OPERATIONS.join(", ")
        );
        return ExitCode::from(2);
    }
    run(&operation, n);
    ExitCode::SUCCESS
}

fn run(operation: &str, n: usize) {
    // `issuer-<keys>-<alg>`: a trusted issuer's token through the `Jwt`
    // extractor, with the manager of those keys.
    if let Some(rest) = operation.strip_prefix("issuer-") {
        let (keys, alg) = rest.split_once('-').expect("issuer-<keys>-<alg>");
        return issuer(keys, alg, n);
    }
    let rs256 = operation.ends_with("rs256");
    let fixture = Fixture::new(if rs256 {
        Algorithm::RS256
    } else {
        Algorithm::HS256
    });
    // `<side>-service-<scenario>`; the RS256 service is sent the header.
    if let Some((side, scenario)) = operation.split_once("-service-") {
        let scenario = if rs256 { "header" } else { scenario };
        let side = match side {
            "ext" => None,
            "value" => Some(ClaimsShape::Value),
            _ => Some(ClaimsShape::Typed),
        };
        return serve(&fixture, side, scenario, n);
    }
    let raw_encode_claims = raw::access_claims(IDENTITY, 0, jwt_ext_benches::TOKEN_LIFETIME);
    for _ in 0..n {
        match operation {
            "ext-decode" => drop(black_box(fixture.decode_token())),
            "raw-decode" => drop(black_box(fixture.jsonwebtoken_decode())),
            "value-decode" => drop(black_box(fixture.jsonwebtoken_decode_value())),
            "ext-extractor" => drop(black_box(extractor(fixture.http_request()))),
            "ext-verify-in-request" => drop(black_box(verify_in_request(fixture.http_request()))),
            "raw-header" => drop(black_box(raw_header_to_claims(fixture.http_request()))),
            "value-header" => drop(black_box(raw_header_to_value(fixture.http_request()))),
            "ext-mint" => drop(black_box(
                fixture
                    .manager
                    .create_access_token(IDENTITY)
                    .expect("minted"),
            )),
            "raw-mint" => drop(black_box(fixture.raw.mint(IDENTITY).expect("minted"))),
            "raw-encode" => drop(black_box(
                fixture.raw.encode(&raw_encode_claims).expect("minted"),
            )),
            _ => unreachable!("checked against OPERATIONS"),
        }
    }
}

/// `n` header-to-claims verifications of a trusted issuer's token, by the
/// manager with the issuer's key `configured` (PEM), its `remote` key set
/// (JWKS URL) or its `static` one (`with_jwks`).
fn issuer(keys: &str, alg: &str, n: usize) {
    let algorithm = match alg {
        "rs256" => Algorithm::RS256,
        "es256" => Algorithm::ES256,
        _ => Algorithm::EdDSA,
    };
    let fixture = IssuerFixture::new(algorithm);
    let manager = match keys {
        "configured" => &fixture.configured,
        "remote" => &fixture.remote,
        _ => &fixture.fixed,
    };
    for _ in 0..n {
        drop(black_box(extractor(fixture.request(manager))));
    }
}

/// `n` requests of `scenario` through an actix test service: jwt-ext's
/// (`hand_written` none) or the hand-written one decoding into that shape.
fn serve(fixture: &Fixture, hand_written: Option<ClaimsShape>, scenario: &str, n: usize) {
    let request = SCENARIOS
        .iter()
        .find(|(name, _)| match scenario {
            "header" => name.contains("Bearer"),
            "cookie" => name.contains("cookie"),
            _ => name.contains("optional"),
        })
        .map(|(_, request)| *request)
        .expect("a scenario");
    let rt = System::new();
    if let Some(shape) = hand_written {
        let app = rt.block_on(test::init_service(
            App::new()
                .app_data(web::Data::clone(&fixture.raw))
                .configure(raw::routes(shape)),
        ));
        for _ in 0..n {
            drop(black_box(call(&rt, &app, request(fixture))));
        }
    } else {
        let app = rt.block_on(test::init_service(
            App::new()
                .app_data(fixture.manager.clone())
                .configure(ext::routes),
        ));
        for _ in 0..n {
            drop(black_box(call(&rt, &app, request(fixture))));
        }
    }
}
