//! The live room of an event: going live and ending, chat, questions with
//! upvotes (answered, pinned, hidden by the hosts), quick polls, raised
//! hands, and attendance — all as one log per event, delivered live by
//! `eventLive` with the same cursor, replay and backpressure rules as a
//! space's log.
//!
//! One writer task per process owns the state of every open room (the fold
//! of its log). It takes whatever commands are waiting, checks each against
//! the room as it stands (one upvote per person, votes only while a poll is
//! open, …), gives each the room's next position, commits them together in
//! one transaction and then publishes them in order. A room's state is read
//! back from its log when the writer first needs it, and dropped if a
//! commit fails, so the database stays the truth.
//!
//! Students appear in the room by their first name only. Who voted for what
//! is kept in the log for the counts and never delivered.

pub mod hub;
pub mod model;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::Stream;
use tokio::sync::oneshot;

use crate::accounts::model::{RequestMeta, Viewer};
use crate::events::Events;
use crate::events::policy;
use crate::events::port::EventStore;
use crate::events::room::hub::{RoomHub, RoomListener};
use crate::events::room::model::{
    AttendanceReport, AttendanceRow, LiveEntry, LiveKind, Participant, Poll, Question, RaisedHand,
    RoomAccess, RoomView, SchoolAttendance,
};
use crate::events::{Event, EventStatus, RegistrationStatus};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{EventId, LiveMessageId, PollId, QuestionId, SchoolId, UserId};
use crate::kernel::text::clean_text;
use crate::live::REPLAY_PAGE;
use crate::live::hub::NotificationKind;
use crate::live::log::{Batch, Live, Position, missed};
use crate::spaces::model::MessageBody;

/// How far a subscriber may fall behind before it must resynchronise.
pub const ROOM_CHANNEL_CAPACITY: usize = 1024;
/// The longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 500;
/// The longest chat message of a live room, in characters.
pub const MAX_LIVE_CHAT_CHARS: usize = 2000;
/// Rooms whose state a writer keeps when they are not live.
const KEPT_IDLE_ROOMS: usize = 32;
/// How long someone whose last connection to a room ended still counts as
/// present (a flapping school connection is not a leave and a return).
pub const ATTENDANCE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Clone, Default)]
struct Presence {
    who: Option<Participant>,
    /// Join and leave instants, in order; the last may be open.
    spans: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

/// The fold of a room's log.
#[derive(Debug, Default)]
struct Room {
    head: u64,
    live: bool,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    questions: Vec<(Question, HashSet<UserId>)>,
    polls: Vec<(Poll, HashMap<UserId, Vec<u32>>)>,
    hands: Vec<RaisedHand>,
    presence: HashMap<UserId, Presence>,
    chat: VecDeque<LiveEntry>,
    /// Every chat message's id, for hiding one; and the hidden ones.
    chat_ids: HashSet<LiveMessageId>,
    hidden_chat: HashSet<LiveMessageId>,
    /// When each student last wrote (questions and chat), newest last.
    said: HashMap<UserId, VecDeque<DateTime<Utc>>>,
}

const CHAT_KEPT: usize = 50;
/// What a student may write in a room (questions and chat together) …
const STUDENT_BURST: usize = 5;
/// … within this many seconds.
const STUDENT_WINDOW_SECS: i64 = 30;

impl Room {
    fn apply(&mut self, e: &LiveEntry) {
        self.head = e.seq;
        if let LiveKind::Chat { author: who, .. }
        | LiveKind::Asked {
            question: Question { author: who, .. },
        } = &e.kind
            && who.role.is_student()
        {
            let times = self.said.entry(who.user.clone()).or_default();
            times.push_back(e.at);
            while times.len() > STUDENT_BURST {
                times.pop_front();
            }
        }
        match &e.kind {
            LiveKind::Started { .. } => {
                self.live = true;
                self.started_at.get_or_insert(e.at);
                self.ended_at = None;
            }
            LiveKind::Ended { .. } => {
                self.live = false;
                self.ended_at = Some(e.at);
                self.hands.clear();
                for (p, _) in &mut self.polls {
                    p.closed_at.get_or_insert(e.at);
                }
            }
            LiveKind::Joined { who } => {
                let p = self.presence.entry(who.user.clone()).or_default();
                p.who = Some(who.clone());
                if !matches!(p.spans.last(), Some((_, None))) {
                    p.spans.push((e.at, None));
                }
            }
            LiveKind::Left { who } => {
                if let Some(p) = self.presence.get_mut(&who.user)
                    && let Some((_, end @ None)) = p.spans.last_mut()
                {
                    *end = Some(e.at);
                }
                self.hands.retain(|h| h.who.user != who.user);
            }
            LiveKind::Chat { id, .. } => {
                self.chat_ids.insert(id.clone());
                self.chat.push_back(e.clone());
                if self.chat.len() > CHAT_KEPT {
                    self.chat.pop_front();
                }
            }
            LiveKind::ChatHidden { id, .. } => {
                self.hidden_chat.insert(id.clone());
                self.chat
                    .retain(|c| !matches!(&c.kind, LiveKind::Chat { id: cid, .. } if cid == id));
            }
            LiveKind::Asked { question } => self.questions.push((question.clone(), HashSet::new())),
            LiveKind::Voted {
                question,
                voter,
                up,
                votes,
            } => {
                if let Some((q, voters)) =
                    self.questions.iter_mut().find(|(q, _)| &q.id == question)
                {
                    if *up {
                        voters.insert(voter.clone());
                    } else {
                        voters.remove(voter);
                    }
                    q.votes = *votes;
                }
            }
            LiveKind::Marked { question } => {
                if let Some((q, _)) = self.questions.iter_mut().find(|(q, _)| q.id == question.id) {
                    *q = question.clone();
                }
            }
            LiveKind::PollOpened { poll } => self.polls.push((poll.clone(), HashMap::new())),
            LiveKind::PollVoted {
                poll,
                voter,
                choices,
                counts,
                voters,
            } => {
                if let Some((p, votes)) = self.polls.iter_mut().find(|(p, _)| &p.id == poll) {
                    votes.insert(voter.clone(), choices.clone());
                    p.counts = counts.clone();
                    p.voters = *voters;
                }
            }
            LiveKind::PollClosed { poll } => {
                if let Some((p, _)) = self.polls.iter_mut().find(|(p, _)| p.id == poll.id) {
                    *p = poll.clone();
                }
            }
            LiveKind::Hand { who, raised, .. } => {
                self.hands.retain(|h| h.who.user != who.user);
                if *raised {
                    self.hands.push(RaisedHand {
                        who: who.clone(),
                        at: e.at,
                    });
                }
            }
        }
    }

    fn question(&self, id: &QuestionId) -> Result<&(Question, HashSet<UserId>)> {
        self.questions
            .iter()
            .find(|(q, _)| &q.id == id)
            .ok_or(Error::NotFound)
    }

    fn poll(&self, id: &PollId) -> Result<&(Poll, HashMap<UserId, Vec<u32>>)> {
        self.polls
            .iter()
            .find(|(p, _)| &p.id == id)
            .ok_or(Error::NotFound)
    }

    fn live_only(&self) -> Result<()> {
        if self.live {
            Ok(())
        } else {
            Err(Error::Conflict("the event is not live".into()))
        }
    }

    /// Students write at most [`STUDENT_BURST`] times in [`STUDENT_WINDOW_SECS`].
    fn check_pace(&self, by: &Participant, now: DateTime<Utc>) -> Result<()> {
        if !by.role.is_student() {
            return Ok(());
        }
        let Some(times) = self.said.get(&by.user) else {
            return Ok(());
        };
        let window = chrono::Duration::seconds(STUDENT_WINDOW_SECS);
        match times.front() {
            Some(oldest) if times.len() >= STUDENT_BURST && now - *oldest < window => {
                let wait = (*oldest + window - now).to_std().unwrap_or_default();
                Err(Error::RateLimited {
                    message: "you are writing very fast; wait a moment",
                    retry_after: Some(wait),
                })
            }
            _ => Ok(()),
        }
    }

    /// What a command becomes, if the room allows it now.
    fn decide(&self, job: &Command, by: &Participant, now: DateTime<Utc>) -> Result<LiveKind> {
        if matches!(job, Command::Chat(_) | Command::Ask(_)) {
            self.check_pace(by, now)?;
        }
        match job {
            Command::Start => {
                if self.live {
                    return Err(Error::Conflict("the event is live already".into()));
                }
                Ok(LiveKind::Started { by: by.clone() })
            }
            Command::End => {
                self.live_only()?;
                Ok(LiveKind::Ended { by: by.clone() })
            }
            Command::Join => self.decide_join(by),
            Command::Leave => Ok(LiveKind::Left { who: by.clone() }),
            Command::Chat(body) => {
                self.live_only()?;
                Ok(LiveKind::Chat {
                    id: LiveMessageId::generate(),
                    author: by.clone(),
                    body: body.clone(),
                })
            }
            Command::HideChat { message } => self.decide_hide_chat(message, by),
            Command::Ask(body) => self.decide_ask(body, by, now),
            Command::Vote { question, up } => self.decide_vote(question, *up, by),
            Command::Mark {
                question,
                answered,
                pinned,
                hidden,
            } => {
                let (q, _) = self.question(question)?;
                let mut q = q.clone();
                if let Some(a) = answered {
                    q.answered = *a;
                }
                if let Some(p) = pinned {
                    q.pinned = *p;
                }
                if let Some(h) = hidden {
                    q.hidden = *h;
                }
                Ok(LiveKind::Marked { question: q })
            }
            Command::OpenPoll {
                question,
                options,
                multiple,
            } => self.decide_open_poll(question, options, *multiple, by, now),
            Command::VotePoll { poll, choices } => self.decide_vote_poll(poll, choices, by),
            Command::ClosePoll { poll } => {
                let (p, _) = self.poll(poll)?;
                if p.closed_at.is_some() {
                    return Err(Error::Conflict("the poll is closed already".into()));
                }
                let mut p = p.clone();
                p.closed_at = Some(now);
                Ok(LiveKind::PollClosed { poll: p })
            }
            Command::Hand { who, raised } => self.decide_hand(who, *raised, by),
        }
    }

    fn decide_join(&self, by: &Participant) -> Result<LiveKind> {
        let here = self
            .presence
            .get(&by.user)
            .is_some_and(|p| matches!(p.spans.last(), Some((_, None))));
        if here {
            // Still present by the log (another process, or before a restart).
            return Err(Error::Conflict("present already".into()));
        }
        Ok(LiveKind::Joined { who: by.clone() })
    }

    fn decide_hide_chat(&self, message: &LiveMessageId, by: &Participant) -> Result<LiveKind> {
        if !self.chat_ids.contains(message) {
            return Err(Error::NotFound);
        }
        if self.hidden_chat.contains(message) {
            return Err(Error::Conflict("the message is hidden already".into()));
        }
        Ok(LiveKind::ChatHidden {
            id: message.clone(),
            by: by.user.clone(),
        })
    }

    fn decide_ask(&self, body: &str, by: &Participant, now: DateTime<Utc>) -> Result<LiveKind> {
        if self.ended_at.is_some() && !self.live {
            return Err(Error::Conflict("the event is over".into()));
        }
        Ok(LiveKind::Asked {
            question: Question {
                id: QuestionId::generate(),
                author: by.clone(),
                body: body.to_owned(),
                asked_at: now,
                votes: 0,
                answered: false,
                pinned: false,
                hidden: false,
            },
        })
    }

    fn decide_vote(&self, question: &QuestionId, up: bool, by: &Participant) -> Result<LiveKind> {
        let (q, voters) = self.question(question)?;
        if q.hidden {
            return Err(Error::NotFound);
        }
        if self.ended_at.is_some() && !self.live {
            return Err(Error::Conflict("the event is over".into()));
        }
        let had = voters.contains(&by.user);
        if had == up {
            return Err(Error::Conflict(if up {
                "you upvoted this question already".into()
            } else {
                "you have not upvoted this question".into()
            }));
        }
        let votes = if up {
            q.votes + 1
        } else {
            q.votes.saturating_sub(1)
        };
        Ok(LiveKind::Voted {
            question: question.clone(),
            voter: by.user.clone(),
            up,
            votes,
        })
    }

    fn decide_open_poll(
        &self,
        question: &str,
        options: &[String],
        multiple: bool,
        by: &Participant,
        now: DateTime<Utc>,
    ) -> Result<LiveKind> {
        self.live_only()?;
        Ok(LiveKind::PollOpened {
            poll: Poll {
                id: PollId::generate(),
                question: question.to_owned(),
                options: options.to_vec(),
                multiple,
                opened_by: by.clone(),
                opened_at: now,
                closed_at: None,
                counts: vec![0; options.len()],
                voters: 0,
            },
        })
    }

    fn decide_vote_poll(
        &self,
        poll: &PollId,
        choices: &[u32],
        by: &Participant,
    ) -> Result<LiveKind> {
        let (p, votes) = self.poll(poll)?;
        if p.closed_at.is_some() {
            return Err(Error::Conflict("the poll is closed".into()));
        }
        if votes.contains_key(&by.user) {
            return Err(Error::Conflict("you voted in this poll already".into()));
        }
        let mut choices = choices.to_vec();
        choices.sort_unstable();
        choices.dedup();
        if choices.is_empty()
            || (!p.multiple && choices.len() > 1)
            || choices.iter().any(|c| *c as usize >= p.options.len())
        {
            return Err(Error::invalid(
                "choices",
                if p.multiple {
                    "choose one or more of the poll's options"
                } else {
                    "choose exactly one of the poll's options"
                },
            ));
        }
        let mut counts = p.counts.clone();
        for c in &choices {
            counts[*c as usize] += 1;
        }
        Ok(LiveKind::PollVoted {
            poll: poll.clone(),
            voter: by.user.clone(),
            choices,
            counts,
            voters: p.voters + 1,
        })
    }

    fn decide_hand(&self, who: &Participant, raised: bool, by: &Participant) -> Result<LiveKind> {
        if raised {
            self.live_only()?;
        }
        let up = self.hands.iter().any(|h| h.who.user == who.user);
        if up == raised {
            return Err(Error::Conflict(if raised {
                "the hand is raised already".into()
            } else {
                "the hand is not raised".into()
            }));
        }
        Ok(LiveKind::Hand {
            who: who.clone(),
            raised,
            by: by.user.clone(),
        })
    }

    fn view(&self, asker: &UserId) -> RoomView {
        let mut questions: Vec<Question> = self.questions.iter().map(|(q, _)| q.shown()).collect();
        questions.sort_by(|a, b| {
            b.pinned
                .cmp(&a.pinned)
                .then(b.votes.cmp(&a.votes))
                .then(a.asked_at.cmp(&b.asked_at))
        });
        let my_votes = self
            .questions
            .iter()
            .filter(|(_, v)| v.contains(asker))
            .map(|(q, _)| q.id.clone())
            .collect();
        let mut polls: Vec<Poll> = self.polls.iter().map(|(p, _)| p.clone()).collect();
        polls.reverse();
        let my_choices = self
            .polls
            .iter()
            .filter_map(|(p, v)| v.get(asker).map(|c| (p.id.clone(), c.clone())))
            .collect();
        let mut present: Vec<Participant> = self
            .presence
            .values()
            .filter(|p| matches!(p.spans.last(), Some((_, None))))
            .filter_map(|p| p.who.clone())
            .collect();
        present.sort_by(|a, b| a.name.cmp(&b.name).then(a.user.cmp(&b.user)));
        RoomView {
            head: self.head,
            live: self.live,
            questions,
            my_votes,
            polls,
            my_choices,
            hands: self.hands.clone(),
            present,
            chat: self.chat.iter().cloned().collect(),
            hidden_chat: self.hidden_chat.clone(),
        }
    }
}

/// What participants and hosts ask of a room.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Start,
    End,
    Join,
    Leave,
    Chat(MessageBody),
    HideChat {
        message: LiveMessageId,
    },
    Ask(String),
    Vote {
        question: QuestionId,
        up: bool,
    },
    Mark {
        question: QuestionId,
        answered: Option<bool>,
        pinned: Option<bool>,
        hidden: Option<bool>,
    },
    OpenPoll {
        question: String,
        options: Vec<String>,
        multiple: bool,
    },
    VotePoll {
        poll: PollId,
        choices: Vec<u32>,
    },
    ClosePoll {
        poll: PollId,
    },
    Hand {
        who: Participant,
        raised: bool,
    },
}

pub(crate) enum Job {
    Write {
        event: EventId,
        by: Participant,
        command: Command,
        /// The event's row as it becomes with this command (going live, ending).
        save: Option<Box<Event>>,
        done: oneshot::Sender<Result<LiveEntry>>,
    },
    Read {
        event: EventId,
        asker: UserId,
        done: oneshot::Sender<Result<(RoomView, Attendance)>>,
    },
}

/// From joining to leaving (open while the person is still there).
pub type Span = (DateTime<Utc>, Option<DateTime<Utc>>);

/// Join and leave instants of everyone who came, for the attendance report.
#[derive(Debug, Clone, Default)]
pub struct Attendance {
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub people: Vec<(Participant, Vec<Span>)>,
}

/// The live rooms' writer task.
pub(crate) type RoomWriter = crate::live::log::Writer<Job>;

/// Starts the live rooms' writer (it needs a runtime).
pub(crate) fn start_room_writer(
    repo: Arc<dyn EventStore>,
    hub: RoomHub,
    clock: Arc<dyn crate::Clock>,
) -> RoomWriter {
    RoomWriter::start(
        "room writer",
        Decide {
            repo,
            hub,
            clock,
            rooms: HashMap::new(),
        },
    )
}

async fn load(repo: &dyn EventStore, event: &EventId) -> Result<Room> {
    let mut room = Room::default();
    loop {
        let page = repo.event_log(event, room.head, REPLAY_PAGE).await?;
        let n = page.len();
        for e in &page {
            room.apply(e);
        }
        if n < REPLAY_PAGE {
            return Ok(room);
        }
    }
}

/// Decides the commands of a batch against the rooms' states (read from
/// the log when first used), commits their entries together, publishes
/// them, then answers the reads.
struct Decide {
    repo: Arc<dyn EventStore>,
    hub: RoomHub,
    clock: Arc<dyn crate::Clock>,
    rooms: HashMap<EventId, Room>,
}

impl Batch for Decide {
    type Job = Job;

    async fn run(&mut self, jobs: Vec<Job>) {
        let Decide {
            repo,
            hub,
            clock,
            rooms,
        } = self;
        let mut entries: Vec<LiveEntry> = Vec::new();
        let mut saves: Vec<Event> = Vec::new();
        let mut replies: Vec<(oneshot::Sender<Result<LiveEntry>>, LiveEntry)> = Vec::new();
        let mut reads = Vec::new();
        let now = clock.now();
        for job in jobs {
            let id = match &job {
                Job::Write { event, .. } | Job::Read { event, .. } => event.clone(),
            };
            if !rooms.contains_key(&id) {
                match load(repo.as_ref(), &id).await {
                    Ok(r) => {
                        rooms.insert(id.clone(), r);
                    }
                    Err(e) => {
                        match job {
                            Job::Write { done, .. } => drop(done.send(Err(e))),
                            Job::Read { done, .. } => drop(done.send(Err(e))),
                        }
                        continue;
                    }
                }
            }
            let room = rooms.get_mut(&id).expect("loaded above");
            match job {
                Job::Read { asker, done, .. } => reads.push((id, asker, done)),
                Job::Write {
                    by,
                    command,
                    save,
                    done,
                    ..
                } => match room.decide(&command, &by, now) {
                    Ok(kind) => {
                        let entry = LiveEntry {
                            event: id,
                            seq: room.head + 1,
                            at: now,
                            kind,
                        };
                        room.apply(&entry);
                        entries.push(entry.clone());
                        saves.extend(save.map(|e| *e));
                        replies.push((done, entry));
                    }
                    Err(e) => drop(done.send(Err(e))),
                },
            }
        }
        if !entries.is_empty() {
            match repo.append_event_log(&entries, &saves).await {
                Ok(()) => {
                    for (done, entry) in replies {
                        hub.publish(Arc::new(entry.clone()));
                        let _ = done.send(Ok(entry));
                    }
                }
                Err(e) => {
                    // The rooms' states ran ahead of the database: read them again.
                    for entry in &entries {
                        rooms.remove(&entry.event);
                    }
                    for (done, _) in replies {
                        let _ = done.send(Err(Error::internal(&e)));
                    }
                }
            }
        }
        for (id, asker, done) in reads {
            let reply = match rooms.get(&id) {
                Some(room) => Ok((
                    room.view(&asker),
                    Attendance {
                        started_at: room.started_at,
                        ended_at: room.ended_at,
                        people: room
                            .presence
                            .values()
                            .filter_map(|p| p.who.clone().map(|w| (w, p.spans.clone())))
                            .collect(),
                    },
                )),
                None => Err(Error::internal("a room could not be read")),
            };
            let _ = done.send(reply);
        }
        if rooms.len() > KEPT_IDLE_ROOMS {
            let idle: Vec<EventId> = rooms
                .iter()
                .filter(|(_, r)| !r.live)
                .map(|(id, _)| id.clone())
                .collect();
            for id in idle.into_iter().take(rooms.len() - KEPT_IDLE_ROOMS) {
                rooms.remove(&id);
            }
        }
    }
}

/// Parses a live-room cursor: the decimal position of an entry.
pub fn parse_room_cursor(s: &str) -> Result<u64> {
    crate::kernel::paging::parse_seq_cursor(s)
        .map_err(|_| Error::invalid("after", "not a cursor of this event"))
}

/// Seconds of `spans` inside `[from, to]`, overlapping spans counted once.
fn seconds_within(
    spans: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> = spans
        .iter()
        .map(|(a, b)| ((*a).max(from), b.unwrap_or(to).min(to)))
        .filter(|(a, b)| b > a)
        .collect();
    clipped.sort();
    let mut total = 0;
    let mut cur: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (a, b) in clipped {
        match cur {
            Some((ca, cb)) if a <= cb => cur = Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += (cb - ca).num_seconds();
                cur = Some((a, b));
            }
            None => cur = Some((a, b)),
        }
    }
    if let Some((a, b)) = cur {
        total += (b - a).num_seconds();
    }
    total
}

impl Events<'_> {
    fn rooms(&self) -> &RoomWriter {
        self.state.room_writer.get_or_init(|| {
            start_room_writer(
                self.state.store.clone(),
                self.state.room_hub.clone(),
                self.state.clock.clone(),
            )
        })
    }

    /// The live entries of this process's rooms, for metrics.
    pub fn room_hub(&self) -> &RoomHub {
        &self.state.room_hub
    }

    async fn room_write(
        &self,
        event: &EventId,
        by: Participant,
        command: Command,
        save: Option<Box<Event>>,
    ) -> Result<LiveEntry> {
        self.rooms()
            .ask(|done| Job::Write {
                event: event.clone(),
                by,
                command,
                save,
                done,
            })
            .await
    }

    async fn room_read(&self, event: &EventId, asker: &UserId) -> Result<(RoomView, Attendance)> {
        self.rooms()
            .ask(|done| Job::Read {
                event: event.clone(),
                asker: asker.clone(),
                done,
            })
            .await
    }

    /// How the viewer stands in the event's room; `NotFound` if they may not see the event.
    pub async fn room_access(&self, viewer: &Viewer, id: &EventId) -> Result<RoomAccess> {
        let event = self.event(Some(viewer), id).await?;
        let host = Events::hosts(viewer, &event);
        let participant = host
            || match event.details.capacity {
                None => true,
                Some(_) => self
                    .my_registration(viewer, &event)
                    .await?
                    .is_some_and(|r| r.status == RegistrationStatus::Registered),
            };
        Ok(RoomAccess {
            event,
            host,
            participant,
        })
    }

    async fn participant(&self, viewer: &Viewer, id: &EventId) -> Result<RoomAccess> {
        let a = self.room_access(viewer, id).await?;
        if !a.participant {
            return Err(Error::Forbidden);
        }
        if matches!(a.event.status, EventStatus::Cancelled) {
            return Err(Error::Conflict("the event was cancelled".into()));
        }
        Ok(a)
    }

    async fn host(&self, viewer: &Viewer, id: &EventId) -> Result<RoomAccess> {
        let a = self.room_access(viewer, id).await?;
        if !a.host {
            return Err(Error::Forbidden);
        }
        Ok(a)
    }

    /// Takes an event live (its hosts), from its scheduled day on; its
    /// registrants are told.
    #[tracing::instrument(skip_all)]
    pub async fn start_live(&self, viewer: &Viewer, id: &EventId) -> Result<Event> {
        let _lock = self.state.lock.lock().await;
        let a = self.host(viewer, id).await?;
        let mut e = a.event;
        match e.status {
            EventStatus::Scheduled | EventStatus::Ended => {}
            EventStatus::Live => return Err(Error::Conflict("the event is live already".into())),
            EventStatus::Cancelled => {
                return Err(Error::Conflict("the event was cancelled".into()));
            }
        }
        let now = self.clock.now();
        if now < e.details.starts_at - chrono::Duration::hours(12) {
            return Err(Error::Conflict(
                "an event goes live at most 12 hours before its start".into(),
            ));
        }
        e.status = EventStatus::Live;
        e.live_started_at.get_or_insert(now);
        e.live_ended_at = None;
        e.updated_at = now.max(e.updated_at + chrono::Duration::milliseconds(1));
        self.room_write(
            id,
            Participant::of(&viewer.user),
            Command::Start,
            Some(Box::new(e.clone())),
        )
        .await?;
        drop(_lock);
        let people: Vec<UserId> = self
            .store
            .registrations(id)
            .await?
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Registered && r.user != viewer.user.id)
            .map(|r| r.user)
            .collect();
        let n = self.notifications.notice(
            NotificationKind::EventLive,
            None,
            Some(e.id.as_str()),
            Some(viewer.user.display_name.as_str()),
            Some(&e.details.title),
        );
        self.notifications.notify(&people, n).await?;
        Ok(e)
    }

    /// Ends the live session (its hosts): polls close, hands go down.
    #[tracing::instrument(skip_all)]
    pub async fn end_live(&self, viewer: &Viewer, id: &EventId) -> Result<Event> {
        let _lock = self.state.lock.lock().await;
        let a = self.host(viewer, id).await?;
        let mut e = a.event;
        if e.status != EventStatus::Live {
            return Err(Error::Conflict("the event is not live".into()));
        }
        let now = self.clock.now();
        e.status = EventStatus::Ended;
        e.live_ended_at = Some(now);
        e.updated_at = now.max(e.updated_at + chrono::Duration::milliseconds(1));
        self.room_write(
            id,
            Participant::of(&viewer.user),
            Command::End,
            Some(Box::new(e.clone())),
        )
        .await?;
        Ok(e)
    }

    /// Posts to the live room's chat (participants, while live).
    pub async fn post_live_message(
        &self,
        viewer: &Viewer,
        id: &EventId,
        body: &str,
    ) -> Result<LiveEntry> {
        self.participant(viewer, id).await?;
        if body.chars().count() > MAX_LIVE_CHAT_CHARS {
            return Err(Error::invalid(
                "body",
                format!("use at most {MAX_LIVE_CHAT_CHARS} characters"),
            ));
        }
        let body = MessageBody::parse(body)?;
        self.room_write(id, Participant::of(&viewer.user), Command::Chat(body), None)
            .await
    }

    /// Asks a question (participants, before or during the session).
    #[tracing::instrument(skip_all)]
    pub async fn ask_question(
        &self,
        viewer: &Viewer,
        id: &EventId,
        body: &str,
    ) -> Result<Question> {
        self.participant(viewer, id).await?;
        let body = clean_text("body", body, MAX_QUESTION_CHARS, true)?;
        let entry = self
            .room_write(id, Participant::of(&viewer.user), Command::Ask(body), None)
            .await?;
        match entry.kind {
            LiveKind::Asked { question } => Ok(question),
            _ => Err(Error::internal("asking made something else")),
        }
    }

    /// Upvotes a question, or takes the upvote back (participants; one each).
    pub async fn vote_question(
        &self,
        viewer: &Viewer,
        id: &EventId,
        question: &QuestionId,
        up: bool,
    ) -> Result<(QuestionId, u32)> {
        self.participant(viewer, id).await?;
        let entry = self
            .room_write(
                id,
                Participant::of(&viewer.user),
                Command::Vote {
                    question: question.clone(),
                    up,
                },
                None,
            )
            .await?;
        match entry.kind {
            LiveKind::Voted {
                question, votes, ..
            } => Ok((question, votes)),
            _ => Err(Error::internal("voting made something else")),
        }
    }

    /// Takes a chat message out of the room (the hosts): it disappears for
    /// everyone in the room, and from the room's view and replays.
    pub async fn hide_live_message(
        &self,
        viewer: &Viewer,
        id: &EventId,
        message: &LiveMessageId,
        meta: &RequestMeta,
    ) -> Result<LiveMessageId> {
        self.host(viewer, id).await?;
        self.room_write(
            id,
            Participant::of(&viewer.user),
            Command::HideChat {
                message: message.clone(),
            },
            None,
        )
        .await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "hide_live_message",
                message.as_str(),
                None,
                meta,
                "ok",
            )
            .await?;
        Ok(message.clone())
    }

    /// Marks a question answered, pinned or hidden (the hosts).
    pub async fn mark_question(
        &self,
        viewer: &Viewer,
        id: &EventId,
        question: &QuestionId,
        answered: Option<bool>,
        pinned: Option<bool>,
        hidden: Option<bool>,
    ) -> Result<Question> {
        self.host(viewer, id).await?;
        let entry = self
            .room_write(
                id,
                Participant::of(&viewer.user),
                Command::Mark {
                    question: question.clone(),
                    answered,
                    pinned,
                    hidden,
                },
                None,
            )
            .await?;
        match entry.kind {
            LiveKind::Marked { question } => Ok(question),
            _ => Err(Error::internal("marking made something else")),
        }
    }

    /// Opens a quick poll (the hosts, while live): a question (≤ 300
    /// characters) and 2–10 options (≤ 200 each), one or several choices.
    pub async fn open_poll(
        &self,
        viewer: &Viewer,
        id: &EventId,
        question: &str,
        options: &[String],
        multiple: bool,
    ) -> Result<Poll> {
        self.host(viewer, id).await?;
        let question = clean_text("question", question, 300, false)?;
        if !(2..=10).contains(&options.len()) {
            return Err(Error::invalid("options", "give 2 to 10 options"));
        }
        let mut opts = Vec::with_capacity(options.len());
        for o in options {
            let o = clean_text("options", o, 200, false)?;
            if opts.contains(&o) {
                return Err(Error::invalid("options", "every option must differ"));
            }
            opts.push(o);
        }
        let entry = self
            .room_write(
                id,
                Participant::of(&viewer.user),
                Command::OpenPoll {
                    question,
                    options: opts,
                    multiple,
                },
                None,
            )
            .await?;
        match entry.kind {
            LiveKind::PollOpened { poll } => Ok(poll),
            _ => Err(Error::internal("opening a poll made something else")),
        }
    }

    /// Votes in an open poll (participants; once). `choices` are option
    /// positions from 0.
    pub async fn vote_poll(
        &self,
        viewer: &Viewer,
        id: &EventId,
        poll: &PollId,
        choices: Vec<u32>,
    ) -> Result<(Vec<u32>, u32)> {
        self.participant(viewer, id).await?;
        let entry = self
            .room_write(
                id,
                Participant::of(&viewer.user),
                Command::VotePoll {
                    poll: poll.clone(),
                    choices,
                },
                None,
            )
            .await?;
        match entry.kind {
            LiveKind::PollVoted { counts, voters, .. } => Ok((counts, voters)),
            _ => Err(Error::internal("voting made something else")),
        }
    }

    /// Closes a poll (the hosts); its results stay.
    pub async fn close_poll(&self, viewer: &Viewer, id: &EventId, poll: &PollId) -> Result<Poll> {
        self.host(viewer, id).await?;
        let entry = self
            .room_write(
                id,
                Participant::of(&viewer.user),
                Command::ClosePoll { poll: poll.clone() },
                None,
            )
            .await?;
        match entry.kind {
            LiveKind::PollClosed { poll } => Ok(poll),
            _ => Err(Error::internal("closing a poll made something else")),
        }
    }

    /// Raises or lowers one's hand (participants, while live); the hosts
    /// lower anyone's (`person`).
    pub async fn raise_hand(
        &self,
        viewer: &Viewer,
        id: &EventId,
        raised: bool,
        person: Option<&UserId>,
    ) -> Result<bool> {
        let a = self.participant(viewer, id).await?;
        let who = match person {
            Some(p) if p != &viewer.user.id => {
                if !a.host || raised {
                    return Err(Error::Forbidden);
                }
                let u = self.accounts.store.user(p).await?.ok_or(Error::NotFound)?;
                Participant::of(&u)
            }
            _ => Participant::of(&viewer.user),
        };
        self.room_write(
            id,
            Participant::of(&viewer.user),
            Command::Hand { who, raised },
            None,
        )
        .await?;
        Ok(raised)
    }

    /// The room as the viewer finds it now.
    pub async fn room_view(&self, viewer: &Viewer, id: &EventId) -> Result<RoomView> {
        self.room_access(viewer, id).await?;
        Ok(self.room_read(id, &viewer.user.id).await?.0)
    }

    /// Who came, school by school, with their time present while the event
    /// was live: all of it for the hosts and administrators; their school's
    /// part for its staff; their country's for national coordinators.
    pub async fn attendance_report(
        &self,
        viewer: &Viewer,
        id: &EventId,
    ) -> Result<AttendanceReport> {
        let a = self.room_access(viewer, id).await?;
        let u = &viewer.user;
        let whole = a.host;
        let staff = u.role.is_school_staff();
        if !whole && !staff && !u.role.is_national_coordinator() {
            return Err(Error::Forbidden);
        }
        let (_, att) = self.room_read(id, &u.id).await?;
        let Some(from) = att.started_at else {
            return Ok(AttendanceReport {
                started_at: None,
                ended_at: None,
                schools: vec![],
            });
        };
        let to = att.ended_at.unwrap_or_else(|| self.clock.now());
        let ids: Vec<UserId> = att.people.iter().map(|(p, _)| p.user.clone()).collect();
        let users = self.accounts.store.users_by_ids(&ids).await?;
        let mut school_ids: Vec<SchoolId> = att
            .people
            .iter()
            .filter_map(|(p, _)| p.school.clone())
            .collect();
        school_ids.sort();
        school_ids.dedup();
        let schools = self.network.store.schools_by_ids(&school_ids).await?;
        let mut by_school: Vec<SchoolAttendance> = Vec::new();
        for (p, spans) in &att.people {
            let school = p
                .school
                .as_ref()
                .and_then(|s| schools.iter().find(|x| &x.id == s));
            let allowed = whole
                || (staff && p.school.is_some() && p.school == u.school)
                || (u.role.is_national_coordinator()
                    && school.is_some_and(|s| Some(&s.facts.country) == u.country.as_ref()));
            if !allowed {
                continue;
            }
            let seconds = seconds_within(spans, from, to);
            let user = users.iter().find(|x| x.id == p.user);
            let sees = user.is_some_and(|x| policy::sees_person(Some(viewer), x));
            let row = AttendanceRow {
                user: p.user.clone(),
                name: match user {
                    Some(x) if sees => x.display_name.as_str().to_owned(),
                    _ => p.name.clone(),
                },
                role: p.role,
                class_label: user
                    .filter(|_| sees)
                    .and_then(|x| x.class_label.as_ref().map(|c| c.as_str().to_owned())),
                first_joined: spans.first().map(|s| s.0).unwrap_or(from),
                last_left: spans.last().and_then(|s| s.1),
                seconds_present: seconds,
            };
            let key = school.map(|s| s.id.clone());
            match by_school
                .iter_mut()
                .find(|s| s.school.as_ref().map(|x| x.id.clone()) == key)
            {
                Some(s) => s.people.push(row),
                None => by_school.push(SchoolAttendance {
                    school: school.cloned(),
                    people: vec![row],
                }),
            }
        }
        for s in &mut by_school {
            s.people
                .sort_by(|a, b| a.name.cmp(&b.name).then(a.user.cmp(&b.user)));
        }
        by_school.sort_by(|a, b| {
            let name = |s: &SchoolAttendance| {
                s.school
                    .as_ref()
                    .map(|x| x.facts.name.get(None).to_lowercase())
                    .unwrap_or_else(|| "\u{10FFFF}".into())
            };
            name(a).cmp(&name(b))
        });
        Ok(AttendanceReport {
            started_at: Some(from),
            ended_at: att.ended_at,
            schools: by_school,
        })
    }

    /// The live room of an event: with `after` (a cursor of an entry, or of
    /// the room's `head`) first what the viewer missed, then live entries,
    /// in order, each once. Participants are counted present while they
    /// listen (with a short grace for dropped connections).
    pub async fn event_live(
        &self,
        viewer: &Viewer,
        id: &EventId,
        after: Option<&str>,
    ) -> Result<impl Stream<Item = Result<Arc<LiveEntry>>> + Send + 'static + use<>> {
        let after = after.map(parse_room_cursor).transpose()?;
        let access = self.room_access(viewer, id).await?;
        let listener = self.state.room_hub.listen(id);
        let presence = if access.participant && access.event.status != EventStatus::Cancelled {
            Some(self.arrive(id, Participant::of(&viewer.user)).await?)
        } else {
            None
        };
        let (view, _) = self.room_read(id, &viewer.user.id).await?;
        let hidden: HashSet<QuestionId> = view
            .questions
            .iter()
            .filter(|q| q.hidden)
            .map(|q| q.id.clone())
            .collect();
        let mut sub = RoomSubscriber {
            app: self.owner.clone(),
            event: id.clone(),
            listener,
            _presence: presence,
            position: Position::default(),
            ready: VecDeque::new(),
            hidden,
            hidden_chat: view.hidden_chat,
            viewer: viewer.clone(),
            recheck: tokio::time::Instant::now() + ACCESS_RECHECK,
            done: false,
        };
        if let Some(after) = after {
            if after > view.head {
                return Err(Error::invalid("after", "not a cursor of this event"));
            }
            sub.position = Position::resuming_after(after);
        }
        Ok(futures::stream::unfold(sub, RoomSubscriber::next))
    }

    /// Counts a connection of a participant; the first one logs their arrival.
    async fn arrive(&self, id: &EventId, who: Participant) -> Result<RoomPresence> {
        let first =
            self.state
                .room_presence
                .arrive((id.clone(), who.user.clone()), who.clone(), |_| {});
        let guard = RoomPresence {
            app: self.owner.clone(),
            event: id.clone(),
            who: who.clone(),
        };
        if first {
            // The room refuses a second arrival of someone it still counts present.
            match self.room_write(id, who, Command::Join, None).await {
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(guard)
    }

    /// Ends a connection of a participant; their departure is logged once
    /// the grace has passed without a return.
    fn depart(&self, id: &EventId, who: &Participant) {
        let app = self.owner.clone();
        self.state
            .room_presence
            .depart(&(id.clone(), who.user.clone()), move |(id, _), who| {
                let Ok(rt) = tokio::runtime::Handle::try_current() else {
                    return;
                };
                let id = id.clone();
                rt.spawn(async move {
                    if let Err(e) = app
                        .events()
                        .room_write(&id, who, Command::Leave, None)
                        .await
                    {
                        tracing::warn!(error = %e, "recording a departure failed");
                    }
                });
            });
    }

    /// Whether the person is in the room now (by this process's count).
    pub fn in_room(&self, id: &EventId, user: &UserId) -> bool {
        self.state.room_presence.here(&(id.clone(), user.clone()))
    }
}

/// A participant's connection to a room; dropping the last one logs their
/// departure after [`ATTENDANCE_GRACE`].
struct RoomPresence {
    app: crate::App,
    event: EventId,
    who: Participant,
}

impl Drop for RoomPresence {
    fn drop(&mut self) {
        self.app.events().depart(&self.event, &self.who);
    }
}

struct RoomSubscriber {
    app: crate::App,
    event: EventId,
    listener: RoomListener,
    _presence: Option<RoomPresence>,
    /// Where the stream stands in the room's log.
    position: Position,
    ready: VecDeque<Arc<LiveEntry>>,
    /// Questions hidden (when the stream began, and since): replays show
    /// them without text.
    hidden: HashSet<QuestionId>,
    /// Chat messages hidden (when the stream began, and since): replays
    /// leave them out.
    hidden_chat: HashSet<LiveMessageId>,
    /// Whose stream this is, and when their access is checked again: an
    /// audience can narrow, a seat can be cancelled, a member can leave.
    viewer: Viewer,
    recheck: tokio::time::Instant,
    done: bool,
}

/// How often a live room's stream checks that its viewer may still follow it.
const ACCESS_RECHECK: std::time::Duration = std::time::Duration::from_secs(15);

impl RoomSubscriber {
    /// Learns what an entry hides or shows again, before any entry is taken.
    fn note(&mut self, e: &LiveEntry) {
        match &e.kind {
            LiveKind::Marked { question } if question.hidden => {
                self.hidden.insert(question.id.clone());
            }
            LiveKind::Marked { question } => {
                self.hidden.remove(&question.id);
            }
            LiveKind::ChatHidden { id, .. } => {
                self.hidden_chat.insert(id.clone());
            }
            _ => {}
        }
    }

    /// Queues an entry the position let through, as this viewer may see it.
    fn take(&mut self, e: Arc<LiveEntry>) {
        self.note(&e);
        let e = match &e.kind {
            LiveKind::Chat { id, .. } if self.hidden_chat.contains(id) => return,
            LiveKind::Asked { question } if self.hidden.contains(&question.id) => {
                let mut copy = (*e).clone();
                if let LiveKind::Asked { question } = &mut copy.kind {
                    question.hidden = true;
                    question.body = String::new();
                }
                Arc::new(copy)
            }
            _ => e,
        };
        self.ready.push_back(e);
    }

    async fn next(mut self) -> Option<(Result<Arc<LiveEntry>>, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(e) = self.ready.pop_front() {
                return Some((Ok(e), self));
            }
            if let Some(after) = self.position.replay_due() {
                match self
                    .app
                    .events()
                    .store
                    .event_log(&self.event, after, REPLAY_PAGE)
                    .await
                {
                    Ok(page) => {
                        let len = page.len();
                        // What the page hides counts for its earlier entries
                        // too: a question asked and then hidden in between is
                        // replayed without its text, a hidden chat message
                        // not at all.
                        for e in &page {
                            self.note(e);
                        }
                        for e in page {
                            if self.position.replayed(e.seq) {
                                self.take(Arc::new(e));
                            }
                        }
                        self.position.page_read(len);
                        continue;
                    }
                    Err(e) => {
                        self.done = true;
                        return Some((Err(e), self));
                    }
                }
            }
            let next = tokio::select! {
                next = self.listener.recv() => next,
                () = tokio::time::sleep_until(self.recheck) => {
                    self.recheck = tokio::time::Instant::now() + ACCESS_RECHECK;
                    match self.app.events().room_access(&self.viewer, &self.event).await {
                        Ok(access) => {
                            if !access.participant {
                                // Watching only now: no longer counted present.
                                self._presence = None;
                            }
                            continue;
                        }
                        Err(e) => {
                            self.done = true;
                            return Some((Err(e), self));
                        }
                    }
                }
            };
            match next {
                None => {
                    self.done = true;
                    return Some((Err(missed()), self));
                }
                Some(e) => match self.position.live(e.seq) {
                    // A gap (written elsewhere in between) is read from the log.
                    Live::Skip | Live::Gap => {}
                    Live::Take => self.take(e),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::model::Role;
    use crate::events::room::model::{defuse, first_name, minutes};

    fn p(name: &str, role: Role) -> Participant {
        Participant {
            user: UserId::generate(),
            name: name.into(),
            school: None,
            role,
        }
    }

    fn run(room: &mut Room, by: &Participant, c: Command) -> Result<LiveKind> {
        let kind = room.decide(&c, by, Utc::now())?;
        let e = LiveEntry {
            event: EventId::from_trusted("e".into()),
            seq: room.head + 1,
            at: Utc::now(),
            kind: kind.clone(),
        };
        room.apply(&e);
        Ok(kind)
    }

    #[test]
    fn one_upvote_per_person_and_votes_only_while_the_poll_is_open() {
        let mut room = Room::default();
        let host = p("Mentor", Role::Mentor);
        let (a, b) = (p("Ana", Role::Student), p("Bo", Role::Student));
        assert!(matches!(
            run(
                &mut room,
                &a,
                Command::Chat(MessageBody::parse("hi").unwrap())
            ),
            Err(Error::Conflict(_))
        ));
        run(&mut room, &host, Command::Start).unwrap();
        let LiveKind::Asked { question } = run(&mut room, &a, Command::Ask("Why?".into())).unwrap()
        else {
            panic!()
        };
        let vote = |up| Command::Vote {
            question: question.id.clone(),
            up,
        };
        run(&mut room, &a, vote(true)).unwrap();
        assert!(matches!(
            run(&mut room, &a, vote(true)),
            Err(Error::Conflict(_))
        ));
        run(&mut room, &b, vote(true)).unwrap();
        assert_eq!(room.view(&a.user).questions[0].votes, 2);
        run(&mut room, &b, vote(false)).unwrap();
        assert_eq!(room.view(&b.user).questions[0].votes, 1);
        assert!(room.view(&a.user).my_votes.contains(&question.id));

        let LiveKind::PollOpened { poll } = run(
            &mut room,
            &host,
            Command::OpenPoll {
                question: "Which?".into(),
                options: vec!["x".into(), "y".into()],
                multiple: false,
            },
        )
        .unwrap() else {
            panic!()
        };
        let vp = |choices: Vec<u32>| Command::VotePoll {
            poll: poll.id.clone(),
            choices,
        };
        assert!(matches!(
            run(&mut room, &a, vp(vec![0, 1])),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            run(&mut room, &a, vp(vec![2])),
            Err(Error::Invalid { .. })
        ));
        run(&mut room, &a, vp(vec![1])).unwrap();
        assert!(matches!(
            run(&mut room, &a, vp(vec![0])),
            Err(Error::Conflict(_))
        ));
        run(
            &mut room,
            &host,
            Command::ClosePoll {
                poll: poll.id.clone(),
            },
        )
        .unwrap();
        assert!(matches!(
            run(&mut room, &b, vp(vec![0])),
            Err(Error::Conflict(_))
        ));
        assert_eq!(room.view(&a.user).polls[0].counts, vec![0, 1]);
        assert_eq!(room.head, 8);
    }

    #[test]
    fn students_may_not_flood_the_room_but_hosts_may_write_on() {
        let mut room = Room::default();
        let host = p("Mentor", Role::Mentor);
        let kid = p("Ana", Role::Student);
        run(&mut room, &host, Command::Start).unwrap();
        for _ in 0..STUDENT_BURST {
            run(&mut room, &kid, Command::Ask("Why?".into())).unwrap();
        }
        assert!(matches!(
            run(
                &mut room,
                &kid,
                Command::Chat(MessageBody::parse("hi").unwrap())
            ),
            Err(Error::RateLimited { .. })
        ));
        for _ in 0..10 {
            run(
                &mut room,
                &host,
                Command::Chat(MessageBody::parse("hello").unwrap()),
            )
            .unwrap();
        }
        let later = Utc::now() + chrono::Duration::seconds(STUDENT_WINDOW_SECS + 1);
        assert!(
            room.decide(&Command::Ask("Now?".into()), &kid, later)
                .is_ok()
        );
    }

    #[test]
    fn time_present_counts_overlaps_once_and_only_while_live() {
        let t = |m: i64| {
            "2026-12-10T08:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(m)
        };
        let spans = vec![(t(-10), Some(t(5))), (t(3), Some(t(20))), (t(30), None)];
        // Live from 0 to 40: 0–20 and 30–40.
        assert_eq!(seconds_within(&spans, t(0), t(40)), 30 * 60);
        assert_eq!(minutes(89), 1);
        assert_eq!(minutes(90), 2);
    }

    #[test]
    fn students_show_by_first_name_and_csv_cannot_smuggle_formulas() {
        assert_eq!(first_name("Aigerim Nurlanovna Bekova"), "Aigerim");
        assert_eq!(defuse("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(defuse("Ana"), "Ana");
    }
}
