use actix_web::{HttpRequest, HttpResponse};
use jwt_ext::jwt_required;

#[jwt_required]
async fn index(
    _: HttpRequest, _: HttpRequest, _: HttpRequest, _: HttpRequest,
    _: HttpRequest, _: HttpRequest, _: HttpRequest, _: HttpRequest,
    _: HttpRequest, _: HttpRequest, _: HttpRequest, _: HttpRequest,
    _: HttpRequest, _: HttpRequest, _: HttpRequest, _: HttpRequest,
) -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _ = index;
}
