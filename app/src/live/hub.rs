//! The person hub: signals addressed to one person (notifications, ended
//! sessions), fanned out to each of their open connections in this process.
//!
//! One bounded `broadcast` channel per person with at least one listener. A
//! listener that falls behind sees `Missed` and must resynchronise. The hub
//! keeps nothing durable: notifications are kept in the database. The
//! events of a space have a hub of their own (`spaces::hub`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::id::{NotificationId, SpaceId, UserId};
use crate::kernel::secrets::TokenHash;
pub use crate::live::topics::Missed;
use crate::live::topics::{Listener, Topics};

/// Capacity of one person's channel. Personal signals are rare; a socket
/// that is 256 behind is not reading at all.
const USER_CHANNEL_CAPACITY: usize = 256;

/// A notification shown to one person. Kinds other than `SignedIn` are kept
/// in the person's notification list as well as sent live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub created_at: DateTime<Utc>,
    /// The space it is about, if any.
    pub space: Option<SpaceId>,
    /// The message, invitation or other thing it is about, by id.
    pub about: Option<String>,
    /// Who caused it, by display name.
    pub actor_name: Option<String>,
    /// A short plain excerpt (of a message that mentions the person, …).
    pub excerpt: Option<String>,
    pub read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// The account was signed in to from a new session: a security notice.
    SignedIn,
    /// Someone mentioned the person in a message.
    Mentioned,
    /// The person's school, or the person as a mentor, is invited to a space.
    SpaceInvitation,
    /// An invitation the person sent was accepted or declined.
    SpaceInvitationAnswered,
    /// A member reported a message in a space the person teaches in.
    MessageReported,
    /// The person was named a mentor of a scheduled event (`about`: the event).
    EventScheduled,
    /// An event the person registered for changed.
    EventChanged,
    /// An event the person registered for was cancelled.
    EventCancelled,
    /// A seat freed up for someone on an event's waitlist.
    EventSeatGiven,
    /// An event the person registered for starts soon.
    EventReminder,
    /// An event the person registered for has gone live.
    EventLive,
    /// Many sign-ins to the account failed; devices it was never used on
    /// must wait before trying again: a security notice.
    SignInsFailed,
    /// A school of the national coordinator's country applied to join
    /// (`about`: the school; `excerpt`: its name).
    SchoolApplied,
    /// A school proposed a twinning to the coordinator's school (`about`:
    /// the twinning; `excerpt`: the proposing school's name).
    TwinningProposed,
    /// The partner accepted the school's proposal (`excerpt`: the partner).
    TwinningAccepted,
    /// The partner declined the school's proposal (`excerpt`: the partner).
    TwinningDeclined,
    /// The other school ended the twinning, or withdrew its proposal
    /// (`excerpt`: that school).
    TwinningEnded,
    /// A teacher hid the message the person reported (`about`: the
    /// message; `excerpt`: the teacher's note, if any).
    ReportUpheld,
    /// A teacher looked at the message the person reported and left it
    /// (`excerpt`: the teacher's note, if any).
    ReportDismissed,
}

/// Something that concerns one person's open connections.
#[derive(Debug, Clone)]
pub enum UserSignal {
    Notification(Notification),
    /// Sessions ended: one (`Some`) or all of the person's (`None`).
    /// Sockets authenticated with such a session must close.
    SessionsRevoked(Option<TokenHash>),
}

#[derive(Clone)]
pub struct Hub {
    users: Topics<UserId, UserSignal>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            users: Topics::new(USER_CHANNEL_CAPACITY),
        }
    }
}

/// A listener on one person's signals; dropping it unregisters the channel
/// when it was the last one.
pub type UserListener = Listener<UserId, UserSignal>;

impl Hub {
    pub fn listen(&self, user: &UserId) -> UserListener {
        self.users.listen(user)
    }

    /// Sends to every listener of the person; a person with none gets nothing.
    pub fn send(&self, user: &UserId, signal: UserSignal) {
        self.users.publish(user, signal);
    }

    /// Number of people with at least one listener, for metrics and tests.
    pub fn listening_users(&self) -> usize {
        self.users.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signals_reach_every_listener_of_the_person_only() {
        let hub = Hub::default();
        let (a, b) = (UserId::generate(), UserId::generate());
        let mut a1 = hub.listen(&a);
        let mut a2 = hub.listen(&a);
        let mut b1 = hub.listen(&b);
        hub.send(&a, UserSignal::SessionsRevoked(None));
        assert!(matches!(
            a1.recv().await,
            Ok(UserSignal::SessionsRevoked(None))
        ));
        assert!(matches!(
            a2.recv().await,
            Ok(UserSignal::SessionsRevoked(None))
        ));
        assert!(b1.try_recv().is_none());
    }

    #[test]
    fn the_last_listener_leaving_frees_the_channel() {
        let hub = Hub::default();
        let a = UserId::generate();
        let l1 = hub.listen(&a);
        let l2 = hub.listen(&a);
        assert_eq!(hub.listening_users(), 1);
        drop(l1);
        assert_eq!(hub.listening_users(), 1);
        drop(l2);
        assert_eq!(hub.listening_users(), 0);
    }
}
