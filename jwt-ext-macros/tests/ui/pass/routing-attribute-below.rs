//! Above actix-web's routing attributes: they are kept and expand afterwards,
//! on the handler that already has the guard parameter.
#![deny(warnings)]

use actix_web::{App, HttpResponse, Responder, get, post, route, web};
use jwt_ext::jwt_required;

/// Documented handler.
#[jwt_required]
#[get("/")]
async fn index() -> impl Responder {
    "hello"
}

#[jwt_required(refresh)]
#[post("/refresh")]
async fn refresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(fresh)]
#[route("/both", method = "GET", method = "POST")]
async fn both() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new()
        .service(index)
        .service(web::scope("/api").service(refresh).service(both));
}
