use jwt_ext::jwt_required;

#[jwt_required(fresh, refresh)]
async fn fresh_first() {}

#[jwt_required(refresh = true, optional, fresh = true)]
async fn refresh_first() {}

fn main() {
    let _ = (fresh_first, refresh_first);
}
