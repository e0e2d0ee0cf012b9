//! The LFF domain: model types, authorization and one method per use case.
//!
//! This crate knows nothing of GraphQL, HTTP, SurrealDB, object storage or the
//! process environment. It defines the ports ([`ports`]) that the `store` and
//! `search` crates implement, and the live-event hubs that transports
//! subscribe to. Everything outside reaches the domain through [`App`], and
//! a use case through its domain's handle: `app.spaces().post_message(…)`.
//! A handle holds what its domain may use — its port, its state, the clock
//! and the handles of the domains below it — and nothing else.

pub mod accounts;
pub mod demo;
pub mod events;
pub mod kernel;
pub mod live;
pub mod materials;
pub mod network;
pub mod notifications;
pub mod people;
pub mod ports;
pub mod questionnaires;
pub mod searching;
pub mod spaces;

use std::sync::Arc;

pub use accounts::model::{
    AuditEntry, ClassLabel, DisplayName, Email, MAX_PASSWORD_CHARS, MIN_ADULT_PASSWORD_CHARS,
    MIN_STUDENT_PASSWORD_CHARS, MentorProfile, NewPassword, PasswordHash, PersonDraft, RequestMeta,
    Role, SessionRecord, User, UserSecret, Username, Viewer,
};
pub use accounts::{AccountOptions, Credentials, SignedIn};
pub use events::room::model::{
    AttendanceReport, AttendanceRow, LiveEntry, LiveKind, Participant, Poll, Question, RaisedHand,
    RoomAccess, RoomView, SchoolAttendance,
};
pub use events::{
    AgendaItem, DEFAULT_REMINDER, Event, EventAudience, EventDetails, EventForm, EventKind,
    EventRecord, EventStatus, IssuedFeed, Registration, RegistrationStatus, TimeZoneName,
};
pub use kernel::blobs::{BlobInfo, BlobWriter, ByteStream, ObjectStorage};
pub use kernel::clock::{Clock, ManualClock, SystemClock};
pub use kernel::error::{Error, Result};
pub use kernel::id::{
    ChannelId, CountryCode, EventId, FileId, FolderId, InvitationId, LiveMessageId, MaterialFileId,
    MaterialId, MessageId, NotificationId, PlatformId, PollId, QuestionId, ReportId, SchoolId,
    SpaceId, SpaceInvitationId, TwinningId, UploadId, UserId, VersionId,
};
pub use kernel::paging::{
    MAX_PAGE, Page, PageRequest, encode_cursor, parse_seq_cursor, seq_cursor, split_look_ahead,
};
pub use kernel::secrets::TokenHash;
pub use kernel::text::{FileName, LanguageCode, LocalizedText, parse_languages};
pub use live::hub::{Hub, Missed, Notification, NotificationKind, UserListener, UserSignal};
pub use materials::model::{FileVersion, MaterialFile, Upload};
pub use materials::uploads::{FileLimits, UploadRequest};
pub use materials::{
    DraftScope, Folder, FolderName, LanguageTag, Library, Licence, MAX_FOLDER_DEPTH, Material,
    MaterialDetails, MaterialForm, MaterialKind, MaterialScope, MaterialSort, MaterialStatus,
    PracticeSections, Visibility,
};
pub use network::model::{
    CardPhoto, Country, CountryOverview, Invitation, PeopleQuery, PhotoChange, School,
    SchoolContact, SchoolFacts, SchoolForm, SchoolQuery, SchoolScope, SchoolStatus,
    SchoolStatusChange, StoredFile, Twinning, TwinningStatus, VisitCard, parse_message,
    parse_reason, parse_website,
};
pub use network::schools::CardEdit;
pub use people::{InvitationForm, IssuedInvitation, MentorForm, NewStudent};
pub use searching::model::{DocKey, FacetName, Highlight, HighlightField, SearchKind, SearchOrder};
pub use searching::{FacetValue, Found, SearchFilter, SearchHit, SearchPage};
pub use spaces::members::SpaceAccess;
pub use spaces::model::{
    Channel, ChannelKind, Hiding, InvitationAnswer, Invitee, LoggedEvent, MAX_EMOJI_PER_MESSAGE,
    MAX_MESSAGE_CHARS, Member, Message, MessageBody, MessageEdit, MessageReport, Pillar, Reaction,
    Redaction, ReportHandling, ReportStatus, Space, SpaceDetails, SpaceEvent, SpaceEventKind,
    SpaceInvitation, SpaceRole, mentions, parse_emoji, render_markdown,
};

/// Everything the use cases need, behind one cheap-to-clone handle.
///
/// Cloning copies one `Arc`; the handle is shared by every request and socket.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    repo: Arc<dyn ports::Repository>,
    objects: Arc<dyn ObjectStorage>,
    search: Arc<dyn ports::SearchIndex>,
    previews: Arc<dyn ports::Previewer>,
    clock: Arc<dyn Clock>,
    hub: Hub,
    /// Rung after a write that left work in the search outbox.
    outbox: kernel::outbox::Doorbell,
    accounts: accounts::AccountState,
    network: network::State,
    spaces: spaces::State,
    materials: materials::State,
    searching: searching::State,
    events: events::State,
}

/// The backends and options an [`App`] is assembled from.
pub struct AppParts {
    pub repo: Arc<dyn ports::Repository>,
    pub objects: Arc<dyn ObjectStorage>,
    pub search: Arc<dyn ports::SearchIndex>,
    pub previews: Arc<dyn ports::Previewer>,
    pub clock: Arc<dyn Clock>,
    pub accounts: AccountOptions,
    pub files: materials::uploads::FileLimits,
}

impl App {
    pub fn new(parts: AppParts) -> Self {
        let spaces = spaces::State::new(parts.clock.clone(), parts.repo.clone());
        let events = events::State::new(parts.repo.clone(), parts.clock.clone());
        App {
            inner: Arc::new(Inner {
                repo: parts.repo,
                objects: parts.objects,
                search: parts.search,
                previews: parts.previews,
                hub: Hub::default(),
                outbox: Default::default(),
                spaces,
                clock: parts.clock,
                accounts: accounts::AccountState::new(parts.accounts),
                network: Default::default(),
                materials: materials::State::new(parts.files),
                searching: Default::default(),
                events,
            }),
        }
    }

    /// The person hub, for transports that stream a person's signals to
    /// their connections.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// The accounts' use cases: signing in, sessions, passwords, the audit trail.
    pub fn accounts(&self) -> accounts::Accounts<'_> {
        accounts::Accounts {
            store: &*self.inner.repo,
            state: &self.inner.accounts,
            hub: &self.inner.hub,
            clock: &*self.inner.clock,
            notifications: self.notifications(),
        }
    }

    /// The network's use cases: countries, schools, cards, twinnings.
    pub fn network(&self) -> network::Network<'_> {
        network::Network {
            store: &*self.inner.repo,
            state: &self.inner.network,
            objects: &*self.inner.objects,
            clock: &*self.inner.clock,
            accounts: self.accounts(),
        }
    }

    /// The people's use cases: invitations, students, profiles, roles.
    pub fn people(&self) -> people::People<'_> {
        people::People {
            store: &*self.inner.repo,
            clock: &*self.inner.clock,
            accounts: self.accounts(),
            network: self.network(),
        }
    }

    /// The spaces' use cases: spaces, members, channels, messages.
    pub fn spaces(&self) -> spaces::Spaces<'_> {
        spaces::Spaces {
            store: &*self.inner.repo,
            state: &self.inner.spaces,
            clock: &*self.inner.clock,
            outbox: &self.inner.outbox,
            accounts: self.accounts(),
            network: self.network(),
            notifications: self.notifications(),
        }
    }

    /// The materials' use cases: libraries, folders, materials, files, uploads.
    pub fn materials(&self) -> materials::Materials<'_> {
        materials::Materials {
            store: &*self.inner.repo,
            state: &self.inner.materials,
            objects: &*self.inner.objects,
            previews: &*self.inner.previews,
            clock: &*self.inner.clock,
            outbox: &self.inner.outbox,
            accounts: self.accounts(),
            network: self.network(),
            spaces: self.spaces(),
        }
    }

    /// The events' use cases: events, registrations, reminders, live rooms.
    pub fn events(&self) -> events::Events<'_> {
        events::Events {
            store: &*self.inner.repo,
            state: &self.inner.events,
            clock: &*self.inner.clock,
            accounts: self.accounts(),
            network: self.network(),
            spaces: self.spaces(),
            materials: self.materials(),
            notifications: self.notifications(),
            owner: self,
        }
    }

    /// Search's use cases: finding, and keeping the index in step.
    pub fn searching(&self) -> searching::Searching<'_> {
        searching::Searching {
            store: &*self.inner.repo,
            search: &*self.inner.search,
            state: &self.inner.searching,
            clock: &*self.inner.clock,
            outbox: &self.inner.outbox,
            accounts: self.accounts(),
            network: self.network(),
            spaces: self.spaces(),
        }
    }

    /// Loading the demo network.
    pub fn demo(&self) -> demo::Demo<'_> {
        demo::Demo {
            clock: &*self.inner.clock,
            outbox: &self.inner.outbox,
            accounts: self.accounts(),
            network: self.network(),
            materials: self.materials(),
            events: self.events(),
        }
    }

    /// The notifications' use cases.
    pub fn notifications(&self) -> notifications::Notifications<'_> {
        notifications::Notifications {
            store: &*self.inner.repo,
            hub: &self.inner.hub,
            clock: &*self.inner.clock,
        }
    }

    /// The current time as the domain sees it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Completes an upload ([`materials::Materials::finish_upload_now`]) in a
    /// task of its own: if the caller gives up waiting (a request timeout, a
    /// closed connection), the upload still completes and its version
    /// appears among the material's files.
    #[tracing::instrument(skip_all, fields(upload = %id))]
    pub async fn finish_upload(&self, viewer: &Viewer, id: &UploadId) -> Result<FileVersion> {
        let (app, viewer, id) = (self.clone(), viewer.clone(), id.clone());
        tokio::spawn(async move { app.materials().finish_upload_now(&viewer, &id).await })
            .await
            .map_err(|e| Error::internal(format!("finishing an upload failed: {e}")))?
    }

    /// Readiness of every backend, in a fixed order, for `/readyz`.
    pub async fn readiness(&self) -> Vec<(&'static str, Result<()>)> {
        let (db, objects, search) = tokio::join!(
            self.inner.repo.ping(),
            self.inner.objects.ping(),
            self.inner.search.ping()
        );
        vec![("database", db), ("objects", objects), ("search", search)]
    }
}
