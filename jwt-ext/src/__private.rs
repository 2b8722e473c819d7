//! What `#[jwt_required]` expands to. Not public API: names may change in
//! any release.
//!
//! The guard and its options live with the pipeline they start
//! (`request/pipeline.rs`); this module only names them for the macro.

pub use crate::request::pipeline::{Guard, RouteOptions};

/// Starts a remote key set outside a manager, for the integration tests.
#[cfg(feature = "oidc")]
pub use crate::remote::RemoteKeysProbe;
