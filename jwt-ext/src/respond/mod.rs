//! What the crate writes into responses besides errors: token cookies and
//! their CSRF cookies, and implicit refresh of access cookies.

mod cookies;
mod implicit_refresh;

pub use cookies::{CookieOptions, SetCookieTarget};
pub use implicit_refresh::{ImplicitRefresh, ImplicitRefreshMiddleware};
