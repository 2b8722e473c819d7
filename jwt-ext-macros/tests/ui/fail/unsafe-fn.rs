use jwt_ext::jwt_required;

#[jwt_required]
async unsafe fn index() -> &'static str {
    "hello"
}

fn main() {
    let _ = index;
}
