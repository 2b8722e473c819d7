//! Python's texts for a table of malformed segments.
//!
//! The expected texts are CPython 3.11's. To regenerate the table, run in
//! this folder, with a Python 3.11 (PyJWT's `json`):
//!
//! ```text
//! python3 - python_json_tests.rs <<'PY'
//! import ast, json, re, sys
//! for m in re.findall(r'^\s*\(b"((?:[^"\\]|\\.)*)", ', open(sys.argv[1]).read(), re.M):
//!     try: json.loads(ast.literal_eval('b"%s"' % m)); text = None
//!     except (ValueError, RecursionError) as e: text = str(e)
//!     print('    (b"%s", %s),' % (m, 'Some(%s)' % json.dumps(text) if text else 'None'))
//! PY
//! ```

use super::*;

/// Each input with what `str(e)` of `json.loads(input)` reads, or `None`
/// where Python accepts the input.
#[rustfmt::skip]
const CASES: &[(&[u8], Option<&str>)] = &[
    (b"", Some("Expecting value: line 1 column 1 (char 0)")),
    (b" \t\r\n", Some("Expecting value: line 2 column 1 (char 4)")),
    (b"\x00", Some("Expecting value: line 1 column 1 (char 0)")),
    (b"{\"a\":1} x", Some("Extra data: line 1 column 9 (char 8)")),
    (b"{\"a\":1}}", Some("Extra data: line 1 column 8 (char 7)")),
    (b"nulll", Some("Extra data: line 1 column 5 (char 4)")),
    (b"{\"a\" 1}", Some("Expecting ':' delimiter: line 1 column 6 (char 5)")),
    (b"{\"a\":1 \"b\":2}", Some("Expecting ',' delimiter: line 1 column 8 (char 7)")),
    (b"{a:1}", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
    (b"{\"a\":1,}", Some("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)")),
    (b"{\"a\":1,", Some("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)")),
    (b"{", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
    (b"[", Some("Expecting value: line 1 column 2 (char 1)")),
    (b"[1,]", Some("Expecting value: line 1 column 4 (char 3)")),
    (b"[1 2]", Some("Expecting ',' delimiter: line 1 column 4 (char 3)")),
    (b"[[[[]]]", Some("Expecting ',' delimiter: line 1 column 8 (char 7)")),
    (b"{\"a\":{\"b\":{}}", Some("Expecting ',' delimiter: line 1 column 14 (char 13)")),
    (b"{\"a\":[{\"b\":[1,{\"c\":nul}]}]}", Some("Expecting value: line 1 column 20 (char 19)")),
    (b"{\"a\":\"abc", Some("Unterminated string starting at: line 1 column 6 (char 5)")),
    (b"{\"a\":\"abc\\", Some("Unterminated string starting at: line 1 column 6 (char 5)")),
    (b"{\"a\":\"ab\x01c\"}", Some("Invalid control character at: line 1 column 9 (char 8)")),
    (b"{\"a\":\"ab\tc\"}", Some("Invalid control character at: line 1 column 9 (char 8)")),
    (b"{\"a\":\"\\x\"}", Some("Invalid \\escape: line 1 column 7 (char 6)")),
    (b"{\"a\":\"\\u12G4\"}", Some("Invalid \\uXXXX escape: line 1 column 8 (char 7)")),
    (b"{\"a\":\"\\u12\"}", Some("Invalid \\uXXXX escape: line 1 column 8 (char 7)")),
    (b"[\"\\u00\"]", Some("Invalid \\uXXXX escape: line 1 column 4 (char 3)")),
    (b"\"\\u0041", Some("Invalid \\uXXXX escape: line 1 column 3 (char 2)")),
    (b"\"\\ud800\\udc0", Some("Invalid \\uXXXX escape: line 1 column 9 (char 8)")),
    (b"\"\\ud800\\uzzzz\"", Some("Invalid \\uXXXX escape: line 1 column 9 (char 8)")),
    (b"\"\\ud800\\udc00", Some("Invalid \\uXXXX escape: line 1 column 9 (char 8)")),
    (b"\"\\ud800\\n\"", None),
    (b"\"\\ud800\\u0041\" x", Some("Extra data: line 1 column 16 (char 15)")),
    (b"{\"\\ud834\\udd1e\": \"x\" y", Some("Expecting ',' delimiter: line 1 column 22 (char 21)")),
    (b"\"a\\\\b\\/c\\u00e9\\\"\" x", Some("Extra data: line 1 column 19 (char 18)")),
    (b"{\n  \"a\": 1,\n  \"b\": [1, 2\n   3]\n}", Some("Expecting ',' delimiter: line 4 column 4 (char 28)")),
    (b"\r\n{\"a\":\n\n tru}", Some("Expecting value: line 4 column 2 (char 10)")),
    (b"{\"a\":\n1}\n\nx", Some("Extra data: line 4 column 1 (char 10)")),
    (b"{\"\xc3\xa9\":\"\xc3\xbc\xe2\x82\xac\xf0\x9d\x84\x9e\" x}", Some("Expecting ',' delimiter: line 1 column 12 (char 11)")),
    (b"{\"\xe2\x82\xac\":\n\"\xf0\x9d\x84\x9e\"\n,}", Some("Expecting property name enclosed in double quotes: line 3 column 2 (char 11)")),
    (b"[-]", Some("Expecting value: line 1 column 2 (char 1)")),
    (b"-", Some("Expecting value: line 1 column 1 (char 0)")),
    (b"[01]", Some("Expecting ',' delimiter: line 1 column 3 (char 2)")),
    (b"[1.]", Some("Expecting ',' delimiter: line 1 column 3 (char 2)")),
    (b"[1.e5]", Some("Expecting ',' delimiter: line 1 column 3 (char 2)")),
    (b"[1e]", Some("Expecting ',' delimiter: line 1 column 3 (char 2)")),
    (b"[1e+]", Some("Expecting ',' delimiter: line 1 column 3 (char 2)")),
    (b"1e5", None),
    (b"-Infinityx", Some("Extra data: line 1 column 10 (char 9)")),
    (b"-Inf", Some("Expecting value: line 1 column 1 (char 0)")),
    (b"[nul]", Some("Expecting value: line 1 column 2 (char 1)")),
    (b"[tru e]", Some("Expecting value: line 1 column 2 (char 1)")),
    (b"[falsey]", Some("Expecting ',' delimiter: line 1 column 7 (char 6)")),
    (b"{\"exp\": 1E5, \"x\": .5}", Some("Expecting value: line 1 column 19 (char 18)")),
    (b"[NaN, Infinity, -Infinity]", None),
    (b"[1e400, -0.0e-0, 123456789012345678901234567890]", None),
    (b"{\"a\":\"\\ud800\"}", None),
    (b"{\"a\" : [ ] , \"b\" : { } }  \n", None),
    (b"{\"a\":\"\xff\"}", Some("'utf-8' codec can't decode byte 0xff in position 6: invalid start byte")),
    (b"{\"a\":\"\xc3\"}", Some("'utf-8' codec can't decode byte 0xc3 in position 6: invalid continuation byte")),
    (b"{\"a\":\"\xc3", Some("'utf-8' codec can't decode byte 0xc3 in position 6: unexpected end of data")),
    (b"\xe2\x82", Some("'utf-8' codec can't decode bytes in position 0-1: unexpected end of data")),
    (b"{\"\xe2\x82\xac\xe2\x28\xa1\":1}", Some("'utf-8' codec can't decode byte 0xe2 in position 5: invalid continuation byte")),
    (b"\xf0\x90\x80", Some("'utf-8' codec can't decode bytes in position 0-2: unexpected end of data")),
    (b"\xf0\x90\x80x", Some("'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte")),
    (b"\xf0\x80\x80\x80", Some("'utf-8' codec can't decode byte 0xf0 in position 0: invalid continuation byte")),
    (b"\xf4\x90\x80\x80", Some("'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte")),
    (b"\xe0\x80\x80", Some("'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte")),
    (b"\xed\xa0\x80", Some("Expecting value: line 1 column 1 (char 0)")),
    (b"\"\xed\xa0\x80\"", None),
    (b"\"\xed\xa0\"", Some("'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte")),
    (b"\xc0\xaf", Some("'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte")),
    (b"\x80", Some("'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte")),
    (b"\xf5", Some("'utf-8' codec can't decode byte 0xf5 in position 0: invalid start byte")),
    (b"\xef\xbb\xbf{\"a\":\xff}", Some("'utf-8' codec can't decode byte 0xff in position 5: invalid start byte")),
    (b"\xef\xbb\xbf{\"a\":1}", None),
    (b"\xef\xbb\xbf{\"a\" 1}", Some("Expecting ':' delimiter: line 1 column 6 (char 5)")),
    (b"\xef\xbb\xbf", Some("Expecting value: line 1 column 1 (char 0)")),
    (b"{\x00\"\x00a\x00\"\x00:\x001\x00}\x00", None),
    (b"\xff\xfe{\x00}\x00x", Some("'utf-16-le' codec can't decode byte 0x78 in position 6: truncated data")),
    (b"\x00{\x00\"\x00a\x00\"\x00 \x001\x00}", Some("Expecting ':' delimiter: line 1 column 6 (char 5)")),
    (b"{\x00\xe9\x00", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
    (b"\xff\xfe{\x00\x00\xd8", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
    (b"\x00{", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
    (b"{\x00\x00\x00\x00\x00\x11\x00", Some("'utf-32-le' codec can't decode bytes in position 4-7: code point not in range(0x110000)")),
    (b"\xff\xfe\x00\x00{\x00\x00\x00x", Some("'utf-32-le' codec can't decode byte 0x78 in position 8: truncated data")),
    (b"\x00\x00\x00[\x00\x00\x00]", None),
    (b"\x00\x00\xfe\xff\x00\x00\x00{", Some("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
];

#[test]
fn every_message_kind_reads_as_python_writes_it() {
    let mut wrong = Vec::new();
    for &(input, expected) in CASES {
        let ours = error_text(input);
        if ours.as_deref() != expected {
            wrong.push(format!(
                "{}: ours {ours:?}, Python {expected:?}",
                input.escape_ascii()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn integers_over_4300_digits_are_refused_as_python_refuses_them() {
    // python3 -c 'import json; json.loads("[-" + "1" * 4301 + "]")', and
    // likewise for the other two documents.
    let over = format!("[-{}]", "1".repeat(4301));
    assert_eq!(
        error_text(over.as_bytes()).as_deref(),
        Some(
            "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 \
             digits; use sys.set_int_max_str_digits() to increase the limit"
        )
    );
    let at_limit = format!("[{}, x]", "1".repeat(4300));
    assert_eq!(
        error_text(at_limit.as_bytes()).as_deref(),
        Some("Expecting value: line 1 column 4304 (char 4303)")
    );
    // A float is not an int(): no limit.
    let float = format!("[{}.0, x]", "1".repeat(5000));
    assert_eq!(
        error_text(float.as_bytes()).as_deref(),
        Some("Expecting value: line 1 column 5006 (char 5005)")
    );
}

/// `[` and `{"a":` nested `depth` times, closed.
fn nested(depth: usize) -> (String, String) {
    (
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)),
    )
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    let (arrays, objects) = nested(MAX_DEPTH);
    for doc in [&arrays, &objects] {
        assert!(serde_json::from_str::<serde_json::Value>(doc).is_ok());
        assert_eq!(error_text(doc.as_bytes()), None, "{doc}");
    }
    let (arrays, objects) = nested(MAX_DEPTH + 1);
    for doc in [&arrays, &objects] {
        let serde = serde_json::from_str::<serde_json::Value>(doc).unwrap_err();
        assert!(serde.to_string().starts_with("recursion limit exceeded"));
    }
    // python3 -c 'import json; json.loads("[" * 2000)' and '{"a":' * 2000
    assert_eq!(
        error_text(arrays.as_bytes()).as_deref(),
        Some("maximum recursion depth exceeded while decoding a JSON array from a unicode string")
    );
    assert_eq!(
        error_text(objects.as_bytes()).as_deref(),
        Some("maximum recursion depth exceeded while decoding a JSON object from a unicode string")
    );
    // An error met before the limit is reported, as both parsers meet it first.
    let early = format!("[x{}", "[".repeat(1000));
    assert_eq!(
        error_text(early.as_bytes()).as_deref(),
        Some("Expecting value: line 1 column 2 (char 1)")
    );
}

#[test]
fn deep_input_never_exhausts_the_stack() {
    // Far deeper than any token, in a thread with a small stack: a
    // recursive scanner would overflow it.
    let deep = "[".repeat(1_000_000);
    let text = std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(move || error_text(deep.as_bytes()))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(
        text.as_deref(),
        Some("maximum recursion depth exceeded while decoding a JSON array from a unicode string")
    );
    // Deep but closed strings and arrays at the limit: linear, no recursion.
    let wide = format!("[{}]", vec!["[[]]"; 100_000].join(","));
    assert_eq!(error_text(wide.as_bytes()), None);
}
