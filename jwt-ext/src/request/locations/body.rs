//! Reading the request body for a JSON token or a CSRF form field while
//! leaving it whole for the handler's own `web::Json<T>`, `web::Form<T>` or
//! `web::Bytes`.
//!
//! actix builds every extractor of a handler before polling any, so the
//! guard, which comes first, cannot simply read the body: the next
//! extractor already holds the payload by then. It swaps in a fresh payload
//! instead, reads the original to the end, and feeds the same bytes into
//! the fresh one.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::Version;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use actix_web::web::{Bytes, BytesMut};
use futures_core::Stream;

use crate::{Failure, JwtErrorKind};

/// The request body as far as the token lookup is concerned.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// Not read: the caller had no access to the payload.
    NotRead,
    /// Read in full (and handed on to the handler).
    Read(Bytes),
}

/// How much of a body the token lookup reads, and for how long it waits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimits {
    pub(crate) bytes: usize,
    pub(crate) timeout: Duration,
}

/// Takes the payload for reading and leaves a replacement that yields the
/// same bytes once the returned future has read them.
///
/// A declared `Content-Length` over the limit is refused before a byte is
/// read, and a client that stops sending is cut off after the timeout, so a
/// stalled connection holds neither a buffer nor a worker's attention.
pub(crate) fn buffer(
    req: &HttpRequest,
    payload: &mut Payload,
    limits: BodyLimits,
) -> impl Future<Output = Result<Bytes, Failure>> + 'static {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut original = payload.take();
    let (mut sender, replacement) = actix_http::h1::Payload::create(false);
    *payload = Payload::from(replacement);
    async move {
        let too_large = || {
            Failure::new(
                JwtErrorKind::PayloadTooLarge,
                format!("Request body is larger than {} bytes", limits.bytes),
            )
        };
        if declared.is_some_and(|length| length > limits.bytes as u64) {
            sender.set_error(PayloadError::Overflow);
            return Err(too_large());
        }
        let read = async {
            let mut body = BytesMut::new();
            while let Some(chunk) = poll_fn(|cx| Pin::new(&mut original).poll_next(cx)).await {
                match chunk {
                    Ok(chunk) if body.len() + chunk.len() <= limits.bytes => {
                        body.extend_from_slice(&chunk)
                    }
                    Ok(_) => return Err((PayloadError::Overflow, too_large())),
                    Err(e) => {
                        let message = format!("Could not read the request body: {e}");
                        return Err((e, Failure::new(JwtErrorKind::BadPayload, message)));
                    }
                }
            }
            Ok(body.freeze())
        };
        match actix_web::rt::time::timeout(limits.timeout, read).await {
            Ok(Ok(body)) => {
                sender.feed_data(body.clone());
                sender.feed_eof();
                Ok(body)
            }
            Ok(Err((cause, err))) => {
                sender.set_error(cause);
                Err(err)
            }
            Err(_) => {
                sender.set_error(PayloadError::Io(std::io::ErrorKind::TimedOut.into()));
                Err(Failure::new(
                    JwtErrorKind::BodyTimeout,
                    format!(
                        "Request body was not received within {} ms",
                        limits.timeout.as_millis()
                    ),
                ))
            }
        }
    }
}

/// Whether the request may carry a body a token could be in. HTTP/1
/// announces a body with `Content-Length` (above zero) or
/// `Transfer-Encoding`, whatever the method (flask reads a JSON `GET` body
/// too); a request without either is never waited for. HTTP/2 and later
/// announce nothing reliable in headers, so their bodies are read, within
/// the same limits.
pub(crate) fn may_have_body(req: &HttpRequest) -> bool {
    if req.version() >= Version::HTTP_2 {
        return true;
    }
    let headers = req.headers();
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// The media type of the request, lower-cased, without parameters.
fn mime(req: &HttpRequest) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// Werkzeug's `request.is_json`: `application/json` or `application/*+json`.
pub(crate) fn is_json(req: &HttpRequest) -> bool {
    let mime = mime(req);
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Whether the body is a URL-encoded form (the only form flask's CSRF field
/// lookup reads here; multipart bodies are not parsed for it).
pub(crate) fn is_form(req: &HttpRequest) -> bool {
    mime(req) == "application/x-www-form-urlencoded"
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn json_media_types_follow_werkzeug() {
        for (content_type, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/vnd.api+json", true),
            ("application/jsonx", false),
            ("text/plain", false),
            ("text/json", false),
        ] {
            let req = TestRequest::default()
                .insert_header((CONTENT_TYPE, content_type))
                .to_http_request();
            assert_eq!(is_json(&req), json, "{content_type}");
        }
        assert!(!is_json(&TestRequest::default().to_http_request()));
    }

    #[actix_web::test]
    async fn the_handler_still_reads_the_whole_body() {
        let (req, mut payload) = TestRequest::default()
            .set_payload("{\"a\":1}")
            .to_http_parts();
        let read = buffer(&req, &mut payload, LIMITS);
        let handler_body = <Bytes as actix_web::FromRequest>::from_request(&req, &mut payload);
        assert_eq!(read.await.unwrap(), "{\"a\":1}");
        assert_eq!(handler_body.await.unwrap(), "{\"a\":1}");
    }

    const LIMITS: BodyLimits = BodyLimits {
        bytes: 1024,
        timeout: Duration::from_secs(5),
    };

    #[actix_web::test]
    async fn bodies_over_the_limit_are_refused() {
        let (req, mut payload) = TestRequest::default()
            .set_payload(vec![b'x'; 2048])
            .to_http_parts();
        let err = buffer(&req, &mut payload, LIMITS).await.unwrap_err();
        assert_eq!(err.kind(), JwtErrorKind::PayloadTooLarge);
        assert_eq!(err.status(), 413);
    }

    #[actix_web::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        // The payload never ends: only the declared length can refuse it.
        let (_sender, stalled) = actix_http::h1::Payload::create(false);
        let (req, _) = TestRequest::default()
            .insert_header((CONTENT_LENGTH, "4096"))
            .to_http_parts();
        let mut payload = Payload::from(stalled);
        let err = buffer(&req, &mut payload, LIMITS).await.unwrap_err();
        assert_eq!(err.kind(), JwtErrorKind::PayloadTooLarge);
    }

    #[actix_web::test]
    async fn a_stalled_body_times_out() {
        let (mut sender, stalled) = actix_http::h1::Payload::create(false);
        sender.feed_data(Bytes::from_static(b"{\"access_token\":"));
        let (req, _) = TestRequest::default().to_http_parts();
        let mut payload = Payload::from(stalled);
        let limits = BodyLimits {
            timeout: Duration::from_millis(50),
            ..LIMITS
        };
        let err = buffer(&req, &mut payload, limits).await.unwrap_err();
        assert_eq!(err.kind(), JwtErrorKind::BodyTimeout);
        assert_eq!(err.status(), 408);
        assert_eq!(err.message(), "Request body was not received within 50 ms");
        drop(sender);
    }
}
