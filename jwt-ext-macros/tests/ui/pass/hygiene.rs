//! The expansion names only absolute paths, so the user's own items named like
//! the runtime's, or like the prelude's, change nothing.
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types)]

use ::jwt_ext::jwt_required;
use actix_web::{App, HttpResponse, get, web};

struct Guard;
trait RouteOptions {}
struct TokenLocation;
type Result<T> = std::result::Result<T, ()>;
struct bool;

mod __private {
    pub struct Guard<T>(pub T);
    pub trait RouteOptions {}
}

mod core {}

mod jwt_ext {}

#[get("/")]
#[jwt_required(optional, locations = ["headers"])]
async fn index(_guard: web::Query<String>) -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(fresh)]
async fn shadowed_result() -> actix_web::Result<HttpResponse> {
    let _: Result<()> = Ok(());
    Ok(HttpResponse::Ok().finish())
}

fn main() {
    let _ = App::new()
        .service(index)
        .route("/r", web::get().to(shadowed_result));
}
