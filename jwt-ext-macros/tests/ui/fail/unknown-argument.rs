use jwt_ext::jwt_required;

#[jwt_required(fresh, foo)]
async fn unknown() {}

#[jwt_required(fresh = true, "optional")]
async fn not_a_name() {}

fn main() {
    let _ = (unknown, not_a_name);
}
