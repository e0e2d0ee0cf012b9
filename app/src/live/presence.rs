//! Who is here, counted by open connection, with a grace period: a school
//! connection that drops and comes back, or a reloaded page, does not make
//! someone leave and return. Spaces show who is online with it; live rooms
//! record attendance with it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connections per key (a person in a space, a participant in a room), with
/// what was known of them when they arrived.
pub struct Presence<K, V> {
    // A std mutex: counts only, never held across an await. The callbacks
    // run under it, so that an arrival and a departure of one key are seen
    // by everyone in the order they happened.
    counts: Arc<Mutex<HashMap<K, (usize, V)>>>,
    grace: Duration,
}

impl<K, V> Clone for Presence<K, V> {
    fn clone(&self) -> Self {
        Presence {
            counts: self.counts.clone(),
            grace: self.grace,
        }
    }
}

impl<K, V> Presence<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
{
    /// Presence whose departures wait `grace` for a return.
    pub fn new(grace: Duration) -> Self {
        Presence {
            counts: Default::default(),
            grace,
        }
    }

    /// Counts a connection of `key`. The first one (not a return within the
    /// grace) runs `first`, and the answer is true.
    pub fn arrive(&self, key: K, value: V, first: impl FnOnce(&V)) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        match counts.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                e.get_mut().0 += 1;
                false
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                first(&value);
                e.insert((1, value));
                true
            }
        }
    }

    /// Ends a connection of `key`. When it was the last, `gone` runs once the
    /// grace has passed without a return (at once outside a runtime, where
    /// nothing can wait).
    pub fn depart(&self, key: &K, gone: impl FnOnce(&K, V) + Send + 'static) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let Some(entry) = counts.get_mut(key) else {
            return;
        };
        entry.0 = entry.0.saturating_sub(1);
        if entry.0 > 0 {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                let (counts, key, grace) = (self.counts.clone(), key.clone(), self.grace);
                rt.spawn(async move {
                    tokio::time::sleep(grace).await;
                    let mut counts = counts.lock().unwrap_or_else(|p| p.into_inner());
                    if counts.get(&key).is_some_and(|e| e.0 == 0)
                        && let Some((_, value)) = counts.remove(&key)
                    {
                        gone(&key, value);
                    }
                });
            }
            Err(_) => {
                if let Some((_, value)) = counts.remove(key) {
                    gone(key, value);
                }
            }
        }
    }

    /// Whether `key` has an open connection now.
    pub fn here(&self, key: &K) -> bool {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(key).is_some_and(|e| e.0 > 0)
    }

    /// Who counts as present among the keys `wanted` picks: with an open
    /// connection, or gone for less than the grace.
    pub fn present(&self, wanted: impl Fn(&K) -> bool) -> Vec<(K, V)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .iter()
            .filter(|(k, _)| wanted(k))
            .map(|(k, (_, v))| (k.clone(), v.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_return_within_the_grace_is_no_departure() {
        let p: Presence<u8, &str> = Presence::new(Duration::from_secs(5));
        let (tx, mut gone) = tokio::sync::mpsc::unbounded_channel();
        assert!(p.arrive(1, "Anna", |_| {}));
        let t = tx.clone();
        p.depart(&1, move |k, v| {
            let _ = t.send((*k, v));
        });
        assert!(!p.here(&1));
        assert_eq!(p.present(|_| true), vec![(1, "Anna")]);
        // Back within the grace: not a first arrival, and nothing is gone.
        assert!(!p.arrive(1, "Anna", |_| panic!("not a first arrival")));
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(gone.try_recv().is_err());
        assert!(p.here(&1));
        // Gone for good: once, after the grace.
        let started = tokio::time::Instant::now();
        p.depart(&1, move |k, v| {
            let _ = tx.send((*k, v));
        });
        assert_eq!(gone.recv().await, Some((1, "Anna")));
        assert!(started.elapsed() >= Duration::from_secs(5));
        assert!(p.present(|_| true).is_empty());
    }

    #[test]
    fn outside_a_runtime_a_departure_is_at_once() {
        let p: Presence<u8, ()> = Presence::new(Duration::from_secs(5));
        assert!(p.arrive(1, (), |_| {}));
        assert!(!p.arrive(1, (), |_| {}));
        let left = Arc::new(Mutex::new(0));
        let l = left.clone();
        p.depart(&1, move |_, _| *l.lock().unwrap() += 1);
        assert_eq!(*left.lock().unwrap(), 0, "one connection is still open");
        let l = left.clone();
        p.depart(&1, move |_, _| *l.lock().unwrap() += 1);
        assert_eq!(*left.lock().unwrap(), 1);
    }
}
