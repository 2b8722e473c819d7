//! The compact serialisation: three base64url segments, checked in PyJWT's
//! order with PyJWT's messages, but strictly (no padding, no stray bytes, no
//! non-canonical trailing bits).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::Failure;
use crate::compat::python_json;

/// `alg`, `typ` and a `kid`.
const HEADER_MEMBERS: usize = 3;
/// flask's eight claims, an audience and an issuer.
const PAYLOAD_MEMBERS: usize = 10;

/// A token split and decoded, its signature not yet checked.
pub(crate) struct Segments<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Map<String, Value>,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes `token`; every structural error surfaces here, before
/// any key is chosen or any signature computed.
pub(crate) fn split(token: &str, max_size: usize) -> Result<Segments<'_>, Failure> {
    if token.len() > max_size {
        return Err(Failure::invalid_token(format!(
            "Token is larger than the maximum of {max_size} bytes"
        )));
    }
    let (signing_input, crypto_segment) = token
        .rsplit_once('.')
        .ok_or_else(|| Failure::invalid_token("Not enough segments"))?;
    let (header_segment, payload_segment) = signing_input
        .split_once('.')
        .ok_or_else(|| Failure::invalid_token("Not enough segments"))?;

    let header_bytes = decode_segment(header_segment, "header")?;
    let header = match serde_json::from_slice::<Segment<HEADER_MEMBERS>>(&header_bytes) {
        Ok(Segment::Object(map)) => map,
        Ok(Segment::NotAnObject) => {
            return Err(Failure::invalid_token(
                "Invalid header string: must be a json object",
            ));
        }
        Err(e) => return Err(invalid_json("header", &header_bytes, &e)),
    };
    // A `.` in the payload segment (more than three segments) is not base64url.
    let payload_bytes = decode_segment(payload_segment, "payload")?;
    let signature = decode_segment(crypto_segment, "crypto")?;
    validate_header(&header)?;
    let payload = match serde_json::from_slice::<Segment<PAYLOAD_MEMBERS>>(&payload_bytes) {
        Ok(Segment::Object(map)) => map,
        Ok(Segment::NotAnObject) => {
            return Err(Failure::invalid_token(
                "Invalid payload string: must be a json object",
            ));
        }
        Err(e) => return Err(invalid_json("payload", &payload_bytes, &e)),
    };
    Ok(Segments {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// PyJWT's message for a segment that is not JSON: Python's `json` error
/// text where Python refuses the bytes too, serde_json's where only
/// jwt-ext does (see `python_json`).
#[cold]
fn invalid_json(name: &str, bytes: &[u8], err: &serde_json::Error) -> Failure {
    let text = python_json::error_text(bytes).unwrap_or_else(|| err.to_string());
    Failure::invalid_token(format!("Invalid {name} string: {text}"))
}

fn decode_segment(segment: &str, name: &str) -> Result<Vec<u8>, Failure> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Failure::invalid_token(format!("Invalid {name} padding")))
}

/// PyJWT's header checks: `kid` is a string; `crit` lists only understood
/// extensions (jwt-ext understands none, so any `crit` is refused).
fn validate_header(header: &Map<String, Value>) -> Result<(), Failure> {
    if header.get("kid").is_some_and(|kid| !kid.is_string()) {
        return Err(Failure::invalid_token(
            "Key ID header parameter must be a string",
        ));
    }
    if let Some(crit) = header.get("crit") {
        // PyJWT walks the list and stops at the first extension it cannot
        // use; jwt-ext understands none, so the first one decides (quirk 12).
        return Err(Failure::invalid_token(match crit {
            Value::Array(items) => match items.first() {
                None => "Invalid 'crit' header: must be a non-empty list".to_owned(),
                Some(Value::String(ext)) => format!("Unsupported critical extension: {ext}"),
                Some(_) => "Invalid 'crit' header: values must be strings".to_owned(),
            },
            _ => "Invalid 'crit' header: must be a non-empty list".to_owned(),
        }));
    }
    if header.get("b64") == Some(&Value::Bool(false)) {
        return Err(Failure::invalid_token(
            "The 'b64' header parameter requires 'b64' to be listed in 'crit'.",
        ));
    }
    Ok(())
}

// A token segment's JSON object, parsed into a map allocated once.
//
// `serde_json::Value` grows its map from empty as members arrive (three
// reallocations and rehashes for a flask token's eight claims); this
// visitor starts at the expected size. Members are inserted as `Value`
// inserts them, so a repeated name keeps its first position and takes
// its last value.

/// A segment's top-level JSON value: an object, or the fact that it is not one.
enum Segment<const CAPACITY: usize> {
    Object(Map<String, Value>),
    NotAnObject,
}

impl<'de, const CAPACITY: usize> Deserialize<'de> for Segment<CAPACITY> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SegmentVisitor::<CAPACITY>)
    }
}

struct SegmentVisitor<const CAPACITY: usize>;

impl<'de, const CAPACITY: usize> Visitor<'de> for SegmentVisitor<CAPACITY> {
    type Value = Segment<CAPACITY>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::with_capacity(CAPACITY);
        while let Some((name, value)) = members.next_entry::<String, Value>()? {
            map.insert(name, value);
        }
        Ok(Segment::Object(map))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        // Read to the end as `Value` reads it, so a malformed array is still
        // a syntax error and deep nesting still meets the recursion limit.
        while items.next_element::<Value>()?.is_some() {}
        Ok(Segment::NotAnObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Segment::NotAnObject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn message(token: &str) -> String {
        match split(token, 8192) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.message().to_owned(),
        }
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(payload), b64("sig"))
    }

    #[test]
    fn structure_messages_follow_pyjwt() {
        assert_eq!(message("abc"), "Not enough segments");
        assert_eq!(message("a.b"), "Not enough segments");
        assert_eq!(message("a.b.c"), "Invalid header padding");
        let h = b64(r#"{"alg":"HS256"}"#);
        assert_eq!(message(&format!("{h}.a.b.c")), "Invalid payload padding");
        assert_eq!(
            message(&format!("{h}.{}.a", b64("{}"))),
            "Invalid crypto padding"
        );
        assert_eq!(
            message(&token("[]", "{}")),
            "Invalid header string: must be a json object"
        );
        assert_eq!(
            message(&token("{}", "[]")),
            "Invalid payload string: must be a json object"
        );
        // Python's `json` texts, as PyJWT's messages embed them (quirk 16).
        assert_eq!(
            message(&token("{", "{}")),
            "Invalid header string: Expecting property name enclosed in double quotes: \
             line 1 column 2 (char 1)"
        );
        assert_eq!(
            message(&token("{}", "nope")),
            "Invalid payload string: Expecting value: line 1 column 1 (char 0)"
        );
        // Python reads `NaN`; only jwt-ext refuses it, in serde_json's words.
        assert_eq!(
            message(&token("{}", r#"{"exp":NaN}"#)),
            "Invalid payload string: expected value at line 1 column 8"
        );
        assert_eq!(message(&token("{}", "{}")), "ok");
    }

    #[test]
    fn base64_is_strict() {
        let good = token(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#);
        let (h, rest) = good.split_once('.').unwrap();
        assert_eq!(message(&format!("{h}=.{rest}")), "Invalid header padding");
        assert_eq!(message(&format!("{h}.+{rest}")), "Invalid payload padding");
        // "AA" is one zero byte; "AB" encodes the same byte with non-zero trailing bits.
        assert_eq!(message(&format!("{h}.{}.AA", b64("{}"))), "ok");
        assert_eq!(
            message(&format!("{h}.{}.AB", b64("{}"))),
            "Invalid crypto padding"
        );
        assert_eq!(
            message(&format!("{h}.{}.c2ln\n", b64("{}"))),
            "Invalid crypto padding"
        );
    }

    #[test]
    fn header_checks() {
        assert_eq!(
            message(&token(r#"{"kid":5}"#, "{}")),
            "Key ID header parameter must be a string"
        );
        assert_eq!(
            message(&token(r#"{"crit":["x-custom"]}"#, "{}")),
            "Unsupported critical extension: x-custom"
        );
        assert_eq!(
            message(&token(r#"{"crit":[]}"#, "{}")),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            message(&token(r#"{"crit":"b64"}"#, "{}")),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            message(&token(r#"{"crit":[123]}"#, "{}")),
            "Invalid 'crit' header: values must be strings"
        );
    }

    #[test]
    fn oversized_tokens_are_refused_before_decoding() {
        let big = "a".repeat(9000);
        assert_eq!(
            message(&big),
            "Token is larger than the maximum of 8192 bytes"
        );
        // Many dots: split once from each end, no per-dot work.
        let dots = ".".repeat(8000);
        assert_eq!(
            message(&dots),
            "Invalid header string: Expecting value: line 1 column 1 (char 0)"
        );
    }
}

#[cfg(test)]
mod object_tests {
    use super::*;

    fn parse(json: &str) -> Result<Option<Vec<(String, Value)>>, String> {
        match serde_json::from_str::<Segment<4>>(json) {
            Ok(Segment::Object(map)) => Ok(Some(map.into_iter().collect())),
            Ok(Segment::NotAnObject) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn objects_keep_value_semantics() {
        let json = r#"{"b":1,"a":{"x":[1,2.5,"s",null,true]},"b":2}"#;
        let value: Value = serde_json::from_str(json).unwrap();
        let expected: Vec<(String, Value)> =
            value.as_object().unwrap().clone().into_iter().collect();
        assert_eq!(parse(json).unwrap(), Some(expected));
    }

    #[test]
    fn other_values_are_not_objects_and_bad_json_is_an_error() {
        for json in ["[]", "[1,[2]]", "1", "-1", "1.5", "\"s\"", "null", "true"] {
            assert_eq!(parse(json), Ok(None), "{json}");
        }
        let deep = "[".repeat(10_000);
        for json in ["[1,", "{", "{} x", "[] x", "", "{\"a\":}", &deep] {
            let ours = parse(json).unwrap_err();
            let values = serde_json::from_str::<Value>(json).unwrap_err().to_string();
            assert_eq!(ours, values, "{json}");
        }
    }
}
