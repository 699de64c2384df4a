//! The API users call: [`PoolManager`] and its builder (proxies included), the request
//! builder, the pool's request calls, and the [`Flavor`]s that let the blocking crate reuse
//! all of it.

mod flavor;
mod manager;
mod pool;
mod request;
mod session;

pub use flavor::{Async, Blocking, Flavor};
pub use manager::BuildManager;
#[cfg(feature = "socks")]
pub use manager::SocksProxyManager;
pub use manager::{
    proxy_from_url, PoolKwargs, PoolManager, PoolManagerBuilder, ProxyManager, RequestContext,
};
pub use pool::connection_from_url;
pub use request::RequestBuilder;
