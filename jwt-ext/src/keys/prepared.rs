//! Signers and verifiers prepared once per thread and key, not per token.
//!
//! jsonwebtoken's crypto provider turns a key into a signer or verifier on
//! every call; for HMAC that is the key schedule (two hash blocks) and a
//! box, a fifth of the cost of verifying a token. Its signers and verifiers
//! are not `Send`, so they cannot live in the shared manager: each thread
//! keeps the few it prepared, under the id of the manager's keys (and of
//! each key of a JWK Set). Keys from a key loader change per token and are
//! not kept.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::LocalKey;

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

/// Identifies the keys one manager parsed at start-up: never reused,
/// so a prepared signer or verifier is never applied to other keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyId(u64);

impl KeyId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        KeyId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Entries per thread, one per key and algorithm. A server with a
/// configured key uses one or two (a verifier, a signer); with rotation
/// and key sets it uses one per key it meets: the current and two older
/// keys, plus a few issuers publishing two or three keys each (the current
/// and the next), is about 15. Evicting a key in use costs a preparation
/// per token (an RSA key parse), while a miss costs a scan of 32 ids, so
/// the bound is twice that; it still keeps a thread that builds many
/// managers (tests) from growing without end.
const CAPACITY: usize = 32;

type Entries<T> = RefCell<Vec<(KeyId, Algorithm, T)>>;

thread_local! {
    static VERIFIERS: Entries<Box<dyn JwtVerifier>> = const { RefCell::new(Vec::new()) };
    static SIGNERS: Entries<Box<dyn JwtSigner>> = const { RefCell::new(Vec::new()) };
}

/// Why [`verify`] refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum VerifyFailure {
    /// The provider cannot use the key with this algorithm.
    Unusable,
    /// The signature does not match.
    BadSignature,
}

/// Checks `signature` over `message` with `key`, prepared once per thread
/// when `id` names the manager's own keys.
pub(crate) fn verify(
    provider: &CryptoProvider,
    id: Option<KeyId>,
    algorithm: Algorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &Vec<u8>,
) -> Result<(), VerifyFailure> {
    let prepare = || (provider.verifier_factory)(&algorithm, key);
    let check = |verifier: &(dyn JwtVerifier + 'static)| {
        verifier
            .verify(message, signature)
            .map_err(|_| VerifyFailure::BadSignature)
    };
    with_prepared(&VERIFIERS, id, algorithm, prepare, check).unwrap_or(Err(VerifyFailure::Unusable))
}

/// Signs `message` with `key`, prepared once per thread when `id` names the
/// manager's own keys.
///
/// # Errors
/// jsonwebtoken's message when the key cannot sign with `algorithm`.
pub(crate) fn sign(
    provider: &CryptoProvider,
    id: Option<KeyId>,
    algorithm: Algorithm,
    key: &EncodingKey,
    message: &[u8],
) -> Result<Vec<u8>, String> {
    let prepare = || (provider.signer_factory)(&algorithm, key);
    let sign =
        |signer: &(dyn JwtSigner + 'static)| signer.try_sign(message).map_err(|e| e.to_string());
    with_prepared(&SIGNERS, id, algorithm, prepare, sign).unwrap_or_else(|e| Err(e.to_string()))
}

/// Runs `run` with the prepared value of (`id`, `algorithm`), preparing it
/// first if this thread has none. Without an id, the value is prepared for
/// this call alone; so it is while the thread is being torn down, or if a
/// custom provider calls back in while preparing.
fn with_prepared<T: ?Sized, R>(
    entries: &'static LocalKey<Entries<Box<T>>>,
    id: Option<KeyId>,
    algorithm: Algorithm,
    prepare: impl Fn() -> jsonwebtoken::errors::Result<Box<T>>,
    run: impl Fn(&T) -> R,
) -> jsonwebtoken::errors::Result<R> {
    let Some(id) = id else {
        return Ok(run(&*prepare()?));
    };
    let cached = entries.try_with(|entries| {
        let mut entries = entries.try_borrow_mut().ok()?;
        let found = entries
            .iter()
            .position(|(entry_id, entry_alg, _)| *entry_id == id && *entry_alg == algorithm);
        let index = match found {
            Some(index) => index,
            None => {
                let prepared = match prepare() {
                    Ok(prepared) => prepared,
                    Err(e) => return Some(Err(e)),
                };
                if entries.len() == CAPACITY {
                    entries.remove(0);
                }
                entries.push((id, algorithm, prepared));
                entries.len() - 1
            }
        };
        Some(Ok(run(&*entries[index].2)))
    });
    match cached {
        Ok(Some(result)) => result,
        _ => Ok(run(&*prepare()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> &'static CryptoProvider {
        crate::keys::ensure_crypto_provider().expect("a backend feature is on")
    }

    #[test]
    fn a_prepared_verifier_is_kept_per_key_and_algorithm() {
        let provider = provider();
        let (id, other) = (KeyId::next(), KeyId::next());
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let decoding = DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let wrong = DecodingKey::from_secret(b"another secret, another verifier").unwrap();
        let signature = sign(provider, Some(id), Algorithm::HS256, &key, b"msg").unwrap();
        let verify_as = |id, key| {
            verify(
                provider,
                Some(id),
                Algorithm::HS256,
                key,
                b"msg",
                &signature,
            )
        };
        assert_eq!(verify_as(id, &decoding), Ok(()));
        // Another id prepares its own verifier from its own key.
        assert_eq!(verify_as(other, &wrong), Err(VerifyFailure::BadSignature));
        assert_eq!(verify_as(id, &decoding), Ok(()));
        VERIFIERS.with_borrow(|entries| {
            assert_eq!(entries.iter().filter(|(entry, ..)| *entry == id).count(), 1);
        });
    }

    #[test]
    fn the_cache_is_bounded_and_a_key_of_another_family_is_unusable() {
        let decoding = DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let fresh_key = |algorithm| {
            let id = Some(KeyId::next());
            verify(provider(), id, algorithm, &decoding, b"m", &vec![0; 32])
        };
        for _ in 0..3 * CAPACITY {
            assert_eq!(
                fresh_key(Algorithm::HS256),
                Err(VerifyFailure::BadSignature)
            );
        }
        VERIFIERS.with_borrow(|entries| assert!(entries.len() <= CAPACITY));
        assert_eq!(fresh_key(Algorithm::RS256), Err(VerifyFailure::Unusable));
    }
}
