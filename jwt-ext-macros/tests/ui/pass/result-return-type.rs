//! The return type and body are untouched: `?` and `Result` keep working.
#![deny(warnings)]

use actix_web::{App, HttpResponse, get, web};
use jwt_ext::jwt_required;

fn parse(input: &str) -> Result<u32, actix_web::Error> {
    input.parse().map_err(actix_web::error::ErrorBadRequest)
}

#[jwt_required(fresh)]
async fn explicit(query: web::Query<String>) -> Result<HttpResponse, actix_web::Error> {
    let number = parse(&query)?;
    Ok(HttpResponse::Ok().body(number.to_string()))
}

#[get("/short")]
#[jwt_required]
async fn short() -> actix_web::Result<HttpResponse> {
    let number = parse("1")?;
    Ok(HttpResponse::Ok().body(number.to_string()))
}

fn main() {
    let _ = App::new()
        .route("/explicit", web::get().to(explicit))
        .service(short);
}
