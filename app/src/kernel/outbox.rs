//! The doorbell of the search outbox. The domains that write outbox entries
//! (spaces, materials, the demo data) ring it after their transaction; the
//! indexer, above them, waits on it. Ringing is a hint: the indexer also
//! drains on a timer, so a ring that is missed delays an entry, never loses it.

/// A wake-up for the indexer of this process.
#[derive(Default)]
pub struct Doorbell(tokio::sync::Notify);

impl Doorbell {
    /// Tells the indexer there is work.
    pub fn ring(&self) {
        self.0.notify_one();
    }

    /// Completes at the next ring (or at once if one is pending).
    pub async fn rung(&self) {
        self.0.notified().await;
    }
}
