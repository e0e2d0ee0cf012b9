//! The notification list of each person: mentions, space invitations and
//! their answers, reports to teachers. Each is stored, then sent live to the
//! person's open connections.

pub mod port;

use crate::kernel::clock::Clock;
use crate::kernel::error::Result;
use crate::kernel::id::{MessageId, NotificationId, SpaceId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::live::hub::{Hub, Notification, NotificationKind, UserSignal};
use port::NotificationStore;

/// The longest excerpt kept in a notification, in characters.
const EXCERPT_CHARS: usize = 140;

/// Kinds whose `about` is a message of a space and whose excerpt quotes it
/// (a report's excerpt is the reporter's reason, not the message).
fn quotes_a_message(kind: NotificationKind) -> bool {
    kind == NotificationKind::Mentioned
}

/// The notifications' use cases, with what they may use: their port, the
/// person hub and the clock.
#[derive(Clone, Copy)]
pub struct Notifications<'a> {
    pub(crate) store: &'a dyn NotificationStore,
    pub(crate) hub: &'a Hub,
    pub(crate) clock: &'a dyn Clock,
}

impl Notifications<'_> {
    pub(crate) fn notice(
        &self,
        kind: NotificationKind,
        space: Option<&SpaceId>,
        about: Option<&str>,
        actor_name: Option<&str>,
        excerpt: Option<&str>,
    ) -> Notification {
        Notification {
            id: NotificationId::generate(),
            kind,
            created_at: self.clock.now(),
            space: space.cloned(),
            about: about.map(str::to_owned),
            actor_name: actor_name.map(str::to_owned),
            excerpt: excerpt.map(|e| {
                let flat: String = e.split_whitespace().collect::<Vec<_>>().join(" ");
                if flat.chars().count() > EXCERPT_CHARS {
                    let mut cut: String = flat.chars().take(EXCERPT_CHARS - 1).collect();
                    cut.push('…');
                    cut
                } else {
                    flat
                }
            }),
            read: false,
        }
    }

    /// Stores a notification for each person, then sends it live.
    pub(crate) async fn notify(&self, users: &[UserId], n: Notification) -> Result<()> {
        if users.is_empty() {
            return Ok(());
        }
        let list: Vec<(UserId, Notification)> = users
            .iter()
            .map(|u| {
                let mut n = n.clone();
                n.id = NotificationId::generate();
                (u.clone(), n)
            })
            .collect();
        self.store.create_notifications(&list).await?;
        for (u, n) in list {
            self.hub.send(&u, UserSignal::Notification(n));
        }
        Ok(())
    }

    /// A person's notifications, newest first. An excerpt of a message
    /// that was since hidden or deleted is left out: moderation reaches the
    /// notifications the message caused, not only the channel.
    pub async fn my_notifications(
        &self,
        user: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Notification>> {
        let mut page = self.store.notifications(user, page).await?;
        let about_messages: Vec<MessageId> = page
            .items
            .iter()
            .filter(|(_, n)| n.excerpt.is_some() && quotes_a_message(n.kind))
            .filter_map(|(_, n)| MessageId::parse(n.about.as_deref()?).ok())
            .collect();
        if about_messages.is_empty() {
            return Ok(page);
        }
        let shown: std::collections::HashSet<MessageId> = self
            .store
            .shown_messages(&about_messages)
            .await?
            .into_iter()
            .collect();
        for (_, n) in &mut page.items {
            if quotes_a_message(n.kind)
                && !n
                    .about
                    .as_deref()
                    .and_then(|a| MessageId::parse(a).ok())
                    .is_some_and(|id| shown.contains(&id))
            {
                n.excerpt = None;
            }
        }
        Ok(page)
    }

    pub async fn unread_notification_count(&self, user: &UserId) -> Result<u64> {
        self.store.unread_notifications(user).await
    }

    /// Marks some (or all) of a person's notifications read.
    pub async fn mark_notifications_read(
        &self,
        user: &UserId,
        ids: Option<&[NotificationId]>,
    ) -> Result<()> {
        self.store.mark_notifications_read(user, ids).await
    }
}
