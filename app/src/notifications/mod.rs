//! The notification list of each person: mentions, space invitations and
//! their answers, reports to teachers. Each is stored, then sent live to the
//! person's open connections.

pub mod port;

use crate::App;
use crate::accounts::model::Viewer;
use crate::kernel::error::Result;
use crate::kernel::id::{MessageId, NotificationId, SpaceId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::live::hub::{Notification, NotificationKind, UserSignal};

/// The longest excerpt kept in a notification, in characters.
const EXCERPT_CHARS: usize = 140;

/// Kinds whose `about` is a message of a space and whose excerpt quotes it
/// (a report's excerpt is the reporter's reason, not the message).
fn quotes_a_message(kind: NotificationKind) -> bool {
    kind == NotificationKind::Mentioned
}

impl App {
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
            created_at: self.now(),
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
        self.repo().create_notifications(&list).await?;
        for (u, n) in list {
            self.hub().send(&u, UserSignal::Notification(n));
        }
        Ok(())
    }

    /// The viewer's notifications, newest first. An excerpt of a message
    /// that was since hidden or deleted is left out: moderation reaches the
    /// notifications the message caused, not only the channel.
    pub async fn my_notifications(
        &self,
        viewer: &Viewer,
        page: &PageRequest,
    ) -> Result<Page<Notification>> {
        let mut page = self.repo().notifications(&viewer.user.id, page).await?;
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
            .repo()
            .messages_by_ids(&about_messages)
            .await?
            .into_iter()
            .filter(|m| !m.deleted && m.hidden.is_none())
            .map(|m| m.id)
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

    pub async fn unread_notification_count(&self, viewer: &Viewer) -> Result<u64> {
        self.repo().unread_notifications(&viewer.user.id).await
    }

    /// Marks some (or all) of the viewer's notifications read.
    pub async fn mark_notifications_read(
        &self,
        viewer: &Viewer,
        ids: Option<&[NotificationId]>,
    ) -> Result<()> {
        self.repo()
            .mark_notifications_read(&viewer.user.id, ids)
            .await
    }
}
