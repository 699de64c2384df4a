//! The pools of one manager: the spec's `PoolManager.pools`, an LRU of at most `num_pools`
//! pools filed under their [`PoolKey`]. A pool pushed out is closed (its in-flight
//! connections finish and are then dropped).
//!
//! The registry also decides each URL's route: with no proxy, straight to the host; with a
//! proxy, the route [`ProxyConfig::route_for`] gives for the URL's scheme (a forwarding
//! route is keyed to the proxy itself, so one pool serves every `http://` host).

use std::num::NonZeroUsize;
use std::sync::Mutex;

use hip_core::url::Url;
use hip_core::{Error, ErrorKind};
use lru::LruCache;

use super::{HttpConnectionPool, PoolKey, PoolOptions, Scheme, SharedOptions};
use crate::transport::{ProxyConfig, Route};

pub(crate) struct Registry {
    pools: Mutex<LruCache<PoolKey, HttpConnectionPool>>,
    /// The manager's options (the spec's `connection_pool_kw`), hashed once.
    defaults: SharedOptions,
    proxy: Option<ProxyConfig>,
}

impl Registry {
    pub(crate) fn new(
        num_pools: usize,
        defaults: PoolOptions,
        proxy: Option<ProxyConfig>,
    ) -> Result<Self, Error> {
        let cap = NonZeroUsize::new(num_pools).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                "num_pools must be at least 1, got 0",
            )
        })?;
        Ok(Registry {
            pools: Mutex::new(LruCache::new(cap)),
            defaults: SharedOptions::new(defaults),
            proxy,
        })
    }

    pub(crate) fn defaults(&self) -> &PoolOptions {
        self.defaults.get()
    }

    pub(crate) fn proxy(&self) -> Option<&ProxyConfig> {
        self.proxy.as_ref()
    }

    pub(crate) fn len(&self) -> usize {
        self.pools.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Forgets every pool and closes it.
    pub(crate) fn clear(&self) {
        if let Ok(mut pools) = self.pools.lock() {
            for (_, pool) in pools.iter() {
                pool.close();
            }
            pools.clear();
        }
    }

    /// The key of the pool for `scheme://host:port` with `options` (the manager's when
    /// `None`): the route decides whether it is keyed to the host or to the proxy.
    pub(crate) fn key_for(
        &self,
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        options: Option<PoolOptions>,
    ) -> PoolKey {
        let options = match options {
            None => self.defaults.clone(),
            Some(o) => SharedOptions::new(o),
        };
        let route = match &self.proxy {
            None => Route::Direct,
            Some(p) => p.route_for(scheme),
        };
        if let Route::Forward(p) = &route {
            let (proxy_host, proxy_port) = p.host_port();
            let proxy_host = proxy_host.to_owned();
            return PoolKey::shared(Scheme::Http, &proxy_host, proxy_port, route, options);
        }
        let port = port.unwrap_or(scheme.default_port());
        PoolKey::shared(scheme, host, port, route, options)
    }

    /// The pool for an absolute URL.
    pub(crate) fn pool_for_url(&self, url: &Url) -> Result<HttpConnectionPool, Error> {
        let scheme = url_scheme(url)?;
        let key = self.key_for(scheme, url_host(url)?, url.port, None);
        self.pool_for_key(key)
    }

    /// The pool filed under `key`, made from the key's parts if it is new.
    pub(crate) fn pool_for_key(&self, key: PoolKey) -> Result<HttpConnectionPool, Error> {
        let mut pools = self
            .pools
            .lock()
            .map_err(|_| Error::new(ErrorKind::Runtime, "pool manager lock poisoned"))?;
        if let Some(p) = pools.get(&key) {
            return Ok(p.clone());
        }
        let pool = HttpConnectionPool::with_route(
            key.scheme(),
            key.host(),
            Some(key.port()),
            key.route().clone(),
            key.options().clone(),
        )?;
        if let Some((_, evicted)) = pools.push(key, pool.clone()) {
            // Only a different key is pushed out here: the key was not present.
            evicted.close();
        }
        Ok(pool)
    }
}

/// The scheme of an absolute URL (`http` when absent), or LocationValueError naming it.
pub(crate) fn url_scheme(u: &Url) -> Result<Scheme, Error> {
    let s = u.scheme.as_deref().unwrap_or("http");
    Scheme::parse(s).ok_or_else(|| {
        Error::new(
            ErrorKind::LocationValue,
            format!(
                "unsupported scheme {s:?} in {:?}: hip speaks http and https",
                u.url()
            ),
        )
    })
}

/// The host of an absolute URL, or the spec's "No host specified" error.
pub(crate) fn url_host(u: &Url) -> Result<&str, Error> {
    match u.host.as_deref() {
        Some(h) if !h.is_empty() => Ok(h),
        _ => Err(Error::new(
            ErrorKind::LocationValue,
            format!("No host specified in {:?}", u.url()),
        )),
    }
}
