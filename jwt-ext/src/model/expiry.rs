//! How long a minted token lives.

use chrono::TimeDelta;

/// The lifetime of a minted token: the `exp` claim is `iat + delta`, or absent.
///
/// flask-jwt-extended's `expires_delta`: a `timedelta`, or `False` for a token
/// that never expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expiry {
    /// `exp = iat + delta`. A negative delta mints an already expired token,
    /// which is useful in tests.
    In(TimeDelta),
    /// No `exp` claim: the token is valid until its key changes. Use with care.
    Never,
}

impl Expiry {
    /// flask's default for access tokens: 15 minutes.
    pub const DEFAULT_ACCESS: Expiry = Expiry::In(TimeDelta::minutes(15));
    /// flask's default for refresh tokens: 30 days.
    pub const DEFAULT_REFRESH: Expiry = Expiry::In(TimeDelta::days(30));

    /// `exp` for a token issued at `iat_micros`, or `None` for no `exp`.
    pub(crate) fn exp_for(self, iat_micros: i64) -> Option<i64> {
        match self {
            // flask: `timegm((now + delta).utctimetuple())`, floor seconds
            // (quirk 10).
            // Saturating: a lifetime of 300 000 years is "far future", never a wrap.
            Expiry::In(delta) => {
                let micros = delta
                    .num_microseconds()
                    .unwrap_or(if delta < TimeDelta::zero() {
                        i64::MIN
                    } else {
                        i64::MAX
                    });
                Some(iat_micros.saturating_add(micros).div_euclid(1_000_000))
            }
            Expiry::Never => None,
        }
    }
}

impl From<TimeDelta> for Expiry {
    fn from(delta: TimeDelta) -> Self {
        Expiry::In(delta)
    }
}

impl From<std::time::Duration> for Expiry {
    fn from(duration: std::time::Duration) -> Self {
        Expiry::In(TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_floor_of_now_plus_delta() {
        let now = 1_795_870_912_500_000; // .5 s past the second
        assert_eq!(
            Expiry::DEFAULT_ACCESS.exp_for(now),
            Some(1_795_870_912 + 900)
        );
        assert_eq!(
            Expiry::In(TimeDelta::milliseconds(600)).exp_for(now),
            Some(1_795_870_913)
        );
        assert_eq!(
            Expiry::In(TimeDelta::seconds(-10)).exp_for(now),
            Some(1_795_870_902)
        );
        assert_eq!(Expiry::Never.exp_for(now), None);
        // Found by fuzzing: huge lifetimes saturate instead of overflowing.
        assert_eq!(
            Expiry::In(TimeDelta::microseconds(i64::MAX)).exp_for(now),
            Some(i64::MAX / 1_000_000)
        );
        assert_eq!(
            Expiry::In(TimeDelta::MAX).exp_for(now),
            Some(i64::MAX / 1_000_000)
        );
        assert!(Expiry::In(TimeDelta::MIN).exp_for(now).unwrap() < 0);
    }
}
