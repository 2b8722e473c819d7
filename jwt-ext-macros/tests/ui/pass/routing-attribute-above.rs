//! Below actix-web's routing attributes: they expand first and re-emit the
//! handler, with `#[jwt_required]` still on it, inside their `register`.
#![deny(warnings)]

use actix_web::{App, HttpResponse, Responder, get, post, route};
use jwt_ext::jwt_required;

/// Documented handler.
#[get("/")]
#[jwt_required]
async fn index() -> impl Responder {
    "hello"
}

#[post("/refresh")]
#[jwt_required(refresh)]
async fn refresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[route("/both", method = "GET", method = "POST")]
#[jwt_required(fresh)]
async fn both() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new().service(index).service(refresh).service(both);
}
