//! Key sets published by identity providers: OpenID Connect discovery or a
//! JWKS URL, fetched at start-up, cached, refreshed in the background and
//! fetched again (at most once per cooldown) for an unknown key id.
//!
//! The request side ([`RemoteKeys`]) only reads a snapshot or waits for a
//! fetch; the fetching runs in a thread of its own with its own actix
//! runtime and awc client (`worker.rs`), so building a manager works
//! inside and outside a runtime and no request ever performs I/O itself.
//! Every state change is a `tracing` event with target `jwt_ext::remote`.

mod fetch;
mod handle;
mod max_age;
mod probe;
mod source;
mod url;
mod worker;

#[allow(unused_imports)]
pub(crate) use handle::{RemoteKeys, Unavailable};
pub use probe::RemoteKeysProbe;
pub use source::RemoteKeySource;
