//! The current time, in the unit the claim checks compare in.

/// Microseconds since the Unix epoch: Python's `time.time()` precision, so
/// `exp <= now - leeway` is decided as PyJWT decides it.
pub(crate) fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
