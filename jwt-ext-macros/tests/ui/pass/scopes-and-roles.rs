//! `scopes` and `roles`, alone, together, with the other arguments, and
//! with any scope-token characters.
#![deny(warnings)]

use actix_web::{App, HttpResponse, web};
use jwt_ext::jwt_required;

#[jwt_required(scopes = ["read:messages"])]
async fn read() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(scopes = ["read:messages", "write:messages",], roles = ["admin"])]
async fn write() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(roles = ["Realm Admin", "ops"], optional, fresh)]
async fn admin() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// Refresh tokens carry the application's claims, so roles may be checked.
#[jwt_required(refresh, roles = ["admin"])]
async fn refresh() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[jwt_required(refresh = false, scopes = ["https://api.example.com/x!#$%&'()*+,-./:;<=>?@[]^_`{|}~"])]
async fn odd_scope() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = App::new()
        .route("/read", web::get().to(read))
        .route("/write", web::post().to(write))
        .route("/admin", web::get().to(admin))
        .route("/refresh", web::post().to(refresh))
        .route("/odd", web::get().to(odd_scope));
}
