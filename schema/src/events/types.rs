//! GraphQL types of scheduled events and their live rooms.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::accounts::types::User;
use crate::context::{UseCases, viewer, viewer_opt};
use crate::errors::GqlResult;
use crate::events::room::{AttendanceReport, LiveRoom};
use crate::materials::types::Material;

/// What kind of meeting an event is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Conference,
    Workshop,
    ExpertMeeting,
    MentoringSession,
    Webinar,
}

impl From<app::EventKind> for EventKind {
    fn from(k: app::EventKind) -> Self {
        match k {
            app::EventKind::Conference => EventKind::Conference,
            app::EventKind::Workshop => EventKind::Workshop,
            app::EventKind::ExpertMeeting => EventKind::ExpertMeeting,
            app::EventKind::MentoringSession => EventKind::MentoringSession,
            app::EventKind::Webinar => EventKind::Webinar,
        }
    }
}

impl From<EventKind> for app::EventKind {
    fn from(k: EventKind) -> Self {
        match k {
            EventKind::Conference => app::EventKind::Conference,
            EventKind::Workshop => app::EventKind::Workshop,
            EventKind::ExpertMeeting => app::EventKind::ExpertMeeting,
            EventKind::MentoringSession => app::EventKind::MentoringSession,
            EventKind::Webinar => app::EventKind::Webinar,
        }
    }
}

/// Where an event is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Planned; registration is open.
    Scheduled,
    /// The live room is open.
    Live,
    /// The live session is over.
    Ended,
    /// Called off by its hosts.
    Cancelled,
}

impl From<app::EventStatus> for EventStatus {
    fn from(s: app::EventStatus) -> Self {
        match s {
            app::EventStatus::Scheduled => EventStatus::Scheduled,
            app::EventStatus::Live => EventStatus::Live,
            app::EventStatus::Ended => EventStatus::Ended,
            app::EventStatus::Cancelled => EventStatus::Cancelled,
        }
    }
}

/// Who an event is for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AudienceKind {
    /// Anyone, visitors too: shown on the front door; those signed in take
    /// part. Administrators, mentors and national coordinators plan these.
    Public,
    /// Everyone signed in.
    Network,
    /// The people of some countries' schools.
    Countries,
    /// The people of some schools.
    Schools,
    /// The members of one twinning space.
    Space,
}

/// Who an event is for: exactly one of the choices.
#[derive(InputObject)]
pub struct EventAudienceInput {
    pub kind: AudienceKind,
    /// Country codes, for `COUNTRIES`.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// School ids, for `SCHOOLS`.
    #[graphql(default)]
    pub schools: Vec<ID>,
    /// A space id, for `SPACE`.
    pub space: Option<ID>,
}

/// An item of the programme.
#[derive(InputObject)]
pub struct AgendaItemInput {
    pub starts_at: DateTime<Utc>,
    pub title: String,
    pub speaker: Option<String>,
}

/// An event as its organizer describes it.
#[derive(InputObject)]
pub struct CreateEventInput {
    pub kind: EventKind,
    pub title: String,
    /// Markdown.
    pub description: Option<String>,
    #[graphql(default)]
    pub agenda: Vec<AgendaItemInput>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The organizer's IANA time zone, e.g. `Asia/Baku`; times are shown in it.
    pub time_zone: String,
    /// Where it takes place, for meetings in person.
    pub place: Option<String>,
    /// The link of the video call (http or https); shown to participants only.
    pub join_url: Option<String>,
    /// Mentors who run it with the organizer.
    #[graphql(default)]
    pub mentors: Vec<ID>,
    pub audience: EventAudienceInput,
    /// Seats; without it anyone in the audience may come.
    pub capacity: Option<i32>,
}

impl CreateEventInput {
    pub fn parse(self) -> app::Result<app::EventDetails> {
        let a = self.audience;
        let audience = match a.kind {
            AudienceKind::Public => app::EventAudience::Public,
            AudienceKind::Network => app::EventAudience::Network,
            AudienceKind::Countries => app::EventAudience::Countries(
                a.countries
                    .iter()
                    .map(|c| app::CountryCode::parse(c))
                    .collect::<app::Result<_>>()
                    .map_err(|_| app::Error::invalid("audience", "use two-letter country codes"))?,
            ),
            AudienceKind::Schools => app::EventAudience::Schools(
                a.schools
                    .iter()
                    .map(|s| app::SchoolId::parse(s))
                    .collect::<app::Result<_>>()
                    .map_err(|_| app::Error::invalid("audience", "a school named is not known"))?,
            ),
            AudienceKind::Space => app::EventAudience::Space(
                a.space
                    .as_deref()
                    .map(|s| app::SpaceId::parse(s))
                    .transpose()
                    .map_err(|_| app::Error::invalid("audience", "the space named is not known"))?
                    .ok_or_else(|| app::Error::invalid("audience", "name the space"))?,
            ),
        };
        let mentors = self
            .mentors
            .iter()
            .map(|m| app::UserId::parse(m))
            .collect::<app::Result<_>>()
            .map_err(|_| app::Error::invalid("mentors", "name active mentors only"))?;
        app::EventDetails::parse(app::EventForm {
            kind: self.kind.into(),
            title: self.title,
            description: self.description,
            agenda: self
                .agenda
                .into_iter()
                .map(|a| (a.starts_at, a.title, a.speaker))
                .collect(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone,
            place: self.place,
            join_url: self.join_url,
            mentors,
            audience,
            capacity: self.capacity,
        })
    }
}

/// An item of an event's programme.
#[derive(SimpleObject)]
pub struct AgendaItem {
    pub starts_at: DateTime<Utc>,
    pub title: String,
    pub speaker: Option<String>,
}

/// Who an event is for.
#[derive(SimpleObject)]
pub struct EventAudience {
    pub kind: AudienceKind,
    pub countries: Vec<String>,
    pub schools: Vec<ID>,
    pub space: Option<ID>,
}

/// A scheduled conference, workshop, expert meeting, mentoring session or webinar.
pub struct Event(pub app::Event);

#[Object]
impl Event {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn kind(&self) -> EventKind {
        self.0.details.kind.into()
    }

    async fn title(&self) -> &str {
        &self.0.details.title
    }

    /// The description as written (Markdown).
    async fn description(&self) -> Option<&str> {
        self.0
            .details
            .description
            .as_ref()
            .map(|d| d.markdown.as_str())
    }

    /// The description as safe HTML.
    async fn description_html(&self) -> Option<&str> {
        self.0.details.description.as_ref().map(|d| d.html.as_str())
    }

    async fn agenda(&self) -> Vec<AgendaItem> {
        self.0
            .details
            .agenda
            .iter()
            .map(|a| AgendaItem {
                starts_at: a.starts_at,
                title: a.title.clone(),
                speaker: a.speaker.clone(),
            })
            .collect()
    }

    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.details.starts_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.details.ends_at
    }

    /// The organizer's IANA time zone.
    async fn time_zone(&self) -> &str {
        self.0.details.time_zone.as_str()
    }

    /// The start as a wall-clock time (`YYYY-MM-DD HH:MM`) in a time zone:
    /// the given IANA zone, or the organizer's.
    async fn local_start(&self, time_zone: Option<String>) -> Result<String> {
        let tz = match time_zone {
            Some(t) => app::TimeZoneName::parse(&t).gql()?,
            None => self.0.details.time_zone.clone(),
        };
        Ok(tz.local(self.0.details.starts_at))
    }

    async fn place(&self) -> Option<&str> {
        self.0.details.place.as_deref()
    }

    /// The video call's link: for those who may take part only.
    async fn join_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let (Some(url), Some(v)) = (&self.0.details.join_url, viewer_opt(ctx)) else {
            return Ok(None);
        };
        let a = ctx.events().room_access(v, &self.0.id).await.gql()?;
        Ok(a.participant.then(|| url.clone()))
    }

    /// The organizer, if you may see them.
    async fn organizer(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(v) = viewer_opt(ctx) else {
            return Ok(None);
        };
        Ok(ctx
            .people()
            .user(v, &self.0.organizer)
            .await
            .ok()
            .map(User::from))
    }

    /// The mentors who run it, as far as you may see them.
    async fn mentors(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let Some(v) = viewer_opt(ctx) else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        for m in &self.0.details.mentors {
            if let Ok(u) = ctx.people().user(v, m).await {
                out.push(User::from(u));
            }
        }
        Ok(out)
    }

    async fn audience(&self) -> EventAudience {
        match &self.0.details.audience {
            app::EventAudience::Public => EventAudience {
                kind: AudienceKind::Public,
                countries: vec![],
                schools: vec![],
                space: None,
            },
            app::EventAudience::Network => EventAudience {
                kind: AudienceKind::Network,
                countries: vec![],
                schools: vec![],
                space: None,
            },
            app::EventAudience::Countries(c) => EventAudience {
                kind: AudienceKind::Countries,
                countries: c.iter().map(|c| c.to_string()).collect(),
                schools: vec![],
                space: None,
            },
            app::EventAudience::Schools(s) => EventAudience {
                kind: AudienceKind::Schools,
                countries: vec![],
                schools: s.iter().map(|s| ID(s.to_string())).collect(),
                space: None,
            },
            app::EventAudience::Space(s) => EventAudience {
                kind: AudienceKind::Space,
                countries: vec![],
                schools: vec![],
                space: Some(ID(s.to_string())),
            },
        }
    }

    /// Seats; null when anyone in the audience may come.
    async fn capacity(&self) -> Option<u32> {
        self.0.details.capacity
    }

    /// People holding a seat.
    async fn registered_count(&self) -> u32 {
        self.0.registered
    }

    /// People waiting for a seat.
    async fn waitlist_count(&self) -> u32 {
        self.0.waitlisted
    }

    async fn status(&self) -> EventStatus {
        self.0.status.into()
    }

    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    async fn live_started_at(&self) -> Option<DateTime<Utc>> {
        self.0.live_started_at
    }

    async fn live_ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.live_ended_at
    }

    /// Minutes of the session as written (Markdown).
    async fn minutes(&self) -> Option<&str> {
        self.0.record.minutes.as_ref().map(|m| m.markdown.as_str())
    }

    /// Minutes of the session as safe HTML.
    async fn minutes_html(&self) -> Option<&str> {
        self.0.record.minutes.as_ref().map(|m| m.html.as_str())
    }

    async fn recording_url(&self) -> Option<&str> {
        self.0.record.recording_url.as_deref()
    }

    /// Materials attached after the session that you may read (none for
    /// visitors).
    async fn materials(&self, ctx: &Context<'_>) -> Result<Vec<Material>> {
        let Some(v) = viewer_opt(ctx) else {
            return Ok(vec![]);
        };
        Ok(ctx
            .events()
            .event_materials(v, &self.0)
            .await
            .gql()?
            .into_iter()
            .map(Material)
            .collect())
    }

    /// Raised by every change registrants hear of.
    async fn sequence(&self) -> u32 {
        self.0.sequence
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Send it back as `expectedUpdatedAt` when editing.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Whether you run this event (organizer, mentor, administrator).
    async fn can_manage(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(viewer_opt(ctx).is_some_and(|v| app::events::Events::hosts(v, &self.0)))
    }

    /// Whether you may take part in the live room (ask, vote, chat) rather than only watch.
    async fn can_take_part(&self, ctx: &Context<'_>) -> Result<bool> {
        let Some(v) = viewer_opt(ctx) else {
            return Ok(false);
        };
        Ok(ctx
            .events()
            .room_access(v, &self.0.id)
            .await
            .gql()?
            .participant)
    }

    /// Your registration, if you registered.
    async fn my_registration(&self, ctx: &Context<'_>) -> Result<Option<Registration>> {
        let Some(v) = viewer_opt(ctx) else {
            return Ok(None);
        };
        Ok(ctx
            .events()
            .my_registration(v, &self.0)
            .await
            .gql()?
            .map(Registration))
    }

    /// Registrations you may see: all for the hosts; your school's for its
    /// staff; your country's for national coordinators; your own otherwise.
    async fn registrations(&self, ctx: &Context<'_>) -> Result<Vec<Registration>> {
        let v = viewer(ctx)?;
        Ok(ctx
            .events()
            .registrations(v, &self.0)
            .await
            .gql()?
            .into_iter()
            .map(Registration)
            .collect())
    }

    /// The live room as you find it now: questions, polls, hands, who is
    /// there, recent chat, and the cursor to follow it with `eventLive`.
    async fn live(&self, ctx: &Context<'_>) -> Result<LiveRoom> {
        let v = viewer(ctx)?;
        ctx.events()
            .room_view(v, &self.0.id)
            .await
            .map(LiveRoom)
            .gql()
    }

    /// Who came, school by school: all of it for the hosts; your school's
    /// part for its staff; your country's for national coordinators.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<AttendanceReport> {
        let v = viewer(ctx)?;
        ctx.events()
            .attendance_report(v, &self.0.id)
            .await
            .map(AttendanceReport)
            .gql()
    }
}

/// Where one person stands with an event.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// Holds a seat.
    Registered,
    /// Waits for a seat; seats go to those waiting in the order they asked.
    Waitlisted,
    Cancelled,
}

impl From<app::RegistrationStatus> for RegistrationStatus {
    fn from(s: app::RegistrationStatus) -> Self {
        match s {
            app::RegistrationStatus::Registered => RegistrationStatus::Registered,
            app::RegistrationStatus::Waitlisted => RegistrationStatus::Waitlisted,
            app::RegistrationStatus::Cancelled => RegistrationStatus::Cancelled,
        }
    }
}

/// One person's registration.
pub struct Registration(pub app::Registration);

#[Object]
impl Registration {
    /// The person, if you may see them.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let v = viewer(ctx)?;
        Ok(ctx
            .people()
            .user(v, &self.0.user)
            .await
            .ok()
            .map(User::from))
    }

    async fn person_id(&self) -> ID {
        ID(self.0.user.to_string())
    }

    async fn school_id(&self) -> Option<ID> {
        self.0.school.as_ref().map(|s| ID(s.to_string()))
    }

    async fn status(&self) -> RegistrationStatus {
        self.0.status.into()
    }

    /// Whether a teacher registered them (with their class).
    async fn by_someone_else(&self) -> bool {
        self.0.by != self.0.user
    }

    async fn asked_at(&self) -> DateTime<Utc> {
        self.0.asked_at
    }
}

/// A personal calendar feed, just made: subscribe to `path` on this server
/// from a calendar application. The secret is shown only now.
#[derive(SimpleObject)]
pub struct IssuedCalendarFeed {
    /// `/calendar/<secret>.ics`; put the server's address before it.
    pub path: String,
    pub created_at: DateTime<Utc>,
}

/// Your calendar feed, without its secret.
#[derive(SimpleObject)]
pub struct CalendarFeed {
    pub created_at: DateTime<Utc>,
}
