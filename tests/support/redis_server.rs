//! A real `redis-server` for the tests, on a free loopback port, stopped
//! when dropped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` child process.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` from PATH. Returns `None` when it is not
    /// installed, after saying so on stderr; under CI (`CI` set) a missing
    /// server is a failure, since `.ci/run` installs it.
    pub fn start() -> Option<RedisServer> {
        let probe = {
            let _spawning = crate::http::spawning();
            Command::new("redis-server")
                .arg("--version")
                .stdout(Stdio::null())
                .spawn()
        };
        if probe.and_then(|mut child| child.wait()).is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install redis-server (see .ci/run)"
            );
            crate::skipped(format_args!(
                "redis-server is not on PATH; install it (Debian: redis-server) to run the Redis tests"
            ));
            return None;
        }
        let port = {
            let _spawning = crate::http::spawning();
            crate::http::free_port()
        };
        let mut server = RedisServer { port, child: None };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let mut command = Command::new("redis-server");
        command
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = {
            let _spawning = crate::http::spawning();
            command.spawn().expect("start redis-server")
        };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (the port stays reserved for [`restart`](Self::restart)).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Sends one command over RESP and returns the raw reply line.
    pub fn command(&self, args: &[&str]) -> String {
        use std::io::Read;
        let mut stream = self.send(args);
        let mut reply = [0u8; 512];
        let n = stream.read(&mut reply).unwrap_or(0);
        String::from_utf8_lossy(&reply[..n]).trim_end().to_owned()
    }
}

impl RedisServer {
    /// Sends one command whose reply is a bulk string (`INFO`, `CLIENT
    /// LIST`) and returns that string.
    pub fn command_text(&self, args: &[&str]) -> String {
        use std::io::{BufRead, BufReader, Read};
        let mut stream = self.send(args);
        let mut reader = BufReader::new(&mut stream);
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let length: usize = header
            .trim_end()
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a bulk string: {header}"));
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        String::from_utf8_lossy(&body).into_owned()
    }
}

impl RedisServer {
    /// A new connection with `args` sent as one command.
    fn send(&self, args: &[&str]) -> TcpStream {
        use std::io::Write;
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes()).unwrap();
        stream
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
