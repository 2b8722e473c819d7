//! The bare attribute on the smallest handler, registered with `Route::to`.
#![deny(warnings)]

use actix_web::{App, web};
use jwt_ext::jwt_required;

#[jwt_required]
async fn index() -> &'static str {
    "hello"
}

#[jwt_required()]
async fn empty_parentheses() -> String {
    String::from("hello")
}

fn main() {
    let _ = App::new()
        .route("/", web::get().to(index))
        .route("/empty", web::get().to(empty_parentheses));
}
