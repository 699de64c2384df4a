//! Opening TCP connections on 127.0.0.1 (and ::1 when the machine has it): socket options,
//! source addresses, refused ports, the connect timeout, resolvers, racing the resolved
//! addresses (Happy Eyeballs), and noticing dropped connections.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::transport::tcp::{
    connect_tcp, is_dropped, open, BoxIo, ConnectOptions, Connector, SocketOption, TcpConnector,
};
use crate::transport::Resolve;
use futures_util::future::BoxFuture;
use hip_core::ErrorKind;
use hip_test_support::BlackHole;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LIMIT: Option<Duration> = Some(Duration::from_secs(10));

async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// A port on 127.0.0.1 nobody listens on (bound, then released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn connects_and_carries_bytes() {
    let (l, port) = listener().await;
    let server = tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
    });
    let mut io = open(
        &TcpConnector,
        "127.0.0.1",
        port,
        &ConnectOptions::default(),
        LIMIT,
    )
    .await
    .unwrap();
    io.write_all(b"ping").await.unwrap();
    let mut buf = [0u8; 4];
    io.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
    server.await.unwrap();
}

#[tokio::test]
async fn nodelay_is_on_by_default_and_can_be_turned_off() {
    let (l, port) = listener().await;
    let stream = connect_tcp("127.0.0.1", port, &ConnectOptions::default())
        .await
        .unwrap();
    assert!(stream.nodelay().unwrap());
    let off = ConnectOptions {
        nodelay: false,
        ..ConnectOptions::default()
    };
    let stream = connect_tcp("127.0.0.1", port, &off).await.unwrap();
    assert!(!stream.nodelay().unwrap());
    // The option list wins over the field.
    let overridden = ConnectOptions {
        socket_options: vec![SocketOption::TcpNoDelay(true)],
        ..off
    };
    let stream = connect_tcp("127.0.0.1", port, &overridden).await.unwrap();
    assert!(stream.nodelay().unwrap());
    drop(l);
}

#[tokio::test]
async fn socket_options_are_applied() {
    let (l, port) = listener().await;
    let opts = ConnectOptions {
        keepalive: Some(Duration::from_secs(42)),
        socket_options: vec![
            SocketOption::RecvBufferSize(65536),
            SocketOption::SendBufferSize(65536),
            SocketOption::Linger(Some(Duration::from_secs(3))),
        ],
        ..ConnectOptions::default()
    };
    let stream = connect_tcp("127.0.0.1", port, &opts).await.unwrap();
    let sock = socket2::SockRef::from(&stream);
    assert!(sock.keepalive().unwrap());
    assert_eq!(sock.tcp_keepalive_time().unwrap(), Duration::from_secs(42));
    // Linux doubles the buffer sizes it is given; either way they are at least as large.
    assert!(sock.recv_buffer_size().unwrap() >= 65536);
    assert!(sock.send_buffer_size().unwrap() >= 65536);
    assert_eq!(sock.linger().unwrap(), Some(Duration::from_secs(3)));

    let off = ConnectOptions {
        socket_options: vec![SocketOption::KeepAlive(None)],
        ..opts
    };
    let stream = connect_tcp("127.0.0.1", port, &off).await.unwrap();
    assert!(!socket2::SockRef::from(&stream).keepalive().unwrap());
    drop(l);
}

#[tokio::test]
async fn refused_port_is_a_new_connection_error() {
    let port = free_port();
    let e = match open(
        &TcpConnector,
        "127.0.0.1",
        port,
        &ConnectOptions::default(),
        LIMIT,
    )
    .await
    {
        Ok(_) => panic!("nothing listens on port {port}"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::NewConnection);
    assert_eq!(e.message(), "Failed to establish a new connection");
    let prefix = format!(
        "NewConnectionError: Failed to establish a new connection: connecting to \"127.0.0.1\" at \
         127.0.0.1:{port} failed: "
    );
    assert!(format!("{e:#}").starts_with(&prefix), "{e:#}");
    let source = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<io::Error>())
        .expect("the io::Error is the source");
    assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);
}

/// A connector that never finishes connecting.
struct Stuck;

impl Connector for Stuck {
    fn connect<'a>(
        &'a self,
        _host: &'a str,
        _port: u16,
        _opts: &'a ConnectOptions,
    ) -> BoxFuture<'a, io::Result<BoxIo>> {
        Box::pin(futures_util::future::pending())
    }
}

#[tokio::test]
async fn connect_timeout_bounds_the_whole_attempt() {
    let e = match open(
        &Stuck,
        "example.invalid",
        443,
        &ConnectOptions::default(),
        Some(Duration::from_millis(50)),
    )
    .await
    {
        Ok(_) => panic!("the stuck connector cannot connect"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::ConnectTimeout);
    assert_eq!(
        e.message(),
        "Connection to example.invalid timed out. (connect timeout=0.05)"
    );
    assert!(e.is_timeout());
}

/// A connector that fails at once, to check how `open` reports connector errors.
struct Failing;

impl Connector for Failing {
    fn connect<'a>(
        &'a self,
        host: &'a str,
        _port: u16,
        _opts: &'a ConnectOptions,
    ) -> BoxFuture<'a, io::Result<BoxIo>> {
        Box::pin(async move { Err(io::Error::other(format!("no route to {host}"))) })
    }
}

#[tokio::test]
async fn connector_errors_become_new_connection_errors() {
    let e = match open(&Failing, "h.example", 80, &ConnectOptions::default(), None).await {
        Ok(_) => panic!("the failing connector cannot connect"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::NewConnection);
    assert_eq!(
        format!("{e:#}"),
        "NewConnectionError: Failed to establish a new connection: no route to h.example"
    );
}

#[tokio::test]
async fn source_address_is_bound() {
    let (l, port) = listener().await;
    // Port 0: the OS chooses; the server sees our address.
    let opts = ConnectOptions {
        source_address: Some("127.0.0.1:0".parse().unwrap()),
        ..ConnectOptions::default()
    };
    let stream = connect_tcp("127.0.0.1", port, &opts).await.unwrap();
    let (_s, peer) = l.accept().await.unwrap();
    assert_eq!(peer.ip().to_string(), "127.0.0.1");
    assert_eq!(peer, stream.local_addr().unwrap());

    // A fixed port: the server sees exactly that port.
    let source_port = free_port();
    let opts = ConnectOptions {
        source_address: Some(SocketAddr::from(([127, 0, 0, 1], source_port))),
        ..ConnectOptions::default()
    };
    let _stream = connect_tcp("127.0.0.1", port, &opts).await.unwrap();
    let (_s, peer) = l.accept().await.unwrap();
    assert_eq!(peer, SocketAddr::from(([127, 0, 0, 1], source_port)));
}

#[tokio::test]
async fn source_address_of_the_other_family_is_reported() {
    let opts = ConnectOptions {
        source_address: Some("127.0.0.1:0".parse().unwrap()),
        ..ConnectOptions::default()
    };
    let e = match open(&TcpConnector, "[::1]", 9, &opts, LIMIT).await {
        Ok(_) => panic!("an IPv4 source cannot reach ::1"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::NewConnection);
    assert!(format!("{e:#}").contains("[::1]:9"), "{e:#}");
}

/// Whether this machine can listen on ::1.
async fn ipv6_listener() -> Option<(TcpListener, u16)> {
    let l = TcpListener::bind("[::1]:0").await.ok()?;
    let port = l.local_addr().ok()?.port();
    Some((l, port))
}

async fn localhost_has_both_families() -> bool {
    match tokio::net::lookup_host(("localhost", 80)).await {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            addrs.iter().any(|a| a.is_ipv4()) && addrs.iter().any(|a| a.is_ipv6())
        }
        Err(_) => false,
    }
}

#[tokio::test]
async fn every_resolved_address_is_tried() {
    if !localhost_has_both_families().await || ipv6_listener().await.is_none() {
        eprintln!("skipped: localhost does not resolve to both ::1 and 127.0.0.1 here");
        return;
    }
    // Only IPv4 listens: whichever order the resolver gives, the IPv4 address is reached.
    let (l4, port) = listener().await;
    let stream = connect_tcp("localhost", port, &ConnectOptions::default())
        .await
        .unwrap();
    assert!(stream.peer_addr().unwrap().is_ipv4());
    drop(l4);

    // Only IPv6 listens.
    let (l6, port6) = ipv6_listener().await.unwrap();
    let stream = connect_tcp("localhost", port6, &ConnectOptions::default())
        .await
        .unwrap();
    assert!(stream.peer_addr().unwrap().is_ipv6());
    drop(l6);
}

#[tokio::test]
async fn the_system_resolver_finds_localhost() {
    let (l, port) = listener().await;
    // Whatever else localhost resolves to here, its 127.0.0.1 is reached.
    let stream = connect_tcp("localhost", port, &ConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(
        stream.peer_addr().unwrap(),
        SocketAddr::from(([127, 0, 0, 1], port))
    );
    drop(l);
}

#[tokio::test]
async fn bracketed_ipv6_literals_connect() {
    let Some((l, port)) = ipv6_listener().await else {
        eprintln!("skipped: no ::1 on this machine");
        return;
    };
    for host in ["[::1]", "::1"] {
        let stream = connect_tcp(host, port, &ConnectOptions::default())
            .await
            .unwrap();
        assert_eq!(
            stream.peer_addr().unwrap(),
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port))
        );
    }
    drop(l);
}

#[tokio::test]
async fn is_dropped_tells_live_from_closed() {
    let (l, port) = listener().await;
    let mut live = open(
        &TcpConnector,
        "127.0.0.1",
        port,
        &ConnectOptions::default(),
        LIMIT,
    )
    .await
    .unwrap();
    let (_held, _) = l.accept().await.unwrap();
    assert!(
        !is_dropped(&mut live),
        "an idle live connection is not dropped"
    );

    let mut closed = open(
        &TcpConnector,
        "127.0.0.1",
        port,
        &ConnectOptions::default(),
        LIMIT,
    )
    .await
    .unwrap();
    let (server_side, _) = l.accept().await.unwrap();
    drop(server_side);
    assert!(
        eventually_dropped(&mut closed).await,
        "the server's close was never noticed"
    );

    // Unexpected bytes on an idle connection make it unusable too.
    let mut chatty = open(
        &TcpConnector,
        "127.0.0.1",
        port,
        &ConnectOptions::default(),
        LIMIT,
    )
    .await
    .unwrap();
    let (mut server_side, _) = l.accept().await.unwrap();
    server_side
        .write_all(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
        .await
        .unwrap();
    assert!(eventually_dropped(&mut chatty).await);

    // The live one is still live.
    assert!(!is_dropped(&mut live));
}

/// Polls `is_dropped` until it says so, at most 500 times 10 ms apart.
async fn eventually_dropped(io: &mut BoxIo) -> bool {
    for _ in 0..500 {
        if is_dropped(io) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// A resolver that answers every name with the same addresses, whatever the port.
#[derive(Debug)]
struct Answer(Vec<SocketAddr>);

impl Resolve for Answer {
    fn resolve<'a>(&'a self, _: &'a str, _: u16) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// A resolver that never answers.
#[derive(Debug)]
struct Never;

impl Resolve for Never {
    fn resolve<'a>(&'a self, _: &'a str, _: u16) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
        Box::pin(futures_util::future::pending())
    }
}

fn resolving_to(addrs: Vec<SocketAddr>) -> ConnectOptions {
    ConnectOptions {
        resolver: Arc::new(Answer(addrs)),
        ..ConnectOptions::default()
    }
}

/// A black hole on ::1, or on 127.0.0.1 when the machine has no IPv6 (the race is the same).
fn black_hole_ipv6_if_possible() -> BlackHole {
    BlackHole::ipv6().unwrap_or_else(|| {
        eprintln!("no ::1 here: the black hole is on 127.0.0.1");
        BlackHole::ipv4()
    })
}

#[tokio::test]
async fn a_black_holed_first_address_does_not_hold_up_the_next_happy_eyeballs() {
    let hole = black_hole_ipv6_if_possible();
    let (l, port) = listener().await;
    let serving = SocketAddr::from(([127, 0, 0, 1], port));
    let opts = resolving_to(vec![hole.addr(), serving]);
    let started = Instant::now();
    let io = open(&TcpConnector, "dual.test", port, &opts, LIMIT).await;
    let took = started.elapsed();
    let io = io.unwrap_or_else(|e| panic!("{e:#}"));
    drop(io);
    let (_s, peer) = l.accept().await.unwrap();
    assert!(peer.ip().is_loopback());
    eprintln!(
        "connected past the black hole {} in {took:?} (attempt delay {:?}, connect timeout {:?})",
        hole.addr(),
        opts.attempt_delay,
        LIMIT.unwrap()
    );
    // About the 250 ms attempt delay; sequential tries would wait out the 10 s timeout.
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test]
async fn every_failed_address_is_named_in_one_error() {
    let v4 = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let other = match std::net::TcpListener::bind("[::1]:0") {
        Ok(l) => l.local_addr().unwrap(),
        Err(_) => SocketAddr::from(([127, 0, 0, 2], free_port())),
    };
    let opts = resolving_to(vec![v4, other]);
    let e = match open(&TcpConnector, "gone.test", 80, &opts, LIMIT).await {
        Ok(_) => panic!("nothing listens on {v4} or {other}"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::NewConnection);
    let shown = format!("{e:#}");
    assert!(
        shown.contains("connecting to \"gone.test\" failed at all 2 addresses: "),
        "{shown}"
    );
    // IPv6 first when there are both; each address with its error.
    let first = if other.is_ipv6() { other } else { v4 };
    let second = if other.is_ipv6() { v4 } else { other };
    let at = |a: SocketAddr| {
        shown
            .find(&format!("{a}: "))
            .unwrap_or_else(|| panic!("{a} in {shown}"))
    };
    assert!(at(first) < at(second), "{shown}");
}

#[tokio::test]
async fn a_resolver_that_never_answers_is_a_connect_timeout_in_time() {
    let opts = ConnectOptions {
        resolver: Arc::new(Never),
        ..ConnectOptions::default()
    };
    let started = Instant::now();
    let e = match open(
        &TcpConnector,
        "silent.test",
        80,
        &opts,
        Some(Duration::from_millis(200)),
    )
    .await
    {
        Ok(_) => panic!("a resolver that never answers cannot connect"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::ConnectTimeout);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn source_address_restricts_the_families_tried() {
    let Some((l6, port6)) = ipv6_listener().await else {
        eprintln!("skipped: no ::1 on this machine");
        return;
    };
    let (l4, port4) = listener().await;
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port6));
    let v4 = SocketAddr::from(([127, 0, 0, 1], port4));
    // Both listen: without a source address IPv6 goes first and wins.
    let stream = connect_tcp("both.test", 80, &resolving_to(vec![v4, v6]))
        .await
        .unwrap();
    assert_eq!(stream.peer_addr().unwrap(), v6);
    // An IPv4 source address: only IPv4 is tried.
    let opts = ConnectOptions {
        source_address: Some("127.0.0.1:0".parse().unwrap()),
        ..resolving_to(vec![v4, v6])
    };
    let stream = connect_tcp("both.test", 80, &opts).await.unwrap();
    assert_eq!(stream.peer_addr().unwrap(), v4);
    // An IPv6 source address: only IPv6.
    let opts = ConnectOptions {
        source_address: Some("[::1]:0".parse().unwrap()),
        ..resolving_to(vec![v4, v6])
    };
    let stream = connect_tcp("both.test", 80, &opts).await.unwrap();
    assert_eq!(stream.peer_addr().unwrap(), v6);
    drop((l4, l6));
}

#[tokio::test]
async fn socket_options_apply_to_the_winner_of_the_race() {
    let hole = black_hole_ipv6_if_possible();
    let (l, port) = listener().await;
    let opts = ConnectOptions {
        nodelay: false,
        keepalive: Some(Duration::from_secs(42)),
        attempt_delay: Duration::from_millis(20),
        ..resolving_to(vec![hole.addr(), SocketAddr::from(([127, 0, 0, 1], port))])
    };
    let stream = connect_tcp("dual.test", port, &opts).await.unwrap();
    assert_eq!(stream.peer_addr().unwrap().port(), port);
    assert!(!stream.nodelay().unwrap());
    let sock = socket2::SockRef::from(&stream);
    assert_eq!(sock.tcp_keepalive_time().unwrap(), Duration::from_secs(42));
    drop(l);
}
