//! The live `SpaceEvent`s of a space, as a subscription streams them.

use std::sync::Arc;

use crate::spaces::types::{Channel, Message, Space, SpaceMember};
use async_graphql::{ID, Interface, Object};
use chrono::{DateTime, Utc};

/// Something that happened in a space, live. Durable events carry the
/// `cursor` to resume after; presence and typing have none.
#[derive(Interface)]
#[graphql(
    field(
        name = "cursor",
        ty = "Option<String>",
        desc = "Resume after this event with `spaceEvents(after:)`; null for presence and typing."
    ),
    field(name = "at", ty = "DateTime<Utc>")
)]
pub enum SpaceEvent {
    MessagePosted(MessagePosted),
    MessageEdited(MessageEdited),
    MessageHidden(MessageHidden),
    MessageUnhidden(MessageUnhidden),
    MessageDeleted(MessageDeleted),
    ReactionChanged(ReactionChanged),
    MemberJoined(MemberJoined),
    MemberLeft(MemberLeft),
    ChannelCreated(ChannelCreated),
    SpaceUpdated(SpaceUpdated),
    PresenceChanged(PresenceChanged),
    Typing(Typing),
}

impl From<Arc<app::SpaceEvent>> for SpaceEvent {
    fn from(e: Arc<app::SpaceEvent>) -> Self {
        use app::SpaceEventKind as K;
        match &e.kind {
            K::MessagePosted(_) => SpaceEvent::MessagePosted(MessagePosted(e)),
            K::MessageEdited(_) => SpaceEvent::MessageEdited(MessageEdited(e)),
            K::MessageHidden(_) => SpaceEvent::MessageHidden(MessageHidden(e)),
            K::MessageUnhidden(_) => SpaceEvent::MessageUnhidden(MessageUnhidden(e)),
            K::MessageDeleted(_) => SpaceEvent::MessageDeleted(MessageDeleted(e)),
            K::ReactionChanged { .. } => SpaceEvent::ReactionChanged(ReactionChanged(e)),
            K::MemberJoined(_) => SpaceEvent::MemberJoined(MemberJoined(e)),
            K::MemberLeft { .. } => SpaceEvent::MemberLeft(MemberLeft(e)),
            K::ChannelCreated(_) => SpaceEvent::ChannelCreated(ChannelCreated(e)),
            K::SpaceUpdated(_) => SpaceEvent::SpaceUpdated(SpaceUpdated(e)),
            K::PresenceChanged { .. } => SpaceEvent::PresenceChanged(PresenceChanged(e)),
            K::Typing { .. } => SpaceEvent::Typing(Typing(e)),
        }
    }
}

fn cursor_of(e: &app::SpaceEvent) -> Option<String> {
    e.seq.map(app::seq_cursor)
}

/// An event type: its `cursor` and `at`, and the fields given.
macro_rules! event_object {
    ($(#[$doc:meta])* $name:ident { $($fields:tt)* }) => {
        $(#[$doc])*
        pub struct $name(Arc<app::SpaceEvent>);

        #[Object]
        impl $name {
            /// Resume after this event with `spaceEvents(after:)`; null for
            /// presence and typing, which are not kept.
            async fn cursor(&self) -> Option<String> {
                cursor_of(&self.0)
            }

            async fn at(&self) -> DateTime<Utc> {
                self.0.at
            }

            $($fields)*
        }
    };
}

/// The message of a message event, as it is after the event.
macro_rules! message_event {
    ($(#[$doc:meta])* $name:ident) => {
        event_object!($(#[$doc])* $name {
            async fn message(&self) -> Option<Message> {
                self.0.kind.message().cloned().map(Message)
            }
        });
    };
}

message_event!(
    /// A message was posted (answers in threads too: see `replyTo`).
    MessagePosted
);
message_event!(
    /// A message's text changed.
    MessageEdited
);
message_event!(
    /// A teacher hid a message from students.
    MessageHidden
);
message_event!(
    /// A teacher showed a hidden message again.
    MessageUnhidden
);
message_event!(
    /// A message was deleted; it stays as a tombstone.
    MessageDeleted
);

use app::SpaceEventKind as K;

event_object!(
    /// Someone added or took back a reaction.
    ReactionChanged {
        async fn message_id(&self) -> Option<ID> {
            match &self.0.kind {
                K::ReactionChanged { message, .. } => Some(ID(message.to_string())),
                _ => None,
            }
        }

        async fn channel_id(&self) -> Option<ID> {
            self.0.kind.channel().map(|c| ID(c.to_string()))
        }

        async fn emoji(&self) -> &str {
            match &self.0.kind {
                K::ReactionChanged { emoji, .. } => emoji,
                _ => "",
            }
        }

        async fn user_id(&self) -> Option<ID> {
            match &self.0.kind {
                K::ReactionChanged { user, .. } => Some(ID(user.to_string())),
                _ => None,
            }
        }

        /// True when added, false when taken back.
        async fn added(&self) -> bool {
            matches!(&self.0.kind, K::ReactionChanged { added: true, .. })
        }
    }
);

event_object!(
    /// Someone joined the space.
    MemberJoined {
        async fn member(&self) -> Option<SpaceMember> {
            match &self.0.kind {
                K::MemberJoined(m) => Some(SpaceMember(m.clone())),
                _ => None,
            }
        }
    }
);

event_object!(
    /// Someone left or was removed. When it is you, your stream ends with it.
    MemberLeft {
        async fn member(&self) -> Option<SpaceMember> {
            match &self.0.kind {
                K::MemberLeft { member, .. } => Some(SpaceMember(member.clone())),
                _ => None,
            }
        }

        /// Who removed them (themself when they left).
        async fn removed_by(&self) -> Option<ID> {
            match &self.0.kind {
                K::MemberLeft { by, .. } => by.as_ref().map(|b| ID(b.to_string())),
                _ => None,
            }
        }
    }
);

event_object!(
    /// A channel was added.
    ChannelCreated {
        async fn channel(&self) -> Option<Channel> {
            match &self.0.kind {
                K::ChannelCreated(c) => Some(Channel(c.clone())),
                _ => None,
            }
        }
    }
);

event_object!(
    /// The space's description, member schools or archived state changed.
    SpaceUpdated {
        async fn space(&self) -> Option<Space> {
            match &self.0.kind {
                K::SpaceUpdated(s) => Some(Space((**s).clone())),
                _ => None,
            }
        }
    }
);

event_object!(
    /// Someone came online in the space or went away.
    PresenceChanged {
        async fn user_id(&self) -> Option<ID> {
            match &self.0.kind {
                K::PresenceChanged { user, .. } => Some(ID(user.to_string())),
                _ => None,
            }
        }

        async fn display_name(&self) -> &str {
            match &self.0.kind {
                K::PresenceChanged { display_name, .. } => display_name,
                _ => "",
            }
        }

        async fn online(&self) -> bool {
            matches!(&self.0.kind, K::PresenceChanged { online: true, .. })
        }
    }
);

event_object!(
    /// Someone is typing in a channel.
    Typing {
        async fn channel_id(&self) -> Option<ID> {
            self.0.kind.channel().map(|c| ID(c.to_string()))
        }

        async fn user_id(&self) -> Option<ID> {
            match &self.0.kind {
                K::Typing { user, .. } => Some(ID(user.to_string())),
                _ => None,
            }
        }

        async fn display_name(&self) -> &str {
            match &self.0.kind {
                K::Typing { display_name, .. } => display_name,
                _ => "",
            }
        }
    }
);
