//! People, sessions and the audit trail in SurrealDB.

use app::model::*;
use app::ports::Repository;
use app::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};

const USER_FIELDS: &str = "record::id(id) AS id, username, email, display_name, role, active, \
    password_hash, failed_logins, last_failed_login_at, created_at";

#[derive(SurrealValue)]
struct UserRow {
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
}

#[derive(SurrealValue)]
struct NewUserRow {
    username: String,
    email: Option<String>,
    display_name: String,
    role: String,
    active: bool,
    password_hash: String,
    failed_logins: i64,
    created_at: DateTime<Utc>,
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
    at: DateTime<Utc>,
    request_id: Option<String>,
    outcome: String,
}

impl UserRow {
    fn into_secret(self) -> Result<UserSecret> {
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
    let msg = e.to_string();
    if msg.contains("already contains") {
        if msg.contains("user_email") {
            return Error::Conflict("this e-mail address is already in use".into());
        }
        if msg.contains("user_username") {
            return Error::Conflict("this username is already taken".into());
        }
    }
    internal(e)
}

/// Runs a statement whose only result that matters is success.
async fn exec(query: surrealdb::method::Query<'_, surrealdb::engine::any::Any>) -> Result<()> {
    query.await.and_then(|r| r.check()).map_err(internal)?;
    Ok(())
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

#[async_trait]
impl Repository for Database {
    async fn ping(&self) -> Result<()> {
        exec(self.db.query("RETURN 1")).await
    }

    async fn create_user(&self, new: NewUser) -> Result<User> {
        let u = &new.user;
        let row = NewUserRow {
            username: u.username.as_str().to_owned(),
            email: u.email.as_ref().map(|e| e.as_str().to_owned()),
            display_name: u.display_name.as_str().to_owned(),
            role: u.role.as_str().to_owned(),
            active: u.active,
            password_hash: new.password_hash,
            failed_logins: 0,
            created_at: u.created_at,
        };
        self.db
            .query("CREATE type::record('user', $id) CONTENT $row RETURN NONE")
            .bind(("id", u.id.as_str().to_owned()))
            .bind(("row", row))
            .await
            .map_err(internal)?
            .check()
            .map_err(conflict_or_internal)?;
        Ok(new.user)
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>> {
        Ok(self.user_secret(id).await?.map(|s| s.user))
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

    async fn record_login_failure(&self, id: &UserId, at: DateTime<Utc>) -> Result<u32> {
        let n: Option<i64> = self
            .db
            .query(
                "UPDATE ONLY type::record('user', $id) SET failed_logins += 1, last_failed_login_at = $at \
                 RETURN VALUE failed_logins",
            )
            .bind(("id", id.as_str().to_owned()))
            .bind(("at", at))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(0))
    }

    async fn clear_login_failures(&self, id: &UserId) -> Result<()> {
        exec(
            self.db
            .query("UPDATE type::record('user', $id) SET failed_logins = 0, last_failed_login_at = NONE RETURN NONE")
            .bind(("id", id.as_str().to_owned())),
        )
        .await
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
            at: e.at,
            request_id: e.request_id.clone(),
            outcome: e.outcome.clone(),
        };
        exec(
            self.db
                .query("CREATE audit CONTENT $row RETURN NONE")
                .bind(("row", row)),
        )
        .await
    }

    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = self
            .db
            .query("SELECT actor, action, target, at, request_id, outcome FROM audit ORDER BY at DESC LIMIT $limit")
            .bind(("limit", i64::from(limit)))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                actor: r.actor.map(UserId::from_trusted),
                action: r.action,
                target: r.target,
                at: r.at,
                request_id: r.request_id,
                outcome: r.outcome,
            })
            .collect())
    }
}
