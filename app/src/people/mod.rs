//! People of the network: invitations and their acceptance, students created
//! by their teachers, role changes, and the people directory.
//!
//! Invitation codes are shown once, to the inviter, who passes them on (the
//! platform sends no e-mail yet); only their SHA-256 is stored. Students are
//! minors: display name, school and class label only, generated usernames
//! and passwords shown once on a printable class list.

pub(crate) mod policy;
pub mod port;

use crate::accounts::Credentials;
use crate::accounts::model::{ClassLabel, MentorProfile};
use crate::accounts::model::{
    DisplayName, Email, NewPassword, RequestMeta, Role, User, Username, Viewer,
};
use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, InvitationId, SchoolId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::secrets;
use crate::network::model::{Invitation, PeopleQuery, School, SchoolStatus};

/// How long an invitation code stays valid.
pub const INVITATION_VALID_FOR: chrono::Duration = chrono::Duration::days(14);
/// At most this many students in one bulk creation.
pub const MAX_STUDENTS_AT_ONCE: usize = 200;

/// What an inviter fills in.
#[derive(Debug, Clone)]
pub struct InvitationForm {
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub school: Option<String>,
    pub country: Option<String>,
    pub mentor: Option<MentorForm>,
}

#[derive(Debug, Clone)]
pub struct MentorForm {
    pub university: String,
    pub chair_title: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
}

/// A new invitation with its code, which is shown only now.
#[derive(Debug, Clone)]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    pub code: String,
}

/// A student created in bulk, with their generated sign-in details.
#[derive(Debug, Clone)]
pub struct NewStudent {
    pub user: User,
    pub password: String,
}

/// A username a child can type: the transliterated first name, the initial of
/// the second word, and digits.
fn student_username(display_name: &str, digits: u32) -> Username {
    use rand::Rng;
    let latin = deunicode::deunicode(display_name).to_lowercase();
    let mut words = latin
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let first: String = words.next().unwrap_or("pupil").chars().take(12).collect();
    let initial: String = words
        .next()
        .map(|w| w.chars().take(1).collect())
        .unwrap_or_default();
    let n = rand::rng().random_range(10u32.pow(digits - 1)..10u32.pow(digits));
    let mut name = format!("{first}{initial}{n}");
    if name.len() < 3 {
        name = format!("pupil{n}");
    }
    Username::parse(&name).unwrap_or_else(|_| {
        Username::parse(&format!("pupil{n}")).expect("a plain name with digits is a valid username")
    })
}

/// The people's use cases: invitations, class lists of students, profiles,
/// roles, resets and deactivation, over the people's port, the accounts
/// below them and the network they belong to.
#[derive(Clone, Copy)]
pub struct People<'a> {
    pub(crate) store: &'a dyn port::PeopleStore,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
}

impl People<'_> {
    /// Invites someone into a role; who may invite whom is in `policy::invites`.
    #[tracing::instrument(skip_all, fields(role = form.role.as_str()))]
    pub async fn invite_person(
        &self,
        viewer: &Viewer,
        form: &InvitationForm,
        meta: &RequestMeta,
    ) -> Result<IssuedInvitation> {
        let v = Some(viewer);
        if form.role.is_student() {
            return Err(Error::invalid(
                "role",
                "students are not invited: their teacher creates their accounts",
            ));
        }
        let email = Email::parse(&form.email)?;
        let display_name = DisplayName::parse(&form.display_name)?;
        let school = match form.role {
            Role::SchoolCoordinator | Role::Teacher => {
                let id = form
                    .school
                    .as_deref()
                    .ok_or_else(|| Error::invalid("schoolId", "name the school"))?;
                Some(self.network.school(v, &SchoolId::parse(id)?).await?)
            }
            _ => None,
        };
        if !policy::invites(v, form.role, school.as_ref()) {
            let target = school.as_ref().map_or("", |s| s.id.as_str());
            let country = school.as_ref().map(|s| &s.facts.country);
            return Err(self
                .accounts
                .deny(viewer, "invite_person", target, country, meta)
                .await);
        }
        if let Some(s) = &school
            && s.status != SchoolStatus::Approved
        {
            return Err(Error::invalid(
                "schoolId",
                "people can join a school once it is approved",
            ));
        }
        let country = match (form.role, &school) {
            (_, Some(s)) => Some(s.facts.country.clone()),
            (Role::NationalCoordinator, None) => {
                let code = form
                    .country
                    .as_deref()
                    .ok_or_else(|| Error::invalid("country", "name the country"))?;
                let code = CountryCode::parse(code)?;
                self.network.known_country(&code).await?;
                Some(code)
            }
            _ => None,
        };
        let mentor = match form.role {
            Role::Mentor => {
                let m = form.mentor.as_ref().ok_or_else(|| {
                    Error::invalid("mentor", "give the mentor's university and UNESCO Chair")
                })?;
                Some(MentorProfile::parse(
                    &m.university,
                    &m.chair_title,
                    &m.expertise,
                    &m.languages,
                )?)
            }
            _ => None,
        };
        if self.accounts.store.email_in_use(&email).await? {
            return Err(Error::Conflict(
                "someone with this e-mail address already has an account".into(),
            ));
        }
        let now = self.clock.now();
        let invitation = Invitation {
            id: InvitationId::generate(),
            role: form.role,
            email,
            display_name,
            school: school.as_ref().map(|s| s.id.clone()),
            country,
            mentor,
            invited_by: viewer.user.id.clone(),
            created_at: now,
            expires_at: now + INVITATION_VALID_FOR,
            accepted_at: None,
            revoked_at: None,
        };
        let code = secrets::new_invitation_code();
        self.store
            .create_invitation(&invitation, &secrets::token_hash(&code))
            .await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "invite_person",
                invitation.id.as_str(),
                invitation.country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        Ok(IssuedInvitation { invitation, code })
    }

    /// What an invitation code offers, for its accept page; `NotFound` when
    /// the code is unknown, used, revoked or expired.
    pub async fn invitation_by_code(&self, code: &str) -> Result<Invitation> {
        if code.is_empty() || code.len() > 128 {
            return Err(Error::NotFound);
        }
        let inv = self
            .store
            .invitation_by_code(&secrets::token_hash(code))
            .await?
            .ok_or(Error::NotFound)?;
        if inv.is_open(self.clock.now()) {
            Ok(inv)
        } else {
            Err(Error::NotFound)
        }
    }

    /// Accepts an invitation: the new person chooses a username and password
    /// and is signed in.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(
        &self,
        code: &str,
        username: &str,
        new_password: &str,
        display_name: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<crate::SignedIn> {
        let inv = self.invitation_by_code(code).await?;
        let username = Username::parse(username)?;
        let pw = NewPassword::parse(new_password, inv.role)?;
        let display_name = match display_name.filter(|d| !d.trim().is_empty()) {
            Some(d) => DisplayName::parse(d)?,
            None => inv.display_name.clone(),
        };
        let draft = PersonDraft {
            username,
            email: Some(inv.email.clone()),
            display_name,
            role: inv.role,
            school: inv.school.clone(),
            country: inv.country.clone(),
            class_label: None,
            mentor: inv.mentor.clone(),
        };
        let hash = self.accounts.hash_password(&pw).await?;
        let user = self
            .store
            .accept_invitation(&inv.id, &draft, &hash, self.clock.now())
            .await?;
        self.accounts
            .audit_in(
                Some(&user.id),
                "accept_invitation",
                inv.id.as_str(),
                inv.country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        self.accounts.open_session(user).await
    }

    /// The name of the school an invitation is for, shown on its accept page.
    pub async fn school_name_for_invitation(&self, id: &SchoolId) -> Result<Option<String>> {
        Ok(self
            .network
            .store
            .school(id)
            .await?
            .map(|s| s.facts.name.get(None).to_owned()))
    }

    /// Withdraws an unused invitation: its inviter or an administrator.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_invitation(
        &self,
        viewer: &Viewer,
        id: &InvitationId,
        meta: &RequestMeta,
    ) -> Result<Invitation> {
        let mut inv = self.store.invitation(id).await?.ok_or(Error::NotFound)?;
        let v = Some(viewer);
        if inv.invited_by != viewer.user.id && !policy::is_admin(v) {
            return Err(Error::NotFound);
        }
        if inv.accepted_at.is_some() {
            return Err(Error::Conflict(
                "this invitation was already accepted".into(),
            ));
        }
        if inv.revoked_at.is_none() {
            let now = self.clock.now();
            self.store.revoke_invitation(id, now).await?;
            inv.revoked_at = Some(now);
            self.accounts
                .audit_in(
                    Some(&viewer.user.id),
                    "revoke_invitation",
                    id.as_str(),
                    inv.country.as_ref(),
                    meta,
                    "ok",
                )
                .await?;
        }
        Ok(inv)
    }

    /// The invitations the asker sent, newest first.
    pub async fn my_invitations(
        &self,
        viewer: &Viewer,
        page: &PageRequest,
    ) -> Result<Page<Invitation>> {
        self.store.invitations_by(&viewer.user.id, page).await
    }

    /// A teacher (or the school coordinator) creates students in one class
    /// from a list of display names. Usernames and passwords are generated
    /// and returned once. Administrators name the school.
    #[tracing::instrument(skip_all, fields(count = display_names.len()))]
    pub async fn create_students(
        &self,
        viewer: &Viewer,
        school: Option<&str>,
        class_label: &str,
        display_names: &[String],
        meta: &RequestMeta,
    ) -> Result<Vec<NewStudent>> {
        let v = Some(viewer);
        let school_id = match school {
            Some(s) => SchoolId::parse(s)?,
            None => viewer
                .user
                .school
                .clone()
                .ok_or_else(|| Error::invalid("schoolId", "name the school"))?,
        };
        let school = self.network.school(v, &school_id).await?;
        if !(policy::teaches_at(v, &school.id) || policy::is_admin(v)) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    "create_students",
                    school.id.as_str(),
                    Some(&school.facts.country),
                    meta,
                )
                .await);
        }
        if school.status != SchoolStatus::Approved {
            return Err(Error::invalid(
                "schoolId",
                "students can be added once the school is approved",
            ));
        }
        let class_label = ClassLabel::parse(class_label)?;
        if display_names.is_empty() || display_names.len() > MAX_STUDENTS_AT_ONCE {
            return Err(Error::invalid(
                "displayNames",
                format!("give 1 to {MAX_STUDENTS_AT_ONCE} names"),
            ));
        }
        let names = display_names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                DisplayName::parse(n).map_err(|_| {
                    Error::invalid(
                        "displayNames",
                        format!(
                            "name {} is empty, too long or has control characters",
                            i + 1
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;

        // Hash on the blocking pool, one per core at a time: the slow part of a class list.
        let passwords: Vec<String> = names.iter().map(|_| secrets::student_password()).collect();
        let hashes = futures::future::try_join_all(
            passwords
                .iter()
                .map(|p| self.accounts.hash_generated(p.clone())),
        )
        .await?;

        let mut created = Vec::with_capacity(names.len());
        for ((name, pw), hash) in names.into_iter().zip(passwords).zip(hashes) {
            let user = self
                .create_with_fresh_username(
                    PersonDraft {
                        username: student_username(name.as_str(), 2),
                        email: None,
                        display_name: name,
                        role: Role::Student,
                        school: Some(school.id.clone()),
                        country: Some(school.facts.country.clone()),
                        class_label: Some(class_label.clone()),
                        mentor: None,
                    },
                    &PasswordHash(hash),
                )
                .await?;
            self.accounts
                .audit_in(
                    Some(&viewer.user.id),
                    "create_student",
                    user.id.as_str(),
                    Some(&school.facts.country),
                    meta,
                    "ok",
                )
                .await?;
            created.push(NewStudent { user, password: pw });
        }
        Ok(created)
    }

    /// Stores a person, drawing a new username while the one drawn is taken.
    async fn create_with_fresh_username(
        &self,
        mut draft: PersonDraft,
        hash: &PasswordHash,
    ) -> Result<User> {
        for attempt in 0..12u32 {
            match self
                .accounts
                .store
                .create_person(&draft, hash, self.clock.now())
                .await
            {
                Err(Error::Conflict(_)) => {
                    draft.username = student_username(draft.display_name.as_str(), 2 + attempt / 3);
                }
                other => return other,
            }
        }
        Err(Error::internal("no free username after 12 attempts"))
    }

    /// A student's teacher renames them or moves them to another class.
    #[tracing::instrument(skip_all)]
    pub async fn update_student(
        &self,
        viewer: &Viewer,
        id: &UserId,
        display_name: Option<&str>,
        class_label: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<User> {
        let mut target = self.user(viewer, id).await?;
        let country = target.country.clone();
        if !target.role.is_student() {
            return Err(Error::invalid("id", "only students are edited here"));
        }
        if !policy::manages_person(Some(viewer), &target) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    "update_student",
                    id.as_str(),
                    country.as_ref(),
                    meta,
                )
                .await);
        }
        if let Some(n) = display_name {
            let n = DisplayName::parse(n)?;
            self.store.set_display_name(id, &n).await?;
            target.display_name = n;
        }
        if let Some(c) = class_label {
            let c = ClassLabel::parse(c)?;
            self.store.set_class_label(id, &c).await?;
            target.class_label = Some(c);
        }
        self.accounts.forget_cached_user(id);
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "update_student",
                id.as_str(),
                country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        Ok(target)
    }

    /// An adult changes their own display name, and a mentor their profile.
    /// Students' names are their teachers' to change.
    #[tracing::instrument(skip_all)]
    pub async fn update_my_profile(
        &self,
        viewer: &Viewer,
        display_name: Option<&str>,
        mentor: Option<&MentorForm>,
    ) -> Result<User> {
        let mut me = self
            .accounts
            .store
            .user(&viewer.user.id)
            .await?
            .ok_or(Error::NotFound)?;
        if me.role.is_student() {
            return Err(Error::Forbidden);
        }
        let name = display_name.map(DisplayName::parse).transpose()?;
        let profile = match mentor {
            Some(_) if !me.role.is_mentor() => {
                return Err(Error::invalid(
                    "mentor",
                    "only mentors have a mentor profile",
                ));
            }
            Some(m) => Some(MentorProfile::parse(
                &m.university,
                &m.chair_title,
                &m.expertise,
                &m.languages,
            )?),
            None => None,
        };
        if let Some(n) = name {
            self.store.set_display_name(&me.id, &n).await?;
            me.display_name = n;
        }
        if let Some(p) = profile {
            self.store.set_mentor_profile(&me.id, &p).await?;
            me.mentor = Some(p);
        }
        self.accounts.forget_cached_user(&me.id);
        Ok(me)
    }

    /// Switches a person between teacher and school coordinator. Their
    /// sessions end, so that every device picks up the new role.
    #[tracing::instrument(skip_all)]
    pub async fn change_role(
        &self,
        viewer: &Viewer,
        id: &UserId,
        role: Role,
        meta: &RequestMeta,
    ) -> Result<User> {
        let mut target = self.user(viewer, id).await?;
        let country = target.country.clone();
        if !policy::changes_staff_role(Some(viewer), &target) {
            return Err(self
                .accounts
                .deny(viewer, "change_role", id.as_str(), country.as_ref(), meta)
                .await);
        }
        if !role.is_school_staff() {
            return Err(Error::invalid(
                "role",
                "a teacher can become school coordinator and back; other roles come by invitation",
            ));
        }
        if target.role != role {
            self.store.set_role(id, role).await?;
            self.accounts.end_all_sessions(id).await?;
            target.role = role;
        }
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "change_role",
                id.as_str(),
                country.as_ref(),
                meta,
                role.as_str(),
            )
            .await?;
        Ok(target)
    }

    /// The people of a school the asker may see, optionally of some roles
    /// and one class, by name.
    pub async fn people_of_school(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
        roles: Option<&[Role]>,
        class_label: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<User>> {
        let visible = policy::visible_roles_of_school(viewer, &school.id);
        let roles: Vec<Role> = match roles {
            Some(wanted) => visible.into_iter().filter(|r| wanted.contains(r)).collect(),
            None => visible,
        };
        if roles.is_empty() {
            return Ok(Page {
                items: vec![],
                has_next: false,
            });
        }
        let q = PeopleQuery {
            school: school.id.clone(),
            roles,
            class_label: class_label.map(ClassLabel::parse).transpose()?,
            page,
        };
        self.network.store.people_of_school(&q).await
    }

    /// The classes of a school, for its teachers and administrators; `None` for others.
    pub async fn class_labels(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
    ) -> Result<Option<Vec<ClassLabel>>> {
        if policy::teaches_at(viewer, &school.id) || policy::is_admin(viewer) {
            self.store.class_labels(&school.id).await.map(Some)
        } else {
            Ok(None)
        }
    }

    /// The mentors of the network, for everyone signed in.
    pub async fn mentors(&self, _viewer: &Viewer, page: &PageRequest) -> Result<Page<User>> {
        self.store.mentors(page).await
    }

    /// Whether the asker may see the class of a student: the student, their
    /// teachers and administrators.
    pub fn sees_class_of(&self, viewer: Option<&Viewer>, target: &User) -> bool {
        let Some(v) = viewer else { return false };
        v.user.id == target.id
            || policy::is_admin(viewer)
            || target
                .school
                .as_ref()
                .is_some_and(|s| policy::teaches_at(viewer, s))
    }

    /// Whether the asker may know `target` exists (for fields that point to people).
    pub fn sees_person(&self, viewer: Option<&Viewer>, target: &User) -> bool {
        policy::sees_person(viewer, target)
    }
}

impl People<'_> {
    /// The person `id` if the asker may manage them (see
    /// `policy::manages_person`): `NotFound` when they may not even see them,
    /// `Forbidden` (and an audit entry) when they see but may not manage.
    async fn managed_person(
        &self,
        viewer: &Viewer,
        id: &UserId,
        action: &str,
        meta: &RequestMeta,
    ) -> Result<User> {
        let target = self.user(viewer, id).await?;
        if !policy::manages_person(Some(viewer), &target) {
            return Err(self
                .accounts
                .deny(viewer, action, id.as_str(), target.country.as_ref(), meta)
                .await);
        }
        Ok(target)
    }

    /// Sets a new generated password for someone and lifts a sign-in lock:
    /// administrators for anyone, national coordinators for their country's
    /// school coordinators and teachers, school coordinators for their
    /// teachers and students,
    /// teachers for their school's students. Shown once.
    #[tracing::instrument(skip_all, fields(actor = %viewer.user.id))]
    pub async fn reset_password(
        &self,
        viewer: &Viewer,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<Credentials> {
        let target = self
            .managed_person(viewer, id, "reset_password", meta)
            .await?;
        let password = self.accounts.give_new_password(id, target.role).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "reset_password",
                id.as_str(),
                target.country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        Ok(Credentials {
            login: target.username.as_str().to_owned(),
            password,
        })
    }

    /// Stops someone from signing in; their sessions and sockets end now.
    /// Who may: as for [`App::reset_password`].
    #[tracing::instrument(skip_all, fields(actor = %viewer.user.id))]
    pub async fn deactivate_user(
        &self,
        viewer: &Viewer,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<User> {
        if *id == viewer.user.id {
            return Err(Error::invalid("id", "you cannot deactivate yourself"));
        }
        let mut user = self
            .managed_person(viewer, id, "deactivate_user", meta)
            .await?;
        self.accounts.store.set_user_active(id, false).await?;
        self.accounts.end_all_sessions(id).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "deactivate_user",
                id.as_str(),
                user.country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        user.active = false;
        Ok(user)
    }

    /// Lets a deactivated person sign in again. Who may: as for [`App::reset_password`].
    #[tracing::instrument(skip_all, fields(actor = %viewer.user.id))]
    pub async fn reactivate_user(
        &self,
        viewer: &Viewer,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<User> {
        let mut user = self
            .managed_person(viewer, id, "reactivate_user", meta)
            .await?;
        self.accounts.store.set_user_active(id, true).await?;
        self.accounts.forget_cached_user(id);
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "reactivate_user",
                id.as_str(),
                user.country.as_ref(),
                meta,
                "ok",
            )
            .await?;
        user.active = true;
        Ok(user)
    }

    /// A person as the viewer may see them (see `policy::sees_person`);
    /// others read as not found.
    pub async fn user(&self, viewer: &Viewer, id: &UserId) -> Result<User> {
        let user = self.accounts.store.user(id).await?.ok_or(Error::NotFound)?;
        if policy::sees_person(Some(viewer), &user) {
            Ok(user)
        } else {
            Err(Error::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_usernames_are_typeable_transliterations() {
        let u = student_username("Анна Петрова", 2);
        assert!(u.as_str().starts_with("annap"), "{}", u.as_str());
        assert_eq!(u.as_str().len(), "annap".len() + 2);
        let u = student_username("Արամ Գ.", 2);
        assert!(u.as_str().starts_with("aramg"), "{}", u.as_str());
        let u = student_username("🙂", 3);
        assert!(
            u.as_str().starts_with("pupil") || u.as_str().len() >= 3,
            "{}",
            u.as_str()
        );
        let p = secrets::student_password();
        assert_eq!(p.len(), 8);
        assert!(!p.contains(['0', 'o', '1', 'l', 'i']));
    }
}
