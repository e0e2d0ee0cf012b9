//! Domain types of the network: countries, schools and their lifecycle, visit
//! cards, files, invitations, students' classes, mentors, and list pages.
//! Inputs are parsed into these at the edge; the rules that use them live in
//! `policy`, `schools`, `people` and `files`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;

pub(crate) fn clean_text(
    field: &'static str,
    s: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if s.chars().count() > max_chars {
        return Err(Error::invalid(
            field,
            format!("use at most {max_chars} characters"),
        ));
    }
    let bad = s
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
    if bad {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// An ISO 3166-1 alpha-2 country code, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_uppercase();
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(s))
        } else {
            Err(Error::invalid(
                "country",
                "use a two-letter ISO 3166 country code, e.g. AM",
            ))
        }
    }

    pub fn from_trusted(s: String) -> Self {
        CountryCode(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A language as an ISO 639 code (two or three lower-case letters), e.g. `ru`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(LanguageCode(s))
        } else {
            Err(Error::invalid(
                "language",
                "use an ISO 639 language code such as en, ru or hy",
            ))
        }
    }

    pub fn from_trusted(s: String) -> Self {
        LanguageCode(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A list of languages without duplicates, at most 20.
pub fn parse_languages(list: &[String]) -> Result<Vec<LanguageCode>> {
    let mut out: Vec<LanguageCode> = Vec::new();
    for l in list {
        let l = LanguageCode::parse(l).map_err(|_| {
            Error::invalid(
                "languages",
                format!("'{l}' is not an ISO 639 language code"),
            )
        })?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.len() > 20 {
        return Err(Error::invalid("languages", "list at most 20 languages"));
    }
    Ok(out)
}

/// A text in several languages with one default. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText {
    default: LanguageCode,
    texts: BTreeMap<LanguageCode, String>,
}

impl LocalizedText {
    /// Parses `(language, text)` pairs; `default` must be one of them (the
    /// first pair's language when not given).
    pub fn parse(
        field: &'static str,
        pairs: &[(String, String)],
        default: Option<&str>,
        max_chars: usize,
        multiline: bool,
    ) -> Result<Self> {
        if pairs.is_empty() {
            return Err(Error::invalid(
                field,
                "give the text in at least one language",
            ));
        }
        if pairs.len() > 20 {
            return Err(Error::invalid(field, "give at most 20 languages"));
        }
        let mut texts = BTreeMap::new();
        for (lang, text) in pairs {
            let lang = LanguageCode::parse(lang).map_err(|_| {
                Error::invalid(field, format!("'{lang}' is not an ISO 639 language code"))
            })?;
            let text = clean_text(field, text, max_chars, multiline)?;
            if texts.insert(lang.clone(), text).is_some() {
                return Err(Error::invalid(
                    field,
                    format!("the language '{}' is given twice", lang.as_str()),
                ));
            }
        }
        let default = match default {
            Some(d) => {
                let d = LanguageCode::parse(d)?;
                if !texts.contains_key(&d) {
                    return Err(Error::invalid(
                        field,
                        "the default language must be one of the given languages",
                    ));
                }
                d
            }
            None => LanguageCode::parse(&pairs[0].0)?,
        };
        Ok(LocalizedText { default, texts })
    }

    /// For backends: stored texts were validated when written.
    pub fn from_trusted(default: String, texts: BTreeMap<String, String>) -> Self {
        LocalizedText {
            default: LanguageCode(default),
            texts: texts
                .into_iter()
                .map(|(k, v)| (LanguageCode(k), v))
                .collect(),
        }
    }

    pub fn default_language(&self) -> &LanguageCode {
        &self.default
    }

    /// The text in `language`, else in the default language.
    pub fn get(&self, language: Option<&str>) -> &str {
        language
            .and_then(|l| {
                self.texts
                    .iter()
                    .find(|(k, _)| k.as_str().eq_ignore_ascii_case(l))
            })
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| self.texts.get(&self.default).map_or("", |s| s.as_str()))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&LanguageCode, &str)> {
        self.texts.iter().map(|(k, v)| (k, v.as_str()))
    }
}

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
    pub caption: Option<String>,
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

/// A class label such as "7B": 1–40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassLabel(String);

impl ClassLabel {
    pub fn parse(s: &str) -> Result<Self> {
        clean_text("classLabel", s, 40, false).map(ClassLabel)
    }

    pub fn from_trusted(s: String) -> Self {
        ClassLabel(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a mentor brings: their university and UNESCO Chair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorProfile {
    pub university: String,
    pub chair_title: String,
    pub expertise: Vec<String>,
    pub languages: Vec<LanguageCode>,
}

impl MentorProfile {
    pub fn parse(
        university: &str,
        chair_title: &str,
        expertise: &[String],
        languages: &[String],
    ) -> Result<Self> {
        if expertise.len() > 20 {
            return Err(Error::invalid("expertise", "list at most 20 topics"));
        }
        Ok(MentorProfile {
            university: clean_text("university", university, 200, false)?,
            chair_title: clean_text("chairTitle", chair_title, 300, false)?,
            expertise: expertise
                .iter()
                .map(|t| clean_text("expertise", t, 100, false))
                .collect::<Result<_>>()?,
            languages: parse_languages(languages)?,
        })
    }

    pub fn from_trusted(
        university: String,
        chair_title: String,
        expertise: Vec<String>,
        languages: Vec<String>,
    ) -> Self {
        MentorProfile {
            university,
            chair_title,
            expertise,
            languages: languages.into_iter().map(LanguageCode).collect(),
        }
    }
}

/// A person to create, with where they belong.
#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub username: Username,
    pub email: Option<Email>,
    pub display_name: DisplayName,
    pub role: Role,
    pub school: Option<SchoolId>,
    pub country: Option<CountryCode>,
    pub class_label: Option<ClassLabel>,
    pub mentor: Option<MentorProfile>,
}

impl PersonDraft {
    pub fn new(username: Username, display_name: DisplayName, role: Role) -> Self {
        PersonDraft {
            username,
            email: None,
            display_name,
            role,
            school: None,
            country: None,
            class_label: None,
            mentor: None,
        }
    }
}

/// An Argon2id hash of a password, ready to store.
#[derive(Clone)]
pub struct PasswordHash(pub(crate) String);

impl PasswordHash {
    /// The hash text, for backends to store.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
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

/// A file name as given by the uploader: 1–200 characters, no path
/// separators or control characters, not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileName(String);

impl FileName {
    pub fn parse(s: &str) -> Result<Self> {
        let s = clean_text("name", s, 200, false)?;
        if s.contains(['/', '\\']) || s == "." || s == ".." {
            return Err(Error::invalid(
                "name",
                "a file name must not contain '/' or '\\' or be '.' or '..'",
            ));
        }
        Ok(FileName(s))
    }

    pub fn from_trusted(s: String) -> Self {
        FileName(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

/// One page of a list, with the opaque cursor of each item.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// A page of a list held whole in memory, each item with its sort key;
    /// keys compare as strings, in the list's order.
    pub fn of_sorted(mut items: Vec<(String, T)>, page: &PageRequest) -> Page<T> {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut rest: Vec<(String, T)> = items
            .into_iter()
            .filter(|(k, _)| page.after.as_ref().is_none_or(|a| k > a))
            .collect();
        let has_next = rest.len() > page.limit;
        rest.truncate(page.limit);
        Page {
            items: rest
                .into_iter()
                .map(|(k, t)| (encode_cursor(&k), t))
                .collect(),
            has_next,
        }
    }
}

/// Where a list page starts and how long it is.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The sort key of the last item seen (decoded from the client's cursor).
    pub after: Option<String>,
    pub limit: usize,
}

pub const MAX_PAGE: usize = 100;

impl PageRequest {
    /// `first` defaults to 20 and may be 1–100; `after` is a cursor from an earlier page.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> Result<Self> {
        let limit = match first {
            None => 20,
            Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
            Some(_) => {
                return Err(Error::invalid(
                    "first",
                    format!("ask for 1 to {MAX_PAGE} items"),
                ));
            }
        };
        let after = after
            .map(|c| {
                decode_cursor(c)
                    .ok_or_else(|| Error::invalid("after", "not a cursor from this list"))
            })
            .transpose()?;
        Ok(PageRequest { after, limit })
    }
}

pub fn encode_cursor(sort_key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sort_key.as_bytes())
}

fn decode_cursor(c: &str) -> Option<String> {
    use base64::Engine as _;
    if c.len() > 800 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    String::from_utf8(bytes).ok()
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
    fn localized_text_falls_back_to_its_default_language() {
        let t = LocalizedText::parse(
            "names",
            &[
                ("hy".into(), "Դպրոց".into()),
                ("en".into(), "School".into()),
            ],
            Some("en"),
            100,
            false,
        )
        .unwrap();
        assert_eq!(t.get(Some("HY")), "Դպրոց");
        assert_eq!(t.get(Some("fr")), "School");
        assert_eq!(t.get(None), "School");
        assert!(LocalizedText::parse("names", &[], None, 100, false).is_err());
        assert!(
            LocalizedText::parse(
                "names",
                &[("en".into(), "a".into())],
                Some("ru"),
                100,
                false
            )
            .is_err()
        );
    }

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
    fn file_names_cannot_climb_out_of_their_folder() {
        assert!(FileName::parse("../etc/passwd").is_err());
        assert!(FileName::parse("..").is_err());
        assert!(FileName::parse("a\u{0}b.png").is_err());
        assert!(FileName::parse("a\\b.png").is_err());
        assert_eq!(
            FileName::parse(" фото 1.jpg ").unwrap().as_str(),
            "фото 1.jpg"
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let p = PageRequest::parse(Some(5), Some(&encode_cursor("школа 1"))).unwrap();
        assert_eq!(p.after.as_deref(), Some("школа 1"));
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(None, Some("%%%")).is_err());
    }

    #[test]
    fn websites_must_be_http_addresses() {
        assert!(parse_website("https://school.example").is_ok());
        assert!(parse_website("javascript:alert(1)").is_err());
        assert!(parse_website("https://").is_err());
    }
}
