//! Verification, per algorithm: jwt-ext against `jsonwebtoken::decode`
//! with a prebuilt key and validation, on the same token, into a struct of
//! the claims a handler reads (`sub`, `type`: the anchor, with the targets)
//! and into `serde_json::Value` (a second row).
//!
//! - `decode_token`: jwt-ext's `JwtManager::decode_token`, token string to
//!   verified claims, against `jsonwebtoken::decode`.
//! - header to claims: a request carrying `Authorization: Bearer <token>`
//!   to claims the handler can read: jwt-ext's `Jwt` extractor (the
//!   synchronous path of `#[jwt_required]`) and `verify_jwt_in_request`,
//!   against a hand-written `Bearer` split + `jsonwebtoken::decode`.
//!   Each request is built just before its timed call; dropping it (and
//!   the verified token) is timed, as a server drops them.
//! - trusted issuer (ratio table only): a token minted by another service
//!   (`kid`, `iss`), header to claims through the `Jwt` extractor, with
//!   the issuer's key set fetched from its JWKS URL (a loopback server
//!   started here) or given at start-up (`with_jwks`), against the same
//!   key configured as a PEM.
//!
//! `cargo bench -p jwt-ext-benches --bench verify`; `JWT_EXT_BENCH=ratios`
//! prints only the interleaved ratio table, `JWT_EXT_BENCH=criterion` only
//! criterion's figures.

use std::time::Duration;

use criterion::Criterion;
use jsonwebtoken::Algorithm;
use jwt_ext_benches::ALGORITHMS;
use jwt_ext_benches::fixture::{
    Fixture, extractor, raw_header_to_claims, raw_header_to_value, verify_in_request,
};
use jwt_ext_benches::issuer::IssuerFixture;
use jwt_ext_benches::ratio::{self, Mode, Ratio, Sides};

fn criterion_benches(c: &mut Criterion, fixtures: &[Fixture]) {
    for fixture in fixtures {
        let mut group = c.benchmark_group(format!("verify/{}", fixture.name()));
        group.bench_function("jwt-ext decode_token", |b| {
            b.iter(|| fixture.decode_token())
        });
        group.bench_function("jsonwebtoken decode, typed claims", |b| {
            b.iter(|| fixture.jsonwebtoken_decode())
        });
        group.bench_function("jsonwebtoken decode, Value claims", |b| {
            b.iter(|| fixture.jsonwebtoken_decode_value())
        });
        // Each request is built just before its timed call, as in the
        // ratio table (`ratio::block`).
        let request = &mut || fixture.http_request();
        group.bench_function("jwt-ext Jwt extractor (header to claims)", |b| {
            b.iter_custom(|iters| ratio::block(iters as usize, request, &mut extractor))
        });
        group.bench_function("jwt-ext verify_jwt_in_request (header to claims)", |b| {
            b.iter_custom(|iters| ratio::block(iters as usize, request, &mut verify_in_request))
        });
        group.bench_function(
            "hand-written Bearer + decode, typed (header to claims)",
            |b| {
                b.iter_custom(|iters| {
                    ratio::block(iters as usize, request, &mut raw_header_to_claims)
                })
            },
        );
        group.bench_function(
            "hand-written Bearer + decode, Value (header to claims)",
            |b| {
                b.iter_custom(|iters| {
                    ratio::block(iters as usize, request, &mut raw_header_to_value)
                })
            },
        );
        group.finish();
    }
}

fn ratio_table(fixtures: &[Fixture]) -> Vec<Ratio> {
    let mut ratios = Vec::new();
    for fixture in fixtures {
        let alg = fixture.name();
        let hs256 = fixture.algorithm == Algorithm::HS256;
        // The targets: HS256 at most jsonwebtoken, the others within 5%.
        let target = if hs256 { 1.00 } else { 1.05 };
        ratios.push(ratio::compare(
            format!("{alg} decode_token / jsonwebtoken::decode::<Claims>"),
            Some(target),
            || (),
            |()| fixture.decode_token(),
            |()| fixture.jsonwebtoken_decode(),
        ));
        ratios.push(ratio::compare(
            format!("{alg} decode_token / jsonwebtoken::decode::<Value>"),
            None,
            || (),
            |()| fixture.decode_token(),
            |()| fixture.jsonwebtoken_decode_value(),
        ));
        ratios.push(ratio::compare(
            format!("{alg} header→claims (Jwt extractor) / jsonwebtoken::decode::<Claims> alone"),
            hs256.then_some(1.00),
            || fixture.http_request(),
            extractor,
            |req| (req, fixture.jsonwebtoken_decode()),
        ));
        ratios.push(ratio::compare(
            format!("{alg} header→claims (Jwt extractor) / jsonwebtoken::decode::<Value> alone"),
            None,
            || fixture.http_request(),
            extractor,
            |req| (req, fixture.jsonwebtoken_decode_value()),
        ));
        ratios.push(ratio::compare(
            format!("{alg} header→claims (Jwt extractor) / hand-written Bearer + decode::<Claims>"),
            Some(target),
            || fixture.http_request(),
            extractor,
            raw_header_to_claims,
        ));
        ratios.push(ratio::compare(
            format!("{alg} header→claims (Jwt extractor) / hand-written Bearer + decode::<Value>"),
            None,
            || fixture.http_request(),
            extractor,
            raw_header_to_value,
        ));
        ratios.push(ratio::compare(
            format!(
                "{alg} header→claims (verify_jwt_in_request) / hand-written Bearer + decode::<Claims>"
            ),
            None,
            || fixture.http_request(),
            verify_in_request,
            raw_header_to_claims,
        ));
    }
    ratios
}

/// The target: a remote key verifies within 5% of a configured key.
const REMOTE_KEY_TARGET: f64 = 1.05;

fn issuer_ratios(fixtures: &[IssuerFixture]) -> Vec<Ratio> {
    let mut ratios = Vec::new();
    for fixture in fixtures {
        let alg = fixture.name();
        ratios.push(ratio::compare_each(
            format!("{alg} header→claims, remote JWKS key (trusted issuer) / configured key"),
            Some(REMOTE_KEY_TARGET),
            || fixture.request(&fixture.remote),
            extractor,
            || fixture.request(&fixture.configured),
            extractor,
        ));
        ratios.push(ratio::compare_each(
            format!("{alg} header→claims, static JWKS (with_jwks) / configured key"),
            None,
            || fixture.request(&fixture.fixed),
            extractor,
            || fixture.request(&fixture.configured),
            extractor,
        ));
    }
    ratios
}

fn main() {
    let mode = Mode::from_env();
    let fixtures: Vec<Fixture> = ALGORITHMS.into_iter().map(Fixture::new).collect();
    if mode.criterion {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(4))
            .configure_from_args();
        criterion_benches(&mut c, &fixtures);
        c.final_summary();
    }
    if mode.ratios {
        ratio::print_table(
            "verify: jwt-ext vs jsonwebtoken, same token",
            &ratio_table(&fixtures),
        );
        let issuers: Vec<IssuerFixture> = ALGORITHMS
            .into_iter()
            .filter(|alg| *alg != Algorithm::HS256)
            .map(IssuerFixture::new)
            .collect();
        ratio::print_table_of(
            "verify: a trusted issuer's keys vs the same key configured, same token",
            Sides {
                subject: "trusted issuer",
                baseline: "configured key",
            },
            &issuer_ratios(&issuers),
        );
    }
}
