//! Bytes as PEM text → `JwtManager::builder().algorithm(..).public_key_pem(..)`
//! (and `private_key_pem`) `.build()`.
//!
//! The first byte picks the algorithm (`byte % 3`: RS256, ES256, EdDSA) and
//! the mode (`byte / 3 % 3`): the rest as the public key alone; as the
//! private key beside the family's valid public key (`keys/`); or as the
//! public key beside the family's valid private key (the pair check).
//!
//! Must hold: `build` returns `Ok` or `Err`, never panics; a manager that
//! builds with a private key signs tokens that it verifies.
#![no_main]

use jwt_ext::{Algorithm, JwtManager};
use libfuzzer_sys::fuzz_target;

const KEYS: [(Algorithm, &[u8], &[u8]); 3] = [
    (
        Algorithm::RS256,
        include_bytes!("../keys/rsa_public.pem"),
        include_bytes!("../keys/rsa_private.pem"),
    ),
    (
        Algorithm::ES256,
        include_bytes!("../keys/ec256_public.pem"),
        include_bytes!("../keys/ec256_private.pem"),
    ),
    (
        Algorithm::EdDSA,
        include_bytes!("../keys/ed25519_public.pem"),
        include_bytes!("../keys/ed25519_private.pem"),
    ),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, pem)) = data.split_first() else {
        return;
    };
    let (algorithm, public, private) = KEYS[usize::from(selector % 3)];
    let builder = JwtManager::builder().algorithm(algorithm);
    let (builder, can_sign) = match selector / 3 % 3 {
        0 => (builder.public_key_pem(pem), false),
        1 => (builder.public_key_pem(public).private_key_pem(pem), true),
        _ => (builder.public_key_pem(pem).private_key_pem(private), true),
    };
    let Ok(manager) = builder.build() else {
        return;
    };
    if can_sign {
        // The pair check passed: what the private key signs, the public key
        // verifies.
        let token = manager
            .create_access_token("fuzz-user")
            .expect("a manager that built signs");
        if let Err(err) = manager.decode_token(&token) {
            panic!(
                "a key pair that passed the check does not verify its own token: {:?} {}",
                err.kind(),
                err.message()
            );
        }
    }
});
