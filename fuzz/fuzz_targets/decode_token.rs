//! Arbitrary bytes (lossy UTF-8) as a token for `JwtManager::decode_token`.
//!
//! Must hold for every input:
//! - no panic;
//! - every error answers a 4xx (flask's 401/422), never a 5xx;
//! - a token is accepted only if `seeds/make.py` signed it with the fuzz
//!   secret (listed in `seeds/signed_tokens.txt`), with an allowed `alg`:
//!   no forgery, no `alg: none`, no algorithm confusion;
//! - `get_unverified_jwt_headers` agrees with a successful decode;
//! - an `Expired` token decodes with `allow_expired(true)`.
#![no_main]

mod common;

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::TimeDelta;
use jwt_ext::{Algorithm, DecodeOptions, JwtError, JwtErrorKind, JwtManager};
use libfuzzer_sys::fuzz_target;

/// flask's defaults: HS256 only.
static DEFAULT: LazyLock<JwtManager> =
    LazyLock::new(|| common::hs256().build().expect("default manager"));

/// Every registered-claim check on, three HMAC algorithms allowed.
static STRICT: LazyLock<JwtManager> = LazyLock::new(|| {
    common::hs256()
        .decode_algorithms([Algorithm::HS256, Algorithm::HS384, Algorithm::HS512])
        .decode_audience("api")
        .decode_issuer("urn:fuzz")
        .decode_leeway(TimeDelta::seconds(30))
        .build()
        .expect("strict manager")
});

static SIGNED: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../seeds/signed_tokens.txt")
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
});

fn client_error(err: &JwtError, what: &str) {
    assert!(
        err.status().is_client_error(),
        "{what}: {:?} answers {} ({})",
        err.kind(),
        err.status(),
        err.message()
    );
}

fn check(manager: &JwtManager, allowed: &[&str], token: &str) {
    let unverified = jwt_ext::get_unverified_jwt_headers(token);
    if let Err(err) = &unverified {
        client_error(err, "get_unverified_jwt_headers");
    }
    match manager.decode_token(token) {
        Ok(decoded) => {
            assert!(
                SIGNED.contains(token),
                "accepted a token the fuzz secret never signed: {token:?}"
            );
            let alg = decoded.header().get("alg").and_then(|alg| alg.as_str());
            assert!(
                alg.is_some_and(|alg| allowed.contains(&alg)),
                "accepted alg {alg:?}"
            );
            for claim in ["type", "fresh", "jti"] {
                assert!(decoded.claims().contains_key(claim), "no default {claim}");
            }
            assert_eq!(
                unverified.as_ref().ok(),
                Some(decoded.header()),
                "get_unverified_jwt_headers disagrees with decode_token"
            );
            let lenient =
                manager.decode_token_with(token, DecodeOptions::default().allow_expired(true));
            assert!(lenient.is_ok(), "allow_expired refused a valid token");
        }
        Err(err) => {
            client_error(&err, "decode_token");
            if err.kind() == JwtErrorKind::Expired {
                let lenient =
                    manager.decode_token_with(token, DecodeOptions::default().allow_expired(true));
                if let Err(lenient) = &lenient {
                    panic!(
                        "expired, but allow_expired(true) fails: {:?} {}",
                        lenient.kind(),
                        lenient.message()
                    );
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    check(&DEFAULT, &["HS256"], &token);
    check(&STRICT, &["HS256", "HS384", "HS512"], &token);
});
