//! The pools of one manager: the spec's `PoolManager.pools`, an LRU of at most `num_pools`
//! pools filed under their [`PoolKey`]. A pool pushed out is closed (its in-flight
//! connections finish and are then dropped).
//!
//! The LRU is [`RecentList`], a move-to-front list: `num_pools` is small (10 by default)
//! and a lookup compares keys whose hashes are computed once, so a linear scan costs less
//! than a dependency.
//!
//! The registry also decides each URL's route: with no proxy, straight to the host; with a
//! proxy, the route [`ProxyConfig::route_for`] gives for the URL's scheme (a forwarding
//! route is keyed to the proxy itself, so one pool serves every `http://` host).

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind};

use super::{HttpConnectionPool, PoolKey, PoolOptions, Scheme, SharedOptions};
use crate::transport::{ProxyConfig, ProxyRules, Route};

/// A URL resolved to its pool: what a request needs before it can start, kept by the
/// manager for the next request to the same URL string (a client polling one endpoint, the
/// common case), which then skips parsing, formatting and the pool lookup.
pub(crate) struct Resolved {
    /// The URL string as the caller gave it (the cache key).
    input: String,
    /// The parsed URL.
    pub(crate) url: Url,
    /// `url.url()`: what errors, the history and the response name (shared with every
    /// response, without a copy).
    pub(crate) text: Arc<str>,
    /// `url.request_uri()`: the origin-form request target.
    pub(crate) request_uri: String,
    /// The pool that serves it.
    pub(crate) pool: HttpConnectionPool,
}

impl Resolved {
    pub(crate) fn new(input: String, url: Url, pool: HttpConnectionPool) -> Resolved {
        Resolved {
            input,
            text: Arc::from(url.url()),
            request_uri: url.request_uri(),
            url,
            pool,
        }
    }
}

pub(crate) struct Registry {
    pools: Mutex<RecentList<PoolKey, HttpConnectionPool>>,
    /// The manager's options (the spec's `connection_pool_kw`), hashed once.
    defaults: SharedOptions,
    /// The last URL a request was resolved for ([`Registry::resolve`]).
    last: Mutex<Option<Arc<Resolved>>>,
    proxy: Option<ProxyRules>,
}

impl Registry {
    pub(crate) fn new(
        num_pools: usize,
        defaults: PoolOptions,
        proxy: Option<ProxyRules>,
    ) -> Result<Self, Error> {
        let cap = NonZeroUsize::new(num_pools).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                "num_pools must be at least 1, got 0",
            )
        })?;
        Ok(Registry {
            pools: Mutex::new(RecentList::new(cap)),
            defaults: SharedOptions::new(defaults),
            last: Mutex::new(None),
            proxy,
        })
    }

    pub(crate) fn defaults(&self) -> &PoolOptions {
        self.defaults.get()
    }

    /// The proxy the manager reports (for `http://` URLs, else for `https://`).
    pub(crate) fn proxy(&self) -> Option<&ProxyConfig> {
        self.proxy.as_ref().and_then(ProxyRules::primary)
    }

    pub(crate) fn len(&self) -> usize {
        self.pools.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Forgets every pool and closes it.
    pub(crate) fn clear(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = None;
        }
        if let Ok(mut pools) = self.pools.lock() {
            for (_, pool) in pools.drain() {
                pool.close();
            }
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
    ) -> Result<PoolKey, Error> {
        let port = port.unwrap_or(scheme.default_port());
        let proxy = self
            .proxy
            .as_ref()
            .and_then(|rules| rules.for_url(scheme, host, port));
        let (options, route) = match (options, proxy) {
            (None, None) => (self.defaults.clone(), Route::Direct),
            (None, Some(p)) => (self.defaults.clone(), p.route_for(scheme)),
            (Some(o), None) => (SharedOptions::new(o), Route::Direct),
            // An `https://` proxy is verified with the pool's CA options (unless its own were
            // pinned on the builder), as urllib3 1.26 verifies it with the connection's.
            (Some(o), Some(p)) => {
                let p = p.for_pool_tls(&o.tls)?;
                (SharedOptions::new(o), p.route_for(scheme))
            }
        };
        if let Route::Forward(p) = &route {
            let (proxy_host, proxy_port) = p.host_port();
            let proxy_host = proxy_host.to_owned();
            return Ok(PoolKey::shared(
                Scheme::Http,
                &proxy_host,
                proxy_port,
                route,
                options,
            ));
        }
        Ok(PoolKey::shared(scheme, host, port, route, options))
    }

    /// `input` parsed and matched to its pool, from the last request when it named the same
    /// URL string and its pool is still open (one that was pushed out or cleared is closed,
    /// so the URL is resolved again). A hit does not refresh the pool's place in the LRU.
    ///
    /// `check` runs on the parsed URL before any pool is looked up or made, so that a
    /// request that cannot be sent touches no pool; its error is returned as it is.
    pub(crate) fn resolve<T>(
        &self,
        input: &str,
        check: impl FnOnce(&Url) -> Result<T, Error>,
    ) -> Result<(Arc<Resolved>, T), Error> {
        let hit = self.last.lock().ok().and_then(|last| {
            last.as_ref()
                .filter(|r| r.input == input && !r.pool.is_closed())
                .cloned()
        });
        if let Some(hit) = hit {
            let checked = check(&hit.url)?;
            return Ok((hit, checked));
        }
        let url = parse_url(input)?;
        let checked = check(&url)?;
        let pool = self.pool_for_url(&url)?;
        let resolved = Arc::new(Resolved::new(input.to_owned(), url, pool));
        if let Ok(mut last) = self.last.lock() {
            *last = Some(resolved.clone());
        }
        Ok((resolved, checked))
    }

    /// The pool for an absolute URL.
    pub(crate) fn pool_for_url(&self, url: &Url) -> Result<HttpConnectionPool, Error> {
        let scheme = url_scheme(url)?;
        let key = self.key_for(scheme, url_host(url)?, url.port, None)?;
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
        if let Some((_, evicted)) = pools.push_new(key, pool.clone()) {
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

/// A least-recently-used map of at most `cap` entries, most recent first: a lookup moves its
/// entry to the front, and an insertion past the capacity pushes out the entry at the back.
#[derive(Debug)]
pub(crate) struct RecentList<K, V> {
    entries: VecDeque<(K, V)>,
    cap: NonZeroUsize,
}

impl<K: PartialEq, V> RecentList<K, V> {
    pub(crate) fn new(cap: NonZeroUsize) -> Self {
        RecentList {
            entries: VecDeque::new(),
            cap,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The value under `key`, which becomes the most recently used entry.
    pub(crate) fn get(&mut self, key: &K) -> Option<&V> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(at)?;
        self.entries.push_front(entry);
        self.entries.front().map(|(_, v)| v)
    }

    /// Files `value` under `key` (which the caller has just looked up and not found) as the
    /// most recently used entry, and returns the least recently used entry if that made the
    /// list longer than its capacity.
    pub(crate) fn push_new(&mut self, key: K, value: V) -> Option<(K, V)> {
        debug_assert!(self.entries.iter().all(|(k, _)| *k != key));
        self.entries.push_front((key, value));
        if self.entries.len() > self.cap.get() {
            self.entries.pop_back()
        } else {
            None
        }
    }

    /// Empties the list, handing out every entry (most recent first).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (K, V)> + '_ {
        self.entries.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(cap: usize) -> RecentList<&'static str, u32> {
        RecentList::new(NonZeroUsize::new(cap).unwrap())
    }

    fn keys(l: &RecentList<&'static str, u32>) -> Vec<&'static str> {
        l.entries.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn pushing_past_the_capacity_evicts_the_least_recently_used() {
        let mut l = list(2);
        assert_eq!(l.push_new("a", 1), None);
        assert_eq!(l.push_new("b", 2), None);
        assert_eq!(l.len(), 2);
        assert_eq!(l.push_new("c", 3), Some(("a", 1)));
        assert_eq!(keys(&l), ["c", "b"]);
    }

    #[test]
    fn a_lookup_moves_its_entry_to_the_front() {
        let mut l = list(3);
        l.push_new("a", 1);
        l.push_new("b", 2);
        l.push_new("c", 3);
        assert_eq!(l.get(&"a"), Some(&1));
        assert_eq!(keys(&l), ["a", "c", "b"]);
        // "b" is now the least recently used: it goes first.
        assert_eq!(l.push_new("d", 4), Some(("b", 2)));
        assert_eq!(keys(&l), ["d", "a", "c"]);
        assert_eq!(l.get(&"zzz"), None);
        assert_eq!(keys(&l), ["d", "a", "c"]);
    }

    #[test]
    fn capacity_one_keeps_only_the_newest() {
        let mut l = list(1);
        assert_eq!(l.push_new("a", 1), None);
        assert_eq!(l.get(&"a"), Some(&1));
        assert_eq!(l.push_new("b", 2), Some(("a", 1)));
        assert_eq!(l.get(&"a"), None);
        assert_eq!(keys(&l), ["b"]);
    }

    #[test]
    fn drain_empties_the_list() {
        let mut l = list(3);
        l.push_new("a", 1);
        l.push_new("b", 2);
        let all: Vec<_> = l.drain().collect();
        assert_eq!(all, [("b", 2), ("a", 1)]);
        assert_eq!(l.len(), 0);
    }

    #[tokio::test]
    async fn an_evicted_pool_is_closed() {
        let registry = Registry::new(1, PoolOptions::default(), None).unwrap();
        let first = registry
            .pool_for_key(
                registry
                    .key_for(Scheme::Http, "a.invalid", None, None)
                    .unwrap(),
            )
            .unwrap();
        let again = registry
            .pool_for_key(
                registry
                    .key_for(Scheme::Http, "a.invalid", None, None)
                    .unwrap(),
            )
            .unwrap();
        assert!(std::sync::Arc::ptr_eq(&first.inner, &again.inner));
        assert!(!first.is_closed());
        registry
            .pool_for_key(
                registry
                    .key_for(Scheme::Http, "b.invalid", None, None)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(registry.len(), 1);
        assert!(first.is_closed());
    }
}
