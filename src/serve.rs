//! Serving HTTP/1.1 with the limits `axum::serve` does not set: a client must send a
//! request's headers within a time limit (which also closes a kept-alive connection that sends
//! nothing), a request body that stalls is cut off, and at most so many connections are open at
//! once; a client that stops reading its response is cut off too. Without them, 500 idle or
//! trickling connections were held forever.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The connection limits (settings `header_read_timeout_secs`, `body_read_timeout_secs`,
/// `max_connections`).
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Time to receive a request's headers, counted from when the server waits for them: a
    /// new connection or a kept-alive one between requests. Also the longest idle time.
    pub header_read_timeout: Duration,
    /// Time to receive a whole request body, however it trickles in.
    pub body_read_timeout: Duration,
    /// Longest wait for a client to take more of its response (one that reads nothing).
    pub send_timeout: Duration,
    /// Connections served at once; more wait in the system's queue until one closes.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(120),
            send_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then waits for the connections'
/// running requests to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) {
    let router = router.layer(tower_http::timeout::RequestBodyDeadlineLayer::new(
        limits.body_read_timeout,
    ));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        let Some((stream, remote, permit)) = accepted else {
            continue;
        };
        // What `into_make_service_with_connect_info` gives handlers (sign-in reads it).
        let service = router
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection = http.serve_connection(
            TokioIo::new(SendTimeout::new(stream, limits.send_timeout)),
            hyper_util::service::TowerToHyperService::new(service),
        );
        // No upgrades (Guichet has no WebSocket): a plain connection, which
        // the graceful shutdown can watch.
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The next connection once a permit is free; `None` after an accept error (out of file
/// descriptors…), after a short pause so that a persistent error does not spin.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(
    tokio::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, remote)) => {
            // Small responses go out at once rather than after Nagle's delay.
            let _ = stream.set_nodelay(true);
            Some((stream, remote, permit))
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot accept a connection");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// A connection whose writes fail once the client has taken nothing for `limit`: hyper waits
/// for a blocked socket without a time limit, so a client that never reads a large response
/// (an export, the API viewer's script) would hold its connection forever.
struct SendTimeout {
    stream: tokio::net::TcpStream,
    limit: Duration,
    /// Started when a write finds the socket full; cleared by any progress.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SendTimeout {
    fn new(stream: tokio::net::TcpStream, limit: Duration) -> Self {
        SendTimeout {
            stream,
            limit,
            stalled: None,
        }
    }

    /// After a write that made no progress: an error once the client has stalled too long.
    fn check_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading its response",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for SendTimeout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SendTimeout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Pending => self.check_stall(cx).map(Err),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.check_stall(cx).map(Err),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
