//! Finding the token in a request, one module per location; the pipeline
//! asks them in the configured order.

pub(crate) mod body;
pub(crate) mod cookies;
pub(crate) mod header;
pub(crate) mod json;
pub(crate) mod query;

use std::borrow::Cow;

/// A token as found, with the CSRF value sent beside it (cookies only).
/// A plain `Authorization` header and a plain cookie value lend their
/// token; other locations own it.
pub(crate) struct Found<'r> {
    pub(crate) token: Cow<'r, str>,
    pub(crate) csrf: Option<String>,
}
