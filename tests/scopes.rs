//! Scopes and roles on `#[jwt_required]` (403 `insufficient_scope`), the
//! order of that check against the others, its response loader, and the
//! opt-in RFC 6750 `WWW-Authenticate` challenges, through real Apps.

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use chrono::TimeDelta;
use jwt_ext::{
    JwtError, JwtManager, JwtManagerBuilder, VerifyOptions, get_jwt_identity, jwt_required,
    verify_jwt_in_request,
};
use serde_json::{Value, json};

const SECRET: &str = "scopes-test-secret-0123456789abcdef-0123";

#[jwt_required(scopes = ["read:messages"])]
async fn read() -> HttpResponse {
    HttpResponse::Ok().body("read")
}

#[jwt_required(scopes = ["read:messages", "write:messages"])]
async fn write() -> HttpResponse {
    HttpResponse::Ok().body("write")
}

#[jwt_required(roles = ["admin"])]
async fn admin() -> HttpResponse {
    HttpResponse::Ok().body("admin")
}

#[jwt_required(optional, scopes = ["read:messages"])]
async fn maybe(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    Ok(HttpResponse::Ok().json(get_jwt_identity(&req)?))
}

/// The documented guard recipe for a check the attribute does not name:
/// `verify_jwt_in_request` with run-time scopes and roles.
async fn runtime(req: HttpRequest) -> Result<HttpResponse, JwtError> {
    let options = VerifyOptions::new()
        .scopes(["read:messages"])
        .roles(["ops"]);
    verify_jwt_in_request(&req, options).await?;
    Ok(HttpResponse::Ok().body("runtime"))
}

fn builder() -> JwtManagerBuilder {
    JwtManager::builder().secret_key(SECRET)
}

macro_rules! app {
    ($jwt:expr) => {
        test::init_service(
            App::new()
                .app_data($jwt)
                .route("/read", web::get().to(read))
                .route("/write", web::get().to(write))
                .route("/admin", web::get().to(admin))
                .route("/maybe", web::get().to(maybe))
                .route("/runtime", web::get().to(runtime)),
        )
        .await
    };
}

/// An access token of `ann` with `claims` added.
fn token(jwt: &JwtManager, claims: Value) -> String {
    jwt.access_token("ann").claims(&claims).encode().unwrap()
}

/// GET `uri` with `token` (if any): the status, the `WWW-Authenticate`
/// header and the body as JSON (or as a string).
async fn get(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = test::TestRequest::get().uri(uri);
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned());
    let bytes = test::read_body(resp).await;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, challenge, body)
}

#[actix_web::test]
async fn scope_claim_as_a_string_or_an_array_grants_scopes() {
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    for claims in [
        json!({ "scope": "read:messages write:messages" }),
        json!({ "scope": "openid  write:messages read:messages" }),
        json!({ "scope": ["write:messages", "read:messages"] }),
        json!({ "scp": "read:messages write:messages" }),
        json!({ "scp": ["read:messages", 7, "write:messages"] }),
    ] {
        let token = token(&jwt, claims.clone());
        let (status, _, body) = get(&app, "/write", Some(&token)).await;
        assert_eq!((status, body), (StatusCode::OK, json!("write")), "{claims}");
    }
}

#[actix_web::test]
async fn a_missing_scope_answers_403_naming_what_is_missing() {
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    let partial = token(&jwt, json!({ "scope": "read:messages" }));
    assert_eq!(get(&app, "/read", Some(&partial)).await.0, StatusCode::OK);
    let (status, challenge, body) = get(&app, "/write", Some(&partial)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({ "msg": "Missing required scopes: write:messages" })
    );
    // Off by default: no challenge on a 403.
    assert_eq!(challenge, None);

    // A scope is a whole word: no prefix, case or substring matches.
    for scope in [
        "read",
        "Read:messages",
        "read:messages:all",
        "xread:messages",
    ] {
        let token = token(&jwt, json!({ "scope": scope }));
        let (status, _, body) = get(&app, "/read", Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{scope}");
        assert_eq!(body["msg"], "Missing required scopes: read:messages");
    }
    // `scope` wins over `scp`: the two are never merged.
    let split = token(
        &jwt,
        json!({ "scope": "read:messages", "scp": "write:messages" }),
    );
    assert_eq!(
        get(&app, "/write", Some(&split)).await.0,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_missing_or_mistyped_scope_claim_is_403_never_500() {
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    for claims in [
        json!({}),
        json!({ "scope": null }),
        json!({ "scope": 42 }),
        json!({ "scope": true }),
        json!({ "scope": { "read:messages": true } }),
        json!({ "scope": [1, null, ["read:messages"]] }),
        json!({ "scope": "" }),
        // A tab is no separator: "a\tb" is one (unknown) scope.
        json!({ "scope": "read:messages\twrite:messages" }),
        json!({ "scp": 3.5 }),
    ] {
        let token = token(&jwt, claims.clone());
        let (status, _, body) = get(&app, "/write", Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{claims}");
        assert_eq!(
            body,
            json!({ "msg": "Missing required scopes: read:messages write:messages" }),
            "{claims}"
        );
    }
}

#[actix_web::test]
async fn other_refusals_come_before_the_scope_check() {
    // A revoked token answers 401 revoked, not 403, whatever it grants.
    let jwt = builder()
        .token_in_blocklist_loader(|jwt| async move {
            Ok::<_, actix_web::Error>(jwt.claims().get("revoked") == Some(&json!(true)))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let revoked = token(&jwt, json!({ "revoked": true }));
    let (status, _, body) = get(&app, "/write", Some(&revoked)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({ "msg": "Token has been revoked" }));
    let unscoped = token(&jwt, json!({}));
    assert_eq!(
        get(&app, "/write", Some(&unscoped)).await.0,
        StatusCode::FORBIDDEN
    );

    // Expired, and the wrong token type, answer as flask does.
    let expired = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(-60))
        .encode()
        .unwrap();
    let (status, _, body) = get(&app, "/write", Some(&expired)).await;
    assert_eq!(
        (status, body["msg"].clone()),
        (StatusCode::UNAUTHORIZED, json!("Token has expired"))
    );
    let refresh = jwt.create_refresh_token("ann").unwrap();
    let (status, _, body) = get(&app, "/write", Some(&refresh)).await;
    assert_eq!(
        (status, body["msg"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("Only non-refresh tokens are allowed")
        )
    );

    // The user lookup runs first too: an unknown user is 401, not 403.
    let jwt = builder()
        .user_lookup_loader(|jwt| async move {
            let known = jwt.identity() == "ann";
            Ok::<_, actix_web::Error>(known.then_some(()))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let stranger = jwt.create_access_token("bob").unwrap();
    let (status, _, body) = get(&app, "/write", Some(&stranger)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({ "msg": "Error loading the user bob" }));
    let ann = token(&jwt, json!({ "scope": "read:messages" }));
    assert_eq!(
        get(&app, "/write", Some(&ann)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&app, "/read", Some(&ann)).await.0, StatusCode::OK);
}

#[actix_web::test]
async fn optional_routes_check_scopes_of_a_token_sent() {
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    let (status, _, body) = get(&app, "/maybe", None).await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    let unscoped = token(&jwt, json!({}));
    assert_eq!(
        get(&app, "/maybe", Some(&unscoped)).await.0,
        StatusCode::FORBIDDEN
    );
    let scoped = token(&jwt, json!({ "scope": "read:messages" }));
    let (status, _, body) = get(&app, "/maybe", Some(&scoped)).await;
    assert_eq!((status, body), (StatusCode::OK, json!("ann")));
}

#[actix_web::test]
async fn roles_are_read_at_the_configured_pointer() {
    // The default claim is `roles`.
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    for (claims, expected) in [
        (json!({ "roles": ["user", "admin"] }), StatusCode::OK),
        (json!({ "roles": "admin" }), StatusCode::OK),
        (json!({ "roles": "admin user" }), StatusCode::FORBIDDEN),
        (json!({ "roles": ["Admin"] }), StatusCode::FORBIDDEN),
        (json!({ "roles": { "admin": true } }), StatusCode::FORBIDDEN),
        (json!({ "roles": 1 }), StatusCode::FORBIDDEN),
        (json!({ "scope": "admin" }), StatusCode::FORBIDDEN),
        (json!({}), StatusCode::FORBIDDEN),
    ] {
        let token = token(&jwt, claims.clone());
        let (status, _, body) = get(&app, "/admin", Some(&token)).await;
        assert_eq!(status, expected, "{claims}");
        if status == StatusCode::FORBIDDEN {
            assert_eq!(body, json!({ "msg": "Missing required roles: admin" }));
        }
    }

    // Keycloak's realm roles, and Auth0's namespaced claim whose key holds
    // slashes and dots.
    for (pointer, granted, dotted) in [
        (
            "/realm_access/roles",
            json!({ "realm_access": { "roles": ["admin"] } }),
            json!({ "realm_access.roles": ["admin"] }),
        ),
        (
            "/https:~1~1example.com~1roles",
            json!({ "https://example.com/roles": ["admin"] }),
            json!({ "https:": { "": { "example.com": { "roles": ["admin"] } } } }),
        ),
    ] {
        let jwt = builder().roles_claim(pointer).build().unwrap();
        let app = app!(jwt.clone());
        let token_granted = token(&jwt, granted);
        assert_eq!(
            get(&app, "/admin", Some(&token_granted)).await.0,
            StatusCode::OK,
            "{pointer}"
        );
        let token_dotted = token(&jwt, dotted);
        assert_eq!(
            get(&app, "/admin", Some(&token_dotted)).await.0,
            StatusCode::FORBIDDEN,
            "{pointer}"
        );
    }
}

#[actix_web::test]
async fn run_time_scopes_and_roles_through_verify_jwt_in_request() {
    let jwt = builder().build().unwrap();
    let app = app!(jwt.clone());
    let both = token(&jwt, json!({ "scope": "read:messages", "roles": ["ops"] }));
    assert_eq!(get(&app, "/runtime", Some(&both)).await.0, StatusCode::OK);
    let scope_only = token(&jwt, json!({ "scope": "read:messages" }));
    let (status, _, body) = get(&app, "/runtime", Some(&scope_only)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            json!({ "msg": "Missing required roles: ops" })
        )
    );
}

#[actix_web::test]
async fn the_insufficient_scope_loader_customises_the_answer() {
    let jwt = builder()
        .insufficient_scope_loader(|_header, claims| {
            HttpResponse::Forbidden().json(json!({ "error": "forbidden", "had": claims["scope"] }))
        })
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let partial = token(&jwt, json!({ "scope": "read:messages" }));
    let (status, challenge, body) = get(&app, "/write", Some(&partial)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({ "error": "forbidden", "had": "read:messages" })
    );
    assert_eq!(challenge, None);
    // Roles go through the same loader.
    let (status, _, body) = get(&app, "/admin", Some(&partial)).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
}

#[actix_web::test]
async fn bearer_realm_adds_rfc_6750_challenges() {
    let jwt = builder()
        .bearer_realm("example")
        .insufficient_scope_loader(|_, _| HttpResponse::Forbidden().json(json!({ "custom": true })))
        .build()
        .unwrap();
    let app = app!(jwt.clone());

    // No token: the realm alone (RFC 6750 §3.1), flask's body unchanged.
    let (status, challenge, body) = get(&app, "/read", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="example""#));
    assert_eq!(body, json!({ "msg": "Missing Authorization Header" }));

    // A refused token.
    let expired = jwt
        .access_token("ann")
        .expires(TimeDelta::seconds(-60))
        .encode()
        .unwrap();
    let (status, challenge, _) = get(&app, "/read", Some(&expired)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="example", error="invalid_token", error_description="Token has expired""#
        )
    );
    let (status, challenge, _) = get(&app, "/read", Some("a.b")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="example", error="invalid_token", error_description="Not enough segments""#
        )
    );

    // A malformed request: `Authorization: Bearer` without a token.
    let req = test::TestRequest::get()
        .uri("/read")
        .insert_header(("Authorization", "Bearer"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.headers().get("www-authenticate").unwrap(),
        "Bearer realm=\"example\", error=\"invalid_request\", \
         error_description=\"Bad Authorization header. Expected 'Authorization: Bearer <JWT>'\""
    );

    // Insufficient scope, with the route's scopes; the custom body keeps
    // the challenge.
    let partial = token(&jwt, json!({ "scope": "read:messages" }));
    let (status, challenge, body) = get(&app, "/write", Some(&partial)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({ "custom": true }));
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="example", error="insufficient_scope", error_description="Missing required scopes: write:messages", scope="read:messages write:messages""#
        )
    );
    // Roles: insufficient_scope without a `scope` attribute.
    let (_, challenge, _) = get(&app, "/admin", Some(&partial)).await;
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="example", error="insufficient_scope", error_description="Missing required roles: admin""#
        )
    );
    // Success answers carry no challenge.
    let (status, challenge, _) = get(&app, "/read", Some(&partial)).await;
    assert_eq!((status, challenge), (StatusCode::OK, None));
}

#[actix_web::test]
async fn the_realm_and_the_roles_claim_come_from_the_environment() {
    let lookup = |name: &str| match name {
        "JWT_SECRET_KEY" => Some(SECRET.to_owned()),
        "JWT_BEARER_REALM" => Some("from env".to_owned()),
        "JWT_ROLES_CLAIM" => Some("/realm_access/roles".to_owned()),
        _ => None,
    };
    let jwt = JwtManagerBuilder::from_lookup(lookup)
        .unwrap()
        .build()
        .unwrap();
    let app = app!(jwt.clone());
    let (_, challenge, _) = get(&app, "/admin", None).await;
    assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="from env""#));
    let keycloak = token(&jwt, json!({ "realm_access": { "roles": ["admin"] } }));
    assert_eq!(get(&app, "/admin", Some(&keycloak)).await.0, StatusCode::OK);

    let dotted = |name: &str| match name {
        "JWT_SECRET_KEY" => Some(SECRET.to_owned()),
        "JWT_ROLES_CLAIM" => Some("realm_access.roles".to_owned()),
        _ => None,
    };
    let err = JwtManagerBuilder::from_lookup(dotted)
        .unwrap()
        .build()
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("JWT_ROLES_CLAIM \"realm_access.roles\" is not a JSON Pointer"),
        "{err}"
    );
}
