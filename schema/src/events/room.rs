//! GraphQL types of the live rooms: participants, questions, polls, the
//! live events of a room and its attendance.

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::network::types::School;

/// A person as a live room shows them: students by their first name only.
#[derive(SimpleObject)]
pub struct Participant {
    pub id: ID,
    pub name: String,
    pub role: crate::accounts::types::Role,
    pub school_id: Option<ID>,
}

impl From<&app::Participant> for Participant {
    fn from(p: &app::Participant) -> Self {
        Participant {
            id: ID(p.user.to_string()),
            name: p.name.clone(),
            role: p.role.into(),
            school_id: p.school.as_ref().map(|s| ID(s.to_string())),
        }
    }
}

/// A question asked in a live room.
#[derive(SimpleObject)]
pub struct Question {
    pub id: ID,
    /// Empty when hidden.
    pub body: String,
    pub author: Participant,
    pub asked_at: DateTime<Utc>,
    pub votes: u32,
    pub answered: bool,
    pub pinned: bool,
    /// Hidden by a host; its text is shown to nobody.
    pub hidden: bool,
}

impl From<&app::Question> for Question {
    fn from(q: &app::Question) -> Self {
        let q = q.shown();
        Question {
            id: ID(q.id.to_string()),
            body: q.body,
            author: (&q.author).into(),
            asked_at: q.asked_at,
            votes: q.votes,
            answered: q.answered,
            pinned: q.pinned,
            hidden: q.hidden,
        }
    }
}

/// A quick poll and its results so far.
#[derive(SimpleObject)]
pub struct Poll {
    pub id: ID,
    pub question: String,
    pub options: Vec<String>,
    /// Whether several options may be chosen.
    pub multiple: bool,
    pub open: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Votes per option, in the order of `options`.
    pub counts: Vec<u32>,
    /// People who voted.
    pub voters: u32,
}

impl From<&app::Poll> for Poll {
    fn from(p: &app::Poll) -> Self {
        Poll {
            id: ID(p.id.to_string()),
            question: p.question.clone(),
            options: p.options.clone(),
            multiple: p.multiple,
            open: p.closed_at.is_none(),
            opened_at: p.opened_at,
            closed_at: p.closed_at,
            counts: p.counts.clone(),
            voters: p.voters,
        }
    }
}

/// The votes of a question after an upvote.
#[derive(SimpleObject)]
pub struct QuestionVotes {
    pub question_id: ID,
    pub votes: u32,
}

/// A poll's results after a vote.
#[derive(SimpleObject)]
pub struct PollResults {
    pub poll_id: ID,
    pub counts: Vec<u32>,
    pub voters: u32,
}

/// What you chose in a poll.
#[derive(SimpleObject)]
pub struct PollChoice {
    pub poll_id: ID,
    pub choices: Vec<u32>,
}

/// A raised hand, oldest first.
#[derive(SimpleObject)]
pub struct RaisedHand {
    pub participant: Participant,
    pub at: DateTime<Utc>,
}

/// A chat message of a live room.
#[derive(SimpleObject)]
pub struct LiveChatMessage {
    pub id: ID,
    pub author: Participant,
    /// As written (Markdown).
    pub body: String,
    /// As safe HTML.
    pub html: String,
}

/// What happened in a live room.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum LiveEventKind {
    /// The session went live (`participant`: who started it).
    Started,
    /// The session ended; open polls closed and hands went down.
    Ended,
    /// Someone came in (`participant`).
    Joined,
    /// Someone left (`participant`).
    Left,
    /// A chat message (`message`).
    ChatPosted,
    /// A question (`question`).
    QuestionAsked,
    /// A question's votes changed (`questionId`, `votes`).
    QuestionVoted,
    /// A host marked a question answered, pinned or hidden (`question`).
    QuestionUpdated,
    /// A poll opened (`poll`).
    PollOpened,
    /// A poll's results changed (`pollId`, `counts`, `voters`).
    PollVoted,
    /// A poll closed (`poll`, with its final results).
    PollClosed,
    /// A hand went up or down (`participant`, `raised`).
    HandChanged,
    /// A host took a chat message out of the room (`messageId`).
    ChatHidden,
}

/// One entry of a live room: its `kind` says which other fields it fills.
pub struct LiveEvent(pub std::sync::Arc<app::LiveEntry>);

#[Object]
impl LiveEvent {
    /// Resume `eventLive` after this entry with it.
    async fn cursor(&self) -> String {
        self.0.seq.to_string()
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    async fn kind(&self) -> LiveEventKind {
        use app::LiveKind as K;
        match &self.0.kind {
            K::Started { .. } => LiveEventKind::Started,
            K::Ended { .. } => LiveEventKind::Ended,
            K::Joined { .. } => LiveEventKind::Joined,
            K::Left { .. } => LiveEventKind::Left,
            K::Chat { .. } => LiveEventKind::ChatPosted,
            K::Asked { .. } => LiveEventKind::QuestionAsked,
            K::Voted { .. } => LiveEventKind::QuestionVoted,
            K::Marked { .. } => LiveEventKind::QuestionUpdated,
            K::PollOpened { .. } => LiveEventKind::PollOpened,
            K::PollVoted { .. } => LiveEventKind::PollVoted,
            K::PollClosed { .. } => LiveEventKind::PollClosed,
            K::Hand { .. } => LiveEventKind::HandChanged,
            K::ChatHidden { .. } => LiveEventKind::ChatHidden,
        }
    }

    async fn participant(&self) -> Option<Participant> {
        use app::LiveKind as K;
        match &self.0.kind {
            K::Started { by } | K::Ended { by } => Some(by.into()),
            K::Joined { who } | K::Left { who } | K::Hand { who, .. } => Some(who.into()),
            _ => None,
        }
    }

    async fn message(&self) -> Option<LiveChatMessage> {
        match &self.0.kind {
            app::LiveKind::Chat { id, author, body } => Some(LiveChatMessage {
                id: ID(id.to_string()),
                author: author.into(),
                body: body.markdown.clone(),
                html: body.html.clone(),
            }),
            _ => None,
        }
    }

    /// The chat message posted or hidden.
    async fn message_id(&self) -> Option<ID> {
        match &self.0.kind {
            app::LiveKind::Chat { id, .. } | app::LiveKind::ChatHidden { id, .. } => {
                Some(ID(id.to_string()))
            }
            _ => None,
        }
    }

    async fn question(&self) -> Option<Question> {
        match &self.0.kind {
            app::LiveKind::Asked { question } | app::LiveKind::Marked { question } => {
                Some(question.into())
            }
            _ => None,
        }
    }

    async fn question_id(&self) -> Option<ID> {
        match &self.0.kind {
            app::LiveKind::Voted { question, .. } => Some(ID(question.to_string())),
            app::LiveKind::Asked { question } | app::LiveKind::Marked { question } => {
                Some(ID(question.id.to_string()))
            }
            _ => None,
        }
    }

    async fn votes(&self) -> Option<u32> {
        match &self.0.kind {
            app::LiveKind::Voted { votes, .. } => Some(*votes),
            app::LiveKind::Asked { question } | app::LiveKind::Marked { question } => {
                Some(question.votes)
            }
            _ => None,
        }
    }

    async fn poll(&self) -> Option<Poll> {
        match &self.0.kind {
            app::LiveKind::PollOpened { poll } | app::LiveKind::PollClosed { poll } => {
                Some(poll.into())
            }
            _ => None,
        }
    }

    async fn poll_id(&self) -> Option<ID> {
        match &self.0.kind {
            app::LiveKind::PollVoted { poll, .. } => Some(ID(poll.to_string())),
            app::LiveKind::PollOpened { poll } | app::LiveKind::PollClosed { poll } => {
                Some(ID(poll.id.to_string()))
            }
            _ => None,
        }
    }

    async fn counts(&self) -> Option<Vec<u32>> {
        match &self.0.kind {
            app::LiveKind::PollVoted { counts, .. } => Some(counts.clone()),
            app::LiveKind::PollOpened { poll } | app::LiveKind::PollClosed { poll } => {
                Some(poll.counts.clone())
            }
            _ => None,
        }
    }

    async fn voters(&self) -> Option<u32> {
        match &self.0.kind {
            app::LiveKind::PollVoted { voters, .. } => Some(*voters),
            app::LiveKind::PollOpened { poll } | app::LiveKind::PollClosed { poll } => {
                Some(poll.voters)
            }
            _ => None,
        }
    }

    async fn raised(&self) -> Option<bool> {
        match &self.0.kind {
            app::LiveKind::Hand { raised, .. } => Some(*raised),
            _ => None,
        }
    }
}

/// The live room as one participant finds it.
pub struct LiveRoom(pub app::RoomView);

#[Object]
impl LiveRoom {
    /// Follow the room from here: `eventLive(eventId, after: head)`.
    async fn head(&self) -> String {
        self.0.head.to_string()
    }

    async fn live(&self) -> bool {
        self.0.live
    }

    /// Pinned first, then by votes, then oldest first.
    async fn questions(&self) -> Vec<Question> {
        self.0.questions.iter().map(Question::from).collect()
    }

    /// The questions you upvoted.
    async fn my_votes(&self) -> Vec<ID> {
        let mut v: Vec<ID> = self.0.my_votes.iter().map(|q| ID(q.to_string())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Newest first.
    async fn polls(&self) -> Vec<Poll> {
        self.0.polls.iter().map(Poll::from).collect()
    }

    /// What you chose in each poll you voted in.
    async fn my_choices(&self) -> Vec<PollChoice> {
        self.0
            .my_choices
            .iter()
            .map(|(p, c)| PollChoice {
                poll_id: ID(p.to_string()),
                choices: c.clone(),
            })
            .collect()
    }

    async fn hands(&self) -> Vec<RaisedHand> {
        self.0
            .hands
            .iter()
            .map(|h| RaisedHand {
                participant: (&h.who).into(),
                at: h.at,
            })
            .collect()
    }

    /// Who is in the room now.
    async fn present(&self) -> Vec<Participant> {
        self.0.present.iter().map(Participant::from).collect()
    }

    /// The newest chat messages (up to 50), oldest first.
    async fn chat(&self) -> Vec<LiveEvent> {
        self.0
            .chat
            .iter()
            .map(|e| LiveEvent(std::sync::Arc::new(e.clone())))
            .collect()
    }
}

/// One person's attendance.
pub struct AttendanceRow(app::AttendanceRow);

#[Object]
impl AttendanceRow {
    async fn person_id(&self) -> ID {
        ID(self.0.user.to_string())
    }

    /// The full name where you may see the person; else as the room shows them.
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn role(&self) -> crate::accounts::types::Role {
        self.0.role.into()
    }

    async fn class_label(&self) -> Option<&str> {
        self.0.class_label.as_deref()
    }

    async fn first_joined_at(&self) -> DateTime<Utc> {
        self.0.first_joined
    }

    /// Null while they are still there.
    async fn last_left_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_left
    }

    /// Time present while the event was live, in whole minutes (rounded).
    async fn minutes_present(&self) -> i64 {
        app::events::room::model::minutes(self.0.seconds_present)
    }

    async fn seconds_present(&self) -> i64 {
        self.0.seconds_present
    }
}

/// One school's attendance.
pub struct SchoolAttendance(app::SchoolAttendance);

#[Object]
impl SchoolAttendance {
    /// Null for participants without a school (mentors, coordinators).
    async fn school(&self) -> Option<School> {
        self.0.school.clone().map(School)
    }

    async fn participants(&self) -> Vec<AttendanceRow> {
        self.0.people.iter().cloned().map(AttendanceRow).collect()
    }

    async fn participant_count(&self) -> usize {
        self.0.people.len()
    }
}

/// Who came to an event, school by school.
pub struct AttendanceReport(pub app::AttendanceReport);

#[Object]
impl AttendanceReport {
    async fn live_started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }

    async fn live_ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }

    async fn schools(&self) -> Vec<SchoolAttendance> {
        self.0
            .schools
            .iter()
            .cloned()
            .map(SchoolAttendance)
            .collect()
    }

    /// The same report as CSV (one row per person), for spreadsheets.
    async fn csv(&self) -> String {
        self.0.to_csv()
    }
}
