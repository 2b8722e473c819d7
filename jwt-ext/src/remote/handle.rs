//! `RemoteKeys`: the request side of a remote key set. Reading the set is
//! a lock held for a pointer copy; a fetch for an unknown key id is asked
//! of the fetching thread and awaited without any runtime's timers, so any
//! actix worker can wait for it.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::ConfigError;
use crate::keys::jwk::JwkSet;
use crate::remote::source::RemoteKeySource;
use crate::remote::worker::{self, Command};

/// A remote key set: a snapshot in hand, refreshed in the background.
/// Cheap to clone; the fetching thread stops when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct RemoteKeys {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    /// The fetching thread ends when this closes, with the last handle.
    commands: mpsc::UnboundedSender<Command>,
    /// The issuer or JWKS URL, for log lines.
    label: String,
}

/// What the request side and the fetching thread share.
pub(crate) struct Shared {
    current: RwLock<Arc<JwkSet>>,
    /// Whether the last fetch succeeded: a failure after a success keeps
    /// the set but answers unknown key ids with [`Unavailable`].
    healthy: AtomicBool,
    refetch: Mutex<Refetch>,
    /// The last finished unknown-kid fetch; closed when the thread ends.
    finished: watch::Receiver<Finished>,
    cooldown: Duration,
}

#[derive(Default)]
struct Refetch {
    last_started: Option<Instant>,
    /// The ticket of the fetch under way, which late callers share.
    in_flight: Option<u64>,
    next_ticket: u64,
}

/// The outcome of the unknown-kid fetch with this ticket.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Finished {
    pub(crate) ticket: u64,
    pub(crate) ok: bool,
}

/// No key set could be fetched for a token whose key id is unknown: the
/// provider is unreachable or answers badly. The request is answered 503,
/// never let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unavailable;

impl crate::error::Refetch for RemoteKeys {
    fn refetch(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + '_>> {
        Box::pin(async move { self.refetch_for_unknown_kid().await.is_ok() })
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the identity provider's key set cannot be fetched")
    }
}

impl Shared {
    pub(crate) fn new(
        initial: JwkSet,
        healthy: bool,
        cooldown: Duration,
    ) -> (Shared, watch::Sender<Finished>) {
        let (sender, finished) = watch::channel(Finished::default());
        let shared = Shared {
            current: RwLock::new(Arc::new(initial)),
            healthy: AtomicBool::new(healthy),
            refetch: Mutex::new(Refetch::default()),
            finished,
            cooldown,
        };
        (shared, sender)
    }

    pub(crate) fn current(&self) -> Arc<JwkSet> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the set and marks the source healthy.
    pub(crate) fn install(&self, set: JwkSet) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
        self.set_healthy(true);
    }

    /// Marks whether the last fetch succeeded.
    pub(crate) fn set_healthy(&self, healthy: bool) {
        self.healthy.store(healthy, Ordering::Release);
    }

    fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Acquire)
    }

    /// Ends the fetch of `ticket`: later callers within the cooldown get
    /// the set at once; those sharing it are woken by the sender.
    pub(crate) fn end_refetch(&self, ticket: u64) {
        let mut refetch = self.refetch.lock().unwrap_or_else(PoisonError::into_inner);
        if refetch.in_flight == Some(ticket) {
            refetch.in_flight = None;
        }
    }
}

impl RemoteKeys {
    /// Starts fetching in a thread of its own and waits for the first
    /// result (bounded by the timeouts): works whether or not the caller
    /// runs on an actix runtime.
    ///
    /// # Errors
    /// A bad source, or the first fetch failing, naming the URL and why,
    /// unless the source starts without keys.
    pub(crate) fn start(source: &RemoteKeySource) -> Result<RemoteKeys, ConfigError> {
        source.validate()?;
        let label = source.label().to_owned();
        let (shared, commands) = worker::spawn(source, &label)?;
        Ok(RemoteKeys {
            inner: Arc::new(Inner {
                shared,
                commands,
                label,
            }),
        })
    }

    /// What the fetching thread shares, for watching it stop.
    pub(crate) fn downgrade_shared(&self) -> std::sync::Weak<Shared> {
        Arc::downgrade(&self.inner.shared)
    }

    /// The set in hand: a snapshot, cheap to take per request.
    pub(crate) fn get(&self) -> Arc<JwkSet> {
        self.inner.shared.current()
    }

    /// For a token whose key id the set lacks: fetches the set again, at
    /// most once per cooldown; callers during a fetch share it, callers
    /// within the cooldown after it get the set in hand at once.
    ///
    /// # Errors
    /// [`Unavailable`] when the fetch failed, or when the last fetch did
    /// and the cooldown forbids another.
    pub(crate) async fn refetch_for_unknown_kid(&self) -> Result<Arc<JwkSet>, Unavailable> {
        let shared = &self.inner.shared;
        let mut finished = shared.finished.clone();
        let ticket = {
            let mut refetch = shared
                .refetch
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match refetch.in_flight {
                Some(ticket) => ticket,
                None if refetch
                    .last_started
                    .is_some_and(|started| started.elapsed() < shared.cooldown) =>
                {
                    drop(refetch);
                    tracing::debug!(
                        target: "jwt_ext::remote",
                        source = %self.inner.label,
                        "unknown key id within the refetch cooldown: the key set in hand answers"
                    );
                    return if shared.is_healthy() {
                        Ok(self.get())
                    } else {
                        Err(Unavailable)
                    };
                }
                None => {
                    refetch.next_ticket += 1;
                    let ticket = refetch.next_ticket;
                    if self.inner.commands.send(Command::Refetch(ticket)).is_err() {
                        return Err(Unavailable);
                    }
                    refetch.in_flight = Some(ticket);
                    refetch.last_started = Some(Instant::now());
                    tracing::info!(
                        target: "jwt_ext::remote",
                        source = %self.inner.label,
                        "unknown key id: fetching the key set again"
                    );
                    ticket
                }
            }
        };
        loop {
            let done = *finished.borrow_and_update();
            if done.ticket >= ticket {
                return if done.ok {
                    Ok(self.get())
                } else {
                    Err(Unavailable)
                };
            }
            // Closed: the fetching thread is gone, nothing will be fetched.
            if finished.changed().await.is_err() {
                return Err(Unavailable);
            }
        }
    }
}
