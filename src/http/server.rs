//! The accept loop, owned because poem's own server has neither read timeouts nor a connection
//! cap: a client sending its headers at one byte a second stayed connected forever, idle
//! keep-alive connections were never closed, and once ~1,000 of them had taken the descriptors,
//! `accept` failed in a busy loop that logged nothing. Here:
//! - at most `max_connections` connections are served at once, and at most `per_ip` from one
//!   client address (an IPv6 client by its /64), so one hostile host cannot take every slot; a
//!   connection beyond either is closed on arrival;
//! - the request head must arrive within `header_read`, each chunk of a request body within
//!   `body_idle`, and a connection with no traffic for `keep_alive` is closed;
//! - a failing `accept` (no descriptors left) is logged and backed off, never spun on;
//! - HTTP/2 connections carry at most `h2_max_streams` concurrent streams;
//! - on shutdown, accepting stops and in-flight requests get `grace` to finish.
//!
//! hyper serves each connection (hyper-util's builder: HTTP/1.1 and HTTP/2); poem's endpoint
//! answers each request exactly as under poem's own server.
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Body, Endpoint, Response};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

type HyperBody = http_body_util::combinators::BoxBody<bytes::Bytes, std::io::Error>;

#[derive(Clone, Debug)]
pub struct ServerLimits {
    pub header_read: Duration,
    pub body_idle: Duration,
    pub keep_alive: Duration,
    pub max_connections: usize,
    pub per_ip: usize,
    pub h2_max_streams: u32,
}

impl ServerLimits {
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self {
            header_read: Duration::from_secs(c.header_read_timeout),
            body_idle: Duration::from_secs(c.body_idle_timeout),
            keep_alive: Duration::from_secs(c.keep_alive_timeout),
            max_connections: c.max_connections,
            per_ip: c.max_connections_per_ip,
            h2_max_streams: c.http2_max_streams,
        }
    }
}

/// Connections the kernel queues before they are accepted (capped by `net.core.somaxconn`).
/// Every event stream reconnects at once after a deploy or a network blip; tokio's default of
/// 1,024 reset dozens of 1,000 simultaneous reconnects on a 2-core machine.
const LISTEN_BACKLOG: u32 = 8192;

/// A listening socket on `addr`.
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    // A restarted server binds again at once, past connections still in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains for at most `grace`.
pub async fn serve(
    listener: TcpListener,
    app: impl Endpoint<Output = Response> + 'static,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let app: Arc<BoxEndpoint<'static, Response>> = Arc::new(poem::EndpointExt::boxed(app));
    let local = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_ip = Arc::new(PerIp::default());
    let (stop, stopped) = watch::channel(false);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.h2_max_streams);
    let builder = Arc::new(builder);
    let limits = Arc::new(limits);
    let mut backoff = Duration::ZERO;
    let mut refused_logged = Instant::now() - Duration::from_secs(60);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => {
                backoff = Duration::ZERO;
                a
            }
            Err(e) => {
                // EMFILE / ENFILE / ENOBUFS: retrying at once would spin; wait, up to a second.
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "accept failed");
                tokio::time::sleep(backoff).await;
                continue;
            }
        };
        let admitted = slots.clone().try_acquire_owned().ok().and_then(|permit| {
            let held = per_ip.admit(peer.ip(), limits.per_ip)?;
            Some((permit, held))
        });
        let Some(permit) = admitted else {
            if refused_logged.elapsed() >= Duration::from_secs(10) {
                tracing::warn!(
                    max = limits.max_connections,
                    per_ip = limits.per_ip,
                    client = %peer.ip(),
                    "connection limit reached; refusing new connections"
                );
                refused_logged = Instant::now();
            }
            drop(stream);
            continue;
        };
        let (app, builder, limits, stopped) = (
            app.clone(),
            builder.clone(),
            limits.clone(),
            stopped.clone(),
        );
        tokio::spawn(async move {
            connection(stream, local, peer, app, &builder, &limits, stopped).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: all slots back means all drained.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period; closing them");
    }
}

async fn connection(
    stream: TcpStream,
    local: SocketAddr,
    peer: SocketAddr,
    app: Arc<BoxEndpoint<'static, Response>>,
    builder: &auto::Builder<TokioExecutor>,
    limits: &ServerLimits,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let body_idle = limits.body_idle;
    let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
        let app = app.clone();
        async move {
            let mut req = poem::Request::from((
                req,
                LocalAddr(local.into()),
                RemoteAddr(peer.into()),
                http::uri::Scheme::HTTP,
            ));
            if may_have_body(&req) {
                let body = req.take_body();
                req.set_body(idle_timeout(body, body_idle));
            }
            let resp = app.get_response(req).await;
            Ok::<_, Infallible>(http::Response::<HyperBody>::from(resp))
        }
    });
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    let check = (limits.keep_alive / 4).max(Duration::from_millis(250));
    let mut tick = tokio::time::interval(check);
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stopped.changed() => break,
            _ = tick.tick() => {
                if activity.idle_for() >= limits.keep_alive {
                    tracing::debug!(%peer, "closing an idle connection");
                    break;
                }
            }
        }
    }
    // Lets a request in flight finish, then closes.
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Open connections per client address.
#[derive(Default)]
struct PerIp(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

/// One connection's place in [`PerIp`], given back on drop.
struct Held(Arc<PerIp>, std::net::IpAddr);

impl PerIp {
    fn admit(self: &Arc<Self>, ip: std::net::IpAddr, max: usize) -> Option<Held> {
        let ip = client_key(ip);
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Held(self.clone(), ip))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// What one client controls: an IPv4 address, an IPv6 /64.
pub fn client_key(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[4..].fill(0);
            std::net::IpAddr::V6(seg.into())
        }
        v4 => v4,
    }
}

fn may_have_body(req: &poem::Request) -> bool {
    let h = req.headers();
    h.contains_key(http::header::TRANSFER_ENCODING)
        || h.get(http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// The body, failing when no chunk arrives for `idle`: a client that stops sending mid-body
/// gets a 400 instead of holding the request open.
fn idle_timeout(body: Body, idle: Duration) -> Body {
    let chunks = body.into_bytes_stream();
    let timed = futures_util::stream::unfold(Some(chunks), move |chunks| async move {
        let mut chunks = chunks?;
        match tokio::time::timeout(idle, chunks.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(chunks))),
            Ok(None) => None,
            Err(_) => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "request body idle for too long",
                )),
                None,
            )),
        }
    });
    Body::from_bytes_stream(timed)
}

/// When the connection last moved a byte either way.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }
}

impl Activity {
    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = self.start.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// The socket, recording activity on every read and write.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
