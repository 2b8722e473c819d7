use actix_web::HttpResponse;
use jwt_ext::jwt_required;

struct Handlers;

impl Handlers {
    #[jwt_required]
    async fn index(&self) -> HttpResponse {
        HttpResponse::Ok().finish()
    }
}

fn main() {
    let _ = Handlers::index;
}
