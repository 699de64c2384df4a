//! Proves the dual harness runs a scenario through the async API (and, with the blocking
//! feature, the blocking API) against a real local server.

#[macro_use]
mod dual;

use hip_test_support as support;
use support::HttpBin;

dual_test! {
    fn get_robots_txt() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/robots.txt"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&r.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert!(API == "async" || API == "blocking");
    }
}
