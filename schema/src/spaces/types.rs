//! GraphQL types of twinning spaces: spaces, members, channels, messages,
//! invitations, reports of messages (the live `SpaceEvent`s are in `live`).

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::accounts::types::{User, visible_user};
use crate::context::{UseCases, or_none, viewer, viewer_opt};
use crate::errors::GqlResult;
use crate::network::types::School;
use crate::relay;

/// One of the four pillars of learning.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
// The pillars are called "learning to …"; the names say so on the wire too.
#[allow(clippy::enum_variant_names)]
pub enum Pillar {
    LearningToKnow,
    LearningToDo,
    LearningToBe,
    LearningToLiveTogether,
}

impl From<Pillar> for app::Pillar {
    fn from(p: Pillar) -> Self {
        match p {
            Pillar::LearningToKnow => app::Pillar::LearningToKnow,
            Pillar::LearningToDo => app::Pillar::LearningToDo,
            Pillar::LearningToBe => app::Pillar::LearningToBe,
            Pillar::LearningToLiveTogether => app::Pillar::LearningToLiveTogether,
        }
    }
}

impl From<app::Pillar> for Pillar {
    fn from(p: app::Pillar) -> Self {
        match p {
            app::Pillar::LearningToKnow => Pillar::LearningToKnow,
            app::Pillar::LearningToDo => Pillar::LearningToDo,
            app::Pillar::LearningToBe => Pillar::LearningToBe,
            app::Pillar::LearningToLiveTogether => Pillar::LearningToLiveTogether,
        }
    }
}

/// A person's part in a space.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SpaceRole {
    /// Staff of the school that opened the space: invites schools and mentors.
    Lead,
    /// Staff of another member school.
    Teacher,
    Student,
    Mentor,
    /// A national coordinator or administrator looking in: reads, never writes.
    Observer,
}

impl From<app::SpaceRole> for SpaceRole {
    fn from(r: app::SpaceRole) -> Self {
        match r {
            app::SpaceRole::Lead => SpaceRole::Lead,
            app::SpaceRole::Teacher => SpaceRole::Teacher,
            app::SpaceRole::Student => SpaceRole::Student,
            app::SpaceRole::Mentor => SpaceRole::Mentor,
            app::SpaceRole::Observer => SpaceRole::Observer,
        }
    }
}

/// What a space is about: given when it is opened (`createSpace`) and when
/// it is changed (`updateSpace`, which replaces all of it).
#[derive(InputObject)]
pub struct CreateSpaceInput {
    /// 1–200 characters.
    pub title: String,
    /// Up to 5,000 characters; may be empty.
    #[graphql(default)]
    pub description: String,
    /// 1–200 characters.
    pub topic: String,
    #[graphql(default)]
    pub pillars: Vec<Pillar>,
    /// ISO 639 codes of the languages the space works in.
    pub languages: Vec<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

impl CreateSpaceInput {
    pub(crate) fn parse(self) -> app::Result<app::SpaceDetails> {
        app::SpaceDetails::parse(
            &self.title,
            &self.description,
            &self.topic,
            self.pillars.into_iter().map(Into::into).collect(),
            &self.languages,
            self.starts_on,
            self.ends_on,
        )
    }
}

/// A live twinning space between schools.
pub struct Space(pub app::Space);

#[Object]
impl Space {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.details.title
    }

    async fn description(&self) -> &str {
        &self.0.details.description
    }

    async fn topic(&self) -> &str {
        &self.0.details.topic
    }

    async fn pillars(&self) -> Vec<Pillar> {
        self.0.details.pillars.iter().map(|p| (*p).into()).collect()
    }

    /// ISO 639 codes.
    async fn languages(&self) -> Vec<&str> {
        self.0
            .details
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect()
    }

    async fn starts_on(&self) -> Option<NaiveDate> {
        self.0.details.starts_on
    }

    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.details.ends_on
    }

    /// Archived spaces can be read but not written.
    async fn archived(&self) -> bool {
        self.0.archived
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The school that opened the space.
    async fn lead_school(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        Ok(ctx
            .network()
            .school(Some(viewer(ctx)?), &self.0.lead_school)
            .await
            .ok()
            .map(School))
    }

    /// Every member school, the lead school first.
    async fn schools(&self, ctx: &Context<'_>) -> Result<Vec<School>> {
        let v = viewer(ctx)?;
        let mut out = Vec::new();
        for s in &self.0.schools {
            if let Ok(s) = ctx.network().school(Some(v), s).await {
                out.push(School(s));
            }
        }
        Ok(out)
    }

    /// Your part in the space; null if you teach at a member school but
    /// have not joined (`joinSpace`).
    async fn my_role(&self, ctx: &Context<'_>) -> Result<Option<SpaceRole>> {
        let access = ctx
            .spaces()
            .space_access(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        Ok(access.role.map(Into::into))
    }

    /// The position of the newest event: load the space, then subscribe to
    /// `spaceEvents(after: cursor)` to miss nothing in between.
    async fn cursor(&self, ctx: &Context<'_>) -> Result<String> {
        let head = ctx
            .spaces()
            .space_head(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        Ok(app::seq_cursor(head))
    }

    /// The channels you may read.
    async fn channels(&self, ctx: &Context<'_>) -> Result<Vec<Channel>> {
        let list = ctx
            .spaces()
            .channels(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        Ok(list.into_iter().map(Channel).collect())
    }

    /// The members, in the order they joined.
    #[graphql(complexity = "crate::relay::cost(first, 50, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SpaceMember>> {
        let (page, _) = relay::page_or(first, 50, after.as_deref())?;
        let all = ctx
            .spaces()
            .space_members(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        relay::by_position(all, &page, SpaceMember)
    }

    /// Members online now (several tabs count once).
    async fn online(&self, ctx: &Context<'_>) -> Result<Vec<OnlineMember>> {
        let list = ctx
            .spaces()
            .online_members(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        Ok(list
            .into_iter()
            .map(|(u, n)| OnlineMember {
                user_id: ID(u.to_string()),
                display_name: n,
            })
            .collect())
    }

    /// Whether you handle the space's reported messages (its teachers and
    /// leads).
    async fn can_moderate(&self, ctx: &Context<'_>) -> Result<bool> {
        ctx.spaces().moderates(viewer(ctx)?, &self.0.id).await.gql()
    }

    /// Reported messages, oldest first: `OPEN` ones wait for a decision
    /// (all when `status` is null). For the space's teachers and leads.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(ReportStatus::Open)")] status: Option<ReportStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, MessageReport>> {
        space_reports(ctx, &self.0.id, status, first, after).await
    }

    /// How many reports wait for a decision (the space's teachers and leads).
    async fn open_report_count(&self, ctx: &Context<'_>) -> Result<u64> {
        ctx.spaces()
            .open_report_count(viewer(ctx)?, &self.0.id)
            .await
            .gql()
    }

    /// Invitations of schools and mentors, for the space's staff.
    async fn invitations(&self, ctx: &Context<'_>) -> Result<Vec<SpaceInvitation>> {
        let list = ctx
            .spaces()
            .space_invitations(viewer(ctx)?, &self.0.id)
            .await
            .gql()?;
        Ok(list.into_iter().map(SpaceInvitation).collect())
    }
}

#[derive(SimpleObject)]
pub struct OnlineMember {
    pub user_id: ID,
    pub display_name: String,
}

/// A member of a space as the space's people see them.
pub struct SpaceMember(pub app::Member);

#[Object]
impl SpaceMember {
    /// The person's id.
    async fn id(&self) -> ID {
        ID(self.0.user.to_string())
    }

    /// For `@username` mentions.
    async fn username(&self) -> &str {
        &self.0.username
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn role(&self) -> SpaceRole {
        self.0.role.into()
    }

    async fn school(&self, ctx: &Context<'_>) -> Option<School> {
        let s = self.0.school.as_ref()?;
        ctx.network()
            .school(viewer_opt(ctx), s)
            .await
            .ok()
            .map(School)
    }

    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.joined_at
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// Every space has one; every member reads it.
    General,
    /// The teachers' bulletin: staff and mentors only.
    Bulletin,
    /// A channel a teacher added.
    Topic,
}

pub struct Channel(pub app::Channel);

#[Object]
impl Channel {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn space_id(&self) -> ID {
        ID(self.0.space.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn topic(&self) -> Option<&str> {
        self.0.topic.as_deref()
    }

    async fn kind(&self) -> ChannelKind {
        match self.0.kind {
            app::ChannelKind::General => ChannelKind::General,
            app::ChannelKind::Bulletin => ChannelKind::Bulletin,
            app::ChannelKind::Topic => ChannelKind::Topic,
        }
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Messages of others you have not marked read (`markChannelRead`).
    async fn unread_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let n = ctx
            .spaces()
            .unread_counts(viewer(ctx)?, std::slice::from_ref(&self.0))
            .await
            .gql()?;
        Ok(n.first().copied().unwrap_or(0))
    }

    /// Messages that start threads, newest first; page back with the last
    /// edge's cursor as `before`.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, Message>> {
        let limit = relay::page_size(first)?;
        let before = before
            .as_deref()
            .map(app::parse_seq_cursor)
            .transpose()
            .gql()?;
        let (list, more) = ctx
            .spaces()
            .channel_messages(viewer(ctx)?, &self.0.id, before, limit)
            .await
            .gql()?;
        Ok(message_connection(list, before.is_some(), more))
    }
}

fn message_connection(
    list: Vec<app::Message>,
    previous: bool,
    next: bool,
) -> Connection<String, Message> {
    relay::edges(
        previous,
        next,
        list.into_iter()
            .map(|m| (app::seq_cursor(m.seq), Message(m))),
    )
}

/// Who wrote a message, as they were when they wrote it.
#[derive(SimpleObject)]
pub struct MessageAuthor {
    pub id: ID,
    pub display_name: String,
    pub role: SpaceRole,
}

/// The reactions of one kind on a message.
#[derive(SimpleObject)]
pub struct ReactionCount {
    pub emoji: String,
    pub count: u32,
    /// Whether you are one of them.
    pub mine: bool,
}

/// An earlier version of an edited message.
#[derive(SimpleObject)]
pub struct MessageVersion {
    pub body: String,
    pub html: String,
    /// When the next version replaced it.
    pub replaced_at: DateTime<Utc>,
}

/// A message in a channel. Hidden and deleted messages come without their
/// content to those who may not read it.
pub struct Message(pub app::Message);

#[Object]
impl Message {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The message's place in its space's log.
    async fn cursor(&self) -> String {
        app::seq_cursor(self.0.seq)
    }

    async fn space_id(&self) -> ID {
        ID(self.0.space.to_string())
    }

    async fn channel_id(&self) -> ID {
        ID(self.0.channel.to_string())
    }

    async fn author(&self) -> MessageAuthor {
        MessageAuthor {
            id: ID(self.0.author.to_string()),
            display_name: self.0.author_name.clone(),
            role: self.0.author_role.into(),
        }
    }

    /// The text as written (Markdown); empty when hidden from you or deleted.
    async fn body(&self) -> &str {
        &self.0.body.markdown
    }

    /// The text as sanitized HTML, safe to insert into a page.
    async fn html(&self) -> &str {
        &self.0.body.html
    }

    /// The message this one answers, for answers in a thread.
    async fn reply_to(&self) -> Option<ID> {
        self.0.reply_to.as_ref().map(|r| ID(r.to_string()))
    }

    async fn reply_count(&self) -> u32 {
        self.0.reply_count
    }

    /// Answers in this message's thread, oldest first.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn replies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Message>> {
        let limit = relay::page_size(first)?;
        let after = after
            .as_deref()
            .map(app::parse_seq_cursor)
            .transpose()
            .gql()?;
        let (list, more) = ctx
            .spaces()
            .replies(viewer(ctx)?, &self.0, after, limit)
            .await
            .gql()?;
        Ok(message_connection(list, after.is_some(), more))
    }

    /// The people notified by `@username`.
    async fn mentions(&self) -> Vec<ID> {
        self.0.mentions.iter().map(|u| ID(u.to_string())).collect()
    }

    async fn reactions(&self, ctx: &Context<'_>) -> Vec<ReactionCount> {
        if self.0.reactions.is_empty() {
            // Without asking who looks: the answer is the same for all.
            return Vec::new();
        }
        let me = viewer_opt(ctx).map(|v| &v.user.id);
        let mut out: Vec<ReactionCount> = Vec::new();
        for r in &self.0.reactions {
            let mine = Some(&r.user) == me;
            match out.iter_mut().find(|c| c.emoji == r.emoji) {
                Some(c) => {
                    c.count += 1;
                    c.mine |= mine;
                }
                None => out.push(ReactionCount {
                    emoji: r.emoji.clone(),
                    count: 1,
                    mine,
                }),
            }
        }
        out
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }

    async fn deleted(&self) -> bool {
        self.0.deleted
    }

    /// Hidden from students by a teacher.
    async fn hidden(&self) -> bool {
        self.0.hidden.is_some()
    }

    /// Why it was hidden, for the space's staff.
    async fn hidden_reason(&self) -> Option<&str> {
        self.0
            .hidden
            .as_ref()
            .map(|h| h.reason.as_str())
            .filter(|r| !r.is_empty())
    }

    /// Earlier versions, for the author and the space's staff.
    async fn edits(&self, ctx: &Context<'_>) -> Result<Vec<MessageVersion>> {
        let list = ctx
            .spaces()
            .message_edits(viewer(ctx)?, &self.0)
            .await
            .gql()?;
        Ok(list
            .into_iter()
            .map(|e| MessageVersion {
                body: e.body.markdown,
                html: e.body.html,
                replaced_at: e.replaced_at,
            })
            .collect())
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
}

/// An invitation of a school or a mentor into a space.
pub struct SpaceInvitation(pub app::SpaceInvitation);

#[Object]
impl SpaceInvitation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn space_id(&self) -> ID {
        ID(self.0.space.to_string())
    }

    /// The space's title and topic, for whoever answers.
    async fn space_title(&self, ctx: &Context<'_>) -> Result<String> {
        let s = ctx
            .spaces()
            .invited_space(viewer(ctx)?, &self.0)
            .await
            .gql()?;
        Ok(s.details.title)
    }

    async fn space_topic(&self, ctx: &Context<'_>) -> Result<String> {
        let s = ctx
            .spaces()
            .invited_space(viewer(ctx)?, &self.0)
            .await
            .gql()?;
        Ok(s.details.topic)
    }

    /// The invited school, for school invitations.
    async fn school(&self, ctx: &Context<'_>) -> Option<School> {
        let app::Invitee::School(s) = &self.0.invitee else {
            return None;
        };
        ctx.network()
            .school(viewer_opt(ctx), s)
            .await
            .ok()
            .map(School)
    }

    /// The invited mentor, for mentor invitations.
    async fn mentor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let app::Invitee::Mentor(m) = &self.0.invitee else {
            return Ok(None);
        };
        Ok(ctx
            .people()
            .user(viewer(ctx)?, m)
            .await
            .ok()
            .map(User::from))
    }

    async fn status(&self) -> InvitationStatus {
        match self.0.status {
            app::InvitationAnswer::Pending => InvitationStatus::Pending,
            app::InvitationAnswer::Accepted => InvitationStatus::Accepted,
            app::InvitationAnswer::Declined => InvitationStatus::Declined,
        }
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
}

/// Where a report of a message stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// Waiting for one of the space's teachers.
    Open,
    /// A teacher hid the message from students.
    MessageHidden,
    /// A teacher looked and left the message as it was.
    Dismissed,
}

impl From<ReportStatus> for app::ReportStatus {
    fn from(s: ReportStatus) -> Self {
        match s {
            ReportStatus::Open => app::ReportStatus::Open,
            ReportStatus::MessageHidden => app::ReportStatus::MessageHidden,
            ReportStatus::Dismissed => app::ReportStatus::Dismissed,
        }
    }
}

/// What a teacher decides about a reported message.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReportDecision {
    /// Hide the message from students; the note (or else the report's
    /// reason) is the reason shown to staff.
    HideMessage,
    /// Leave the message as it is.
    Dismiss,
}

impl From<ReportDecision> for app::spaces::reports::ReportDecision {
    fn from(d: ReportDecision) -> Self {
        match d {
            ReportDecision::HideMessage => app::spaces::reports::ReportDecision::HideMessage,
            ReportDecision::Dismiss => app::spaces::reports::ReportDecision::Dismiss,
        }
    }
}

/// A member's report of a message to the space's teachers.
pub struct MessageReport(pub app::MessageReport);

#[Object]
impl MessageReport {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The message reported, as you see it (teachers see hidden messages);
    /// null once it is deleted.
    async fn message(&self, ctx: &Context<'_>) -> Result<Option<Message>> {
        let v = viewer(ctx)?;
        Ok(or_none(ctx.spaces().message(v, &self.0.message).await)?.map(Message))
    }

    async fn message_id(&self) -> ID {
        ID(self.0.message.to_string())
    }

    /// Why the member reported it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    async fn reported_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        visible_user(ctx, &self.0.by).await
    }

    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.at
    }

    async fn status(&self) -> ReportStatus {
        match self.0.status {
            app::ReportStatus::Open => ReportStatus::Open,
            app::ReportStatus::MessageHidden => ReportStatus::MessageHidden,
            app::ReportStatus::Dismissed => ReportStatus::Dismissed,
        }
    }

    /// The teacher who decided; null while open.
    async fn handled_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match &self.0.handled {
            Some(h) => visible_user(ctx, &h.by).await,
            None => Ok(None),
        }
    }

    async fn handled_at(&self) -> Option<DateTime<Utc>> {
        self.0.handled.as_ref().map(|h| h.at)
    }

    /// What the teacher told the member who reported it.
    async fn note(&self) -> Option<&str> {
        self.0.handled.as_ref().and_then(|h| h.note.as_deref())
    }
}

/// `Space.reports`: the queue, oldest first, for the space's teachers.
pub(crate) async fn space_reports(
    ctx: &Context<'_>,
    space: &app::SpaceId,
    status: Option<ReportStatus>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, MessageReport>> {
    let (page, has_previous) = relay::page(first, after.as_deref())?;
    let p = ctx
        .spaces()
        .space_reports(viewer(ctx)?, space, status.map(Into::into), &page)
        .await
        .gql()?;
    Ok(relay::connection(p, has_previous, MessageReport))
}
