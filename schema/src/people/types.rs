//! GraphQL types of people joining: invitations, and class lists of new
//! students with their first sign-in details.

use async_graphql::{ComplexObject, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::accounts::types::{Role, User};
use crate::network::types::MentorProfileInput;

/// Whom to invite, into which role and place.
#[derive(InputObject)]
pub struct InvitationInput {
    pub role: Role,
    pub email: String,
    /// The name shown to others; the invitee may change it on accepting.
    pub display_name: String,
    /// For school coordinators and teachers.
    pub school_id: Option<ID>,
    /// For national coordinators (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// For mentors.
    pub mentor: Option<MentorProfileInput>,
}

impl InvitationInput {
    pub(crate) fn form(&self) -> app::InvitationForm {
        app::InvitationForm {
            role: self.role.into(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            school: self.school_id.as_ref().map(|s| s.to_string()),
            country: self.country.clone(),
            mentor: self.mentor.as_ref().map(|m| app::MentorForm {
                university: m.university.clone(),
                chair_title: m.chair_title.clone(),
                expertise: m.expertise.clone(),
                languages: m.languages.clone(),
            }),
        }
    }
}

/// An invitation to join the network.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Invitation {
    pub id: ID,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub school_id: Option<ID>,
    pub country_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub open: bool,
}

#[ComplexObject]
impl Invitation {
    /// Whether the code can still be used.
    async fn open(&self) -> bool {
        self.open
    }
}

impl Invitation {
    pub(crate) fn new(i: app::Invitation, now: DateTime<Utc>) -> Self {
        Invitation {
            open: i.is_open(now),
            id: ID(i.id.to_string()),
            role: i.role.into(),
            email: i.email.as_str().to_owned(),
            display_name: i.display_name.as_str().to_owned(),
            school_id: i.school.map(|s| ID(s.to_string())),
            country_code: i.country.map(|c| c.as_str().to_owned()),
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            revoked_at: i.revoked_at,
        }
    }
}

/// A new invitation and its code. The code is shown only here: pass it to
/// the invitee, who accepts with `acceptInvitation`.
#[derive(SimpleObject)]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    pub code: String,
}

/// What an invitation code offers, shown before accepting.
#[derive(SimpleObject)]
pub struct InvitationPreview {
    pub role: Role,
    pub display_name: String,
    pub school_id: Option<ID>,
    /// The school's name in its default language.
    pub school_name: Option<String>,
    pub country_code: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Students to create in one class.
#[derive(InputObject)]
pub struct CreateStudentsInput {
    /// Your own school when not given (administrators must name it).
    pub school_id: Option<ID>,
    /// The class, e.g. "7B".
    pub class_label: String,
    /// One display name per student, e.g. first name and initial.
    pub display_names: Vec<String>,
}

/// A new student and their sign-in details, shown once: print the class list.
pub struct StudentCredentials(pub app::NewStudent);

#[Object]
impl StudentCredentials {
    async fn user(&self) -> User {
        User::from(self.0.user.clone())
    }

    async fn login(&self) -> &str {
        self.0.user.username.as_str()
    }

    async fn password(&self) -> &str {
        &self.0.password
    }
}
