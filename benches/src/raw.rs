//! The baseline: a hand-written actix-web + jsonwebtoken service, written
//! the way one would without jwt-ext. Each figure of the benches is jwt-ext
//! divided by the same work done here.
//!
//! Two such services: the anchor decodes the token into a struct holding
//! only the claims it reads ([`Claims`], [`CookieClaims`]), as
//! jsonwebtoken's README does; the second decodes it into a
//! `serde_json::Value`, as a service that hands all claims on would.
//!
//! The handlers answer as the `simple` example does on the measured
//! (success) path: `{"logged_in_as": …}`. Their refusals are flask-like but
//! simplified; they are never on a measured path.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Resource, guard, post, web};
use jsonwebtoken::errors::{ErrorKind, Result as JwtResult};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, TokenData, Validation};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// flask-jwt-extended's default access token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The access cookie's name, flask's default `JWT_ACCESS_COOKIE_NAME`.
pub const ACCESS_COOKIE: &str = "access_token_cookie";

/// The CSRF header's name, flask's default `JWT_ACCESS_CSRF_HEADER_NAME`.
pub const CSRF_HEADER: &str = "X-CSRF-TOKEN";

/// Keys and validation built once at start-up, as a hand-written service
/// keeps them in its app data.
pub struct RawKeys {
    /// The signing and verification algorithm.
    pub algorithm: Algorithm,
    /// The signing key.
    pub encoding: EncodingKey,
    /// The verification key.
    pub decoding: DecodingKey,
    /// jsonwebtoken's checks: `algorithm` only, `exp` required, `nbf`
    /// checked, no leeway (jwt-ext's defaults).
    pub validation: Validation,
    /// The JOSE header of minted tokens (`{"typ":"JWT","alg":…}`).
    pub header: Header,
    /// Lifetime of minted access tokens.
    pub access_lifetime: Duration,
}

impl RawKeys {
    /// Keys from an HMAC secret.
    ///
    /// # Panics
    /// When jsonwebtoken refuses the secret.
    pub fn hmac(algorithm: Algorithm, secret: &[u8]) -> Self {
        let encoding = EncodingKey::from_secret(secret).expect("an HMAC secret");
        let decoding = DecodingKey::from_secret(secret).expect("an HMAC secret");
        Self::new(algorithm, encoding, decoding)
    }

    /// Keys from a PEM pair (RSA, EC or Ed25519, following `algorithm`).
    ///
    /// # Panics
    /// When jsonwebtoken cannot parse a key.
    pub fn from_pem(algorithm: Algorithm, private: &str, public: &str) -> Self {
        let (private, public) = (private.as_bytes(), public.as_bytes());
        let (encoding, decoding) = match algorithm {
            Algorithm::ES256 | Algorithm::ES384 => (
                EncodingKey::from_ec_pem(private),
                DecodingKey::from_ec_pem(public),
            ),
            Algorithm::EdDSA => (
                EncodingKey::from_ed_pem(private),
                DecodingKey::from_ed_pem(public),
            ),
            _ => (
                EncodingKey::from_rsa_pem(private),
                DecodingKey::from_rsa_pem(public),
            ),
        };
        Self::new(
            algorithm,
            encoding.expect("a PEM private key"),
            decoding.expect("a PEM public key"),
        )
    }

    fn new(algorithm: Algorithm, encoding: EncodingKey, decoding: DecodingKey) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.validate_nbf = true;
        RawKeys {
            algorithm,
            encoding,
            decoding,
            validation,
            header: Header::new(algorithm),
            access_lifetime: DEFAULT_ACCESS_LIFETIME,
        }
    }

    /// The same keys minting tokens that live `lifetime`.
    pub fn with_access_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_lifetime = lifetime;
        self
    }

    /// `jsonwebtoken::decode::<Value>` with the prebuilt key and validation.
    ///
    /// # Errors
    /// jsonwebtoken's error for a bad token.
    pub fn decode(&self, token: &str) -> JwtResult<TokenData<Value>> {
        self.decode_as(token)
    }

    /// `jsonwebtoken::decode::<C>` with the prebuilt key and validation:
    /// the signature, `exp` (required) and `nbf` checked by jsonwebtoken.
    ///
    /// # Errors
    /// jsonwebtoken's error for a bad token.
    pub fn decode_as<C: DeserializeOwned>(&self, token: &str) -> JwtResult<TokenData<C>> {
        jsonwebtoken::decode::<C>(token, &self.decoding, &self.validation)
    }
    /// `jsonwebtoken::encode` of `claims` with the prebuilt header and key.
    ///
    /// # Errors
    /// jsonwebtoken's error when signing fails.
    pub fn encode(&self, claims: &Map<String, Value>) -> JwtResult<String> {
        jsonwebtoken::encode(&self.header, claims, &self.encoding)
    }

    /// What a hand-written login does: the claims of a jwt-ext access token
    /// for `identity`, minted now ([`access_claims`]), then [`encode`](Self::encode).
    ///
    /// # Errors
    /// As [`encode`](Self::encode).
    pub fn mint(&self, identity: &str) -> JwtResult<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.encode(&access_claims(identity, now, self.access_lifetime))
    }

    /// An access token's claims, as `C`: [`Claims`] (the anchor) or
    /// `Value`.
    ///
    /// # Errors
    /// The refusal of an invalid, expired or refresh token.
    pub fn verify_access<C: AccessClaims>(&self, token: &str) -> Result<C, Refusal> {
        let claims = match self.decode_as::<C>(token) {
            Ok(data) => data.claims,
            Err(err) if *err.kind() == ErrorKind::ExpiredSignature => {
                return Err(Refusal::new(401, "Token has expired"));
            }
            Err(err) => return Err(Refusal::new(422, err.to_string())),
        };
        if claims.token_type() != Some("access") {
            return Err(Refusal::new(422, "Only non-refresh tokens are allowed"));
        }
        Ok(claims)
    }
}

/// The claims the anchor's `/protected` reads, as jsonwebtoken's README
/// decodes them: the identity and the token's type. jsonwebtoken checks
/// `exp` and `nbf` itself, from the same payload.
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// The identity (`sub`).
    pub sub: String,
    /// The token's type, `access` or `refresh` (`type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// The claims the anchor's `/cookie` reads: [`Claims`] and the `csrf`
/// value the double submit compares.
#[derive(Debug, Deserialize)]
pub struct CookieClaims {
    /// The identity (`sub`).
    pub sub: String,
    /// The token's type (`type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The CSRF value (`csrf`).
    pub csrf: Option<String>,
}

/// What the handlers read of an access token's claims, typed or not.
pub trait AccessClaims: DeserializeOwned + 'static {
    /// The `type` claim.
    fn token_type(&self) -> Option<&str>;

    /// The success answer, `{"logged_in_as": <sub>}`.
    fn logged_in_as(&self) -> HttpResponse;
}

/// Claims that carry the CSRF value of the double submit.
pub trait CsrfClaims: AccessClaims {
    /// The `csrf` claim.
    fn csrf(&self) -> Option<&str>;
}

impl AccessClaims for Claims {
    fn token_type(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    fn logged_in_as(&self) -> HttpResponse {
        HttpResponse::Ok().json(json!({ "logged_in_as": self.sub }))
    }
}

impl AccessClaims for CookieClaims {
    fn token_type(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    fn logged_in_as(&self) -> HttpResponse {
        HttpResponse::Ok().json(json!({ "logged_in_as": self.sub }))
    }
}

impl CsrfClaims for CookieClaims {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

impl AccessClaims for Value {
    fn token_type(&self) -> Option<&str> {
        self.get("type").and_then(Value::as_str)
    }

    fn logged_in_as(&self) -> HttpResponse {
        HttpResponse::Ok().json(json!({ "logged_in_as": self.get("sub") }))
    }
}

impl CsrfClaims for Value {
    fn csrf(&self) -> Option<&str> {
        self.get("csrf").and_then(Value::as_str)
    }
}

/// The claims jwt-ext's `create_access_token(identity)` mints with its
/// defaults, in its order: `fresh`, `iat`, `jti`, `type`, `sub`, `nbf`,
/// `csrf`, `exp`; `jti` and `csrf` are fresh UUIDs v4.
pub fn access_claims(identity: &str, now_secs: u64, lifetime: Duration) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("fresh".to_owned(), Value::Bool(false));
    claims.insert("iat".to_owned(), now_secs.into());
    claims.insert("jti".to_owned(), uuid::Uuid::new_v4().to_string().into());
    claims.insert("type".to_owned(), "access".into());
    claims.insert("sub".to_owned(), identity.into());
    claims.insert("nbf".to_owned(), now_secs.into());
    claims.insert("csrf".to_owned(), uuid::Uuid::new_v4().to_string().into());
    claims.insert("exp".to_owned(), (now_secs + lifetime.as_secs()).into());
    claims
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Why a token was refused: a status and flask's `{"msg": …}`.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The message.
    pub msg: String,
}

impl Refusal {
    fn new(status: u16, msg: impl Into<String>) -> Self {
        Refusal {
            status,
            msg: msg.into(),
        }
    }

    /// The answer.
    pub fn response(&self) -> HttpResponse {
        refuse(self.status, &self.msg)
    }
}

fn refuse(status: u16, msg: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).expect("a valid status");
    HttpResponse::build(status).json(json!({ "msg": msg }))
}

/// The body of `POST /login`.
#[derive(Deserialize)]
pub struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

/// `POST /login`: the `simple` example's login, minting with jsonwebtoken.
#[post("/login")]
async fn login(keys: web::Data<RawKeys>, body: web::Json<Credentials>) -> HttpResponse {
    if body.username.as_deref() != Some("test") || body.password.as_deref() != Some("test") {
        return refuse(401, "Bad username or password");
    }
    match keys.mint("test") {
        Ok(token) => HttpResponse::Ok().json(json!({ "access_token": token })),
        Err(err) => refuse(500, &err.to_string()),
    }
}

/// `GET /protected`: a Bearer token from the `Authorization` header,
/// decoded into `C`.
async fn protected<C: AccessClaims>(req: HttpRequest, keys: web::Data<RawKeys>) -> HttpResponse {
    let Some(token) = bearer(&req) else {
        return refuse(401, "Missing Authorization Header");
    };
    match keys.verify_access::<C>(token) {
        Ok(claims) => claims.logged_in_as(),
        Err(refusal) => refusal.response(),
    }
}

/// `POST /cookie`: the token from the access cookie, with the CSRF double
/// submit (the `X-CSRF-TOKEN` header must equal the `csrf` claim).
async fn cookie_protected<C: CsrfClaims>(
    req: HttpRequest,
    keys: web::Data<RawKeys>,
) -> HttpResponse {
    let Some(cookie) = req.cookie(ACCESS_COOKIE) else {
        return refuse(401, "Missing cookie \"access_token_cookie\"");
    };
    let Some(csrf) = req.headers().get(CSRF_HEADER) else {
        return refuse(401, "Missing CSRF token");
    };
    let claims = match keys.verify_access::<C>(cookie.value()) {
        Ok(claims) => claims,
        Err(refusal) => return refusal.response(),
    };
    if claims.csrf().map(str::as_bytes) != Some(csrf.as_bytes()) {
        return refuse(401, "CSRF double submit tokens do not match");
    }
    claims.logged_in_as()
}

/// `GET /optional`: a Bearer token if there is one, `null` otherwise.
async fn optional<C: AccessClaims>(req: HttpRequest, keys: web::Data<RawKeys>) -> HttpResponse {
    let Some(token) = bearer(&req) else {
        return HttpResponse::Ok().json(json!({ "logged_in_as": null }));
    };
    match keys.verify_access::<C>(token) {
        Ok(claims) => claims.logged_in_as(),
        Err(refusal) => refusal.response(),
    }
}

/// A `GET` resource, as `#[get(path)]` registers one.
fn get(path: &str) -> Resource {
    web::resource(path).guard(guard::Get())
}

/// A `POST` resource, as `#[post(path)]` registers one.
fn post_to(path: &str) -> Resource {
    web::resource(path).guard(guard::Post())
}

/// How the hand-written service decodes its tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsShape {
    /// Into [`Claims`] (and [`CookieClaims`] for the cookie): the anchor.
    Typed,
    /// Into `serde_json::Value`.
    Value,
}

impl ClaimsShape {
    /// The shape named by the `CLAIMS` environment variable: `value`, or
    /// typed when unset or anything else.
    pub fn from_env() -> Self {
        match std::env::var("CLAIMS").as_deref() {
            Ok("value") => ClaimsShape::Value,
            _ => ClaimsShape::Typed,
        }
    }
}

/// Registers `/login` and `/protected`, the `simple` example's routes, for
/// the `anchor` server (the keys go in the app data as `web::Data<RawKeys>`).
pub fn simple_routes(shape: ClaimsShape) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(login);
        match shape {
            ClaimsShape::Typed => cfg.service(get("/protected").to(protected::<Claims>)),
            ClaimsShape::Value => cfg.service(get("/protected").to(protected::<Value>)),
        };
    }
}

/// Registers `/protected`, `/cookie` and `/optional` for the pipeline
/// benches (the keys go in the app data as `web::Data<RawKeys>`).
pub fn routes(shape: ClaimsShape) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| match shape {
        ClaimsShape::Typed => {
            cfg.service(get("/protected").to(protected::<Claims>))
                .service(post_to("/cookie").to(cookie_protected::<CookieClaims>))
                .service(get("/optional").to(optional::<Claims>));
        }
        ClaimsShape::Value => {
            cfg.service(get("/protected").to(protected::<Value>))
                .service(post_to("/cookie").to(cookie_protected::<Value>))
                .service(get("/optional").to(optional::<Value>));
        }
    }
}
