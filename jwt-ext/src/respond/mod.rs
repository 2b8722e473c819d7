//! What the crate writes into responses besides errors: token cookies and
//! their CSRF cookies, implicit refresh of access cookies, and the
//! published key set.

mod cookies;
mod implicit_refresh;
mod jwks;

pub use cookies::{CookieOptions, SetCookieTarget};
pub use implicit_refresh::{ImplicitRefresh, ImplicitRefreshMiddleware};
pub use jwks::{JWKS_MAX_AGE_SECS, jwks_handler};
