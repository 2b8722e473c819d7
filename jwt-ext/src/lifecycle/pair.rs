//! The login pair of refresh-token rotation: an access token and a refresh
//! token of one family, so revoking the family revokes both.

use serde::Serialize;

use crate::token::mint::random_id;
use crate::{AccessToken, Failure, Fresh, JwtError, JwtManager, RefreshToken};

/// An access token and a refresh token of one family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// A login pair being minted; see [`JwtManager::token_pair`].
#[must_use = "call .encode() to get the tokens"]
pub struct TokenPairBuilder<'a> {
    manager: &'a JwtManager,
    access: AccessToken<'a>,
    refresh: RefreshToken<'a>,
}

impl TokenPairBuilder<'_> {
    /// Whether the access token is fresh (a login with a password: `true`).
    /// Defaults to not fresh, as flask's `create_access_token`.
    pub fn fresh(mut self, fresh: impl Into<Fresh>) -> Self {
        self.access = self.access.fresh(fresh);
        self
    }

    /// Adds one claim to both tokens; rotation carries it to every pair of
    /// the family.
    pub fn claim(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        let name = name.into();
        let value = serde_json::to_value(value);
        match value {
            Ok(value) => {
                self.access = self.access.claim(name.clone(), &value);
                self.refresh = self.refresh.claim(name, value);
            }
            Err(e) => {
                // Reported by `encode`, as the token builders do.
                let message = format!("claim cannot be serialised to JSON: {e}");
                self.access = self.access.claims(FailingClaims(message));
            }
        }
        self
    }

    /// Adds every field of `claims` (a JSON object) to both tokens.
    pub fn claims(mut self, claims: impl Serialize) -> Self {
        match serde_json::to_value(claims) {
            Ok(value) => {
                self.access = self.access.claims(&value);
                self.refresh = self.refresh.claims(value);
            }
            Err(e) => {
                let message = format!("additional claims cannot be serialised to JSON: {e}");
                self.access = self.access.claims(FailingClaims(message));
            }
        }
        self
    }

    /// Signs both tokens, with a new family id in their `fam` claim.
    ///
    /// # Errors
    /// As [`AccessToken::encode`].
    pub fn encode(self) -> Result<TokenPair, JwtError> {
        let manager = self.manager;
        self.mint().map_err(|e| manager.render(e))
    }

    fn mint(self) -> Result<TokenPair, Failure> {
        let family = random_id()?;
        Ok(TokenPair {
            access_token: self.access.claim("fam", &family).mint()?,
            refresh_token: self.refresh.claim("fam", &family).mint()?,
        })
    }
}

/// A value whose serialisation fails with `message`, to report an error
/// through the token builder.
struct FailingClaims(String);

impl Serialize for FailingClaims {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(&self.0))
    }
}

impl JwtManager {
    /// Starts minting a login pair for refresh-token rotation: an access
    /// token and a refresh token sharing a new family (`fam`), so reuse
    /// detection, which revokes the family, revokes this access token too.
    /// The loaders run as for [`access_token`](Self::access_token) and
    /// [`refresh_token`](Self::refresh_token).
    ///
    /// ```
    /// # let jwt = jwt_ext::JwtManager::builder().secret_key("0123456789abcdef0123456789abcdef").build().unwrap();
    /// let pair = jwt.token_pair("alice").fresh(true).claim("role", "admin").encode()?;
    /// let access = jwt.decode_token(&pair.access_token)?;
    /// let refresh = jwt.decode_token(&pair.refresh_token)?;
    /// assert_eq!(access.claims()["fam"], refresh.claims()["fam"]);
    /// # Ok::<(), jwt_ext::JwtError>(())
    /// ```
    pub fn token_pair(&self, identity: impl Serialize) -> TokenPairBuilder<'_> {
        TokenPairBuilder {
            manager: self,
            access: self.access_token(&identity),
            refresh: self.refresh_token(&identity),
        }
    }

    /// A login pair with the defaults: see [`token_pair`](Self::token_pair).
    ///
    /// # Errors
    /// As [`AccessToken::encode`].
    pub fn create_token_pair(&self, identity: impl Serialize) -> Result<TokenPair, JwtError> {
        self.token_pair(identity).encode()
    }
}
