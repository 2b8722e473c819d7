//! The `fresh` claim of an access token.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Number, Value};

/// Whether an access token is fresh: flask-jwt-extended's `fresh` argument.
///
/// A fresh token proves the user just typed their password; routes marked
/// `#[jwt_required(fresh)]` demand one. Besides yes and no, a token can be
/// fresh *until* a moment, so a login stays fresh for a few minutes:
///
/// ```
/// use jwt_ext::Fresh;
/// use chrono::TimeDelta;
///
/// let fresh: Fresh = true.into();
/// let fresh_for_a_while: Fresh = TimeDelta::minutes(5).into();
/// # let _ = (fresh, fresh_for_a_while);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[non_exhaustive]
pub enum Fresh {
    /// `"fresh": false`, the default.
    #[default]
    No,
    /// `"fresh": true`.
    Yes,
    /// Fresh until this moment: a float timestamp with microseconds.
    Until(DateTime<Utc>),
    /// Fresh for this long after minting: flask's `fresh=timedelta(...)`.
    For(TimeDelta),
}

impl Fresh {
    /// The claim value for a token minted at `now_micros`.
    pub(crate) fn claim(self, now_micros: i64) -> Value {
        let timestamp = |micros: i64| {
            // flask: `(now + delta).timestamp()`, a Python float (quirk 11).
            Number::from_f64(micros as f64 / 1_000_000.0).map_or(Value::Bool(false), Value::Number)
        };
        match self {
            Fresh::No => Value::Bool(false),
            Fresh::Yes => Value::Bool(true),
            Fresh::Until(at) => timestamp(at.timestamp_micros()),
            Fresh::For(delta) => {
                timestamp(now_micros.saturating_add(delta.num_microseconds().unwrap_or(i64::MAX)))
            }
        }
    }
}

impl From<bool> for Fresh {
    fn from(fresh: bool) -> Self {
        if fresh { Fresh::Yes } else { Fresh::No }
    }
}

impl From<TimeDelta> for Fresh {
    fn from(delta: TimeDelta) -> Self {
        Fresh::For(delta)
    }
}

impl From<DateTime<Utc>> for Fresh {
    fn from(at: DateTime<Utc>) -> Self {
        Fresh::Until(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::json_dumps::{KeyOrder, to_python_json};

    #[test]
    fn claim_values_match_flask() {
        let now = 1_795_870_912_922_241;
        assert_eq!(Fresh::No.claim(now), Value::Bool(false));
        assert_eq!(Fresh::Yes.claim(now), Value::Bool(true));
        let five_minutes = Fresh::For(TimeDelta::minutes(5)).claim(now);
        assert_eq!(
            to_python_json(&five_minutes, KeyOrder::Insertion),
            "1795871212.922241"
        );
    }
}
