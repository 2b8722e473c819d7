//! `pub`, `pub(crate)` and `pub(in path)` handlers in a module tree, under
//! strict lints: the hidden options type has the handler's visibility and
//! raises no warning of its own. (No routing attribute here: actix-web re-emits
//! a `pub` handler inside a function body, which `unreachable_pub` flags.)
#![deny(
    warnings,
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    missing_copy_implementations,
    unused_qualifications,
    unused_results,
    private_interfaces,
    private_bounds
)]

//! Crate docs.

use actix_web::{App, HttpResponse, web};

/// Public handlers.
pub mod handlers {
    use actix_web::HttpResponse;
    use jwt_ext::jwt_required;

    /// A public handler.
    #[jwt_required]
    pub async fn public() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    /// A crate-visible handler.
    #[jwt_required(optional)]
    pub(crate) async fn in_crate() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    pub(super) mod nested {
        use actix_web::HttpResponse;
        use jwt_ext::jwt_required;

        #[jwt_required(refresh)]
        pub(in crate::handlers) async fn restricted() -> HttpResponse {
            HttpResponse::Ok().finish()
        }

        pub(crate) fn route() -> actix_web::Route {
            actix_web::web::post().to(restricted)
        }
    }
}

#[jwt_required_alias]
async fn private() -> HttpResponse {
    HttpResponse::Ok().finish()
}

use jwt_ext::jwt_required as jwt_required_alias;

fn main() {
    let _app = App::new()
        .route("/public", web::get().to(handlers::public))
        .route("/crate", web::get().to(handlers::in_crate))
        .route("/restricted", handlers::nested::route())
        .route("/private", web::get().to(private));
}
