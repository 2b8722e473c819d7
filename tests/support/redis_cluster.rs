//! A real Redis Cluster for the tests: `redis-server --cluster-enabled yes`
//! nodes on free loopback ports, each in its own temporary directory, joined
//! by `redis-cli --cluster create`; every node is killed and the
//! directories removed when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One node: its port, directory and process (`None` once killed).
struct Node {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// A running cluster of three masters, with or without one replica each.
pub struct RedisCluster {
    nodes: Vec<Node>,
}

fn installed(program: &str) -> bool {
    let probe = {
        let _spawning = crate::http::spawning();
        Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .spawn()
    };
    probe.and_then(|mut child| child.wait()).is_ok()
}

impl RedisCluster {
    /// Three masters (`replicas: false`), or three masters with one replica
    /// each (`replicas: true`, for failover). `None` when `redis-server` or
    /// `redis-cli` is not installed, after saying so on stderr; under CI
    /// (`CI` set) that is a failure, since `.ci/run` installs them.
    pub fn start(replicas: bool) -> Option<RedisCluster> {
        if !installed("redis-server") || !installed("redis-cli") {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install redis-server and redis-cli (see .ci/run)"
            );
            crate::skipped(format_args!(
                "redis-server or redis-cli is not on PATH; install them (Debian: redis-server) to run the Redis Cluster tests"
            ));
            return None;
        }
        let count = if replicas { 6 } else { 3 };
        let mut cluster = RedisCluster { nodes: Vec::new() };
        for _ in 0..count {
            let port = {
                let _spawning = crate::http::spawning();
                crate::http::free_port()
            };
            let dir = std::env::temp_dir().join(format!(
                "jwt-ext-redis-cluster-{}-{port}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create a node directory");
            let child = {
                let _spawning = crate::http::spawning();
                Command::new("redis-server")
                    .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                    .args(["--cluster-enabled", "yes"])
                    .args(["--cluster-config-file", "nodes.conf"])
                    // A failed master is noticed within a second, and its
                    // replica may always take over.
                    .args(["--cluster-node-timeout", "1000"])
                    .args(["--cluster-replica-validity-factor", "0"])
                    .args(["--repl-diskless-sync-delay", "0"])
                    .args(["--save", "", "--appendonly", "no"])
                    .arg("--dir")
                    .arg(&dir)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start redis-server")
            };
            cluster.nodes.push(Node {
                port,
                dir,
                child: Some(child),
            });
        }
        for node in &cluster.nodes {
            assert!(
                crate::http::wait_for_port(node.port, Duration::from_secs(5)),
                "redis-server did not listen on port {}",
                node.port
            );
        }
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for node in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", node.port));
        }
        create
            .args(["--cluster-replicas", if replicas { "1" } else { "0" }])
            .arg("--cluster-yes")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let status = {
            let _spawning = crate::http::spawning();
            create.spawn().expect("start redis-cli")
        }
        .wait()
        .expect("redis-cli --cluster create");
        assert!(status.success(), "redis-cli --cluster create failed");
        cluster.wait_until_ok(Duration::from_secs(20));
        if replicas {
            cluster.wait_until_replicas_synced(Duration::from_secs(20));
        }
        Some(cluster)
    }

    /// The `redis://127.0.0.1:<port>` URL of every node started.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|node| format!("redis://127.0.0.1:{}", node.port))
            .collect()
    }

    /// Runs `redis-cli -p <port> <args>` and returns its output.
    pub fn cli(&self, port: u16, args: &[&str]) -> String {
        let child = {
            let _spawning = crate::http::spawning();
            Command::new("redis-cli")
                .args(["-h", "127.0.0.1", "-p", &port.to_string()])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start redis-cli")
        };
        let output = child.wait_with_output().expect("redis-cli");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn alive(&self) -> impl Iterator<Item = u16> + '_ {
        self.nodes
            .iter()
            .filter(|node| node.child.is_some())
            .map(|node| node.port)
    }

    /// Whether every live node says `cluster_state:ok`.
    pub fn is_ok(&self) -> bool {
        self.alive().all(|port| {
            self.cli(port, &["cluster", "info"])
                .contains("cluster_state:ok")
        })
    }

    /// Waits until every live node says `cluster_state:ok`; panics after
    /// `timeout`.
    pub fn wait_until_ok(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.is_ok() {
            assert!(
                Instant::now() < deadline,
                "the Redis Cluster is not ok after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_until_replicas_synced(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let synced = self
                .alive()
                .map(|port| self.cli(port, &["info", "replication"]))
                .filter(|info| info.contains("role:slave"))
                .filter(|info| info.contains("master_link_status:up"))
                .count();
            if synced == 3 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the replicas did not sync within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the replica of the master on `port` has every write the
    /// master acknowledged; panics after `timeout`.
    pub fn wait_until_replicated(&self, port: u16, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let info = self.cli(port, &["info", "replication"]);
            let field = |name: &str| -> Option<u64> {
                info.lines()
                    .find_map(|line| line.trim().strip_prefix(name))
                    .and_then(|value| value.parse().ok())
            };
            let replica = info
                .lines()
                .find(|line| line.starts_with("slave0:"))
                .and_then(|line| line.split(',').find_map(|kv| kv.strip_prefix("offset=")))
                .and_then(|value| value.parse::<u64>().ok());
            if let (Some(master), Some(replica)) = (field("master_repl_offset:"), replica)
                && replica >= master
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the replica of {port} did not catch up within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The port of the live master serving `key`'s slot.
    pub fn master_of(&self, key: &str) -> u16 {
        let port = self.alive().next().expect("a live node");
        let slot: u16 = self
            .cli(port, &["cluster", "keyslot", key])
            .trim()
            .parse()
            .expect("a slot number");
        for line in self.cli(port, &["cluster", "nodes"]).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 9 || !fields[2].contains("master") || fields[2].contains("fail") {
                continue;
            }
            let serves = fields[8..].iter().any(|range| {
                let mut bounds = range.split('-').map(str::parse::<u16>);
                match (bounds.next(), bounds.next()) {
                    (Some(Ok(low)), Some(Ok(high))) => (low..=high).contains(&slot),
                    (Some(Ok(only)), None) => only == slot,
                    _ => false,
                }
            });
            if serves {
                let address = fields[1].split('@').next().unwrap_or_default();
                return address
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("a node port");
            }
        }
        panic!("no live master serves slot {slot}");
    }

    /// The port of a replica of the master on `port`.
    pub fn replica_of(&self, port: u16) -> u16 {
        let live = self.alive().next().expect("a live node");
        let nodes = self.cli(live, &["cluster", "nodes"]);
        let lines: Vec<Vec<&str>> = nodes
            .lines()
            .map(|line| line.split_whitespace().collect())
            .filter(|fields: &Vec<&str>| fields.len() >= 8)
            .collect();
        let port_of = |fields: &Vec<&str>| -> u16 {
            fields[1]
                .split('@')
                .next()
                .and_then(|address| address.rsplit(':').next())
                .and_then(|p| p.parse().ok())
                .expect("a node port")
        };
        let master = lines
            .iter()
            .find(|fields| port_of(fields) == port)
            .expect("the master in cluster nodes")[0];
        lines
            .iter()
            .find(|fields| fields[2].contains("slave") && fields[3] == master)
            .map(port_of)
            .expect("a replica of the master")
    }

    /// Kills the node on `port` (SIGKILL: no goodbye to the cluster).
    pub fn kill(&mut self, port: u16) {
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port == port)
            .expect("a node of this cluster");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
            let _ = std::fs::remove_dir_all(&node.dir);
        }
    }
}
