//! The demo network: the 14 countries' schools with their coordinators,
//! teachers, students and mentors, loaded idempotently so that a new user
//! sees a living platform. Every demo account shares one known password per
//! kind (adults, students), printed by `lff demo`; never load it into a
//! production network.

mod corpus;
mod data;

use crate::accounts::model::{ClassLabel, MentorProfile};
use crate::accounts::model::{DisplayName, Email, NewPassword, RequestMeta, Role, Username};
use crate::accounts::model::{PasswordHash, PersonDraft};
use crate::demo::data::{MENTORS, NAMES, SCHOOLS};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, SchoolId};
use crate::kernel::paging::PageRequest;
use crate::kernel::text::LocalizedText;
use crate::network::model::{SchoolFacts, SchoolForm, SchoolStatus, VisitCard};

/// The password of every demo adult.
pub const DEMO_ADULT_PASSWORD: &str = "demo-password-2026";
/// The password of every demo student.
pub const DEMO_STUDENT_PASSWORD: &str = "pupil-2026";
/// Students per approved demo school.
const STUDENTS_PER_SCHOOL: usize = 5;

/// Loading the demo network: it writes rows of several domains, each
/// through that domain's port, and goes through the accounts and the
/// network for what they check on the way in.
#[derive(Clone, Copy)]
pub struct Demo<'a> {
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) outbox: &'a crate::kernel::outbox::Doorbell,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
    pub(crate) materials: crate::materials::Materials<'a>,
    pub(crate) events: crate::events::Events<'a>,
}

/// The people of one demo school, by display name.
struct SchoolPeople {
    school: SchoolId,
    slug: &'static str,
    country: CountryCode,
    /// Username and display name.
    coordinator: (String, &'static str),
    teacher: &'static str,
    students: Vec<&'static str>,
}

/// What loading the demo did.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub schools_created: usize,
    pub people_created: usize,
    pub materials_created: u64,
    /// `(role, username)` of a few accounts to try, one per role.
    pub sample_logins: Vec<(Role, String)>,
}

/// Demo schools that stay `applied`, so that a national coordinator has
/// something to approve: the third school of these countries.
const PENDING_IN: [&str; 4] = ["AM", "KZ", "LT", "UA"];

fn is_pending(index_in_country: usize, country: &str) -> bool {
    index_in_country == 2 && PENDING_IN.contains(&country)
}

impl Demo<'_> {
    async fn username_taken(&self, username: &str) -> Result<bool> {
        Ok(self
            .accounts
            .store
            .user_secret_by_login(username)
            .await?
            .is_some())
    }

    async fn demo_person(
        &self,
        summary: &mut DemoSummary,
        draft: PersonDraft,
        hash: &PasswordHash,
    ) -> Result<()> {
        if self.username_taken(draft.username.as_str()).await? {
            return Ok(());
        }
        self.accounts.seed_person(&draft, hash).await?;
        summary.people_created += 1;
        Ok(())
    }

    /// Loads the demo network. Loading twice adds nothing the second time.
    #[tracing::instrument(skip_all)]
    /// The demo's accounts have passwords printed in the README: it loads
    /// only into data that holds nobody but the first administrator, or the
    /// demo itself (loading again adds nothing). A real network is refused.
    async fn check_demo_may_load(&self) -> Result<()> {
        let demo_marker = self
            .accounts
            .store
            .user_secret_by_login("nc.am@lff.example")
            .await?
            .is_some();
        if demo_marker {
            return Ok(());
        }
        for role in Role::ALL {
            if !role.is_platform_admin() && self.accounts.store.any_user_with_role(role).await? {
                return Err(Error::Conflict(
                    "this data holds people who are not the demo's; the demo, with its published passwords, loads only into new data".into(),
                ));
            }
        }
        Ok(())
    }

    pub async fn load_demo(&self) -> Result<DemoSummary> {
        self.check_demo_may_load().await?;
        let adult = self
            .accounts
            .hash_password(&NewPassword::parse(DEMO_ADULT_PASSWORD, Role::Teacher)?)
            .await?;
        let pupil = self
            .accounts
            .hash_password(&NewPassword::parse(DEMO_STUDENT_PASSWORD, Role::Student)?)
            .await?;
        let mut summary = DemoSummary::default();
        let parse = |s: &str| Username::parse(s);
        let name = |s: &str| DisplayName::parse(s);

        for names in &NAMES {
            let code = CountryCode::parse(names.country)?;
            let country = self
                .network
                .store
                .country(&code)
                .await?
                .ok_or_else(|| Error::internal(format!("demo country {code} is missing")))?;
            let mut draft = PersonDraft::new(
                parse(&format!("nc.{}", names.country.to_ascii_lowercase()))?,
                name(names.national_coordinator)?,
                Role::NationalCoordinator,
            );
            draft.email = Some(Email::parse(&format!(
                "nc.{}@lff.example",
                names.country.to_ascii_lowercase()
            ))?);
            draft.country = Some(country.code.clone());
            self.demo_person(&mut summary, draft, &adult).await?;
        }

        for m in &MENTORS {
            let mut draft =
                PersonDraft::new(parse(m.username)?, name(m.display_name)?, Role::Mentor);
            draft.email = Some(Email::parse(&format!("{}@university.example", m.username))?);
            let expertise: Vec<String> = m.expertise.iter().map(|s| (*s).to_owned()).collect();
            let languages: Vec<String> = m.languages.iter().map(|s| (*s).to_owned()).collect();
            draft.mentor = Some(MentorProfile::parse(
                m.university,
                m.chair_title,
                &expertise,
                &languages,
            )?);
            self.demo_person(&mut summary, draft, &adult).await?;
        }

        let mut index_in_country = 0;
        let mut previous_country = "";
        for s in &SCHOOLS {
            if s.country != previous_country {
                index_in_country = 0;
                previous_country = s.country;
            } else {
                index_in_country += 1;
            }
            let names = NAMES
                .iter()
                .find(|n| n.country == s.country)
                .ok_or_else(|| Error::internal("demo names missing for a country"))?;
            let coordinator = format!("coord.{}", s.slug);
            let pending = is_pending(index_in_country, s.country);
            // A school is created with its coordinator; a pending school has
            // none, so its applicant's e-mail marks it as loaded.
            let school = match self.demo_school_by_aspnet(s.aspnet_number).await? {
                Some(id) => id,
                None => {
                    let id = self.demo_school(s, pending, index_in_country == 0).await?;
                    summary.schools_created += 1;
                    id
                }
            };
            if pending {
                continue;
            }
            let people = SchoolPeople {
                school,
                slug: s.slug,
                country: CountryCode::parse(s.country)?,
                coordinator: (coordinator, names.adults[2 * index_in_country]),
                teacher: names.adults[2 * index_in_country + 1],
                students: (0..STUDENTS_PER_SCHOOL)
                    .map(|k| names.students[(index_in_country * STUDENTS_PER_SCHOOL + k) % 10])
                    .collect(),
            };
            self.demo_school_people(&mut summary, people, (&adult, &pupil))
                .await?;
        }

        self.demo_event().await?;

        let first = &SCHOOLS[0];
        summary.sample_logins = vec![
            (
                Role::NationalCoordinator,
                format!("nc.{}", first.country.to_ascii_lowercase()),
            ),
            (Role::SchoolCoordinator, format!("coord.{}", first.slug)),
            (Role::Teacher, format!("teacher.{}", first.slug)),
            (Role::Student, format!("{}.p01", first.slug)),
            (Role::Mentor, MENTORS[0].username.to_owned()),
        ];
        if summary.schools_created > 0 || summary.people_created > 0 {
            self.accounts
                .audit_in(
                    None,
                    "load_demo",
                    "",
                    None,
                    &RequestMeta::default(),
                    &format!(
                        "{} schools, {} people",
                        summary.schools_created, summary.people_created
                    ),
                )
                .await?;
        }
        Ok(summary)
    }

    /// The coordinator, the teacher and the students of a demo school.
    async fn demo_school_people(
        &self,
        summary: &mut DemoSummary,
        p: SchoolPeople,
        (adult, pupil): (&PasswordHash, &PasswordHash),
    ) -> Result<()> {
        let staff = [
            (p.coordinator.0, Role::SchoolCoordinator, p.coordinator.1),
            (format!("teacher.{}", p.slug), Role::Teacher, p.teacher),
        ];
        for (username, role, display) in staff {
            let mut draft = PersonDraft::new(
                Username::parse(&username)?,
                DisplayName::parse(display)?,
                role,
            );
            draft.email = Some(Email::parse(&format!("{username}@school.example"))?);
            draft.school = Some(p.school.clone());
            draft.country = Some(p.country.clone());
            self.demo_person(summary, draft, adult).await?;
        }
        for (k, display) in p.students.into_iter().enumerate() {
            let mut draft = PersonDraft::new(
                Username::parse(&format!("{}.p{:02}", p.slug, k + 1))?,
                DisplayName::parse(display)?,
                Role::Student,
            );
            draft.school = Some(p.school.clone());
            draft.country = Some(p.country.clone());
            draft.class_label = Some(ClassLabel::parse("8A")?);
            self.demo_person(summary, draft, pupil).await?;
        }
        Ok(())
    }

    /// Schedules one mentoring session of the first demo mentor for the
    /// first schools of Armenia, Azerbaijan and Latvia, tomorrow at 10:00
    /// in Baku, unless the network has events already.
    async fn demo_event(&self) -> Result<()> {
        let one = PageRequest {
            after: None,
            limit: 1,
        };
        if !self
            .events
            .store
            .events(None, None, &one)
            .await?
            .items
            .is_empty()
        {
            return Ok(());
        }
        let Some(mentor) = self
            .accounts
            .store
            .user_secret_by_login(MENTORS[0].username)
            .await?
        else {
            return Ok(());
        };
        let mut schools = Vec::new();
        let mut countries = Vec::new();
        for country in ["AM", "AZ", "LV"] {
            let Some(s) = SCHOOLS.iter().find(|s| s.country == country) else {
                continue;
            };
            if let Some(id) = self.demo_school_by_aspnet(s.aspnet_number).await? {
                schools.push(id);
                countries.push(CountryCode::parse(country)?);
            }
        }
        if schools.is_empty() {
            return Ok(());
        }
        let baku: chrono_tz::Tz = chrono_tz::Asia::Baku;
        let tomorrow =
            self.clock.now().with_timezone(&baku).date_naive() + chrono::Duration::days(1);
        let starts_at = tomorrow
            .and_hms_opt(10, 0, 0)
            .and_then(|t| t.and_local_timezone(baku).single())
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| Error::internal("no 10:00 in Baku tomorrow"))?;
        let details = crate::events::EventDetails::parse(crate::events::EventForm {
            kind: crate::events::EventKind::MentoringSession,
            title: "Digital citizenship: checking what we read online".into(),
            description: Some(
                "A UNESCO Chair mentors three schools: how do we know a news story is true? \
                 Bring your questions; we will vote on the best ones."
                    .into(),
            ),
            agenda: vec![
                (starts_at, "Welcome and a quick poll".into(), None),
                (
                    starts_at + chrono::Duration::minutes(10),
                    "Questions from the schools".into(),
                    Some(mentor.user.display_name.as_str().to_owned()),
                ),
            ],
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(1),
            time_zone: "Asia/Baku".into(),
            place: None,
            join_url: Some("https://meet.example/lff-demo-session".into()),
            mentors: vec![],
            audience: crate::events::EventAudience::Schools(schools),
            capacity: Some(60),
        })?;
        let now = self.clock.now();
        let e = crate::events::Event {
            id: crate::kernel::id::EventId::generate(),
            details,
            organizer: mentor.user.id,
            audience_countries: countries,
            status: crate::events::EventStatus::Scheduled,
            cancel_reason: None,
            live_started_at: None,
            live_ended_at: None,
            record: Default::default(),
            sequence: 0,
            created_at: now,
            updated_at: now,
            registered: 0,
            waitlisted: 0,
        };
        self.events.store.create_event(&e).await
    }

    /// Adds `n` generated learning materials to the demo schools' libraries
    /// (in each school's languages, by its teacher), as drafts and published
    /// ones of every visibility; the demo network must be loaded. Material
    /// `i` is always the same, so loading again adds only what is missing.
    /// Returns how many were added; `progress(done, n)` follows the work.
    pub async fn load_demo_materials(
        &self,
        n: u32,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<u64> {
        use crate::demo::corpus::{material, vocabulary};
        // Each approved demo school, its teacher and its languages' vocabularies.
        let mut authors = Vec::new();
        for s in &SCHOOLS {
            let Some(school) = self
                .network
                .store
                .school_by_aspnet_number(s.aspnet_number)
                .await?
            else {
                continue;
            };
            let login = format!("teacher.{}", s.slug);
            let Some(teacher) = self.accounts.store.user_secret_by_login(&login).await? else {
                continue;
            };
            // The school's languages; its first (local) one weighs three times.
            let mut langs = Vec::new();
            for (k, l) in s.languages.iter().enumerate() {
                let variants: &[&str] = match *l {
                    "kk" => &["kk", "kk-Latn"],
                    "uz" => &["uz-Latn", "uz-Cyrl"],
                    _ => std::slice::from_ref(l),
                };
                for v in variants.iter().filter_map(|t| vocabulary(t)) {
                    let weight = if k == 0 { 3 } else { 1 };
                    langs.extend(std::iter::repeat_n(v, weight));
                }
            }
            if !langs.is_empty() {
                authors.push((school, teacher.user, langs));
            }
        }
        if authors.is_empty() {
            return Err(Error::invalid(
                "materials",
                "load the demo network first (lff demo)",
            ));
        }
        let now = self.clock.now();
        let mut added = 0;
        let total = u64::from(n);
        let mut i = 0u32;
        while i < n {
            let end = (i + 500).min(n);
            let batch = (i..end)
                .map(|k| {
                    let (school, teacher, langs) = &authors[k as usize % authors.len()];
                    material(
                        k,
                        school,
                        langs,
                        (&teacher.id, teacher.display_name.as_str()),
                        now,
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            added += self.materials.store.import_materials(&batch).await?;
            progress(u64::from(end), total);
            i = end;
        }
        self.outbox.ring();
        Ok(added)
    }

    async fn demo_school_by_aspnet(&self, number: &str) -> Result<Option<SchoolId>> {
        self.network.store.school_by_aspnet_number(number).await
    }

    async fn demo_school(
        &self,
        s: &crate::demo::data::DemoSchool,
        pending: bool,
        public: bool,
    ) -> Result<SchoolId> {
        let form = SchoolForm {
            names: vec![
                (s.local_language.into(), s.name_local.into()),
                ("en".into(), s.name_en.into()),
            ],
            default_language: Some(s.local_language.into()),
            country: s.country.into(),
            city: s.city.into(),
            languages: s.languages.iter().map(|l| (*l).to_owned()).collect(),
            website: Some(s.website.into()),
            aspnet_number: Some(s.aspnet_number.into()),
            contact_name: None,
            contact_email: Some(format!("office.{}@school.example", s.slug)),
            contact_phone: None,
        };
        let facts = SchoolFacts::parse(&form)?;
        let status = if pending {
            SchoolStatus::Applied
        } else {
            SchoolStatus::Approved
        };
        let mut school = self.network.store_new_school(facts, status, None).await?;
        if !pending {
            let pairs = |local: &str, en: &str| {
                vec![
                    (s.local_language.to_owned(), local.to_owned()),
                    ("en".to_owned(), en.to_owned()),
                ]
            };
            school.card = VisitCard {
                description: Some(LocalizedText::parse(
                    "description",
                    &pairs(s.description_local, s.description_en),
                    Some(s.local_language),
                    5000,
                    true,
                )?),
                motto: Some(LocalizedText::parse(
                    "motto",
                    &pairs(s.motto_local, s.motto_en),
                    Some(s.local_language),
                    200,
                    false,
                )?),
                photos: vec![],
                presentation: None,
                // The first school of each country shows its card to visitors.
                public,
            };
            self.network.store.update_school(&school).await?;
        }
        Ok(school.id)
    }
}
