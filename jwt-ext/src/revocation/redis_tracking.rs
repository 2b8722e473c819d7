//! The invalidation channel of a [`RedisStore`](super::RedisStore)'s local
//! cache: one RESP3 connection with `CLIENT TRACKING` on, over which the
//! cache's misses are read, so Redis remembers each key read and pushes an
//! `invalidate` message on that same connection when any client changes
//! it.
//!
//! A background task owns the connection: it turns tracking on, pings four
//! times per staleness period (a reply proves every invalidation sent
//! before the ping has been applied, since pushes and replies share the
//! connection's order, so each reply extends the cache's trust to the
//! ping's sending time plus the bound), and on a lost connection or a ping
//! unanswered for two seconds drops the cache at once and reconnects,
//! backing off up to a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Client, IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind,
};

use super::StoreError;
use super::cache::{Cache, LocalCache};

/// How long a heartbeat may go unanswered before the channel counts as
/// lost: a host starved of CPU for a moment must not make every instance
/// reconnect and refill its cache, while a dead peer is found within
/// seconds (a closed connection is found at once).
const LOST: Duration = Duration::from_secs(2);

/// The cache with its channel: what a cached `RedisStore` holds.
pub(crate) struct Tracked {
    pub(crate) cache: Cache,
    /// The store's key prefix, stripped from invalidated keys.
    prefix: Mutex<Arc<str>>,
    /// The connection tracking is on for, while it is.
    connection: Mutex<Option<MultiplexedConnection>>,
    /// Which connection is current, so a late push from an old one is
    /// ignored.
    generation: AtomicU64,
}

impl Tracked {
    /// Connects the channel and starts its task; answers once the cache
    /// is trusted, or with why it cannot be.
    pub(crate) async fn start(
        url: &str,
        prefix: String,
        config: LocalCache,
    ) -> Result<Arc<Tracked>, StoreError> {
        let info = url
            .into_connection_info()
            .map_err(|e| StoreError::new(format!("invalid Redis URL: {e}")))?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client = Client::open(info.set_redis_settings(settings))
            .map_err(|e| StoreError::new(format!("invalid Redis URL: {e}")))?;
        let tracked = Arc::new(Tracked {
            cache: Cache::new(config),
            prefix: Mutex::new(Arc::from(prefix)),
            connection: Mutex::new(None),
            generation: AtomicU64::new(0),
        });
        // The first connection is made here, so a Redis without RESP3 or
        // tracking (before 6.0) is a start-up error, not a silent slowdown.
        let connection = connect(&client, &tracked).await?;
        tracked.install(connection.clone());
        tokio::spawn(supervise(client, Arc::downgrade(&tracked), connection));
        Ok(tracked)
    }

    /// Follows a change of the store's prefix: cached keys were read
    /// under the old one.
    pub(crate) fn set_prefix(&self, prefix: &str) {
        *lock(&self.prefix) = Arc::from(prefix);
        self.cache.clear();
    }

    /// The connection to read misses over, while the cache is trusted.
    pub(crate) fn connection(&self) -> Option<MultiplexedConnection> {
        lock(&self.connection).clone()
    }

    fn install(&self, connection: MultiplexedConnection) {
        *lock(&self.connection) = Some(connection);
        // Nothing read before this connection tracked it may be kept.
        self.cache.restart();
        self.cache
            .trust_until(Instant::now() + self.cache.config().staleness_bound());
    }

    fn lose(&self) {
        *lock(&self.connection) = None;
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cache.distrust();
        tracing::warn!(
            target: "jwt_ext::revocation",
            "Redis invalidation channel lost: local cache dropped, reading Redis directly"
        );
    }

    /// Applies a push from the connection of `generation`.
    fn on_push(&self, generation: u64, push: PushInfo) {
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        match push.kind {
            PushKind::Invalidate => match push.data.first() {
                Some(redis::Value::Array(keys)) => {
                    let prefix = Arc::clone(&lock(&self.prefix));
                    for key in keys {
                        if let Some(key) = key_name(key) {
                            // Keys of other services sharing the Redis are
                            // not cached; nothing to forget.
                            if let Some(key) = key.strip_prefix(&*prefix) {
                                self.cache.invalidate(key);
                            }
                        }
                    }
                }
                // A null list: the database was flushed.
                _ => self.cache.clear(),
            },
            PushKind::Disconnection => self.lose(),
            _ => {}
        }
    }
}

fn key_name(value: &redis::Value) -> Option<&str> {
    match value {
        redis::Value::BulkString(bytes) => std::str::from_utf8(bytes).ok(),
        redis::Value::SimpleString(text) => Some(text),
        _ => None,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A RESP3 connection whose pushes go to `tracked`, with tracking on.
async fn connect(
    client: &Client,
    tracked: &Arc<Tracked>,
) -> Result<MultiplexedConnection, StoreError> {
    let generation = tracked.generation.fetch_add(1, Ordering::AcqRel) + 1;
    let weak = Arc::downgrade(tracked);
    let sender = move |push: PushInfo| {
        if let Some(tracked) = weak.upgrade() {
            tracked.on_push(generation, push);
        }
        Ok::<(), std::convert::Infallible>(())
    };
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_push_sender(sender);
    let mut connection = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(|e| StoreError::new(format!("cannot connect to Redis over RESP3: {e}")))?;
    let () = redis::cmd("CLIENT")
        .arg("TRACKING")
        .arg("ON")
        .query_async(&mut connection)
        .await
        .map_err(|e| {
            StoreError::new(format!(
                "Redis refused client-side caching (CLIENT TRACKING needs Redis 6 or later): {e}"
            ))
        })?;
    Ok(connection)
}

/// The channel's task: heartbeats while connected, reconnects when lost;
/// ends when the store is dropped.
async fn supervise(client: Client, tracked: Weak<Tracked>, connection: MultiplexedConnection) {
    let mut connection = Some(connection);
    let mut backoff = Duration::from_millis(50);
    loop {
        let Some(current) = connection.take() else {
            tokio::time::sleep(backoff).await;
            let Some(strong) = tracked.upgrade() else {
                return;
            };
            match connect(&client, &strong).await {
                Ok(new) => {
                    strong.install(new.clone());
                    tracing::info!(
                        target: "jwt_ext::revocation",
                        "Redis invalidation channel restored: local cache in use again"
                    );
                    backoff = Duration::from_millis(50);
                    connection = Some(new);
                }
                Err(_) => backoff = (backoff * 2).min(Duration::from_secs(1)),
            }
            continue;
        };
        if !heartbeat(&tracked, current.clone()).await {
            return;
        }
        // The heartbeat failed: the loss was recorded; start over.
    }
}

/// Pings until the connection fails or the store is dropped; `false`
/// when the store is gone.
async fn heartbeat(tracked: &Weak<Tracked>, mut connection: MultiplexedConnection) -> bool {
    let Some(staleness) = tracked
        .upgrade()
        .map(|tracked| tracked.cache.config().staleness_bound())
    else {
        return false;
    };
    let period = staleness / 4;
    loop {
        tokio::time::sleep(period).await;
        let Some(strong) = tracked.upgrade() else {
            return false;
        };
        if strong.connection().is_none() {
            // Lost by a push (disconnection) meanwhile.
            return true;
        }
        let sent = Instant::now();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut connection);
        // A late reply only pauses the cache (its trust lapses by itself
        // after the staleness bound, and a reply proves every earlier
        // invalidation applied); no reply at all within LOST drops it.
        match tokio::time::timeout(LOST, ping).await {
            Ok(Ok(_)) => strong.cache.trust_until(sent + staleness),
            _ => {
                strong.lose();
                return true;
            }
        }
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracked")
            .field("config", &self.cache.config())
            .finish_non_exhaustive()
    }
}
