//! The `tracing` events and span fields of one test, captured as text, so
//! tests can assert what jwt-ext logs (a reason for each refusal) and what
//! it never logs (tokens, secrets).
//!
//! The tests share one process and one global subscriber, so each capture
//! keeps only the lines of its own threads: the thread that called
//! [`capture`] and those that [joined](Logs::join) it (a server's workers).
//! A test never sees another test's events, and its counts stay its own.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The captured log text of one test.
#[derive(Clone)]
pub struct Logs(Arc<Mutex<String>>);

thread_local! {
    /// Where this thread's events go, if a test captures them.
    static SINK: RefCell<Option<Logs>> = const { RefCell::new(None) };
}

/// Logs that also take the events of threads no capture owns: background
/// threads jwt-ext starts itself (a remote key set's fetching thread).
static UNOWNED: Mutex<Vec<Logs>> = Mutex::new(Vec::new());

impl Logs {
    /// Sends the events of the calling thread to this log from now on, e.g.
    /// in a server's app factory, which runs on each worker thread.
    pub fn join(&self) {
        SINK.with(|sink| *sink.borrow_mut() = Some(self.clone()));
    }

    /// Also records the events of threads that no capture owns, from now
    /// on. Other tests' background threads land here too: filter the lines
    /// by something of this test's own (a URL with its port).
    pub fn include_unowned_threads(&self) {
        UNOWNED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(self.clone());
    }

    /// Everything logged so far on the threads of this capture: one line
    /// per event, `LEVEL target: field=value …`, and one per span,
    /// `SPAN name: field=value …`.
    pub fn text(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Which of `needles` appear anywhere in the log. Fast on large logs
    /// (a server at trace level logs megabytes): needles made only of
    /// base64url characters (token segments, most secrets) are looked up
    /// by their first 16 bytes in the long base64url runs of the text;
    /// other needles, and short ones, are searched for plainly.
    pub fn containing<'a>(&self, needles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        const WINDOW: usize = 16;
        let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let text = self.text();
        let mut found = std::collections::BTreeSet::new();
        let mut by_prefix: std::collections::HashMap<&[u8], Vec<&str>> = Default::default();
        for needle in needles {
            if needle.len() >= WINDOW && needle.bytes().all(is_b64) {
                by_prefix
                    .entry(&needle.as_bytes()[..WINDOW])
                    .or_default()
                    .push(needle);
            } else if text.contains(needle) {
                found.insert(needle.to_owned());
            }
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !is_b64(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_b64(bytes[i]) {
                i += 1;
            }
            let run = &bytes[start..i];
            for at in 0..run.len().saturating_sub(WINDOW - 1) {
                if let Some(candidates) = by_prefix.get(&run[at..at + WINDOW]) {
                    for needle in candidates {
                        if run[at..].starts_with(needle.as_bytes()) {
                            found.insert((*needle).to_owned());
                        }
                    }
                }
            }
        }
        found.into_iter().collect()
    }

    fn push(&self, line: &str) {
        let mut text = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        text.push_str(line);
        text.push('\n');
    }
}

/// A new, empty log of every event and span, at every level, of the
/// calling thread from now on (and of threads that [join](Logs::join) it).
/// Installs the recording global subscriber once per process.
///
/// Panics if another global subscriber was installed first.
pub fn capture() -> Logs {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = Capture {
            next_span: AtomicU64::new(1),
        };
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global tracing subscriber in this test process");
    });
    let logs = Logs(Arc::default());
    logs.join();
    logs
}

/// Writes a line to the calling thread's log, if it has one.
fn push(line: &str) {
    // `try_with`: a thread being torn down may still log.
    let owned = SINK.try_with(|sink| match &*sink.borrow() {
        Some(logs) => {
            logs.push(line);
            true
        }
        None => false,
    });
    if owned == Ok(false) {
        for logs in UNOWNED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
        {
            logs.push(line);
        }
    }
}

struct Capture {
    next_span: AtomicU64,
}

/// Writes `name=value` pairs.
struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields(format!("SPAN {}:", attributes.metadata().name()));
        attributes.record(&mut fields);
        push(&fields.0);
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut fields = Fields("SPAN record:".to_owned());
        values.record(&mut fields);
        push(&fields.0);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = Fields(format!("{} {}:", metadata.level(), metadata.target()));
        event.record(&mut fields);
        push(&fields.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
