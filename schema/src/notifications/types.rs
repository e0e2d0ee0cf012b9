//! A person's notifications as the API shows them.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};

/// What a notification is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// Someone signed in to your account (a security notice; not kept in the list).
    SignedIn,
    /// Someone mentioned you with `@username`; `about` is the message.
    Mentioned,
    /// Your school (or you, as a mentor) is invited to a space; `about` is the invitation.
    SpaceInvitation,
    /// An invitation you sent was answered; `excerpt` says how.
    SpaceInvitationAnswered,
    /// A member reported a message in a space you teach in; `about` is the message.
    MessageReported,
    /// You were named a mentor of a scheduled event; `about` is the event.
    EventScheduled,
    /// An event you registered for changed; `about` is the event.
    EventChanged,
    /// An event you registered for was cancelled; `about` is the event.
    EventCancelled,
    /// A seat freed up for you on an event's waitlist; `about` is the event.
    EventSeatGiven,
    /// An event you registered for starts soon; `about` is the event.
    EventReminder,
    /// An event you registered for has gone live; `about` is the event.
    EventLive,
    /// Many sign-ins to your account failed (someone may be guessing your
    /// password); for a while only devices you used before may sign in.
    SignInsFailed,
    /// A school of your country applied to join the network; `about` is
    /// the school, `excerpt` its name. Approve or reject it.
    SchoolApplied,
    /// A school proposed a twinning to yours; `about` is the twinning,
    /// `excerpt` the school's name. Accept or decline it.
    TwinningProposed,
    /// The school you proposed a twinning to accepted it (`excerpt`).
    TwinningAccepted,
    /// The school you proposed a twinning to declined it (`excerpt`).
    TwinningDeclined,
    /// The other school (`excerpt`) ended your twinning or withdrew its proposal.
    TwinningEnded,
    /// A teacher hid the message you reported; `about` is the message,
    /// `excerpt` the teacher's note, if any.
    ReportUpheld,
    /// A teacher looked at the message you reported and left it; `excerpt`
    /// is the teacher's note, if any.
    ReportDismissed,
}

/// A notice for one person.
pub struct Notification(pub app::Notification);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn kind(&self) -> NotificationKind {
        use app::NotificationKind as K;
        match self.0.kind {
            K::SignedIn => NotificationKind::SignedIn,
            K::Mentioned => NotificationKind::Mentioned,
            K::SpaceInvitation => NotificationKind::SpaceInvitation,
            K::SpaceInvitationAnswered => NotificationKind::SpaceInvitationAnswered,
            K::MessageReported => NotificationKind::MessageReported,
            K::EventScheduled => NotificationKind::EventScheduled,
            K::EventChanged => NotificationKind::EventChanged,
            K::EventCancelled => NotificationKind::EventCancelled,
            K::EventSeatGiven => NotificationKind::EventSeatGiven,
            K::EventReminder => NotificationKind::EventReminder,
            K::EventLive => NotificationKind::EventLive,
            K::SignInsFailed => NotificationKind::SignInsFailed,
            K::SchoolApplied => NotificationKind::SchoolApplied,
            K::TwinningProposed => NotificationKind::TwinningProposed,
            K::TwinningAccepted => NotificationKind::TwinningAccepted,
            K::TwinningDeclined => NotificationKind::TwinningDeclined,
            K::TwinningEnded => NotificationKind::TwinningEnded,
            K::ReportUpheld => NotificationKind::ReportUpheld,
            K::ReportDismissed => NotificationKind::ReportDismissed,
        }
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The space it is about.
    async fn space_id(&self) -> Option<ID> {
        self.0.space.as_ref().map(|s| ID(s.to_string()))
    }

    /// The id of the message, invitation or event it is about.
    async fn about(&self) -> Option<ID> {
        self.0.about.clone().map(ID)
    }

    /// Who caused it.
    async fn actor_name(&self) -> Option<&str> {
        self.0.actor_name.as_deref()
    }

    /// A short plain excerpt.
    async fn excerpt(&self) -> Option<&str> {
        self.0.excerpt.as_deref()
    }

    async fn read(&self) -> bool {
        self.0.read
    }
}

impl From<app::Notification> for Notification {
    fn from(n: app::Notification) -> Self {
        Notification(n)
    }
}
