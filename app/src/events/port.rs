//! What the events domain needs of the database.

use crate::events::room::model::LiveEntry;
use crate::events::{Event, Registration};
use crate::kernel::error::Result;
use crate::kernel::id::{EventId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets::TokenHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What the search indexer and the search use cases read.
///
/// Every write that changes something searchable also writes an outbox
/// entry naming it, in the same transaction (the store sees to that for
/// every statement that touches a searchable table).
/// Scheduled events, registrations, live-room logs and calendar feeds.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    async fn create_event(&self, e: &Event) -> Result<()>;
    /// Replaces the event's row if its `updated_at` is still `expected`
    /// (`Conflict` otherwise). Counts of registrations are not touched.
    async fn update_event(&self, e: &Event, expected: DateTime<Utc>) -> Result<()>;
    async fn event(&self, id: &EventId) -> Result<Option<Event>>;
    async fn events_by_ids(&self, ids: &[EventId]) -> Result<Vec<Event>>;
    /// Events whose audience holds one of `keys` (every event for `None`)
    /// ending at or after `from`, by start time, after the page's key.
    async fn events(
        &self,
        keys: Option<&[String]>,
        from: Option<DateTime<Utc>>,
        page: &PageRequest,
    ) -> Result<Page<Event>>;
    async fn registrations(&self, event: &EventId) -> Result<Vec<Registration>>;
    /// Every registration of a person, any status.
    async fn registrations_of(&self, user: &UserId) -> Result<Vec<Registration>>;
    /// Writes new or changed registrations and the event's counts, in one transaction.
    async fn save_registrations(
        &self,
        event: &EventId,
        changed: &[Registration],
        registered: u32,
        waitlisted: u32,
    ) -> Result<()>;
    /// Appends entries to their events' logs and writes the event rows that
    /// changed with them, in one transaction. An entry whose position is
    /// taken fails the whole batch.
    async fn append_event_log(&self, entries: &[LiveEntry], events: &[Event]) -> Result<()>;
    /// Entries of an event's log after position `after`, oldest first.
    async fn event_log(&self, event: &EventId, after: u64, limit: usize) -> Result<Vec<LiveEntry>>;
    /// Scheduled events starting before `until` that have not sent reminders.
    async fn events_to_remind(&self, until: DateTime<Utc>) -> Result<Vec<Event>>;
    async fn set_reminded(&self, id: &EventId, reminded: bool) -> Result<()>;
    /// Sets (or with `None` removes) a person's calendar feed secret.
    async fn set_calendar_feed(
        &self,
        user: &UserId,
        token: Option<&TokenHash>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// When the person's feed was made, if they have one.
    async fn calendar_feed(&self, user: &UserId) -> Result<Option<DateTime<Utc>>>;
    /// Whose feed this secret opens.
    async fn calendar_feed_user(&self, token: &TokenHash) -> Result<Option<UserId>>;
}
