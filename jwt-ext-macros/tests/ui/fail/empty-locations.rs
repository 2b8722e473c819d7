use jwt_ext::jwt_required;

#[jwt_required(locations = [])]
async fn index() {}

fn main() {
    let _ = index;
}
