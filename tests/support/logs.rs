//! Every `tracing` event and span field of the test process, captured as
//! text, so tests can assert what jwt-ext logs (a reason for each refusal)
//! and what it never logs (tokens, secrets).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The captured log text of this test process.
#[derive(Clone)]
pub struct Logs(Arc<Mutex<String>>);

impl Logs {
    /// Everything logged so far: one line per event, `LEVEL target: field=value …`,
    /// and one per span, `SPAN name: field=value …`.
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

/// Installs, once per process, a global subscriber that records every
/// event and span at every level, and returns its log.
///
/// Panics if another global subscriber was installed first.
pub fn capture() -> Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs(Arc::default());
        let subscriber = Capture {
            logs: logs.clone(),
            next_span: AtomicU64::new(1),
        };
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global tracing subscriber in this test process");
        logs
    })
    .clone()
}

struct Capture {
    logs: Logs,
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
        self.logs.push(&fields.0);
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut fields = Fields("SPAN record:".to_owned());
        values.record(&mut fields);
        self.logs.push(&fields.0);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = Fields(format!("{} {}:", metadata.level(), metadata.target()));
        event.record(&mut fields);
        self.logs.push(&fields.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
