//! Root queries and mutations of scheduled events and their live rooms.
//! Each calls exactly one `app` use case.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use crate::context::{UseCases, meta, viewer, viewer_opt};
use crate::errors::GqlResult;
use crate::events::room::{LiveEvent, Poll, PollResults, Question, QuestionVotes};
use crate::events::types::{
    CalendarFeed, CreateEventInput, Event, IssuedCalendarFeed, Registration,
};
use crate::relay::{self, connection, known_id, parse_id};

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events you may see that have not ended (with `includePast`, all of
    /// them), in order of their start. Visitors see the public ones.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = false)] include_past: bool,
    ) -> Result<Connection<String, Event>> {
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let p = ctx
            .events()
            .events(viewer_opt(ctx), include_past, &page)
            .await
            .gql()?;
        Ok(connection(p, has_previous, Event))
    }

    /// Your upcoming events: registered, waitlisted, organizing or mentoring.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn my_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Event>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let p = ctx.events().my_events(v, &page).await.gql()?;
        Ok(connection(p, has_previous, Event))
    }

    /// One event, if you may see it (visitors: a public one); null otherwise.
    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Event>> {
        let Some(id) = known_id::<app::EventId>(&id) else {
            return Ok(None);
        };
        match ctx.events().event(viewer_opt(ctx), &id).await {
            Ok(e) => Ok(Some(Event(e))),
            Err(app::Error::NotFound) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// Your calendar feed, if you made one.
    async fn calendar_feed(&self, ctx: &Context<'_>) -> Result<Option<CalendarFeed>> {
        let v = viewer(ctx)?;
        Ok(ctx
            .events()
            .calendar_feed_created(v)
            .await
            .gql()?
            .map(|created_at| CalendarFeed { created_at }))
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Schedules an event. Administrators and mentors plan for anyone;
    /// national coordinators for their country and its schools; teachers
    /// and school coordinators for their school and the spaces they teach in.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> Result<Event> {
        let v = viewer(ctx)?;
        let details = input.parse().gql()?;
        ctx.events()
            .create_event(v, details, &meta(ctx))
            .await
            .map(Event)
            .gql()
    }

    /// Changes an event (its organizer, mentors and administrators);
    /// everyone registered is notified and calendar feeds show the change.
    /// With `expectedUpdatedAt`, a change made meanwhile is a `CONFLICT`.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CreateEventInput,
        expected_updated_at: Option<DateTime<Utc>>,
    ) -> Result<Event> {
        let v = viewer(ctx)?;
        let details = input.parse().gql()?;
        ctx.events()
            .update_event(v, &parse_id(&id)?, details, expected_updated_at, &meta(ctx))
            .await
            .map(Event)
            .gql()
    }

    /// Calls off an event that has not started (its hosts), with a reason
    /// everyone registered is told.
    async fn cancel_event(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Event> {
        let v = viewer(ctx)?;
        ctx.events()
            .cancel_event(v, &parse_id(&id)?, &reason, &meta(ctx))
            .await
            .map(Event)
            .gql()
    }

    /// Registers you (unless `includeSelf` is false) and, as a teacher,
    /// students of your school (your class) for an event. Seats go in
    /// order; when they run out, people wait and get a seat as others cancel.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        #[graphql(default)] students: Vec<ID>,
        #[graphql(default = true)] include_self: bool,
    ) -> Result<Vec<Registration>> {
        let v = viewer(ctx)?;
        let ids = students.iter().map(parse_id).collect::<Result<Vec<_>>>()?;
        Ok(ctx
            .events()
            .register_for_event(v, &parse_id(&event_id)?, include_self, &ids)
            .await
            .gql()?
            .into_iter()
            .map(Registration)
            .collect())
    }

    /// Cancels your registration, or (`person`) a student's of your school,
    /// or as a host anyone's. A freed seat goes to the first person waiting.
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        person: Option<ID>,
    ) -> Result<Registration> {
        let v = viewer(ctx)?;
        let person = person.as_ref().map(parse_id).transpose()?;
        ctx.events()
            .cancel_registration(v, &parse_id(&event_id)?, person.as_ref())
            .await
            .map(Registration)
            .gql()
    }

    /// Opens the live room (the hosts; from 12 hours before the start).
    /// Everyone registered is notified.
    async fn start_live(&self, ctx: &Context<'_>, event_id: ID) -> Result<Event> {
        let v = viewer(ctx)?;
        ctx.events()
            .start_live(v, &parse_id(&event_id)?)
            .await
            .map(Event)
            .gql()
    }

    /// Ends the live session (the hosts): polls close and hands go down.
    async fn end_live(&self, ctx: &Context<'_>, event_id: ID) -> Result<Event> {
        let v = viewer(ctx)?;
        ctx.events()
            .end_live(v, &parse_id(&event_id)?)
            .await
            .map(Event)
            .gql()
    }

    /// Writes in the live room's chat (participants, while live; Markdown,
    /// ≤ 2,000 characters).
    async fn post_live_message(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        body: String,
    ) -> Result<LiveEvent> {
        let v = viewer(ctx)?;
        ctx.events()
            .post_live_message(v, &parse_id(&event_id)?, &body)
            .await
            .map(|e| LiveEvent(std::sync::Arc::new(e)))
            .gql()
    }

    /// Asks the hosts a question (participants, before or during the
    /// session; ≤ 500 characters). Students appear by their first name.
    async fn ask_question(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        body: String,
    ) -> Result<Question> {
        let v = viewer(ctx)?;
        ctx.events()
            .ask_question(v, &parse_id(&event_id)?, &body)
            .await
            .map(|q| Question::from(&q))
            .gql()
    }

    /// Upvotes a question, or with `up: false` takes your upvote back
    /// (participants; one upvote each: a second is a `CONFLICT`).
    async fn upvote_question(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        question_id: ID,
        #[graphql(default = true)] up: bool,
    ) -> Result<QuestionVotes> {
        let v = viewer(ctx)?;
        let (q, votes) = ctx
            .events()
            .vote_question(v, &parse_id(&event_id)?, &parse_id(&question_id)?, up)
            .await
            .gql()?;
        Ok(QuestionVotes {
            question_id: ID(q.to_string()),
            votes,
        })
    }

    /// Takes a chat message out of the live room (the hosts): it disappears
    /// for everyone (`CHAT_HIDDEN` on `eventLive`) and from the room's
    /// chat and replays. Returns the message's id.
    async fn hide_live_message(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        message_id: ID,
    ) -> Result<ID> {
        let v = viewer(ctx)?;
        let message = parse_id::<app::LiveMessageId>(&message_id)?;
        ctx.events()
            .hide_live_message(v, &parse_id(&event_id)?, &message, &meta(ctx))
            .await
            .map(|id| ID(id.to_string()))
            .gql()
    }

    /// Marks a question answered, pinned or hidden (the hosts); what is
    /// not given stays as it is.
    async fn mark_question(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        question_id: ID,
        answered: Option<bool>,
        pinned: Option<bool>,
        hidden: Option<bool>,
    ) -> Result<Question> {
        let v = viewer(ctx)?;
        ctx.events()
            .mark_question(
                v,
                &parse_id(&event_id)?,
                &parse_id(&question_id)?,
                answered,
                pinned,
                hidden,
            )
            .await
            .map(|q| Question::from(&q))
            .gql()
    }

    /// Opens a quick poll (the hosts, while live): 2–10 options, one choice
    /// each unless `multiple`.
    async fn open_poll(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        question: String,
        options: Vec<String>,
        #[graphql(default = false)] multiple: bool,
    ) -> Result<Poll> {
        let v = viewer(ctx)?;
        ctx.events()
            .open_poll(v, &parse_id(&event_id)?, &question, &options, multiple)
            .await
            .map(|p| Poll::from(&p))
            .gql()
    }

    /// Votes in an open poll (participants; once): `choices` are positions
    /// in `options`, from 0.
    async fn vote_poll(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        poll_id: ID,
        choices: Vec<u32>,
    ) -> Result<PollResults> {
        let v = viewer(ctx)?;
        let poll = parse_id(&poll_id)?;
        let (counts, voters) = ctx
            .events()
            .vote_poll(v, &parse_id(&event_id)?, &poll, choices)
            .await
            .gql()?;
        Ok(PollResults {
            poll_id: ID(poll.to_string()),
            counts,
            voters,
        })
    }

    /// Closes a poll (the hosts); its results stay.
    async fn close_poll(&self, ctx: &Context<'_>, event_id: ID, poll_id: ID) -> Result<Poll> {
        let v = viewer(ctx)?;
        ctx.events()
            .close_poll(v, &parse_id(&event_id)?, &parse_id(&poll_id)?)
            .await
            .map(|p| Poll::from(&p))
            .gql()
    }

    /// Raises or lowers your hand (participants, while live); the hosts
    /// lower anyone's with `person`.
    async fn raise_hand(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        #[graphql(default = true)] raised: bool,
        person: Option<ID>,
    ) -> Result<bool> {
        let v = viewer(ctx)?;
        let person = person.as_ref().map(parse_id).transpose()?;
        ctx.events()
            .raise_hand(v, &parse_id(&event_id)?, raised, person.as_ref())
            .await
            .gql()
    }

    /// Records what remains of an event (its hosts): minutes (Markdown), a
    /// recording link, attached materials. What is not given stays; an
    /// empty text removes it.
    async fn record_event_outcome(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        minutes: Option<String>,
        recording_url: Option<String>,
        materials: Option<Vec<ID>>,
    ) -> Result<Event> {
        let v = viewer(ctx)?;
        let materials = materials
            .map(|ids| {
                ids.iter()
                    .map(|m| app::MaterialId::parse(m))
                    .collect::<app::Result<Vec<_>>>()
                    .map_err(|_| app::Error::invalid("materials", "a material named is not known"))
            })
            .transpose()
            .gql()?;
        ctx.events()
            .record_event_outcome(
                v,
                &parse_id(&event_id)?,
                minutes.as_deref(),
                recording_url.as_deref(),
                materials,
            )
            .await
            .map(Event)
            .gql()
    }

    /// Makes a personal calendar feed of your events (or a new secret for
    /// it: the old address stops working at once).
    async fn create_calendar_feed(&self, ctx: &Context<'_>) -> Result<IssuedCalendarFeed> {
        let v = viewer(ctx)?;
        let f = ctx.events().create_calendar_feed(v).await.gql()?;
        Ok(IssuedCalendarFeed {
            path: format!("/calendar/{}.ics", f.token),
            created_at: f.created_at,
        })
    }

    /// Ends your calendar feed: its address stops working at once.
    async fn revoke_calendar_feed(&self, ctx: &Context<'_>) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.events().revoke_calendar_feed(v).await.gql()
    }
}
