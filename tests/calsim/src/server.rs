//! Serving the simulator on a socket, with the one thing a plain server cannot do:
//! drop a connection without answering (the `Reset` fault).
//!
//! Each accepted TCP stream is wrapped in a [`SimStream`] that shares a [`ConnControl`] with
//! the request handlers (through axum's connect info). When a handler asks for a reset, the
//! stream fails its next read or write with `ConnectionReset` after setting `SO_LINGER` to
//! zero, so hyper drops it before a single byte of the answer is written and the kernel
//! sends RST instead of FIN.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Simulator;

/// Shared between a connection and the handlers of its requests.
#[derive(Debug, Default)]
pub struct ConnControl {
    reset: AtomicBool,
}

impl ConnControl {
    /// Asks for the connection to be reset instead of answered.
    pub fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
    }

    fn is_reset(&self) -> bool {
        self.reset.load(Ordering::SeqCst)
    }
}

/// Connect info of a simulator connection: the peer and the connection's control.
#[derive(Debug, Clone)]
pub struct ConnMeta {
    /// The client's address (the rate limit's fallback tracker).
    pub remote: SocketAddr,
    /// Lets a handler reset the connection.
    pub control: Arc<ConnControl>,
}

impl Connected<IncomingStream<'_, SimListener>> for ConnMeta {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        ConnMeta {
            remote: *stream.remote_addr(),
            control: stream.io().control.clone(),
        }
    }
}

/// A TCP listener whose connections can be reset by handlers.
#[derive(Debug)]
pub struct SimListener {
    inner: TcpListener,
}

impl SimListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener) -> SimListener {
        SimListener { inner }
    }
}

impl Listener for SimListener {
    type Io = SimStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (SimStream, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "cannot set TCP_NODELAY");
                    }
                    let stream = SimStream {
                        inner: stream,
                        control: Arc::default(),
                    };
                    return (stream, remote);
                }
                Err(error) => {
                    // Like axum's own listener: out of file descriptors and similar
                    // conditions pass; back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that can be told to fail (see the module docs).
#[derive(Debug)]
pub struct SimStream {
    inner: TcpStream,
    control: Arc<ConnControl>,
}

impl SimStream {
    fn check(&self) -> io::Result<()> {
        if !self.control.is_reset() {
            return Ok(());
        }
        #[expect(
            deprecated,
            reason = "SO_LINGER blocks on drop only for a non-zero linger; zero makes close send RST at once"
        )]
        let linger = self.inner.set_linger(Some(Duration::ZERO));
        if let Err(error) = linger {
            tracing::debug!(%error, "cannot set SO_LINGER; the connection closes with FIN");
        }
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "reset by calsim fault injection",
        ))
    }
}

impl AsyncRead for SimStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A simulator serving on a socket. Dropping it starts a graceful shutdown in the
/// background; [`RunningSimulator::shutdown`] waits for it.
#[derive(Debug)]
pub struct RunningSimulator {
    /// Where it listens (the real port when bound to port 0).
    pub addr: SocketAddr,
    /// The simulator, for inspection and control.
    pub sim: Simulator,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSimulator {
    pub(crate) async fn start(sim: Simulator, listener: TcpListener) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        let (shutdown, signal) = oneshot::channel::<()>();
        let router = sim.router();
        let release = sim.shared.release.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(
                SimListener::new(listener),
                router.into_make_service_with_connect_info::<ConnMeta>(),
            )
            .with_graceful_shutdown(async move {
                let _ = signal.await;
                // Let hung requests go, or the graceful shutdown would wait for them forever.
                release.send_modify(|generation| *generation += 1);
            })
            .await;
            if let Err(error) = served {
                tracing::error!(%error, "calsim server stopped");
            }
        });
        tracing::info!(%addr, "calsim listening");
        Ok(RunningSimulator {
            addr,
            sim,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// `http://<addr>`: the base URL (Cal.com's is `https://api.cal.com`; paths start with `/v2`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What a standalone simulator prints once it listens (`calsim`, `slotline simulator`).
    /// The first line is a contract: scripts read the API's base URL from it
    /// (`tests/plugin-test/run.sh`, a `slotline plugin new` project's `test.sh`).
    pub fn banner(&self, api_keys: &[String]) -> String {
        let url = self.url();
        format!(
            "calsim serving Cal.com v2 at {url}/v2\n  control plane  {url}/_sim/...\n  API keys       {}",
            api_keys.join(", ")
        )
    }

    /// Stops accepting, lets in-flight requests finish (hung ones are released) and waits.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
