//! The payload of a minted token: flask's claims in flask's order, written
//! as Python's `json.dumps` writes them.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::compat::json_dumps::{KeyOrder, entries_to_python_json, object_to_python_json};

/// The names of the claims jwt-ext mints besides the identity.
const MINTED: [&str; 9] = [
    "fresh", "iat", "jti", "type", "nbf", "csrf", "aud", "iss", "exp",
];

/// The claims jwt-ext sets, in insertion order; at most ten, so a list
/// serves where a map would hash every name.
pub(super) struct Payload<'a> {
    entries: Vec<(Cow<'a, str>, Value)>,
    /// The identity claim is named like another claim (`jti`, say): flask's
    /// dict then keeps the name's first position and its last value.
    repeats: bool,
}

impl<'a> Payload<'a> {
    pub(super) fn new(identity_claim: &str) -> Self {
        Payload {
            entries: Vec::with_capacity(10),
            repeats: MINTED.contains(&identity_claim),
        }
    }

    /// Adds a claim.
    pub(super) fn push(&mut self, name: impl Into<Cow<'a, str>>, value: Value) {
        self.entries.push((name.into(), value));
    }

    /// The JSON text after flask's overrides, applied in turn: a claim
    /// already present keeps its position and takes the new value, a new
    /// one comes last.
    pub(super) fn into_json<const N: usize>(self, overrides: [Map<String, Value>; N]) -> String {
        if !self.repeats && overrides.iter().all(Map::is_empty) {
            let entries = self.entries.iter().map(|(name, value)| (&**name, value));
            return entries_to_python_json(entries);
        }
        let mut claims: Map<String, Value> = self
            .entries
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value))
            .collect();
        for extra in overrides {
            claims.extend(extra);
        }
        object_to_python_json(&claims, KeyOrder::Insertion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn a_name_pushed_twice_keeps_its_place_and_takes_the_last_value() {
        let mut payload = Payload::new("jti");
        payload.push("fresh", json!(false));
        payload.push("jti", json!("uuid"));
        payload.push("type", json!("access"));
        payload.push("jti", json!("alice"));
        let fast = payload.into_json([Map::new()]);
        assert_eq!(fast, r#"{"fresh":false,"jti":"alice","type":"access"}"#);
    }

    #[test]
    fn overrides_keep_the_position_of_the_claim_they_replace() {
        let payload = || {
            let mut payload = Payload::new("sub");
            payload.push("fresh", json!(false));
            payload.push("sub", json!("a"));
            payload.push("exp", json!(5));
            payload
        };
        assert_eq!(
            payload().into_json([Map::new(), Map::new()]),
            r#"{"fresh":false,"sub":"a","exp":5}"#
        );
        let loaded = object(json!({"role": "admin", "sub": "b"}));
        let given = object(json!({"exp": 9, "role": "user"}));
        assert_eq!(
            payload().into_json([loaded, given]),
            r#"{"fresh":false,"sub":"b","exp":9,"role":"user"}"#
        );
    }
}
