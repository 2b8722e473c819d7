//! The integration tests, one module per file beside this one, linked into
//! one test binary: one link of the dependency tree instead of one per
//! file. Run one file's tests with its module path, e.g.
//! `cargo test -p jwt-ext-tests --test integration security::`.
//!
//! The modules share one process: logs are captured per test
//! (`support/logs.rs`), and every process spawn and port probe holds one
//! lock (`support/http.rs`). `per_request_work.rs` is a binary of its own;
//! `Cargo.toml` says why.

mod browser;
mod browser_app;
mod error_rendering;
mod examples;
mod flask_cookies;
mod flask_interop;
mod flask_responses;
mod isolation;
mod issuers;
mod jwks;
mod keys_and_minting;
mod loaders;
mod locations;
mod logging;
mod logout_everywhere;
mod oidc;
mod oidc_provider;
mod pipeline;
mod python_json;
mod redis_cache;
mod redis_cluster;
mod redis_store;
mod remote_keys;
mod revocation;
mod scope_middleware;
mod scopes;
mod security;
mod vectors;
mod wsgi_requests;
