//! The thread-and-runtime shell shared by every test server, and their TLS configuration.
//!
//! A server binds `127.0.0.1:0` on the caller's thread (so its address is known, and a bind
//! failure shows, before `start` returns), then accepts on a thread of its own that runs a
//! current-thread tokio runtime. Tests can therefore use the server from async code (any
//! runtime) and from blocking code alike, without nesting runtimes. Dropping the
//! [`ServerThread`] stops the accept loop and drops the runtime, which cancels every
//! connection task and closes its socket.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// What a connection handler learns about the connection it serves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnInfo {
    /// 0 for the first connection the server accepted, 1 for the second, and so on.
    pub(crate) id: usize,
    /// The client's address.
    pub(crate) peer: SocketAddr,
    /// The server's side of the connection (127.0.0.1 and the listening port).
    pub(crate) local: SocketAddr,
}

/// A listening socket served by its own thread and runtime; stops when dropped.
#[derive(Debug)]
pub(crate) struct ServerThread {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    open: Arc<OpenCount>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Connections whose handler is still running, now and at most.
#[derive(Debug, Default)]
struct OpenCount {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl ServerThread {
    /// Binds `127.0.0.1:0` and runs `handler` on its own task for every accepted connection.
    ///
    /// `connections` is incremented as each connection is accepted, before the handler runs,
    /// so it already counts a connection whose TLS handshake later fails. The caller passes it
    /// in so that its handlers can read it too.
    pub(crate) fn start<H, F>(name: &str, connections: Arc<AtomicUsize>, handler: H) -> ServerThread
    where
        H: Fn(TcpStream, ConnInfo) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("test server {name:?}: bind 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .expect("local_addr of a bound listener");
        listener
            .set_nonblocking(true)
            .expect("set_nonblocking on the test listener");
        let counter = Arc::clone(&connections);
        let open = Arc::new(OpenCount::default());
        let open_counter = Arc::clone(&open);
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("test-server-{name}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("build the test server's tokio runtime");
                runtime.block_on(accept_loop(
                    listener,
                    counter,
                    open_counter,
                    shutdown_rx,
                    handler,
                ));
                // Dropping the runtime here cancels every connection task.
            })
            .expect("spawn the test server thread");
        ServerThread {
            addr,
            connections,
            open,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// The bound address (always 127.0.0.1 and a port the OS chose).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many TCP connections the server has accepted so far.
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The shared counter behind [`ServerThread::connections`].
    pub(crate) fn connection_counter(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.connections)
    }

    /// The most connections that were open at once so far (a connection is open from its
    /// accept until its handler returns).
    pub(crate) fn max_open_connections(&self) -> usize {
        self.open.most.load(Ordering::SeqCst)
    }
}

async fn accept_loop<H, F>(
    listener: std::net::TcpListener,
    counter: Arc<AtomicUsize>,
    open: Arc<OpenCount>,
    mut shutdown: oneshot::Receiver<()>,
    handler: H,
) where
    H: Fn(TcpStream, ConnInfo) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let addr = listener
        .local_addr()
        .expect("local_addr of a bound listener");
    let listener = TcpListener::from_std(listener).expect("register the test listener");
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let id = counter.fetch_add(1, Ordering::SeqCst);
                    let local = stream.local_addr().unwrap_or(addr);
                    // Small scripted writes must leave at once, not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    let now = open.now.fetch_add(1, Ordering::SeqCst) + 1;
                    open.most.fetch_max(now, Ordering::SeqCst);
                    let serve = handler(stream, ConnInfo { id, peer, local });
                    let open = Arc::clone(&open);
                    tokio::spawn(async move {
                        serve.await;
                        open.now.fetch_sub(1, Ordering::SeqCst);
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been printed; don't double-panic.
            let _ = thread.join();
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released), for connection-refused
/// tests.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener
        .local_addr()
        .expect("local_addr of a bound listener")
        .port();
    drop(listener);
    port
}

/// A rustls server configuration (ring) presenting `cert_chain` and `key`, offering ALPN
/// `http/1.1`, and requiring a client certificate issued by `client_ca` when one is given.
pub(crate) fn tls_config(
    cert_chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_ca: Option<CertificateDer<'static>>,
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca).expect("add the client CA to the root store");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("build the client certificate verifier");
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(cert_chain, key)
        .expect("server certificate and key must match");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
