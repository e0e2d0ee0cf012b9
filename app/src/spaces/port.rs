//! What the spaces domain needs of the database.

use crate::kernel::error::Result;
use crate::kernel::id::{
    ChannelId, MessageId, ReportId, SchoolId, SpaceId, SpaceInvitationId, UserId,
};
use crate::kernel::paging::{Page, PageRequest};
use crate::spaces::model::{
    Channel, Invitee, LoggedEvent, Member, Message, MessageBody, MessageEdit, MessageReport,
    ReportHandling, ReportStatus, Space, SpaceEvent, SpaceInvitation, SpaceRole,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Twinning spaces: members, channels, messages, the space log and
/// invitations.
#[async_trait]
pub trait SpaceStore: Send + Sync + 'static {
    async fn spaces_by_ids(&self, ids: &[SpaceId]) -> Result<Vec<Space>>;

    /// Every space a person is a member of, with their role.
    async fn space_roles(&self, user: &UserId) -> Result<Vec<(SpaceId, SpaceRole)>>;

    /// Every space the school takes part in.
    async fn spaces_of_school(&self, school: &SchoolId) -> Result<Vec<SpaceId>>;

    /// Stores a new space, its first channels and its first member; the
    /// space's log starts empty (its channels and member are logged after).
    async fn create_space(&self, space: &Space) -> Result<()>;
    async fn space(&self, id: &SpaceId) -> Result<Option<Space>>;
    /// The spaces a person is a member of, newest space first.
    async fn spaces_of_member(&self, user: &UserId, page: &PageRequest) -> Result<Page<Space>>;
    async fn member(&self, space: &SpaceId, user: &UserId) -> Result<Option<Member>>;
    /// Every member of a space, in the order they joined.
    async fn members(&self, space: &SpaceId) -> Result<Vec<Member>>;
    async fn channels(&self, space: &SpaceId) -> Result<Vec<Channel>>;
    async fn channel(&self, id: &ChannelId) -> Result<Option<Channel>>;
    async fn message(&self, id: &MessageId) -> Result<Option<Message>>;
    /// Messages of a channel that start threads, newest first, posted
    /// before `before` (a log position).
    async fn channel_messages(
        &self,
        channel: &ChannelId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Message>>;
    /// Answers to a message, oldest first, posted after `after`.
    async fn replies(
        &self,
        parent: &MessageId,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Message>>;
    /// Earlier versions of an edited message, oldest first.
    async fn message_edits(&self, id: &MessageId) -> Result<Vec<MessageEdit>>;
    /// Applies durable space events and appends them to their spaces' logs,
    /// all in one transaction: each gets the next position (`seq`) of its
    /// space, filled in here. What an event changes follows from its kind.
    async fn log_space_events(&self, batch: &mut [LogEntry]) -> Result<()>;
    /// Logged events of a space after position `after`, oldest first.
    async fn space_log(&self, space: &SpaceId, after: u64, limit: usize) -> Result<SpaceLogPage>;
    /// Forgets logged events older than `before`; returns how many.
    async fn prune_space_logs(&self, before: DateTime<Utc>) -> Result<u64>;
    async fn create_space_invitation(&self, inv: &SpaceInvitation) -> Result<()>;
    async fn space_invitation(&self, id: &SpaceInvitationId) -> Result<Option<SpaceInvitation>>;
    async fn space_invitations(&self, space: &SpaceId) -> Result<Vec<SpaceInvitation>>;
    /// Open invitations addressed to a school or to a mentor.
    async fn open_space_invitations(&self, invitee: &Invitee) -> Result<Vec<SpaceInvitation>>;
    /// Records the answer; `Conflict` if it was answered meanwhile.
    async fn answer_space_invitation(&self, inv: &SpaceInvitation) -> Result<()>;
    /// Moves a person's read marker in a channel forward (never back).
    async fn mark_read(&self, channel: &ChannelId, user: &UserId, seq: u64) -> Result<()>;
    /// Messages of others after the person's read marker, per channel, in
    /// one round trip.
    async fn unread_counts(&self, channels: &[ChannelId], user: &UserId) -> Result<Vec<u64>>;
    async fn create_report(&self, report: &MessageReport) -> Result<()>;
    async fn report(&self, id: &ReportId) -> Result<Option<MessageReport>>;
    /// A space's reports in `status` (all when `None`), oldest first.
    async fn space_reports(
        &self,
        space: &SpaceId,
        status: Option<ReportStatus>,
        page: &PageRequest,
    ) -> Result<Page<MessageReport>>;
    async fn open_report_count(&self, space: &SpaceId) -> Result<u64>;
    /// Closes every open report of a message with one decision; returns
    /// the reports it closed (none if another teacher decided first).
    async fn close_reports(
        &self,
        message: &MessageId,
        status: ReportStatus,
        handling: &ReportHandling,
    ) -> Result<Vec<MessageReport>>;
}

/// One durable event on its way into a space's log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub event: SpaceEvent,
    /// For edits: the body being replaced, kept as history.
    pub replaced: Option<MessageBody>,
}

/// A page of a space's log, with the log's bounds.
#[derive(Debug, Clone)]
pub struct SpaceLogPage {
    pub events: Vec<LoggedEvent>,
    /// The position of the newest event.
    pub head: u64,
    /// Events up to this position were pruned.
    pub pruned_through: u64,
}
