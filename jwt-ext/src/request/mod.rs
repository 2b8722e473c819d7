//! Everything read from a request: the manager, the token in its
//! locations (with CSRF), the verification pipeline, what it stores in the
//! request, and every extractor and getter built on it.

mod authorize;
mod extract;
mod forbidden;
mod getters;
mod in_flight;
mod loaders;
pub(crate) mod locations;
mod middleware;
mod options;
pub(crate) mod outcome;
pub(crate) mod pipeline;
mod user;
mod verify;

pub use extract::{Claims, JwtIdentity, OptionalJwt};
pub use getters::{get_jwt, get_jwt_header, get_jwt_identity, get_jwt_request_location};
pub use middleware::{JwtRequired, JwtRequiredMiddleware};
pub use options::VerifyOptions;
pub use outcome::VerifyFuture;
pub use user::{CurrentUser, get_current_user};
pub use verify::{verify_jwt_in_request, verify_jwt_in_request_with_payload};
