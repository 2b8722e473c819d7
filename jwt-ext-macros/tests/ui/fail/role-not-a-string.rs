use jwt_ext::jwt_required;

#[jwt_required(roles = [1])]
async fn index() {}

fn main() {
    let _ = index;
}
