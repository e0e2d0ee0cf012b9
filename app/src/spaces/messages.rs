//! Use cases of talking in a space: channels, messages and threads, edits,
//! deletion, reactions, moderation (hiding, reports), typing and read
//! markers.
//!
//! All student talk happens in channels their teachers can read: there are
//! no private conversations, and the teachers' bulletin is closed to
//! students. Every change is a durable event of the space's log.

use std::collections::BTreeSet;

use super::Spaces;
use crate::accounts::model::{RequestMeta, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{ChannelId, MessageId, ReportId, SpaceId, UserId};
use crate::kernel::paging::split_look_ahead;
use crate::kernel::text::clean_text;
use crate::live::hub::NotificationKind;
use crate::spaces::hub::SpaceFrame;
use crate::spaces::members::SpaceAccess;
use crate::spaces::model::{
    Channel, ChannelKind, Hiding, MAX_EMOJI_PER_MESSAGE, Message, MessageBody, MessageEdit,
    MessageReport, Reaction, ReportStatus, SpaceEvent, SpaceEventKind, SpaceRole, parse_emoji,
};
use crate::spaces::port::LogEntry;

/// A person's typing signal in one channel is passed on at most this often.
pub const TYPING_EVERY: chrono::Duration = chrono::Duration::seconds(3);

/// A message page: newest first, at most this many.
pub const MAX_MESSAGES_PAGE: usize = 100;

impl Spaces<'_> {
    /// A channel with the viewer's standing in its space; `NotFound` when
    /// the viewer may not read it.
    async fn channel_access(
        &self,
        viewer: &Viewer,
        id: &ChannelId,
    ) -> Result<(Channel, SpaceAccess, SpaceRole)> {
        let channel = match self.state.cache.channel(id) {
            Some(c) => c,
            None => {
                let c = self.store.channel(id).await?.ok_or(Error::NotFound)?;
                self.state.cache.keep_channel(&c);
                c
            }
        };
        let access = self.space_access(viewer, &channel.space).await?;
        match access.role {
            Some(r) if channel.readable_by(r) => Ok((channel, access, r)),
            _ => Err(Error::NotFound),
        }
    }

    async fn message_access(
        &self,
        viewer: &Viewer,
        id: &MessageId,
    ) -> Result<(Message, Channel, SpaceAccess, SpaceRole)> {
        let m = self.store.message(id).await?.ok_or(Error::NotFound)?;
        let (channel, access, role) = self.channel_access(viewer, &m.channel).await?;
        Ok((m, channel, access, role))
    }

    /// The channels of a space the viewer may read.
    pub async fn channels(&self, viewer: &Viewer, space: &SpaceId) -> Result<Vec<Channel>> {
        let access = self.space_access(viewer, space).await?;
        let Some(role) = access.role else {
            return Ok(vec![]);
        };
        Ok(self
            .store
            .channels(space)
            .await?
            .into_iter()
            .filter(|c| c.readable_by(role))
            .collect())
    }

    pub async fn channel(&self, viewer: &Viewer, id: &ChannelId) -> Result<Channel> {
        Ok(self.channel_access(viewer, id).await?.0)
    }

    /// Adds a channel every member reads: the space's teachers.
    pub async fn create_channel(
        &self,
        viewer: &Viewer,
        space: &SpaceId,
        name: &str,
        topic: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Channel> {
        let access = self.space_access(viewer, space).await?;
        if !access.writer_role()?.moderates() {
            return Err(self
                .accounts
                .deny(viewer, "create_channel", space.as_str(), None, meta)
                .await);
        }
        let name = Channel::parse_name(name)?;
        let topic = topic
            .filter(|t| !t.trim().is_empty())
            .map(|t| clean_text("topic", t, 200, false))
            .transpose()?;
        let existing = self.store.channels(space).await?;
        if existing.iter().any(|c| c.name == name) {
            return Err(Error::Conflict(format!(
                "the space has a channel named {name}"
            )));
        }
        if existing.len() >= 50 {
            return Err(Error::Conflict("a space has at most 50 channels".into()));
        }
        let channel = Channel {
            id: ChannelId::generate(),
            space: space.clone(),
            name,
            topic,
            kind: ChannelKind::Topic,
            created_by: Some(viewer.user.id.clone()),
            created_at: self.clock.now(),
        };
        self.log_in(SpaceEventKind::ChannelCreated(channel.clone()), &channel)
            .await?;
        Ok(channel)
    }

    /// Posts a message, or an answer in the thread of `reply_to`. Members
    /// named with `@username` who can read the channel are notified.
    #[tracing::instrument(skip_all)]
    pub async fn post_message(
        &self,
        viewer: &Viewer,
        channel: &ChannelId,
        body: &str,
        reply_to: Option<&MessageId>,
    ) -> Result<Message> {
        let (channel, access, _) = self.channel_access(viewer, channel).await?;
        let role = access.writer_role()?;
        let body = MessageBody::parse(body)?;
        let reply_to = match reply_to {
            None => None,
            Some(id) => {
                let parent = self.store.message(id).await?;
                let Some(parent) = parent.filter(|p| p.channel == channel.id) else {
                    return Err(Error::invalid("replyTo", "no such message in this channel"));
                };
                // Threads are one level deep: answers to answers join the thread.
                Some(parent.reply_to.unwrap_or(parent.id))
            }
        };
        let mentioned = self
            .mentioned_members(&channel, &body.mentioned, &viewer.user.id)
            .await?;
        let message = Message {
            id: MessageId::generate(),
            space: channel.space.clone(),
            channel: channel.id.clone(),
            seq: 0,
            author: viewer.user.id.clone(),
            author_name: viewer.user.display_name.as_str().to_owned(),
            author_role: role,
            body,
            reply_to,
            reply_count: 0,
            mentions: mentioned.clone(),
            reactions: vec![],
            created_at: self.clock.now(),
            edited_at: None,
            deleted: false,
            hidden: None,
        };
        let event = self
            .log_in(SpaceEventKind::MessagePosted(message), &channel)
            .await?;
        let SpaceEventKind::MessagePosted(message) = event.kind else {
            return Err(Error::internal("the log changed the kind of an event"));
        };
        self.notify_mentions(&message, &mentioned, viewer).await?;
        Ok(message)
    }

    async fn mentioned_members(
        &self,
        channel: &Channel,
        names: &BTreeSet<String>,
        author: &UserId,
    ) -> Result<Vec<UserId>> {
        if names.is_empty() {
            return Ok(vec![]);
        }
        Ok(self
            .store
            .members(&channel.space)
            .await?
            .into_iter()
            .filter(|m| {
                names.contains(&m.username) && m.user != *author && channel.readable_by(m.role)
            })
            .map(|m| m.user)
            .collect())
    }

    async fn notify_mentions(&self, m: &Message, who: &[UserId], viewer: &Viewer) -> Result<()> {
        let note = self.notifications.notice(
            NotificationKind::Mentioned,
            Some(&m.space),
            Some(m.id.as_str()),
            Some(viewer.user.display_name.as_str()),
            Some(&m.body.markdown),
        );
        self.notifications.notify(who, note).await
    }

    /// Changes the text of one's own message; earlier versions are kept.
    pub async fn edit_message(
        &self,
        viewer: &Viewer,
        id: &MessageId,
        body: &str,
    ) -> Result<Message> {
        let (mut m, channel, access, _) = self.message_access(viewer, id).await?;
        access.writer_role()?;
        if m.author != viewer.user.id {
            return Err(Error::Forbidden);
        }
        if m.deleted {
            return Err(Error::Conflict("the message was deleted".into()));
        }
        if m.hidden.is_some() {
            // An edit would notify new mentions with new text while the
            // channel keeps the message hidden.
            return Err(Error::Conflict(
                "a teacher hid this message; it cannot be changed".into(),
            ));
        }
        let body = MessageBody::parse(body)?;
        let before: BTreeSet<UserId> = m.mentions.iter().cloned().collect();
        let mentioned = self
            .mentioned_members(&channel, &body.mentioned, &viewer.user.id)
            .await?;
        let replaced = std::mem::replace(&mut m.body, body);
        m.mentions = mentioned.clone();
        m.edited_at = Some(self.clock.now());
        let mut entry = LogEntry {
            replaced: Some(replaced),
            ..self.entry(&m.space, SpaceEventKind::MessageEdited(m.clone()))
        };
        entry.event.staff_only = !channel.readable_by(SpaceRole::Student);
        self.log(vec![entry]).await?;
        let new: Vec<UserId> = mentioned
            .into_iter()
            .filter(|u| !before.contains(u))
            .collect();
        self.notify_mentions(&m, &new, viewer).await?;
        Ok(m)
    }

    /// Deletes a message, leaving a tombstone: its author, or the space's
    /// teachers (audited).
    pub async fn delete_message(
        &self,
        viewer: &Viewer,
        id: &MessageId,
        meta: &RequestMeta,
    ) -> Result<Message> {
        let (m, channel, access, _) = self.message_access(viewer, id).await?;
        let role = access.writer_role()?;
        let own = m.author == viewer.user.id;
        if !own && !role.moderates() {
            return Err(self
                .accounts
                .deny(viewer, "delete_message", id.as_str(), None, meta)
                .await);
        }
        if m.deleted {
            return Ok(m.redacted());
        }
        let mut gone = m.redacted();
        gone.deleted = true;
        self.log_in(SpaceEventKind::MessageDeleted(gone.clone()), &channel)
            .await?;
        if !own {
            self.accounts
                .audit_in(
                    Some(&viewer.user.id),
                    "delete_message",
                    id.as_str(),
                    None,
                    meta,
                    "ok",
                )
                .await?;
        }
        Ok(gone)
    }

    /// Hides a message from students (with a reason), or shows it again:
    /// the space's teachers. Audited.
    pub async fn hide_message(
        &self,
        viewer: &Viewer,
        id: &MessageId,
        reason: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Message> {
        let (mut m, channel, access, _) = self.message_access(viewer, id).await?;
        let action = if reason.is_some() {
            "hide_message"
        } else {
            "unhide_message"
        };
        if !access.writer_role()?.moderates() {
            return Err(self
                .accounts
                .deny(viewer, action, id.as_str(), None, meta)
                .await);
        }
        let kind = match reason {
            Some(r) => {
                if m.hidden.is_some() {
                    return Ok(m);
                }
                m.hidden = Some(Hiding {
                    by: viewer.user.id.clone(),
                    reason: clean_text("reason", r, 500, true)?,
                    at: self.clock.now(),
                });
                SpaceEventKind::MessageHidden(m.clone())
            }
            None => {
                if m.hidden.is_none() {
                    return Ok(m);
                }
                m.hidden = None;
                SpaceEventKind::MessageUnhidden(m.clone())
            }
        };
        self.log_in(kind, &channel).await?;
        self.accounts
            .audit_in(Some(&viewer.user.id), action, id.as_str(), None, meta, "ok")
            .await?;
        Ok(m)
    }

    /// Reports a message to the space's teachers: any member who can read it.
    pub async fn report_message(
        &self,
        viewer: &Viewer,
        id: &MessageId,
        reason: &str,
    ) -> Result<()> {
        let (m, _, access, _) = self.message_access(viewer, id).await?;
        if access.member.is_none() {
            return Err(Error::Forbidden);
        }
        let report = MessageReport {
            id: ReportId::generate(),
            message: m.id.clone(),
            space: m.space.clone(),
            by: viewer.user.id.clone(),
            reason: clean_text("reason", reason, 500, true)?,
            at: self.clock.now(),
            status: ReportStatus::Open,
            handled: None,
        };
        self.store.create_report(&report).await?;
        let teachers: Vec<UserId> = self
            .store
            .members(&m.space)
            .await?
            .into_iter()
            .filter(|t| t.role.moderates() && t.user != viewer.user.id)
            .map(|t| t.user)
            .collect();
        let note = self.notifications.notice(
            NotificationKind::MessageReported,
            Some(&m.space),
            Some(m.id.as_str()),
            Some(viewer.user.display_name.as_str()),
            Some(&report.reason),
        );
        self.notifications.notify(&teachers, note).await
    }

    /// Adds or takes back the viewer's reaction to a message.
    pub async fn set_reaction(
        &self,
        viewer: &Viewer,
        id: &MessageId,
        emoji: &str,
        on: bool,
    ) -> Result<Message> {
        let (mut m, channel, access, role) = self.message_access(viewer, id).await?;
        access.writer_role()?;
        if m.deleted || (m.hidden.is_some() && !role.is_staff()) {
            return Err(Error::Conflict(
                "the message can no longer take reactions".into(),
            ));
        }
        let emoji = parse_emoji(emoji)?;
        let r = Reaction {
            emoji: emoji.clone(),
            user: viewer.user.id.clone(),
        };
        let has = m.reactions.contains(&r);
        if has == on {
            return Ok(m);
        }
        if on {
            let kinds: BTreeSet<&str> = m.reactions.iter().map(|r| r.emoji.as_str()).collect();
            if !kinds.contains(emoji.as_str()) && kinds.len() >= MAX_EMOJI_PER_MESSAGE {
                return Err(Error::Conflict(
                    "this message has as many kinds of reaction as it can take".into(),
                ));
            }
            m.reactions.push(r);
        } else {
            m.reactions.retain(|x| *x != r);
        }
        let kind = SpaceEventKind::ReactionChanged {
            message: m.id.clone(),
            channel: m.channel.clone(),
            emoji,
            user: viewer.user.id.clone(),
            added: on,
        };
        self.log_in(kind, &channel).await?;
        Ok(m)
    }

    /// Tells the channel's readers that the viewer is typing. Passed on at
    /// most once per [`TYPING_EVERY`] per person and channel; not stored.
    pub async fn report_typing(&self, viewer: &Viewer, channel: &ChannelId) -> Result<()> {
        let (channel, access, _) = self.channel_access(viewer, channel).await?;
        access.writer_role()?;
        let now = self.clock.now();
        {
            let mut seen = self.state.typing.lock().unwrap_or_else(|p| p.into_inner());
            let key = (viewer.user.id.clone(), channel.id.clone());
            if seen.get(&key).is_some_and(|t| now - *t < TYPING_EVERY) {
                return Ok(());
            }
            if seen.len() > 10_000 {
                seen.retain(|_, t| now - *t < TYPING_EVERY);
            }
            seen.insert(key, now);
        }
        self.state.hub.publish(SpaceFrame::new(SpaceEvent {
            space: channel.space.clone(),
            seq: None,
            at: now,
            kind: SpaceEventKind::Typing {
                channel: channel.id.clone(),
                user: viewer.user.id.clone(),
                display_name: viewer.user.display_name.as_str().to_owned(),
            },
            staff_only: !channel.readable_by(SpaceRole::Student),
        }));
        Ok(())
    }

    /// A message as the viewer may see it.
    pub async fn message(&self, viewer: &Viewer, id: &MessageId) -> Result<Message> {
        let (m, _, _, role) = self.message_access(viewer, id).await?;
        Ok(shown(m, role))
    }

    /// A page of a channel's thread-starting messages, newest first, posted
    /// before the position `before`.
    pub async fn channel_messages(
        &self,
        viewer: &Viewer,
        channel: &ChannelId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<Message>, bool)> {
        let (_, _, role) = self.channel_access(viewer, channel).await?;
        let limit = limit.clamp(1, MAX_MESSAGES_PAGE);
        // One row more than the page: whether there is more is read, not
        // guessed, at every page size (the largest included).
        let list = self
            .store
            .channel_messages(channel, before, limit + 1)
            .await?;
        let (list, more) = split_look_ahead(list, limit);
        Ok((list.into_iter().map(|m| shown(m, role)).collect(), more))
    }

    /// Answers in a thread, oldest first, after the position `after`; and
    /// whether more follow.
    pub async fn replies(
        &self,
        viewer: &Viewer,
        parent: &Message,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<Message>, bool)> {
        let (_, _, role) = self.channel_access(viewer, &parent.channel).await?;
        let limit = limit.clamp(1, MAX_MESSAGES_PAGE);
        let list = self.store.replies(&parent.id, after, limit + 1).await?;
        let (list, more) = split_look_ahead(list, limit);
        Ok((list.into_iter().map(|m| shown(m, role)).collect(), more))
    }

    /// Earlier versions of a message: for its author and the space's staff.
    pub async fn message_edits(&self, viewer: &Viewer, m: &Message) -> Result<Vec<MessageEdit>> {
        let (_, _, role) = self.channel_access(viewer, &m.channel).await?;
        if m.author == viewer.user.id || role.is_staff() {
            if m.deleted {
                return Ok(vec![]);
            }
            self.store.message_edits(&m.id).await
        } else {
            Ok(vec![])
        }
    }

    /// Marks a channel read up to a position (by default, everything).
    pub async fn mark_channel_read(
        &self,
        viewer: &Viewer,
        channel: &ChannelId,
        up_to: Option<u64>,
    ) -> Result<()> {
        let (channel, access, _) = self.channel_access(viewer, channel).await?;
        if access.member.is_none() {
            return Ok(());
        }
        let seq = match up_to {
            Some(s) => s,
            None => self.store.space_log(&channel.space, 0, 0).await?.head,
        };
        self.store
            .mark_read(&channel.id, &viewer.user.id, seq)
            .await
    }

    /// Unread messages of others, per channel, for the viewer (0 for
    /// observers, who have no read markers).
    pub async fn unread_counts(&self, viewer: &Viewer, channels: &[Channel]) -> Result<Vec<u64>> {
        if channels.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<ChannelId> = channels.iter().map(|c| c.id.clone()).collect();
        self.store.unread_counts(&ids, &viewer.user.id).await
    }
}

/// A stored message as a reader in `role` sees it.
fn shown(m: Message, role: SpaceRole) -> Message {
    if m.deleted {
        let mut r = m.redacted();
        r.deleted = true;
        r
    } else if role.is_staff() {
        m
    } else {
        m.for_student()
    }
}
