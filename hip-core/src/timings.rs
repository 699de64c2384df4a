//! Per-request phase timings: how long each phase of one request took to finish, counted
//! from the start of the request, as curl's `CURLINFO_*_TIME` values are.
//!
//! [`Timings`] is plain data: hip-core reads no clock. The driver (hip-async) takes the
//! readings and fills it in; responses carry one (`r.timings()`), and so does each entry of
//! a retry's history ([`RequestHistory::timings`](crate::retry::RequestHistory::timings)).

use std::time::Duration;

/// When each phase of one request (one attempt on one connection) ended, measured from the
/// start of the request, as curl's `-w` variables are (`time_namelookup`, `time_connect`,
/// `time_appconnect`, `time_pretransfer`, `time_starttransfer`, `time_total`).
///
/// The request starts when the attempt has its pool slot and looks for a connection, so
/// with `block(true)` the wait for a free slot is not counted. A phase that did not happen
/// is `None`: on a reused connection ([`Timings::reused`]) every connection phase, without
/// a proxy [`Timings::proxy`], over plain HTTP [`Timings::tls`], and
/// [`Timings::body_complete`] until the body has been read to its end.
///
/// Phases that happened are in this order (each at least the one before): `dns`,
/// `connect`, `proxy`, `tls`, `pretransfer`, `request_written`, `first_byte`,
/// `body_complete`. The one exception: a server that answers before it has read the whole
/// request (an early `413`) gives a `first_byte` before `request_written`.
///
/// HTTP/1.1 only, as hip is. Measuring costs a few clock reads per request and no
/// allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timings {
    /// The request went out on a connection that had carried a request before (curl's
    /// `num_connects` is 0): no connection phase happened, they are all `None`.
    pub reused: bool,
    /// Name resolution ended: the host's addresses (or, through a proxy, the proxy's) were
    /// known. curl's `time_namelookup`. Present for IP literals too (no lookup, nearly 0);
    /// absent when a custom connector (hip-async's `Connector`) does not resolve with
    /// `ConnectOptions::lookup`.
    pub dns: Option<Duration>,
    /// The TCP connection was established, to the host or to the proxy (the connector
    /// returned). curl's `time_connect`.
    pub connect: Option<Duration>,
    /// The proxy was ready to carry the request: TLS to an `https://` proxy done, the
    /// CONNECT tunnel's `200` read, or the SOCKS negotiation done. `None` without a proxy,
    /// and for `http://` URLs forwarded by a plain `http://` proxy (nothing happens after
    /// the TCP connect). curl has no variable of its own for it.
    pub proxy: Option<Duration>,
    /// The TLS handshake with the host ended. curl's `time_appconnect`.
    pub tls: Option<Duration>,
    /// The connection was ready and the request about to be written: right after the
    /// connection phases, or, on a reused connection, once the pool handed it over. curl's
    /// `time_pretransfer`.
    pub pretransfer: Option<Duration>,
    /// The last byte of the request (head and body) was written to the socket. curl's
    /// `time_posttransfer`.
    pub request_written: Option<Duration>,
    /// The first byte of the response arrived. curl's `time_starttransfer` (time to first
    /// byte).
    pub first_byte: Option<Duration>,
    /// The response body had been read to its end: the whole request took this long.
    /// curl's `time_total`. `None` while (or if) the body is still unread: read it (the
    /// default `preload_content` does) and ask again.
    pub body_complete: Option<Duration>,
}

impl Timings {
    /// The phases in the order they happen, by the names the fields have: `dns`,
    /// `connect`, `proxy`, `tls`, `pretransfer`, `request_written`, `first_byte`,
    /// `body_complete`. For logs and for checking their order.
    pub fn phases(&self) -> [(&'static str, Option<Duration>); 8] {
        [
            ("dns", self.dns),
            ("connect", self.connect),
            ("proxy", self.proxy),
            ("tls", self.tls),
            ("pretransfer", self.pretransfer),
            ("request_written", self.request_written),
            ("first_byte", self.first_byte),
            ("body_complete", self.body_complete),
        ]
    }

    /// Whether a new connection was opened for this request: curl's `num_connects` (0 or
    /// 1 for one request).
    pub fn num_connects(&self) -> u32 {
        u32::from(!self.reused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_listed_in_the_order_they_happen() {
        let mut t = Timings::default();
        t.dns = Some(Duration::from_millis(1));
        t.body_complete = Some(Duration::from_millis(9));
        let names: Vec<&str> = t.phases().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "dns",
                "connect",
                "proxy",
                "tls",
                "pretransfer",
                "request_written",
                "first_byte",
                "body_complete"
            ]
        );
        assert_eq!(t.phases()[0].1, Some(Duration::from_millis(1)));
        assert_eq!(t.phases()[7].1, Some(Duration::from_millis(9)));
        assert_eq!(t.num_connects(), 1);
        t.reused = true;
        assert_eq!(t.num_connects(), 0);
    }
}
