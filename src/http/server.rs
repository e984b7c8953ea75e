//! Serving connections: HTTP/1.1 on hyper, with the limits that keep silent or stalled clients
//! from holding Berth hostage. Every connection must send a complete request head within
//! `header_timeout` of opening or of its previous response (which also bounds keep-alive
//! idling); a request body may pause at most `body_timeout` between two chunks (a slow but live
//! upload never trips it, and a stalled one is answered 408); and at most `max_connections`
//! are served at once, well below the open-file limit. Past that cap the connection idle the
//! longest makes room for the newcomer; when every connection is busy the newcomer is answered
//! 503 at once, so no client ever meets a refused accept.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::{Service, ServiceExt};
use tower_http::timeout::{TimeoutBody, TimeoutError};

/// Open files kept back from the connection cap: the database pool, blob files, logs.
const RESERVED_FILES: u64 = 64;
/// A connection must have been quiet this long (and run no request) before it can be evicted
/// to make room, so a client between two requests of one exchange is not cut off.
const EVICTION_GRACE: Duration = Duration::from_secs(1);
/// How long shutdown waits for requests under way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How long a connection answered 503 is given to send its request head, and then to read.
const BUSY_READ_TIME: Duration = Duration::from_millis(250);
/// 503 answers under way at most; past them a newcomer is closed at once, so that a flood of
/// connections cannot use the files kept in reserve.
const MAX_BUSY_ANSWERS: usize = (RESERVED_FILES / 4) as usize;
/// The most of a request head read before answering 503.
const MAX_BUSY_HEAD: usize = 16 * 1024;
/// The body of the answer past the cap.
const BUSY_MESSAGE: &str = "{\"message\": \"Too many connections are open; retry in a moment.\"}\n";

/// The connection limits of `berth serve`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; the open-file limit lowers it when needed.
    pub max_connections: Option<usize>,
    /// Time for a complete request head, from a connection's opening or its previous response.
    pub header_timeout: Duration,
    /// The longest pause allowed between two chunks of a request body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: None,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// The connection cap: `wanted`, or less when the open-file limit (raised to its hard limit
/// first) would not leave `RESERVED_FILES` for everything else.
fn connection_cap(wanted: Option<usize>) -> (usize, u64) {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let room = usize::try_from(files.saturating_sub(RESERVED_FILES).max(8)).unwrap_or(usize::MAX);
    (wanted.unwrap_or(room).clamp(1, room), files)
}

/// One served connection as the accept loop sees it.
struct Tracked {
    /// Milliseconds since the tracker's start when a byte last moved either way.
    last_active_ms: AtomicU64,
    /// Requests whose handler is running.
    busy: AtomicUsize,
    /// Cancelled to drop the connection (eviction).
    close: CancellationToken,
}

/// The connections being served.
struct Tracker {
    started: Instant,
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Arc<Tracked>>>,
}

impl Tracker {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn len(&self) -> usize {
        self.connections.lock().expect("tracker lock").len()
    }

    fn add(&self) -> (u64, Arc<Tracked>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = Arc::new(Tracked {
            last_active_ms: AtomicU64::new(self.now_ms()),
            busy: AtomicUsize::new(0),
            close: CancellationToken::new(),
        });
        let mut connections = self.connections.lock().expect("tracker lock");
        connections.insert(id, tracked.clone());
        (id, tracked)
    }

    fn remove(&self, id: u64) {
        self.connections.lock().expect("tracker lock").remove(&id);
    }

    /// Asks the connection quiet the longest, running no request, to close; false when every
    /// connection is busy or active.
    fn evict_idlest(&self) -> bool {
        let now = self.now_ms();
        let grace = u64::try_from(EVICTION_GRACE.as_millis()).unwrap_or(u64::MAX);
        let connections = self.connections.lock().expect("tracker lock");
        let idlest = connections
            .values()
            .filter(|c| c.busy.load(Ordering::Relaxed) == 0 && !c.close.is_cancelled())
            .map(|c| (c.last_active_ms.load(Ordering::Relaxed), c))
            .filter(|(last, _)| now.saturating_sub(*last) >= grace)
            .min_by_key(|(last, _)| *last);
        match idlest {
            Some((_, connection)) => {
                connection.close.cancel();
                true
            }
            None => false,
        }
    }
}

/// The socket, noting when bytes move so that the accept loop knows which connections idle.
struct MeteredStream {
    stream: TcpStream,
    tracked: Arc<Tracked>,
    tracker: Arc<Tracker>,
}

impl MeteredStream {
    fn touch(&self) {
        let now = self.tracker.now_ms();
        self.tracked.last_active_ms.store(now, Ordering::Relaxed);
    }
}

impl AsyncRead for MeteredStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl AsyncWrite for MeteredStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
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

/// Counts a running handler for as long as it lives.
struct Busy(Arc<Tracked>);

impl Busy {
    fn new(tracked: &Arc<Tracked>) -> Busy {
        tracked.busy.fetch_add(1, Ordering::Relaxed);
        Busy(tracked.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `service` on `listener` until `shutdown` completes, then lets requests under way
/// finish (for `SHUTDOWN_GRACE` at most).
pub async fn serve<S>(
    listener: TcpListener,
    service: S,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let (cap, files) = connection_cap(limits.max_connections);
    tracing::info!(
        connections.max = cap,
        open_files.limit = files,
        header_timeout_s = limits.header_timeout.as_secs_f64(),
        body_timeout_s = limits.body_timeout.as_secs_f64(),
        "serving connections"
    );
    let tracker = Arc::new(Tracker {
        started: Instant::now(),
        next_id: AtomicU64::new(0),
        connections: Mutex::new(HashMap::new()),
    });
    let stopping = CancellationToken::new();
    let busy_answers = Arc::new(AtomicUsize::new(0));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors or a connection reset before accept: wait a moment
                // rather than spin.
                tracing::warn!(error = %err, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        if tracker.len() >= cap && !tracker.evict_idlest() {
            if busy_answers.load(Ordering::Relaxed) < MAX_BUSY_ANSWERS {
                busy_answers.fetch_add(1, Ordering::Relaxed);
                let busy_answers = busy_answers.clone();
                tokio::spawn(async move {
                    answer_busy(stream).await;
                    busy_answers.fetch_sub(1, Ordering::Relaxed);
                });
            }
            continue;
        }
        let connection = serve_connection(
            stream,
            peer,
            service.clone(),
            &limits,
            tracker.clone(),
            stopping.clone(),
        );
        tokio::spawn(connection);
    }
    stopping.cancel();
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while tracker.len() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Answers 503 and closes. The request head is read first (for a moment at most), since
/// clients take an answer that comes before their request for a broken connection; after the
/// answer, what the client still sends is read off for a moment, so that closing does not
/// reset the connection before the client has read the answer.
async fn answer_busy(mut stream: TcpStream) {
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
         Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BUSY_MESSAGE}",
        BUSY_MESSAGE.len()
    );
    let mut buf = [0u8; 8192];
    let mut head = Vec::new();
    let _ = tokio::time::timeout(BUSY_READ_TIME, async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_BUSY_HEAD {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let answered = tokio::time::timeout(BUSY_READ_TIME, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    });
    if answered.await.is_ok() {
        let _ = tokio::time::timeout(BUSY_READ_TIME, async {
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        })
        .await;
    }
}

fn serve_connection<S>(
    stream: TcpStream,
    peer: SocketAddr,
    service: S,
    limits: &Limits,
    tracker: Arc<Tracker>,
    stopping: CancellationToken,
) -> impl Future<Output = ()> + Send + 'static
where
    S: Service<Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let (id, tracked) = tracker.add();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let body_timeout = limits.body_timeout;
    let handler = {
        let tracked = tracked.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let busy = Busy::new(&tracked);
            let mut request =
                request.map(|body| axum::body::Body::new(TimeoutBody::new(body_timeout, body)));
            request.extensions_mut().insert(ConnectInfo(peer));
            let response = service.clone().oneshot(request);
            async move {
                let response = response.await;
                drop(busy);
                response
            }
        })
    };
    let io = TokioIo::new(MeteredStream {
        stream,
        tracked: tracked.clone(),
        tracker: tracker.clone(),
    });
    async move {
        let connection = http.serve_connection(io, handler);
        tokio::pin!(connection);
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(err) = served {
                    tracing::debug!(error = %err, peer = %peer, "connection ended");
                }
            }
            () = tracked.close.cancelled() => {
                tracing::debug!(peer = %peer, "idle connection closed to make room");
            }
            () = stopping.cancelled() => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
        tracker.remove(id);
    }
}

/// Whether a request body failed because it stalled past `Limits::body_timeout`.
pub fn is_body_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(err), |e| e.source()).any(|e| e.is::<TimeoutError>())
}
