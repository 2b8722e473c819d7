//! Heap allocations per operation, counted by a global allocator wrapping
//! `System`: jwt-ext against the hand-written actix-web + jsonwebtoken
//! equivalent, operation by operation.
//!
//! Inputs (tokens, requests) are built before counting starts and outputs
//! dropped after it stops; every operation runs a few times first so that
//! one-time initialisation (lazy statics, thread-locals, pools) is not
//! counted. The counts are exact, not timed: the machine's noise does not
//! touch them.
//!
//! `cargo bench -p jwt-ext-benches --bench allocations`.

// The `GlobalAlloc` impl below is the one unsafe block of the benches.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use actix_web::App;
use actix_web::rt::System as ActixSystem;
use actix_web::test;
use jsonwebtoken::Algorithm;
use jwt_ext_benches::fixture::{
    Fixture, SCENARIOS, call, extractor, raw_header_to_claims, verify_in_request,
};
use jwt_ext_benches::raw::{ClaimsShape, access_claims};
use jwt_ext_benches::{ALGORITHMS, IDENTITY, TOKEN_LIFETIME, ext, raw};

/// Counts allocation calls (`alloc`, `alloc_zeroed`, `realloc`) and the
/// bytes they ask for; frees are not counted.
struct Counting;

static CALLS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments,
// unchanged; the counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size(), Relaxed);
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size(), Relaxed);
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size.saturating_sub(layout.size()), Relaxed);
        // SAFETY: `ptr` came from `System` through this allocator; the
        // caller's contract for `realloc` is `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many times each operation runs while counting.
const RUNS: usize = 1_000;

/// Allocation calls and bytes per operation.
#[derive(Clone, Copy)]
struct Count {
    calls: f64,
    bytes: f64,
}

/// Counts `op` over [`RUNS`] inputs from `setup`.
fn count<I, O>(mut setup: impl FnMut() -> I, mut op: impl FnMut(I) -> O) -> Count {
    for _ in 0..16 {
        drop(op(setup()));
    }
    let inputs: Vec<I> = (0..RUNS).map(|_| setup()).collect();
    let mut outputs = Vec::with_capacity(RUNS);
    let (calls, bytes) = (CALLS.load(Relaxed), BYTES.load(Relaxed));
    for input in inputs {
        outputs.push(op(input));
    }
    let (calls, bytes) = (CALLS.load(Relaxed) - calls, BYTES.load(Relaxed) - bytes);
    drop(outputs);
    Count {
        calls: calls as f64 / RUNS as f64,
        bytes: bytes as f64 / RUNS as f64,
    }
}

/// One row: an operation, jwt-ext's count and the hand-written one's.
struct Row {
    name: String,
    ours: Count,
    theirs: Count,
}

fn row(name: impl Into<String>, ours: Count, theirs: Count) -> Row {
    Row {
        name: name.into(),
        ours,
        theirs,
    }
}

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        // `cargo test --benches` smoke run: nothing to count.
        return;
    }
    let fixtures: Vec<Fixture> = ALGORITHMS.into_iter().map(Fixture::new).collect();
    let hs256 = &fixtures[0];
    assert_eq!(hs256.algorithm, Algorithm::HS256);
    let mut rows = Vec::new();

    // Verification of a token string, every algorithm.
    for fixture in &fixtures {
        rows.push(row(
            format!(
                "{} decode_token / jsonwebtoken::decode::<Claims>",
                fixture.name()
            ),
            count(|| (), |()| fixture.decode_token()),
            count(|| (), |()| fixture.jsonwebtoken_decode()),
        ));
        rows.push(row(
            format!(
                "{} decode_token / jsonwebtoken::decode::<Value>",
                fixture.name()
            ),
            count(|| (), |()| fixture.decode_token()),
            count(|| (), |()| fixture.jsonwebtoken_decode_value()),
        ));
    }

    // HS256, from the request's header to claims.
    rows.push(row(
        "HS256 header→claims: Jwt extractor / hand-written Bearer + decode::<Claims>",
        count(|| hs256.http_request(), extractor),
        count(|| hs256.http_request(), raw_header_to_claims),
    ));
    rows.push(row(
        "HS256 header→claims: verify_jwt_in_request / hand-written Bearer + decode::<Claims>",
        count(|| hs256.http_request(), verify_in_request),
        count(|| hs256.http_request(), raw_header_to_claims),
    ));

    // HS256, whole requests through actix test services.
    let rt = ActixSystem::new();
    let ours = rt.block_on(test::init_service(
        App::new()
            .app_data(hs256.manager.clone())
            .configure(ext::routes),
    ));
    let theirs = rt.block_on(test::init_service(
        App::new()
            .app_data(hs256.raw.clone())
            .configure(raw::routes(ClaimsShape::Typed)),
    ));
    let theirs_value = rt.block_on(test::init_service(
        App::new()
            .app_data(hs256.raw.clone())
            .configure(raw::routes(ClaimsShape::Value)),
    ));
    for (name, request) in SCENARIOS {
        rows.push(row(
            format!("HS256 test service {name}: #[jwt_required] / hand-written, typed claims"),
            count(|| request(hs256), |req| call(&rt, &ours, req)),
            count(|| request(hs256), |req| call(&rt, &theirs, req)),
        ));
        rows.push(row(
            format!("HS256 test service {name}: #[jwt_required] / hand-written, Value claims"),
            count(|| request(hs256), |req| call(&rt, &ours, req)),
            count(|| request(hs256), |req| call(&rt, &theirs_value, req)),
        ));
    }

    // HS256 minting.
    let raw_keys = jwt_ext_benches::raw_keys(Algorithm::HS256).with_access_lifetime(TOKEN_LIFETIME);
    let claims = access_claims(IDENTITY, 1_800_000_000, TOKEN_LIFETIME);
    rows.push(row(
        "HS256 mint: create_access_token / jsonwebtoken::encode (prebuilt claims)",
        count(
            || (),
            |()| hs256.manager.create_access_token(IDENTITY).expect("minted"),
        ),
        count(|| (), |()| raw_keys.encode(&claims).expect("minted")),
    ));
    rows.push(row(
        "HS256 mint: create_access_token / hand-written claims + encode",
        count(
            || (),
            |()| hs256.manager.create_access_token(IDENTITY).expect("minted"),
        ),
        count(|| (), |()| raw_keys.mint(IDENTITY).expect("minted")),
    ));

    println!();
    println!("## allocations per operation (jwt-ext / hand-written actix-web + jsonwebtoken)");
    println!();
    println!(
        "Allocation calls (alloc, alloc_zeroed, realloc) and bytes requested, mean of {RUNS} runs."
    );
    println!();
    println!(
        "| operation | jwt-ext allocs | baseline allocs | extra | jwt-ext bytes | baseline bytes |"
    );
    println!("|---|---|---|---|---|---|");
    for Row { name, ours, theirs } in &rows {
        println!(
            "| {name} | {:.1} | {:.1} | {:+.1} | {:.0} | {:.0} |",
            ours.calls,
            theirs.calls,
            ours.calls - theirs.calls,
            ours.bytes,
            theirs.bytes
        );
    }
    println!();
}
