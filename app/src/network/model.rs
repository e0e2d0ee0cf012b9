//! Domain types of the network: countries, schools and their lifecycle, visit
//! cards, files, invitations, students' classes, mentors, and list pages.
//! Inputs are parsed into these at the edge; the rules that use them live in
//! `policy`, `schools`, `people` and `files`.

use chrono::{DateTime, Utc};

use crate::accounts::model::{ClassLabel, MentorProfile};
use crate::accounts::model::{DisplayName, Email, Role};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, FileId, InvitationId, SchoolId, TwinningId, UserId};
use crate::kernel::paging::PageRequest;
use crate::kernel::text::{FileName, LanguageCode, LocalizedText, clean_text, parse_languages};

/// A country of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: CountryCode,
    pub name: String,
    pub native_name: String,
}

impl Country {
    pub fn parse(code: &str, name: &str, native_name: &str) -> Result<Self> {
        Ok(Country {
            code: CountryCode::parse(code)?,
            name: clean_text("name", name, 100, false)?,
            native_name: clean_text("nativeName", native_name, 100, false)?,
        })
    }
}

/// Where a school stands. Only `Approved` schools take part in spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchoolStatus {
    Applied,
    Approved,
    Rejected,
    Suspended,
    Withdrawn,
}

impl SchoolStatus {
    pub const ALL: [SchoolStatus; 5] = [
        SchoolStatus::Applied,
        SchoolStatus::Approved,
        SchoolStatus::Rejected,
        SchoolStatus::Suspended,
        SchoolStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchoolStatus::Applied => "applied",
            SchoolStatus::Approved => "approved",
            SchoolStatus::Rejected => "rejected",
            SchoolStatus::Suspended => "suspended",
            SchoolStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The lifecycle: applied → approved | rejected; approved → suspended |
    /// withdrawn; suspended → approved | withdrawn; rejected → approved (on
    /// reconsideration) | withdrawn. Withdrawn is final.
    pub fn may_become(self, to: SchoolStatus) -> bool {
        use SchoolStatus::*;
        matches!(
            (self, to),
            (Applied, Approved)
                | (Applied, Rejected)
                | (Applied, Withdrawn)
                | (Approved, Suspended)
                | (Approved, Withdrawn)
                | (Suspended, Approved)
                | (Suspended, Withdrawn)
                | (Rejected, Approved)
                | (Rejected, Withdrawn)
        )
    }
}

/// How to reach a school; shown to signed-in adults of the network only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchoolContact {
    pub name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

impl SchoolContact {
    pub fn parse(name: Option<&str>, email: Option<&str>, phone: Option<&str>) -> Result<Self> {
        let name = name
            .filter(|s| !s.trim().is_empty())
            .map(|s| clean_text("contactName", s, 100, false))
            .transpose()?;
        let email = email
            .filter(|s| !s.trim().is_empty())
            .map(|e| {
                Email::parse(e)
                    .map_err(|_| Error::invalid("contactEmail", "not a valid e-mail address"))
            })
            .transpose()?;
        let phone = phone
            .filter(|s| !s.trim().is_empty())
            .map(|p| {
                let p = clean_text("contactPhone", p, 40, false)?;
                if p.chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
                {
                    Ok(p)
                } else {
                    Err(Error::invalid(
                        "contactPhone",
                        "use digits, spaces and + - ( ) . /",
                    ))
                }
            })
            .transpose()?;
        Ok(SchoolContact { name, email, phone })
    }
}

/// A website address: http or https only.
pub fn parse_website(s: &str) -> Result<String> {
    let s = clean_text("website", s, 300, false)?;
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !s.contains(char::is_whitespace) => Ok(s),
        _ => Err(Error::invalid(
            "website",
            "use a full http:// or https:// address",
        )),
    }
}

/// The facts of a school that its application or registration gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolFacts {
    pub name: LocalizedText,
    pub country: CountryCode,
    pub city: String,
    pub languages: Vec<LanguageCode>,
    pub website: Option<String>,
    pub aspnet_number: Option<String>,
    pub contact: SchoolContact,
}

/// The raw fields of a school form, as a client sends them.
#[derive(Debug, Clone, Default)]
pub struct SchoolForm {
    pub names: Vec<(String, String)>,
    pub default_language: Option<String>,
    pub country: String,
    pub city: String,
    pub languages: Vec<String>,
    pub website: Option<String>,
    pub aspnet_number: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

impl SchoolFacts {
    pub fn parse(form: &SchoolForm) -> Result<Self> {
        let aspnet_number = form
            .aspnet_number
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                let s = clean_text("aspnetNumber", s, 40, false)?;
                if s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
                {
                    Ok(s)
                } else {
                    Err(Error::invalid(
                        "aspnetNumber",
                        "use latin letters, digits, '-' and '/'",
                    ))
                }
            })
            .transpose()?;
        let languages = parse_languages(&form.languages)?;
        if languages.is_empty() {
            return Err(Error::invalid(
                "languages",
                "name at least one language of instruction",
            ));
        }
        Ok(SchoolFacts {
            name: LocalizedText::parse(
                "names",
                &form.names,
                form.default_language.as_deref(),
                200,
                false,
            )?,
            country: CountryCode::parse(&form.country)?,
            city: clean_text("city", &form.city, 100, false)?,
            languages,
            website: form
                .website
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(parse_website)
                .transpose()?,
            aspnet_number,
            contact: SchoolContact::parse(
                form.contact_name.as_deref(),
                form.contact_email.as_deref(),
                form.contact_phone.as_deref(),
            )?,
        })
    }
}

/// A file shown on a visit card: a photo (with an optional caption) or the presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPhoto {
    pub file: FileId,
    /// Shown under the photo.
    pub caption: Option<String>,
    /// What the photo shows, for those who cannot see it.
    pub alt: Option<String>,
}

/// What to change of a visit card's photo; `None` keeps it as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct PhotoChange<'a> {
    /// Empty removes the caption.
    pub caption: Option<&'a str>,
    /// Empty removes the text alternative.
    pub alt: Option<&'a str>,
    /// The photo's new place, 0 first.
    pub position: Option<i32>,
}

/// A school's public face inside the network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitCard {
    pub description: Option<LocalizedText>,
    pub motto: Option<LocalizedText>,
    pub photos: Vec<CardPhoto>,
    pub presentation: Option<FileId>,
    /// Whether anonymous visitors may see the card (and the school).
    pub public: bool,
}

/// A school as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct School {
    pub id: SchoolId,
    pub facts: SchoolFacts,
    pub status: SchoolStatus,
    pub card: VisitCard,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl School {
    /// The key schools are listed by: the default name, lower-cased, then the id.
    pub fn sort_key(&self) -> String {
        format!(
            "{} {}",
            self.facts.name.get(None).to_lowercase(),
            self.id.as_str()
        )
    }
}

/// One step of a school's lifecycle, kept forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolStatusChange {
    pub school: SchoolId,
    pub from: Option<SchoolStatus>,
    pub to: SchoolStatus,
    pub actor: Option<UserId>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A reason given for a decision: 1–1000 characters.
pub fn parse_reason(s: &str) -> Result<String> {
    clean_text("reason", s, 1000, true)
}

/// An invitation to join the network in a role, accepted with a secret code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub role: Role,
    pub email: Email,
    pub display_name: DisplayName,
    pub school: Option<SchoolId>,
    pub country: Option<CountryCode>,
    pub mentor: Option<MentorProfile>,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

/// An uploaded file's record. The bytes live in object storage under [`StoredFile::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: FileId,
    pub name: FileName,
    /// Detected from the bytes, never taken from the client.
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_by: UserId,
    pub school: Option<SchoolId>,
    /// The school whose visit card shows it; unattached files are collected after a day.
    pub attached_to: Option<SchoolId>,
    pub created_at: DateTime<Utc>,
}

impl StoredFile {
    pub fn key(id: &FileId) -> String {
        format!("files/{}", id.as_str())
    }

    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Which schools a list may show to its asker; computed by the policy, applied by the store.
#[derive(Debug, Clone, Default)]
pub struct SchoolScope {
    /// Every school (platform administrators).
    pub all: bool,
    /// Approved schools; with `public_only`, just those whose card is public.
    pub approved: bool,
    pub public_only: bool,
    /// Every school of these countries (their national coordinator).
    pub countries: Vec<CountryCode>,
    /// These schools whatever their status (their own members).
    pub schools: Vec<SchoolId>,
}

/// A school list request.
#[derive(Debug, Clone)]
pub struct SchoolQuery {
    pub scope: SchoolScope,
    pub country: Option<CountryCode>,
    pub status: Option<SchoolStatus>,
    pub language: Option<LanguageCode>,
    pub page: PageRequest,
}

/// A people list request within one school.
#[derive(Debug, Clone)]
pub struct PeopleQuery {
    pub school: SchoolId,
    /// Only these roles (the policy narrows what the asker may see).
    pub roles: Vec<Role>,
    pub class_label: Option<ClassLabel>,
    pub page: PageRequest,
}

/// The numbers a national coordinator watches.
#[derive(Debug, Clone)]
pub struct CountryOverview {
    pub country: Country,
    pub schools_by_status: Vec<(SchoolStatus, u64)>,
    pub people_by_role: Vec<(Role, u64)>,
}

/// Where a twinning between two schools stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwinningStatus {
    /// One school asked; the other has not answered.
    Proposed,
    Accepted,
    Declined,
    /// Accepted once, ended since by either school.
    Ended,
}

impl TwinningStatus {
    pub const ALL: [TwinningStatus; 4] = [
        TwinningStatus::Proposed,
        TwinningStatus::Accepted,
        TwinningStatus::Declined,
        TwinningStatus::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TwinningStatus::Proposed => "proposed",
            TwinningStatus::Accepted => "accepted",
            TwinningStatus::Declined => "declined",
            TwinningStatus::Ended => "ended",
        }
    }

    pub fn from_storage(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A twinning between two schools: proposed by one, answered by the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twinning {
    pub id: TwinningId,
    /// The school that proposed it.
    pub school: SchoolId,
    pub partner: SchoolId,
    pub status: TwinningStatus,
    pub message: Option<String>,
    pub proposed_by: UserId,
    pub decided_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Twinning {
    /// The other school of the pair, seen from `school`.
    pub fn other(&self, school: &SchoolId) -> &SchoolId {
        if self.school == *school {
            &self.partner
        } else {
            &self.school
        }
    }
}

/// A twinning's message: 1–1000 characters.
pub fn parse_message(s: &str) -> Result<String> {
    clean_text("message", s, 1000, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_allows_only_its_steps() {
        use SchoolStatus::*;
        assert!(Applied.may_become(Approved));
        assert!(Applied.may_become(Rejected));
        assert!(!Approved.may_become(Approved));
        assert!(!Approved.may_become(Rejected));
        assert!(!Withdrawn.may_become(Approved));
        assert!(Suspended.may_become(Approved));
    }

    #[test]
    fn websites_must_be_http_addresses() {
        assert!(parse_website("https://school.example").is_ok());
        assert!(parse_website("javascript:alert(1)").is_err());
        assert!(parse_website("https://").is_err());
    }
}
