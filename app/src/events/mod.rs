//! Scheduled events of the network — conferences, workshops, expert
//! meetings, mentoring sessions, webinars — and their use cases: planning
//! and editing them, who they are for, registration with a waitlist, what
//! remains after them (minutes, recording, materials), personal calendars
//! with a secret feed address, and reminders.
//!
//! The live room of an event (chat, questions, polls, hands, attendance) is
//! in `event_room`. Rendering a calendar file is the transport's business:
//! this module hands out the events a feed holds.

mod planning;
pub(crate) mod policy;
pub mod port;
pub mod registrations;
pub mod room;
mod visibility;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::model::{AuditEntry, RequestMeta, User, Viewer};
use crate::kernel::audience::{Principal, tokens};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, EventId, MaterialId, SchoolId, SpaceId, UserId};
use crate::kernel::paging::{MAX_PAGE, Page, PageRequest, encode_cursor};
use crate::kernel::secrets::TokenHash;
use crate::kernel::text::clean_text;
use crate::live::hub::NotificationKind;
use crate::spaces::model::MessageBody;

/// What kind of meeting an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    Conference,
    Workshop,
    ExpertMeeting,
    MentoringSession,
    Webinar,
}

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventStatus {
    Scheduled,
    Live,
    Ended,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Live => "live",
            EventStatus::Ended => "ended",
            EventStatus::Cancelled => "cancelled",
        }
    }
}

/// Who an event is for. Its organizer, its mentors and administrators see
/// it whatever the audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventAudience {
    /// Anyone, visitors too: it is shown on the front door; those signed in
    /// take part.
    Public,
    /// Everyone signed in.
    Network,
    /// The people of these countries' schools and their national coordinators.
    Countries(Vec<CountryCode>),
    /// The people of these schools and their national coordinators.
    Schools(Vec<SchoolId>),
    /// The members of one twinning space.
    Space(SpaceId),
}

/// An item of an event's programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub starts_at: DateTime<Utc>,
    pub title: String,
    pub speaker: Option<String>,
}

/// An IANA time zone name (`Asia/Baku`, `Europe/Riga`), checked against the
/// time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(s: &str) -> Result<Self> {
        let tz: chrono_tz::Tz = s.trim().parse().map_err(|_| {
            Error::invalid(
                "timeZone",
                "use an IANA time zone name, e.g. Asia/Baku or Europe/Riga",
            )
        })?;
        Ok(TimeZoneName(tz.name().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant as a wall-clock time in this zone, `YYYY-MM-DD HH:MM`.
    pub fn local(&self, at: DateTime<Utc>) -> String {
        match self.0.parse::<chrono_tz::Tz>() {
            Ok(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            Err(_) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// What an organizer writes about an event; checked by [`EventDetails::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetails {
    pub kind: EventKind,
    pub title: String,
    pub description: Option<MessageBody>,
    pub agenda: Vec<AgendaItem>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: TimeZoneName,
    pub place: Option<String>,
    pub join_url: Option<String>,
    pub mentors: Vec<UserId>,
    pub audience: EventAudience,
    pub capacity: Option<u32>,
}

/// An event's details as they arrive from a client.
#[derive(Debug, Clone)]
pub struct EventForm {
    pub kind: EventKind,
    pub title: String,
    pub description: Option<String>,
    pub agenda: Vec<(DateTime<Utc>, String, Option<String>)>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub place: Option<String>,
    pub join_url: Option<String>,
    pub mentors: Vec<UserId>,
    pub audience: EventAudience,
    pub capacity: Option<i32>,
}

/// The longest an event may last.
const MAX_EVENT_DAYS: i64 = 14;

/// Checks a link: `https://` or `http://`, at most 2,000 characters, no spaces.
pub(crate) fn parse_link(field: &'static str, s: &str) -> Result<String> {
    let s = clean_text(field, s, 2000, false)?;
    let scheme_ok = s.starts_with("https://") || s.starts_with("http://");
    if !scheme_ok || s.contains(char::is_whitespace) || s.len() < 10 {
        return Err(Error::invalid(field, "use an http:// or https:// address"));
    }
    Ok(s)
}

fn optional(field: &'static str, s: Option<&str>, max: usize) -> Result<Option<String>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => clean_text(field, s, max, false).map(Some),
    }
}

impl EventDetails {
    /// A title (≤ 200 characters), a Markdown description (≤ 10,000), an end
    /// after the start and at most 14 days later, a known time zone, agenda
    /// items (≤ 50) within the event, a place (≤ 300) and/or a join link, a
    /// capacity of 1–100,000, and an audience that names something.
    pub fn parse(form: EventForm) -> Result<Self> {
        let title = clean_text("title", &form.title, 200, false)?;
        let description = match form.description.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(MessageBody::parse(d).map_err(|e| match e {
                Error::Invalid { reason, .. } => Error::Invalid {
                    field: "description",
                    reason,
                },
                e => e,
            })?),
        };
        if form.ends_at <= form.starts_at {
            return Err(Error::invalid("endsAt", "must be after the start"));
        }
        if form.ends_at - form.starts_at > chrono::Duration::days(MAX_EVENT_DAYS) {
            return Err(Error::invalid(
                "endsAt",
                format!("an event lasts at most {MAX_EVENT_DAYS} days"),
            ));
        }
        let time_zone = TimeZoneName::parse(&form.time_zone)?;
        if form.agenda.len() > 50 {
            return Err(Error::invalid("agenda", "use at most 50 items"));
        }
        let mut agenda = Vec::with_capacity(form.agenda.len());
        for (at, title, speaker) in form.agenda {
            if at < form.starts_at || at > form.ends_at {
                return Err(Error::invalid(
                    "agenda",
                    "every item must start within the event",
                ));
            }
            agenda.push(AgendaItem {
                starts_at: at,
                title: clean_text("agenda", &title, 200, false)?,
                speaker: optional("agenda", speaker.as_deref(), 200)?,
            });
        }
        agenda.sort_by_key(|a| a.starts_at);
        let place = optional("place", form.place.as_deref(), 300)?;
        let join_url = match form.join_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(parse_link("joinUrl", u)?),
        };
        if place.is_none() && join_url.is_none() {
            return Err(Error::invalid(
                "place",
                "give a place, an online join link, or both",
            ));
        }
        let capacity = match form.capacity {
            None => None,
            Some(c) if (1..=100_000).contains(&c) => Some(c as u32),
            Some(_) => return Err(Error::invalid("capacity", "use 1 to 100,000 seats")),
        };
        let mut mentors = form.mentors;
        mentors.sort();
        mentors.dedup();
        if mentors.len() > 20 {
            return Err(Error::invalid("mentors", "name at most 20 mentors"));
        }
        let audience = match form.audience {
            EventAudience::Countries(mut c) => {
                c.sort();
                c.dedup();
                if c.is_empty() || c.len() > 200 {
                    return Err(Error::invalid("audience", "name 1 to 200 countries"));
                }
                EventAudience::Countries(c)
            }
            EventAudience::Schools(mut s) => {
                s.sort();
                s.dedup();
                if s.is_empty() || s.len() > 500 {
                    return Err(Error::invalid("audience", "name 1 to 500 schools"));
                }
                EventAudience::Schools(s)
            }
            a => a,
        };
        Ok(EventDetails {
            kind: form.kind,
            title,
            description,
            agenda,
            starts_at: form.starts_at,
            ends_at: form.ends_at,
            time_zone,
            place,
            join_url,
            mentors,
            audience,
            capacity,
        })
    }
}

/// What remains after an event: minutes, a recording, materials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub minutes: Option<MessageBody>,
    pub recording_url: Option<String>,
    pub materials: Vec<MaterialId>,
}

/// A scheduled event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub details: EventDetails,
    pub organizer: UserId,
    /// The countries of the audience's schools, for their coordinators.
    pub audience_countries: Vec<CountryCode>,
    pub status: EventStatus,
    pub cancel_reason: Option<String>,
    pub live_started_at: Option<DateTime<Utc>>,
    pub live_ended_at: Option<DateTime<Utc>>,
    pub record: EventRecord,
    /// Raised by every change registrants should hear of (iCalendar's SEQUENCE).
    pub sequence: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Seats taken and people waiting (kept by the store with the registrations).
    #[serde(default)]
    pub registered: u32,
    #[serde(default)]
    pub waitlisted: u32,
}

impl Event {
    /// The principals the event is for, as the tokens stored beside it so
    /// that lists filter in the database: its audience, the national
    /// coordinators of the countries it reaches, its organizer and mentors.
    pub fn audience_keys(&self) -> Vec<String> {
        let mut keys: Vec<Principal> = match &self.details.audience {
            EventAudience::Public => vec![Principal::Public],
            EventAudience::Network => vec![Principal::Network],
            EventAudience::Countries(cs) => cs.iter().cloned().map(Principal::Country).collect(),
            EventAudience::Schools(ss) => ss.iter().cloned().map(Principal::School).collect(),
            EventAudience::Space(s) => vec![Principal::Space(s.clone())],
        };
        keys.extend(
            self.audience_countries
                .iter()
                .cloned()
                .map(Principal::Coordinator),
        );
        keys.push(Principal::User(self.organizer.clone()));
        keys.extend(self.details.mentors.iter().cloned().map(Principal::User));
        tokens(keys)
    }

    /// Whether this person runs the event: its organizer or one of its mentors.
    pub fn is_host(&self, user: &UserId) -> bool {
        &self.organizer == user || self.details.mentors.contains(user)
    }

    /// The sort key of event lists: start time, then id.
    pub fn sort_key(&self) -> String {
        format!(
            "{} {}",
            self.details.starts_at.format("%Y%m%dT%H%M%S%.3f"),
            self.id
        )
    }

    /// The markdown description as plain text (for calendars).
    pub fn description_text(&self) -> String {
        self.details
            .description
            .as_ref()
            .map(|d| crate::materials::previews::markdown_text(&d.markdown))
            .unwrap_or_default()
    }
}

/// Where one person stands with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationStatus {
    Registered,
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "registered",
            RegistrationStatus::Waitlisted => "waitlisted",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }
}

/// One person's registration for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub event: EventId,
    pub user: UserId,
    pub school: Option<SchoolId>,
    pub status: RegistrationStatus,
    /// Who registered them: themselves, or their teacher.
    pub by: UserId,
    /// When they asked for a seat.
    pub asked_at: DateTime<Utc>,
    /// The order in which people asked; the waitlist is served in it.
    #[serde(default)]
    pub order: u64,
    pub changed_at: DateTime<Utc>,
}

/// How long before its start an event reminds its registrants.
pub const DEFAULT_REMINDER: chrono::Duration = chrono::Duration::minutes(30);

/// A personal calendar feed's secret, shown once when it is made.
#[derive(Debug, Clone)]
pub struct IssuedFeed {
    pub token: String,
    pub created_at: DateTime<Utc>,
}

/// How far back and ahead a calendar feed reaches.
const FEED_PAST_DAYS: i64 = 60;
const FEED_AHEAD_DAYS: i64 = 400;

/// The events' use cases: events and their audiences, registrations,
/// reminders, calendar feeds and live rooms, over the events' port and
/// state and the handles of the domains below.
#[derive(Clone, Copy)]
pub struct Events<'a> {
    pub(crate) store: &'a dyn port::EventStore,
    pub(crate) state: &'a State,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
    pub(crate) spaces: crate::spaces::Spaces<'a>,
    pub(crate) materials: crate::materials::Materials<'a>,
    pub(crate) notifications: crate::notifications::Notifications<'a>,
    /// The façade, kept only by what outlives a call: a live room's stream
    /// re-checks its viewer's access, and a departure is written after a grace.
    pub(crate) owner: &'a crate::App,
}

/// What the events keep in memory: their lock, the reminders' wake-up and
/// the live rooms.
pub(crate) struct State {
    /// The port and the clock again, owned, for the room writer's task.
    pub(crate) store: std::sync::Arc<dyn port::EventStore>,
    pub(crate) clock: std::sync::Arc<dyn crate::kernel::clock::Clock>,
    /// Serializes changes to events and their registrations (seats are
    /// counted under it). An async mutex: it is held across database calls.
    pub(crate) lock: tokio::sync::Mutex<()>,
    pub(crate) reminders_wake: std::sync::Arc<tokio::sync::Notify>,
    /// The live rooms' writer task, started on first use.
    pub(crate) room_writer: std::sync::OnceLock<room::RoomWriter>,
    pub(crate) room_hub: room::hub::RoomHub,
    /// Open connections per participant and room in this process.
    pub(crate) room_presence:
        crate::live::presence::Presence<(EventId, UserId), room::model::Participant>,
}

impl State {
    pub(crate) fn new(
        store: std::sync::Arc<dyn port::EventStore>,
        clock: std::sync::Arc<dyn crate::kernel::clock::Clock>,
    ) -> Self {
        State {
            store,
            clock,
            lock: Default::default(),
            reminders_wake: Default::default(),
            room_writer: Default::default(),
            room_hub: Default::default(),
            room_presence: crate::live::presence::Presence::new(room::ATTENDANCE_GRACE),
        }
    }
}

impl Events<'_> {
    /// The viewer's own upcoming events: those they are registered or
    /// waitlisted for, organize or mentor, in order of their start.
    pub async fn my_events(&self, viewer: &Viewer, page: &PageRequest) -> Result<Page<Event>> {
        let from = self.clock.now();
        let mut list = self.personal_events(&viewer.user.id, from).await?;
        list.retain(|e| e.status != EventStatus::Cancelled);
        let mut items: Vec<(String, Event)> = list
            .into_iter()
            .map(|e| (e.sort_key(), e))
            .filter(|(k, _)| page.after.as_ref().is_none_or(|a| k > a))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let has_next = items.len() > page.limit;
        items.truncate(page.limit);
        let items = items
            .into_iter()
            .map(|(k, e)| (encode_cursor(&k), e))
            .collect();
        Ok(Page { items, has_next })
    }

    /// Events that concern a person personally and end after `from`.
    async fn personal_events(&self, user: &UserId, from: DateTime<Utc>) -> Result<Vec<Event>> {
        let regs = self.store.registrations_of(user).await?;
        let mut ids: Vec<EventId> = regs
            .iter()
            .filter(|r| r.status != RegistrationStatus::Cancelled)
            .map(|r| r.event.clone())
            .collect();
        let keys = [Principal::User(user.clone()).token()];
        let mut list: Vec<Event> = Vec::new();
        let mut page = PageRequest {
            after: None,
            limit: MAX_PAGE,
        };
        loop {
            let hosted = self.store.events(Some(&keys), Some(from), &page).await?;
            let last = hosted.items.last().map(|(_, e)| e.sort_key());
            list.extend(
                hosted
                    .items
                    .into_iter()
                    .map(|(_, e)| e)
                    .filter(|e| e.is_host(user)),
            );
            match last {
                Some(k) if hosted.has_next => page.after = Some(k),
                _ => break,
            }
        }
        ids.retain(|id| !list.iter().any(|e| &e.id == id));
        ids.sort();
        ids.dedup();
        list.extend(self.store.events_by_ids(&ids).await?);
        list.retain(|e| e.details.ends_at >= from);
        Ok(list)
    }

    /// Schedules an event (administrators, mentors, national coordinators
    /// and school staff, each for the audience they may plan for).
    #[tracing::instrument(skip_all)]
    pub async fn create_event(
        &self,
        viewer: &Viewer,
        details: EventDetails,
        meta: &RequestMeta,
    ) -> Result<Event> {
        if !policy::plans_events(Some(viewer)) {
            return Err(Error::Forbidden);
        }
        let audience_countries = self.check_plan(viewer, &details).await?;
        let now = self.clock.now();
        let e = Event {
            id: EventId::generate(),
            details,
            organizer: viewer.user.id.clone(),
            audience_countries,
            status: EventStatus::Scheduled,
            cancel_reason: None,
            live_started_at: None,
            live_ended_at: None,
            record: EventRecord::default(),
            sequence: 0,
            created_at: now,
            updated_at: now,
            registered: 0,
            waitlisted: 0,
        };
        self.store.create_event(&e).await?;
        self.audit_event(viewer, "event.create", &e, meta).await?;
        let mentors: Vec<UserId> = e
            .details
            .mentors
            .iter()
            .filter(|m| **m != viewer.user.id)
            .cloned()
            .collect();
        let n = self.event_notice(NotificationKind::EventScheduled, &e, viewer);
        self.notifications.notify(&mentors, n).await?;
        self.wake_reminders();
        Ok(e)
    }

    fn event_notice(
        &self,
        kind: NotificationKind,
        e: &Event,
        actor: &Viewer,
    ) -> crate::live::hub::Notification {
        let when = e.details.time_zone.local(e.details.starts_at);
        let excerpt = format!(
            "{} — {when} ({})",
            e.details.title,
            e.details.time_zone.as_str()
        );
        self.notifications.notice(
            kind,
            None,
            Some(e.id.as_str()),
            Some(actor.user.display_name.as_str()),
            Some(&excerpt),
        )
    }

    async fn audit_event(
        &self,
        viewer: &Viewer,
        action: &str,
        e: &Event,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.accounts
            .store
            .append_audit(&AuditEntry {
                actor: Some(viewer.user.id.clone()),
                action: action.into(),
                target: format!("event:{}", e.id),
                country: e.audience_countries.first().cloned(),
                at: self.clock.now(),
                request_id: meta.request_id.clone(),
                outcome: "ok".into(),
            })
            .await
    }

    /// Who may change an event: its organizer, its mentors, administrators.
    pub fn hosts(viewer: &Viewer, e: &Event) -> bool {
        e.is_host(&viewer.user.id) || policy::is_admin(Some(viewer))
    }

    /// An event the viewer may change, read under the events lock.
    async fn hosted_event(&self, viewer: &Viewer, id: &EventId) -> Result<Event> {
        let e = self.visible_event(Some(viewer), id).await?;
        if Events::hosts(viewer, &e) {
            Ok(e)
        } else {
            Err(Error::Forbidden)
        }
    }

    /// The people to tell about a change: registered and waitlisted.
    async fn registrants(&self, id: &EventId) -> Result<Vec<UserId>> {
        Ok(self
            .store
            .registrations(id)
            .await?
            .into_iter()
            .filter(|r| r.status != RegistrationStatus::Cancelled)
            .map(|r| r.user)
            .collect())
    }

    /// Changes an event's details (its hosts); registrants are told.
    /// `expected` is the `updatedAt` the editor read (`CONFLICT` if it changed).
    #[tracing::instrument(skip_all)]
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        id: &EventId,
        details: EventDetails,
        expected: Option<DateTime<Utc>>,
        meta: &RequestMeta,
    ) -> Result<Event> {
        let _lock = self.state.lock.lock().await;
        let mut e = self.hosted_event(viewer, id).await?;
        if matches!(e.status, EventStatus::Ended | EventStatus::Cancelled) {
            return Err(Error::Conflict(
                "the event is over and can no longer change".into(),
            ));
        }
        if expected.is_some_and(|x| x != e.updated_at) {
            return Err(Error::Conflict(
                "the event was changed meanwhile; reload it".into(),
            ));
        }
        if e.status == EventStatus::Live && details.audience != e.details.audience {
            return Err(Error::Conflict(
                "the audience of a live event cannot change".into(),
            ));
        }
        if let Some(c) = details.capacity
            && c < e.registered
        {
            return Err(Error::invalid(
                "capacity",
                format!("{} people already hold seats", e.registered),
            ));
        }
        let countries = self.check_plan(viewer, &details).await?;
        let before = e.updated_at;
        let moved = e.details.starts_at != details.starts_at;
        e.details = details;
        e.audience_countries = countries;
        e.sequence += 1;
        e.updated_at = self
            .clock
            .now()
            .max(before + chrono::Duration::milliseconds(1));
        if moved {
            self.store.set_reminded(&e.id, false).await?;
        }
        self.store.update_event(&e, before).await?;
        self.audit_event(viewer, "event.update", &e, meta).await?;
        let people = self.registrants(&e.id).await?;
        let n = self.event_notice(NotificationKind::EventChanged, &e, viewer);
        self.notifications.notify(&people, n).await?;
        self.wake_reminders();
        Ok(e)
    }

    /// Cancels an event that has not ended (its hosts); registrants are told.
    #[tracing::instrument(skip_all)]
    pub async fn cancel_event(
        &self,
        viewer: &Viewer,
        id: &EventId,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<Event> {
        let reason = clean_text("reason", reason, 1000, true)?;
        let _lock = self.state.lock.lock().await;
        let mut e = self.hosted_event(viewer, id).await?;
        if e.status != EventStatus::Scheduled {
            return Err(Error::Conflict(
                "only an event that has not started can be cancelled".into(),
            ));
        }
        let before = e.updated_at;
        e.status = EventStatus::Cancelled;
        e.cancel_reason = Some(reason);
        e.sequence += 1;
        e.updated_at = self
            .clock
            .now()
            .max(before + chrono::Duration::milliseconds(1));
        self.store.update_event(&e, before).await?;
        self.audit_event(viewer, "event.cancel", &e, meta).await?;
        let people = self.registrants(&e.id).await?;
        let n = self.event_notice(NotificationKind::EventCancelled, &e, viewer);
        self.notifications.notify(&people, n).await?;
        Ok(e)
    }

    /// Records what remains after an event (its hosts): minutes (Markdown),
    /// a recording link, materials the host may read. `None` leaves a part
    /// as it is; an empty text removes it.
    #[tracing::instrument(skip_all)]
    pub async fn record_event_outcome(
        &self,
        viewer: &Viewer,
        id: &EventId,
        minutes: Option<&str>,
        recording_url: Option<&str>,
        materials: Option<Vec<MaterialId>>,
    ) -> Result<Event> {
        let _lock = self.state.lock.lock().await;
        let mut e = self.hosted_event(viewer, id).await?;
        if e.status == EventStatus::Cancelled {
            return Err(Error::Conflict("the event was cancelled".into()));
        }
        if let Some(m) = minutes {
            e.record.minutes = if m.trim().is_empty() {
                None
            } else {
                Some(MessageBody::parse(m).map_err(|e| match e {
                    Error::Invalid { reason, .. } => Error::Invalid {
                        field: "minutes",
                        reason,
                    },
                    e => e,
                })?)
            };
        }
        if let Some(u) = recording_url {
            e.record.recording_url = if u.trim().is_empty() {
                None
            } else {
                Some(parse_link("recordingUrl", u)?)
            };
        }
        if let Some(mut ids) = materials {
            ids.dedup();
            if ids.len() > 50 {
                return Err(Error::invalid("materials", "attach at most 50 materials"));
            }
            for m in &ids {
                self.materials
                    .material(Some(viewer), m)
                    .await
                    .map_err(|_| Error::invalid("materials", "a material named is not known"))?;
            }
            e.record.materials = ids;
        }
        let before = e.updated_at;
        e.updated_at = self
            .clock
            .now()
            .max(before + chrono::Duration::milliseconds(1));
        self.store.update_event(&e, before).await?;
        Ok(e)
    }

    /// The materials attached to an event that the viewer may read.
    pub async fn event_materials(
        &self,
        viewer: &Viewer,
        e: &Event,
    ) -> Result<Vec<crate::materials::Material>> {
        let mut out = Vec::new();
        for id in &e.record.materials {
            if let Ok(m) = self.materials.material(Some(viewer), id).await {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Makes (or remakes) the viewer's calendar feed secret; an older one
    /// stops working at once.
    #[tracing::instrument(skip_all)]
    pub async fn create_calendar_feed(&self, viewer: &Viewer) -> Result<IssuedFeed> {
        let token = crate::kernel::secrets::new_feed_token();
        let hash = crate::kernel::secrets::token_hash(&token);
        let now = self.clock.now();
        self.store
            .set_calendar_feed(&viewer.user.id, Some(&hash), now)
            .await?;
        Ok(IssuedFeed {
            token,
            created_at: now,
        })
    }

    /// Ends the viewer's calendar feed.
    pub async fn revoke_calendar_feed(&self, viewer: &Viewer) -> Result<bool> {
        self.store
            .set_calendar_feed(&viewer.user.id, None, self.clock.now())
            .await?;
        Ok(true)
    }

    /// When the viewer's calendar feed was made, if they have one.
    pub async fn calendar_feed_created(&self, viewer: &Viewer) -> Result<Option<DateTime<Utc>>> {
        self.store.calendar_feed(&viewer.user.id).await
    }

    /// The events of a calendar feed, found by its secret: the person's own
    /// events from 60 days ago to 400 days ahead, cancelled ones included
    /// (so that calendars remove them), with the person's registration.
    /// An unknown or revoked secret, or a deactivated person, is `NotFound`.
    pub async fn calendar_feed_events(
        &self,
        token: &str,
    ) -> Result<(User, Vec<(Event, Option<RegistrationStatus>)>)> {
        if !token.starts_with("lffcal_") || token.len() > 100 {
            return Err(Error::NotFound);
        }
        let hash = crate::kernel::secrets::token_hash(token);
        let user_id = self
            .store
            .calendar_feed_user(&hash)
            .await?
            .ok_or(Error::NotFound)?;
        let user = self
            .accounts
            .store
            .user(&user_id)
            .await?
            .ok_or(Error::NotFound)?;
        if !user.active {
            return Err(Error::NotFound);
        }
        let now = self.clock.now();
        let from = now - chrono::Duration::days(FEED_PAST_DAYS);
        let until = now + chrono::Duration::days(FEED_AHEAD_DAYS);
        let regs = self.store.registrations_of(&user.id).await?;
        let mut list = self.personal_events(&user.id, from).await?;
        list.retain(|e| e.details.starts_at <= until);
        list.sort_by_key(|e| e.sort_key());
        // Each event as its owner would see it now: one they can no longer
        // see leaves the feed (their calendar removes it), and the video-call
        // link goes only to those with a place in the room — not to a
        // waitlist.
        let as_owner = Viewer {
            user: user.clone(),
            token_hash: TokenHash(String::new()),
            session_expires_at: now,
        };
        let mut out = Vec::with_capacity(list.len());
        for mut e in list {
            let access = match self.room_access(&as_owner, &e.id).await {
                Ok(a) => a,
                Err(Error::NotFound | Error::Forbidden) => continue,
                Err(other) => return Err(other),
            };
            if !access.participant {
                e.details.join_url = None;
            }
            let status = regs.iter().find(|r| r.event == e.id).map(|r| r.status);
            out.push((e, status));
        }
        Ok((user, out))
    }

    /// Sends the reminders that are due: to everyone registered for an
    /// event starting within `before` that has not reminded them yet.
    /// Returns how many events reminded.
    pub async fn send_due_reminders(&self, before: chrono::Duration) -> Result<usize> {
        let now = self.clock.now();
        let due = self.store.events_to_remind(now + before).await?;
        let mut sent = 0;
        for e in due {
            if e.status != EventStatus::Scheduled || e.details.starts_at < now - before {
                self.store.set_reminded(&e.id, true).await?;
                continue;
            }
            let people: Vec<UserId> = self
                .store
                .registrations(&e.id)
                .await?
                .into_iter()
                .filter(|r| r.status == RegistrationStatus::Registered)
                .map(|r| r.user)
                .collect();
            let when = e.details.time_zone.local(e.details.starts_at);
            let excerpt = format!(
                "{} — {when} ({})",
                e.details.title,
                e.details.time_zone.as_str()
            );
            let n = self.notifications.notice(
                NotificationKind::EventReminder,
                None,
                Some(e.id.as_str()),
                None,
                Some(&excerpt),
            );
            self.notifications.notify(&people, n).await?;
            self.store.set_reminded(&e.id, true).await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Sends reminders as they fall due, until the app is dropped: looks
    /// every 30 s, and at once when an event or registration changes.
    pub async fn run_reminders(&self, before: chrono::Duration) {
        let wake = self.state.reminders_wake.clone();
        loop {
            if let Err(e) = self.send_due_reminders(before).await {
                tracing::warn!(error = %e, "sending event reminders failed");
            }
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), wake.notified()).await;
        }
    }

    pub(crate) fn wake_reminders(&self) {
        self.state.reminders_wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EventForm {
        let start = "2026-12-10T08:00:00Z".parse().unwrap();
        EventForm {
            kind: EventKind::MentoringSession,
            title: "Digital citizenship".into(),
            description: Some("We talk about **media literacy**.".into()),
            agenda: vec![(start, "Welcome".into(), None)],
            starts_at: start,
            ends_at: start + chrono::Duration::hours(1),
            time_zone: "Asia/Baku".into(),
            place: None,
            join_url: Some("https://meet.example/abc".into()),
            mentors: vec![],
            audience: EventAudience::Network,
            capacity: Some(30),
        }
    }

    #[test]
    fn a_well_formed_event_is_accepted_and_shown_in_its_zone() {
        let d = EventDetails::parse(form()).unwrap();
        assert_eq!(d.time_zone.as_str(), "Asia/Baku");
        assert_eq!(d.time_zone.local(d.starts_at), "2026-12-10 12:00");
        let riga = TimeZoneName::parse("Europe/Riga").unwrap();
        assert_eq!(riga.local(d.starts_at), "2026-12-10 10:00");
        // Summer time in Riga, none in Baku.
        let july = "2027-07-01T08:00:00Z".parse().unwrap();
        assert_eq!(riga.local(july), "2027-07-01 11:00");
        assert_eq!(d.time_zone.local(july), "2027-07-01 12:00");
        assert!(d.description.unwrap().html.contains("<strong>"));
    }

    #[test]
    fn bad_event_details_name_their_field() {
        let field = |f: EventForm| match EventDetails::parse(f) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("accepted: {other:?}"),
        };
        let mut f = form();
        f.time_zone = "Mars/Olympus".into();
        assert_eq!(field(f), "timeZone");
        let mut f = form();
        f.ends_at = f.starts_at;
        assert_eq!(field(f), "endsAt");
        let mut f = form();
        f.join_url = Some("javascript:alert(1)".into());
        assert_eq!(field(f), "joinUrl");
        let mut f = form();
        f.join_url = None;
        assert_eq!(field(f), "place");
        let mut f = form();
        f.capacity = Some(0);
        assert_eq!(field(f), "capacity");
        let mut f = form();
        f.agenda = vec![(f.ends_at + chrono::Duration::hours(1), "Late".into(), None)];
        assert_eq!(field(f), "agenda");
        let mut f = form();
        f.audience = EventAudience::Schools(vec![]);
        assert_eq!(field(f), "audience");
    }

    #[test]
    fn audience_keys_name_the_audience_and_the_hosts() {
        let d = EventDetails::parse(EventForm {
            audience: EventAudience::Schools(vec![SchoolId::from_trusted("s1".into())]),
            ..form()
        })
        .unwrap();
        let e = Event {
            id: EventId::generate(),
            details: d,
            organizer: UserId::from_trusted("org".into()),
            audience_countries: vec![CountryCode::from_trusted("AZ".into())],
            status: EventStatus::Scheduled,
            cancel_reason: None,
            live_started_at: None,
            live_ended_at: None,
            record: EventRecord::default(),
            sequence: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            registered: 0,
            waitlisted: 0,
        };
        assert_eq!(e.audience_keys(), vec!["coord:AZ", "school:s1", "user:org"]);
    }
}
