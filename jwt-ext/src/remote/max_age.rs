//! How long a fetched key set is kept: the answer's `Cache-Control:
//! max-age` (RFC 9111 §5.2.2.1) within the configured bounds.

use std::time::Duration;

/// The `max-age` of a `Cache-Control` value, in seconds; the smallest when
/// several are given (RFC 9111 §4.2.1: the most restrictive), `Some(0)`
/// for `no-cache` or `no-store`, `None` when absent or malformed.
pub(crate) fn parse_max_age(cache_control: &str) -> Option<u64> {
    let mut found: Option<u64> = None;
    for directive in cache_control.split(',') {
        let (name, value) = match directive.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim())),
            None => (directive.trim(), None),
        };
        let seconds = if name.eq_ignore_ascii_case("max-age") {
            let digits = value?.trim_matches('"');
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // RFC 9111 §1.2.2: a value too large to represent is "forever".
            digits.parse().unwrap_or(u64::MAX)
        } else if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
            0
        } else {
            continue;
        };
        found = Some(found.map_or(seconds, |previous| previous.min(seconds)));
    }
    found
}

/// How long to keep a set whose answer said `max_age`: the default without
/// one, else `max_age` held within `[min, max]`.
pub(crate) fn refresh_after(
    max_age: Option<u64>,
    default: Duration,
    min: Duration,
    max: Duration,
) -> Duration {
    match max_age {
        None => default,
        Some(seconds) => Duration::from_secs(seconds).clamp(min, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_the_directives() {
        assert_eq!(parse_max_age("max-age=300"), Some(300));
        assert_eq!(
            parse_max_age("public, max-age=3600, must-revalidate"),
            Some(3600)
        );
        assert_eq!(parse_max_age("Max-Age = 60"), Some(60));
        assert_eq!(parse_max_age("max-age=\"120\""), Some(120));
        assert_eq!(parse_max_age("max-age=600, max-age=30"), Some(30));
        assert_eq!(parse_max_age("no-cache"), Some(0));
        assert_eq!(parse_max_age("max-age=600, no-store"), Some(0));
        assert_eq!(
            parse_max_age("max-age=99999999999999999999999"),
            Some(u64::MAX)
        );
        assert_eq!(parse_max_age("s-maxage=600"), None);
        assert_eq!(parse_max_age("public"), None);
        assert_eq!(parse_max_age(""), None);
    }

    #[test]
    fn malformed_max_age_is_ignored() {
        for bad in [
            "max-age",
            "max-age=",
            "max-age=-5",
            "max-age=1.5",
            "max-age=1e3",
            "max-age=abc",
        ] {
            assert_eq!(parse_max_age(bad), None, "{bad}");
        }
    }

    #[test]
    fn refresh_is_held_within_bounds() {
        let (default, min, max) = (
            Duration::from_secs(600),
            Duration::from_secs(60),
            Duration::from_secs(86_400),
        );
        let after = |max_age| refresh_after(max_age, default, min, max);
        assert_eq!(after(None), default);
        assert_eq!(after(Some(0)), min);
        assert_eq!(after(Some(59)), min);
        assert_eq!(after(Some(300)), Duration::from_secs(300));
        assert_eq!(after(Some(86_401)), max);
        assert_eq!(after(Some(u64::MAX)), max);
    }
}
