//! The OpenID Provider harness (`support/oidc.rs`) itself: its tokens are
//! the RFC 9068 JWTs the provider tests rely on, and rotation, JWKS hit
//! counts, a doctored JWKS and a restart do what they say. Tokens are
//! decoded here, not verified: verifying them is jwt-ext's job.

use std::net::{Ipv4Addr, TcpStream};

use jwt_ext_tests::http;
use jwt_ext_tests::oidc::{CLIENT_ID, OidcProvider};
use jwt_ext_tests::{now, segment_json};
use serde_json::{Value, json};

const AUDIENCE: &str = "https://api.example.test";

fn header(token: &str) -> Value {
    serde_json::from_str(&segment_json(token, 0)).expect("JSON header")
}

fn claims(token: &str) -> Value {
    serde_json::from_str(&segment_json(token, 1)).expect("JSON payload")
}

fn published_kids(provider: &OidcProvider) -> Vec<String> {
    provider.jwks()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid").to_owned())
        .collect()
}

#[test]
fn a_token_is_an_rfc9068_jwt_from_the_discovered_issuer() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let discovery = http::request(
        provider.port(),
        "GET",
        "/.well-known/openid-configuration",
        &[],
        None,
    )
    .json();
    assert_eq!(discovery["issuer"], provider.issuer());
    assert_eq!(discovery["jwks_uri"], provider.jwks_uri());

    let token = provider.token(&["read:messages", "write:messages"]);
    let header = header(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().expect("kid");
    assert_eq!(published_kids(&provider), [kid]);

    let claims = claims(&token);
    assert_eq!(claims["iss"], provider.issuer());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["scope"], "read:messages write:messages");
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!((iat - now()).abs() <= 5, "iat {iat} is not now");
    assert_eq!(exp - iat, 600);
}

#[test]
fn scopes_audience_and_lifetime_are_the_tests_choice() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let unscoped = claims(&provider.token(&[]));
    assert_eq!(unscoped.get("scope"), None, "{unscoped}");

    let other = claims(&provider.token_for_audience("https://other.example.test", &["read"]));
    assert_eq!(
        (&other["aud"], &other["scope"]),
        (&json!("https://other.example.test"), &json!("read"))
    );

    let short = claims(&provider.token_with_ttl(&["read:messages"], 2));
    assert_eq!(
        short["exp"].as_i64().unwrap() - short["iat"].as_i64().unwrap(),
        2
    );
}

#[test]
fn es256_keys_sign_when_asked_for() {
    let Some(provider) = OidcProvider::start_with_alg(AUDIENCE, "ES256") else {
        return;
    };
    let header = header(&provider.token(&[]));
    assert_eq!(header["alg"], "ES256");
    let jwks = provider.jwks();
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(jwks["keys"][0]["kty"], "EC");
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
}

#[test]
fn rotation_signs_with_a_new_kid_and_keeps_or_drops_the_old_key() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let first = header(&provider.token(&[]))["kid"].clone();

    let second = provider.rotate(false);
    assert_ne!(json!(second), first);
    assert_eq!(header(&provider.token(&[]))["kid"], second);
    assert_eq!(published_kids(&provider), [json!(second), first.clone()]);

    let third = provider.rotate_to("ES256", true);
    let token = provider.token(&[]);
    assert_eq!(
        (&header(&token)["kid"], &header(&token)["alg"]),
        (&json!(third), &json!("ES256"))
    );
    assert_eq!(published_kids(&provider), [third]);
}

#[test]
fn jwks_hits_are_counted_and_an_override_is_served_instead() {
    let Some(provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    assert_eq!(provider.jwks_hits(), 0);
    let real = provider.jwks();
    provider.jwks();
    assert_eq!(provider.jwks_hits(), 2);

    let doctored = json!({ "keys": [{ "kty": "oct", "kid": "k", "k": "c2VjcmV0" }] });
    provider.override_jwks(&doctored);
    assert_eq!(provider.jwks(), doctored);
    provider.override_jwks_text("not json");
    let response = http::request(provider.port(), "GET", "/jwks", &[], None);
    assert_eq!(response.body, "not json");
    assert_eq!(
        response.header("content-type"),
        Some("application/jwk-set+json; charset=utf-8")
    );
    assert_eq!(provider.jwks_hits(), 4);
    // Tokens are still signed with the real key meanwhile.
    assert_eq!(header(&provider.token(&[]))["kid"], real["keys"][0]["kid"]);

    provider.clear_override();
    assert_eq!(provider.jwks(), real);
    assert_eq!(provider.jwks_hits(), 5);
}

#[test]
fn stop_and_restart_keep_the_port_and_the_keys() {
    let Some(mut provider) = OidcProvider::start(AUDIENCE) else {
        return;
    };
    let issuer = provider.issuer();
    provider.rotate(false);
    let kids = published_kids(&provider);

    provider.stop();
    assert!(
        TcpStream::connect((Ipv4Addr::LOCALHOST, provider.port())).is_err(),
        "a stopped provider still accepts connections"
    );

    provider.restart();
    assert_eq!(provider.issuer(), issuer);
    assert_eq!(published_kids(&provider), kids);
    assert_eq!(header(&provider.token(&[]))["kid"], json!(kids[0]));
    assert_eq!(claims(&provider.token(&[]))["iss"], issuer);
}
