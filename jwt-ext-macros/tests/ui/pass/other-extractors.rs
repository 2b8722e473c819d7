//! The user's own extractors follow the guard; 15 of them still fit.
#![deny(warnings)]

use std::collections::HashMap;

use actix_web::{App, HttpRequest, HttpResponse, post, web};
use jwt_ext::jwt_required;

type Form = HashMap<String, String>;

#[jwt_required]
#[post("/json/{id}")]
async fn json(req: HttpRequest, path: web::Path<u32>, body: web::Json<Form>) -> HttpResponse {
    let _ = (req.path(), path.into_inner(), body.get("username"));
    HttpResponse::Ok().finish()
}

#[jwt_required(optional)]
async fn destructuring_pattern(web::Query(form): web::Query<Form>, mut req: HttpRequest) -> String {
    let _ = &mut req;
    form.len().to_string()
}

#[jwt_required]
async fn fifteen(
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
    _: HttpRequest,
) -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new()
        .service(json)
        .route("/query", web::get().to(destructuring_pattern))
        .route("/fifteen", web::get().to(fifteen));
}
