use jwt_ext::jwt_required;

#[jwt_required]
struct Handler;

fn main() {
    let _ = Handler;
}
