//! LRU cache with a TTL and a size bound, keyed by the normalised request
//! plus the context that changes the answer.

use crate::Context;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Lower-cased, whitespace collapsed, trailing punctuation dropped: "List
/// files  please?" and "list files please" are one request.
pub fn normalise(request: &str) -> String {
    let mut out = String::with_capacity(request.len());
    for w in request.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    while out.ends_with(['?', '.', '!', ' ']) {
        out.pop();
    }
    out
}

/// The cache key: the request and the context fields that change the answer.
pub fn key(request: &str, ctx: &Context) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        normalise(request),
        ctx.distribution,
        ctx.package_manager,
        ctx.cwd_kind
    )
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    inserted: Duration,
    tick: u64,
}

#[derive(Debug)]
pub struct LruCache<V> {
    capacity: usize,
    ttl: Duration,
    map: HashMap<String, Entry<V>>,
    order: BTreeMap<u64, String>,
    tick: u64,
}

impl<V: Clone> LruCache<V> {
    pub fn new(capacity: usize, ttl: Duration) -> LruCache<V> {
        LruCache {
            capacity,
            ttl,
            map: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&mut self, key: &str, now: Duration) -> Option<V> {
        let expired = match self.map.get(key) {
            None => return None,
            Some(e) => now.saturating_sub(e.inserted) >= self.ttl,
        };
        if expired {
            if let Some(e) = self.map.remove(key) {
                self.order.remove(&e.tick);
            }
            return None;
        }
        self.tick += 1;
        let tick = self.tick;
        let e = self.map.get_mut(key)?;
        self.order.remove(&e.tick);
        e.tick = tick;
        self.order.insert(tick, key.to_string());
        Some(e.value.clone())
    }

    pub fn insert(&mut self, key: String, value: V, now: Duration) {
        if self.capacity == 0 {
            return;
        }
        self.tick += 1;
        let tick = self.tick;
        if let Some(old) = self.map.insert(
            key.clone(),
            Entry {
                value,
                inserted: now,
                tick,
            },
        ) {
            self.order.remove(&old.tick);
        }
        self.order.insert(tick, key);
        while self.map.len() > self.capacity {
            let Some((_, k)) = self.order.pop_first() else {
                break;
            };
            self.map.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise("  List   FILES please? "), "list files please");
        assert_eq!(normalise("show disk usage..."), "show disk usage");
    }

    #[test]
    fn key_depends_on_context() {
        let a = Context {
            distribution: "debian".into(),
            package_manager: "apt".into(),
            cwd_kind: "git".into(),
            ..Context::default()
        };
        let b = Context {
            package_manager: "dnf".into(),
            ..a.clone()
        };
        assert_eq!(key("Install htop", &a), key("install  htop?", &a));
        assert_ne!(key("install htop", &a), key("install htop", &b));
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut c = LruCache::new(2, s(100));
        c.insert("a".into(), 1, s(0));
        c.insert("b".into(), 2, s(0));
        assert_eq!(c.get("a", s(1)), Some(1));
        c.insert("c".into(), 3, s(2));
        assert_eq!(c.get("b", s(2)), None);
        assert_eq!(c.get("a", s(2)), Some(1));
        assert_eq!(c.get("c", s(2)), Some(3));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn entries_expire_after_ttl() {
        let mut c = LruCache::new(10, s(10));
        c.insert("a".into(), 1, s(0));
        assert_eq!(c.get("a", s(9)), Some(1));
        assert_eq!(c.get("a", s(10)), None);
        assert!(c.is_empty());
    }

    #[test]
    fn reinsert_refreshes_value_and_age() {
        let mut c = LruCache::new(10, s(10));
        c.insert("a".into(), 1, s(0));
        c.insert("a".into(), 2, s(8));
        assert_eq!(c.get("a", s(15)), Some(2));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let mut c = LruCache::new(0, s(10));
        c.insert("a".into(), 1, s(0));
        assert_eq!(c.get("a", s(0)), None);
    }
}
