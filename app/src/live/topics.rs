//! Keyed broadcast channels: one bounded channel per key (a person, a
//! space, an event's room) while it has a listener, shared by every
//! listener of the key and removed with the last one. A listener that falls
//! behind by more than the capacity gets [`Missed`] and must resynchronise
//! from what is durable.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// The listener fell behind and values were dropped for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed;

/// The channels of one kind of topic, by key.
pub struct Topics<K, T> {
    // A std mutex: map look-ups only, never held across an await.
    channels: Arc<Mutex<HashMap<K, broadcast::Sender<T>>>>,
    capacity: usize,
}

impl<K, T> Clone for Topics<K, T> {
    fn clone(&self) -> Self {
        Topics {
            channels: self.channels.clone(),
            capacity: self.capacity,
        }
    }
}

impl<K: Eq + Hash + Clone, T: Clone> Topics<K, T> {
    /// Topics whose listeners may fall `capacity` values behind.
    pub fn new(capacity: usize) -> Self {
        Topics {
            channels: Default::default(),
            capacity,
        }
    }

    /// Listens to a key from now on.
    pub fn listen(&self, key: &K) -> Listener<K, T> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let tx = channels
            .entry(key.clone())
            .or_insert_with(|| broadcast::channel(self.capacity).0);
        Listener {
            topics: self.clone(),
            key: key.clone(),
            rx: Some(tx.subscribe()),
        }
    }

    /// Sends to every listener of the key; a key with none gets nothing.
    pub fn publish(&self, key: &K, value: T) {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = channels.get(key) {
            let _ = tx.send(value);
        }
    }

    /// Keys with at least one listener, for metrics and tests.
    pub fn len(&self) -> usize {
        self.channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Whether no key has a listener.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A listener to one key; dropping the key's last listener frees its channel.
pub struct Listener<K: Eq + Hash, T> {
    topics: Topics<K, T>,
    key: K,
    rx: Option<broadcast::Receiver<T>>,
}

impl<K: Eq + Hash, T: Clone> Listener<K, T> {
    /// The next value, or `Missed` once the listener has fallen behind.
    pub async fn recv(&mut self) -> Result<T, Missed> {
        match &mut self.rx {
            // The sender lives in the map while any listener exists, so
            // `Closed` cannot happen; it counts as a gap all the same.
            Some(rx) => rx.recv().await.map_err(|_| Missed),
            None => Err(Missed),
        }
    }

    /// The next value if one is waiting.
    pub fn try_recv(&mut self) -> Option<T> {
        self.rx.as_mut()?.try_recv().ok()
    }
}

impl<K: Eq + Hash, T> Drop for Listener<K, T> {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut channels = self
            .topics
            .channels
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if channels
            .get(&self.key)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            channels.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn values_reach_the_listeners_of_their_key_only() {
        let topics: Topics<u8, u32> = Topics::new(4);
        let mut a1 = topics.listen(&1);
        let mut a2 = topics.listen(&1);
        let mut b = topics.listen(&2);
        topics.publish(&1, 7);
        assert_eq!(a1.recv().await, Ok(7));
        assert_eq!(a2.recv().await, Ok(7));
        assert_eq!(b.try_recv(), None);
        topics.publish(&3, 9);
        assert_eq!(topics.len(), 2);
    }

    #[tokio::test]
    async fn a_listener_that_falls_behind_is_told() {
        let topics: Topics<u8, u32> = Topics::new(2);
        let mut slow = topics.listen(&1);
        for i in 0..5 {
            topics.publish(&1, i);
        }
        assert_eq!(slow.recv().await, Err(Missed));
    }

    #[test]
    fn the_last_listener_leaving_frees_the_channel() {
        let topics: Topics<u8, u32> = Topics::new(2);
        let l1 = topics.listen(&1);
        let l2 = topics.listen(&1);
        assert_eq!(topics.len(), 1);
        drop(l1);
        assert_eq!(topics.len(), 1);
        drop(l2);
        assert!(topics.is_empty());
    }
}
