//! What the people domain needs of the database.

use crate::accounts::model::{ClassLabel, MentorProfile};
use crate::accounts::model::{DisplayName, Role, User};
use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::kernel::error::Result;
use crate::kernel::id::{InvitationId, SchoolId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets::TokenHash;
use crate::network::model::Invitation;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// People, with where they belong, and invitations to join.
#[async_trait]
pub trait PeopleStore: Send + Sync + 'static {
    /// The class labels in use at a school, sorted.
    async fn class_labels(&self, school: &SchoolId) -> Result<Vec<ClassLabel>>;
    async fn mentors(&self, page: &PageRequest) -> Result<Page<User>>;
    async fn set_display_name(&self, id: &UserId, name: &DisplayName) -> Result<()>;
    async fn set_class_label(&self, id: &UserId, label: &ClassLabel) -> Result<()>;
    async fn set_mentor_profile(&self, id: &UserId, profile: &MentorProfile) -> Result<()>;
    async fn set_role(&self, id: &UserId, role: Role) -> Result<()>;
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
}
