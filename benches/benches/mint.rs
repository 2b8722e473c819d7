//! Minting an HS256 access token: jwt-ext's `create_access_token` against
//! `jsonwebtoken::encode` of the same claim set (`fresh`, `iat`, `jti`,
//! `type`, `sub`, `nbf`, `csrf`, `exp`, in jwt-ext's order).
//!
//! Two baselines:
//! - `encode` of a prebuilt claim map: the signing and serialisation alone,
//!   the target;
//! - building the map (the clock, two UUIDs v4) then `encode`: what a
//!   hand-written login handler does per token, as jwt-ext does.
//!
//! A third row prices the one thing jwt-ext does that the prebuilt encode
//! does not: reading the random bytes of `jti` and `csrf` from the OS.
//!
//! `cargo bench -p jwt-ext-benches --bench mint`.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use jsonwebtoken::Algorithm;
use jwt_ext::JwtManager;
use jwt_ext_benches::ratio::{self, Mode};
use jwt_ext_benches::raw::{RawKeys, access_claims};
use jwt_ext_benches::{IDENTITY, TOKEN_LIFETIME, manager, raw_keys};
use serde_json::{Map, Value};

struct Minters {
    manager: JwtManager,
    raw: RawKeys,
    claims: Map<String, Value>,
}

impl Minters {
    fn new() -> Self {
        let manager = manager(Algorithm::HS256);
        let raw = raw_keys(Algorithm::HS256).with_access_lifetime(TOKEN_LIFETIME);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let claims = access_claims(IDENTITY, now, TOKEN_LIFETIME);
        // The same claim names in the same order, and tokens of the same length.
        let ours = manager
            .create_access_token(IDENTITY)
            .expect("jwt-ext mints");
        let decoded = manager.decode_token(&ours).expect("and verifies");
        let names: Vec<&String> = decoded.claims().keys().collect();
        assert_eq!(names, claims.keys().collect::<Vec<_>>(), "same claims");
        let theirs = raw.encode(&claims).expect("jsonwebtoken mints");
        assert_eq!(ours.len(), theirs.len(), "tokens of the same length");
        Minters {
            manager,
            raw,
            claims,
        }
    }

    fn jwt_ext(&self) -> String {
        self.manager
            .create_access_token(black_box(IDENTITY))
            .expect("minted")
    }

    fn encode_prebuilt(&self) -> String {
        self.raw.encode(black_box(&self.claims)).expect("minted")
    }

    fn build_and_encode(&self) -> String {
        self.raw.mint(black_box(IDENTITY)).expect("minted")
    }
}

fn main() {
    let mode = Mode::from_env();
    let minters = Minters::new();
    if mode.criterion {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(4))
            .configure_from_args();
        let mut group = c.benchmark_group("mint/HS256");
        group.bench_function("jwt-ext create_access_token", |b| {
            b.iter(|| minters.jwt_ext())
        });
        group.bench_function("jsonwebtoken encode (prebuilt claims)", |b| {
            b.iter(|| minters.encode_prebuilt())
        });
        group.bench_function("hand-written claims + jsonwebtoken encode", |b| {
            b.iter(|| minters.build_and_encode())
        });
        group.finish();
        c.final_summary();
    }
    if mode.ratios {
        let ratios = [
            ratio::compare(
                "HS256 create_access_token / jsonwebtoken::encode (prebuilt claims)",
                Some(1.00),
                || (),
                |()| minters.jwt_ext(),
                |()| minters.encode_prebuilt(),
            ),
            ratio::compare(
                "HS256 create_access_token / hand-written claims (2 UUIDs) + encode",
                Some(1.00),
                || (),
                |()| minters.jwt_ext(),
                |()| minters.build_and_encode(),
            ),
            // What jwt-ext does beyond the prebuilt encode and cannot skip:
            // the random bytes of `jti` and `csrf`, one system call.
            ratio::compare(
                "the 32 random bytes of jti + csrf (getrandom) / jsonwebtoken::encode (prebuilt claims)",
                None,
                || (),
                |()| {
                    let mut bytes = [0u8; 32];
                    getrandom::fill(&mut bytes).expect("the OS random source");
                    black_box(bytes)
                },
                |()| minters.encode_prebuilt(),
            ),
        ];
        ratio::print_table("mint: jwt-ext vs jsonwebtoken, same claims", &ratios);
    }
}
