use jwt_ext::{TokenLocation, jwt_required};

#[jwt_required(locations = [TokenLocation::Headers])]
async fn variant_in_list() {}

#[jwt_required(locations = headers)]
async fn bare_name() {}

fn main() {
    let _ = (variant_in_list, bare_name, TokenLocation::Headers);
}
