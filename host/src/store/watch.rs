//! Changes other replicas made to a shared (PostgreSQL) store, as they happen.
//!
//! [`Store::activate`](super::Store::activate) announces each activation, and
//! [`Store::add_plugin_version`](super::Store::add_plugin_version) each new version, with
//! `pg_notify` on the channel `slotline_store` inside its transaction (the payloads are in
//! `event.rs`), so PostgreSQL delivers it when the change commits (never before it is
//! visible). [`watch`] listens on its own connection, on a
//! thread of its own (with the `postgres` crate's blocking client: a listener waits for
//! notifications all its life, and keeps it off the gateway's runtime, whose connection pool
//! serves the store's operations), and calls back for each announcement. While the connection is down,
//! announcements are lost: after reconnecting it reports [`StoreEvent::Resync`], and the
//! receiver re-reads whatever it caches.
//!
//! ```no_run
//! use slotline::store::{StoreEvent, watch};
//!
//! # fn main() -> Result<(), slotline::store::StoreError> {
//! let watcher = watch("postgres://slotline@db/slotline", |event| match event {
//!     StoreEvent::Activated { tenant } => println!("reload {tenant}"),
//!     StoreEvent::Resync => println!("reload everything"),
//!     _ => {}
//! })?;
//! // ... for as long as the events are wanted; dropping `watcher` stops it.
//! drop(watcher);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls};

use super::StoreError;
use super::event::{CHANNEL, StoreEvent};
use super::pg;

/// How long the watching thread waits for a notification before it checks whether it should
/// stop: the longest a dropped [`Watcher`] may take to end.
const POLL: Duration = Duration::from_millis(100);

/// How long a quiet connection goes unchecked: a connection that died without a word (a
/// network partition) is noticed within this (plus the check's timeout).
const PING_EVERY: Duration = Duration::from_secs(15);

/// How long the check may take.
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// The first wait before reconnecting, doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The longest wait between attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A running [`watch`]. Dropping it stops the watching thread (within about 100 ms) and waits
/// for it, so no callback runs after the drop returned.
pub struct Watcher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    target: String,
}

impl fmt::Debug for Watcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watcher")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!(target = %self.target, "store watch: the callback panicked");
        }
    }
}

/// Calls `on_event` for every change announced on the PostgreSQL store at `url`, from a
/// dedicated thread, until the returned [`Watcher`] is dropped.
///
/// Returns once it listens: every activation committed after that is reported (or, if the
/// connection broke meanwhile, followed by a [`StoreEvent::Resync`]). Fails when the first
/// connection cannot be made; later disconnections are retried forever, waiting 100 ms
/// doubling to 5 s between attempts. `on_event` runs on the watching thread: keep it short
/// (hand the event to a channel or spawn the work).
pub fn watch(
    url: &str,
    on_event: impl Fn(StoreEvent) + Send + 'static,
) -> Result<Watcher, StoreError> {
    let config = pg::config(url)?;
    let target = pg::target(&config);
    let config = Config::from(config);
    let (stop, stopped) = mpsc::channel::<()>();
    let listener = Listener {
        config,
        target: target.clone(),
        stopped,
    };
    let thread = spawn_connected(
        "slotline-store-watch",
        move || {
            let client = listener.listen()?;
            Ok((listener, client))
        },
        move |(listener, client)| listener.run(client, &on_event),
    )?;
    let watcher = Watcher {
        stop: Some(stop),
        thread: Some(thread),
        target,
    };
    tracing::info!(target = %watcher.target, "store watch: listening");
    Ok(watcher)
}

/// The watching thread's state.
struct Listener {
    config: Config,
    target: String,
    /// Disconnected when the [`Watcher`] is dropped.
    stopped: mpsc::Receiver<()>,
}

/// Why the listening loop ended.
enum End {
    /// The watcher was dropped.
    Stop,
    /// The connection broke, for this reason.
    Lost(String),
}

impl Listener {
    /// A new connection that listens on [`CHANNEL`].
    fn listen(&self) -> Result<Client, StoreError> {
        let mut client =
            self.config
                .connect(NoTls)
                .map_err(|source| StoreError::PostgresConnect {
                    target: self.target.clone(),
                    source,
                })?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(client)
    }

    fn should_stop(&self) -> bool {
        matches!(self.stopped.try_recv(), Err(TryRecvError::Disconnected))
    }

    /// Listens, reconnects, until stopped.
    fn run(&self, mut client: Client, on_event: &dyn Fn(StoreEvent)) {
        loop {
            match self.deliver(&mut client, on_event) {
                End::Stop => return,
                End::Lost(reason) => {
                    tracing::warn!(target = %self.target, %reason, "store watch: connection lost; reconnecting");
                }
            }
            drop(client);
            client = match self.reconnect() {
                Some(client) => client,
                None => return,
            };
            tracing::info!(target = %self.target, "store watch: reconnected; resyncing");
            on_event(StoreEvent::Resync);
        }
    }

    /// Hands notifications to `on_event` until stopped or the connection breaks.
    fn deliver(&self, client: &mut Client, on_event: &dyn Fn(StoreEvent)) -> End {
        let mut last_heard = Instant::now();
        loop {
            if self.should_stop() {
                return End::Stop;
            }
            let next = client.notifications().timeout_iter(POLL).next();
            match next {
                Ok(Some(notification)) => {
                    last_heard = Instant::now();
                    if notification.channel() == CHANNEL {
                        on_event(StoreEvent::parse(notification.payload()));
                    }
                }
                // A timeout, or the connection ended.
                Ok(None) if client.is_closed() => {
                    return End::Lost("the server closed the connection".into());
                }
                Ok(None) => {
                    if last_heard.elapsed() >= PING_EVERY {
                        if let Err(err) = client.is_valid(PING_TIMEOUT) {
                            return End::Lost(StoreError::from(err).to_string());
                        }
                        last_heard = Instant::now();
                    }
                }
                Err(err) => return End::Lost(StoreError::from(err).to_string()),
            }
        }
    }

    /// A new listening connection, after waiting (100 ms doubling to 5 s) between attempts;
    /// `None` when stopped meanwhile.
    fn reconnect(&self) -> Option<Client> {
        let mut backoff = FIRST_BACKOFF;
        loop {
            match self.stopped.recv_timeout(backoff) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return None,
            }
            match self.listen() {
                Ok(client) => return Some(client),
                Err(err) => {
                    tracing::warn!(target = %self.target, error = %err, retry_in = ?backoff, "store watch: cannot reconnect");
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

/// Starts a thread named `name` that runs `connect`, then `serve` with what it connected;
/// returns once `connect` finished, with its error if it failed (the thread then ends).
/// `connect` runs on the new thread because the `postgres` client must not be made (nor used)
/// on a thread that runs tokio: it drives the connection with a runtime of its own.
fn spawn_connected<S: 'static>(
    name: &str,
    connect: impl FnOnce() -> Result<S, StoreError> + Send + 'static,
    serve: impl FnOnce(S) + Send + 'static,
) -> Result<JoinHandle<()>, StoreError> {
    let (ready, connected) = mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || match connect() {
            Ok(state) => {
                if ready.send(Ok(())).is_ok() {
                    serve(state);
                }
            }
            Err(err) => {
                let _ = ready.send(Err(err));
            }
        })
        .map_err(|err| StoreError::Worker(format!("{name} cannot be started ({err})")))?;
    connected.recv().unwrap_or_else(|_| {
        Err(StoreError::Worker(format!(
            "{name} stopped while connecting"
        )))
    })?;
    Ok(thread)
}
