//! People, sessions and the audit trail in SurrealDB, and the one
//! `Repository` impl, which hands the network's parts (schools, invitations,
//! files, twinnings) to `network.rs`.

use app::ports::{AccountStore, NetworkStore};
use app::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal, retrying};
use crate::query::{exec, page_of};
use app::{
    AuditEntry, ClassLabel, DisplayName, Email, MentorProfile, PasswordHash, PersonDraft, Role,
    SchoolStatus, SessionRecord, TokenHash, User, UserSecret, Username,
};
use app::{CountryCode, Page, PageRequest, SchoolId, UserId};

pub(crate) const USER_FIELDS: &str = "record::id(id) AS id, username, email, display_name, role, active, \
    password_hash, failed_logins, last_failed_login_at, created_at, school, country, class_label, \
    mentor, sort_key";
/// The same fields, for lists of people.
pub(crate) const PERSON_FIELDS: &str = USER_FIELDS;

pub(crate) type PersonRow = UserRow;

pub(crate) fn person_row(r: PersonRow) -> Result<User> {
    r.into_secret().map(|s| s.user)
}

#[derive(SurrealValue)]
pub(crate) struct UserRow {
    id: String,
    username: String,
    email: Option<String>,
    display_name: String,
    role: String,
    active: bool,
    password_hash: String,
    failed_logins: i64,
    last_failed_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    school: Option<String>,
    country: Option<String>,
    class_label: Option<String>,
    mentor: Option<String>,
    pub(crate) sort_key: Option<String>,
}

#[derive(SurrealValue)]
pub(crate) struct NewPersonRow {
    username: String,
    email: Option<String>,
    display_name: String,
    role: String,
    active: bool,
    password_hash: String,
    failed_logins: i64,
    created_at: DateTime<Utc>,
    school: Option<String>,
    country: Option<String>,
    class_label: Option<String>,
    mentor: Option<String>,
    sort_key: String,
}

pub(crate) fn person_sort_key(name: &DisplayName, id: &UserId) -> String {
    format!("{} {}", name.as_str().to_lowercase(), id.as_str())
}

pub(crate) fn new_person_row(
    id: &UserId,
    d: &PersonDraft,
    hash: &PasswordHash,
    at: DateTime<Utc>,
) -> NewPersonRow {
    NewPersonRow {
        username: d.username.as_str().to_owned(),
        email: d.email.as_ref().map(|e| e.as_str().to_owned()),
        display_name: d.display_name.as_str().to_owned(),
        role: d.role.as_str().to_owned(),
        active: true,
        password_hash: hash.expose().to_owned(),
        failed_logins: 0,
        created_at: at,
        school: d.school.as_ref().map(|s| s.as_str().to_owned()),
        country: d.country.as_ref().map(|c| c.as_str().to_owned()),
        class_label: d.class_label.as_ref().map(|c| c.as_str().to_owned()),
        mentor: d.mentor.as_ref().map(mentor_to_json),
        sort_key: person_sort_key(&d.display_name, id),
    }
}

pub(crate) fn person_from_draft(id: UserId, d: &PersonDraft, at: DateTime<Utc>) -> User {
    User {
        id,
        username: d.username.clone(),
        email: d.email.clone(),
        display_name: d.display_name.clone(),
        role: d.role,
        active: true,
        created_at: at,
        school: d.school.clone(),
        country: d.country.clone(),
        class_label: d.class_label.clone(),
        mentor: d.mentor.clone(),
    }
}

#[derive(SurrealValue)]
struct SessionRow {
    user_id: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    u: Option<UserRow>,
}

#[derive(SurrealValue)]
struct AuditRow {
    actor: Option<String>,
    action: String,
    target: String,
    country: Option<String>,
    at: DateTime<Utc>,
    request_id: Option<String>,
    outcome: String,
}

/// An audit entry read back, with its time-ordered key.
#[derive(SurrealValue)]
struct ListedAudit {
    id: String,
    entry: AuditRow,
}

impl AuditRow {
    fn into_entry(self) -> AuditEntry {
        AuditEntry {
            actor: self.actor.map(UserId::from_trusted),
            action: self.action,
            target: self.target,
            country: self.country.map(CountryCode::from_trusted),
            at: self.at,
            request_id: self.request_id,
            outcome: self.outcome,
        }
    }
}

impl UserRow {
    pub(crate) fn into_secret(self) -> Result<UserSecret> {
        // Stored rows were validated when written; a row that no longer parses
        // is corruption, not bad input.
        let corrupt =
            |what: &str| Error::internal(format!("stored user {} has an invalid {what}", self.id));
        let user = User {
            username: Username::parse(&self.username).map_err(|_| corrupt("username"))?,
            email: self
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|_| corrupt("email"))?,
            display_name: DisplayName::parse(&self.display_name)
                .map_err(|_| corrupt("display name"))?,
            role: Role::from_storage(&self.role).ok_or_else(|| corrupt("role"))?,
            active: self.active,
            created_at: self.created_at,
            school: self.school.map(SchoolId::from_trusted),
            country: self.country.map(CountryCode::from_trusted),
            class_label: self.class_label.map(ClassLabel::from_trusted),
            mentor: self.mentor.as_deref().map(mentor_from_json).transpose()?,
            id: UserId::from_trusted(self.id),
        };
        Ok(UserSecret {
            user,
            password_hash: self.password_hash,
            failed_logins: u32::try_from(self.failed_logins).unwrap_or(u32::MAX),
            last_failed_login_at: self.last_failed_login_at,
        })
    }
}

fn conflict_or_internal(e: surrealdb::Error) -> Error {
    conflict_or_internal_message(e.to_string())
}

/// A unique-index violation on people becomes `Conflict`; anything else is internal.
pub(crate) fn conflict_or_internal_message(msg: String) -> Error {
    if msg.contains("already contains") {
        if msg.contains("user_email") {
            return Error::Conflict("this e-mail address is already in use".into());
        }
        if msg.contains("user_username") {
            return Error::Conflict("this username is already taken".into());
        }
    }
    Error::internal(msg)
}

impl Database {
    async fn one_user(&self, sql: &str, key: &str, value: String) -> Result<Option<UserSecret>> {
        let row: Option<UserRow> = self
            .db
            .query(sql)
            .bind((key.to_owned(), value))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(UserRow::into_secret).transpose()
    }
}

impl Database {
    /// The active people of `role` whose `field` (`country` or `school`) is `value`.
    async fn holders(&self, role: Role, field: &'static str, value: &str) -> Result<Vec<UserId>> {
        let ids: Vec<String> = self
            .db
            .query(format!(
                "SELECT VALUE record::id(id) FROM user \
                 WHERE {field} = $value AND role = $role AND active = true"
            ))
            .bind(("value", value.to_owned()))
            .bind(("role", role.as_str()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(ids.into_iter().map(UserId::from_trusted).collect())
    }
}

#[async_trait]
impl AccountStore for Database {
    async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = self.rows_by_ids(USER_FIELDS, "user", ids).await?;
        rows.into_iter()
            .map(|r| r.into_secret().map(|s| s.user))
            .collect()
    }

    async fn create_person(
        &self,
        draft: &PersonDraft,
        hash: &PasswordHash,
        at: DateTime<Utc>,
    ) -> Result<User> {
        let id = UserId::generate();
        self.db
            .query("CREATE type::record('user', $id) CONTENT $row RETURN NONE")
            .bind(("id", id.as_str().to_owned()))
            .bind(("row", new_person_row(&id, draft, hash, at)))
            .await
            .map_err(internal)?
            .check()
            .map_err(conflict_or_internal)?;
        Ok(person_from_draft(id, draft, at))
    }

    async fn email_in_use(&self, email: &Email) -> Result<bool> {
        Ok(self.user_secret_by_login(email.as_str()).await?.is_some())
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>> {
        Ok(self.user_secret(id).await?.map(|s| s.user))
    }

    async fn link_key(&self, candidate: &str) -> Result<String> {
        // The first process to get here creates the key; for every other
        // the CREATE fails (the record exists) and the SELECT reads it.
        let keys: Vec<String> = self
            .db
            .query(
                "CREATE type::record('server_key', 'links') CONTENT { key: $key } RETURN NONE; \
                 SELECT VALUE key FROM type::record('server_key', 'links');",
            )
            .bind(("key", candidate.to_owned()))
            .await
            .map_err(internal)?
            .take(1)
            .map_err(internal)?;
        keys.into_iter()
            .next()
            .ok_or_else(|| Error::internal("no link key after creating one"))
    }

    async fn user_secret_by_login(&self, login: &str) -> Result<Option<UserSecret>> {
        // Usernames cannot contain '@', so the shape of the login says which index to use.
        let field = if login.contains('@') {
            "email"
        } else {
            "username"
        };
        let sql = format!("SELECT {USER_FIELDS} FROM user WHERE {field} = $login LIMIT 1");
        self.one_user(&sql, "login", login.to_owned()).await
    }

    async fn user_secret(&self, id: &UserId) -> Result<Option<UserSecret>> {
        let sql = format!("SELECT {USER_FIELDS} FROM ONLY type::record('user', $id)");
        self.one_user(&sql, "id", id.as_str().to_owned()).await
    }

    async fn any_user_with_role(&self, role: Role) -> Result<bool> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM user WHERE role = $role LIMIT 1")
            .bind(("role", role.as_str()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(!ids.is_empty())
    }

    async fn active_with_role_in(&self, role: Role, country: &CountryCode) -> Result<Vec<UserId>> {
        self.holders(role, "country", country.as_str()).await
    }

    async fn active_with_role_at(&self, role: Role, school: &SchoolId) -> Result<Vec<UserId>> {
        self.holders(role, "school", school.as_str()).await
    }

    async fn record_login_failure(&self, id: &UserId, at: DateTime<Utc>) -> Result<u32> {
        // Parallel failures of one account write its row at once.
        let n: Option<i64> = retrying(|| async {
            self.db
                .query(
                    "UPDATE ONLY type::record('user', $id) SET failed_logins += 1, last_failed_login_at = $at \
                     RETURN VALUE failed_logins",
                )
                .bind(("id", id.as_str().to_owned()))
                .bind(("at", at))
                .await?
                .take(0)
        })
        .await?;
        Ok(n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(0))
    }

    async fn clear_login_failures(&self, id: &UserId) -> Result<()> {
        retrying(|| async {
            self.db
                .query("UPDATE type::record('user', $id) SET failed_logins = 0, last_failed_login_at = NONE RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .await?
                .check()
                .map(|_| ())
        })
        .await
    }

    async fn add_login_device(
        &self,
        hash: &TokenHash,
        user: &UserId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        exec(
            self.db
                // A person keeps their 20 newest devices: a shared computer
                // that forgets its storage must not grow the table for ever.
                .query(
                    "UPSERT type::record('login_device', $key) CONTENT { user: type::record('user', $user), \
                     created_at: $at } RETURN NONE; \
                     LET $old = (SELECT VALUE id FROM login_device WHERE user = type::record('user', $user) \
                     ORDER BY created_at DESC START 20); \
                     DELETE $old RETURN NONE;",
                )
                .bind(("key", hash.0.clone()))
                .bind(("user", user.as_str().to_owned()))
                .bind(("at", at)),
        )
        .await
    }

    async fn login_device_user(&self, hash: &TokenHash) -> Result<Option<UserId>> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(user) FROM type::record('login_device', $key)")
            .bind(("key", hash.0.clone()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(ids
            .into_iter()
            .next()
            .and_then(|id| UserId::parse(&id).ok()))
    }

    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET password_hash = $hash RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("hash", hash.to_owned())),
        )
        .await
    }

    async fn set_user_active(&self, id: &UserId, active: bool) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('user', $id) SET active = $active RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("active", active)),
        )
        .await
    }

    async fn create_session(&self, s: &SessionRecord) -> Result<()> {
        exec(
            self.db
            .query(
                "CREATE type::record('session', $key) CONTENT { user: type::record('user', $user), \
                 created_at: $created, last_seen_at: $seen, expires_at: $expires } RETURN NONE",
            )
            .bind(("key", s.token_hash.0.clone()))
            .bind(("user", s.user_id.as_str().to_owned()))
            .bind(("created", s.created_at))
            .bind(("seen", s.last_seen_at))
            .bind(("expires", s.expires_at)),
        )
        .await
    }

    async fn session_with_user(&self, hash: &TokenHash) -> Result<Option<(SessionRecord, User)>> {
        let sql = format!(
            "SELECT record::id(user) AS user_id, created_at, last_seen_at, expires_at, \
             (SELECT {USER_FIELDS} FROM ONLY $parent.user) AS u \
             FROM ONLY type::record('session', $key)"
        );
        let row: Option<SessionRow> = self
            .db
            .query(sql)
            .bind(("key", hash.0.clone()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let Some(row) = row else { return Ok(None) };
        let Some(u) = row.u else { return Ok(None) };
        let user = u.into_secret()?.user;
        Ok(Some((
            SessionRecord {
                token_hash: hash.clone(),
                user_id: UserId::from_trusted(row.user_id),
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                expires_at: row.expires_at,
            },
            user,
        )))
    }

    async fn touch_session(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('session', $key) SET last_seen_at = $at RETURN NONE")
                .bind(("key", hash.0.clone()))
                .bind(("at", at)),
        )
        .await
    }

    async fn delete_session(&self, hash: &TokenHash) -> Result<()> {
        exec(
            self.db
                .query("DELETE type::record('session', $key)")
                .bind(("key", hash.0.clone())),
        )
        .await
    }

    async fn delete_user_sessions(&self, id: &UserId) -> Result<u64> {
        let deleted: Vec<surrealdb::types::Value> = self
            .db
            .query("DELETE session WHERE user = type::record('user', $id) RETURN BEFORE")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(deleted.len() as u64)
    }

    async fn append_audit(&self, e: &AuditEntry) -> Result<()> {
        let row = AuditRow {
            actor: e.actor.as_ref().map(|a| a.as_str().to_owned()),
            action: e.action.clone(),
            target: e.target.clone(),
            country: e.country.as_ref().map(|c| c.as_str().to_owned()),
            at: e.at,
            request_id: e.request_id.clone(),
            outcome: e.outcome.clone(),
        };
        exec(
            self.db
                // Time-ordered keys break ties between entries of the same instant.
                .query("CREATE type::record('audit', $id) CONTENT $row RETURN NONE")
                .bind(("id", uuid::Uuid::now_v7().simple().to_string()))
                .bind(("row", row)),
        )
        .await
    }

    async fn audit_page(
        &self,
        country: Option<&CountryCode>,
        action: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>> {
        // Newest first: the key is the id (time-ordered when appended),
        // compared downwards.
        let mut filter = vec!["true"];
        if country.is_some() {
            filter.push("country = $country");
        }
        if action.is_some() {
            filter.push("action = $action");
        }
        if page.after.is_some() {
            filter.push("record::id(id) < $after");
        }
        let sql = format!(
            "SELECT record::id(id) AS id, {{ actor: actor, action: action, target: target, \
             country: country, at: at, request_id: request_id, outcome: outcome }} AS entry \
             FROM audit WHERE {} ORDER BY id DESC LIMIT $limit",
            filter.join(" AND ")
        );
        let rows: Vec<ListedAudit> = self
            .db
            .query(sql)
            .bind(("limit", page.look_ahead() as i64))
            .bind(("country", country.map(|c| c.as_str().to_owned())))
            .bind(("action", action.map(str::to_owned)))
            .bind(("after", page.after.clone()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let rows = rows
            .into_iter()
            .map(|r| (r.id, r.entry.into_entry()))
            .collect();
        Ok(page_of(rows, page.limit))
    }

    async fn school_takes_part(&self, school: &SchoolId) -> Result<bool> {
        let school = NetworkStore::school(self, school).await?;
        Ok(!school
            .is_some_and(|s| matches!(s.status, SchoolStatus::Suspended | SchoolStatus::Withdrawn)))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MentorJson {
    university: String,
    chair_title: String,
    expertise: Vec<String>,
    languages: Vec<String>,
}

pub(crate) fn mentor_to_json(m: &MentorProfile) -> String {
    serde_json::to_string(&MentorJson {
        university: m.university.clone(),
        chair_title: m.chair_title.clone(),
        expertise: m.expertise.clone(),
        languages: m.languages.iter().map(|l| l.as_str().to_owned()).collect(),
    })
    .unwrap_or_default()
}

pub(crate) fn mentor_from_json(s: &str) -> Result<MentorProfile> {
    let m: MentorJson = serde_json::from_str(s).map_err(Error::internal)?;
    Ok(MentorProfile::from_trusted(
        m.university,
        m.chair_title,
        m.expertise,
        m.languages,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::test_database as db;

    #[tokio::test]
    async fn a_person_keeps_their_twenty_newest_devices() {
        let db = db().await;
        let user = UserId::generate();
        let start: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let hash = |i: i64| TokenHash(format!("{i:064}"));
        for i in 0..25 {
            db.add_login_device(&hash(i), &user, start + chrono::Duration::minutes(i))
                .await
                .unwrap();
        }
        for i in 0..5 {
            assert_eq!(db.login_device_user(&hash(i)).await.unwrap(), None, "{i}");
        }
        for i in 5..25 {
            assert_eq!(
                db.login_device_user(&hash(i)).await.unwrap().as_ref(),
                Some(&user),
                "{i}"
            );
        }
        // Another person's devices are theirs to keep.
        let other = UserId::generate();
        db.add_login_device(&hash(99), &other, start).await.unwrap();
        assert_eq!(db.login_device_user(&hash(24)).await.unwrap(), Some(user));
    }
}
