//! Minting access and refresh tokens: flask-jwt-extended's
//! `create_access_token` and `create_refresh_token`, byte-compatible.

mod claims;
mod fresh;
mod header;
mod renew;

pub use fresh::Fresh;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::keys::prepared;
use crate::model::algorithm::alg_name;

use crate::{Expiry, Failure, JwtError, JwtErrorKind, JwtManager, TokenType};
use claims::Payload;

/// What the two builders share.
struct Spec<'a> {
    manager: &'a JwtManager,
    kind: TokenType,
    identity: Value,
    fresh: Fresh,
    expires: Option<Expiry>,
    claims: Map<String, Value>,
    headers: Map<String, Value>,
    /// The claims of the token this one renews, if it renews one: they take
    /// the place of the identity and claims loaders' output.
    renews: Option<Map<String, Value>>,
    /// The first bad argument, reported by `encode` so setters can chain.
    error: Option<Failure>,
}

/// An access token being minted; see [`JwtManager::access_token`].
#[must_use = "call .encode() to get the token"]
pub struct AccessToken<'a>(Spec<'a>);

/// A refresh token being minted; see [`JwtManager::refresh_token`].
#[must_use = "call .encode() to get the token"]
pub struct RefreshToken<'a>(Spec<'a>);

impl<'a> Spec<'a> {
    fn new(manager: &'a JwtManager, kind: TokenType, identity: impl Serialize) -> Self {
        let (identity, error) = match serde_json::to_value(identity) {
            Ok(value) => (value, None),
            Err(e) => (
                Value::Null,
                Some(encode_error(format!(
                    "the identity cannot be serialised to JSON: {e}"
                ))),
            ),
        };
        Spec {
            manager,
            kind,
            identity,
            fresh: Fresh::No,
            expires: None,
            claims: Map::new(),
            headers: Map::new(),
            renews: None,
            error,
        }
    }

    fn merge(&mut self, into_headers: bool, values: impl Serialize) {
        match serde_json::to_value(values) {
            Ok(Value::Object(map)) => {
                let target = if into_headers {
                    &mut self.headers
                } else {
                    &mut self.claims
                };
                target.extend(map);
            }
            Ok(_) => self.fail("additional claims and headers must serialise to a JSON object"),
            Err(e) => self.fail(&format!(
                "additional claims or headers cannot be serialised to JSON: {e}"
            )),
        }
    }

    fn fail(&mut self, message: &str) {
        if self.error.is_none() {
            self.error = Some(encode_error(message));
        }
    }

    fn encode(self) -> Result<String, Failure> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let settings = self.manager.settings();
        let now = settings.clock.now_micros();
        let iat = now.div_euclid(1_000_000);
        let expires = self.expires.unwrap_or(match self.kind {
            TokenType::Access => settings.access_expires,
            TokenType::Refresh => settings.refresh_expires,
        });
        if matches!(expires, Expiry::In(delta) if delta.is_zero()) {
            return Err(encode_error(
                "a zero expiry is ambiguous (flask reads it as never): use Expiry::Never",
            ));
        }

        // flask's insertion order (`tokens._encode_jwt`: fresh, iat, jti,
        // type, identity, nbf, csrf, aud, iss, exp, then the additional
        // claims); an override of one of these keeps its position (quirk 9).
        let (jti, csrf) = random_uuids(settings.csrf_protect)?;
        let mut payload = Payload::new(&settings.identity_claim);
        let fresh = match self.kind {
            TokenType::Access => self.fresh.claim(now),
            TokenType::Refresh => Value::Bool(false),
        };
        payload.push("fresh", fresh);
        payload.push("iat", iat.into());
        payload.push("jti", jti.into());
        payload.push("type", self.kind.as_str().into());
        // The loaders see the identity as given; the claim holds what the
        // identity loader makes of it.
        let callbacks = &settings.callbacks;
        let identity = match (&callbacks.identity, &self.renews) {
            (Some(loader), None) => loader(&self.identity),
            _ => self.identity.clone(),
        };
        payload.push(&*settings.identity_claim, identity);
        if settings.encode_nbf {
            payload.push("nbf", iat.into());
        }
        if let Some(csrf) = csrf {
            payload.push("csrf", csrf.into());
        }
        if let Some(aud) = &settings.encode_audience {
            payload.push("aud", aud.clone());
        }
        if let Some(iss) = &settings.encode_issuer {
            payload.push("iss", iss.clone().into());
        }
        if let Some(exp) = expires.exp_for(now) {
            payload.push("exp", exp.into());
        }
        // flask: the loader's claims, updated with the call's, override all
        // (quirk 9).
        // A renewal copies them instead: the loader ran when the original
        // was minted.
        let loaded_claims = match self.renews {
            Some(copied) => copied,
            None => loaded_object(
                &callbacks.additional_claims,
                &self.identity,
                "additional claims",
            )?,
        };
        let payload = payload.into_json([loaded_claims, self.claims]);

        let signing_key = callbacks
            .encode_key
            .as_ref()
            .map(|loader| loader(&self.identity));
        // A loaded key names itself; the manager's key id is for its own key.
        let kid = match &signing_key {
            Some(key) => key.kid.clone(),
            None => settings.keys.rotation.kid.clone(),
        };
        let loaded_headers = loaded_object(
            &callbacks.additional_headers,
            &self.identity,
            "additional headers",
        )?;
        let (header, algorithm) = header::segment(settings, kid, [loaded_headers, self.headers])?;

        let (encoding_key, key_id) = match &signing_key {
            Some(key) if key.family != algorithm.family() => {
                return Err(encode_error(format!(
                    "the encode_key_loader returned a key of another family than \"{}\"",
                    alg_name(algorithm)
                )));
            }
            Some(key) => (&key.key, None),
            None => {
                let key = settings.keys.encoding.as_ref().ok_or_else(|| {
                    encode_error(format!(
                        "JWT_PRIVATE_KEY must be set to use asymmetric cryptography algorithm \"{}\"",
                        alg_name(settings.algorithm)
                    ))
                })?;
                (key, Some(settings.keys.id))
            }
        };
        // Room for the payload segment, the dots and an HS512 or RSA-2048 signature.
        let mut token = Vec::with_capacity(header.len() + payload.len() * 4 / 3 + 360);
        token.extend_from_slice(header.as_bytes());
        token.push(b'.');
        append_base64(&mut token, payload.as_bytes())?;
        let signature = prepared::sign(settings.provider, key_id, algorithm, encoding_key, &token)
            .map_err(|e| encode_error(format!("signing failed: {e}")))?;
        token.push(b'.');
        append_base64(&mut token, &signature)?;
        String::from_utf8(token).map_err(|_| encode_error("a token segment is not ASCII"))
    }
}

/// Appends `bytes` as base64url without padding, encoded in place.
fn append_base64(token: &mut Vec<u8>, bytes: &[u8]) -> Result<(), Failure> {
    let start = token.len();
    let length = base64::encoded_len(bytes.len(), false)
        .ok_or_else(|| encode_error("the token is too large to encode"))?;
    token.resize(start + length, 0);
    URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut token[start..])
        .map_err(|e| encode_error(format!("base64 encoding failed: {e}")))?;
    Ok(())
}

/// A random UUID v4, e.g. the id of a refresh-token family.
pub(crate) fn random_id() -> Result<String, Failure> {
    Ok(random_uuids(false)?.0)
}

/// The `jti` and, with CSRF protection, the `csrf` claim: UUIDs v4 as
/// flask's `str(uuid.uuid4())`, from one read of the OS's random source.
/// Python reads it per UUID; one system call costs more than the rest of
/// minting, so both UUIDs share it. (A user-space generator would be
/// faster, but rand's forgets to reseed across `fork` and aws-lc's costs
/// as much as the system call.)
fn random_uuids(with_csrf: bool) -> Result<(String, Option<String>), Failure> {
    let mut random = [[0u8; 16]; 2];
    let wanted = if with_csrf { 32 } else { 16 };
    getrandom::fill(&mut random.as_flattened_mut()[..wanted])
        .map_err(|e| encode_error(format!("the OS random source failed: {e}")))?;
    let uuid = |bytes: [u8; 16]| {
        let mut buffer = uuid::Uuid::encode_buffer();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .encode_lower(&mut buffer)
            .to_owned()
    };
    let [jti, csrf] = random;
    Ok((uuid(jti), with_csrf.then(|| uuid(csrf))))
}

/// What a claims or headers loader returns for `identity`, which must be a
/// JSON object.
fn loaded_object(
    loader: &Option<crate::config::JsonLoader>,
    identity: &Value,
    what: &str,
) -> Result<Map<String, Value>, Failure> {
    match loader.as_ref().map(|loader| loader(identity)) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(encode_error(format!(
            "the {what} loader must return a JSON object"
        ))),
    }
}

pub(super) fn encode_error(message: impl Into<String>) -> Failure {
    Failure::new(JwtErrorKind::Encode, message.into())
}

macro_rules! shared_setters {
    ($builder:ident) => {
        impl $builder<'_> {
            /// When the token expires: a duration from now or
            /// [`Expiry::Never`] (flask's `expires_delta`). Defaults to the
            /// configured lifetime of this token kind.
            pub fn expires(mut self, expires: impl Into<Expiry>) -> Self {
                self.0.expires = Some(expires.into());
                self
            }

            /// Adds one claim (flask's `additional_claims`). Claims given here
            /// may override the reserved ones (`type`, `sub`, `exp`, `jti`, …),
            /// as in flask, keeping their position in the payload.
            pub fn claim(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
                match serde_json::to_value(value) {
                    Ok(value) => {
                        self.0.claims.insert(name.into(), value);
                    }
                    Err(e) => self
                        .0
                        .fail(&format!("claim cannot be serialised to JSON: {e}")),
                }
                self
            }

            /// Adds every field of `claims`, which must serialise to a JSON
            /// object (a `serde_json::json!({...})`, a map, a struct).
            pub fn claims(mut self, claims: impl Serialize) -> Self {
                self.0.merge(false, claims);
                self
            }

            /// Adds JOSE header fields (flask's `additional_headers`), e.g. `kid`.
            pub fn headers(mut self, headers: impl Serialize) -> Self {
                self.0.merge(true, headers);
                self
            }

            /// Signs the token.
            ///
            /// # Errors
            /// [`JwtErrorKind::Encode`] when a claim or header could not be
            /// serialised, the `alg` header names another key family, or the
            /// manager has no signing key.
            pub fn encode(self) -> Result<String, JwtError> {
                let manager = self.0.manager;
                self.0.encode().map_err(|e| manager.render(e))
            }

            /// [`encode`](Self::encode) for the crate's own callers, which
            /// render the failure themselves.
            pub(crate) fn mint(self) -> Result<String, Failure> {
                self.0.encode()
            }
        }
    };
}

shared_setters!(AccessToken);
shared_setters!(RefreshToken);

impl AccessToken<'_> {
    /// Whether the token is fresh: `true`, `false`, a moment or a duration.
    /// Defaults to not fresh.
    pub fn fresh(mut self, fresh: impl Into<Fresh>) -> Self {
        self.0.fresh = fresh.into();
        self
    }
}

impl JwtManager {
    /// Starts minting an access token for `identity` (any `Serialize`, e.g.
    /// a `&str` user name or a numeric id).
    ///
    /// ```
    /// # let jwt = jwt_ext::JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").build().unwrap();
    /// let token = jwt
    ///     .access_token("alice")
    ///     .fresh(true)
    ///     .claim("roles", ["admin"])
    ///     .encode()?;
    /// # Ok::<(), jwt_ext::JwtError>(())
    /// ```
    pub fn access_token(&self, identity: impl Serialize) -> AccessToken<'_> {
        AccessToken(Spec::new(self, TokenType::Access, identity))
    }

    /// Starts minting a refresh token for `identity`; refresh tokens are
    /// never fresh.
    pub fn refresh_token(&self, identity: impl Serialize) -> RefreshToken<'_> {
        RefreshToken(Spec::new(self, TokenType::Refresh, identity))
    }

    /// flask's `create_access_token(identity)`: a non-fresh access token with
    /// the configured lifetime.
    ///
    /// # Errors
    /// See [`AccessToken::encode`].
    pub fn create_access_token(&self, identity: impl Serialize) -> Result<String, JwtError> {
        self.access_token(identity).encode()
    }

    /// flask's `create_refresh_token(identity)`.
    ///
    /// # Errors
    /// See [`RefreshToken::encode`].
    pub fn create_refresh_token(&self, identity: impl Serialize) -> Result<String, JwtError> {
        self.refresh_token(identity).encode()
    }
}

#[cfg(test)]
mod tests {
    use super::random_uuids;

    #[test]
    fn jti_and_csrf_are_distinct_uuid4s() {
        let (jti, csrf) = random_uuids(true).unwrap();
        let csrf = csrf.expect("asked for");
        for uuid in [&jti, &csrf] {
            let parsed = uuid::Uuid::parse_str(uuid).unwrap();
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(uuid, &parsed.hyphenated().to_string());
        }
        assert_ne!(jti, csrf);
        assert_ne!(random_uuids(false).unwrap(), (jti, None));
        assert_eq!(random_uuids(false).unwrap().1, None);
    }
}
