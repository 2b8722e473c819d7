//! A verified token with what the pipeline's loaders attached to it.

use std::any::Any;
use std::ops::Deref;
use std::rc::Rc;

use super::DecodedJwt;

/// The verified token of the request, as an extractor.
///
/// Behind `#[jwt_required(...)]` it is the token that route verified; on its
/// own it verifies with flask's defaults (an access token from the
/// configured locations) and refuses the request without one.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_ext::Jwt;
///
/// async fn whoami(jwt: Jwt) -> HttpResponse {
///     HttpResponse::Ok().json(serde_json::json!({ "id": jwt.identity(), "jti": jwt.jti() }))
/// }
/// ```
#[derive(Clone)]
pub struct Jwt {
    pub(crate) token: Rc<DecodedJwt>,
    /// What the `user_lookup_loader` returned, if one is configured.
    pub(crate) user: Option<Rc<dyn Any>>,
    /// Whether the pipeline checked this token's revocation (a store or a
    /// blocklist loader is configured and the route did not skip it).
    pub(crate) revocation_checked: bool,
}

impl Jwt {
    pub(crate) fn new(token: Rc<DecodedJwt>, user: Option<Rc<dyn Any>>) -> Self {
        Jwt {
            token,
            user,
            revocation_checked: false,
        }
    }

    /// The verified token.
    pub fn decoded(&self) -> &DecodedJwt {
        &self.token
    }
}

impl Deref for Jwt {
    type Target = DecodedJwt;

    fn deref(&self) -> &DecodedJwt {
        &self.token
    }
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("token", &self.token)
            .field("user_loaded", &self.user.is_some())
            .finish()
    }
}
