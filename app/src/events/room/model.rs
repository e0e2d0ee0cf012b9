//! What a live room holds and stores: participants, questions, polls, the
//! entries of its log, and the attendance report built from them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::model::{Role, User};
use crate::events::Event;
use crate::kernel::id::{EventId, LiveMessageId, PollId, QuestionId, SchoolId, UserId};
use crate::network::model::School;
use crate::spaces::model::MessageBody;

/// A person as the room shows them: students by their first name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user: UserId,
    pub name: String,
    pub school: Option<SchoolId>,
    pub role: Role,
}

impl Participant {
    pub fn of(u: &User) -> Participant {
        let name = if u.role.is_student() {
            first_name(u.display_name.as_str())
        } else {
            u.display_name.as_str().to_owned()
        };
        Participant {
            user: u.id.clone(),
            name,
            school: u.school.clone(),
            role: u.role,
        }
    }
}

/// The first word of a name.
pub fn first_name(full: &str) -> String {
    full.split_whitespace().next().unwrap_or(full).to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub author: Participant,
    pub body: String,
    pub asked_at: DateTime<Utc>,
    pub votes: u32,
    pub answered: bool,
    pub pinned: bool,
    /// Hidden by a host: its text is shown to nobody.
    pub hidden: bool,
}

impl Question {
    /// The question as participants see it: a hidden one without its text.
    pub fn shown(&self) -> Question {
        let mut q = self.clone();
        if q.hidden {
            q.body = String::new();
        }
        q
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub id: PollId,
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub opened_by: Participant,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Votes per option.
    pub counts: Vec<u32>,
    /// People who voted.
    pub voters: u32,
}

/// What happened in a room, as kept in its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveKind {
    Started {
        by: Participant,
    },
    Ended {
        by: Participant,
    },
    Joined {
        who: Participant,
    },
    Left {
        who: Participant,
    },
    Chat {
        id: LiveMessageId,
        author: Participant,
        body: MessageBody,
    },
    Asked {
        question: Question,
    },
    /// `votes` is the count after this vote.
    Voted {
        question: QuestionId,
        voter: UserId,
        up: bool,
        votes: u32,
    },
    /// A host marked a question answered, pinned or hidden: the question after.
    Marked {
        question: Question,
    },
    PollOpened {
        poll: Poll,
    },
    /// The counts after this vote.
    PollVoted {
        poll: PollId,
        voter: UserId,
        choices: Vec<u32>,
        counts: Vec<u32>,
        voters: u32,
    },
    PollClosed {
        poll: Poll,
    },
    /// A hand raised or lowered (by its owner, or lowered by a host).
    Hand {
        who: Participant,
        raised: bool,
        by: UserId,
    },
    /// A host took a chat message out of the room: it leaves the room's
    /// view, and replays no longer carry it.
    ChatHidden {
        id: LiveMessageId,
        by: UserId,
    },
}

/// One entry of a room's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEntry {
    pub event: EventId,
    /// The gap-free position in the event's log, from 1.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: LiveKind,
}

/// A raised hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedHand {
    pub who: Participant,
    pub at: DateTime<Utc>,
}

/// The room as one participant finds it when they come in.
#[derive(Debug, Clone)]
pub struct RoomView {
    /// The position of the newest entry: resume `eventLive` from here.
    pub head: u64,
    pub live: bool,
    /// Pinned first, then by votes, then oldest first.
    pub questions: Vec<Question>,
    /// The questions the asker upvoted.
    pub my_votes: HashSet<QuestionId>,
    /// Newest first.
    pub polls: Vec<Poll>,
    /// The choices the asker made, per poll.
    pub my_choices: HashMap<PollId, Vec<u32>>,
    pub hands: Vec<RaisedHand>,
    /// Who is in the room now.
    pub present: Vec<Participant>,
    /// The newest chat messages, oldest first (none a host hid).
    pub chat: Vec<LiveEntry>,
    /// Chat messages the hosts hid.
    pub hidden_chat: HashSet<LiveMessageId>,
}

/// How the viewer stands in an event's room.
#[derive(Debug, Clone)]
pub struct RoomAccess {
    pub event: Event,
    /// Runs the room: the organizer, a mentor, an administrator.
    pub host: bool,
    /// Takes part (asks, votes, chats, is counted present); otherwise they
    /// watch only — a capacity-limited event without a seat.
    pub participant: bool,
}

/// Attendance of one person, for the report.
#[derive(Debug, Clone)]
pub struct AttendanceRow {
    pub user: UserId,
    /// The full name where the viewer may see the person, else as the room shows them.
    pub name: String,
    pub role: Role,
    pub class_label: Option<String>,
    pub first_joined: DateTime<Utc>,
    pub last_left: Option<DateTime<Utc>>,
    /// Time present while the event was live, in seconds.
    pub seconds_present: i64,
}

/// Attendance of one school.
#[derive(Debug, Clone)]
pub struct SchoolAttendance {
    pub school: Option<School>,
    pub people: Vec<AttendanceRow>,
}

/// Who came to an event, school by school.
#[derive(Debug, Clone)]
pub struct AttendanceReport {
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub schools: Vec<SchoolAttendance>,
}

impl AttendanceReport {
    /// The report as CSV (RFC 4180), one row per person.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "school",
            "country",
            "participant",
            "role",
            "class",
            "first joined (UTC)",
            "last left (UTC)",
            "minutes present",
        ]);
        for s in &self.schools {
            let (name, country) = match &s.school {
                Some(sc) => (
                    sc.facts.name.get(None).to_owned(),
                    sc.facts.country.to_string(),
                ),
                None => (String::new(), String::new()),
            };
            for p in &s.people {
                // A leading formula character would run in a spreadsheet:
                // every text people wrote is defused, names of schools and
                // classes too.
                let _ = w.write_record([
                    &defuse(&name),
                    country.as_str(),
                    &defuse(&p.name),
                    p.role.as_str(),
                    &defuse(p.class_label.as_deref().unwrap_or("")),
                    &p.first_joined.format("%Y-%m-%d %H:%M:%S").to_string(),
                    &p.last_left
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default(),
                    &minutes(p.seconds_present).to_string(),
                ]);
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// Whole minutes, rounded to the nearest.
pub fn minutes(seconds: i64) -> i64 {
    (seconds + 30) / 60
}

pub(crate) fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}
