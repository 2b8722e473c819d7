//! Each of flask-jwt-extended's four token locations as a route's
//! `locations`, and all four in one list; run, each route finds the token
//! where it says, and only there (the manager is configured for headers only).
#![deny(warnings)]

use actix_web::{App, HttpRequest, HttpResponse, test, web};
use jwt_ext::{JwtManager, get_jwt_request_location, jwt_required};

/// Answers the location the token was found in.
fn found_in(req: &HttpRequest) -> HttpResponse {
    let location = get_jwt_request_location(req).map_or("none", |location| location.as_str());
    HttpResponse::Ok().body(location)
}

#[jwt_required(locations = "headers")]
async fn headers(req: HttpRequest) -> HttpResponse {
    found_in(&req)
}

#[jwt_required(locations = "cookies")]
async fn cookies(req: HttpRequest) -> HttpResponse {
    found_in(&req)
}

#[jwt_required(locations = "query_string")]
async fn query_string(req: HttpRequest) -> HttpResponse {
    found_in(&req)
}

#[jwt_required(locations = "json")]
async fn json(req: HttpRequest) -> HttpResponse {
    found_in(&req)
}

#[jwt_required(locations = ["json", "query_string", "cookies", "headers"])]
async fn anywhere(req: HttpRequest) -> HttpResponse {
    found_in(&req)
}

fn main() {
    actix_web::rt::System::new().block_on(async {
        let jwt = JwtManager::builder()
            .secret_key("a test secret of thirty-two bytes or more")
            .build()
            .expect("valid JWT configuration");
        let token = jwt.create_access_token("alice").expect("a token");
        let app = test::init_service(
            App::new()
                .app_data(jwt)
                .route("/headers", web::to(headers))
                .route("/cookies", web::to(cookies))
                .route("/query_string", web::to(query_string))
                .route("/json", web::to(json))
                .route("/anywhere", web::to(anywhere)),
        )
        .await;

        // The token in one location: a GET (a cookie on a POST would need
        // its CSRF value), a POST for the JSON body.
        let in_location = |location: &str, path: &str| {
            match location {
                "headers" => test::TestRequest::get()
                    .uri(path)
                    .insert_header(("Authorization", format!("Bearer {token}"))),
                "cookies" => test::TestRequest::get()
                    .uri(path)
                    .insert_header(("Cookie", format!("access_token_cookie={token}"))),
                "query_string" => test::TestRequest::get().uri(&format!("{path}?jwt={token}")),
                "json" => test::TestRequest::post()
                    .uri(path)
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload(format!(r#"{{"access_token":"{token}"}}"#)),
                other => unreachable!("{other}"),
            }
            .to_request()
        };

        let every = ["headers", "cookies", "query_string", "json"];
        for route in every {
            for sent in every {
                let path = format!("/{route}");
                let resp = test::call_service(&app, in_location(sent, &path)).await;
                let expected = if sent == route { 200 } else { 401 };
                assert_eq!(resp.status(), expected, "token in {sent} on {path}");
            }
        }
        for sent in every {
            let req = in_location(sent, "/anywhere");
            let body = test::call_and_read_body(&app, req).await;
            assert_eq!(body, sent, "token in {sent} on /anywhere");
        }
    });
}
