//! Twinning spaces as data: spaces, their members and channels, messages
//! with their Markdown rendering, and the events a space's log records.
//!
//! The use cases live in `space_use`, `messages` and `space_log`; this module
//! holds the types and the pure rules on them (parsing, rendering,
//! redaction). It does not touch a backend.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::model::User;
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{
    ChannelId, MessageId, ReportId, SchoolId, SpaceId, SpaceInvitationId, UserId,
};
use crate::kernel::text::{LanguageCode, clean_text};

/// The four pillars of learning (Delors report) a space serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
// The pillars are called "learning to …"; the names say so on the wire too.
#[allow(clippy::enum_variant_names)]
pub enum Pillar {
    LearningToKnow,
    LearningToDo,
    LearningToBe,
    LearningToLiveTogether,
}

/// What a space is about, as its creator describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceDetails {
    pub title: String,
    pub description: String,
    pub topic: String,
    pub pillars: Vec<Pillar>,
    pub languages: Vec<LanguageCode>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

impl SpaceDetails {
    /// Checks the creator's input: a title (≤ 200 characters), a description
    /// (≤ 5,000), a topic (≤ 200), pillars and languages without repeats, and
    /// an end date not before the start.
    pub fn parse(
        title: &str,
        description: &str,
        topic: &str,
        mut pillars: Vec<Pillar>,
        languages: &[String],
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    ) -> Result<Self> {
        let title = clean_text("title", title, 200, false)?;
        let description = if description.trim().is_empty() {
            String::new()
        } else {
            clean_text("description", description, 5000, true)?
        };
        let topic = clean_text("topic", topic, 200, false)?;
        pillars.sort();
        pillars.dedup();
        let languages = crate::kernel::text::parse_languages(languages)?;
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            return Err(Error::invalid("endsOn", "the end is before the start"));
        }
        Ok(SpaceDetails {
            title,
            description,
            topic,
            pillars,
            languages,
            starts_on,
            ends_on,
        })
    }
}

/// A twinning space between schools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    pub id: SpaceId,
    pub details: SpaceDetails,
    /// The school of the person who created the space; its teachers lead.
    pub lead_school: SchoolId,
    /// Every member school, the lead school first.
    pub schools: Vec<SchoolId>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub archived: bool,
}

impl Space {
    pub fn has_school(&self, school: &SchoolId) -> bool {
        self.schools.contains(school)
    }
}

/// A person's part in a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpaceRole {
    /// Staff of the school that created the space.
    Lead,
    /// Staff of another member school.
    Teacher,
    Student,
    Mentor,
    /// A national coordinator of a member school's country, or an
    /// administrator: reads everything, writes nothing.
    Observer,
}

impl SpaceRole {
    /// Reads the teachers' bulletin and hidden messages.
    pub fn is_staff(self) -> bool {
        !matches!(self, SpaceRole::Student)
    }

    /// Moderates: hides and deletes others' messages, adds channels.
    pub fn moderates(self) -> bool {
        matches!(self, SpaceRole::Lead | SpaceRole::Teacher)
    }

    pub fn writes(self) -> bool {
        !matches!(self, SpaceRole::Observer)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SpaceRole::Lead => "lead",
            SpaceRole::Teacher => "teacher",
            SpaceRole::Student => "student",
            SpaceRole::Mentor => "mentor",
            SpaceRole::Observer => "observer",
        }
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        [
            SpaceRole::Lead,
            SpaceRole::Teacher,
            SpaceRole::Student,
            SpaceRole::Mentor,
            SpaceRole::Observer,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A member of a space, with the facts others see of them there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub space: SpaceId,
    pub user: UserId,
    pub username: String,
    pub display_name: String,
    pub role: SpaceRole,
    pub school: Option<SchoolId>,
    pub joined_at: DateTime<Utc>,
    pub added_by: Option<UserId>,
}

impl Member {
    pub fn of(space: &SpaceId, user: &User, role: SpaceRole, at: DateTime<Utc>) -> Member {
        Member {
            space: space.clone(),
            user: user.id.clone(),
            username: user.username.as_str().to_owned(),
            display_name: user.display_name.as_str().to_owned(),
            role,
            school: user.school.clone(),
            joined_at: at,
            added_by: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelKind {
    /// Every space has one; every member reads it.
    General,
    /// The teachers' bulletin: staff and mentors only.
    Bulletin,
    /// Added by a teacher; every member reads it.
    Topic,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::General => "general",
            ChannelKind::Bulletin => "bulletin",
            ChannelKind::Topic => "topic",
        }
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        [
            ChannelKind::General,
            ChannelKind::Bulletin,
            ChannelKind::Topic,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: ChannelId,
    pub space: SpaceId,
    pub name: String,
    pub topic: Option<String>,
    pub kind: ChannelKind,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl Channel {
    /// Who reads the channel: staff only for the bulletin.
    pub fn readable_by(&self, role: SpaceRole) -> bool {
        self.kind != ChannelKind::Bulletin || role.is_staff()
    }

    /// Parses a channel name: lower-case letters of any script, digits and
    /// dashes, 1–40 characters, e.g. `ecology` or `экология-9б`.
    pub fn parse_name(s: &str) -> Result<String> {
        let s = s.trim().to_lowercase();
        let ok = !s.is_empty()
            && s.chars().count() <= 40
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(s)
        } else {
            Err(Error::invalid(
                "name",
                "use 1 to 40 letters, digits, dashes or underscores",
            ))
        }
    }
}

/// The longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// A message body as written (Markdown) and as shown (sanitized HTML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody {
    pub markdown: String,
    pub html: String,
    /// Lower-cased usernames written as `@name`.
    pub mentioned: BTreeSet<String>,
}

impl MessageBody {
    pub fn parse(s: &str) -> Result<Self> {
        let markdown = clean_text("body", s, MAX_MESSAGE_CHARS, true)?;
        let html = render_markdown(&markdown);
        let mentioned = mentions(&markdown);
        Ok(MessageBody {
            markdown,
            html,
            mentioned,
        })
    }
}

/// Renders Markdown to HTML that is safe to put in a page: no scripts, no
/// styles, no event handlers, no `javascript:` or `data:` links; links open
/// without passing the page on (`rel="noopener noreferrer nofollow"`).
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITIZER.clean(&raw).to_string()
}

/// Built once: building the sanitizer's tables cost as much as using them.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        // An image from elsewhere would tell its server who reads the text
        // and when (a tracking pixel): images come from this platform only.
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" {
                let own =
                    value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
                return own.then(|| value.into());
            }
            Some(value.into())
        });
    b
});

/// The `@username` mentions in a text: a username is 3–32 of `a-z 0-9 . _ -`
/// (the rules of [`Username`]), preceded by the start or a non-word character.
pub fn mentions(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '@' && (i == 0 || !(chars[i - 1].is_alphanumeric()));
        if starts {
            let mut j = i + 1;
            while j < chars.len() && allowed(chars[j]) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            let name = name.trim_end_matches(['.', '-', '_']).to_ascii_lowercase();
            if (3..=32).contains(&name.len()) {
                out.insert(name);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Why and by whom a message was hidden from students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hiding {
    pub by: UserId,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub user: UserId,
}

/// Parses a reaction: one emoji (or a short emoji sequence), at most 16
/// bytes, no letters or digits.
pub fn parse_emoji(s: &str) -> Result<String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 16
        && s.chars()
            .all(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control());
    if ok {
        Ok(s.to_owned())
    } else {
        Err(Error::invalid("emoji", "react with one emoji"))
    }
}

/// At most this many different emoji on one message.
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub space: SpaceId,
    pub channel: ChannelId,
    /// The position of the event that posted it in the space's log.
    pub seq: u64,
    pub author: UserId,
    pub author_name: String,
    pub author_role: SpaceRole,
    pub body: MessageBody,
    /// The message this one answers (threads are one level deep).
    pub reply_to: Option<MessageId>,
    pub reply_count: u32,
    /// Members notified by `@username`.
    pub mentions: Vec<UserId>,
    pub reactions: Vec<Reaction>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// Deleted messages stay as tombstones: no body, but still in threads.
    pub deleted: bool,
    pub hidden: Option<Hiding>,
}

impl Message {
    /// The message as a student may see it: hidden and deleted ones without
    /// their content.
    pub fn for_student(&self) -> Message {
        if self.hidden.is_some() || self.deleted {
            self.redacted()
        } else {
            self.clone()
        }
    }

    /// The message without its content (and without who hid it and why).
    pub fn redacted(&self) -> Message {
        let mut m = self.clone();
        m.body = MessageBody {
            markdown: String::new(),
            html: String::new(),
            mentioned: BTreeSet::new(),
        };
        m.mentions.clear();
        if let Some(h) = &mut m.hidden {
            h.reason.clear();
        }
        m
    }
}

/// An earlier version of an edited message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEdit {
    pub message: MessageId,
    pub body: MessageBody,
    /// When this version was replaced.
    pub replaced_at: DateTime<Utc>,
}

/// What happened in a space. Durable kinds are kept in the space's log with
/// a gap-free sequence number; `PresenceChanged` and `Typing` are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpaceEventKind {
    MessagePosted(Message),
    MessageEdited(Message),
    MessageHidden(Message),
    MessageUnhidden(Message),
    MessageDeleted(Message),
    ReactionChanged {
        message: MessageId,
        channel: ChannelId,
        emoji: String,
        user: UserId,
        added: bool,
    },
    MemberJoined(Member),
    MemberLeft {
        member: Member,
        by: Option<UserId>,
    },
    ChannelCreated(Channel),
    SpaceUpdated(Box<Space>),
    PresenceChanged {
        user: UserId,
        display_name: String,
        online: bool,
    },
    Typing {
        channel: ChannelId,
        user: UserId,
        display_name: String,
    },
}

impl SpaceEventKind {
    pub fn is_durable(&self) -> bool {
        !matches!(
            self,
            SpaceEventKind::PresenceChanged { .. } | SpaceEventKind::Typing { .. }
        )
    }

    /// The channel the event happened in, if it belongs to one.
    pub fn channel(&self) -> Option<&ChannelId> {
        match self {
            SpaceEventKind::MessagePosted(m)
            | SpaceEventKind::MessageEdited(m)
            | SpaceEventKind::MessageHidden(m)
            | SpaceEventKind::MessageUnhidden(m)
            | SpaceEventKind::MessageDeleted(m) => Some(&m.channel),
            SpaceEventKind::ReactionChanged { channel, .. }
            | SpaceEventKind::Typing { channel, .. } => Some(channel),
            SpaceEventKind::ChannelCreated(c) => Some(&c.id),
            _ => None,
        }
    }

    pub fn message(&self) -> Option<&Message> {
        match self {
            SpaceEventKind::MessagePosted(m)
            | SpaceEventKind::MessageEdited(m)
            | SpaceEventKind::MessageHidden(m)
            | SpaceEventKind::MessageUnhidden(m)
            | SpaceEventKind::MessageDeleted(m) => Some(m),
            _ => None,
        }
    }

    fn message_mut(&mut self) -> Option<&mut Message> {
        match self {
            SpaceEventKind::MessagePosted(m)
            | SpaceEventKind::MessageEdited(m)
            | SpaceEventKind::MessageHidden(m)
            | SpaceEventKind::MessageUnhidden(m)
            | SpaceEventKind::MessageDeleted(m) => Some(m),
            _ => None,
        }
    }
}

/// One event of a space: `seq` is its place in the space's log (durable
/// events only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceEvent {
    pub space: SpaceId,
    pub seq: Option<u64>,
    pub at: DateTime<Utc>,
    pub kind: SpaceEventKind,
    /// Happened in the teachers' bulletin: students never get it.
    #[serde(default)]
    pub staff_only: bool,
}

/// What became of a message after an event about it was logged; replays
/// show the message as it is now, not as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    Hidden,
    Deleted,
}

/// A logged event with what has become of its message since.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub event: SpaceEvent,
    pub redaction: Option<Redaction>,
}

impl SpaceEvent {
    /// The event as a member in `role` may receive it, or `None` when it is
    /// not for them at all.
    pub fn for_role(&self, role: SpaceRole, redaction: Option<Redaction>) -> Option<SpaceEvent> {
        let staff = role.is_staff();
        if self.staff_only && !staff {
            return None;
        }
        if let SpaceEventKind::ChannelCreated(c) = &self.kind
            && !c.readable_by(role)
        {
            return None;
        }
        let mut e = self.clone();
        if let Some(m) = e.kind.message_mut() {
            if redaction == Some(Redaction::Deleted) {
                *m = m.redacted();
                m.deleted = true;
            } else if !staff {
                if redaction == Some(Redaction::Hidden) && m.hidden.is_none() {
                    m.hidden = Some(Hiding {
                        by: m.author.clone(),
                        reason: String::new(),
                        at: e.at,
                    });
                }
                *m = m.for_student();
            }
        }
        Some(e)
    }
}

/// An invitation of a school or a mentor into a space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceInvitation {
    pub id: SpaceInvitationId,
    pub space: SpaceId,
    pub invitee: Invitee,
    pub status: InvitationAnswer,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub answered_by: Option<UserId>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitee {
    School(SchoolId),
    Mentor(UserId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationAnswer {
    Pending,
    Accepted,
    Declined,
}

impl InvitationAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationAnswer::Pending => "pending",
            InvitationAnswer::Accepted => "accepted",
            InvitationAnswer::Declined => "declined",
        }
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(InvitationAnswer::Pending),
            "accepted" => Some(InvitationAnswer::Accepted),
            "declined" => Some(InvitationAnswer::Declined),
            _ => None,
        }
    }
}

/// A report of a message to the space's teachers, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReport {
    pub id: ReportId,
    pub message: MessageId,
    pub space: SpaceId,
    pub by: UserId,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub status: ReportStatus,
    /// Who decided, when, and what they told the reporter.
    pub handled: Option<ReportHandling>,
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    /// Waiting for one of the space's teachers.
    Open,
    /// A teacher hid the message from students.
    MessageHidden,
    /// A teacher looked and found nothing to do.
    Dismissed,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::MessageHidden => "message_hidden",
            ReportStatus::Dismissed => "dismissed",
        }
    }

    pub fn from_stored(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Open,
            ReportStatus::MessageHidden,
            ReportStatus::Dismissed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A teacher's decision on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportHandling {
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Told to whoever reported the message.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_without_anything_active() {
        let html = render_markdown(
            "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://unesco.org)",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://unesco.org" rel="noopener noreferrer nofollow">ok</a>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn images_come_from_the_platform_only() {
        let html = render_markdown(
            "![pixel](https://tracker.example/p.gif) ![](//tracker.example/q.gif) ![ours](/downloads/abc/thumbnail)",
        );
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(html.contains(r#"src="/downloads/abc/thumbnail""#), "{html}");
    }

    #[test]
    fn mentions_are_usernames_after_an_at_sign() {
        let m = mentions("Hi @anna.k and @Aram_G72, mail me at a@b.org. @x @");
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec!["anna.k".to_owned(), "aram_g72".to_owned()]
        );
    }

    #[test]
    fn bodies_longer_than_ten_thousand_characters_are_refused() {
        assert!(MessageBody::parse(&"ж".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert!(MessageBody::parse(&"ж".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(MessageBody::parse("  ").is_err());
    }

    #[test]
    fn channel_names_take_any_script_but_no_spaces() {
        assert_eq!(Channel::parse_name(" Экология-9Б ").unwrap(), "экология-9б");
        assert!(Channel::parse_name("two words").is_err());
        assert!(Channel::parse_name("").is_err());
    }

    #[test]
    fn emoji_reactions_are_not_words() {
        assert_eq!(parse_emoji("👍").unwrap(), "👍");
        assert_eq!(parse_emoji("👩‍🏫").unwrap(), "👩‍🏫");
        assert!(parse_emoji("like").is_err());
        assert!(parse_emoji("").is_err());
    }
}
