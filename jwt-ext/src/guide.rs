//! Guides: how to use jwt-ext for a purpose, with examples that run as tests.

#[doc = include_str!("../guide/browser_apps.md")]
pub mod browser_apps {}

#[doc = include_str!("../guide/flask_differences.md")]
pub mod flask_differences {}

#[doc = include_str!("../guide/identity_providers.md")]
pub mod identity_providers {}

#[doc = include_str!("../guide/key_rotation.md")]
pub mod key_rotation {}

#[doc = include_str!("../guide/loaders.md")]
pub mod loaders {}

#[doc = include_str!("../guide/logging.md")]
pub mod logging {}

#[doc = include_str!("../guide/protecting_routes.md")]
pub mod protecting_routes {}

#[doc = include_str!("../guide/revocation.md")]
// The Redis stores it links to exist with the `redis` feature only, which
// docs.rs enables; a build without it keeps the text, unlinked.
#[cfg_attr(not(feature = "redis"), allow(rustdoc::broken_intra_doc_links))]
pub mod revocation {}
