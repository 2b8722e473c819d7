use jwt_ext::jwt_required;

#[jwt_required(locations = ["headers", "headers"])]
async fn index() {}

fn main() {
    let _ = index;
}
