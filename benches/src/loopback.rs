//! A JWKS endpoint on a loopback port, as an identity provider serves its
//! key set: enough HTTP/1.1 for jwt-ext's fetcher (`GET /jwks`, one request
//! per connection), so the trusted-issuer benches verify with keys that
//! really came over HTTP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The path the key set is served at.
pub const JWKS_PATH: &str = "/jwks";

/// How long a connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest request head read; a fetcher's is a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;

/// A running JWKS endpoint.
pub struct JwksServer {
    /// `http://127.0.0.1:<port>/jwks`.
    pub url: String,
    /// How many times the key set was served.
    pub fetches: Arc<AtomicUsize>,
}

/// Serves `document` at `http://127.0.0.1:<port>/jwks` from a thread that
/// lives as long as the process.
///
/// # Panics
/// When no loopback port can be bound.
pub fn serve_jwks(document: Vec<u8>) -> JwksServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!(
        "http://{}{JWKS_PATH}",
        listener.local_addr().expect("a bound address")
    );
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    std::thread::Builder::new()
        .name("bench-jwks".to_owned())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                // A client that misbehaves loses its answer, not the server.
                let _ = answer(stream, &document, &counter);
            }
        })
        .expect("a server thread");
    JwksServer { url, fetches }
}

/// Answers one request, counting it before answering when it asks for the
/// key set (so the count is up to date once the client has the set).
fn answer(mut stream: TcpStream, document: &[u8], fetches: &AtomicUsize) -> std::io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let found = head.starts_with(format!("GET {JWKS_PATH} ").as_bytes());
    let (status, body) = if found {
        fetches.fetch_add(1, Ordering::Relaxed);
        ("200 OK", document)
    } else {
        ("404 Not Found", &b"{}"[..])
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: public, max-age=600\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(response.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}
