//! JSON text byte-compatible with Python's `json.dumps(..., separators=(",", ":"))`
//! (quirks 7 and 8), and Python's truthiness of a JSON value (quirk 6).
//!
//! flask-jwt-extended serialises token payloads with insertion order and
//! `ensure_ascii=True`, token headers with sorted keys, and error bodies with
//! sorted keys plus a trailing newline. Producing the same bytes lets a Flask
//! service and this crate mint indistinguishable tokens and answers.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Key order of JSON objects in the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyOrder {
    /// Keep insertion order (token payloads).
    Insertion,
    /// Sort keys by code point (token headers, `jsonify` bodies).
    Sorted,
}

/// Python's `bool(value)` of the decoded JSON: `None`, `False`, zero (`0`,
/// `0.0`, `-0.0`), `""`, `[]` and `{}` are falsy, everything else is truthy.
/// flask and PyJWT test values with `if not value`, so "present but falsy"
/// reads as "missing".
pub(crate) fn python_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        // -0.0 == 0.0; every integer serde_json holds converts to an f64.
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// Serialises `value` compactly with every non-ASCII character escaped.
#[cfg(test)]
pub(crate) fn to_python_json(value: &Value, order: KeyOrder) -> String {
    let mut out = String::with_capacity(128);
    write_value(&mut out, value, order);
    out
}

/// Serialises a JSON object; see [`to_python_json`].
pub(crate) fn object_to_python_json(map: &Map<String, Value>, order: KeyOrder) -> String {
    let mut out = String::with_capacity(256);
    write_object(&mut out, map, order);
    out
}

/// Serialises `entries` as a JSON object in their order; the names must be
/// distinct.
pub(crate) fn entries_to_python_json<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    write_entries(&mut out, entries, KeyOrder::Insertion);
    out.push('}');
    out
}

fn write_value(out: &mut String, value: &Value, order: KeyOrder) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            // Timestamps are integers: itoa, not the formatting machinery.
            if let Some(i) = n.as_i64() {
                out.push_str(itoa::Buffer::new().format(i));
            } else if let Some(u) = n.as_u64() {
                out.push_str(itoa::Buffer::new().format(u));
            } else {
                let _ = write!(out, "{n}");
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, order);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map, order),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>, order: KeyOrder) {
    out.push('{');
    if order == KeyOrder::Sorted {
        let mut entries: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        // Python sorts str keys by code point; UTF-8 byte order is the same.
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        write_entries(out, entries.into_iter(), order);
    } else {
        write_entries(out, map.iter().map(|(k, v)| (k.as_str(), v)), order);
    }
    out.push('}');
}

fn write_entries<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    order: KeyOrder,
) {
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_value(out, value, order);
    }
}

/// The bytes `ensure_ascii` writes as they are: printable ASCII but `"` and `\`.
static PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        plain[b as usize] = b != b'"' && b != b'\\';
        b += 1;
    }
    plain
};

/// Python's `ensure_ascii` escaping: printable ASCII stays, everything else
/// becomes `\uXXXX` (lower-case hex, surrogate pairs above the BMP).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Most strings (identities, UUIDs, names) need no escape: copy them whole.
    if s.bytes().all(|b| PLAIN[usize::from(b)]) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness_matches_python_bool() {
        // `bool(json.loads(text))` in Python.
        let table = [
            ("null", false),
            ("false", false),
            ("true", true),
            ("0", false),
            ("-0", false),
            ("0.0", false),
            ("-0.0", false),
            ("0e10", false),
            ("1", true),
            ("-1", true),
            ("0.5", true),
            ("5e-324", true),
            ("18446744073709551615", true),
            (r#""""#, false),
            (r#"" ""#, true),
            (r#""0""#, true),
            (r#""false""#, true),
            ("[]", false),
            ("[null]", true),
            ("[0]", true),
            ("{}", false),
            (r#"{"":null}"#, true),
        ];
        for (text, python) in table {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(python_truthy(&value), python, "bool(json.loads({text:?}))");
        }
    }

    #[test]
    fn escapes_like_python_ensure_ascii() {
        let v = json!("é☃\u{1F600}\"\\\n\u{7f}\u{1}");
        assert_eq!(
            to_python_json(&v, KeyOrder::Insertion),
            r#""\u00e9\u2603\ud83d\ude00\"\\\n\u007f\u0001""#
        );
    }

    #[test]
    fn plain_strings_are_copied_as_they_are() {
        let v = json!(["a b~!", "", "x\"y", "x\\y", "x\u{7f}", "x\u{1f}", "\u{e9}"]);
        assert_eq!(
            to_python_json(&v, KeyOrder::Insertion),
            r#"["a b~!","","x\"y","x\\y","x\u007f","x\u001f","\u00e9"]"#
        );
    }

    #[test]
    fn keeps_or_sorts_keys() {
        let v = json!({"typ": "JWT", "alg": "HS256", "kid": "k9"});
        assert_eq!(
            to_python_json(&v, KeyOrder::Insertion),
            r#"{"typ":"JWT","alg":"HS256","kid":"k9"}"#
        );
        assert_eq!(
            to_python_json(&v, KeyOrder::Sorted),
            r#"{"alg":"HS256","kid":"k9","typ":"JWT"}"#
        );
    }

    #[test]
    fn numbers_match_python_repr_for_timestamps() {
        let v = json!([1795871212.922241_f64, 1.0_f64, 0, -5, false, null]);
        assert_eq!(
            to_python_json(&v, KeyOrder::Insertion),
            "[1795871212.922241,1.0,0,-5,false,null]"
        );
    }
}
