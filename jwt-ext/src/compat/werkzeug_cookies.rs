//! The `Cookie` header read as flask reads it: Werkzeug 3.1.9's
//! `parse_cookie` (`werkzeug/sansio/http.py`), byte for byte (quirk 4).
//!
//! A WSGI server hands the header to Werkzeug as Latin-1 text, so every byte
//! is a character: a non-UTF-8 byte in one cookie hides nothing else. Each
//! pair is matched by Werkzeug's `_cookie_re`; a pair that does not match (a
//! value with a space, a stray `"`, an empty name) is skipped up to the next
//! `;`. Values are taken as sent: no percent-decoding. Only a value in double
//! quotes is unescaped, `\ooo` octal escapes and `\c`, and its bytes read as
//! UTF-8 with replacement characters (Werkzeug's `_cookie_unslash_re`).

use std::borrow::Cow;

use crate::compat::wsgi::latin1;

/// The value of the first cookie called `name`, as flask's
/// `request.cookies.get(name)`. Borrowed unless the value needs unescaping
/// or holds a non-ASCII byte. `name` is ASCII (cookie names are checked at
/// start-up), so comparing bytes is comparing Latin-1 text.
pub(crate) fn get<'h>(header: &'h [u8], name: &str) -> Option<Cow<'h, str>> {
    pairs(header)
        .find(|(key, _)| *key == name.as_bytes())
        .map(|(_, value)| value.decode())
}

/// The pairs of `header` in order, repeated names included (Werkzeug's
/// `MultiDict`).
pub(crate) fn pairs(header: &[u8]) -> Pairs<'_> {
    Pairs { header, pos: 0 }
}

/// Iterator of [`pairs`]: raw names and values.
pub(crate) struct Pairs<'h> {
    header: &'h [u8],
    /// Where the next match is tried; past the end once done.
    pos: usize,
}

/// A value as it appears in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawValue<'h> {
    /// An unquoted value (empty for a bare name).
    Plain(&'h [u8]),
    /// The inside of a quoted value, escapes not yet undone.
    Quoted(&'h [u8]),
}

impl<'h> Iterator for Pairs<'h> {
    type Item = (&'h [u8], RawValue<'h>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.pos <= self.header.len() {
            if let Some((pair, end)) = match_pair(self.header, self.pos) {
                self.pos = end;
                return Some(pair);
            }
            // Werkzeug skips invalid characters up to the next semicolon.
            self.pos = match find(self.header, self.pos, |b| b == b';') {
                Some(semicolon) => semicolon + 1,
                None => self.header.len() + 1,
            };
        }
        None
    }
}

impl<'h> RawValue<'h> {
    /// The value as the Python string Werkzeug returns.
    pub(crate) fn decode(self) -> Cow<'h, str> {
        match self {
            RawValue::Plain(bytes) => latin1(bytes),
            RawValue::Quoted(inner) if !inner.contains(&b'\\') => latin1(inner),
            RawValue::Quoted(inner) => Cow::Owned(unslash(inner)),
        }
    }
}

/// `_cookie_re` anchored at `start`:
///
/// ```text
/// [ \t]* ([^ \t=";]+) (?:[ \t]*=[ \t]*("(?:[^\\"]|\\.)*"|[^ \t";]*))? [ \t]* (?:;|\Z)
/// ```
///
/// The regex can backtrack into nothing that would match: the name stops at
/// a character that cannot follow it, a quoted value has one possible end,
/// and a shorter token leaves a token character where `;` or the end must
/// be. So one forward pass decides. Returns the pair and where it ends.
fn match_pair(s: &[u8], start: usize) -> Option<((&[u8], RawValue<'_>), usize)> {
    let name_start = skip_blanks(s, start);
    let name_end = find(s, name_start, |b| {
        matches!(b, b' ' | b'\t' | b'=' | b'"' | b';')
    })
    .unwrap_or(s.len());
    if name_end == name_start {
        return None;
    }
    let name = &s[name_start..name_end];
    let equals = skip_blanks(s, name_end);
    if s.get(equals) != Some(&b'=') {
        return end_of_pair(s, name_end).map(|end| ((name, RawValue::Plain(b"")), end));
    }
    // With an `=` the pair must take the value: without it, `=` would have
    // to end the pair.
    let value_start = skip_blanks(s, equals + 1);
    if s.get(value_start) == Some(&b'"') {
        // The unquoted alternative matches nothing before a `"`, which
        // cannot end a pair either.
        let close = closing_quote(s, value_start + 1)?;
        let end = end_of_pair(s, close + 1)?;
        return Some(((name, RawValue::Quoted(&s[value_start + 1..close])), end));
    }
    let value_end =
        find(s, value_start, |b| matches!(b, b' ' | b'\t' | b'"' | b';')).unwrap_or(s.len());
    let end = end_of_pair(s, value_end)?;
    Some(((name, RawValue::Plain(&s[value_start..value_end])), end))
}

/// `[ \t]*(?:;|\Z)` at `pos`: where the next pair starts.
fn end_of_pair(s: &[u8], pos: usize) -> Option<usize> {
    let pos = skip_blanks(s, pos);
    match s.get(pos) {
        None => Some(pos),
        Some(b';') => Some(pos + 1),
        Some(_) => None,
    }
}

/// The `"` closing a quoted value whose inside starts at `pos`:
/// `(?:[^\\"]|\\.)*"`, where `.` is anything but a newline.
fn closing_quote(s: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        match *s.get(pos)? {
            b'"' => return Some(pos),
            b'\\' if s.get(pos + 1).is_some_and(|&b| b != b'\n') => pos += 2,
            b'\\' => return None,
            _ => pos += 1,
        }
    }
}

fn skip_blanks(s: &[u8], pos: usize) -> usize {
    find(s, pos, |b| b != b' ' && b != b'\t').unwrap_or(s.len())
}

fn find(s: &[u8], from: usize, hit: impl Fn(u8) -> bool) -> Option<usize> {
    s.get(from..)?
        .iter()
        .position(|&b| hit(b))
        .map(|offset| from + offset)
}

/// Werkzeug encodes the Latin-1 text to UTF-8, replaces `\ooo` (first digit
/// 0-3) by that byte and `\c` by `c`, then decodes UTF-8 with replacement:
/// an octal escape can make invalid UTF-8.
fn unslash(inner: &[u8]) -> String {
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        if byte != b'\\' {
            push_latin1(&mut out, byte);
            continue;
        }
        if let [
            d0 @ b'0'..=b'3',
            d1 @ b'0'..=b'7',
            d2 @ b'0'..=b'7',
            tail @ ..,
        ] = rest
        {
            out.push(((d0 - b'0') << 6) | ((d1 - b'0') << 3) | (d2 - b'0'));
            rest = tail;
        } else if let Some((&escaped, tail)) = rest.split_first() {
            push_latin1(&mut out, escaped);
            rest = tail;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The UTF-8 bytes of the Latin-1 character `byte`.
fn push_latin1(out: &mut Vec<u8>, byte: u8) {
    let mut utf8 = [0; 2];
    out.extend_from_slice(char::from(byte).encode_utf8(&mut utf8).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names and values, as Python strings.
    type Expected = &'static [(&'static str, &'static str)];

    /// Header bytes and the pairs, in order, that Werkzeug 3.1.9's
    /// `parse_cookie` finds in them, as produced by running Werkzeug.
    /// Regenerate the right-hand sides from the left-hand sides with the
    /// oracle's Python (run from this directory):
    ///
    /// ```text
    /// python - werkzeug_cookies.rs <<'EOF'
    /// import re, sys, ast
    /// from werkzeug.sansio.http import parse_cookie
    /// def rb(b): return 'b"' + "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else {34: '\\"', 92: "\\\\", 9: "\\t"}.get(c, "\\x%02x" % c) for c in b) + '"'
    /// def rs(s): return '"' + "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else {'"': '\\"', "\\": "\\\\", "\t": "\\t"}.get(ch, "\\u{%x}" % ord(ch)) for ch in s) + '"'
    /// for lit in re.findall(r'^\s+\((b"(?:[^"\\]|\\.)*"), &\[', open(sys.argv[1]).read(), re.M):
    ///     h = ast.literal_eval(lit)
    ///     pairs = parse_cookie(h.decode("latin-1"), cls=list)
    ///     print(f"        ({rb(h)}, &[{', '.join(f'({rs(k)}, {rs(v)})' for k, v in pairs)}]),")
    /// EOF
    /// ```
    const WERKZEUG: &[(&[u8], Expected)] = &[
        (b"", &[]),
        (b"a=1", &[("a", "1")]),
        (b"a=1; b=2", &[("a", "1"), ("b", "2")]),
        (b"a=1;b=2", &[("a", "1"), ("b", "2")]),
        (b" \t a = 1 \t ; b\t=\t2", &[("a", "1"), ("b", "2")]),
        (b"a =", &[("a", "")]),
        (b"a=1 ;b=2", &[("a", "1"), ("b", "2")]),
        (b"a=b c; d=1", &[("d", "1")]),
        (b"a=1 x", &[]),
        (b"a=b\tc", &[]),
        (b"a=1,  b=2", &[]),
        (b"a=1,b=2", &[("a", "1,b=2")]),
        (b"a==b", &[("a", "=b")]),
        (b"a=1%2E2", &[("a", "1%2E2")]),
        (b"=x; a=1", &[("a", "1")]),
        (b"; ;a=1;;", &[("a", "1")]),
        (b"foo; a=1", &[("foo", ""), ("a", "1")]),
        (b"a; b", &[("a", ""), ("b", "")]),
        (b"a=; a=2", &[("a", ""), ("a", "2")]),
        (b"a=1; =; b=2", &[("a", "1"), ("b", "2")]),
        (b"\"a\"=1; b=2", &[("b", "2")]),
        (b"a\"b=1; c=2", &[("c", "2")]),
        (b"a=x\"y; b=2", &[("b", "2")]),
        (b"a=\\x", &[("a", "\\x")]),
        (b"a=\"\"", &[("a", "")]),
        (b"a=\"b c\"", &[("a", "b c")]),
        (b"a=\"b\";c=1", &[("a", "b"), ("c", "1")]),
        (b"a= \"b\" ; c=1", &[("a", "b"), ("c", "1")]),
        (b"a=\"x\"y; b=2", &[("b", "2")]),
        (b"a=\"b\" \"c\"", &[]),
        (b"a=\"unterminated; b=2", &[("b", "2")]),
        (b"a=\"\\\"", &[]),
        (b"a=\"\\\\\"", &[("a", "\\")]),
        (b"a=\"x\\\"y\"", &[("a", "x\"y")]),
        (b"a=\"\\056\\.\\q\\\\\"", &[("a", "..q\\")]),
        (b"a=\"\\400\"", &[("a", "400")]),
        (b"a=\"\\0377\"", &[("a", "\u{1f}7")]),
        (b"a=\"\\377\"", &[("a", "\u{fffd}")]),
        (b"a=\"\\303\\251\"", &[("a", "\u{e9}")]),
        (b"a=\"\\340\\200\"", &[("a", "\u{fffd}\u{fffd}")]),
        (b"a=\"\\341\\200\"", &[("a", "\u{fffd}")]),
        (b"a=\"\\303\xa9\"", &[("a", "\u{fffd}\u{a9}")]),
        (b"a=\"caf\xe9\"", &[("a", "caf\u{e9}")]),
        (b"a=\"\\\xe9\"", &[("a", "\u{e9}")]),
        (b"a=caf\xe9", &[("a", "caf\u{e9}")]),
        (b"caf\xe9=1", &[("caf\u{e9}", "1")]),
        (b"\xe9; a=1", &[("\u{e9}", ""), ("a", "1")]),
        (b"\xa0a=1", &[("\u{a0}a", "1")]),
        (b"a=1\xa0", &[("a", "1\u{a0}")]),
        (b"a=\x80\xff", &[("a", "\u{80}\u{ff}")]),
    ];

    #[test]
    fn pairs_are_werkzeugs() {
        for &(header, expected) in WERKZEUG {
            let ours: Vec<(String, String)> = pairs(header)
                .map(|(name, value)| (latin1(name).into_owned(), value.decode().into_owned()))
                .collect();
            let theirs: Vec<(String, String)> = expected
                .iter()
                .map(|&(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(header));
        }
    }

    #[test]
    fn get_takes_the_first_value_of_a_name() {
        assert_eq!(get(b"a=; a=2", "a").as_deref(), Some(""));
        assert_eq!(get(b"a=1 x; a=2", "a").as_deref(), Some("2"));
        assert_eq!(get(b"b=1", "a"), None);
    }

    #[test]
    fn plain_ascii_values_are_borrowed() {
        assert!(matches!(
            get(b"x=1; a=t.k.n", "a"),
            Some(Cow::Borrowed("t.k.n"))
        ));
        assert!(matches!(
            get(b"a=\"t.k.n\"", "a"),
            Some(Cow::Borrowed("t.k.n"))
        ));
        assert!(matches!(get(b"a=caf\xe9", "a"), Some(Cow::Owned(_))));
    }
}
