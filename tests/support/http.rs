//! A tiny blocking HTTP/1.1 client over `std::net::TcpStream`, enough to
//! drive the example servers like `curl` does: one request per connection
//! (`Connection: close`), the response read to EOF.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long connecting, writing and reading may each take before a request
/// fails, so a hung server fails the test instead of hanging it.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A parsed HTTP response.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code, e.g. `401`.
    pub status: u16,
    /// The header fields in the order received, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked, as UTF-8 text.
    pub body: String,
}

impl Response {
    /// The value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The values of every header field called `name` (any case), in the
    /// order received: for fields that may repeat, such as `Set-Cookie`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every `Set-Cookie` header, parsed, in the order received; panics,
    /// showing the header, on one without `name=value`.
    pub fn set_cookies(&self) -> Vec<SetCookie> {
        self.headers_named("set-cookie")
            .into_iter()
            .map(|line| SetCookie::parse(line).unwrap_or_else(|| panic!("bad Set-Cookie {line:?}")))
            .collect()
    }

    /// The body parsed as JSON; panics, showing the body, when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }
}

/// Sends one request to `127.0.0.1:port` and reads the whole response.
///
/// `json_body`, when given, is sent with `Content-Type: application/json`.
/// Panics with the request line in the message on any I/O or protocol error,
/// or when the server takes longer than [`IO_TIMEOUT`].
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json_body: Option<&Value>,
) -> Response {
    let json = json_body.map(Value::to_string);
    let body = json
        .as_deref()
        .map(|json| Body::new("application/json", json));
    request_with_body(port, method, path, headers, body)
}

/// A request body sent as is, with its `Content-Type`.
#[derive(Clone, Copy, Debug)]
pub struct Body<'a> {
    /// The `Content-Type` header value, e.g. `text/plain`.
    pub content_type: &'a str,
    /// The bytes of the body.
    pub bytes: &'a [u8],
}

impl<'a> Body<'a> {
    /// A body of these bytes (or text) with this content type.
    pub fn new(content_type: &'a str, bytes: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        Body {
            content_type,
            bytes: bytes.as_ref(),
        }
    }
}

/// [`request`] with any body: `body` is sent with its content type, as is.
/// A `Cookie` header is one of `headers`, e.g. from [`CookieJar::header`].
/// The body of a `HEAD` response is whatever the server sent after the
/// header fields, which a correct server leaves empty.
pub fn request_with_body(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Body<'_>>,
) -> Response {
    let what = format!("{method} {path} on port {port}");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!("Content-Type: {}\r\n", body.content_type));
    }
    let body = body.map_or(&[][..], |body| body.bytes);
    // Always sent, so a POST without a body is not mistaken for a chunked one.
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("{what}: cannot connect: {e}"));
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .expect("read timeout");
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .expect("write timeout");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .unwrap_or_else(|e| panic!("{what}: cannot send: {e}"));

    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{what}: cannot read the response: {e}"));
    let parsed = if method.eq_ignore_ascii_case("HEAD") {
        parse_head_response(&raw)
    } else {
        parse_response(&raw)
    };
    parsed.unwrap_or_else(|e| panic!("{what}: {e}; received {:?}", String::from_utf8_lossy(&raw)))
}

/// One `Set-Cookie` header: the cookie and its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie name.
    pub name: String,
    /// The cookie value (empty when the server clears the cookie).
    pub value: String,
    /// The attributes in the order received: `("Path", Some("/"))`,
    /// `("HttpOnly", None)`.
    pub attributes: Vec<(String, Option<String>)>,
}

impl SetCookie {
    /// Parses a `Set-Cookie` value; `None` without a `name=value` pair.
    pub fn parse(line: &str) -> Option<SetCookie> {
        let mut parts = line.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let attributes = parts
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((key, value)) => (key.trim().to_owned(), Some(value.trim().to_owned())),
                None => (part.to_owned(), None),
            })
            .collect();
        Some(SetCookie {
            name: name.to_owned(),
            value: value.trim().to_owned(),
            attributes,
        })
    }

    /// Whether the attribute `name` (any case) is present, with or without
    /// a value: `has("HttpOnly")`.
    pub fn has(&self, name: &str) -> bool {
        self.attributes
            .iter()
            .any(|(key, _)| key.eq_ignore_ascii_case(name))
    }

    /// The value of the attribute `name` (any case): `attribute("Path")`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_deref())
    }

    /// Whether a client must delete the cookie: `Max-Age` of zero or less,
    /// or `Expires` in the past. Panics on an `Expires` that is not an
    /// HTTP date.
    pub fn is_expired(&self) -> bool {
        if let Some(max_age) = self.attribute("Max-Age") {
            return max_age.parse::<i64>().map_or(true, |age| age <= 0);
        }
        self.attribute("Expires").is_some_and(|expires| {
            let at = chrono::DateTime::parse_from_rfc2822(expires)
                .unwrap_or_else(|e| panic!("bad Expires {expires:?}: {e}"));
            at <= chrono::Utc::now()
        })
    }
}

/// The cookies a client keeps between requests, like curl's `-c jar` and
/// `-b jar` for one host: set or replaced by each `Set-Cookie`, deleted by
/// an expired one. Domain and path are not tracked.
#[derive(Clone, Debug, Default)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies every `Set-Cookie` of `response`, in order.
    pub fn store(&mut self, response: &Response) {
        for cookie in response.set_cookies() {
            self.cookies.retain(|(name, _)| *name != cookie.name);
            if !cookie.is_expired() {
                self.cookies.push((cookie.name, cookie.value));
            }
        }
    }

    /// Sets one cookie by hand, replacing one of the same name.
    pub fn insert(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    /// The value of the cookie `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The names of the cookies held, in the order they were set.
    pub fn names(&self) -> Vec<&str> {
        self.cookies.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The `Cookie` header value that sends every cookie held
    /// (`a=1; b=2`); `None` when the jar is empty.
    pub fn header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// Splits a complete response (read to EOF) into status, headers and body.
fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let (response, rest) = parse_head(raw)?;
    let body = if response
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| format!("bad Content-Length {length:?}"))?;
        rest.get(..length)
            .ok_or_else(|| {
                format!(
                    "body shorter ({}) than its Content-Length ({length})",
                    rest.len()
                )
            })?
            .to_vec()
    } else {
        // Neither: the body runs to the end of the connection.
        rest.to_vec()
    };
    let body = String::from_utf8(body).map_err(|_| "body is not UTF-8")?;
    Ok(Response { body, ..response })
}

/// The response to a HEAD request: its `Content-Length` announces the GET's
/// body, which is never sent, so the body is whatever bytes followed the
/// header fields up to EOF, and a server that wrongly sent one shows it.
fn parse_head_response(raw: &[u8]) -> Result<Response, String> {
    let (response, rest) = parse_head(raw)?;
    let body = String::from_utf8(rest.to_vec()).map_err(|_| "body is not UTF-8")?;
    Ok(Response { body, ..response })
}

/// The status line and header fields, and the bytes after them.
fn parse_head(raw: &[u8]) -> Result<(Response, &[u8]), String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let rest = &raw[head_end + 4..];

    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    // "HTTP/1.1 200 OK": the code is the second word.
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let response = Response {
        status,
        headers,
        body: String::new(),
    };
    Ok((response, rest))
}

/// Decodes a chunked body: `<hex size>[;ext]\r\n<data>\r\n`... up to the
/// zero-size chunk; trailers are ignored.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or("unterminated chunk size line")?;
        let line = std::str::from_utf8(&rest[..line_end]).map_err(|_| "chunk size is not UTF-8")?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {line:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("truncated chunk")?;
        body.extend_from_slice(chunk);
        rest = rest[size..]
            .strip_prefix(b"\r\n")
            .ok_or("chunk not followed by CRLF")?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The lock of the test process around [`free_port`] and every process
/// spawn, so that no child inherits a probe socket (see [`free_port`]).
/// Hold it for the spawn only, not while the child runs.
pub fn spawning() -> MutexGuard<'static, ()> {
    static SPAWNING: Mutex<()> = Mutex::new(());
    SPAWNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits until something accepts connections on `127.0.0.1:port`; `false`
/// when nothing did within `timeout`.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            // A port from `free_port` is in the ephemeral range, so while
            // nothing listens the kernel may pick it as our own local port
            // and connect the socket to itself (TCP simultaneous open).
            if stream.local_addr().ok() != Some(addr) {
                return true;
            }
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A port that was free a moment ago: bound on `127.0.0.1:0`, read, released.
///
/// Never the same port twice in one test process, so servers started by
/// parallel tests cannot be handed the same one. Another process may still
/// take it in between: start the server right away. And since the probe
/// socket listens for a moment, a child process spawned by another thread
/// meanwhile inherits it until that child execs: a first request could land
/// there and be reset, or the server could fail to bind. So call this only
/// while holding [`spawning`], which every spawn of the tests holds too.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("bound address").port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_body() {
        let raw = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello";
        let resp = parse_response(raw).unwrap();
        assert_eq!(resp.status, 401);
        assert_eq!(resp.header("x-a"), Some("b"));
        assert_eq!(resp.body, "hello");
    }

    #[test]
    fn chunked_body() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nTrailer: x\r\n\r\n";
        let resp = parse_response(raw).unwrap();
        assert_eq!(resp.json(), serde_json::json!({ "a": 1 }));
    }

    #[test]
    fn every_set_cookie_header_is_kept() {
        let raw = b"HTTP/1.1 200 OK\r\nset-cookie: a=1; HttpOnly; Path=/\r\nContent-Length: 0\r\nSet-Cookie: b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/\r\n\r\n";
        let resp = parse_response(raw).unwrap();
        assert_eq!(resp.headers_named("SET-COOKIE").len(), 2);
        let cookies = resp.set_cookies();
        assert_eq!(
            (cookies[0].name.as_str(), cookies[0].value.as_str()),
            ("a", "1")
        );
        assert!(cookies[0].has("httponly") && !cookies[0].is_expired());
        assert_eq!(cookies[0].attribute("Path"), Some("/"));
        assert_eq!(
            (cookies[1].name.as_str(), cookies[1].value.as_str()),
            ("b", "")
        );
        assert!(!cookies[1].has("HttpOnly") && cookies[1].is_expired());
    }

    #[test]
    fn the_jar_sets_replaces_and_deletes() {
        let mut jar = CookieJar::new();
        assert_eq!(jar.header(), None);
        let set = parse_response(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2; Max-Age=60\r\n\r\n",
        )
        .unwrap();
        jar.store(&set);
        assert_eq!(jar.header().as_deref(), Some("a=1; b=2"));
        let clear = parse_response(b"HTTP/1.1 200 OK\r\nSet-Cookie: a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT\r\nSet-Cookie: b=3\r\n\r\n").unwrap();
        jar.store(&clear);
        assert_eq!(jar.names(), ["b"]);
        assert_eq!(jar.get("b"), Some("3"));
    }

    #[test]
    fn a_head_response_has_no_body_whatever_its_length() {
        let raw = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 39\r\n\r\n";
        let resp = parse_head_response(raw).unwrap();
        assert_eq!(
            (resp.status, resp.header("content-length")),
            (401, Some("39"))
        );
        assert_eq!(resp.body, "");
        let sent_anyway = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_head_response(sent_anyway).unwrap().body, "{}");
    }

    #[test]
    fn body_to_eof_without_length() {
        let raw = b"HTTP/1.1 200 OK\r\n\r\nrest";
        assert_eq!(parse_response(raw).unwrap().body, "rest");
    }
}
