//! The baseline: a hand-written actix-web + jsonwebtoken service, written
//! the way one would without jwt-ext. Each figure of the benches is jwt-ext
//! divided by the same work done here.
//!
//! The handlers answer as the `simple` example does on the measured
//! (success) path: `{"logged_in_as": …}`. Their refusals are flask-like but
//! simplified; they are never on a measured path.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use jsonwebtoken::errors::{ErrorKind, Result as JwtResult};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, TokenData, Validation};
use serde::Deserialize;
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
        jsonwebtoken::decode::<Value>(token, &self.decoding, &self.validation)
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

    /// An access token's claims.
    ///
    /// # Errors
    /// The refusal of an invalid, expired or refresh token.
    pub fn verify_access(&self, token: &str) -> Result<Value, Refusal> {
        let claims = match self.decode(token) {
            Ok(data) => data.claims,
            Err(err) if *err.kind() == ErrorKind::ExpiredSignature => {
                return Err(Refusal::new(401, "Token has expired"));
            }
            Err(err) => return Err(Refusal::new(422, err.to_string())),
        };
        if claims.get("type").and_then(Value::as_str) != Some("access") {
            return Err(Refusal::new(422, "Only non-refresh tokens are allowed"));
        }
        Ok(claims)
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

fn logged_in_as(claims: &Value) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "logged_in_as": claims.get("sub") }))
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

/// `GET /protected`: a Bearer token from the `Authorization` header.
#[get("/protected")]
async fn protected(req: HttpRequest, keys: web::Data<RawKeys>) -> HttpResponse {
    let Some(token) = bearer(&req) else {
        return refuse(401, "Missing Authorization Header");
    };
    match keys.verify_access(token) {
        Ok(claims) => logged_in_as(&claims),
        Err(refusal) => refusal.response(),
    }
}

/// `POST /cookie`: the token from the access cookie, with the CSRF double
/// submit (the `X-CSRF-TOKEN` header must equal the `csrf` claim).
#[post("/cookie")]
async fn cookie_protected(req: HttpRequest, keys: web::Data<RawKeys>) -> HttpResponse {
    let Some(cookie) = req.cookie(ACCESS_COOKIE) else {
        return refuse(401, "Missing cookie \"access_token_cookie\"");
    };
    let Some(csrf) = req.headers().get(CSRF_HEADER) else {
        return refuse(401, "Missing CSRF token");
    };
    let claims = match keys.verify_access(cookie.value()) {
        Ok(claims) => claims,
        Err(refusal) => return refusal.response(),
    };
    if claims
        .get("csrf")
        .and_then(Value::as_str)
        .map(str::as_bytes)
        != Some(csrf.as_bytes())
    {
        return refuse(401, "CSRF double submit tokens do not match");
    }
    logged_in_as(&claims)
}

/// `GET /optional`: a Bearer token if there is one, `null` otherwise.
#[get("/optional")]
async fn optional(req: HttpRequest, keys: web::Data<RawKeys>) -> HttpResponse {
    let Some(token) = bearer(&req) else {
        return HttpResponse::Ok().json(json!({ "logged_in_as": null }));
    };
    match keys.verify_access(token) {
        Ok(claims) => logged_in_as(&claims),
        Err(refusal) => refusal.response(),
    }
}

/// Registers `/login` and `/protected`, the `simple` example's routes, for
/// the `anchor` server (the keys go in the app data as `web::Data<RawKeys>`).
pub fn simple_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login).service(protected);
}

/// Registers `/protected`, `/cookie` and `/optional` for the pipeline
/// benches (the keys go in the app data as `web::Data<RawKeys>`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(protected)
        .service(cookie_protected)
        .service(optional);
}
