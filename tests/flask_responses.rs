//! Replays the answers of a real flask-jwt-extended 4.7.4 app
//! (`fixtures/flask/responses.json`, made by `make_fixtures.py generate`)
//! against actix Apps, once through `#[jwt_required]` handlers and once
//! through `verify_jwt_in_request_with_payload`, and requires the same
//! status and body.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, test, web};
use jwt_ext::{
    JwtError, JwtErrorKind, JwtManagerBuilder, TokenLocation, VerifyOptions, get_jwt,
    get_jwt_identity, get_jwt_request_location, jwt_required, verify_jwt_in_request_with_payload,
};
use jwt_ext_tests::{SECRET, builder_from_flask_config, fixture_json, forge_hs256, now};
use serde_json::{Value, json};

/// The flask view: identity, location and claims; "not-verified" when the
/// getters refuse (flask's answer to OPTIONS, which it exempts).
fn view(req: &HttpRequest) -> HttpResponse {
    match get_jwt(req) {
        Ok(claims) => HttpResponse::Ok().json(json!({
            "claims": claims,
            "identity": get_jwt_identity(req).unwrap(),
            "location": get_jwt_request_location(req),
        })),
        Err(e) if e.kind() == JwtErrorKind::NotVerified => {
            HttpResponse::Ok().json(json!({ "identity": "not-verified" }))
        }
        Err(e) => panic!("unexpected getter error {e}"),
    }
}

#[jwt_required]
async fn plain(req: HttpRequest) -> HttpResponse {
    view(&req)
}

#[jwt_required(optional)]
async fn optional(req: HttpRequest) -> HttpResponse {
    view(&req)
}

#[jwt_required(fresh)]
async fn fresh(req: HttpRequest) -> HttpResponse {
    view(&req)
}

#[jwt_required(refresh)]
async fn refresh(req: HttpRequest) -> HttpResponse {
    view(&req)
}

#[jwt_required(verify_type = false)]
async fn any_type(req: HttpRequest) -> HttpResponse {
    view(&req)
}

/// The same view behind `verify_jwt_in_request_with_payload`, with the
/// case's options (locations included) from app data.
async fn runtime(req: HttpRequest, _: RuntimeGuard) -> HttpResponse {
    view(&req)
}

/// Runs the runtime pipeline with the case's options, body included.
struct RuntimeGuard;

impl FromRequest for RuntimeGuard {
    type Error = JwtError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, JwtError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let options = req
            .app_data::<VerifyOptions>()
            .cloned()
            .expect("case options");
        let verification = verify_jwt_in_request_with_payload(req, payload, options);
        Box::pin(async move { verification.await.map(|_| RuntimeGuard) })
    }
}

#[derive(serde::Deserialize, Clone, Debug)]
struct RouteOptions {
    optional: bool,
    fresh: bool,
    refresh: bool,
    verify_type: bool,
    #[serde(default)]
    locations: Option<Vec<String>>,
}

impl RouteOptions {
    fn verify_options(&self) -> VerifyOptions {
        let mut options = VerifyOptions::new()
            .optional(self.optional)
            .fresh(self.fresh)
            .refresh(self.refresh)
            .verify_type(self.verify_type);
        if let Some(locations) = &self.locations {
            options = options.locations(
                locations
                    .iter()
                    .map(|name| TokenLocation::from_name(name).expect("flask location")),
            );
        }
        options
    }
}

/// Configurations flask accepts and jwt-ext refuses at start-up, with the
/// start of the message.
fn refused_config(name: &str) -> Option<&'static str> {
    Some(match name {
        "multi_duplicate_location_nothing" => "JWT_TOKEN_LOCATION lists \"headers\" twice",
        _ => return None,
    })
}

/// Where jwt-ext deliberately answers differently, and what it answers.
/// Each is listed in the crate docs ("Where jwt-ext is stricter").
fn deviation(name: &str) -> Option<(u16, &'static str)> {
    Some(match name {
        // flask crashes (500) on a header of blanks and commas.
        "header_only_spaces_and_commas" => (
            401,
            "{\"msg\":\"Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'\"}\n",
        ),
        // PyJWT accepts correct `=` padding; base64url here is unpadded only.
        "payload_correct_padding" => (422, "{\"msg\":\"Invalid payload padding\"}\n"),
        // PyJWT applies int() to NumericDates, accepting digit strings.
        "iat_string_digit" => (
            422,
            "{\"msg\":\"Issued At claim (iat) must be an integer.\"}\n",
        ),
        "nbf_string_digit" => (
            422,
            "{\"msg\":\"Not Before claim (nbf) must be an integer.\"}\n",
        ),
        "exp_string_digits" => (
            422,
            "{\"msg\":\"Expiration Time claim (exp) must be an integer.\"}\n",
        ),
        // flask crashes (500) on a truthy JSON body that is not an object.
        "json_list_body" | "json_string_body" | "json_number_body" => (
            401,
            "{\"msg\":\"Missing \\\"access_token\\\" key in json data.\"}\n",
        ),
        // flask crashes (500) comparing a string `fresh` with a timestamp.
        "fresh_route_fresh_string" => (401, "{\"msg\":\"Fresh token required\"}\n"),
        // flask exempts OPTIONS from verification (`JWT_EXEMPT_METHODS`), so a
        // view that lists OPTIONS runs unauthenticated; jwt-ext verifies it.
        "options_no_token" | "options_no_token_fresh_refresh_route" => {
            (401, "{\"msg\":\"Missing Authorization Header\"}\n")
        }
        "options_cookie_config_no_cookie" => (
            401,
            "{\"msg\":\"Missing cookie \\\"access_token_cookie\\\"\"}\n",
        ),
        _ => return None,
    })
}

/// The request of a case, with tokens that depend on the time re-minted now.
fn request_for(case: &Value, path: &str) -> (test::TestRequest, Option<i64>) {
    let method = Method::from_bytes(case["method"].as_str().unwrap().as_bytes()).unwrap();
    let uri = match case["query"].as_str() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut req = test::TestRequest::default().method(method).uri(&uri);
    if let Some(cookies) = case["cookies"].as_object() {
        let header: Vec<String> = cookies
            .iter()
            .map(|(name, value)| format!("{name}={}", value.as_str().unwrap()))
            .collect();
        req = req.insert_header(("Cookie", header.join("; ")));
    }
    if let Some(body) = case["request_body"].as_str() {
        req = req.set_payload(body.to_owned());
    }
    let mut exp = None;
    for (name, value) in case["headers"].as_object().unwrap() {
        let mut value = value.as_str().unwrap().to_owned();
        if case["time_relative"] == true {
            let offset = match case["name"].as_str().unwrap() {
                "expired_within_leeway" => -10,
                "expired_beyond_leeway" => -40,
                other => panic!("unknown time-relative case {other}"),
            };
            let at = now() + offset;
            exp = Some(at);
            let token = forge_hs256(
                r#"{"alg":"HS256","typ":"JWT"}"#,
                &format!(r#"{{"sub":"alice","exp":{at}}}"#),
                SECRET,
            );
            value = format!("Bearer {token}");
        }
        // Header values are bytes (the NBSP case sends Latin-1 0xA0).
        let bytes: Vec<u8> = value
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 header"))
            .collect();
        req = req.insert_header((
            name.as_str(),
            actix_web::http::header::HeaderValue::from_bytes(&bytes).unwrap(),
        ));
    }
    (req, exp)
}

fn macro_path(route: &RouteOptions) -> Option<&'static str> {
    if route.locations.is_some() {
        // Per-route locations are compile-time in the macro; runtime only.
        return None;
    }
    Some(
        match (
            route.optional,
            route.fresh,
            route.refresh,
            route.verify_type,
        ) {
            (false, false, false, true) => "/plain",
            (true, false, false, true) => "/optional",
            (false, true, false, true) => "/fresh",
            (false, false, true, true) => "/refresh",
            (false, false, false, false) => "/any_type",
            // fresh + refresh is a compile error for the macro; runtime only.
            _ => return None,
        },
    )
}

async fn check(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    case: &Value,
    path: &str,
) -> Result<(), String> {
    let name = case["name"].as_str().unwrap();
    let (req, exp) = request_for(case, path);
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    let (want_status, want_body) = match deviation(name) {
        Some((status, body)) => (status, body.to_owned()),
        None => (
            case["status"].as_u64().unwrap() as u16,
            case["body"].as_str().unwrap().to_owned(),
        ),
    };
    if status != want_status {
        return Err(format!(
            "{name} via {path}: status {status}, flask {want_status}; body {body}"
        ));
    }
    if content_type.as_deref() != Some("application/json") {
        return Err(format!("{name} via {path}: content-type {content_type:?}"));
    }
    let same = if status == 200 {
        // The view's own body: compare as JSON (key order is the view's business).
        let mut want: Value = serde_json::from_str(&want_body).unwrap();
        if let Some(exp) = exp {
            want["claims"]["exp"] = exp.into();
        }
        serde_json::from_str::<Value>(&body).unwrap() == want
    } else {
        body == want_body
    };
    if same {
        Ok(())
    } else {
        Err(format!(
            "{name} via {path}: body {body:?}, flask {want_body:?}"
        ))
    }
}

#[actix_web::test]
async fn every_flask_answer_is_reproduced() {
    let cases = fixture_json("flask/responses.json");
    let cases = cases.as_array().unwrap();
    assert!(
        cases.len() >= 100,
        "the fixture should hold the whole catalogue"
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let config = case["config"].as_object().unwrap();
        let manager = match builder_from_flask_config(config).and_then(JwtManagerBuilder::build) {
            Ok(manager) => manager,
            Err(err) => {
                match refused_config(name) {
                    Some(expected) if err.message().starts_with(expected) => {}
                    _ => failures.push(format!("{name}: configuration refused: {err}")),
                }
                continue;
            }
        };
        if refused_config(name).is_some() {
            failures.push(format!(
                "{name}: configuration should be refused at start-up"
            ));
        }
        let route: RouteOptions = serde_json::from_value(case["route"].clone()).unwrap();
        let app = test::init_service(
            App::new()
                .app_data(manager)
                .app_data(route.verify_options())
                .route("/plain", web::route().to(plain))
                .route("/optional", web::route().to(optional))
                .route("/fresh", web::route().to(fresh))
                .route("/refresh", web::route().to(refresh))
                .route("/any_type", web::route().to(any_type))
                .route("/runtime", web::route().to(runtime)),
        )
        .await;
        let mut paths: Vec<&str> = vec!["/runtime"];
        paths.extend(macro_path(&route));
        for path in paths {
            checked += 1;
            if let Err(failure) = check(&app, case, path).await {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} answers differ from flask:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
