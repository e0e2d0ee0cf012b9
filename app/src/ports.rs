//! The ports: what the domain needs from its backends.
//!
//! `store` implements [`Repository`] (SurrealDB) and [`ObjectStorage`]
//! (object_store); `search` implements [`SearchIndex`]; `server` implements
//! [`Previewer`] (worker processes). The domain never names a backend
//! technology. Errors come back as [`crate::Error`], with backend
//! details only inside [`crate::Error::Internal`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::accounts::model::{
    AuditEntry, DisplayName, Email, Role, SessionRecord, User, UserSecret,
};
use crate::accounts::model::{ClassLabel, MentorProfile};
use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::events::room::model::LiveEntry;
use crate::events::{Event, Registration};
use crate::kernel::blobs::ByteStream;
use crate::kernel::error::Result;
use crate::kernel::id::EventId;
use crate::kernel::id::{
    ChannelId, CountryCode, FileId, FolderId, InvitationId, MaterialId, MessageId, NotificationId,
    SchoolId, SpaceId, SpaceInvitationId, TwinningId, UploadId, UserId, VersionId,
};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets::TokenHash;
use crate::live::hub::Notification;
use crate::materials::model::{FileVersion, Upload, UploadPart};
use crate::materials::{Folder, Library, Material, MaterialScope};
use crate::network::model::{
    Country, Invitation, PeopleQuery, School, SchoolQuery, SchoolStatus, SchoolStatusChange,
    StoredFile, Twinning, TwinningStatus,
};
use crate::searching::model::{DocKey, EngineResults, SearchDocument, SearchRequest};
use crate::spaces::model::{
    Channel, Invitee, LoggedEvent, Member, Message, MessageBody, MessageEdit, MessageReport, Space,
    SpaceEvent, SpaceInvitation, SpaceRole,
};

#[async_trait]
pub trait Repository:
    MaterialRepository + SearchRepository + EventRepository + Send + Sync + 'static
{
    /// A cheap round trip proving the database answers.
    async fn ping(&self) -> Result<()>;

    async fn user(&self, id: &UserId) -> Result<Option<User>>;
    /// Finds a person by lower-cased username or e-mail, with what is needed to check a sign-in.
    async fn user_secret_by_login(&self, login: &str) -> Result<Option<UserSecret>>;
    async fn user_secret(&self, id: &UserId) -> Result<Option<UserSecret>>;
    async fn any_user_with_role(&self, role: Role) -> Result<bool>;
    /// Counts a failed sign-in and returns the new count.
    async fn record_login_failure(&self, id: &UserId, at: DateTime<Utc>) -> Result<u32>;
    async fn clear_login_failures(&self, id: &UserId) -> Result<()>;
    /// Remembers a device a person signed in on (by its token's hash).
    async fn add_login_device(
        &self,
        hash: &TokenHash,
        user: &UserId,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Whose device this is, if it is one.
    async fn login_device_user(&self, hash: &TokenHash) -> Result<Option<UserId>>;
    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<()>;
    async fn set_user_active(&self, id: &UserId, active: bool) -> Result<()>;

    async fn create_session(&self, session: &SessionRecord) -> Result<()>;
    /// A session with its (current) user, in one round trip.
    async fn session_with_user(&self, hash: &TokenHash) -> Result<Option<(SessionRecord, User)>>;
    async fn touch_session(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&self, hash: &TokenHash) -> Result<()>;
    /// Deletes every session of a person and returns how many there were.
    async fn delete_user_sessions(&self, id: &UserId) -> Result<u64>;

    /// Appends to the audit trail. There is deliberately no way to edit or delete.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// The newest audit entries first, of one country or of all.
    async fn recent_audit(
        &self,
        limit: u32,
        country: Option<&CountryCode>,
    ) -> Result<Vec<AuditEntry>>;

    // People, with where they belong.

    /// Stores a new person. `Conflict` if the username or e-mail is taken.
    async fn create_person(
        &self,
        draft: &PersonDraft,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<User>;
    /// Whether a person with this e-mail exists.
    async fn email_in_use(&self, email: &Email) -> Result<bool>;
    async fn people_of_school(&self, q: &PeopleQuery) -> Result<Page<User>>;
    /// The class labels in use at a school, sorted.
    async fn class_labels(&self, school: &SchoolId) -> Result<Vec<ClassLabel>>;
    async fn mentors(&self, page: &PageRequest) -> Result<Page<User>>;
    async fn set_display_name(&self, id: &UserId, name: &DisplayName) -> Result<()>;
    async fn set_class_label(&self, id: &UserId, label: &ClassLabel) -> Result<()>;
    async fn set_mentor_profile(&self, id: &UserId, profile: &MentorProfile) -> Result<()>;
    async fn set_role(&self, id: &UserId, role: Role) -> Result<()>;
    async fn people_by_role(&self, country: &CountryCode) -> Result<Vec<(Role, u64)>>;

    // Countries and schools.

    /// `Conflict` if the code exists.
    async fn create_country(&self, country: &Country) -> Result<()>;
    async fn country(&self, code: &CountryCode) -> Result<Option<Country>>;
    /// Every country with its number of approved schools.
    async fn countries(&self) -> Result<Vec<(Country, u64)>>;
    /// Stores a new school and the first step of its history, together.
    async fn create_school(&self, school: &School, first: &SchoolStatusChange) -> Result<()>;
    async fn school(&self, id: &SchoolId) -> Result<Option<School>>;
    async fn school_by_aspnet_number(&self, number: &str) -> Result<Option<SchoolId>>;
    async fn schools(&self, q: &SchoolQuery) -> Result<Page<School>>;
    /// Replaces the facts and visit card of a stored school.
    async fn update_school(&self, school: &School) -> Result<()>;
    /// Moves a school from `change.from` to `change.to` and records the step,
    /// together; `Conflict` if its status is no longer `change.from`.
    async fn change_school_status(&self, change: &SchoolStatusChange) -> Result<()>;
    async fn school_history(&self, id: &SchoolId) -> Result<Vec<SchoolStatusChange>>;
    async fn schools_by_status(&self, country: &CountryCode) -> Result<Vec<(SchoolStatus, u64)>>;

    // Twinnings.

    async fn create_twinning(&self, t: &Twinning) -> Result<()>;
    async fn twinning(&self, id: &TwinningId) -> Result<Option<Twinning>>;
    /// Every twinning a school is part of, newest first.
    async fn twinnings_of(&self, school: &SchoolId) -> Result<Vec<Twinning>>;
    /// Moves a twinning from `from` to `t.status`, recording who decided;
    /// `Conflict` if its status is no longer `from`.
    async fn decide_twinning(&self, t: &Twinning, from: TwinningStatus) -> Result<()>;

    // Invitations.

    async fn create_invitation(&self, inv: &Invitation, code_hash: &TokenHash) -> Result<()>;
    async fn invitation_by_code(&self, code_hash: &TokenHash) -> Result<Option<Invitation>>;
    async fn invitation(&self, id: &InvitationId) -> Result<Option<Invitation>>;
    async fn invitations_by(
        &self,
        inviter: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Invitation>>;
    /// Marks an open invitation accepted and stores the person, together;
    /// `Conflict` if it was accepted or revoked meanwhile, or the username or
    /// e-mail is taken.
    async fn accept_invitation(
        &self,
        id: &InvitationId,
        draft: &PersonDraft,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<User>;
    async fn revoke_invitation(&self, id: &InvitationId, at: DateTime<Utc>) -> Result<()>;

    // Files.

    async fn create_file(&self, file: &StoredFile) -> Result<()>;
    async fn file(&self, id: &FileId) -> Result<Option<StoredFile>>;
    /// The records of these files that exist, in one round trip.
    async fn files(&self, ids: &[FileId]) -> Result<Vec<StoredFile>>;
    async fn set_file_attachment(&self, id: &FileId, school: Option<&SchoolId>) -> Result<()>;
    /// Files attached to nothing that were uploaded before `before`.
    async fn unattached_files(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<FileId>>;
    async fn delete_file(&self, id: &FileId) -> Result<()>;

    // Twinning spaces.

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

    // Notifications.

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

/// Learning materials, libraries, file versions and resumable uploads.
#[async_trait]
pub trait MaterialRepository: Send + Sync + 'static {
    async fn material(&self, id: &MaterialId) -> Result<Option<Material>>;
    /// Stores a new material (`before` is `None`) or replaces one;
    /// `Conflict` if it changed since `before` was read.
    async fn save_material(&self, m: &Material, before: Option<&Material>) -> Result<()>;
    /// Adds materials whose ids are not taken yet, in one transaction, and
    /// returns how many it added (for loading generated materials).
    async fn import_materials(&self, list: &[Material]) -> Result<u64>;
    /// Deletes a material and the records of its files' versions.
    async fn delete_material(&self, id: &MaterialId) -> Result<()>;
    /// One page of a folder's materials within `scope`.
    async fn materials(&self, scope: &MaterialScope, page: &PageRequest) -> Result<Page<Material>>;
    async fn folder_has_materials(&self, id: &FolderId) -> Result<bool>;

    async fn folder(&self, id: &FolderId) -> Result<Option<Folder>>;
    /// The folders of a library directly under `parent`, by name.
    async fn folders(&self, library: &Library, parent: Option<&FolderId>) -> Result<Vec<Folder>>;
    /// Creates or replaces folders, all in one transaction.
    async fn save_folders(&self, folders: &[Folder]) -> Result<()>;
    async fn delete_folder(&self, id: &FolderId) -> Result<()>;

    /// Every version of every file of a material, oldest first.
    async fn versions(&self, material: &MaterialId) -> Result<Vec<FileVersion>>;
    async fn version(&self, id: &VersionId) -> Result<Option<FileVersion>>;
    /// Records a new version; its `number` is the next of its file, filled
    /// in here, and `text` is what was extracted from it. With `upload`, the upload's record goes in the same
    /// transaction (its bytes were already counted against the quota);
    /// without, `QuotaExceeded` if the school's files would pass `quota`.
    async fn add_version(
        &self,
        version: &mut FileVersion,
        text: Option<&str>,
        upload: Option<&UploadId>,
        quota: u64,
    ) -> Result<()>;
    /// The text extracted from a version, if any was.
    /// The first `max_chars` characters of a version's extracted text.
    async fn version_text(&self, id: &VersionId, max_chars: usize) -> Result<Option<String>>;
    /// Whether any version's bytes are this blob.
    async fn blob_in_use(&self, sha256: &str) -> Result<bool>;

    /// Stores a new upload; `QuotaExceeded` if its declared size would take
    /// the school's usage past `quota`, `Conflict` if it would take what the
    /// uploader's open uploads reserve past `personal`.
    async fn create_upload(&self, upload: &Upload, quota: u64, personal: u64) -> Result<()>;
    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>>;
    /// Appends a received part; `Conflict` unless the upload still has
    /// exactly `part.offset` bytes (another request got there first).
    async fn add_upload_part(
        &self,
        id: &UploadId,
        part: &UploadPart,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn delete_upload(&self, id: &UploadId) -> Result<()>;
    /// Uploads with no activity since `before`.
    async fn stale_uploads(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<Upload>>;
}

/// One change the search index must follow (see [`SearchRepository`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The entry's own id, to delete it once handled.
    pub id: String,
    /// What changed, as [`DocKey::as_string`].
    pub key: String,
}

/// The tables whose rows become search documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchTable {
    Material,
    School,
    Space,
    Message,
}

impl SearchTable {
    pub const ALL: [SearchTable; 4] = [
        SearchTable::Material,
        SearchTable::School,
        SearchTable::Space,
        SearchTable::Message,
    ];
}

/// What the search indexer and the search use cases read.
///
/// Every write that changes something searchable also writes an outbox
/// entry naming it, in the same transaction (the store sees to that for
/// every statement that touches a searchable table).
/// Scheduled events, registrations, live-room logs and calendar feeds.
#[async_trait]
pub trait EventRepository: Send + Sync + 'static {
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

#[async_trait]
pub trait SearchRepository: Send + Sync + 'static {
    /// The oldest outbox entries (after the entry `after`, if given), at most `limit`.
    async fn search_outbox(&self, after: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>>;
    /// Deletes handled entries (missing ones are no error).
    async fn delete_search_outbox(&self, ids: &[String]) -> Result<()>;
    /// How many entries wait.
    async fn search_outbox_len(&self) -> Result<u64>;
    /// The ids of a searchable table after `after`, in id order, for a rebuild.
    async fn searchable_ids(
        &self,
        table: SearchTable,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>>;
    /// How many rows the searchable tables hold together.
    async fn searchable_count(&self) -> Result<u64>;

    /// The ones of these that exist, in one round trip each.
    async fn materials_by_ids(&self, ids: &[MaterialId]) -> Result<Vec<Material>>;
    async fn schools_by_ids(&self, ids: &[SchoolId]) -> Result<Vec<School>>;
    async fn spaces_by_ids(&self, ids: &[SpaceId]) -> Result<Vec<Space>>;
    async fn messages_by_ids(&self, ids: &[MessageId]) -> Result<Vec<Message>>;
    async fn channels_by_ids(&self, ids: &[ChannelId]) -> Result<Vec<Channel>>;
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>>;
    /// The text of the newest version of each file of these materials, at
    /// most `max_chars` characters per file.
    async fn material_file_texts(
        &self,
        ids: &[MaterialId],
        max_chars: usize,
    ) -> Result<Vec<(MaterialId, String)>>;
    /// Every space a person is a member of, with their role.
    async fn space_roles(&self, user: &UserId) -> Result<Vec<(SpaceId, SpaceRole)>>;
    /// Every space with a member school in `country`.
    async fn spaces_of_country(&self, country: &CountryCode) -> Result<Vec<SpaceId>>;
    /// Every space the school takes part in.
    async fn spaces_of_school(&self, school: &SchoolId) -> Result<Vec<SpaceId>>;
}

/// A search engine holding [`SearchDocument`]s. Its contents are derived
/// data: the indexer rebuilds them from the database, and the domain
/// re-checks every hit it loads.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;
    /// Adds or replaces `upserts` and removes the documents of `removals`;
    /// when this returns, the changes are durable and searchable.
    async fn apply(&self, upserts: Vec<SearchDocument>, removals: Vec<DocKey>) -> Result<()>;
    async fn search(&self, request: &SearchRequest) -> Result<EngineResults>;
    /// Removes every document and marks the index incomplete, before a rebuild.
    async fn clear(&self) -> Result<()>;
    /// Adds documents during a rebuild (after [`SearchIndex::clear`]); they
    /// may stay unsearchable, and not durable, until
    /// [`SearchIndex::mark_complete`].
    async fn stage(&self, documents: Vec<SearchDocument>) -> Result<()>;
    /// Whether the index was completely built (and not cleared since). A new
    /// or half-built index is not.
    async fn is_complete(&self) -> Result<bool>;
    /// Makes everything staged durable and searchable, and marks the
    /// rebuild finished.
    async fn mark_complete(&self) -> Result<()>;
    /// How many documents it holds.
    async fn document_count(&self) -> Result<u64>;
}

/// Derives a thumbnail and text from a stored file, somewhere a crafted
/// file cannot hurt the server (the server runs [`crate::materials::previews::derive`]
/// in a worker process with limits on its memory and time). Whatever goes
/// wrong — a parser that aborts, runs out of memory or of time — the answer
/// is "nothing derived": a file is never refused for its preview.
#[async_trait]
pub trait Previewer: Send + Sync + 'static {
    /// `bytes` streams the file's `size` bytes; stopping to read it early is
    /// allowed.
    async fn derive(
        &self,
        content_type: &str,
        size: u64,
        bytes: ByteStream,
    ) -> crate::materials::previews::Derived;
}
