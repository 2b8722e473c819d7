//! Header values as a WSGI server hands them to flask (PEP 3333): repeated
//! fields joined into one value, bytes read as Latin-1 text.

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::header::AsHeaderName;

/// Every value of the header `name`, joined as WSGI servers join repeated
/// header fields before flask reads them: with `separator` (`,` for every
/// header over HTTP/1; quirk 1). Borrowed when the header appears once; `None` when
/// it does not appear.
pub(crate) fn joined_header<'r>(
    req: &'r HttpRequest,
    name: impl AsHeaderName,
    separator: &[u8],
) -> Option<Cow<'r, [u8]>> {
    let mut values = req.headers().get_all(name);
    let first = values.next()?;
    let Some(second) = values.next() else {
        return Some(Cow::Borrowed(first.as_bytes()));
    };
    let mut joined = first.as_bytes().to_vec();
    for value in std::iter::once(second).chain(values) {
        joined.extend_from_slice(separator);
        joined.extend_from_slice(value.as_bytes());
    }
    Some(Cow::Owned(joined))
}

/// Header bytes as the Latin-1 text a WSGI server gives flask: every byte is
/// a character, so no byte is a decoding failure (quirk 2). Borrowed when
/// ASCII.
pub(crate) fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.is_ascii() => Cow::Borrowed(text),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// [`latin1`] of a joined header, borrowed from the request when it can be.
pub(crate) fn latin1_header<'r>(bytes: Cow<'r, [u8]>) -> Cow<'r, str> {
    match bytes {
        Cow::Borrowed(bytes) => latin1(bytes),
        Cow::Owned(bytes) => Cow::Owned(latin1(&bytes).into_owned()),
    }
}
