//! What the accounts domain needs of the database.

use crate::accounts::model::{AuditEntry, Email, Role, SessionRecord, User, UserSecret};
use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::kernel::error::Result;
use crate::kernel::id::{CountryCode, SchoolId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets::TokenHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// People's accounts: logins, failed sign-ins and devices, sessions, and
/// the audit trail.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// The persons of these ids that exist, in one round trip.
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>>;

    async fn user(&self, id: &UserId) -> Result<Option<User>>;
    /// The key that signs download links, shared by every process on this
    /// database: `candidate` becomes it if there is none yet.
    async fn link_key(&self, candidate: &str) -> Result<String>;
    /// Finds a person by lower-cased username or e-mail, with what is needed to check a sign-in.
    async fn user_secret_by_login(&self, login: &str) -> Result<Option<UserSecret>>;
    async fn user_secret(&self, id: &UserId) -> Result<Option<UserSecret>>;
    async fn any_user_with_role(&self, role: Role) -> Result<bool>;
    /// The active people who hold `role` in a country (its national coordinators, …).
    async fn active_with_role_in(&self, role: Role, country: &CountryCode) -> Result<Vec<UserId>>;
    /// The active people who hold `role` at a school (its coordinators, …).
    async fn active_with_role_at(&self, role: Role, school: &SchoolId) -> Result<Vec<UserId>>;
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
    /// Audit entries newest first, of one country or of all, of one
    /// action or of all; the cursor of each is its time-ordered key.
    async fn audit_page(
        &self,
        country: Option<&CountryCode>,
        action: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>>;
    /// Stores a new person. `Conflict` if the username or e-mail is taken.
    async fn create_person(
        &self,
        draft: &PersonDraft,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<User>;
    /// Whether a person with this e-mail exists.
    async fn email_in_use(&self, email: &Email) -> Result<bool>;
    /// Whether the people of a school may sign in: not while it is suspended
    /// or withdrawn (a school that is not found takes part).
    async fn school_takes_part(&self, school: &SchoolId) -> Result<bool>;
}
