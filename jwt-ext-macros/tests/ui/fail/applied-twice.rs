use jwt_ext::jwt_required;

#[jwt_required(fresh)]
#[jwt_required(optional)]
async fn index() {}

fn main() {
    let _ = index;
}
