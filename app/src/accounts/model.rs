//! Domain types. Inputs are parsed into these newtypes at the edge
//! ("parse, don't validate"); functions deeper in take the parsed types.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, SchoolId, UserId};
use crate::kernel::secrets::TokenHash;
use crate::kernel::text::{LanguageCode, clean_text, parse_languages};

/// A sign-in name: 3–32 characters of `a-z 0-9 . _ -`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_lowercase();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !(3..=32).contains(&s.chars().count()) || !ok_chars {
            return Err(Error::invalid(
                "username",
                "use 3 to 32 characters: latin letters, digits, '.', '_' or '-'",
            ));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, stored lower-case. Only a light syntax check: the real
/// check is that an invitation sent to it is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_lowercase();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(s.split_once('@'), Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
        if valid {
            Ok(Email(s))
        } else {
            Err(Error::invalid("email", "not a valid e-mail address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name shown to others: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
            return Err(Error::invalid(
                "displayName",
                "use 1 to 100 characters without control characters",
            ));
        }
        Ok(DisplayName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, checked against the policy for the person's role.
/// Deliberately not `Debug`/`Display`: it must never reach a log.
pub struct NewPassword(String);

/// Longer passwords are refused so that hashing cannot be used to burn CPU.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Minimum length for adults; teachers choose (or generate) students' passwords.
pub const MIN_ADULT_PASSWORD_CHARS: usize = 10;
pub const MIN_STUDENT_PASSWORD_CHARS: usize = 6;

impl NewPassword {
    pub fn parse(s: &str, role: Role) -> Result<Self> {
        let n = s.chars().count();
        let min = if role == Role::Student {
            MIN_STUDENT_PASSWORD_CHARS
        } else {
            MIN_ADULT_PASSWORD_CHARS
        };
        if n < min {
            return Err(Error::invalid(
                "password",
                format!("use at least {min} characters"),
            ));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("use at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(NewPassword(s.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// The roles of the network (see the product description).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    PlatformAdmin,
    NationalCoordinator,
    SchoolCoordinator,
    Teacher,
    Student,
    Mentor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::PlatformAdmin,
        Role::NationalCoordinator,
        Role::SchoolCoordinator,
        Role::Teacher,
        Role::Student,
        Role::Mentor,
    ];

    /// The stable storage name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::NationalCoordinator => "national_coordinator",
            Role::SchoolCoordinator => "school_coordinator",
            Role::Teacher => "teacher",
            Role::Student => "student",
            Role::Mentor => "mentor",
        }
    }

    pub fn from_storage(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A child: no e-mail, an account their teacher made, their first name
    /// only where others see them.
    pub fn is_student(self) -> bool {
        self == Role::Student
    }

    /// A UNESCO Chair mentor, with a mentor profile.
    pub fn is_mentor(self) -> bool {
        self == Role::Mentor
    }

    pub fn is_national_coordinator(self) -> bool {
        self == Role::NationalCoordinator
    }

    pub fn is_platform_admin(self) -> bool {
        self == Role::PlatformAdmin
    }

    /// The roles a school's own staff hold, which a school coordinator may
    /// swap between: teacher and school coordinator.
    pub fn is_school_staff(self) -> bool {
        matches!(self, Role::Teacher | Role::SchoolCoordinator)
    }
}

/// A person as the domain sees them. The password hash is not part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    /// Never set for students.
    pub email: Option<Email>,
    pub display_name: DisplayName,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// The school of school coordinators, teachers and students.
    pub school: Option<SchoolId>,
    /// The country of national coordinators, and of everyone with a school.
    pub country: Option<CountryCode>,
    /// Students only: the class the teacher put them in.
    pub class_label: Option<ClassLabel>,
    /// Mentors only.
    pub mentor: Option<MentorProfile>,
}

impl User {
    /// The e-mail address as `viewer` may see it: only the person themself and
    /// platform administrators do.
    pub fn email_for(&self, viewer: Option<&Viewer>) -> Option<&Email> {
        let viewer = viewer?;
        let may = viewer.user.id == self.id || viewer.user.role == Role::PlatformAdmin;
        if may { self.email.as_ref() } else { None }
    }
}

/// What a backend stores to check a sign-in.
#[derive(Debug, Clone)]
pub struct UserSecret {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: u32,
    pub last_failed_login_at: Option<DateTime<Utc>>,
}

/// A stored session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: TokenHash,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A request's verified identity: the person and the session they used.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub token_hash: TokenHash,
    pub session_expires_at: DateTime<Utc>,
}

/// One entry of the audit trail. Entries are only ever appended.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Option<UserId>,
    pub action: String,
    pub target: String,
    /// The country concerned, so that its national coordinator can read the entry.
    pub country: Option<CountryCode>,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
    pub outcome: String,
}

/// Request facts that use cases need but that the domain cannot see for itself.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<std::net::IpAddr>,
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
            languages: languages
                .into_iter()
                .map(LanguageCode::from_trusted)
                .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(Username::parse(" Anna.K ").unwrap().as_str(), "anna.k");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("анна").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn emails_need_one_at_sign_and_no_spaces() {
        assert_eq!(Email::parse("A@B.org").unwrap().as_str(), "a@b.org");
        assert!(Email::parse("a@@b").is_err());
        assert!(Email::parse("a b@c").is_err());
        assert!(Email::parse("@c").is_err());
    }

    #[test]
    fn adult_passwords_need_ten_characters_students_six() {
        assert!(NewPassword::parse("123456789", Role::Teacher).is_err());
        assert!(NewPassword::parse("1234567890", Role::Teacher).is_ok());
        assert!(NewPassword::parse("123456", Role::Student).is_ok());
        assert!(NewPassword::parse(&"x".repeat(257), Role::Teacher).is_err());
    }

    #[test]
    fn user_ids_from_clients_are_checked() {
        let id = UserId::generate();
        assert_eq!(UserId::parse(id.as_str()).unwrap(), id);
        assert!(matches!(
            UserId::parse("user:⟨x⟩; DELETE user"),
            Err(Error::NotFound)
        ));
    }
}
