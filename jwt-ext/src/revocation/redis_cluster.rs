//! A revocation store on Redis Cluster (or a Valkey cluster).
//!
//! Key layout: the same keys as [`RedisStore`](super::RedisStore), without
//! hash tags, so each key lands on its own slot. The keys the pipeline reads
//! together (a token's `revoked:` key and its family's `family:` key) are
//! read with one `EXISTS`, which the cluster client splits per node and
//! sends to those nodes concurrently, summing the answers: one round trip
//! in time, one command per node involved. A hash tag per family would save
//! that second command only for tokens of a rotation family, and would pile
//! a whole family's keys onto one node; every write here touches one key,
//! so no write needs keys on one slot.

use std::time::Duration;

use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, SingleNodeRoutingInfo, SlotAddr};

use super::redis::{
    keys_command, not_before_lookup, px_millis, raise_not_before_command, read_not_before,
};
use super::{RevocationStore, StoreError, StoreFuture};

/// Revoked keys in a Redis Cluster (or a Valkey cluster), with a TTL equal
/// to the token's remaining lifetime, as in
/// [`RedisStore`](super::RedisStore).
///
/// The client follows the cluster's topology: slots that move, and a
/// replica promoted after its master failed, are found again without a
/// restart. While the slots of a lookup's keys have no reachable master,
/// the lookup fails and protected routes answer 503 (fail closed), unless
/// fail-open was chosen explicitly: a lookup never answers "not revoked"
/// from part of its keys.
///
/// Redis replicates asynchronously: a revocation acknowledged by a master
/// that dies before its replica copied it is lost with the master, unless
/// writes wait for replicas ([`with_replica_acks`](Self::with_replica_acks)).
/// See the [revocation guide](crate::guide::revocation) for the setup and
/// its failover behaviour.
#[derive(Clone)]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub struct RedisClusterStore {
    connection: ClusterConnection,
    prefix: String,
    replica_acks: Option<(u32, Duration)>,
}

impl RedisClusterStore {
    /// Connects to the cluster that `nodes` belong to (for example
    /// `["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]`; one
    /// reachable node is enough to find the others); keys are prefixed
    /// with `jwt-ext:`.
    ///
    /// # Errors
    /// A [`StoreError`] when a URL is invalid or no node answers.
    pub async fn connect<S: AsRef<str>>(nodes: &[S]) -> Result<Self, StoreError> {
        let nodes: Vec<&str> = nodes.iter().map(AsRef::as_ref).collect();
        if nodes.is_empty() {
            return Err(StoreError::new("no Redis Cluster node given"));
        }
        let client = ClusterClient::builder(nodes)
            .connection_timeout(Duration::from_secs(2))
            .response_timeout(Duration::from_secs(2))
            // A failed node is retried briefly; the revocation timeout
            // bounds the whole lookup anyway.
            .retries(2)
            .build()
            .map_err(|e| StoreError::new(format!("invalid Redis Cluster nodes: {e}")))?;
        let connection = client
            .get_async_connection()
            .await
            .map_err(|e| StoreError::new(format!("cannot connect to Redis Cluster: {e}")))?;
        Ok(RedisClusterStore {
            connection,
            prefix: "jwt-ext:".to_owned(),
            replica_acks: None,
        })
    }

    /// Makes every write wait (Redis `WAIT`) until `replicas` replicas of
    /// the key's master have it, for at most `timeout`; a write fewer
    /// replicas acknowledged fails (a revocation answers 503), though the
    /// master keeps it. So a revocation that succeeded survives the loss of
    /// its master. Keep `timeout` below the
    /// [revocation timeout](crate::JwtManagerBuilder::revocation_timeout).
    #[must_use]
    pub fn with_replica_acks(mut self, replicas: u32, timeout: Duration) -> Self {
        self.replica_acks = Some((replicas, timeout));
        self
    }

    /// Uses `prefix` before every key instead of `jwt-ext:`, e.g. to share a
    /// cluster between services.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The remaining lifetime of a key, for inspection and tests.
    ///
    /// # Errors
    /// A [`StoreError`] when the cluster does not answer.
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, StoreError> {
        let mut connection = self.connection.clone();
        let millis: i64 = redis::cmd("PTTL")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut connection)
            .await
            .map_err(cluster_error)?;
        // -2: no key; -1: no expiry.
        Ok(u64::try_from(millis).ok().map(Duration::from_millis))
    }
}

fn cluster_error(e: redis::RedisError) -> StoreError {
    StoreError::new(format!("Redis Cluster: {e}"))
}

impl RedisClusterStore {
    /// Sends `command`, a write of `key`, to the key's master; with replica
    /// acknowledgements required, followed by `WAIT` on the same connection
    /// (`WAIT` counts the replicas that have this connection's writes), and
    /// refused when too few replicas acknowledge in time.
    async fn write<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
        key: &str,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        let Some((replicas, timeout)) = self.replica_acks else {
            return command
                .query_async(&mut connection)
                .await
                .map_err(cluster_error);
        };
        let millis = u64::try_from(timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut pipeline = redis::pipe();
        pipeline.add_command(command);
        pipeline.cmd("WAIT").arg(replicas).arg(millis);
        let route = Route::with_key(format!("{}{key}", self.prefix), SlotAddr::Master);
        let replies = connection
            .route_pipeline(pipeline, 0, 2, SingleNodeRoutingInfo::SpecificNode(route))
            .await
            .map_err(cluster_error)?;
        let (reply, acked): (T, u64) = redis::from_redis_value(redis::Value::Array(replies))
            .map_err(|e| StoreError::new(format!("Redis Cluster: {e}")))?;
        if acked < u64::from(replicas) {
            return Err(StoreError::new(format!(
                "Redis Cluster: {acked} of {replicas} replicas acknowledged the write"
            )));
        }
        Ok(reply)
    }
}

impl RevocationStore for RedisClusterStore {
    fn insert<'a>(&'a self, key: &'a str, ttl: Option<Duration>) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command
                .arg(format!("{}{key}", self.prefix))
                .arg(1)
                .arg("NX");
            if let Some(millis) = ttl.and_then(px_millis) {
                command.arg("PX").arg(millis);
            }
            let inserted: Option<String> = self.write(command, key).await?;
            Ok(inserted.is_some())
        })
    }

    fn raise_not_before<'a>(
        &'a self,
        key: &'a str,
        at: u64,
        ttl: Option<Duration>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let command = raise_not_before_command(&self.prefix, key, at, ttl);
            let _: i64 = self.write(command, key).await?;
            Ok(())
        })
    }

    fn contains_or_not_before<'a>(
        &'a self,
        keys: &'a [String],
        not_before: &'a str,
    ) -> StoreFuture<'a, (bool, Option<u64>)> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            // One MGET, split per node by the client and answered in order;
            // any node failing fails it all.
            let values = not_before_lookup(&self.prefix, keys, not_before)
                .query_async(&mut connection)
                .await
                .map_err(cluster_error)?;
            read_not_before(values, "Redis Cluster")
        })
    }

    fn contains<'a>(&'a self, keys: &'a [String]) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(false);
            }
            let mut connection = self.connection.clone();
            // Split per node by the client; any node failing fails it all.
            let found: u64 = keys_command("EXISTS", &self.prefix, keys)
                .query_async(&mut connection)
                .await
                .map_err(cluster_error)?;
            Ok(found > 0)
        })
    }
}

impl std::fmt::Debug for RedisClusterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisClusterStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
