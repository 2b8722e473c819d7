//! The current time, in the unit the claim checks compare in, from the
//! system clock or from a clock the application injects (tests, replays).

use std::sync::Arc;

use chrono::{DateTime, Utc};

/// Where a manager reads the time.
#[derive(Clone, Default)]
pub(crate) struct Clock(Option<Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>>);

impl Clock {
    pub(crate) fn injected(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Clock(Some(Arc::new(now)))
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Some(now) => now(),
            None => Utc::now(),
        }
    }

    /// Microseconds since the Unix epoch: Python's `time.time()` precision,
    /// so `exp <= now - leeway` is decided as PyJWT decides it.
    pub(crate) fn now_micros(&self) -> i64 {
        self.now().timestamp_micros()
    }
}
