//! Twinning spaces in SurrealDB: spaces, members, channels, messages, the
//! per-space event log, invitations, read markers, reports and people's
//! notifications (the rows of invitations and reports: `space_records`).
//! See `migrations/0003_spaces.surql` for the tables.
//!
//! The log is written by [`Database::log_space_event_rows`]: one
//! transaction moves each space's position forward by the number of its new
//! events, stores the events at the positions that frees, and applies what
//! each event changes. Concurrent writers (other processes) conflict on the
//! space row and are retried by the transaction engine's caller.

use app::ports::{LogEntry, SpaceLogPage, SpaceStore};
use app::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};
use crate::query::{DocRow, all_errors, exec, guarded, json, page_of, parse};
use crate::space_records::{INVITATION_FIELDS, InvitationRow};
use app::{
    Channel, Invitee, LoggedEvent, Member, Message, MessageEdit, MessageReport, Reaction,
    Redaction, ReportHandling, ReportStatus, Space, SpaceEvent, SpaceEventKind, SpaceInvitation,
    SpaceRole,
};
use app::{
    ChannelId, MessageId, Page, PageRequest, ReportId, SchoolId, SpaceId, SpaceInvitationId, UserId,
};

fn member_key(space: &SpaceId, user: &UserId) -> String {
    format!("{space}{user}")
}

#[derive(SurrealValue)]
pub(crate) struct SpaceRow {
    id: String,
    details: String,
    lead_school: String,
    schools: Vec<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    archived: bool,
}

pub(crate) const SPACE_FIELDS: &str =
    "record::id(id) AS id, details, lead_school, schools, created_by, created_at, archived";

impl SpaceRow {
    pub(crate) fn into_space(self) -> Result<Space> {
        Ok(Space {
            details: parse("space", &self.details)?,
            lead_school: SchoolId::from_trusted(self.lead_school),
            schools: self
                .schools
                .into_iter()
                .map(SchoolId::from_trusted)
                .collect(),
            created_by: UserId::from_trusted(self.created_by),
            created_at: self.created_at,
            archived: self.archived,
            id: SpaceId::from_trusted(self.id),
        })
    }
}

#[derive(SurrealValue)]
pub(crate) struct MessageRow {
    seq: i64,
    doc: String,
    hidden: Option<String>,
    deleted: bool,
    reactions: Vec<String>,
    reply_count: i64,
}

pub(crate) const MESSAGE_FIELDS: &str = "seq, doc, hidden, deleted, reactions, reply_count";

impl MessageRow {
    pub(crate) fn into_message(self) -> Result<Message> {
        let mut m: Message = parse("message", &self.doc)?;
        m.seq = self.seq as u64;
        m.hidden = self
            .hidden
            .as_deref()
            .map(|h| parse("hiding", h))
            .transpose()?;
        m.deleted = self.deleted;
        m.reply_count = self.reply_count as u32;
        m.reactions = self
            .reactions
            .into_iter()
            .filter_map(|r| {
                let (user, emoji) = r.split_once(':')?;
                Some(Reaction {
                    emoji: emoji.to_owned(),
                    user: UserId::from_trusted(user.to_owned()),
                })
            })
            .collect();
        Ok(m)
    }
}

#[derive(SurrealValue)]
struct LogRow {
    seq: i64,
    doc: String,
    message: Option<String>,
}

#[derive(SurrealValue)]
struct MessageState {
    hidden: bool,
    deleted: bool,
}

#[derive(SurrealValue)]
struct LogBounds {
    seq: i64,
    pruned_through: i64,
}

/// Builds one transaction out of many statements with their own bindings.
struct Batch {
    sql: String,
    binds: Vec<(String, surrealdb::types::Value)>,
    statements: usize,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            sql: String::from("BEGIN;\n"),
            binds: Vec::new(),
            statements: 1,
        }
    }

    fn bind(&mut self, name: String, v: impl SurrealValue) -> String {
        self.binds.push((name.clone(), v.into_value()));
        format!("${name}")
    }

    /// Adds a statement and returns its result slot.
    fn push(&mut self, statement: &str) -> usize {
        self.sql.push_str(statement);
        self.sql.push_str(";\n");
        self.statements += 1;
        self.statements - 1
    }
}

impl Database {
    async fn docs<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        v: &str,
        what: &str,
    ) -> Result<Vec<T>> {
        let rows: Vec<DocRow> = self
            .db
            .query(sql)
            .bind(("v", v.to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.iter().map(|r| parse(what, &r.doc)).collect()
    }

    /// The statements applying what one event changes.
    fn effects(&self, b: &mut Batch, i: usize, e: &LogEntry, seq: &str) -> Result<()> {
        match &e.event.kind {
            SpaceEventKind::MessagePosted(m) => {
                let id = b.bind(format!("m{i}"), m.id.as_str().to_owned());
                let space = b.bind(format!("ms{i}"), m.space.as_str().to_owned());
                let channel = b.bind(format!("mc{i}"), m.channel.as_str().to_owned());
                let reply = b.bind(
                    format!("mr{i}"),
                    m.reply_to.as_ref().map(|r| r.as_str().to_owned()),
                );
                let author = b.bind(format!("mu{i}"), m.author.as_str().to_owned());
                let doc = b.bind(format!("md{i}"), json(m)?);
                let at = b.bind(format!("mt{i}"), m.created_at);
                b.push(&format!(
                    "CREATE type::record('message', {id}) CONTENT {{ space: {space}, channel: {channel}, seq: {seq}, \
                     reply_to: {reply}, author: {author}, doc: {doc}, deleted: false, reactions: [], reply_count: 0, \
                     created_at: {at} }} RETURN NONE"
                ));
                if m.reply_to.is_some() {
                    b.push(&format!(
                        "UPDATE type::record('message', {reply}) SET reply_count += 1 RETURN NONE"
                    ));
                }
            }
            SpaceEventKind::MessageEdited(m) => {
                let id = b.bind(format!("m{i}"), m.id.as_str().to_owned());
                let doc = b.bind(format!("md{i}"), json(m)?);
                let old = e
                    .replaced
                    .as_ref()
                    .ok_or_else(|| Error::internal("an edit without the replaced body"))?;
                let old = b.bind(format!("mo{i}"), json(old)?);
                let at = b.bind(format!("mt{i}"), m.edited_at.unwrap_or(e.event.at));
                b.push(&format!(
                    "CREATE message_edit CONTENT {{ message: {id}, doc: {old}, replaced_at: {at} }} RETURN NONE"
                ));
                b.push(&format!(
                    "UPDATE type::record('message', {id}) SET doc = {doc} RETURN NONE"
                ));
            }
            SpaceEventKind::MessageHidden(m) | SpaceEventKind::MessageUnhidden(m) => {
                let id = b.bind(format!("m{i}"), m.id.as_str().to_owned());
                let hidden = b.bind(format!("mh{i}"), m.hidden.as_ref().map(json).transpose()?);
                b.push(&format!(
                    "UPDATE type::record('message', {id}) SET hidden = {hidden} RETURN NONE"
                ));
            }
            SpaceEventKind::MessageDeleted(m) => {
                let id = b.bind(format!("m{i}"), m.id.as_str().to_owned());
                let doc = b.bind(format!("md{i}"), json(m)?);
                b.push(&format!(
                    "UPDATE type::record('message', {id}) SET deleted = true, doc = {doc}, hidden = NONE, reactions = [] RETURN NONE"
                ));
                b.push(&format!("DELETE message_edit WHERE message = {id}"));
            }
            SpaceEventKind::ReactionChanged {
                message,
                emoji,
                user,
                added,
                ..
            } => {
                let id = b.bind(format!("m{i}"), message.as_str().to_owned());
                let r = b.bind(format!("mr{i}"), format!("{user}:{emoji}"));
                let f = if *added {
                    "array::union"
                } else {
                    "array::complement"
                };
                b.push(&format!(
                    "UPDATE type::record('message', {id}) SET reactions = {f}(reactions, [{r}]) RETURN NONE"
                ));
            }
            SpaceEventKind::MemberJoined(m) => {
                let k = b.bind(format!("k{i}"), member_key(&m.space, &m.user));
                let space = b.bind(format!("ks{i}"), m.space.as_str().to_owned());
                let user = b.bind(format!("ku{i}"), m.user.as_str().to_owned());
                let role = b.bind(format!("kr{i}"), m.role.as_str().to_owned());
                let doc = b.bind(format!("kd{i}"), json(m)?);
                let at = b.bind(format!("kt{i}"), m.joined_at);
                b.push(&format!(
                    "UPSERT type::record('space_member', {k}) CONTENT {{ space: {space}, user: {user}, role: {role}, \
                     doc: {doc}, joined_at: {at}, seq: {seq} }} RETURN NONE"
                ));
            }
            SpaceEventKind::MemberLeft { member, .. } => {
                let k = b.bind(format!("k{i}"), member_key(&member.space, &member.user));
                b.push(&format!("DELETE type::record('space_member', {k})"));
            }
            SpaceEventKind::ChannelCreated(c) => {
                let id = b.bind(format!("c{i}"), c.id.as_str().to_owned());
                let space = b.bind(format!("cs{i}"), c.space.as_str().to_owned());
                let doc = b.bind(format!("cd{i}"), json(c)?);
                let at = b.bind(format!("ct{i}"), c.created_at);
                b.push(&format!(
                    "CREATE type::record('channel', {id}) CONTENT {{ space: {space}, doc: {doc}, created_at: {at}, seq: {seq} }} RETURN NONE"
                ));
            }
            SpaceEventKind::SpaceUpdated(s) => {
                let id = b.bind(format!("u{i}"), s.id.as_str().to_owned());
                let details = b.bind(format!("ud{i}"), json(&s.details)?);
                let schools = b.bind(
                    format!("us{i}"),
                    s.schools
                        .iter()
                        .map(|x| x.as_str().to_owned())
                        .collect::<Vec<_>>(),
                );
                let archived = b.bind(format!("ua{i}"), s.archived);
                b.push(&format!(
                    "UPDATE type::record('space', {id}) SET details = {details}, schools = {schools}, archived = {archived} RETURN NONE"
                ));
            }
            SpaceEventKind::PresenceChanged { .. } | SpaceEventKind::Typing { .. } => {
                return Err(Error::internal("ephemeral events are not logged"));
            }
        }
        Ok(())
    }

    /// Whether the messages of these log rows are hidden or deleted now.
    async fn message_states(&self, rows: &[LogRow]) -> Result<Vec<(String, MessageState)>> {
        let mut ids: Vec<&String> = rows.iter().filter_map(|r| r.message.as_ref()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql: String = (0..ids.len())
            .map(|i| {
                format!(
                    "SELECT hidden != NONE AS hidden, deleted FROM ONLY type::record('message', $m{i});"
                )
            })
            .collect();
        let mut q = self.db.query(sql);
        for (i, id) in ids.iter().enumerate() {
            q = q.bind((format!("m{i}"), (*id).clone()));
        }
        let mut res = q.await.map_err(internal)?;
        let mut out = Vec::with_capacity(ids.len());
        for (i, id) in ids.into_iter().enumerate() {
            let state: Option<MessageState> = res.take(i).map_err(internal)?;
            if let Some(s) = state {
                out.push((id.clone(), s));
            }
        }
        Ok(out)
    }

    async fn space_invitations_where(
        &self,
        filter: &str,
        v: String,
    ) -> Result<Vec<SpaceInvitation>> {
        let rows: Vec<InvitationRow> = self
            .db
            .query(format!(
                "SELECT {INVITATION_FIELDS} FROM space_invitation WHERE {filter} ORDER BY id DESC"
            ))
            .bind(("v", v))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(InvitationRow::into_invitation)
            .collect()
    }
}

#[async_trait]
impl SpaceStore for Database {
    async fn spaces_by_ids(&self, ids: &[SpaceId]) -> Result<Vec<Space>> {
        let rows: Vec<SpaceRow> = self.rows_by_ids(SPACE_FIELDS, "space", ids).await?;
        rows.into_iter().map(SpaceRow::into_space).collect()
    }

    async fn space_roles(&self, user: &UserId) -> Result<Vec<(SpaceId, SpaceRole)>> {
        #[derive(SurrealValue)]
        struct RoleRow {
            space: String,
            role: String,
        }
        let rows: Vec<RoleRow> = self
            .db
            .query("SELECT space, role FROM space_member WHERE user = $u")
            .bind(("u", user.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                SpaceRole::from_storage(&r.role).map(|role| (SpaceId::from_trusted(r.space), role))
            })
            .collect())
    }

    async fn spaces_of_school(&self, school: &SchoolId) -> Result<Vec<SpaceId>> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM space WHERE schools CONTAINS $s")
            .bind(("s", school.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(ids.into_iter().map(SpaceId::from_trusted).collect())
    }

    async fn create_space(&self, s: &Space) -> Result<()> {
        exec(
            self.db
                .query(
                    "CREATE type::record('space', $id) CONTENT { details: $details, lead_school: $lead, \
                     schools: $schools, created_by: $by, created_at: $at, archived: false, seq: 0, \
                     pruned_through: 0 } RETURN NONE",
                )
                .bind(("id", s.id.as_str().to_owned()))
                .bind(("details", json(&s.details)?))
                .bind(("lead", s.lead_school.as_str().to_owned()))
                .bind(("schools", s.schools.iter().map(|x| x.as_str().to_owned()).collect::<Vec<_>>()))
                .bind(("by", s.created_by.as_str().to_owned()))
                .bind(("at", s.created_at)),
        )
        .await
    }

    async fn space(&self, id: &SpaceId) -> Result<Option<Space>> {
        let row: Option<SpaceRow> = self
            .db
            .query(format!(
                "SELECT {SPACE_FIELDS} FROM ONLY type::record('space', $id)"
            ))
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(SpaceRow::into_space).transpose()
    }

    async fn spaces_of_member(&self, user: &UserId, page: &PageRequest) -> Result<Page<Space>> {
        let after = if page.after.is_some() {
            "AND space < $after"
        } else {
            ""
        };
        let ids: Vec<String> = self
            .db
            .query(format!(
                "SELECT VALUE space FROM space_member WHERE user = $user {after} ORDER BY space DESC LIMIT $limit"
            ))
            .bind(("user", user.as_str().to_owned()))
            .bind(("after", page.after.clone()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        if ids.is_empty() {
            return Ok(Page {
                items: vec![],
                has_next: false,
            });
        }
        let sql: String = (0..ids.len())
            .map(|i| format!("SELECT {SPACE_FIELDS} FROM ONLY type::record('space', $s{i});"))
            .collect();
        let mut q = self.db.query(sql);
        for (i, id) in ids.iter().enumerate() {
            q = q.bind((format!("s{i}"), id.clone()));
        }
        let mut res = q.await.map_err(internal)?;
        let mut rows = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let row: Option<SpaceRow> = res.take(i).map_err(internal)?;
            if let Some(row) = row {
                rows.push((id.clone(), row.into_space()?));
            }
        }
        Ok(page_of(rows, page.limit))
    }

    async fn member(&self, space: &SpaceId, user: &UserId) -> Result<Option<Member>> {
        let row: Option<DocRow> = self
            .db
            .query("SELECT doc FROM ONLY type::record('space_member', $k)")
            .bind(("k", member_key(space, user)))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| parse("member", &r.doc)).transpose()
    }

    async fn members(&self, space: &SpaceId) -> Result<Vec<Member>> {
        self.docs(
            "SELECT doc, seq FROM space_member WHERE space = $v ORDER BY seq",
            space.as_str(),
            "member",
        )
        .await
    }

    async fn channels(&self, space: &SpaceId) -> Result<Vec<Channel>> {
        self.docs(
            "SELECT doc, seq FROM channel WHERE space = $v ORDER BY seq",
            space.as_str(),
            "channel",
        )
        .await
    }

    async fn channel(&self, id: &ChannelId) -> Result<Option<Channel>> {
        let row: Option<DocRow> = self
            .db
            .query("SELECT doc FROM ONLY type::record('channel', $id)")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| parse("channel", &r.doc)).transpose()
    }

    async fn message(&self, id: &MessageId) -> Result<Option<Message>> {
        let row: Option<MessageRow> = self
            .db
            .query(format!(
                "SELECT {MESSAGE_FIELDS} FROM ONLY type::record('message', $id)"
            ))
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(MessageRow::into_message).transpose()
    }

    async fn channel_messages(
        &self,
        channel: &ChannelId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let filter = if before.is_some() {
            "AND seq < $before"
        } else {
            ""
        };
        let rows: Vec<MessageRow> = self
            .db
            .query(format!(
                "SELECT {MESSAGE_FIELDS} FROM message WHERE channel = $c {filter} AND reply_to = NONE ORDER BY seq DESC LIMIT $limit"
            ))
            .bind(("c", channel.as_str().to_owned()))
            .bind(("before", before.map(|b| b as i64)))
            .bind(("limit", limit as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter().map(MessageRow::into_message).collect()
    }

    async fn replies(
        &self,
        parent: &MessageId,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let rows: Vec<MessageRow> = self
            .db
            .query(format!(
                "SELECT {MESSAGE_FIELDS} FROM message WHERE reply_to = $p AND seq > $after ORDER BY seq LIMIT $limit"
            ))
            .bind(("p", parent.as_str().to_owned()))
            .bind(("after", after.unwrap_or(0) as i64))
            .bind(("limit", limit as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter().map(MessageRow::into_message).collect()
    }

    async fn message_edits(&self, id: &MessageId) -> Result<Vec<MessageEdit>> {
        #[derive(SurrealValue)]
        struct EditRow {
            doc: String,
            replaced_at: DateTime<Utc>,
        }
        let rows: Vec<EditRow> = self
            .db
            .query("SELECT doc, replaced_at FROM message_edit WHERE message = $id ORDER BY replaced_at")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(|r| {
                Ok(MessageEdit {
                    message: id.clone(),
                    body: parse("edit", &r.doc)?,
                    replaced_at: r.replaced_at,
                })
            })
            .collect()
    }

    /// See the module documentation.
    async fn log_space_events(&self, batch: &mut [LogEntry]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut spaces: Vec<(SpaceId, u64)> = Vec::new();
        for e in batch.iter() {
            match spaces.iter_mut().find(|(s, _)| *s == e.event.space) {
                Some((_, n)) => *n += 1,
                None => spaces.push((e.event.space.clone(), 1)),
            }
        }
        let mut b = Batch::new();
        for (j, (space, n)) in spaces.iter().enumerate() {
            let sp = b.bind(format!("sp{j}"), space.as_str().to_owned());
            b.push(&format!(
                "LET $h{j} = (UPDATE ONLY type::record('space', {sp}) SET seq += {n} RETURN VALUE seq) ?? -1"
            ));
            b.push(&format!("IF $h{j} < 0 {{ THROW 'lff_no_such_space' }}"));
        }
        let mut taken = vec![0u64; spaces.len()];
        for (i, e) in batch.iter().enumerate() {
            let j = spaces
                .iter()
                .position(|(s, _)| *s == e.event.space)
                .unwrap_or(0);
            taken[j] += 1;
            let seq = format!("($h{j} - {} + {})", spaces[j].1, taken[j]);
            self.effects(&mut b, i, e, &seq)?;
            let space = b.bind(format!("es{i}"), e.event.space.as_str().to_owned());
            let at = b.bind(format!("ea{i}"), e.event.at);
            let doc = b.bind(format!("ed{i}"), json(&e.event)?);
            let message = b.bind(
                format!("em{i}"),
                e.event.kind.message().map(|m| m.id.as_str().to_owned()),
            );
            b.push(&format!(
                "CREATE space_event CONTENT {{ space: {space}, seq: {seq}, at: {at}, doc: {doc}, message: {message} }} RETURN NONE"
            ));
        }
        // What search must follow: the messages these events change.
        let searched: Vec<String> = batch
            .iter()
            .filter_map(|e| match &e.event.kind {
                SpaceEventKind::MessagePosted(m)
                | SpaceEventKind::MessageEdited(m)
                | SpaceEventKind::MessageHidden(m)
                | SpaceEventKind::MessageUnhidden(m)
                | SpaceEventKind::MessageDeleted(m) => Some(format!("message:{}", m.id)),
                _ => None,
            })
            .collect();
        if !searched.is_empty() {
            let keys = b.bind("outbox".into(), searched);
            b.push(&format!(
                "FOR $k IN {keys} {{ CREATE type::record('search_outbox', rand::ulid()) \
                 CONTENT {{ key: $k, at: time::now() }} RETURN NONE; }}"
            ));
        }
        let mut heads = Vec::new();
        for j in 0..spaces.len() {
            heads.push(b.push(&format!(
                "SELECT VALUE seq FROM ONLY type::record('space', $sp{j})"
            )));
        }
        b.sql.push_str("COMMIT;");
        let mut q = self.db.query(b.sql);
        for (k, v) in b.binds {
            q = q.bind((k, v));
        }
        let mut res = q.await.map_err(internal)?;
        if let Some(e) = all_errors(&mut res) {
            return Err(if e.contains("lff_no_such_space") {
                Error::NotFound
            } else {
                Error::internal(e)
            });
        }
        let mut next = Vec::new();
        for (j, slot) in heads.into_iter().enumerate() {
            let head: Option<i64> = res.take(slot).map_err(internal)?;
            let head = head.ok_or_else(|| Error::internal("the log returned no position"))? as u64;
            next.push(head - spaces[j].1 + 1);
        }
        for e in batch.iter_mut() {
            let j = spaces
                .iter()
                .position(|(s, _)| *s == e.event.space)
                .unwrap_or(0);
            let seq = next[j];
            next[j] += 1;
            e.event.seq = Some(seq);
            if let SpaceEventKind::MessagePosted(m) = &mut e.event.kind {
                m.seq = seq;
            }
        }
        Ok(())
    }

    async fn space_log(&self, space: &SpaceId, after: u64, limit: usize) -> Result<SpaceLogPage> {
        let mut res = self
            .db
            .query(
                "SELECT seq, pruned_through FROM ONLY type::record('space', $s); \
                 SELECT seq, doc, message FROM space_event WHERE space = $s AND seq > $after ORDER BY seq LIMIT $limit;",
            )
            .bind(("s", space.as_str().to_owned()))
            .bind(("after", after.min(i64::MAX as u64) as i64))
            .bind(("limit", limit as i64))
            .await
            .map_err(internal)?;
        let bounds: Option<LogBounds> = res.take(0).map_err(internal)?;
        let bounds = bounds.ok_or(Error::NotFound)?;
        let rows: Vec<LogRow> = if limit == 0 {
            vec![]
        } else {
            res.take(1).map_err(internal)?
        };
        let states = self.message_states(&rows).await?;
        let events = rows
            .into_iter()
            .map(|r| {
                let mut event: SpaceEvent = parse("space event", &r.doc)?;
                event.seq = Some(r.seq as u64);
                if let SpaceEventKind::MessagePosted(m) = &mut event.kind {
                    m.seq = r.seq as u64;
                }
                let redaction = r
                    .message
                    .as_ref()
                    .and_then(|m| states.iter().find(|(id, _)| id == m))
                    .and_then(|(_, s)| {
                        if s.deleted {
                            Some(Redaction::Deleted)
                        } else {
                            s.hidden.then_some(Redaction::Hidden)
                        }
                    });
                Ok(LoggedEvent { event, redaction })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SpaceLogPage {
            events,
            head: bounds.seq as u64,
            pruned_through: bounds.pruned_through as u64,
        })
    }

    async fn prune_space_logs(&self, before: DateTime<Utc>) -> Result<u64> {
        #[derive(SurrealValue)]
        struct Log {
            id: String,
            seq: i64,
            pruned_through: i64,
        }
        let spaces: Vec<Log> = self
            .db
            .query("SELECT record::id(id) AS id, seq, pruned_through FROM space WHERE seq > pruned_through")
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let mut total = 0;
        for log in spaces {
            // Positions grow with time: everything before the first event
            // to keep goes, found along the position index.
            let first_kept: Option<i64> = self
                .db
                .query(
                    "SELECT VALUE seq FROM space_event WHERE space = $s AND seq > $from AND at >= $before \
                     ORDER BY seq LIMIT 1",
                )
                .bind(("s", log.id.clone()))
                .bind(("from", log.pruned_through))
                .bind(("before", before))
                .await
                .map_err(internal)?
                .take::<Vec<i64>>(0)
                .map_err(internal)?
                .into_iter()
                .next();
            let upto = first_kept.map_or(log.seq, |k| k - 1);
            if upto <= log.pruned_through {
                continue;
            }
            let mut res = self
                .db
                .query(
                    "BEGIN; \
                     UPDATE type::record('space', $s) SET pruned_through = math::max([pruned_through, $upto]) RETURN NONE; \
                     DELETE space_event WHERE space = $s AND seq > $from AND seq <= $upto; \
                     COMMIT;",
                )
                .bind(("s", log.id))
                .bind(("from", log.pruned_through))
                .bind(("upto", upto))
                .await
                .map_err(internal)?;
            if let Some(e) = all_errors(&mut res) {
                return Err(Error::internal(e));
            }
            total += (upto - log.pruned_through) as u64;
        }
        Ok(total)
    }

    async fn create_space_invitation(&self, inv: &SpaceInvitation) -> Result<()> {
        let (school, mentor) = match &inv.invitee {
            Invitee::School(s) => (Some(s.as_str().to_owned()), None),
            Invitee::Mentor(m) => (None, Some(m.as_str().to_owned())),
        };
        exec(
            self.db
                .query(
                    "CREATE type::record('space_invitation', $id) CONTENT { space: $space, school: $school, \
                     mentor: $mentor, status: $status, invited_by: $by, created_at: $at } RETURN NONE",
                )
                .bind(("id", inv.id.as_str().to_owned()))
                .bind(("space", inv.space.as_str().to_owned()))
                .bind(("school", school))
                .bind(("mentor", mentor))
                .bind(("status", inv.status.as_str().to_owned()))
                .bind(("by", inv.invited_by.as_str().to_owned()))
                .bind(("at", inv.created_at)),
        )
        .await
    }

    async fn space_invitation(&self, id: &SpaceInvitationId) -> Result<Option<SpaceInvitation>> {
        Ok(self
            .space_invitations_where(
                "id = type::record('space_invitation', $v)",
                id.as_str().to_owned(),
            )
            .await?
            .pop())
    }

    async fn space_invitations(&self, space: &SpaceId) -> Result<Vec<SpaceInvitation>> {
        self.space_invitations_where("space = $v", space.as_str().to_owned())
            .await
    }

    async fn open_space_invitations(&self, invitee: &Invitee) -> Result<Vec<SpaceInvitation>> {
        match invitee {
            Invitee::School(s) => {
                self.space_invitations_where(
                    "school = $v AND status = 'pending'",
                    s.as_str().to_owned(),
                )
                .await
            }
            Invitee::Mentor(m) => {
                self.space_invitations_where(
                    "mentor = $v AND status = 'pending'",
                    m.as_str().to_owned(),
                )
                .await
            }
        }
    }

    async fn answer_space_invitation(&self, inv: &SpaceInvitation) -> Result<()> {
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $changed = (UPDATE type::record('space_invitation', $id) SET status = $status, answered_by = $by, \
                    answered_at = $at WHERE status = 'pending' RETURN VALUE record::id(id)); \
                 IF array::len($changed) = 0 { THROW 'lff_invitation_answered' }; \
                 COMMIT;",
            )
            .bind(("id", inv.id.as_str().to_owned()))
            .bind(("status", inv.status.as_str().to_owned()))
            .bind(("by", inv.answered_by.as_ref().map(|u| u.as_str().to_owned())))
            .bind(("at", inv.answered_at))
            .await
            .map_err(internal)?;
        guarded(
            &mut res,
            "lff_invitation_answered",
            "the invitation was already answered",
        )
    }

    async fn mark_read(&self, channel: &ChannelId, user: &UserId, seq: u64) -> Result<()> {
        exec(
            self.db
                .query(
                    "UPSERT type::record('channel_read', $k) SET seq = math::max([seq ?? 0, $seq]) RETURN NONE",
                )
                .bind(("k", format!("{channel}{user}")))
                .bind(("seq", seq as i64)),
        )
        .await
    }

    async fn unread_counts(&self, channels: &[ChannelId], user: &UserId) -> Result<Vec<u64>> {
        let mut sql = String::new();
        for i in 0..channels.len() {
            sql.push_str(&format!(
                "RETURN array::len(SELECT VALUE seq FROM message WHERE channel = $c{i} AND seq > ((SELECT VALUE seq FROM ONLY type::record('channel_read', $k{i})) ?? 0) AND author != $u AND deleted = false);"
            ));
        }
        let mut q = self.db.query(sql).bind(("u", user.as_str().to_owned()));
        for (i, c) in channels.iter().enumerate() {
            q = q.bind((format!("c{i}"), c.as_str().to_owned()));
            q = q.bind((format!("k{i}"), format!("{c}{user}")));
        }
        let mut res = q.await.map_err(internal)?;
        let mut out = Vec::with_capacity(channels.len());
        for i in 0..channels.len() {
            let n: Option<i64> = res.take(i).map_err(internal)?;
            out.push(n.unwrap_or(0).max(0) as u64);
        }
        Ok(out)
    }

    async fn create_report(&self, r: &MessageReport) -> Result<()> {
        self.insert_report(r).await
    }

    async fn report(&self, id: &ReportId) -> Result<Option<MessageReport>> {
        self.report_by_id(id).await
    }

    async fn space_reports(
        &self,
        space: &SpaceId,
        status: Option<ReportStatus>,
        page: &PageRequest,
    ) -> Result<Page<MessageReport>> {
        self.reports_of(space, status, page).await
    }

    async fn open_report_count(&self, space: &SpaceId) -> Result<u64> {
        self.count_open_reports(space).await
    }

    async fn close_reports(
        &self,
        message: &MessageId,
        status: ReportStatus,
        handling: &ReportHandling,
    ) -> Result<Vec<MessageReport>> {
        self.close_open_reports(message, status, handling).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::{ChannelKind, Hiding, MessageBody, SpaceDetails, SpaceRole};

    async fn db() -> Database {
        crate::database::test_database().await
    }

    fn entry(space: &SpaceId, kind: SpaceEventKind) -> LogEntry {
        LogEntry {
            event: SpaceEvent {
                space: space.clone(),
                seq: None,
                at: Utc::now(),
                kind,
                staff_only: false,
            },
            replaced: None,
        }
    }

    fn message(
        space: &SpaceId,
        channel: &ChannelId,
        text: &str,
        reply_to: Option<MessageId>,
    ) -> Message {
        Message {
            id: MessageId::generate(),
            space: space.clone(),
            channel: channel.clone(),
            seq: 0,
            author: UserId::generate(),
            author_name: "Ann".into(),
            author_role: SpaceRole::Student,
            body: MessageBody::parse(text).unwrap(),
            reply_to,
            reply_count: 0,
            mentions: vec![],
            reactions: vec![],
            created_at: Utc::now(),
            edited_at: None,
            deleted: false,
            hidden: None,
        }
    }

    #[tokio::test]
    async fn the_log_gives_gap_free_positions_per_space_and_applies_each_event() {
        let db = db().await;
        let mut spaces = Vec::new();
        for _ in 0..2 {
            let s = Space {
                id: SpaceId::generate(),
                details: SpaceDetails::parse(
                    "Water",
                    "",
                    "Rivers",
                    vec![],
                    &["en".into()],
                    None,
                    None,
                )
                .unwrap(),
                lead_school: SchoolId::generate(),
                schools: vec![],
                created_by: UserId::generate(),
                created_at: Utc::now(),
                archived: false,
            };
            db.create_space(&s).await.unwrap();
            spaces.push(s.id);
        }
        let (a, b) = (&spaces[0], &spaces[1]);
        let channel = Channel {
            id: ChannelId::generate(),
            space: a.clone(),
            name: "general".into(),
            topic: None,
            kind: ChannelKind::General,
            created_by: None,
            created_at: Utc::now(),
        };
        let first = message(a, &channel.id, "first", None);
        let reply = message(a, &channel.id, "reply", Some(first.id.clone()));
        let mut other_channel = channel.clone();
        other_channel.id = ChannelId::generate();
        other_channel.space = b.clone();
        let mut batch = vec![
            entry(a, SpaceEventKind::ChannelCreated(channel.clone())),
            entry(b, SpaceEventKind::ChannelCreated(other_channel)),
            entry(a, SpaceEventKind::MessagePosted(first.clone())),
            entry(a, SpaceEventKind::MessagePosted(reply.clone())),
        ];
        db.log_space_events(&mut batch).await.unwrap();
        let seqs: Vec<u64> = batch.iter().map(|e| e.event.seq.unwrap()).collect();
        assert_eq!(seqs, vec![1, 1, 2, 3]);

        let mut edited = first.clone();
        let old = std::mem::replace(
            &mut edited.body,
            MessageBody::parse("first, edited").unwrap(),
        );
        let mut hidden = first.clone();
        hidden.hidden = Some(Hiding {
            by: UserId::generate(),
            reason: "rude".into(),
            at: Utc::now(),
        });
        let mut batch = vec![
            LogEntry {
                replaced: Some(old),
                ..entry(a, SpaceEventKind::MessageEdited(edited))
            },
            entry(
                a,
                SpaceEventKind::ReactionChanged {
                    message: first.id.clone(),
                    channel: channel.id.clone(),
                    emoji: "👍".into(),
                    user: UserId::generate(),
                    added: true,
                },
            ),
            entry(a, SpaceEventKind::MessageHidden(hidden)),
        ];
        db.log_space_events(&mut batch).await.unwrap();
        assert_eq!(batch[2].event.seq, Some(6));

        let m = db.message(&first.id).await.unwrap().unwrap();
        assert_eq!(m.seq, 2);
        assert_eq!(m.body.markdown, "first, edited");
        assert_eq!(m.reply_count, 1);
        assert_eq!(m.reactions.len(), 1);
        assert_eq!(m.hidden.as_ref().unwrap().reason, "rude");
        assert_eq!(
            db.message_edits(&first.id).await.unwrap()[0].body.markdown,
            "first"
        );
        let top = db.channel_messages(&channel.id, None, 10).await.unwrap();
        assert_eq!(
            top.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            vec![first.id.clone()]
        );
        assert_eq!(
            db.replies(&first.id, None, 10).await.unwrap()[0].id,
            reply.id
        );

        let page = db.space_log(a, 1, 100).await.unwrap();
        assert_eq!(page.head, 6);
        assert_eq!(
            page.events
                .iter()
                .map(|e| e.event.seq.unwrap())
                .collect::<Vec<_>>(),
            vec![2, 3, 4, 5, 6]
        );
        assert_eq!(
            page.events[0].redaction,
            Some(Redaction::Hidden),
            "earlier events of a hidden message are marked"
        );
        assert_eq!(page.events[1].redaction, None);

        let reader = UserId::generate();
        assert_eq!(
            db.unread_counts(std::slice::from_ref(&channel.id), &reader)
                .await
                .unwrap(),
            vec![2]
        );
        db.mark_read(&channel.id, &reader, 2).await.unwrap();
        assert_eq!(
            db.unread_counts(std::slice::from_ref(&channel.id), &reader)
                .await
                .unwrap(),
            vec![1]
        );
        db.mark_read(&channel.id, &reader, 1).await.unwrap();
        assert_eq!(
            db.unread_counts(std::slice::from_ref(&channel.id), &reader)
                .await
                .unwrap(),
            vec![1],
            "markers never move back"
        );

        let pruned = db
            .prune_space_logs(Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(pruned, 7);
        let page = db.space_log(a, 6, 100).await.unwrap();
        assert_eq!(
            (page.head, page.pruned_through, page.events.len()),
            (6, 6, 0)
        );
    }
}
