//! Scheduled events in SurrealDB: events, registrations, the logs of live
//! rooms and calendar feeds. See `migrations/0007_events.surql`.
//!
//! Event lists filter on the stored audience principals with
//! `CONTAINSANY`, which reads the event table in start order; a network
//! holds hundreds of events, not millions, so this stays cheap.

use app::events::room::model::LiveEntry;
use app::ports::EventStore;
use app::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::database::{Database, internal};
use crate::query::{DocRow, all_errors, exec, json, page_of, parse};
use app::TokenHash;
use app::{Event, Registration};
use app::{EventId, Page, PageRequest, UserId};

#[derive(SurrealValue)]
struct EventContent {
    doc: String,
    audience: Vec<String>,
    sort_key: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: String,
    updated_at: DateTime<Utc>,
}

fn event_content(e: &Event) -> Result<EventContent> {
    Ok(EventContent {
        doc: json(e)?,
        audience: e.audience_keys(),
        sort_key: e.sort_key(),
        starts_at: e.details.starts_at,
        ends_at: e.details.ends_at,
        status: e.status.as_str().to_owned(),
        updated_at: e.updated_at,
    })
}

#[derive(SurrealValue)]
struct EventRow {
    doc: String,
    sort_key: String,
    registered: i64,
    waitlisted: i64,
}

const EVENT_FIELDS: &str = "doc, sort_key, registered, waitlisted";

impl EventRow {
    fn into_event(self) -> Result<(String, Event)> {
        let mut e: Event = parse("event", &self.doc)?;
        e.registered = u32::try_from(self.registered).unwrap_or(0);
        e.waitlisted = u32::try_from(self.waitlisted).unwrap_or(0);
        Ok((self.sort_key, e))
    }
}

#[derive(SurrealValue)]
struct RegistrationContent {
    doc: String,
    event: String,
    user: String,
    status: String,
}

#[derive(SurrealValue)]
struct FeedRow {
    created_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
struct FeedOwner {
    id: String,
}

fn registration_key(event: &EventId, user: &UserId) -> String {
    format!("{event}{user}")
}

fn entry_key(e: &LiveEntry) -> String {
    format!("{}{:020}", e.event, e.seq)
}

impl Database {
    /// Registrations whose `field` (`event` or `user`, both indexed) is `value`.
    async fn registration_rows(&self, field: &str, value: &str) -> Result<Vec<Registration>> {
        let rows: Vec<DocRow> = self
            .db
            .query(format!("SELECT doc FROM registration WHERE {field} = $v"))
            .bind(("v", value.to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.iter().map(|r| parse("registration", &r.doc)).collect()
    }
}

#[async_trait]
impl EventStore for Database {
    async fn create_event(&self, e: &Event) -> Result<()> {
        exec(
            self.db
                .query("CREATE type::record('event', $id) CONTENT $row RETURN NONE")
                .bind(("id", e.id.as_str().to_owned()))
                .bind(("row", event_content(e)?)),
        )
        .await
    }

    async fn update_event(&self, e: &Event, expected: DateTime<Utc>) -> Result<()> {
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $now = (SELECT VALUE updated_at FROM ONLY type::record('event', $id)); \
                 IF $now != $prev { THROW 'lff_event_changed' }; \
                 UPDATE type::record('event', $id) MERGE $row RETURN NONE; \
                 COMMIT;",
            )
            .bind(("id", e.id.as_str().to_owned()))
            .bind(("prev", expected))
            .bind(("row", event_content(e)?))
            .await
            .map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(m) if m.contains("lff_event_changed") => Err(Error::Conflict(
                "the event was changed meanwhile; reload it and try again".into(),
            )),
            Some(m) => Err(Error::internal(m)),
        }
    }

    async fn event(&self, id: &EventId) -> Result<Option<Event>> {
        let row: Option<EventRow> = self
            .db
            .query(format!(
                "SELECT {EVENT_FIELDS} FROM ONLY type::record('event', $id)"
            ))
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| r.into_event().map(|(_, e)| e)).transpose()
    }

    async fn events_by_ids(&self, ids: &[EventId]) -> Result<Vec<Event>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let records: Vec<RecordId> = ids
            .iter()
            .map(|i| RecordId::new("event", i.as_str().to_owned()))
            .collect();
        let rows: Vec<EventRow> = self
            .db
            .query(format!("SELECT {EVENT_FIELDS} FROM $ids"))
            .bind(("ids", records))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(|r| r.into_event().map(|(_, e)| e))
            .collect()
    }

    async fn events(
        &self,
        keys: Option<&[String]>,
        from: Option<DateTime<Utc>>,
        page: &PageRequest,
    ) -> Result<Page<Event>> {
        let mut conds = vec!["sort_key > $after"];
        if keys.is_some() {
            conds.push("audience CONTAINSANY $keys");
        }
        if from.is_some() {
            conds.push("ends_at >= $from");
        }
        let sql = format!(
            "SELECT {EVENT_FIELDS} FROM event WHERE {} ORDER BY sort_key LIMIT $limit",
            conds.join(" AND ")
        );
        let rows: Vec<EventRow> = self
            .db
            .query(sql)
            .bind(("after", page.after.clone().unwrap_or_default()))
            .bind(("keys", keys.map(<[String]>::to_vec).unwrap_or_default()))
            .bind(("from", from.unwrap_or_default()))
            .bind(("limit", page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        let rows = rows
            .into_iter()
            .map(EventRow::into_event)
            .collect::<Result<Vec<_>>>()?;
        Ok(page_of(rows, page.limit))
    }

    async fn registrations(&self, event: &EventId) -> Result<Vec<Registration>> {
        self.registration_rows("event", event.as_str()).await
    }

    async fn registrations_of(&self, user: &UserId) -> Result<Vec<Registration>> {
        self.registration_rows("user", user.as_str()).await
    }

    async fn save_registrations(
        &self,
        event: &EventId,
        changed: &[Registration],
        registered: u32,
        waitlisted: u32,
    ) -> Result<()> {
        let mut sql = String::from("BEGIN; ");
        for i in 0..changed.len() {
            sql.push_str(&format!(
                "UPSERT type::record('registration', $k{i}) CONTENT $r{i} RETURN NONE; "
            ));
        }
        sql.push_str(
            "UPDATE type::record('event', $e) SET registered = $reg, waitlisted = $wait RETURN NONE; COMMIT;",
        );
        let mut q = self
            .db
            .query(sql)
            .bind(("e", event.as_str().to_owned()))
            .bind(("reg", i64::from(registered)))
            .bind(("wait", i64::from(waitlisted)));
        for (i, r) in changed.iter().enumerate() {
            q = q
                .bind((format!("k{i}"), registration_key(&r.event, &r.user)))
                .bind((
                    format!("r{i}"),
                    RegistrationContent {
                        doc: json(r)?,
                        event: r.event.as_str().to_owned(),
                        user: r.user.as_str().to_owned(),
                        status: r.status.as_str().to_owned(),
                    },
                ));
        }
        let mut res = q.await.map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(m) => Err(Error::internal(m)),
        }
    }

    async fn append_event_log(&self, entries: &[LiveEntry], events: &[Event]) -> Result<()> {
        if entries.is_empty() && events.is_empty() {
            return Ok(());
        }
        let mut sql = String::from("BEGIN; ");
        for i in 0..entries.len() {
            sql.push_str(&format!(
                "CREATE type::record('event_entry', $k{i}) CONTENT {{ event: $e{i}, seq: $s{i}, doc: $d{i} }} RETURN NONE; "
            ));
        }
        for i in 0..events.len() {
            sql.push_str(&format!(
                "UPDATE type::record('event', $ev{i}) MERGE $row{i} RETURN NONE; "
            ));
        }
        sql.push_str("COMMIT;");
        let mut q = self.db.query(sql);
        for (i, e) in entries.iter().enumerate() {
            q = q
                .bind((format!("k{i}"), entry_key(e)))
                .bind((format!("e{i}"), e.event.as_str().to_owned()))
                .bind((format!("s{i}"), e.seq.min(i64::MAX as u64) as i64))
                .bind((format!("d{i}"), json(e)?));
        }
        for (i, e) in events.iter().enumerate() {
            q = q
                .bind((format!("ev{i}"), e.id.as_str().to_owned()))
                .bind((format!("row{i}"), event_content(e)?));
        }
        let mut res = q.await.map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(m) => Err(Error::internal(m)),
        }
    }

    async fn event_log(&self, event: &EventId, after: u64, limit: usize) -> Result<Vec<LiveEntry>> {
        let rows: Vec<DocRow> = self
            .db
            .query(
                "SELECT doc, seq FROM event_entry WHERE event = $e AND seq > $after ORDER BY seq LIMIT $limit",
            )
            .bind(("e", event.as_str().to_owned()))
            .bind(("after", after.min(i64::MAX as u64) as i64))
            .bind(("limit", limit as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.iter().map(|r| parse("live entry", &r.doc)).collect()
    }

    async fn events_to_remind(&self, until: DateTime<Utc>) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = self
            .db
            .query(format!(
                "SELECT {EVENT_FIELDS} FROM event WHERE reminded = false AND starts_at <= $until AND status = 'scheduled' LIMIT 100"
            ))
            .bind(("until", until))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(|r| r.into_event().map(|(_, e)| e))
            .collect()
    }

    async fn set_reminded(&self, id: &EventId, reminded: bool) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('event', $id) SET reminded = $r RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("r", reminded)),
        )
        .await
    }

    async fn set_calendar_feed(
        &self,
        user: &UserId,
        token: Option<&TokenHash>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let q = match token {
            Some(t) => self
                .db
                .query("UPSERT type::record('calendar_feed', $u) CONTENT { token: $t, created_at: $at } RETURN NONE")
                .bind(("t", t.0.clone()))
                .bind(("at", at)),
            None => self
                .db
                .query("DELETE type::record('calendar_feed', $u) RETURN NONE"),
        };
        exec(q.bind(("u", user.as_str().to_owned()))).await
    }

    async fn calendar_feed(&self, user: &UserId) -> Result<Option<DateTime<Utc>>> {
        let row: Option<FeedRow> = self
            .db
            .query("SELECT created_at FROM ONLY type::record('calendar_feed', $u)")
            .bind(("u", user.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(row.map(|r| r.created_at))
    }

    async fn calendar_feed_user(&self, token: &TokenHash) -> Result<Option<UserId>> {
        let rows: Vec<FeedOwner> = self
            .db
            .query("SELECT record::id(id) AS id FROM calendar_feed WHERE token = $t LIMIT 1")
            .bind(("t", token.0.clone()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(rows.into_iter().next().map(|r| UserId::from_trusted(r.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::test_database as db;
    use app::EventAudience;
    use app::EventDetails;
    use app::EventForm;
    use app::EventKind;
    use app::EventRecord;
    use app::EventStatus;
    use app::RegistrationStatus;
    use app::Role;
    use app::SchoolId;
    use app::events::room::model::{LiveKind, Participant};

    fn event(start: &str) -> Event {
        let starts_at: DateTime<Utc> = start.parse().unwrap();
        let details = EventDetails::parse(EventForm {
            kind: EventKind::Webinar,
            title: "Webinar".into(),
            description: None,
            agenda: vec![],
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(1),
            time_zone: "Europe/Riga".into(),
            place: Some("Riga".into()),
            join_url: None,
            mentors: vec![],
            audience: EventAudience::Schools(vec![SchoolId::from_trusted("s1".into())]),
            capacity: Some(2),
        })
        .unwrap();
        Event {
            id: EventId::generate(),
            details,
            organizer: UserId::generate(),
            audience_countries: vec![],
            status: EventStatus::Scheduled,
            cancel_reason: None,
            live_started_at: None,
            live_ended_at: None,
            record: EventRecord::default(),
            sequence: 0,
            created_at: starts_at,
            updated_at: starts_at,
            registered: 0,
            waitlisted: 0,
        }
    }

    #[tokio::test]
    async fn events_list_by_audience_and_start_and_keep_their_counts() {
        let db = db().await;
        let late = event("2026-12-20T10:00:00Z");
        let early = event("2026-12-10T10:00:00Z");
        db.create_event(&late).await.unwrap();
        db.create_event(&early).await.unwrap();
        let page = PageRequest {
            after: None,
            limit: 10,
        };
        let keys = vec!["school:s1".to_owned()];
        let p = db.events(Some(&keys), None, &page).await.unwrap();
        let ids: Vec<_> = p.items.iter().map(|(_, e)| e.id.clone()).collect();
        assert_eq!(ids, vec![early.id.clone(), late.id.clone()]);
        let none = db
            .events(Some(&["school:other".to_owned()]), None, &page)
            .await
            .unwrap();
        assert!(none.items.is_empty());
        let from = "2026-12-15T00:00:00Z".parse().unwrap();
        let p = db.events(Some(&keys), Some(from), &page).await.unwrap();
        assert_eq!(p.items.len(), 1);

        let r = Registration {
            event: early.id.clone(),
            user: UserId::generate(),
            school: None,
            status: RegistrationStatus::Registered,
            by: UserId::generate(),
            asked_at: Utc::now(),
            order: 1,
            changed_at: Utc::now(),
        };
        db.save_registrations(&early.id, std::slice::from_ref(&r), 1, 0)
            .await
            .unwrap();
        let mut edited = early.clone();
        edited.details.title = "Renamed".into();
        edited.updated_at = early.updated_at + chrono::Duration::seconds(1);
        db.update_event(&edited, early.updated_at).await.unwrap();
        assert!(matches!(
            db.update_event(&edited, early.updated_at).await,
            Err(Error::Conflict(_))
        ));
        let back = db.event(&early.id).await.unwrap().unwrap();
        assert_eq!(
            (back.details.title.as_str(), back.registered),
            ("Renamed", 1)
        );
        assert_eq!(db.registrations_of(&r.user).await.unwrap(), vec![r]);
    }

    #[tokio::test]
    async fn a_live_log_is_read_in_order_and_a_taken_position_fails_the_batch() {
        let db = db().await;
        let e = event("2026-12-10T10:00:00Z");
        db.create_event(&e).await.unwrap();
        let who = Participant {
            user: UserId::generate(),
            name: "Ana".into(),
            school: None,
            role: Role::Student,
        };
        let entry = |seq| LiveEntry {
            event: e.id.clone(),
            seq,
            at: Utc::now(),
            kind: LiveKind::Joined { who: who.clone() },
        };
        db.append_event_log(&[entry(1), entry(2), entry(3)], &[])
            .await
            .unwrap();
        assert!(
            db.append_event_log(&[entry(4), entry(2)], &[])
                .await
                .is_err()
        );
        let seqs: Vec<u64> = db
            .event_log(&e.id, 1, 10)
            .await
            .unwrap()
            .iter()
            .map(|x| x.seq)
            .collect();
        assert_eq!(seqs, vec![2, 3], "the failed batch left nothing");
    }

    #[tokio::test]
    async fn a_calendar_feed_secret_opens_one_person_until_revoked() {
        let db = db().await;
        let u = UserId::generate();
        let t = TokenHash("abc".into());
        db.set_calendar_feed(&u, Some(&t), Utc::now())
            .await
            .unwrap();
        assert_eq!(db.calendar_feed_user(&t).await.unwrap(), Some(u.clone()));
        let t2 = TokenHash("def".into());
        db.set_calendar_feed(&u, Some(&t2), Utc::now())
            .await
            .unwrap();
        assert_eq!(db.calendar_feed_user(&t).await.unwrap(), None);
        db.set_calendar_feed(&u, None, Utc::now()).await.unwrap();
        assert_eq!(db.calendar_feed_user(&t2).await.unwrap(), None);
        assert!(db.calendar_feed(&u).await.unwrap().is_none());
    }
}
