//! People, with where they belong, and invitations: the people port.

use app::ports::PeopleStore;
use async_trait::async_trait;
use surrealdb::types::SurrealValue;

use crate::accounts::{PERSON_FIELDS, PersonRow, mentor_from_json, mentor_to_json};
use crate::accounts::{new_person_row, person_from_draft, person_sort_key};
use crate::database::Database;
use crate::database::internal;
use crate::query::{all_errors, exec, page_of};
use app::{
    ClassLabel, CountryCode, DisplayName, Invitation, MentorProfile, Page, PageRequest,
    PasswordHash, PersonDraft, Result, Role, TokenHash, User,
};
use app::{Email, Error, InvitationId, SchoolId, UserId};
use chrono::{DateTime, Utc};

#[async_trait]
impl PeopleStore for Database {
    async fn class_labels(&self, school: &SchoolId) -> Result<Vec<ClassLabel>> {
        let labels: Vec<Option<String>> = self
            .db
            .query("RETURN array::distinct((SELECT VALUE class_label FROM user WHERE school = $school AND role = 'student'))")
            .bind(("school", school.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let mut labels: Vec<ClassLabel> = labels
            .into_iter()
            .flatten()
            .map(ClassLabel::from_trusted)
            .collect();
        labels.sort();
        labels.dedup();
        Ok(labels)
    }

    async fn mentors(&self, page: &PageRequest) -> Result<Page<User>> {
        let after = if page.after.is_some() {
            "AND sort_key > $after"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {PERSON_FIELDS} FROM user WHERE role = 'mentor' AND active = true {after} ORDER BY sort_key LIMIT $limit"
        );
        let rows: Vec<PersonRow> = self
            .db
            .query(sql)
            .bind(("after", page.after.clone()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        self.people_page(rows, page.limit)
    }

    async fn set_display_name(&self, id: &UserId, name: &DisplayName) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET display_name = $name, sort_key = $key RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("name", name.as_str().to_owned()))
                .bind(("key", person_sort_key(name, id))),
        )
        .await
    }

    async fn set_class_label(&self, id: &UserId, label: &ClassLabel) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET class_label = $label RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("label", label.as_str().to_owned())),
        )
        .await
    }

    async fn set_mentor_profile(&self, id: &UserId, profile: &MentorProfile) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET mentor = $mentor RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("mentor", mentor_to_json(profile))),
        )
        .await
    }

    async fn set_role(&self, id: &UserId, role: Role) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET role = $role RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("role", role.as_str())),
        )
        .await
    }

    async fn create_invitation(&self, inv: &Invitation, code_hash: &TokenHash) -> Result<()> {
        let row = InvitationContent {
            code_hash: code_hash.0.clone(),
            role: inv.role.as_str().to_owned(),
            email: inv.email.as_str().to_owned(),
            display_name: inv.display_name.as_str().to_owned(),
            school: inv.school.as_ref().map(|s| s.as_str().to_owned()),
            country: inv.country.as_ref().map(|c| c.as_str().to_owned()),
            mentor: inv.mentor.as_ref().map(mentor_to_json),
            invited_by: inv.invited_by.as_str().to_owned(),
            created_at: inv.created_at,
            expires_at: inv.expires_at,
        };
        exec(
            self.db
                .query("CREATE type::record('invitation', $id) CONTENT $row RETURN NONE")
                .bind(("id", inv.id.as_str().to_owned()))
                .bind(("row", row)),
        )
        .await
    }

    async fn invitation_by_code(&self, code_hash: &TokenHash) -> Result<Option<Invitation>> {
        Ok(self
            .invitations_where("code_hash = $hash LIMIT 1", "hash", code_hash.0.clone())
            .await?
            .into_iter()
            .next())
    }

    async fn invitation(&self, id: &InvitationId) -> Result<Option<Invitation>> {
        Ok(self
            .invitations_where(
                "id = type::record('invitation', $id)",
                "id",
                id.as_str().to_owned(),
            )
            .await?
            .into_iter()
            .next())
    }

    async fn invitations_by(
        &self,
        inviter: &UserId,
        page: &PageRequest,
    ) -> Result<Page<Invitation>> {
        // Newest first: the key is the id (time-ordered), compared downwards.
        let after = if page.after.is_some() {
            "AND record::id(id) < $after"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {INVITATION_FIELDS} FROM invitation WHERE invited_by = $by {after} ORDER BY id DESC LIMIT $limit"
        );
        let rows: Vec<InvitationRow> = self
            .db
            .query(sql)
            .bind(("by", inviter.as_str().to_owned()))
            .bind(("after", page.after.clone()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let rows = rows
            .into_iter()
            .map(|r| r.into_invitation().map(|i| (i.id.as_str().to_owned(), i)))
            .collect::<Result<Vec<_>>>()?;
        Ok(page_of(rows, page.limit))
    }

    async fn accept_invitation(
        &self,
        id: &InvitationId,
        draft: &PersonDraft,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<User> {
        let user_id = UserId::generate();
        let row = new_person_row(&user_id, draft, hash, at);
        self.accept_invitation_row(id, &user_id, row, at).await?;
        Ok(person_from_draft(user_id, draft, at))
    }

    async fn revoke_invitation(&self, id: &InvitationId, at: DateTime<Utc>) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('invitation', $id) SET revoked_at = $at WHERE accepted_at = NONE RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("at", at))
        )
        .await
    }
}

const INVITATION_FIELDS: &str = "record::id(id) AS id, role, email, display_name, school, country, mentor, \
    invited_by, created_at, expires_at, accepted_at, revoked_at";

#[derive(SurrealValue)]
struct InvitationRow {
    id: String,
    role: String,
    email: String,
    display_name: String,
    school: Option<String>,
    country: Option<String>,
    mentor: Option<String>,
    invited_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl InvitationRow {
    fn into_invitation(self) -> Result<Invitation> {
        let corrupt = |what: &str| {
            Error::internal(format!(
                "stored invitation {} has an invalid {what}",
                self.id
            ))
        };
        Ok(Invitation {
            role: Role::from_storage(&self.role).ok_or_else(|| corrupt("role"))?,
            email: Email::parse(&self.email).map_err(|_| corrupt("e-mail"))?,
            display_name: DisplayName::parse(&self.display_name).map_err(|_| corrupt("name"))?,
            school: self.school.map(SchoolId::from_trusted),
            country: self.country.map(CountryCode::from_trusted),
            mentor: self.mentor.as_deref().map(mentor_from_json).transpose()?,
            invited_by: UserId::from_trusted(self.invited_by),
            created_at: self.created_at,
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            revoked_at: self.revoked_at,
            id: InvitationId::from_trusted(self.id),
        })
    }
}

#[derive(SurrealValue)]
struct InvitationContent {
    code_hash: String,
    role: String,
    email: String,
    display_name: String,
    school: Option<String>,
    country: Option<String>,
    mentor: Option<String>,
    invited_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl Database {
    async fn invitations_where(
        &self,
        filter: &str,
        key: &str,
        value: String,
    ) -> Result<Vec<Invitation>> {
        let sql = format!("SELECT {INVITATION_FIELDS} FROM invitation WHERE {filter}");
        let rows: Vec<InvitationRow> = self
            .db
            .query(sql)
            .bind((key.to_owned(), value))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(InvitationRow::into_invitation)
            .collect()
    }
}

impl Database {
    /// Marks the invitation used and creates its person, in one transaction:
    /// an invitation used or withdrawn in the meantime creates nobody.
    async fn accept_invitation_row(
        &self,
        id: &InvitationId,
        user_id: &UserId,
        person: crate::accounts::NewPersonRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $taken = (UPDATE type::record('invitation', $inv) SET accepted_at = $at, accepted_user = $uid \
                    WHERE accepted_at = NONE AND revoked_at = NONE RETURN VALUE record::id(id)); \
                 IF array::len($taken) = 0 { THROW 'lff_invitation_closed' }; \
                 CREATE type::record('user', $uid) CONTENT $row RETURN NONE; \
                 COMMIT;",
            )
            .bind(("inv", id.as_str().to_owned()))
            .bind(("uid", user_id.as_str().to_owned()))
            .bind(("at", at))
            .bind(("row", person))
            .await
            .map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(e) if e.contains("lff_invitation_closed") => Err(Error::Conflict(
                "this invitation was already used or withdrawn".into(),
            )),
            Some(e) => Err(crate::accounts::conflict_or_internal_message(e)),
        }
    }
}
