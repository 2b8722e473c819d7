//! The `aud` claim: one audience or several.

use serde_json::Value;

/// One or several audiences, for `JWT_ENCODE_AUDIENCE` and `JWT_DECODE_AUDIENCE`.
///
/// When minting, `One` writes `"aud":"api"` and `Many` writes a list (even of
/// one), as flask does. When verifying, a token matches if any of its
/// audiences equals any configured one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A single audience, written as a string.
    One(String),
    /// Several audiences, written as a list.
    Many(Vec<String>),
}

impl Audience {
    /// The configured audiences as a slice-like list.
    pub(crate) fn values(&self) -> Vec<String> {
        match self {
            Audience::One(aud) => vec![aud.clone()],
            Audience::Many(auds) => auds.clone(),
        }
    }

    /// The claim value to mint, or `None` when flask would omit it (falsy).
    pub(crate) fn claim(&self) -> Option<Value> {
        match self {
            Audience::One(aud) if aud.is_empty() => None,
            Audience::Many(auds) if auds.is_empty() => None,
            Audience::One(aud) => Some(Value::String(aud.clone())),
            Audience::Many(auds) => Some(Value::Array(
                auds.iter().cloned().map(Value::String).collect(),
            )),
        }
    }
}

impl From<&str> for Audience {
    fn from(aud: &str) -> Self {
        Audience::One(aud.to_owned())
    }
}

impl From<String> for Audience {
    fn from(aud: String) -> Self {
        Audience::One(aud)
    }
}

impl From<Vec<String>> for Audience {
    fn from(auds: Vec<String>) -> Self {
        Audience::Many(auds)
    }
}

impl<const N: usize> From<[&str; N]> for Audience {
    fn from(auds: [&str; N]) -> Self {
        Audience::Many(auds.iter().map(|a| (*a).to_owned()).collect())
    }
}
