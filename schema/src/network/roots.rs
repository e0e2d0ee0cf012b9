//! Root mutation fields. Each one calls exactly one `app` use case.

use async_graphql::{Context, ID, Object, Result};

use crate::accounts::types::{GeneratedCredentials, Role, Session, User};
use crate::context::{UseCases, app, meta, viewer};
use crate::errors::GqlResult;
use crate::network::types::{
    Country, School, SchoolApplication, SchoolInput, Twinning, VisitCardInput,
};
use crate::people::types::{
    CreateStudentsInput, InvitationInput, IssuedInvitation, StudentCredentials,
};
use crate::relay::{parse_id, parse_id_of};

async fn change_status(
    ctx: &Context<'_>,
    id: &ID,
    to: app::SchoolStatus,
    reason: Option<&str>,
) -> Result<School> {
    let v = viewer(ctx)?;
    ctx.network()
        .change_school_status(v, &parse_id(id)?, to, reason, &meta(ctx))
        .await
        .map(School)
        .gql()
}

fn file_id(id: &ID) -> Result<app::FileId> {
    parse_id_of(id, "fileId", "no such upload")
}

#[derive(Default)]
pub struct NetworkMutation;

#[Object]
impl NetworkMutation {
    /// Signs in with an e-mail address or username. `device`: the
    /// `Session.device` an earlier sign-in on this device returned. After
    /// five failures from one device or network, each further attempt there
    /// waits longer (`RATE_LIMITED`, at most 15 minutes); devices the account
    /// signed in on before are not slowed by failures elsewhere.
    async fn login(
        &self,
        ctx: &Context<'_>,
        login: String,
        password: String,
        device: Option<String>,
    ) -> Result<Session> {
        ctx.accounts()
            .login(&login, &password, device.as_deref(), &meta(ctx))
            .await
            .map(Session)
            .gql()
    }

    /// Ends this session; its open sockets close.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.accounts().logout(v).await.gql()?;
        Ok(true)
    }

    /// Changes your password. All your sessions end, on every device; the
    /// returned session replaces this one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<Session> {
        let v = viewer(ctx)?;
        ctx.accounts()
            .change_password(v, &current_password, &new_password, &meta(ctx))
            .await
            .map(Session)
            .gql()
    }

    /// Sets a new generated password for someone and lifts a sign-in lock:
    /// administrators for anyone, national coordinators for their country's
    /// school coordinators and teachers, school coordinators for their teachers and students,
    /// teachers for their school's students. Their sessions end.
    async fn reset_password(&self, ctx: &Context<'_>, user_id: ID) -> Result<GeneratedCredentials> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&user_id)?;
        let c = ctx
            .people()
            .reset_password(v, &id, &meta(ctx))
            .await
            .gql()?;
        Ok(GeneratedCredentials {
            login: c.login,
            password: c.password,
        })
    }

    /// Stops someone from signing in and ends their sessions (who may: as
    /// for `resetPassword`).
    async fn deactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&id)?;
        ctx.people()
            .deactivate_user(v, &id, &meta(ctx))
            .await
            .map(User::from)
            .gql()
    }

    /// Lets a deactivated person sign in again (who may: as for `resetPassword`).
    async fn reactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&id)?;
        ctx.people()
            .reactivate_user(v, &id, &meta(ctx))
            .await
            .map(User::from)
            .gql()
    }

    /// Adds a country to the network (platform administrators).
    async fn add_country(
        &self,
        ctx: &Context<'_>,
        code: String,
        name: String,
        native_name: String,
    ) -> Result<Country> {
        let v = viewer(ctx)?;
        let c = ctx
            .network()
            .add_country(v, &code, &name, &native_name, &meta(ctx))
            .await
            .gql()?;
        Ok(Country {
            country: c,
            school_count: Some(0),
        })
    }

    /// Applies for a school to join the network; no sign-in needed. The
    /// school waits as `APPLIED` for its national coordinator, who answers
    /// through the contact e-mail given.
    async fn apply_school(
        &self,
        ctx: &Context<'_>,
        input: SchoolInput,
    ) -> Result<SchoolApplication> {
        let s = ctx
            .network()
            .apply_school(&input.form(), &meta(ctx))
            .await
            .gql()?;
        Ok(SchoolApplication {
            id: ID(s.id.to_string()),
            status: s.status.into(),
            submitted_at: s.created_at,
        })
    }

    /// Registers a school of your country directly, approved at once
    /// (national coordinators and administrators).
    async fn register_school(&self, ctx: &Context<'_>, input: SchoolInput) -> Result<School> {
        let v = viewer(ctx)?;
        ctx.network()
            .register_school(v, &input.form(), &meta(ctx))
            .await
            .map(School)
            .gql()
    }

    /// Approves an applied, rejected or suspended school (its national
    /// coordinator or an administrator).
    async fn approve_school(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<School> {
        change_status(ctx, &id, app::SchoolStatus::Approved, reason.as_deref()).await
    }

    /// Rejects an application, saying why.
    async fn reject_school(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<School> {
        change_status(ctx, &id, app::SchoolStatus::Rejected, Some(&reason)).await
    }

    /// Suspends an approved school, saying why; approving it again lifts it.
    async fn suspend_school(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<School> {
        change_status(ctx, &id, app::SchoolStatus::Suspended, Some(&reason)).await
    }

    /// Records that a school left the network, for good.
    async fn withdraw_school(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<School> {
        change_status(ctx, &id, app::SchoolStatus::Withdrawn, reason.as_deref()).await
    }

    /// Edits a school's facts (its coordinator, national coordinator or an
    /// administrator). The country cannot change.
    async fn update_school(&self, ctx: &Context<'_>, id: ID, input: SchoolInput) -> Result<School> {
        let v = viewer(ctx)?;
        ctx.network()
            .update_school(v, &parse_id(&id)?, &input.form(), &meta(ctx))
            .await
            .map(School)
            .gql()
    }

    /// Edits a visit card's texts and visibility (the school coordinator or an administrator).
    async fn update_visit_card(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        input: VisitCardInput,
    ) -> Result<School> {
        let v = viewer(ctx)?;
        ctx.network()
            .update_visit_card(v, &parse_id(&school_id)?, &input.edit(), &meta(ctx))
            .await
            .map(School)
            .gql()
    }

    /// Puts an uploaded image on a visit card (upload it first with `POST /files`).
    async fn add_school_photo(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        file_id: ID,
        caption: Option<String>,
        #[graphql(desc = "What the photo shows, for those who cannot see it.")] alt: Option<String>,
    ) -> Result<School> {
        let v = viewer(ctx)?;
        ctx.network()
            .add_school_photo(
                v,
                &parse_id(&school_id)?,
                &self::file_id(&file_id)?,
                caption.as_deref(),
                alt.as_deref(),
                &meta(ctx),
            )
            .await
            .map(School)
            .gql()
    }

    /// Changes a photo of a visit card: its caption and text alternative
    /// (left out: kept; empty: removed) and its place among the photos
    /// (`position` 0 is first; past the end is last).
    async fn update_school_photo(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        file_id: ID,
        caption: Option<String>,
        alt: Option<String>,
        position: Option<i32>,
    ) -> Result<School> {
        let v = viewer(ctx)?;
        let change = app::PhotoChange {
            caption: caption.as_deref(),
            alt: alt.as_deref(),
            position,
        };
        ctx.network()
            .update_school_photo(
                v,
                &parse_id(&school_id)?,
                &self::file_id(&file_id)?,
                change,
                &meta(ctx),
            )
            .await
            .map(School)
            .gql()
    }

    /// Takes a photo off a visit card.
    async fn remove_school_photo(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        file_id: ID,
    ) -> Result<School> {
        let v = viewer(ctx)?;
        ctx.network()
            .remove_school_photo(
                v,
                &parse_id(&school_id)?,
                &self::file_id(&file_id)?,
                &meta(ctx),
            )
            .await
            .map(School)
            .gql()
    }

    /// Sets the visit card's presentation (an uploaded PDF, .pptx or .odp);
    /// without `fileId` it removes it.
    async fn set_school_presentation(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        file_id: Option<ID>,
    ) -> Result<School> {
        let v = viewer(ctx)?;
        let file = file_id.as_ref().map(self::file_id).transpose()?;
        ctx.network()
            .set_school_presentation(v, &parse_id(&school_id)?, file.as_ref(), &meta(ctx))
            .await
            .map(School)
            .gql()
    }

    /// Invites someone: administrators invite national coordinators, mentors
    /// and administrators; national coordinators invite school coordinators;
    /// school coordinators invite teachers. The code is valid for 14 days and
    /// once.
    async fn invite_person(
        &self,
        ctx: &Context<'_>,
        input: InvitationInput,
    ) -> Result<IssuedInvitation> {
        let v = viewer(ctx)?;
        let issued = ctx
            .people()
            .invite_person(v, &input.form(), &meta(ctx))
            .await
            .gql()?;
        Ok(IssuedInvitation {
            invitation: crate::people::types::Invitation::new(issued.invitation, app(ctx).now()),
            code: issued.code,
        })
    }

    /// Withdraws an unused invitation you sent.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<crate::people::types::Invitation> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::InvitationId>(&id)?;
        let inv = ctx
            .people()
            .revoke_invitation(v, &id, &meta(ctx))
            .await
            .gql()?;
        Ok(crate::people::types::Invitation::new(inv, app(ctx).now()))
    }

    /// Accepts an invitation: choose a username and password, and you are signed in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        code: String,
        username: String,
        password: String,
        display_name: Option<String>,
    ) -> Result<Session> {
        ctx.people()
            .accept_invitation(
                &code,
                &username,
                &password,
                display_name.as_deref(),
                &meta(ctx),
            )
            .await
            .map(Session)
            .gql()
    }

    /// Creates student accounts in one class from a list of names (teachers
    /// and school coordinators, for their school). Usernames and passwords
    /// are generated and shown only in this answer: print the class list.
    async fn create_students(
        &self,
        ctx: &Context<'_>,
        input: CreateStudentsInput,
    ) -> Result<Vec<StudentCredentials>> {
        let v = viewer(ctx)?;
        let created = ctx
            .people()
            .create_students(
                v,
                input.school_id.as_ref().map(|s| s.as_str()),
                &input.class_label,
                &input.display_names,
                &meta(ctx),
            )
            .await
            .gql()?;
        Ok(created.into_iter().map(StudentCredentials).collect())
    }

    /// Renames a student or moves them to another class (their teachers).
    async fn update_student(
        &self,
        ctx: &Context<'_>,
        id: ID,
        display_name: Option<String>,
        class_label: Option<String>,
    ) -> Result<User> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&id)?;
        ctx.people()
            .update_student(
                v,
                &id,
                display_name.as_deref(),
                class_label.as_deref(),
                &meta(ctx),
            )
            .await
            .map(User::from)
            .gql()
    }

    /// Changes your display name, and a mentor's profile (adults; students'
    /// names are their teachers' to change).
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        display_name: Option<String>,
        mentor: Option<crate::network::types::MentorProfileInput>,
    ) -> Result<User> {
        let v = viewer(ctx)?;
        let mentor = mentor.map(|m| app::MentorForm {
            university: m.university,
            chair_title: m.chair_title,
            expertise: m.expertise,
            languages: m.languages,
        });
        ctx.people()
            .update_my_profile(v, display_name.as_deref(), mentor.as_ref())
            .await
            .map(User::from)
            .gql()
    }

    /// Makes a teacher school coordinator, or the reverse (their national
    /// coordinator or an administrator). Their sessions end.
    async fn change_role(&self, ctx: &Context<'_>, user_id: ID, role: Role) -> Result<User> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&user_id)?;
        ctx.people()
            .change_role(v, &id, role.into(), &meta(ctx))
            .await
            .map(User::from)
            .gql()
    }

    /// Proposes that your school twin with another approved school (school
    /// coordinators; administrators for any school). The partner's
    /// coordinator answers.
    async fn propose_twinning(
        &self,
        ctx: &Context<'_>,
        school_id: ID,
        partner_id: ID,
        message: Option<String>,
    ) -> Result<Twinning> {
        let v = viewer(ctx)?;
        let partner = parse_id_of::<app::SchoolId>(&partner_id, "partnerId", "no such school")?;
        ctx.network()
            .propose_twinning(
                v,
                &parse_id(&school_id)?,
                &partner,
                message.as_deref(),
                &meta(ctx),
            )
            .await
            .map(Twinning)
            .gql()
    }

    /// Accepts a twinning proposed to your school (its coordinator).
    async fn accept_twinning(&self, ctx: &Context<'_>, id: ID) -> Result<Twinning> {
        self.decide(ctx, &id, app::TwinningStatus::Accepted).await
    }

    /// Declines a twinning proposed to your school (its coordinator).
    async fn decline_twinning(&self, ctx: &Context<'_>, id: ID) -> Result<Twinning> {
        self.decide(ctx, &id, app::TwinningStatus::Declined).await
    }

    /// Ends a twinning, or withdraws a proposal (either school's coordinator).
    async fn end_twinning(&self, ctx: &Context<'_>, id: ID) -> Result<Twinning> {
        self.decide(ctx, &id, app::TwinningStatus::Ended).await
    }
}

impl NetworkMutation {
    async fn decide(
        &self,
        ctx: &Context<'_>,
        id: &ID,
        to: app::TwinningStatus,
    ) -> Result<Twinning> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::TwinningId>(id)?;
        ctx.network()
            .decide_twinning(v, &id, to, &meta(ctx))
            .await
            .map(Twinning)
            .gql()
    }
}
