use jwt_ext::jwt_required;

#[jwt_required(scopes = ["read:messages", "write:messages", "read:messages"])]
async fn index() {}

fn main() {
    let _ = index;
}
