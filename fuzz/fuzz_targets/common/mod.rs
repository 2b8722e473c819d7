//! What the targets share: the HS256 secret and the fixed clock the seeds in
//! `seeds/` were made with (`seeds/make.py` must agree).
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use jwt_ext::{JwtManager, JwtManagerBuilder};

/// The HS256 secret of every manager the targets build (36 bytes).
pub const SECRET: &str = "jwt-ext-fuzz-secret-0123456789abcdef";

/// The fixed "now" of the managers, in seconds since the epoch (2027-01-15).
pub const NOW: i64 = 1_800_000_000;

/// The fixed clock: runs are reproducible whatever the date.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW, 0).expect("NOW is a valid timestamp")
}

/// A builder with the fuzz secret and the fixed clock.
pub fn hs256() -> JwtManagerBuilder {
    JwtManager::builder().secret_key(SECRET).clock(now)
}
