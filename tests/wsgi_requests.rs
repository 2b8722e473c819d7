//! Requests as a WSGI server hands them to flask: repeated headers joined
//! with `,`, the `Cookie` header parsed by Werkzeug's `parse_cookie` from its
//! Latin-1 text, values taken as sent.
//!
//! Every status and body below is what flask-jwt-extended 4.7.4 answered
//! behind `werkzeug.serving.run_simple` and `wsgiref.simple_server` (both
//! gave the same answers) to the same raw bytes sent over a socket, with the
//! same configuration and a token of the same secret.

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, Version};
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use jwt_ext::{
    JwtError, JwtManager, JwtManagerBuilder, TokenLocation, get_jwt_identity, jwt_required,
};
use serde_json::json;

const SECRET: &str = "wsgi-requests-secret-0123456789abcdef-0123";

/// Flask's 200 body, with its trailing newline.
async fn identity(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let body = format!("{}\n", json!({ "identity": get_jwt_identity(&req)? }));
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

#[jwt_required]
async fn protected(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    identity(req).await
}

#[jwt_required(refresh)]
async fn refresh(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    identity(req).await
}

/// One request: header fields in the order sent, values as raw bytes with
/// `{T}` (the access token), `{R}` (the refresh token), `{C}` (the access
/// token's `csrf` claim) and `{H}`, `{P}`, `{S}` (the access token's
/// segments) filled in; and flask's answer.
struct Row {
    what: &'static str,
    method: Method,
    path: &'static str,
    version: Version,
    headers: &'static [(&'static str, &'static [u8])],
    status: u16,
    body: &'static str,
}

const OK: &str = "{\"identity\":\"alice\"}\n";
const MISSING_BEARER: &str = "{\"msg\":\"Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'\"}\n";
const MISSING_COOKIE: &str = "{\"msg\":\"Missing cookie \\\"access_token_cookie\\\"\"}\n";
const CSRF_MISMATCH: &str = "{\"msg\":\"CSRF double submit tokens do not match\"}\n";
const NOT_ENOUGH_SEGMENTS: &str = "{\"msg\":\"Not enough segments\"}\n";
const BAD_PADDING: &str = "{\"msg\":\"Invalid crypto padding\"}\n";

fn get(
    what: &'static str,
    headers: &'static [(&'static str, &'static [u8])],
    status: u16,
    body: &'static str,
) -> Row {
    Row {
        what,
        method: Method::GET,
        path: "/protected",
        version: Version::HTTP_11,
        headers,
        status,
        body,
    }
}

fn post(
    what: &'static str,
    headers: &'static [(&'static str, &'static [u8])],
    status: u16,
    body: &'static str,
) -> Row {
    Row {
        method: Method::POST,
        ..get(what, headers, status, body)
    }
}

fn fill(template: &[u8], slots: &[(&str, &str)]) -> Vec<u8> {
    let mut out = template.to_vec();
    for (slot, value) in slots {
        let slot = slot.as_bytes();
        while let Some(at) = out.windows(slot.len()).position(|w| w == slot) {
            out.splice(at..at + slot.len(), value.bytes());
        }
    }
    out
}

/// Sends every row to an App of `builder` and compares the answers.
async fn replay(builder: JwtManagerBuilder, rows: &[Row]) {
    let jwt = builder.secret_key(SECRET).build().unwrap();
    let app = test::init_service(
        App::new()
            .app_data(jwt.clone())
            .route("/protected", web::get().to(protected))
            .route("/protected", web::post().to(protected))
            .route("/refresh", web::get().to(refresh)),
    )
    .await;
    let token = jwt.create_access_token("alice").unwrap();
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let csrf = jwt.get_csrf_token(&token).unwrap();
    let segments: Vec<&str> = token.split('.').collect();
    let slots = [
        ("{T}", token.as_str()),
        ("{R}", refresh_token.as_str()),
        ("{C}", csrf.as_str()),
        ("{H}", segments[0]),
        ("{P}", segments[1]),
        ("{S}", segments[2]),
    ];
    let mut failures = Vec::new();
    for row in rows {
        let mut req = test::TestRequest::default()
            .method(row.method.clone())
            .uri(row.path)
            .version(row.version);
        for (name, value) in row.headers {
            let value = HeaderValue::from_bytes(&fill(value, &slots)).unwrap();
            req = req.append_header((*name, value));
        }
        let resp = test::call_service(&app, req.to_request()).await;
        let status = resp.status().as_u16();
        let body = test::read_body(resp).await;
        if status != row.status || body != row.body.as_bytes() {
            failures.push(format!(
                "{}: {status} {:?}, flask {} {:?}",
                row.what,
                String::from_utf8_lossy(&body),
                row.status,
                row.body
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn repeated_authorization_headers_are_joined_as_wsgi_servers_do() {
    let rows = [
        get("one header", &[("Authorization", b"Bearer {T}")], 200, OK),
        get(
            "Bearer T twice",
            &[
                ("Authorization", b"Bearer {T}"),
                ("Authorization", b"Bearer {T}"),
            ],
            401,
            MISSING_BEARER,
        ),
        get(
            "Bearer T then Bearer junk",
            &[
                ("Authorization", b"Bearer {T}"),
                ("Authorization", b"Bearer junk"),
            ],
            401,
            MISSING_BEARER,
        ),
        get(
            "Basic then Bearer",
            &[
                ("Authorization", b"Basic xyz"),
                ("Authorization", b"Bearer {T}"),
            ],
            200,
            OK,
        ),
        get(
            "Bearer then Basic",
            &[
                ("Authorization", b"Bearer {T}"),
                ("Authorization", b"Basic xyz"),
            ],
            200,
            OK,
        ),
        get(
            "empty then Bearer",
            &[("Authorization", b""), ("Authorization", b"Bearer {T}")],
            200,
            OK,
        ),
        get(
            "Bearer then empty",
            &[("Authorization", b"Bearer {T}"), ("Authorization", b"")],
            200,
            OK,
        ),
        get(
            "empty twice",
            &[("Authorization", b""), ("Authorization", b"")],
            401,
            "{\"msg\":\"Missing Authorization Header\"}\n",
        ),
        get(
            "the type and the token in two headers",
            &[("Authorization", b"Bearer"), ("Authorization", b"{T}")],
            422,
            "{\"msg\":\"Bad Authorization header. Expected 'Authorization: Bearer <JWT>'\"}\n",
        ),
    ];
    replay(JwtManager::builder(), &rows).await;
}

#[actix_web::test]
async fn a_custom_token_header_is_joined_too() {
    let missing = "{\"msg\":\"Missing 'Bearer' type in 'X-Token' header. Expected 'X-Token: Bearer <JWT>'\"}\n";
    let rows = [
        get("one header", &[("X-Token", b"Bearer {T}")], 200, OK),
        get(
            "Bearer T twice",
            &[("X-Token", b"Bearer {T}"), ("X-Token", b"Bearer {T}")],
            401,
            missing,
        ),
        get(
            "Bearer T then Bearer junk",
            &[("X-Token", b"Bearer {T}"), ("x-token", b"Bearer junk")],
            401,
            missing,
        ),
        get(
            "Basic then Bearer",
            &[("X-Token", b"Basic a"), ("X-Token", b"Bearer {T}")],
            200,
            OK,
        ),
        get(
            "empty twice",
            &[("X-Token", b""), ("X-Token", b"")],
            401,
            "{\"msg\":\"Missing X-Token Header\"}\n",
        ),
        get(
            "the Authorization header is not read",
            &[("Authorization", b"Bearer {T}")],
            401,
            "{\"msg\":\"Missing X-Token Header\"}\n",
        ),
    ];
    replay(JwtManager::builder().header_name("X-Token"), &rows).await;
}

#[actix_web::test]
async fn repeated_csrf_headers_are_joined_and_do_not_match() {
    const COOKIE: (&str, &[u8]) = ("Cookie", b"access_token_cookie={T}");
    let rows = [
        post("one header", &[COOKIE, ("X-CSRF-TOKEN", b"{C}")], 200, OK),
        post(
            "right then wrong",
            &[COOKIE, ("X-CSRF-TOKEN", b"{C}"), ("X-CSRF-TOKEN", b"wrong")],
            401,
            CSRF_MISMATCH,
        ),
        post(
            "right twice",
            &[COOKIE, ("X-CSRF-TOKEN", b"{C}"), ("X-CSRF-TOKEN", b"{C}")],
            401,
            CSRF_MISMATCH,
        ),
        post(
            "empty then right",
            &[COOKIE, ("X-CSRF-TOKEN", b""), ("X-CSRF-TOKEN", b"{C}")],
            401,
            CSRF_MISMATCH,
        ),
        post(
            "empty twice",
            &[COOKIE, ("X-CSRF-TOKEN", b""), ("X-CSRF-TOKEN", b"")],
            401,
            CSRF_MISMATCH,
        ),
        post(
            "one empty header",
            &[COOKIE, ("X-CSRF-TOKEN", b"")],
            401,
            "{\"msg\":\"Missing CSRF token\"}\n",
        ),
        // flask answers 500 here (`hmac.compare_digest` refuses non-ASCII
        // text); a value that is not the claim is a mismatch.
        post(
            "a Latin-1 byte",
            &[COOKIE, ("X-CSRF-TOKEN", b"caf\xe9")],
            401,
            CSRF_MISMATCH,
        ),
    ];
    replay(
        JwtManager::builder().token_location([TokenLocation::Cookies]),
        &rows,
    )
    .await;
}

#[actix_web::test]
async fn cookie_values_are_read_as_sent() {
    let rows = [
        get("plain", &[("Cookie", b"access_token_cookie={T}")], 200, OK),
        get(
            "percent-encoded dots",
            &[("Cookie", b"access_token_cookie={H}%2E{P}%2E{S}")],
            422,
            NOT_ENOUGH_SEGMENTS,
        ),
        get(
            "a percent-encoded `=` after the signature",
            &[("Cookie", b"access_token_cookie={T}%3D")],
            422,
            BAD_PADDING,
        ),
        get(
            "quoted",
            &[("Cookie", b"access_token_cookie=\"{T}\"")],
            200,
            OK,
        ),
        get(
            "quoted, with an octal and a backslash escape",
            &[("Cookie", b"access_token_cookie=\"{H}\\056{P}\\.{S}\"")],
            200,
            OK,
        ),
        get(
            "an unterminated quote",
            &[("Cookie", b"access_token_cookie=\"{T}")],
            401,
            MISSING_COOKIE,
        ),
        get(
            "a comma and another pair in the value",
            &[("Cookie", b"access_token_cookie={T},x=1")],
            422,
            BAD_PADDING,
        ),
        get(
            "a Latin-1 value",
            &[("Cookie", b"access_token_cookie=caf\xe9")],
            422,
            NOT_ENOUGH_SEGMENTS,
        ),
    ];
    replay(
        JwtManager::builder().token_location([TokenLocation::Cookies]),
        &rows,
    )
    .await;
}

#[actix_web::test]
async fn the_cookie_header_is_parsed_as_werkzeug_does() {
    let rows = [
        get(
            "a Latin-1 byte in another cookie, before",
            &[("Cookie", b"pref=caf\xe9; access_token_cookie={T}")],
            200,
            OK,
        ),
        get(
            "a Latin-1 byte in another cookie, after",
            &[("Cookie", b"access_token_cookie={T}; pref=caf\xe9")],
            200,
            OK,
        ),
        get(
            "a Latin-1 name without a value",
            &[("Cookie", b"\xe9; access_token_cookie={T}")],
            200,
            OK,
        ),
        get(
            "a space in another cookie's value",
            &[("Cookie", b"a=b c; access_token_cookie={T}")],
            200,
            OK,
        ),
        get(
            "a space in the token's value",
            &[("Cookie", b"access_token_cookie={T} x")],
            401,
            MISSING_COOKIE,
        ),
        get(
            "a space in the value, then a good pair",
            &[(
                "Cookie",
                b"access_token_cookie={T} x; access_token_cookie={T}",
            )],
            200,
            OK,
        ),
        get(
            "the first of a repeated name is empty",
            &[("Cookie", b"access_token_cookie=; access_token_cookie={T}")],
            401,
            MISSING_COOKIE,
        ),
        get(
            "blanks around `=` and `;`",
            &[("Cookie", b"access_token_cookie \t= \t{T} \t;x=1")],
            200,
            OK,
        ),
        get(
            "an empty name before",
            &[("Cookie", b"=x; access_token_cookie={T}")],
            200,
            OK,
        ),
        get(
            "a bare name",
            &[("Cookie", b"access_token_cookie")],
            401,
            MISSING_COOKIE,
        ),
        get(
            "two Cookie headers, the token first",
            &[("Cookie", b"access_token_cookie={T}"), ("Cookie", b"x=1")],
            422,
            BAD_PADDING,
        ),
        get(
            "two Cookie headers, the token second",
            &[("Cookie", b"x=1"), ("Cookie", b"access_token_cookie={T}")],
            401,
            MISSING_COOKIE,
        ),
        Row {
            path: "/refresh",
            ..get(
                "the refresh cookie, a Latin-1 byte elsewhere",
                &[("Cookie", b"pref=caf\xe9; refresh_token_cookie={R}")],
                200,
                OK,
            )
        },
        Row {
            path: "/refresh",
            ..get(
                "the refresh cookie, percent-encoded dots",
                &[("Cookie", b"refresh_token_cookie={H}%2E{P}%2E{S}")],
                422,
                NOT_ENOUGH_SEGMENTS,
            )
        },
    ];
    replay(
        JwtManager::builder().token_location([TokenLocation::Cookies]),
        &rows,
    )
    .await;
}

/// HTTP/2 and HTTP/3 clients split the cookie header into crumbs, which
/// RFC 9113 §8.2.3 joins with `; `: what a proxy in front of flask would pass on.
#[actix_web::test]
async fn http2_cookie_crumbs_are_one_cookie_header() {
    const CRUMBS: &[(&str, &[u8])] = &[
        ("Cookie", b"x=1"),
        ("Cookie", b"access_token_cookie={T}"),
        ("Cookie", b"y=2"),
    ];
    let rows = [
        Row {
            version: Version::HTTP_2,
            ..get("HTTP/2 crumbs", CRUMBS, 200, OK)
        },
        Row {
            version: Version::HTTP_3,
            ..get("HTTP/3 crumbs", CRUMBS, 200, OK)
        },
        // flask behind a WSGI server: `x=1,access_token_cookie=T,y=2` is one cookie.
        get("HTTP/1.1 repeated headers", CRUMBS, 401, MISSING_COOKIE),
    ];
    replay(
        JwtManager::builder().token_location([TokenLocation::Cookies]),
        &rows,
    )
    .await;
}
