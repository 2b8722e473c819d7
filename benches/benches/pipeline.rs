//! Whole requests through `actix_web::test::init_service` on a
//! current-thread runtime built once: `#[jwt_required]` routes
//! (`jwt_ext_benches::ext`) against hand-written handlers
//! (`jwt_ext_benches::raw`) answering the same `{"logged_in_as": …}`, in
//! the same service style. The hand-written side decodes into a struct of
//! the claims it reads (the anchor, with the target) and, in a second row,
//! into `serde_json::Value`.
//!
//! | route | jwt-ext | hand-written |
//! |---|---|---|
//! | `GET /protected`, `Authorization: Bearer` | `#[jwt_required]` | `Bearer` split + `jsonwebtoken::decode` |
//! | `POST /cookie`, access cookie + `X-CSRF-TOKEN` | `#[jwt_required(locations = ["cookies"])]` | cookie + CSRF compare + decode |
//! | `GET /optional`, no token | `#[jwt_required(optional)]` | no header: `null` |
//!
//! Each request is built just before its timed call; routing, extraction,
//! the handler, the response and its drop are measured.
//!
//! `cargo bench -p jwt-ext-benches --bench pipeline`.

use std::time::Duration;

use actix_web::App;
use actix_web::rt::System;
use actix_web::test;
use criterion::Criterion;
use jsonwebtoken::Algorithm;
use jwt_ext_benches::fixture::{Fixture, SCENARIOS, call};
use jwt_ext_benches::ratio::{self, Mode};
use jwt_ext_benches::raw::ClaimsShape;
use jwt_ext_benches::{ext, raw};

fn main() {
    let mode = Mode::from_env();
    let rt = System::new();
    let fixture = Fixture::new(Algorithm::HS256);
    let ours = rt.block_on(test::init_service(
        App::new()
            .app_data(fixture.manager.clone())
            .configure(ext::routes),
    ));
    let theirs = rt.block_on(test::init_service(
        App::new()
            .app_data(fixture.raw.clone())
            .configure(raw::routes(ClaimsShape::Typed)),
    ));
    let theirs_value = rt.block_on(test::init_service(
        App::new()
            .app_data(fixture.raw.clone())
            .configure(raw::routes(ClaimsShape::Value)),
    ));
    // The same answers, byte for byte.
    for (name, request) in SCENARIOS {
        let body = |response| rt.block_on(test::read_body(response));
        let expected = body(call(&rt, &ours, request(&fixture)));
        assert_eq!(
            expected,
            body(call(&rt, &theirs, request(&fixture))),
            "{name}"
        );
        assert_eq!(
            expected,
            body(call(&rt, &theirs_value, request(&fixture))),
            "{name}"
        );
    }

    if mode.criterion {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(4))
            .configure_from_args();
        for (name, request) in SCENARIOS {
            let mut group = c.benchmark_group(format!("pipeline/{name}"));
            // Each request is built just before its timed call, as in
            // the ratio table (`ratio::block`).
            let setup = &mut || request(&fixture);
            group.bench_function("jwt-ext #[jwt_required]", |b| {
                b.iter_custom(|iters| {
                    ratio::block(iters as usize, setup, &mut |req| call(&rt, &ours, req))
                })
            });
            group.bench_function("hand-written actix-web + jsonwebtoken, typed claims", |b| {
                b.iter_custom(|iters| {
                    ratio::block(iters as usize, setup, &mut |req| call(&rt, &theirs, req))
                })
            });
            group.bench_function("hand-written actix-web + jsonwebtoken, Value claims", |b| {
                b.iter_custom(|iters| {
                    ratio::block(iters as usize, setup, &mut |req| {
                        call(&rt, &theirs_value, req)
                    })
                })
            });
            group.finish();
        }
        c.final_summary();
    }
    if mode.ratios {
        let mut ratios = Vec::new();
        for (name, request) in SCENARIOS {
            ratios.push(ratio::compare(
                format!("{name}: #[jwt_required] / hand-written, typed claims"),
                // 0.97× the throughput is at most 1/0.97 the time.
                Some(1.0 / 0.97),
                || request(&fixture),
                |req| call(&rt, &ours, req),
                |req| call(&rt, &theirs, req),
            ));
            ratios.push(ratio::compare(
                format!("{name}: #[jwt_required] / hand-written, Value claims"),
                None,
                || request(&fixture),
                |req| call(&rt, &ours, req),
                |req| call(&rt, &theirs_value, req),
            ));
        }
        ratio::print_table(
            "pipeline: actix test service, jwt-ext vs hand-written (target: 0.97× throughput)",
            &ratios,
        );
    }
}
