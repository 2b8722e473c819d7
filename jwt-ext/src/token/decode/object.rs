//! A token segment's JSON object, parsed into a map allocated once.
//!
//! `serde_json::Value` grows its map from empty as members arrive (three
//! reallocations and rehashes for a flask token's eight claims); this
//! visitor starts at the expected size. Members are inserted as `Value`
//! inserts them, so a repeated name keeps its first position and takes
//! its last value.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A segment's top-level JSON value: an object, or the fact that it is not one.
pub(super) enum Segment<const CAPACITY: usize> {
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
