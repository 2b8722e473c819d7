use jwt_ext::jwt_required;

#[jwt_required]
const fn index() -> &'static str {
    "hello"
}

fn main() {
    let _ = index;
}
