use jwt_ext::jwt_required;

#[jwt_required(fresh = "yes")]
async fn string() {}

#[jwt_required(optional = 1)]
async fn number() {}

#[jwt_required(verify_type = False)]
async fn python_bool() {}

fn main() {
    let _ = (string, number, python_bool);
}
