//! The fetching thread of one remote key set: its own actix runtime and
//! awc client, the first fetch (which start-up waits for), refreshes when
//! the set expires, retries with backoff, and the fetches asked for by
//! unknown key ids. It ends when the last `RemoteKeys` is dropped.

use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::ConfigError;
use crate::keys::jwk::JwkSet;
use crate::remote::fetch::{Fetched, Fetcher, fetch_bound};
use crate::remote::handle::{Finished, Shared};
use crate::remote::max_age::refresh_after;
use crate::remote::source::{FetchOptions, Origin, RemoteKeySource};

/// What the request side asks of the fetching thread.
pub(crate) enum Command {
    /// Fetch now for an unknown key id; the ticket names the waiters.
    Refetch(u64),
}

/// What start-up learns of the first fetch.
struct FirstFetch {
    kids: Vec<String>,
    skipped: Vec<String>,
}

/// Starts the thread and waits for its first fetch.
pub(crate) fn spawn(
    source: &RemoteKeySource,
    label: &str,
) -> Result<(Arc<Shared>, mpsc::UnboundedSender<Command>), ConfigError> {
    let options = source.options.clone();
    let (shared, finished) = Shared::new(JwkSet::default(), false, options.unknown_kid_cooldown);
    let shared = Arc::new(shared);
    let (commands, receiver) = mpsc::unbounded_channel();
    let (first_sender, first) = std_mpsc::channel();
    let worker = Worker {
        shared: Arc::clone(&shared),
        origin: source.origin.clone(),
        options: options.clone(),
        label: label.to_owned(),
        finished,
        failures: 0,
        kids: Vec::new(),
        document: Vec::new(),
    };
    std::thread::Builder::new()
        .name("jwt-ext-remote-keys".to_owned())
        .spawn(move || {
            actix_rt::System::new().block_on(worker.run(receiver, first_sender));
        })
        .map_err(|e| {
            ConfigError::new(format!("cannot start the thread that fetches {label}: {e}"))
        })?;

    let bound = fetch_bound(&options);
    let failure = match first.recv_timeout(bound) {
        Ok(Ok(first)) => {
            log_skipped(label, &first.skipped);
            tracing::info!(
                target: "jwt_ext::remote",
                source = %label,
                kids = ?first.kids,
                "remote key set fetched"
            );
            return Ok((shared, commands));
        }
        Ok(Err(why)) => why,
        Err(std_mpsc::RecvTimeoutError::Timeout) => format!("no key set within {bound:?}"),
        Err(std_mpsc::RecvTimeoutError::Disconnected) => "the fetching thread stopped".to_owned(),
    };
    if options.start_without_keys {
        tracing::warn!(
            target: "jwt_ext::remote",
            source = %label,
            reason = %failure,
            "remote key set unavailable at start-up; starting without keys as configured"
        );
        return Ok((shared, commands));
    }
    Err(ConfigError::new(format!(
        "cannot fetch the keys of {label}: {failure}; fix the URL or the provider, or start \
         without keys with RemoteKeySource::start_without_keys(true)"
    )))
}

fn log_skipped(label: &str, skipped: &[String]) {
    for reason in skipped {
        tracing::warn!(
            target: "jwt_ext::remote",
            source = %label,
            reason = %reason,
            "remote key skipped"
        );
    }
}

struct Worker {
    shared: Arc<Shared>,
    origin: Origin,
    options: FetchOptions,
    label: String,
    finished: watch::Sender<Finished>,
    /// Failures in a row, for the backoff.
    failures: u32,
    /// The key ids of the set in hand, to log changes.
    kids: Vec<String>,
    /// The document the set in hand was parsed from.
    document: Vec<u8>,
}

impl Worker {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        first: std_mpsc::Sender<Result<FirstFetch, String>>,
    ) {
        let mut fetcher = Fetcher::new(self.origin.clone(), self.options.clone());
        let (mut delay, report) = match fetcher.fetch().await {
            Ok(fetched) => {
                let report = FirstFetch {
                    kids: fetched.set.kids(),
                    skipped: fetched.skipped.clone(),
                };
                (self.succeeded(fetched, false), Ok(report))
            }
            Err(why) => (self.failed(&why, false), Err(why)),
        };
        // Start-up may have given up waiting; the thread goes on regardless.
        let _ = first.send(report);
        loop {
            match actix_rt::time::timeout(delay, commands.recv()).await {
                // Every `RemoteKeys` is gone.
                Ok(None) => break,
                Ok(Some(Command::Refetch(ticket))) => {
                    let result = fetcher.fetch().await;
                    let ok = result.is_ok();
                    delay = self.apply(result);
                    self.shared.end_refetch(ticket);
                    self.finished.send_replace(Finished { ticket, ok });
                }
                Err(_) => delay = self.apply(fetcher.fetch().await),
            }
        }
        tracing::debug!(target: "jwt_ext::remote", source = %self.label, "remote key set dropped; fetching stopped");
    }

    /// Installs or logs the outcome of a fetch; the delay until the next.
    fn apply(&mut self, result: Result<Fetched, String>) -> Duration {
        match result {
            Ok(fetched) => self.succeeded(fetched, true),
            Err(why) => self.failed(&why, true),
        }
    }

    fn succeeded(&mut self, fetched: Fetched, log: bool) -> Duration {
        let o = &self.options;
        let refresh = refresh_after(
            fetched.max_age,
            o.default_refresh,
            o.min_refresh,
            o.max_refresh,
        );
        let kids = fetched.set.kids();
        if log {
            if kids == self.kids {
                tracing::debug!(
                    target: "jwt_ext::remote",
                    source = %self.label,
                    kids = ?kids,
                    next_in = ?refresh,
                    "remote key set refreshed, unchanged"
                );
            } else {
                log_skipped(&self.label, &fetched.skipped);
                tracing::info!(
                    target: "jwt_ext::remote",
                    source = %self.label,
                    kids = ?kids,
                    previous = ?self.kids,
                    next_in = ?refresh,
                    "remote key set changed"
                );
            }
        }
        // The same document keeps the same set, so the verifiers each
        // thread prepared for its keys stay valid.
        if fetched.document == self.document {
            self.shared.set_healthy(true);
        } else {
            self.shared.install(fetched.set);
            self.document = fetched.document;
        }
        self.kids = kids;
        self.failures = 0;
        refresh
    }

    fn failed(&mut self, why: &str, log: bool) -> Duration {
        self.shared.set_healthy(false);
        self.failures = self.failures.saturating_add(1);
        let doublings = (self.failures - 1).min(20);
        let retry = self
            .options
            .min_retry
            .saturating_mul(1 << doublings)
            .min(self.options.max_retry);
        if log {
            tracing::warn!(
                target: "jwt_ext::remote",
                source = %self.label,
                reason = %why,
                kept = ?self.kids,
                retry_in = ?retry,
                "remote key set fetch failed; the keys in hand stay in use"
            );
        }
        retry
    }
}
