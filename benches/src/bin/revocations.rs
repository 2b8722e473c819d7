//! The client side of `scripts/load-redis`: revocations sent to running
//! `blocklist_redis` examples over keep-alive HTTP/1.1 connections.
//!
//! ```text
//! cargo build --release -p jwt-ext-benches --bin revocations
//!
//! # How long a logout through A takes to be honoured by B (the two share
//! # a Redis): N tokens, each warmed on B, revoked through A, B polled.
//! revocations propagation --revoke-port 18091 --check-port 18092 --count 200
//!
//! # 100,000 distinct tokens revoked through one instance, written one per
//! # line for wrk to replay.
//! revocations revoke --port 18091 --count 100000 --out revoked.txt
//! ```
//!
//! Tokens are minted here, with the example's secret (`super-secret`,
//! HS256) and identity (`example_user`), so the server's core only serves
//! the revocations and lookups being measured. The example logs out
//! everywhere, so its lookups also read the identity's logout time: none
//! of this calls `/logout_everywhere`, which would revoke every token of
//! the run.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use jwt_ext::JwtManager;

/// The `blocklist_redis` example's secret.
const SECRET: &str = "super-secret";

/// The identity the example logs in.
const IDENTITY: &str = "example_user";

/// The example's access token lifetime: revocations are kept as long.
const TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// How long an answer may take before the run is declared broken.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage:
  revocations propagation --revoke-port A --check-port B [--count N] [--timeout-ms T]
  revocations revoke --port P --count N --out FILE [--connections C]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("propagation") => Options::parse(&args[1..]).and_then(|o| propagation(&o)),
        Some("revoke") => Options::parse(&args[1..]).and_then(|o| revoke(&o)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("revocations: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line's `--name value` pairs.
struct Options(Vec<(String, String)>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut args = args.iter();
        while let Some(name) = args.next() {
            let Some(name) = name.strip_prefix("--") else {
                return Err(format!("unexpected argument {name}\n{USAGE}"));
            };
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
            pairs.push((name.to_owned(), value.clone()));
        }
        Ok(Options(pairs))
    }

    fn text(&self, name: &str) -> Result<&str, String> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| format!("--{name} is required\n{USAGE}"))
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Result<T, String> {
        match (self.text(name), default) {
            (Ok(value), _) => value
                .parse()
                .map_err(|_| format!("--{name}: not a number: {value}")),
            (Err(_), Some(default)) => Ok(default),
            (Err(message), None) => Err(message),
        }
    }
}

fn manager() -> Result<JwtManager, String> {
    JwtManager::builder()
        .secret_key(SECRET)
        .access_token_expires(TOKEN_LIFETIME)
        .build()
        .map_err(|e| format!("cannot configure the minting: {e}"))
}

fn mint(jwt: &JwtManager) -> Result<String, String> {
    jwt.create_access_token(IDENTITY)
        .map_err(|e| format!("cannot mint: {e}"))
}

/// One answer: its status and body.
struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Response {
    fn describe(&self) -> String {
        format!("{} {}", self.status, String::from_utf8_lossy(&self.body))
    }
}

/// A keep-alive HTTP/1.1 connection to `127.0.0.1:<port>`: enough of the
/// protocol for actix's answers (a `Content-Length` on each).
struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
    request: String,
}

impl Connection {
    fn open(port: u16) -> Result<Self, String> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .map_err(|e| format!("cannot connect to port {port}: {e}"))?;
        // Each request is one small write: Nagle would only delay it.
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(READ_TIMEOUT)))
            .map_err(|e| format!("port {port}: {e}"))?;
        Ok(Connection {
            reader: BufReader::new(stream),
            port,
            request: String::new(),
        })
    }

    /// Sends `method path` with `token` as bearer and reads the answer.
    fn send(&mut self, method: &str, path: &str, token: &str) -> Result<Response, String> {
        let port = self.port;
        self.request.clear();
        let _ = write!(
            self.request,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Authorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n"
        );
        self.reader
            .get_mut()
            .write_all(self.request.as_bytes())
            .map_err(|e| format!("{method} {path} on port {port}: {e}"))?;
        self.read()
            .map_err(|e| format!("{method} {path} on port {port}: {e}"))
    }

    fn read(&mut self) -> Result<Response, String> {
        let mut line = String::new();
        self.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not an HTTP status line: {line:?}"))?;
        let mut length = 0;
        loop {
            line.clear();
            self.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            if name.eq_ignore_ascii_case("content-length") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad Content-Length: {value:?}"))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(format!("unexpected Transfer-Encoding: {value:?}"));
            }
        }
        let mut body = vec![0; length];
        self.reader
            .read_exact(&mut body)
            .map_err(|e| format!("reading the body: {e}"))?;
        Ok(Response { status, body })
    }

    fn read_line(&mut self, line: &mut String) -> Result<(), String> {
        match self.reader.read_line(line) {
            Ok(0) => Err("connection closed".to_owned()),
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Expects `answer` to be `status`.
fn expect(answer: &Response, status: u16, what: &str) -> Result<(), String> {
    if answer.status == status {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected {status}, got {}",
            answer.describe()
        ))
    }
}

/// Revokes `--count` tokens through `--revoke-port`, each first accepted
/// twice by `--check-port` (so its cache holds "not revoked"), then polls
/// the check port until it refuses the token; prints the distribution of
/// the time from the logout's 200 to the first 401.
fn propagation(options: &Options) -> Result<(), String> {
    let revoke_port = options.number("revoke-port", None)?;
    let check_port = options.number("check-port", None)?;
    let count: usize = options.number("count", Some(200))?;
    let timeout = Duration::from_millis(options.number("timeout-ms", Some(5_000))?);
    if count == 0 {
        return Err("--count must be at least 1".to_owned());
    }
    let jwt = manager()?;
    let mut revoker = Connection::open(revoke_port)?;
    let mut checker = Connection::open(check_port)?;
    let mut delays = Vec::with_capacity(count);
    let mut cached_round_trips = Vec::with_capacity(count);
    let mut stale = 0;
    for _ in 0..count {
        let token = mint(&jwt)?;
        // The first read fills B's cache, the second is answered by it.
        let answer = checker.send("GET", "/protected", &token)?;
        expect(&answer, 200, "warming the check instance")?;
        let sent = Instant::now();
        let answer = checker.send("GET", "/protected", &token)?;
        cached_round_trips.push(sent.elapsed());
        expect(&answer, 200, "warming the check instance")?;

        let answer = revoker.send("DELETE", "/logout", &token)?;
        let revoked = Instant::now();
        expect(&answer, 200, "logout through the revoke instance")?;
        loop {
            let answer = checker.send("GET", "/protected", &token)?;
            let delay = revoked.elapsed();
            match answer.status {
                401 => {
                    delays.push(delay);
                    break;
                }
                200 if delay < timeout => stale += 1,
                200 => {
                    return Err(format!(
                        "the check instance still accepts a token revoked {delay:?} ago"
                    ));
                }
                _ => return Err(format!("polling the check instance: {}", answer.describe())),
            }
        }
    }
    println!(
        "| revocation through port {revoke_port}, seen on port {check_port} | p50 | p90 | p99 | max | count |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| logout's 200 on A → first 401 on B | {} |",
        distribution(&mut delays)
    );
    println!(
        "| for scale: a cached 200 on B, round trip | {} |",
        distribution(&mut cached_round_trips)
    );
    println!();
    println!(
        "B answered 200 to {stale} poll(s) sent after A's 200, over {count} revocations \
         (0: every first poll was refused)."
    );
    Ok(())
}

/// `p50 | p90 | p99 | max | count` in milliseconds, nearest rank.
fn distribution(samples: &mut [Duration]) -> String {
    samples.sort_unstable();
    let rank = |p: f64| {
        let index = (p * samples.len() as f64).ceil() as usize;
        samples[index.clamp(1, samples.len()) - 1]
    };
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    format!(
        "{} | {} | {} | {} | {}",
        ms(rank(0.50)),
        ms(rank(0.90)),
        ms(rank(0.99)),
        ms(samples[samples.len() - 1]),
        samples.len()
    )
}

/// Revokes `--count` fresh tokens through `--port` over `--connections`
/// keep-alive connections, and writes them to `--out`, one per line.
fn revoke(options: &Options) -> Result<(), String> {
    let port = options.number("port", None)?;
    let count: usize = options.number("count", None)?;
    let connections: usize = options.number("connections", Some(4))?;
    let out = options.text("out")?;
    if connections == 0 {
        return Err("--connections must be at least 1".to_owned());
    }
    let jwt = manager()?;
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|i| {
            // Shares as even as can be: the first `count % connections` get one more.
            let share = count / connections + usize::from(i < count % connections);
            let jwt = jwt.clone();
            std::thread::spawn(move || -> Result<Vec<String>, String> {
                let mut connection = Connection::open(port)?;
                let mut tokens = Vec::with_capacity(share);
                for _ in 0..share {
                    let token = mint(&jwt)?;
                    let answer = connection.send("DELETE", "/logout", &token)?;
                    expect(&answer, 200, "logout")?;
                    tokens.push(token);
                }
                Ok(tokens)
            })
        })
        .collect();
    let mut file = BufWriter::new(File::create(out).map_err(|e| format!("{out}: {e}"))?);
    for worker in workers {
        let tokens = worker
            .join()
            .map_err(|_| "a revoking thread panicked".to_owned())??;
        for token in tokens {
            writeln!(file, "{token}").map_err(|e| format!("{out}: {e}"))?;
        }
    }
    file.flush().map_err(|e| format!("{out}: {e}"))?;
    let elapsed = started.elapsed();
    println!(
        "revoked {count} tokens through port {port} in {:.1} s ({:.0} logouts/s over {connections} connections)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
