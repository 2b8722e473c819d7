//! Generics, where-clauses and `#[cfg]`s stay; a handler that is configured
//! away takes its options type with it.
#![deny(warnings)]

use actix_web::{App, HttpResponse, web};
use jwt_ext::jwt_required;

#[jwt_required]
async fn generic<T>(data: web::Data<T>) -> String
where
    T: ToString + 'static,
{
    data.to_string()
}

#[cfg(any())]
#[jwt_required]
async fn configured_away() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required]
#[cfg(all())]
async fn configured_in() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required]
async fn r#match() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new()
        .app_data(web::Data::new(1_u32))
        .route("/generic", web::get().to(generic::<u32>))
        .route("/cfg", web::get().to(configured_in))
        .route("/match", web::get().to(r#match));
}
