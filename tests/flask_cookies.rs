//! The `Set-Cookie` headers of flask-jwt-extended 4.7.4
//! (`fixtures/flask/cookies.json`) reproduced by the cookie setters, and a
//! cookie set by flask accepted here with its CSRF value.

use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::{DateTime, TimeDelta, Utc};
use jwt_ext::{CookieOptions, JwtManager, JwtManagerBuilder, get_jwt_identity, jwt_required};
use jwt_ext_tests::{builder_from_flask_config, fixture_json};
use serde_json::{Map, Value, json};

/// Configurations flask accepts and jwt-ext refuses at start-up.
fn refused_config(name: &str) -> Option<&'static str> {
    Some(match name {
        // Browsers drop SameSite=None cookies without Secure.
        "samesite_none_set_access" => {
            "JWT_COOKIE_SAMESITE = \"None\" requires JWT_COOKIE_SECURE = true"
        }
        // Werkzeug silently drops the port of a cookie domain.
        "domain_with_port_set_access" => "JWT_COOKIE_DOMAIN",
        _ => return None,
    })
}

fn options(call: &Map<String, Value>) -> CookieOptions {
    let mut options = CookieOptions::new();
    if let Some(max_age) = call.get("max_age").and_then(Value::as_i64) {
        options = options.max_age(TimeDelta::seconds(max_age));
    }
    if let Some(domain) = call.get("domain").and_then(Value::as_str) {
        options = options.domain(domain);
    }
    options
}

fn set_cookie_headers(response: &HttpResponse) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Splits off the `Expires` attribute, which depends on the clock.
fn without_expires(line: &str) -> (String, Option<DateTime<Utc>>) {
    let mut expires = None;
    let kept: Vec<&str> = line
        .split("; ")
        .filter(|attribute| match attribute.strip_prefix("Expires=") {
            Some(date) => {
                expires = Some(
                    DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
                        .unwrap()
                        .to_utc(),
                );
                false
            }
            None => true,
        })
        .collect();
    (kept.join("; "), expires)
}

fn call_setter(
    jwt: &JwtManager,
    call: &Map<String, Value>,
    response: &mut HttpResponse,
) -> Result<(), jwt_ext::JwtError> {
    let token = call
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let options = options(call);
    match call["fn"].as_str().unwrap() {
        "set_access_cookies" => jwt.set_access_cookies_with(response, token, &options),
        "set_refresh_cookies" => jwt.set_refresh_cookies_with(response, token, &options),
        "unset_jwt_cookies" => {
            jwt.unset_jwt_cookies_with(response, &options);
            Ok(())
        }
        "unset_access_cookies" => {
            jwt.unset_access_cookies_with(response, &options);
            Ok(())
        }
        "unset_refresh_cookies" => {
            jwt.unset_refresh_cookies_with(response, &options);
            Ok(())
        }
        other => panic!("unknown cookie function {other}"),
    }
}

#[actix_web::test]
async fn set_cookie_headers_match_flask() {
    let cases = fixture_json("flask/cookies.json");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let built = builder_from_flask_config(case["config"].as_object().unwrap())
            .and_then(JwtManagerBuilder::build);
        let jwt = match (built, refused_config(name)) {
            (Ok(jwt), None) => jwt,
            (Err(err), Some(expected)) if err.message().starts_with(expected) => continue,
            (Err(err), _) => {
                failures.push(format!("{name}: refused: {err}"));
                continue;
            }
            (Ok(_), Some(_)) => {
                failures.push(format!("{name}: should be refused at start-up"));
                continue;
            }
        };
        let call = case["call"].as_object().unwrap();
        let mut response = HttpResponse::Ok().finish();
        let before = Utc::now();
        if let Err(err) = call_setter(&jwt, call, &mut response) {
            failures.push(format!("{name}: {err}"));
            continue;
        }
        let ours = set_cookie_headers(&response);
        let theirs: Vec<String> = case["set_cookie"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        if ours.len() != theirs.len() {
            failures.push(format!(
                "{name}: {} cookies, flask {}:\n  {ours:?}\n  {theirs:?}",
                ours.len(),
                theirs.len()
            ));
            continue;
        }
        let generated_at =
            DateTime::from_timestamp(case["generated_at"].as_i64().unwrap(), 0).unwrap();
        for (our_line, their_line) in ours.iter().zip(&theirs) {
            let (our_rest, our_expires) = without_expires(our_line);
            let (their_rest, their_expires) = without_expires(their_line);
            if our_rest != their_rest {
                failures.push(format!("{name}:\n  ours  {our_line}\n  flask {their_line}"));
            }
            match (our_expires, their_expires) {
                (None, None) => {}
                // Unset cookies expire at the epoch in both.
                (Some(ours), Some(theirs)) if theirs == DateTime::UNIX_EPOCH => {
                    if ours != theirs {
                        failures.push(format!("{name}: Expires {ours}, flask {theirs}"));
                    }
                }
                // Otherwise the same lifetime from the moment of the call.
                (Some(ours), Some(theirs)) => {
                    let drift = (ours - before) - (theirs - generated_at);
                    if drift.num_seconds().abs() > 2 {
                        failures.push(format!(
                            "{name}: Expires {ours}, flask {theirs} (drift {drift})"
                        ));
                    }
                }
                (ours, theirs) => {
                    failures.push(format!("{name}: Expires {ours:?}, flask {theirs:?}"))
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cookie differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[jwt_required]
async fn protected(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req).unwrap() }))
}

#[actix_web::test]
async fn a_cookie_set_by_flask_is_accepted_with_its_csrf_value() {
    let cases = fixture_json("flask/cookies.json");
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "default_set_access")
        .unwrap()
        .clone();
    let jwt = builder_from_flask_config(&Map::new())
        .unwrap()
        .token_location([jwt_ext::TokenLocation::Cookies])
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt)
            .route("/protected", web::route().to(protected)),
    )
    .await;
    // The browser sends back the cookies flask set; its script copies the
    // CSRF cookie into the header.
    let cookie_header: Vec<&str> = case["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().split(';').next().unwrap())
        .collect();
    let csrf = case["csrf"].as_str().unwrap();
    let post = |csrf: Option<&str>| {
        let mut req = test::TestRequest::post()
            .uri("/protected")
            .insert_header(("Cookie", cookie_header.join("; ")));
        if let Some(csrf) = csrf {
            req = req.insert_header(("X-CSRF-TOKEN", csrf.to_owned()));
        }
        req.to_request()
    };
    let resp = test::call_service(&app, post(Some(csrf))).await;
    assert_eq!(resp.status(), 200);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body, json!({ "identity": "alice" }));
    // The CSRF cookie alone is no proof.
    let resp = test::call_service(&app, post(None)).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"Missing CSRF token\"}\n"
    );
    let resp = test::call_service(&app, post(Some("not-the-csrf-value"))).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        test::read_body(resp).await,
        "{\"msg\":\"CSRF double submit tokens do not match\"}\n"
    );
}
