//! Every argument, bare and with values, in any order, with a trailing comma.
#![deny(warnings)]

use actix_web::{App, HttpResponse, web};
use jwt_ext::jwt_required;

#[jwt_required(optional)]
async fn optional() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(fresh)]
async fn fresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(refresh)]
async fn refresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(verify_type = false)]
async fn any_type() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(skip_revocation_check)]
async fn skip_revocation_check() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(locations = "headers")]
async fn one_location() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(locations = ["headers"])]
async fn location_list() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// `optional` with `fresh` is allowed, as in flask-jwt-extended.
#[jwt_required(
    skip_revocation_check = false,
    locations = ["headers",],
    verify_type = true,
    optional = true,
    fresh,
    refresh = false,
)]
async fn all() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(refresh, optional, verify_type, skip_revocation_check = true)]
async fn refresh_all() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new()
        .route("/optional", web::get().to(optional))
        .route("/fresh", web::get().to(fresh))
        .route("/refresh", web::post().to(refresh))
        .route("/any-type", web::get().to(any_type))
        .route("/skip", web::get().to(skip_revocation_check))
        .route("/one-location", web::get().to(one_location))
        .route("/location-list", web::get().to(location_list))
        .route("/all", web::get().to(all))
        .route("/refresh-all", web::post().to(refresh_all));
}
