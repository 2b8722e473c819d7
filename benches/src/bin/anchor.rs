//! The anchor of the load test: the `simple` example written by hand with
//! actix-web and jsonwebtoken, without jwt-ext. Same routes, same answers
//! on the success path, same secret, same port variable, same worker count
//! (actix's default: one per core it may run on).
//!
//! It decodes tokens into a struct of the claims it reads (`sub`, `type`),
//! as jsonwebtoken's README does; `CLAIMS=value` makes it decode them into
//! a `serde_json::Value` instead, the second row of `scripts/load`.
//!
//! ```text
//! PORT=5001 cargo run --release -p jwt-ext-benches --bin anchor
//! PORT=5002 CLAIMS=value cargo run --release -p jwt-ext-benches --bin anchor
//!
//! $ curl -s -X POST http://127.0.0.1:5001/login \
//!     -H 'Content-Type: application/json' -d '{"username": "test", "password": "test"}'
//! {"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9..."}
//!
//! $ curl -s http://127.0.0.1:5001/protected -H "Authorization: Bearer $TOKEN"
//! {"logged_in_as":"test"}
//! ```
//!
//! `scripts/load` runs it beside the `simple` example under `wrk`.

use actix_web::{App, HttpServer, web};
use jsonwebtoken::Algorithm;
use jwt_ext_benches::raw::{self, ClaimsShape, RawKeys};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // The simple example's secret.
    let keys = web::Data::new(RawKeys::hmac(Algorithm::HS256, b"super-secret"));
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    let shape = ClaimsShape::from_env();
    println!("listening on http://127.0.0.1:{port}, claims decoded as {shape:?}");
    HttpServer::new(move || {
        App::new()
            .app_data(keys.clone())
            .configure(raw::simple_routes(shape))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
