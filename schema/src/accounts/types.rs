//! GraphQL object types wrapping the domain's types.

use crate::context::UseCases;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// A role in the network. A person holds exactly one.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the platform: countries, national coordinators, mentors.
    PlatformAdmin,
    /// Approves the schools of one country.
    NationalCoordinator,
    /// Runs one school's presence: visit card, teachers, twinning.
    SchoolCoordinator,
    /// Creates spaces, adds own students, moderates, publishes materials.
    Teacher,
    /// A pupil: created by a teacher, no e-mail, visible only to their teachers and spaces.
    Student,
    /// A UNESCO Chair holder who runs live sessions and joins spaces when invited.
    Mentor,
}

impl From<app::Role> for Role {
    fn from(r: app::Role) -> Self {
        match r {
            app::Role::PlatformAdmin => Role::PlatformAdmin,
            app::Role::NationalCoordinator => Role::NationalCoordinator,
            app::Role::SchoolCoordinator => Role::SchoolCoordinator,
            app::Role::Teacher => Role::Teacher,
            app::Role::Student => Role::Student,
            app::Role::Mentor => Role::Mentor,
        }
    }
}

impl From<Role> for app::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::PlatformAdmin => app::Role::PlatformAdmin,
            Role::NationalCoordinator => app::Role::NationalCoordinator,
            Role::SchoolCoordinator => app::Role::SchoolCoordinator,
            Role::Teacher => app::Role::Teacher,
            Role::Student => app::Role::Student,
            Role::Mentor => app::Role::Mentor,
        }
    }
}

/// A person on the platform.
///
/// The second part is who looks, when that is not the request's caller: the
/// person signing in looks at themself in the answer to `login`.
pub struct User(pub app::User, pub Option<Box<app::Viewer>>);

/// A person as the asker may see them; null for anonymous askers and for
/// people they may not see.
pub(crate) async fn visible_user(
    ctx: &Context<'_>,
    id: &app::UserId,
) -> async_graphql::Result<Option<User>> {
    let Some(v) = crate::context::viewer_opt(ctx) else {
        return Ok(None);
    };
    Ok(crate::context::or_none(ctx.people().user(v, id).await)?
        .map(|u| User(u, Some(Box::new(v.clone())))))
}

impl From<app::User> for User {
    fn from(u: app::User) -> Self {
        User(u, None)
    }
}

impl User {
    fn viewer<'c>(&'c self, ctx: &Context<'c>) -> Option<&'c app::Viewer> {
        self.1
            .as_deref()
            .or_else(|| crate::context::viewer_opt(ctx))
    }
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The sign-in name.
    async fn username(&self) -> &str {
        self.0.username.as_str()
    }

    /// The name shown to others.
    async fn display_name(&self) -> &str {
        self.0.display_name.as_str()
    }

    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The e-mail address; only the person themself and platform
    /// administrators see it. Students have none.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.0.email_for(self.viewer(ctx)).map(|e| e.as_str())
    }

    /// False once deactivated: a deactivated person cannot sign in.
    async fn active(&self) -> bool {
        self.0.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The person's school, if they have one and the asker may see it.
    async fn school(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::network::types::School>> {
        let Some(id) = &self.0.school else {
            return Ok(None);
        };
        match ctx.network().school(self.viewer(ctx), id).await {
            Ok(s) => Ok(Some(crate::network::types::School(s))),
            Err(app::Error::NotFound) => Ok(None),
            Err(e) => Err(crate::errors::to_gql(e)),
        }
    }

    /// The country of national coordinators and of schools' people.
    async fn country_code(&self) -> Option<&str> {
        self.0.country.as_ref().map(|c| c.as_str())
    }

    /// A student's class; only for the student, their teachers and administrators.
    async fn class_label(&self, ctx: &Context<'_>) -> Option<&str> {
        let app = crate::context::app(ctx);
        if app.people().sees_class_of(self.viewer(ctx), &self.0) {
            self.0.class_label.as_ref().map(|c| c.as_str())
        } else {
            None
        }
    }

    /// A mentor's university and UNESCO Chair.
    async fn mentor_profile(&self) -> Option<crate::network::types::MentorProfile> {
        self.0.mentor.as_ref().map(Into::into)
    }
}

/// A signed-in session. The token is shown only here, once: send it as
/// `Authorization: Bearer <token>` over HTTP, or as `token` in the WebSocket
/// `connection_init` payload.
pub struct Session(pub app::SignedIn);

#[Object]
impl Session {
    async fn token(&self) -> &str {
        &self.0.token
    }

    async fn user(&self) -> User {
        User(self.0.user.clone(), Some(Box::new(self.0.viewer())))
    }

    /// When the session ends at the latest; it ends earlier after 12 hours
    /// unused, on logout, or when the password changes.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// Keep this on the device and send it with the next `login` from here
    /// (`device`): someone else's failed sign-ins to the account then do not
    /// slow yours down. It proves nothing else and is not a session.
    async fn device(&self) -> Option<&str> {
        self.0.device.as_deref()
    }
}

/// Sign-in details generated by the platform, shown once.
#[derive(SimpleObject)]
pub struct GeneratedCredentials {
    pub login: String,
    pub password: String,
}

/// One entry of the audit trail.
pub struct AuditEntry(pub app::AuditEntry);

#[Object]
impl AuditEntry {
    /// Who acted; null for the platform itself.
    async fn actor(&self) -> Option<ID> {
        self.0.actor.as_ref().map(|a| ID(a.to_string()))
    }

    /// Who acted, as you may see them; null for the platform itself and
    /// for people you may not see.
    async fn actor_user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match &self.0.actor {
            Some(a) => visible_user(ctx, a).await,
            None => Ok(None),
        }
    }

    /// What was done, such as `approve_school`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// What it was done to (an id, or a login for sign-ins).
    async fn target(&self) -> &str {
        &self.0.target
    }

    /// The country concerned, if any.
    async fn country_code(&self) -> Option<&str> {
        self.0.country.as_ref().map(|c| c.as_str())
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The request that did it, to find it in the server's log.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// `ok`, `denied`, or what the act decided.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
}
