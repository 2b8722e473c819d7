//! Everything read from a request: the manager, the token in its
//! locations (with CSRF), the verification pipeline, what it stores in the
//! request, and every extractor and getter built on it.

mod extract;
pub(crate) mod future;
mod in_flight;
pub(crate) mod locations;
pub(crate) mod pipeline;
pub(crate) mod state;
mod user;

pub use extract::{JwtIdentity, OptionalJwt};
pub use future::VerifyFuture;
pub use pipeline::{VerifyOptions, verify_jwt_in_request, verify_jwt_in_request_with_payload};
pub use state::{get_jwt, get_jwt_header, get_jwt_identity, get_jwt_request_location};
pub use user::{CurrentUser, get_current_user};
