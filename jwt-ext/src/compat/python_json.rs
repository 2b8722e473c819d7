//! The text of the error Python's `json.loads(bytes)` raises, for PyJWT's
//! `Invalid header string: {e}` and `Invalid payload string: {e}` (quirk 16).
//!
//! This emulates CPython 3.11: `json.detect_encoding` and the codec's
//! `surrogatepass` decoding (`UnicodeDecodeError` texts), the C scanner of
//! `Modules/_json.c` (`scan_once_unicode`, `_parse_object_unicode`,
//! `_parse_array_unicode`, `_match_number_unicode`, `scanstring_unicode`:
//! the same checks in the same order, so the same first error), and
//! `JSONDecoder.decode` (leading whitespace, "Extra data"). Positions count
//! characters of the decoded text, not bytes; line and column are computed
//! as `JSONDecodeError` computes them.
//!
//! It runs only after serde_json has refused a segment, so a valid token
//! never pays for it. It answers `None` where Python would accept the bytes
//! (UTF-16 or UTF-32, a BOM, `NaN`, `1e400`, a lone surrogate, escaped or
//! encoded): jwt-ext refuses those anyway and keeps serde_json's text.
//!
//! One deliberate difference: nesting deeper than serde_json parses (127
//! containers) is Python's `RecursionError` text here, where Python reaches
//! its own recursion limit only near 1000. The scanner keeps its open
//! containers in a vector, so no input can exhaust the stack.

/// The deepest nesting serde_json parses: its recursion limit (128) counts
/// the container that reaches it.
const MAX_DEPTH: usize = 127;
/// Python's default `sys.get_int_max_str_digits()`.
const MAX_INT_DIGITS: usize = 4300;

/// What Python's `json.loads(bytes)` raises for `bytes`, or `None` if it
/// returns a value.
pub(crate) fn error_text(bytes: &[u8]) -> Option<String> {
    match decode(bytes) {
        Ok(doc) => scan(&doc).err().map(|failure| failure.text(&doc)),
        Err(text) => Some(text),
    }
}

/// `bytes.decode(json.detect_encoding(bytes), "surrogatepass")` as code
/// points (lone surrogates included), or the `UnicodeDecodeError` text.
fn decode(bytes: &[u8]) -> Result<Vec<u32>, String> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] => utf32(bytes, 4, true),
        [0xFF, 0xFE, 0, 0, ..] => utf32(bytes, 4, false),
        [0xFE, 0xFF, ..] => utf16(bytes, 2, true),
        [0xFF, 0xFE, ..] => utf16(bytes, 2, false),
        // `utf-8-sig` decodes what follows the BOM: positions start there.
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        [0, b1, ..] if bytes.len() >= 4 => match b1 {
            0 => utf32(bytes, 0, true),
            _ => utf16(bytes, 0, true),
        },
        [_, 0, b2, b3, ..] => match (b2, b3) {
            (0, 0) => utf32(bytes, 0, false),
            _ => utf16(bytes, 0, false),
        },
        [0, _] => utf16(bytes, 0, true),
        [_, 0] => utf16(bytes, 0, false),
        _ => utf8(bytes),
    }
}

/// `str(UnicodeDecodeError(codec, bytes, start, end, reason))`.
fn decode_error(codec: &str, bytes: &[u8], start: usize, end: usize, reason: &str) -> String {
    if end == start + 1 {
        format!(
            "'{codec}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
            bytes[start]
        )
    } else {
        format!(
            "'{codec}' codec can't decode bytes in position {start}-{}: {reason}",
            end - 1
        )
    }
}

fn utf8(bytes: &[u8]) -> Result<Vec<u32>, String> {
    let mut doc = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        if lead < 0x80 {
            doc.push(u32::from(lead));
            i += 1;
            continue;
        }
        match utf8_sequence(&bytes[i..]) {
            Ok((code_point, len)) => {
                doc.push(code_point);
                i += len;
            }
            // `surrogatepass` takes a surrogate encoded in three bytes.
            Err(_) if matches!(bytes[i..], [0xED, 0xA0..=0xBF, 0x80..=0xBF, ..]) => {
                doc.push(utf8_code_point(&bytes[i..i + 3]));
                i += 3;
            }
            Err((len, reason)) => {
                let end = len.map_or(bytes.len(), |len| i + len);
                return Err(decode_error("utf-8", bytes, i, end, reason));
            }
        }
    }
    Ok(doc)
}

/// One multi-byte sequence, checked as CPython's decoder checks it; the
/// error's length is `None` when it runs to the end of the data.
fn utf8_sequence(s: &[u8]) -> Result<(u32, usize), (Option<usize>, &'static str)> {
    let (len, second) = match s[0] {
        0xC2..=0xDF => (2, 0x80..=0xBF),
        0xE0 => (3, 0xA0..=0xBF),
        0xED => (3, 0x80..=0x9F),
        0xE1..=0xEF => (3, 0x80..=0xBF),
        0xF0 => (4, 0x90..=0xBF),
        0xF4 => (4, 0x80..=0x8F),
        0xF1..=0xF3 => (4, 0x80..=0xBF),
        _ => return Err((Some(1), "invalid start byte")),
    };
    for k in 1..len {
        let valid = if k == 1 { second.clone() } else { 0x80..=0xBF };
        match s.get(k) {
            None => return Err((None, "unexpected end of data")),
            Some(b) if !valid.contains(b) => return Err((Some(k), "invalid continuation byte")),
            Some(_) => {}
        }
    }
    Ok((utf8_code_point(&s[..len]), len))
}

fn utf8_code_point(sequence: &[u8]) -> u32 {
    let lead_bits = u32::from(sequence[0]) & (0x7F >> sequence.len());
    sequence[1..]
        .iter()
        .fold(lead_bits, |cp, &b| (cp << 6) | (u32::from(b) & 0x3F))
}

/// UTF-16 with `surrogatepass`: pairs join, lone surrogates stay; only an
/// odd trailing byte is an error.
fn utf16(bytes: &[u8], skip: usize, big_endian: bool) -> Result<Vec<u32>, String> {
    let units: Vec<u32> = bytes[skip..]
        .chunks_exact(2)
        .map(|pair| {
            let pair = [pair[0], pair[1]];
            u32::from(if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            })
        })
        .collect();
    if (bytes.len() - skip) % 2 == 1 {
        let codec = if big_endian { "utf-16-be" } else { "utf-16-le" };
        let last = bytes.len() - 1;
        return Err(decode_error(
            codec,
            bytes,
            last,
            bytes.len(),
            "truncated data",
        ));
    }
    let mut doc = Vec::with_capacity(units.len());
    let mut i = 0;
    while let Some(&unit) = units.get(i) {
        match units.get(i + 1) {
            Some(&low) if (0xD800..0xDC00).contains(&unit) && (0xDC00..0xE000).contains(&low) => {
                doc.push(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                i += 2;
            }
            _ => {
                doc.push(unit);
                i += 1;
            }
        }
    }
    Ok(doc)
}

/// UTF-32 with `surrogatepass`: code points past U+10FFFF and a truncated
/// last unit are errors, in that order of position.
fn utf32(bytes: &[u8], skip: usize, big_endian: bool) -> Result<Vec<u32>, String> {
    let codec = if big_endian { "utf-32-be" } else { "utf-32-le" };
    let body = &bytes[skip..];
    let mut doc = Vec::with_capacity(body.len() / 4);
    for (n, unit) in body.chunks_exact(4).enumerate() {
        let unit = [unit[0], unit[1], unit[2], unit[3]];
        let code_point = if big_endian {
            u32::from_be_bytes(unit)
        } else {
            u32::from_le_bytes(unit)
        };
        if code_point > 0x10FFFF {
            let start = skip + 4 * n;
            let reason = "code point not in range(0x110000)";
            return Err(decode_error(codec, bytes, start, start + 4, reason));
        }
        doc.push(code_point);
    }
    if !body.len().is_multiple_of(4) {
        let start = skip + body.len() / 4 * 4;
        return Err(decode_error(
            codec,
            bytes,
            start,
            bytes.len(),
            "truncated data",
        ));
    }
    Ok(doc)
}

/// Why Python refuses the decoded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// A `JSONDecodeError`: its message and position.
    Json(&'static str, usize),
    /// A `RecursionError` on opening this kind of container.
    Recursion(Container),
    /// `int()` of a literal with this many digits.
    IntDigits(usize),
}

impl Failure {
    fn text(&self, doc: &[u32]) -> String {
        match *self {
            Failure::Json(message, pos) => {
                let before = &doc[..pos];
                let line = before.iter().filter(|&&c| c == NEWLINE).count() + 1;
                let column = match before.iter().rposition(|&c| c == NEWLINE) {
                    Some(newline) => pos - newline,
                    None => pos + 1,
                };
                format!("{message}: line {line} column {column} (char {pos})")
            }
            Failure::Recursion(container) => {
                let kind = match container {
                    Container::Array => "array",
                    Container::Object => "object",
                };
                format!(
                    "maximum recursion depth exceeded while decoding a JSON {kind} from a unicode string"
                )
            }
            Failure::IntDigits(digits) => format!(
                "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: \
                 value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
            ),
        }
    }
}

const NEWLINE: u32 = b'\n' as u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

impl Container {
    fn close(self) -> u32 {
        u32::from(match self {
            Container::Array => b']',
            Container::Object => b'}',
        })
    }
}

/// What starts at a value's position.
enum Term {
    /// A complete value, ending before this index.
    Ends(usize),
    /// A container, opened at the value's position.
    Opens(Container),
}

/// `JSONDecoder.decode`: one value between optional whitespace. The C
/// scanner recurses into containers; here the open ones are a stack.
fn scan(doc: &[u32]) -> Result<(), Failure> {
    let text = Text(doc);
    let mut open: Vec<Container> = Vec::new();
    let mut at = text.skip_whitespace(0);
    loop {
        let mut end = match text.term(at)? {
            Term::Ends(end) => end,
            Term::Opens(container) => {
                if open.len() == MAX_DEPTH {
                    return Err(Failure::Recursion(container));
                }
                let inside = text.skip_whitespace(at + 1);
                if text.is(inside, container.close()) {
                    inside + 1
                } else {
                    open.push(container);
                    at = text.element(container, inside)?;
                    continue;
                }
            }
        };
        // A value ended: close the containers it completes, then find the
        // next element or the end of the document.
        loop {
            let next = text.skip_whitespace(end);
            let Some(&container) = open.last() else {
                return if next == doc.len() {
                    Ok(())
                } else {
                    Err(Failure::Json("Extra data", next))
                };
            };
            if text.is(next, container.close()) {
                open.pop();
                end = next + 1;
                continue;
            }
            if !text.is(next, u32::from(b',')) {
                return Err(Failure::Json("Expecting ',' delimiter", next));
            }
            at = text.element(container, text.skip_whitespace(next + 1))?;
            break;
        }
    }
}

/// The decoded document, read as `_json.c` reads it.
struct Text<'a>(&'a [u32]);

impl Text<'_> {
    fn at(&self, i: usize) -> Option<u32> {
        self.0.get(i).copied()
    }

    fn is(&self, i: usize, c: u32) -> bool {
        self.at(i) == Some(c)
    }

    fn is_digit(&self, i: usize) -> bool {
        self.at(i).is_some_and(|c| (0x30..=0x39).contains(&c))
    }

    fn skip_whitespace(&self, mut i: usize) -> usize {
        while matches!(self.at(i), Some(0x20 | 0x09 | 0x0A | 0x0D)) {
            i += 1;
        }
        i
    }

    fn starts_with(&self, i: usize, word: &str) -> bool {
        self.0
            .get(i..i + word.len())
            .is_some_and(|found| found.iter().copied().eq(word.bytes().map(u32::from)))
    }

    /// Where an element of `container` starting at `i` has its value: an
    /// array's is at `i`, an object's after its name and `:`.
    fn element(&self, container: Container, i: usize) -> Result<usize, Failure> {
        if container == Container::Array {
            return Ok(i);
        }
        if !self.is(i, u32::from(b'"')) {
            return Err(Failure::Json(
                "Expecting property name enclosed in double quotes",
                i,
            ));
        }
        let colon = self.skip_whitespace(self.string(i + 1)?);
        if !self.is(colon, u32::from(b':')) {
            return Err(Failure::Json("Expecting ':' delimiter", colon));
        }
        Ok(self.skip_whitespace(colon + 1))
    }

    /// `scan_once_unicode`: a StopIteration there is "Expecting value".
    fn term(&self, i: usize) -> Result<Term, Failure> {
        let Some(c) = self.at(i) else {
            return Err(Failure::Json("Expecting value", i));
        };
        let word = match u8::try_from(c) {
            Ok(b'"') => return self.string(i + 1).map(Term::Ends),
            Ok(b'{') => return Ok(Term::Opens(Container::Object)),
            Ok(b'[') => return Ok(Term::Opens(Container::Array)),
            Ok(b'n') => "null",
            Ok(b't') => "true",
            Ok(b'f') => "false",
            Ok(b'N') => "NaN",
            Ok(b'I') => "Infinity",
            Ok(b'-') => "-Infinity",
            _ => "",
        };
        if !word.is_empty() && self.starts_with(i, word) {
            return Ok(Term::Ends(i + word.len()));
        }
        self.number(i).map(Term::Ends)
    }

    /// `_match_number_unicode`, with `int()`'s digit limit.
    fn number(&self, start: usize) -> Result<usize, Failure> {
        let last = self.0.len() - 1;
        let not_a_value = Failure::Json("Expecting value", start);
        let mut i = start;
        let negative = self.is(i, u32::from(b'-'));
        if negative {
            i += 1;
            if i > last {
                return Err(not_a_value);
            }
        }
        match self.at(i) {
            Some(0x31..=0x39) => {
                i += 1;
                while self.is_digit(i) {
                    i += 1;
                }
            }
            Some(0x30) => i += 1,
            _ => return Err(not_a_value),
        }
        let digits = i - start - usize::from(negative);
        let mut is_float = false;
        if i < last && self.is(i, u32::from(b'.')) && self.is_digit(i + 1) {
            is_float = true;
            i += 2;
            while self.is_digit(i) {
                i += 1;
            }
        }
        if i < last && matches!(self.at(i), Some(0x45 | 0x65)) {
            let exponent = i;
            i += 1;
            if i < last && matches!(self.at(i), Some(0x2B | 0x2D)) {
                i += 1;
            }
            while self.is_digit(i) {
                i += 1;
            }
            if self.is_digit(i - 1) {
                is_float = true;
            } else {
                i = exponent;
            }
        }
        if !is_float && digits > MAX_INT_DIGITS {
            return Err(Failure::IntDigits(digits));
        }
        Ok(i)
    }

    /// `scanstring_unicode` (strict): `end` follows the opening quote; the
    /// answer follows the closing one.
    fn string(&self, mut end: usize) -> Result<usize, Failure> {
        let begin = end - 1;
        let len = self.0.len();
        let unterminated = Failure::Json("Unterminated string starting at", begin);
        let bad_unicode = |at| Failure::Json("Invalid \\uXXXX escape", at);
        loop {
            let mut next = end;
            loop {
                match self.at(next) {
                    None => return Err(unterminated),
                    Some(0x22) => return Ok(next + 1),
                    Some(0x5C) => break,
                    Some(0..=0x1F) => {
                        return Err(Failure::Json("Invalid control character at", next));
                    }
                    Some(_) => next += 1,
                }
            }
            next += 1;
            let Some(escape) = self.at(next) else {
                return Err(unterminated);
            };
            if escape != u32::from(b'u') {
                end = next + 1;
                if !matches!(
                    u8::try_from(escape),
                    Ok(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't')
                ) {
                    return Err(Failure::Json("Invalid \\escape", end - 2));
                }
                continue;
            }
            next += 1;
            end = next + 4;
            if end >= len {
                return Err(bad_unicode(next - 1));
            }
            let unit = self.hex4(next).ok_or_else(|| bad_unicode(end - 5))?;
            // A high surrogate takes a following `\uXXXX` escape along; if
            // that is not a low surrogate it is read again on its own.
            if (0xD800..0xDC00).contains(&unit)
                && end + 6 < len
                && self.is(end, u32::from(b'\\'))
                && self.is(end + 1, u32::from(b'u'))
            {
                end += 6;
                let low = self.hex4(end - 4).ok_or_else(|| bad_unicode(end - 5))?;
                if !(0xDC00..0xE000).contains(&low) {
                    end -= 6;
                }
            }
        }
    }

    fn hex4(&self, i: usize) -> Option<u32> {
        self.0[i..i + 4].iter().try_fold(0, |value, &c| {
            char::from_u32(c)
                .filter(char::is_ascii_hexdigit)
                .and_then(|c| c.to_digit(16))
                .map(|digit| value << 4 | digit)
        })
    }
}

#[cfg(test)]
#[path = "python_json_tests.rs"]
mod tests;
