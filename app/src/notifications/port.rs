//! What the notifications domain needs of the database.

use crate::kernel::error::Result;
use crate::kernel::id::{MessageId, NotificationId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::live::hub::Notification;
use async_trait::async_trait;

/// Each person's kept notifications.
#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    async fn create_notifications(&self, list: &[(UserId, Notification)]) -> Result<()>;
    /// A person's notifications, newest first.
    async fn notifications(&self, user: &UserId, page: &PageRequest) -> Result<Page<Notification>>;
    async fn unread_notifications(&self, user: &UserId) -> Result<u64>;
    /// Marks these (or, with `None`, all) of a person's notifications read.
    async fn mark_notifications_read(
        &self,
        user: &UserId,
        ids: Option<&[NotificationId]>,
    ) -> Result<()>;
    /// Which of these messages are still shown (neither hidden nor
    /// deleted): a notification quotes only those.
    async fn shown_messages(&self, ids: &[MessageId]) -> Result<Vec<MessageId>>;
}
