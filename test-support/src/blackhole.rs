//! [`BlackHole`]: a loopback address where connecting hangs, as behind a firewall that
//! drops SYNs, for Happy Eyeballs and connect-timeout tests.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};

/// How long a probe waits to decide that a connect hangs.
const PROBE: Duration = Duration::from_millis(50);

/// A listener on loopback whose accept queue is full and never drained: Linux drops the SYNs
/// of further connections (`tcp_abort_on_overflow` is 0 by default), so a connect to
/// [`BlackHole::addr`] neither succeeds nor is refused; it waits until the client gives up.
///
/// The listener has a backlog of 0 (one queued connection fills it) and is filled by
/// connections made here and never accepted. The constructor checks that one more connect
/// really hangs. Closed when dropped.
pub struct BlackHole {
    addr: SocketAddr,
    _listener: Socket,
    _fillers: Vec<TcpStream>,
}

impl fmt::Debug for BlackHole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlackHole")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl BlackHole {
    /// A black hole on 127.0.0.1.
    ///
    /// Panics when the kernel does not drop SYNs to a full accept queue (a test that needs
    /// a black hole cannot run there).
    pub fn ipv4() -> BlackHole {
        BlackHole::on(IpAddr::V4(Ipv4Addr::LOCALHOST))
            .expect("127.0.0.1 is there")
            .unwrap_or_else(|why| panic!("{why}"))
    }

    /// A black hole on ::1, or None when the machine has no IPv6 loopback.
    ///
    /// Panics as [`BlackHole::ipv4`] does.
    pub fn ipv6() -> Option<BlackHole> {
        BlackHole::on(IpAddr::V6(Ipv6Addr::LOCALHOST))
            .map(|r| r.unwrap_or_else(|why| panic!("{why}")))
    }

    /// None when `ip` cannot be listened on; Err when connects to it do not hang.
    fn on(ip: IpAddr) -> Option<Result<BlackHole, String>> {
        let domain = if ip.is_ipv4() {
            Domain::IPV4
        } else {
            Domain::IPV6
        };
        let listener = Socket::new(domain, Type::STREAM, None).ok()?;
        if ip.is_ipv6() {
            listener.set_only_v6(true).ok()?;
        }
        listener
            .bind(&SockAddr::from(SocketAddr::new(ip, 0)))
            .ok()?;
        listener.listen(0).ok()?;
        let addr = listener.local_addr().ok()?.as_socket()?;
        // Fill the queue until a connect hangs: with a backlog of 0 the first connection
        // fills it; a few more tries in case this kernel rounds the backlog up.
        let mut fillers = Vec::new();
        for _ in 0..8 {
            match TcpStream::connect_timeout(&addr, PROBE) {
                Ok(s) => fillers.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Some(Ok(BlackHole {
                        addr,
                        _listener: listener,
                        _fillers: fillers,
                    }))
                }
                Err(e) => {
                    return Some(Err(format!(
                        "connecting to the black hole {addr} failed: {e}"
                    )))
                }
            }
        }
        Some(Err(format!(
            "connects to {addr} do not hang with a full accept queue on this machine"
        )))
    }

    /// Where connecting hangs.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}
