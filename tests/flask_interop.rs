//! Token interoperability with flask-jwt-extended 4.7.4, both ways:
//! tokens minted by flask (`fixtures/flask/tokens.json`) verify here with
//! the expected claims, tokens minted here have flask's exact bytes (up to
//! the random and clock-dependent values) and, when the pinned Python
//! packages are installed, verify under flask-jwt-extended itself.

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{DecodeOptions, Expiry, JwtErrorKind, JwtManager, get_jwt_identity, jwt_required};
use jwt_ext_tests::http::spawning;
use jwt_ext_tests::{
    SECRET, fixture_json, fixtures_dir, key_order, manager_from_flask_config, python, segment_json,
};
use serde_json::{Map, Value, json};

fn tokens() -> Vec<Value> {
    fixture_json("flask/tokens.json")["tokens"]
        .as_array()
        .unwrap()
        .clone()
}

fn manager_for(fixture: &Value) -> JwtManager {
    manager_from_flask_config(fixture["config"].as_object().unwrap())
}

fn parse_object(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap()
}

#[jwt_required]
async fn access_route(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req).unwrap() }))
}

#[jwt_required(refresh)]
async fn refresh_route(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "identity": get_jwt_identity(&req).unwrap() }))
}

#[actix_web::test]
async fn flask_tokens_verify_with_their_claims() {
    let fixtures = tokens();
    assert!(fixtures.len() >= 15);
    for fixture in &fixtures {
        let name = fixture["name"].as_str().unwrap();
        let jwt = manager_for(fixture);
        let token = fixture["token"].as_str().unwrap();
        let header = parse_object(fixture["header_json"].as_str().unwrap());
        let payload = parse_object(fixture["payload_json"].as_str().unwrap());
        let identity_claim = fixture["config"]["JWT_IDENTITY_CLAIM"]
            .as_str()
            .unwrap_or("sub");

        if fixture["expect"] == "expired" {
            let err = jwt.decode_token(token).unwrap_err();
            assert_eq!(err.kind(), JwtErrorKind::Expired, "{name}");
            assert_eq!(
                err.jwt_claims(),
                Some(&payload),
                "{name}: expired tokens keep their claims"
            );
            let decoded = jwt
                .decode_token_with(token, DecodeOptions::default().allow_expired(true))
                .unwrap();
            assert_eq!(decoded.claims(), &payload, "{name}");
            continue;
        }

        let decoded = jwt
            .decode_token(token)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.header(), &header, "{name}");
        assert_eq!(decoded.claims(), &payload, "{name}");
        assert_eq!(decoded.identity(), &payload[identity_claim], "{name}");

        let app = test::init_service(
            App::new()
                .app_data(jwt.clone())
                .route("/access", web::get().to(access_route))
                .route("/refresh", web::get().to(refresh_route)),
        )
        .await;
        let path = if fixture["kind"] == "refresh" {
            "/refresh"
        } else {
            "/access"
        };
        let req = test::TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let resp = test::call_service(&app, req).await;
        assert_eq!(resp.status(), 200, "{name}");
        let body: Value = test::read_body_json(resp).await;
        assert_eq!(body["identity"], payload[identity_claim], "{name}");
    }
}

/// The call of flask's fixture script, in jwt-ext terms.
fn mint_like_flask(jwt: &JwtManager, name: &str) -> String {
    let far = TimeDelta::days(21900);
    let minted = match name {
        "hs256_access_no_exp" | "rs256_access_no_exp" => {
            jwt.access_token("alice").expires(Expiry::Never).encode()
        }
        "hs256_refresh" | "rs256_refresh" => jwt.refresh_token("alice").expires(far).encode(),
        "hs256_access_fresh_true" => jwt.access_token("alice").fresh(true).expires(far).encode(),
        "hs256_access_fresh_timestamp" => {
            jwt.access_token("alice").fresh(far).expires(far).encode()
        }
        "hs256_access_additional" => jwt
            .access_token("alice")
            .expires(far)
            .claims(json!({ "roles": ["admin"], "n": 5, "nested": { "a": [1, 2] } }))
            .headers(json!({ "kid": "k1" }))
            .encode(),
        "hs256_access_int_identity" => jwt.access_token(42).expires(far).encode(),
        "hs256_access_non_ascii_identity" => jwt.access_token("é☃").expires(far).encode(),
        "hs256_access_expired" => jwt
            .access_token("alice")
            .expires(TimeDelta::seconds(-10))
            .encode(),
        _ => jwt.access_token("alice").expires(far).encode(),
    };
    minted.unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Replaces the value of each random or clock-dependent claim by `*`.
fn mask_volatile(payload_json: &str) -> String {
    let mut out = payload_json.to_owned();
    for claim in ["iat", "nbf", "exp", "jti", "csrf", "fresh"] {
        let marker = format!("\"{claim}\":");
        if let Some(start) = out.find(&marker).map(|i| i + marker.len()) {
            let end = start + out[start..].find([',', '}']).unwrap();
            let value = &out[start..end];
            // `fresh` is stable unless it is a timestamp.
            if claim != "fresh" || value.starts_with(|c: char| c.is_ascii_digit()) {
                out.replace_range(start..end, "*");
            }
        }
    }
    out
}

#[actix_web::test]
async fn tokens_minted_here_have_flask_bytes() {
    for fixture in tokens() {
        let name = fixture["name"].as_str().unwrap();
        let jwt = manager_for(&fixture);
        let token = mint_like_flask(&jwt, name);
        let header = segment_json(&token, 0);
        let payload = segment_json(&token, 1);
        let flask_payload = fixture["payload_json"].as_str().unwrap();

        assert_eq!(
            header,
            fixture["header_json"].as_str().unwrap(),
            "{name}: header bytes"
        );
        assert_eq!(
            key_order(&payload),
            key_order(flask_payload),
            "{name}: claim order"
        );
        assert_eq!(
            mask_volatile(&payload),
            mask_volatile(flask_payload),
            "{name}: payload bytes"
        );

        // Clock-dependent values keep flask's relations.
        let ours = parse_object(&payload);
        let theirs = parse_object(flask_payload);
        let lifetime = |claims: &Map<String, Value>| {
            claims
                .get("exp")
                .map(|exp| exp.as_i64().unwrap() - claims["iat"].as_i64().unwrap())
        };
        assert_eq!(lifetime(&ours), lifetime(&theirs), "{name}: exp - iat");
        assert_eq!(
            ours.get("nbf").is_some(),
            theirs.get("nbf").is_some(),
            "{name}"
        );
        if let Some(nbf) = ours.get("nbf") {
            assert_eq!(nbf, &ours["iat"], "{name}: nbf = iat");
        }
        for claim in ["jti", "csrf"] {
            if let Some(value) = ours.get(claim) {
                let text = value.as_str().unwrap();
                assert_eq!(text.len(), 36, "{name}: {claim} is a uuid4");
                assert_eq!(&text[14..15], "4", "{name}: {claim} is a uuid4");
            }
        }
    }
}

#[actix_web::test]
async fn tokens_minted_here_verify_under_flask() {
    let Some(python) = python::oracle(
        "tokens_minted_here_verify_under_flask",
        "flask_jwt_extended",
        "flask_jwt_extended.__version__ == '4.7.4'",
    ) else {
        return;
    };
    let mut request = Vec::new();
    for fixture in tokens().into_iter().filter(|f| f["expect"] == "valid") {
        let name = fixture["name"].as_str().unwrap();
        let jwt = manager_for(&fixture);
        let token = mint_like_flask(&jwt, name);
        request.push(json!({
            "name": name,
            "algorithm": fixture["algorithm"],
            "token": token,
            "config": fixture["config"],
            "expect_payload": serde_json::from_str::<Value>(&segment_json(&token, 1)).unwrap(),
        }));
    }
    let script = fixtures_dir().join("flask/make_fixtures.py");
    let mut child = {
        let _spawning = spawning();
        Command::new(python)
            .arg(script)
            .arg("verify")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the flask verifier")
    };
    let input = json!({ "secret": SECRET, "tokens": request }).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "flask-jwt-extended refused tokens minted here:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        request.len(),
        "{stdout}"
    );
}
