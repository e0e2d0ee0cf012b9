//! The ports: what the domain needs from its backends.
//!
//! `store` implements [`Repository`] (SurrealDB) and [`ObjectStorage`]
//! (object_store); `search` implements [`SearchIndex`]. The domain never names
//! a backend technology. Errors come back as [`crate::Error`], with backend
//! details only inside [`crate::Error::Internal`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::*;

#[async_trait]
pub trait Repository: Send + Sync + 'static {
    /// A cheap round trip proving the database answers.
    async fn ping(&self) -> Result<()>;

    /// Stores a new person. `Conflict` if the username or e-mail is taken.
    async fn create_user(&self, new: NewUser) -> Result<User>;
    async fn user(&self, id: &UserId) -> Result<Option<User>>;
    /// Finds a person by lower-cased username or e-mail, with what is needed to check a sign-in.
    async fn user_secret_by_login(&self, login: &str) -> Result<Option<UserSecret>>;
    async fn user_secret(&self, id: &UserId) -> Result<Option<UserSecret>>;
    async fn any_user_with_role(&self, role: Role) -> Result<bool>;
    /// Counts a failed sign-in and returns the new count.
    async fn record_login_failure(&self, id: &UserId, at: DateTime<Utc>) -> Result<u32>;
    async fn clear_login_failures(&self, id: &UserId) -> Result<()>;
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
    /// The newest audit entries first; for administrators and tests.
    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>>;
}

#[async_trait]
pub trait ObjectStorage: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;
}

#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;
}
