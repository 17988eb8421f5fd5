//! [`RedisStore`] (feature `redis`): one dedupe store shared by every replica of a service.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use super::{millis, DedupeStore, Reserve, StoreError, StoreFuture, Token};

/// Default time allowed for one store operation: 2 seconds.
pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(2);

/// `SET key token NX PX lease`; if taken, say whether it is done or in flight (and for how long).
const RESERVE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, 0} end
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {2, 0} end
return {3, redis.call('PTTL', KEYS[1])}
";

/// Commit if we hold it, or if nobody does (our lease ran out and nobody took over).
const COMMIT: &str = r"
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
if v == 'done' then return 1 end
return 0
";

/// Delete only our own reservation.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

struct Scripts {
    reserve: Script,
    commit: Script,
    release: Script,
}

/// A dedupe store in Redis, for services that run on several replicas.
///
/// - Reserve is one atomic `SET key token NX PX lease` (in a script that also reports whether
///   an existing key is done or in flight); commit and release check the token first, so a
///   holder whose lease expired never commits over, or deletes, the reservation of the replica
///   that took over.
/// - Keys are `<prefix><namespace>:<provider>:<id>` (prefix `webhook-guard:` by default);
///   committed keys expire by themselves after the retention time (`PX`).
/// - The connection is a `redis::aio::ConnectionManager`: it reconnects after Redis restarts
///   or the network drops. Each operation is bounded by a timeout (default 2 s); an error or a
///   timeout answers `503` (fail closed) unless the [`Dedupe`](super::Dedupe) fails open.
///
/// ```no_run
/// use webhook_guard::dedupe::{redis::RedisStore, Dedupe};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::new("redis://127.0.0.1:6379/")?; // connects on first use
/// let dedupe = Dedupe::new(store);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    op_timeout: Duration,
    scripts: Arc<Scripts>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: never print it.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .finish_non_exhaustive()
    }
}

fn error(e: &redis::RedisError) -> StoreError {
    // A RedisError names the failure (refused, timed out, a server error code), never the URL.
    StoreError::new(format!("redis: {e}"))
}

impl RedisStore {
    /// A store for the Redis at `url` (`redis://[:password@]host:port/db`). Nothing is
    /// connected yet: the first operation connects, and a Redis that is down then answers
    /// `503` until it is back. Must be called inside a Tokio runtime.
    pub fn new(url: &str) -> Result<Self, StoreError> {
        let client =
            redis::Client::open(url).map_err(|_| StoreError::new("the Redis URL is not valid"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_OP_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_OP_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn =
            ConnectionManager::new_lazy_with_config(client, config).map_err(|e| error(&e))?;
        Ok(RedisStore {
            conn,
            prefix: Arc::from("webhook-guard:"),
            op_timeout: DEFAULT_OP_TIMEOUT,
            scripts: Arc::new(Scripts {
                reserve: Script::new(RESERVE),
                commit: Script::new(COMMIT),
                release: Script::new(RELEASE),
            }),
        })
    }

    /// [`RedisStore::new`], then a `PING` to fail early if Redis cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = RedisStore::new(url)?;
        store.ping().await?;
        Ok(store)
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        self.bounded(async move { redis::cmd("PING").query_async::<String>(&mut conn).await })
            .await
            .map(drop)
    }

    /// Prefix of every key (default `webhook-guard:`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// Time allowed for one operation, connection included (default 2 s).
    pub fn op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    async fn bounded<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.op_timeout, op).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(error(&e)),
            Err(_) => Err(StoreError::new("redis: operation timed out")),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn token_text(token: Token) -> String {
    format!("{:032x}", token.get())
}

impl DedupeStore for RedisStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        lease: Duration,
    ) -> StoreFuture<'a, Reserve> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let key = self.key(key);
            let mut call = self.scripts.reserve.key(&key);
            call.arg(token_text(token)).arg(millis(lease).max(1));
            let (state, pttl): (i64, i64) = self.bounded(call.invoke_async(&mut conn)).await?;
            Ok(match state {
                1 => Reserve::Reserved,
                2 => Reserve::Done,
                _ => Reserve::InFlight {
                    retry_after: Duration::from_millis(u64::try_from(pttl).unwrap_or(0)),
                },
            })
        })
    }

    fn commit<'a>(
        &'a self,
        key: &'a str,
        token: Token,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let key = self.key(key);
            let mut call = self.scripts.commit.key(&key);
            call.arg(token_text(token)).arg(millis(retention).max(1));
            let done: i64 = self.bounded(call.invoke_async(&mut conn)).await?;
            Ok(done == 1)
        })
    }

    fn release<'a>(&'a self, key: &'a str, token: Token) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let key = self.key(key);
            let mut call = self.scripts.release.key(&key);
            call.arg(token_text(token));
            let _: i64 = self.bounded(call.invoke_async(&mut conn)).await?;
            Ok(())
        })
    }
}
