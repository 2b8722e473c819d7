//! How long a store keeps a revocation: until the token would expire
//! anyway, computed without overflow whatever `exp` a token carries.

use std::time::Duration;

use serde_json::Value;

use crate::{DecodedJwt, Expiry, JwtManager};

/// Revocations of tokens that live longer than this (100 years) are kept
/// without expiry: no store has to express such a TTL, and `exp` values
/// near the integer limits cannot shorten a revocation by wrapping.
pub(crate) const KEPT_FOREVER_AFTER: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

impl JwtManager {
    /// How long a revocation of `jwt` must be kept: until it expires, plus
    /// the leeway during which it would still be accepted. `None` (forever)
    /// for tokens without `exp` and beyond [`KEPT_FOREVER_AFTER`].
    pub(crate) fn remaining_lifetime(&self, jwt: &DecodedJwt) -> Option<Duration> {
        let settings = self.settings();
        let remaining = exp_secs(jwt)?
            .checked_add(settings.leeway_secs)?
            .checked_sub(settings.clock.now().timestamp())?;
        // An expired token (decoded with `allow_expired`) needs a moment only.
        let remaining = Duration::from_secs(u64::try_from(remaining).unwrap_or(0).max(1));
        bounded(remaining)
    }

    /// How long a revoked family is kept: as long as its refresh tokens
    /// live, and at least as long as `jwt`, the token that revealed reuse.
    pub(crate) fn family_ttl(&self, jwt: &DecodedJwt) -> Option<Duration> {
        let settings = self.settings();
        let configured = match settings.refresh_expires {
            Expiry::In(delta) => delta.to_std().ok().and_then(|lifetime| {
                let leeway = u64::try_from(settings.leeway_secs).unwrap_or(0);
                lifetime.checked_add(Duration::from_secs(leeway))
            }),
            Expiry::Never => None,
        };
        let configured = bounded(configured?)?;
        Some(configured.max(self.remaining_lifetime(jwt)?))
    }

    /// How long a "not before" time must be kept: as long as the
    /// longest-lived token it refuses, access or refresh, plus the leeway.
    /// `None` (forever) when either kind never expires.
    pub(crate) fn longest_lifetime(&self) -> Option<Duration> {
        let settings = self.settings();
        let leeway = Duration::from_secs(u64::try_from(settings.leeway_secs).unwrap_or(0));
        let mut longest = Duration::ZERO;
        for expiry in [settings.access_expires, settings.refresh_expires] {
            let Expiry::In(delta) = expiry else {
                return None;
            };
            // A negative delta mints expired tokens: nothing to keep for them.
            let lifetime = delta.to_std().unwrap_or_default();
            longest = longest.max(lifetime.checked_add(leeway)?);
        }
        bounded(longest.max(Duration::from_secs(1)))
    }
}

fn bounded(ttl: Duration) -> Option<Duration> {
    (ttl <= KEPT_FOREVER_AFTER).then_some(ttl)
}

/// `exp` as the decoder reads it (PyJWT's `int()`): an integer beyond
/// `i64` is the largest one, a float is truncated.
fn exp_secs(jwt: &DecodedJwt) -> Option<i64> {
    // The usual integer `exp`, read when decoding: no claims map needed.
    if let Some(exp) = jwt.expires_at() {
        return Some(exp);
    }
    match jwt.claims().get("exp")? {
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64()) {
            (Some(secs), _) => secs,
            (None, Some(_)) => i64::MAX,
            // Saturating: 1e300 is i64::MAX.
            (None, None) => n.as_f64().map_or(i64::MAX, |secs| secs as i64),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta};
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;

    fn manager(leeway: TimeDelta) -> JwtManager {
        JwtManager::builder()
            .secret_key("0123456789abcdef0123456789abcdef")
            .decode_leeway(leeway)
            .clock(|| DateTime::from_timestamp(NOW, 0).unwrap())
            .build()
            .unwrap()
    }

    fn with_exp(jwt: &JwtManager, exp: Value) -> DecodedJwt {
        let token = jwt.access_token("a").claim("exp", exp).encode().unwrap();
        jwt.decode_token(&token).unwrap()
    }

    #[test]
    fn lifetimes_never_overflow_and_far_ones_are_forever() {
        for leeway in [TimeDelta::zero(), TimeDelta::days(1)] {
            let jwt = manager(leeway);
            let slack = leeway.num_seconds() as u64;
            let ttl = |exp| jwt.remaining_lifetime(&with_exp(&jwt, exp));
            assert_eq!(ttl(json!(NOW + 60)), Some(Duration::from_secs(60 + slack)));
            assert_eq!(
                ttl(json!(NOW as f64 + 60.9)),
                Some(Duration::from_secs(60 + slack))
            );
            for far in [
                json!(i64::MAX),
                json!(i64::MAX - 1),
                json!(NOW + 18_446_744_073_709_551),
                json!(u64::MAX),
                json!(1e300),
                json!(NOW + 101 * 365 * 86_400),
            ] {
                assert_eq!(ttl(far.clone()), None, "exp {far}");
                assert_eq!(jwt.family_ttl(&with_exp(&jwt, far)), None);
            }
        }
    }

    #[test]
    fn a_not_before_time_lives_as_long_as_the_longest_token() {
        let jwt = manager(TimeDelta::seconds(10));
        assert_eq!(
            jwt.longest_lifetime(),
            Some(Duration::from_secs(30 * 86_400 + 10))
        );
        let never = JwtManager::builder()
            .secret_key("0123456789abcdef0123456789abcdef")
            .refresh_token_expires(Expiry::Never)
            .build()
            .unwrap();
        assert_eq!(never.longest_lifetime(), None);
    }

    #[test]
    fn a_family_outlives_the_token_that_revealed_reuse() {
        let jwt = manager(TimeDelta::zero());
        let thirty_days = Duration::from_secs(30 * 86_400);
        assert_eq!(
            jwt.family_ttl(&with_exp(&jwt, json!(NOW + 60))),
            Some(thirty_days)
        );
        assert_eq!(
            jwt.family_ttl(&with_exp(&jwt, json!(NOW + 40 * 86_400))),
            Some(Duration::from_secs(40 * 86_400))
        );
    }
}
