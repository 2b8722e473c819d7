use jwt_ext::jwt_required;

#[jwt_required(roles = ["admin", "admin"])]
async fn index() {}

fn main() {
    let _ = index;
}
