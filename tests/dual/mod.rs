//! Runs one scenario through both APIs: `dual_test!` writes the body once and expands it
//! twice, as an async test over `hip::AsyncPoolManager` and (with the `blocking` feature) a
//! plain test over `hip::PoolManager`.
//!
//! Inside the body:
//! - `send!(builder)` sends a request (`builder.send().await` / `builder.send()`),
//! - `call!(expr)` awaits an async call or runs the blocking one (`r.read(Some(4))`,
//!   `r.drain_conn()`, `r.preload_content()`),
//! - `manager!(builder)` turns a `PoolManager::builder()` chain into a manager of the API
//!   under test: write `manager!(b => b.maxsize(2).block(true))`,
//! - `builder!()` is the API's `PoolManager::builder()`,
//! - `proxy_manager!(url)` / `proxy_manager!(url, b => b.retries(false))` and
//!   `socks_manager!(...)` (feature `socks`) make the API's `ProxyManager` and
//!   `SocksProxyManager` the same way,
//! - `pool!(url, opts)` makes a connection pool of the API under test,
//! - `chunks!(r, amt)` collects `r.stream(amt)` into a `Vec<Result<Bytes, Error>>`, and
//!   `chunks_with!(r, amt, decode)` collects `r.stream_with(amt, decode)`,
//! - `API` is `"async"` or `"blocking"`.
#![allow(unused_macros)]

macro_rules! dual_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[cfg(feature = "async")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn async_api() {
                #[allow(unused)]
                const API: &str = "async";
                #[allow(unused_macros)]
                macro_rules! send { ($b:expr) => { $b.send().await }; }
                #[allow(unused_macros)]
                macro_rules! call { ($e:expr) => { $e.await }; }
                #[allow(unused_macros)]
                macro_rules! manager {
                    () => { hip::AsyncPoolManager::new().unwrap() };
                    ($v:ident => $e:expr) => {{
                        let $v = hip::AsyncPoolManager::builder();
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! builder { () => { hip::AsyncPoolManager::builder() }; }
                #[allow(unused_macros)]
                macro_rules! proxy_manager {
                    ($url:expr) => { hip::AsyncProxyManager::with_proxy(&$url).unwrap() };
                    ($url:expr, $v:ident => $e:expr) => {{
                        let $v = hip::AsyncProxyManager::builder().proxy_url($url);
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! socks_manager {
                    ($url:expr) => { hip::contrib::socks::AsyncSocksProxyManager::with_proxy(&$url).unwrap() };
                    ($url:expr, $v:ident => $e:expr) => {{
                        let $v = hip::contrib::socks::AsyncSocksProxyManager::builder().proxy_url($url);
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! pool {
                    ($url:expr, $opts:expr) => { hip::async_connection_from_url($url, $opts).unwrap() };
                }
                #[allow(unused_macros)]
                macro_rules! chunks {
                    ($r:expr, $amt:expr) => {{
                        use futures_util::StreamExt;
                        $r.stream($amt).collect::<Vec<_>>().await
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! chunks_with {
                    ($r:expr, $amt:expr, $decode:expr) => {{
                        use futures_util::StreamExt;
                        $r.stream_with($amt, $decode).collect::<Vec<_>>().await
                    }};
                }
                $body
            }

            $(#[$meta])*
            #[cfg(feature = "blocking")]
            #[test]
            fn blocking_api() {
                #[allow(unused)]
                const API: &str = "blocking";
                #[allow(unused_macros)]
                macro_rules! send { ($b:expr) => { $b.send() }; }
                #[allow(unused_macros)]
                macro_rules! call { ($e:expr) => { $e }; }
                #[allow(unused_macros)]
                macro_rules! manager {
                    () => { hip::PoolManager::new().unwrap() };
                    ($v:ident => $e:expr) => {{
                        let $v = hip::PoolManager::builder();
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! builder { () => { hip::PoolManager::builder() }; }
                #[allow(unused_macros)]
                macro_rules! proxy_manager {
                    ($url:expr) => { hip::ProxyManager::with_proxy(&$url).unwrap() };
                    ($url:expr, $v:ident => $e:expr) => {{
                        let $v = hip::ProxyManager::builder().proxy_url($url);
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! socks_manager {
                    ($url:expr) => { hip::contrib::socks::SocksProxyManager::with_proxy(&$url).unwrap() };
                    ($url:expr, $v:ident => $e:expr) => {{
                        let $v = hip::contrib::socks::SocksProxyManager::builder().proxy_url($url);
                        $e.build().unwrap()
                    }};
                }
                #[allow(unused_macros)]
                macro_rules! pool {
                    ($url:expr, $opts:expr) => { hip::connection_from_url($url, $opts).unwrap() };
                }
                #[allow(unused_macros)]
                macro_rules! chunks {
                    ($r:expr, $amt:expr) => {{ $r.stream($amt).collect::<Vec<_>>() }};
                }
                #[allow(unused_macros)]
                macro_rules! chunks_with {
                    ($r:expr, $amt:expr, $decode:expr) => {{ $r.stream_with($amt, $decode).collect::<Vec<_>>() }};
                }
                $body
            }
        }
    };
}
