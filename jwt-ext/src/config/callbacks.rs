//! flask-jwt-extended's `JWTManager` loaders, in Rust terms: closures set on
//! the builder, async where they may need I/O, and costing nothing when
//! they are not configured.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::{Failure, Jwt, JwtError, SigningKey, VerifyingKey};

/// A future of a loader: polled on the worker that runs the request, so it
/// need not be `Send` (a database handle of the worker may be held across
/// `.await`).
pub(crate) type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

pub(crate) type JsonLoader = Arc<dyn Fn(&Value) -> Value + Send + Sync>;
pub(crate) type AsyncCheck = Arc<dyn Fn(Jwt) -> LocalFuture<Result<bool, Failure>> + Send + Sync>;
type AsyncUserLookup =
    Arc<dyn Fn(Jwt) -> LocalFuture<Result<Option<Rc<dyn Any>>, Failure>> + Send + Sync>;
type EncodeKeyLoader = Arc<dyn Fn(&Value) -> SigningKey + Send + Sync>;
type DecodeKeyLoader = Arc<
    dyn Fn(&Map<String, Value>, &Map<String, Value>) -> Result<VerifyingKey, JwtError>
        + Send
        + Sync,
>;

/// The configured loaders; `None` means flask's default.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub(crate) identity: Option<JsonLoader>,
    pub(crate) additional_claims: Option<JsonLoader>,
    pub(crate) additional_headers: Option<JsonLoader>,
    pub(crate) encode_key: Option<EncodeKeyLoader>,
    pub(crate) decode_key: Option<DecodeKeyLoader>,
    pub(crate) blocklist: Option<AsyncCheck>,
    pub(crate) claims_verification: Option<AsyncCheck>,
    pub(crate) user_lookup: Option<AsyncUserLookup>,
}
