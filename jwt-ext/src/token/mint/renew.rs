//! Minting from a verified token, for `ImplicitRefresh` and refresh-token
//! rotation: the new token carries the identity and the custom claims of
//! the one it replaces.
//!
//! The identity loader and the additional-claims loader do not run again:
//! they ran when the original was minted, and their output is what is
//! copied. Running them again would feed them the identity claim instead
//! of the object they were written for (`user["name"]` of a string is
//! `null`).

use serde_json::{Map, Value};

use super::{AccessToken, RefreshToken, Spec};
use crate::config::Settings;
use crate::{DecodedJwt, JwtManager, TokenType};

impl JwtManager {
    /// A non-fresh access token renewing `from`.
    pub(crate) fn renewed_access_token(&self, from: &DecodedJwt) -> AccessToken<'_> {
        AccessToken(renewal(self, TokenType::Access, from))
    }

    /// A refresh token renewing `from`.
    pub(crate) fn renewed_refresh_token(&self, from: &DecodedJwt) -> RefreshToken<'_> {
        RefreshToken(renewal(self, TokenType::Refresh, from))
    }
}

fn renewal<'a>(manager: &'a JwtManager, kind: TokenType, from: &DecodedJwt) -> Spec<'a> {
    let settings = manager.settings();
    let mut spec = Spec::new(manager, kind, from.identity());
    let copied: Map<String, Value> = from
        .claims()
        .iter()
        .filter(|(name, _)| !minted_afresh(settings, name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    spec.renews = Some(copied);
    spec
}

/// The claims every minted token gets anew; the configured `iss` and `aud`
/// are among them, an `iss` or `aud` the application added is not.
fn minted_afresh(settings: &Settings, name: &str) -> bool {
    match name {
        "iat" | "nbf" | "jti" | "exp" | "type" | "fresh" | "csrf" => true,
        "iss" => settings.encode_issuer.is_some(),
        "aud" => settings.encode_audience.is_some(),
        _ => name == &*settings.identity_claim,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::JwtManager;

    #[test]
    fn configured_issuer_and_audience_are_minted_afresh_others_are_copied() {
        let old = JwtManager::builder()
            .secret_key("0123456789abcdef0123456789abcdef")
            .encode_issuer("old-issuer")
            .build()
            .unwrap();
        let token = old
            .access_token("ann")
            .claim("aud", "app")
            .claim("scope", ["read"])
            .encode()
            .unwrap();
        let decoded = old.decode_token(&token).unwrap();
        let new = JwtManager::builder()
            .secret_key("0123456789abcdef0123456789abcdef")
            .encode_issuer("new-issuer")
            .build()
            .unwrap();
        let renewed = new.renewed_access_token(&decoded).encode().unwrap();
        let claims = new.decode_token(&renewed).unwrap().into_parts().1;
        assert_eq!(claims["iss"], "new-issuer");
        assert_eq!(claims["aud"], "app", "not configured: a custom claim");
        assert_eq!(claims["scope"], json!(["read"]));
        assert_eq!(claims["sub"], "ann");
    }
}
