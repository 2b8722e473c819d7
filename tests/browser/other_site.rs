//! Another site for the cross-site tests: a page on `localhost` that
//! posts a form to the app on `127.0.0.1` (different sites, whatever the
//! ports), served by a thread of the test process.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use jwt_ext_tests::http::spawning;
use serde_json::Value;

use super::harness::Browser;

/// A page on another site that posts a form to the app: `localhost` and
/// `127.0.0.1` are different sites, whatever the ports.
pub(super) struct OtherSite {
    pub(super) port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl OtherSite {
    pub(super) fn start(page: String) -> OtherSite {
        let listener = {
            let _spawning = spawning();
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0")
        };
        let port = listener.local_addr().expect("bound address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let page: Arc<str> = page.into();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                // A thread each: a connection the browser opens ahead and
                // leaves idle must not hold up the one it sends on.
                if let Ok(stream) = stream {
                    let page = Arc::clone(&page);
                    std::thread::spawn(move || serve_page(stream, &page));
                }
            }
        });
        OtherSite {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

/// Answers one request, whatever it asks, with `page`.
fn serve_page(mut stream: TcpStream, page: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

impl Drop for OtherSite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A form that posts a note to the app, with nothing but what a page on
/// any site can send.
pub(super) fn forged_form(app_origin: &str) -> String {
    format!(
        r#"<!doctype html><title>Win a prize</title>
<form id="forged" method="POST" action="{app_origin}/api/notes">
<input type="hidden" name="text" value="forged">
<button id="go" type="submit">Win a prize</button>
</form>"#
    )
}

/// The JSON the browser shows after a form post to the app.
pub(super) async fn shown_after_form_post(browser: &Browser) -> Value {
    browser
        .wait_until(
            &format!(
                "location.href === '{}/api/notes' && document.readyState === 'complete'",
                browser.origin
            ),
            "the app's answer to the form",
        )
        .await;
    let text = browser.eval("document.body.innerText").await;
    let text = text.as_str().expect("the page's text");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
}
