use jwt_ext::jwt_required;

#[jwt_required(fresh, optional, fresh = false)]
async fn index() {}

fn main() {
    let _ = index;
}
