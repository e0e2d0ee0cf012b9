//! Countries, schools and their history, invitations and file records in
//! SurrealDB. The `Repository` trait impl in `accounts` delegates here.
//!
//! Multi-statement changes (a status change with its history entry, an
//! accepted invitation with its new person) run in one transaction; a
//! condition that no longer holds aborts it with a marker that becomes
//! `Conflict`.

use app::ports::NetworkStore;
use async_trait::async_trait;
use std::collections::BTreeMap;

use app::{Error, PeopleQuery, Result, Role, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

use crate::accounts::{PERSON_FIELDS, PersonRow, person_row};
use crate::database::{Database, internal};
use crate::query::{all_errors, exec, guarded, page_of};
use app::{
    CardPhoto, Country, Email, School, SchoolContact, SchoolFacts, SchoolQuery, SchoolStatus,
    SchoolStatusChange, StoredFile, Twinning, TwinningStatus, VisitCard,
};
use app::{
    CountryCode, FileId, FileName, LanguageCode, LocalizedText, Page, SchoolId, TwinningId, UserId,
};

pub(crate) const SCHOOL_FIELDS: &str = "record::id(id) AS id, country, names, sort_key, city, languages, website, \
    aspnet_number, contact_name, contact_email, contact_phone, status, card_description, card_motto, \
    card_photos, card_presentation, card_public, created_at, updated_at";

#[derive(SurrealValue)]
pub(crate) struct SchoolRow {
    id: String,
    country: String,
    names: String,
    sort_key: String,
    city: String,
    languages: Vec<String>,
    website: Option<String>,
    aspnet_number: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    status: String,
    card_description: Option<String>,
    card_motto: Option<String>,
    card_photos: String,
    card_presentation: Option<String>,
    card_public: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
struct SchoolContent {
    country: String,
    names: String,
    sort_key: String,
    city: String,
    languages: Vec<String>,
    website: Option<String>,
    aspnet_number: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    status: String,
    card_description: Option<String>,
    card_motto: Option<String>,
    card_photos: String,
    card_presentation: Option<String>,
    card_public: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct TextJson {
    default: String,
    texts: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct PhotoJson {
    file: String,
    caption: Option<String>,
    // Added after the first photos were stored: absent reads as none.
    #[serde(default)]
    alt: Option<String>,
}

fn text_to_json(t: &LocalizedText) -> String {
    serde_json::to_string(&TextJson {
        default: t.default_language().as_str().to_owned(),
        texts: t
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_owned()))
            .collect(),
    })
    .unwrap_or_default()
}

fn text_from_json(s: &str) -> Result<LocalizedText> {
    let t: TextJson = serde_json::from_str(s).map_err(Error::internal)?;
    Ok(LocalizedText::from_trusted(t.default, t.texts))
}

fn school_content(s: &School) -> SchoolContent {
    let f = &s.facts;
    let photos: Vec<PhotoJson> = s
        .card
        .photos
        .iter()
        .map(|p| PhotoJson {
            file: p.file.as_str().to_owned(),
            caption: p.caption.clone(),
            alt: p.alt.clone(),
        })
        .collect();
    SchoolContent {
        country: f.country.as_str().to_owned(),
        names: text_to_json(&f.name),
        sort_key: s.sort_key(),
        city: f.city.clone(),
        languages: f.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        website: f.website.clone(),
        aspnet_number: f.aspnet_number.clone(),
        contact_name: f.contact.name.clone(),
        contact_email: f.contact.email.as_ref().map(|e| e.as_str().to_owned()),
        contact_phone: f.contact.phone.clone(),
        status: s.status.as_str().to_owned(),
        card_description: s.card.description.as_ref().map(text_to_json),
        card_motto: s.card.motto.as_ref().map(text_to_json),
        card_photos: serde_json::to_string(&photos).unwrap_or_else(|_| "[]".into()),
        card_presentation: s.card.presentation.as_ref().map(|p| p.as_str().to_owned()),
        card_public: s.card.public,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

impl SchoolRow {
    pub(crate) fn into_school(self) -> Result<(String, School)> {
        let corrupt = |what: &str| {
            Error::internal(format!("stored school {} has an invalid {what}", self.id))
        };
        let photos: Vec<PhotoJson> =
            serde_json::from_str(&self.card_photos).map_err(|_| corrupt("photo list"))?;
        let school = School {
            facts: SchoolFacts {
                name: text_from_json(&self.names)?,
                country: CountryCode::from_trusted(self.country),
                city: self.city,
                languages: self
                    .languages
                    .into_iter()
                    .map(LanguageCode::from_trusted)
                    .collect(),
                website: self.website,
                aspnet_number: self.aspnet_number,
                contact: SchoolContact {
                    name: self.contact_name,
                    email: self
                        .contact_email
                        .as_deref()
                        .map(Email::parse)
                        .transpose()
                        .map_err(|_| corrupt("contact e-mail"))?,
                    phone: self.contact_phone,
                },
            },
            status: SchoolStatus::from_storage(&self.status).ok_or_else(|| corrupt("status"))?,
            card: VisitCard {
                description: self
                    .card_description
                    .as_deref()
                    .map(text_from_json)
                    .transpose()?,
                motto: self.card_motto.as_deref().map(text_from_json).transpose()?,
                photos: photos
                    .into_iter()
                    .map(|p| CardPhoto {
                        file: FileId::from_trusted(p.file),
                        caption: p.caption,
                        alt: p.alt,
                    })
                    .collect(),
                presentation: self.card_presentation.map(FileId::from_trusted),
                public: self.card_public,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
            id: SchoolId::from_trusted(self.id),
        };
        Ok((self.sort_key, school))
    }
}

#[derive(SurrealValue)]
struct CountryRow {
    code: String,
    name: String,
    native_name: String,
}

#[derive(SurrealValue)]
struct CountRow {
    key: Option<String>,
    n: i64,
}

#[derive(SurrealValue)]
struct EventRow {
    school: String,
    from_status: Option<String>,
    to_status: String,
    actor: Option<String>,
    reason: Option<String>,
    at: DateTime<Utc>,
}

const FILE_FIELDS: &str = "record::id(id) AS id, name, content_type, size, sha256, uploaded_by, school, attached_to, created_at";

#[derive(SurrealValue)]
struct FileRow {
    id: String,
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    school: Option<String>,
    attached_to: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
struct FileContent {
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    school: Option<String>,
    attached_to: Option<String>,
    created_at: DateTime<Utc>,
}

impl Database {
    pub(crate) fn people_page(&self, rows: Vec<PersonRow>, limit: usize) -> Result<Page<User>> {
        let rows = rows
            .into_iter()
            .map(|r| {
                let key = r.sort_key.clone().unwrap_or_default();
                person_row(r).map(|u| (key, u))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page_of(rows, limit))
    }

    pub(crate) async fn counts(
        &self,
        sql: &str,
        country: &CountryCode,
    ) -> Result<Vec<(String, u64)>> {
        let rows: Vec<CountRow> = self
            .db
            .query(sql.to_owned())
            .bind(("country", country.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.key?, r.n.max(0) as u64)))
            .collect())
    }
}

/// Event keys are UUIDv7 (monotonic within a process), so that history reads
/// back in the order it was written even within one millisecond.
fn event_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

const TWINNING_FIELDS: &str = "record::id(id) AS id, school, partner, status, message, proposed_by, \
    decided_by, created_at, decided_at";

#[derive(SurrealValue)]
struct TwinningRow {
    id: String,
    school: String,
    partner: String,
    status: String,
    message: Option<String>,
    proposed_by: String,
    decided_by: Option<String>,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
struct TwinningContent {
    school: String,
    partner: String,
    status: String,
    message: Option<String>,
    proposed_by: String,
    created_at: DateTime<Utc>,
}

impl TwinningRow {
    fn into_twinning(self) -> Result<Twinning> {
        Ok(Twinning {
            status: TwinningStatus::from_storage(&self.status).ok_or_else(|| {
                Error::internal(format!("stored twinning {} has an invalid status", self.id))
            })?,
            school: SchoolId::from_trusted(self.school),
            partner: SchoolId::from_trusted(self.partner),
            message: self.message,
            proposed_by: UserId::from_trusted(self.proposed_by),
            decided_by: self.decided_by.map(UserId::from_trusted),
            created_at: self.created_at,
            decided_at: self.decided_at,
            id: TwinningId::from_trusted(self.id),
        })
    }
}

impl Database {
    async fn twinnings_where(&self, filter: &str, value: String) -> Result<Vec<Twinning>> {
        let sql = format!("SELECT {TWINNING_FIELDS} FROM twinning WHERE {filter} ORDER BY id DESC");
        let rows: Vec<TwinningRow> = self
            .db
            .query(sql)
            .bind(("v", value))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter().map(TwinningRow::into_twinning).collect()
    }
}

fn event_row(c: &SchoolStatusChange) -> EventRow {
    EventRow {
        school: c.school.as_str().to_owned(),
        from_status: c.from.map(|f| f.as_str().to_owned()),
        to_status: c.to.as_str().to_owned(),
        actor: c.actor.as_ref().map(|a| a.as_str().to_owned()),
        reason: c.reason.clone(),
        at: c.at,
    }
}

#[async_trait]
impl NetworkStore for Database {
    async fn schools_by_ids(&self, ids: &[SchoolId]) -> Result<Vec<School>> {
        let rows: Vec<SchoolRow> = self.rows_by_ids(SCHOOL_FIELDS, "school", ids).await?;
        rows.into_iter()
            .map(|r| r.into_school().map(|(_, s)| s))
            .collect()
    }

    async fn people_of_school(&self, q: &PeopleQuery) -> Result<Page<User>> {
        let mut conditions = vec!["school = $school", "role IN $roles"];
        if q.class_label.is_some() {
            conditions.push("class_label = $class");
        }
        if q.page.after.is_some() {
            conditions.push("sort_key > $after");
        }
        let sql = format!(
            "SELECT {PERSON_FIELDS} FROM user WHERE {} ORDER BY sort_key LIMIT $limit",
            conditions.join(" AND ")
        );
        let rows: Vec<PersonRow> = self
            .db
            .query(sql)
            .bind(("school", q.school.as_str().to_owned()))
            .bind((
                "roles",
                q.roles
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect::<Vec<_>>(),
            ))
            .bind((
                "class",
                q.class_label.as_ref().map(|c| c.as_str().to_owned()),
            ))
            .bind(("after", q.page.after.clone()))
            .bind(("limit", q.page.look_ahead() as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        self.people_page(rows, q.page.limit)
    }

    async fn people_by_role(&self, country: &CountryCode) -> Result<Vec<(Role, u64)>> {
        let counts = self
            .counts(
                "SELECT role AS key, count() AS n FROM user WHERE country = $country AND active = true GROUP BY key",
                country,
            )
            .await?;
        Ok(Role::ALL
            .into_iter()
            .filter(|r| *r != Role::PlatformAdmin && *r != Role::Mentor)
            .map(|r| {
                let n = counts
                    .iter()
                    .find(|(k, _)| k == r.as_str())
                    .map_or(0, |(_, n)| *n);
                (r, n)
            })
            .collect())
    }

    async fn create_country(&self, c: &Country) -> Result<()> {
        let res = self
            .db
            .query("CREATE type::record('country', $code) CONTENT { name: $name, native_name: $native, created_at: time::now() } RETURN NONE")
            .bind(("code", c.code.as_str().to_owned()))
            .bind(("name", c.name.clone()))
            .bind(("native", c.native_name.clone()))
            .await
            .map_err(internal)?;
        match res.check() {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().contains("already exists") => Err(Error::Conflict(
                "this country is already part of the network".into(),
            )),
            Err(e) => Err(internal(e)),
        }
    }

    async fn country(&self, code: &CountryCode) -> Result<Option<Country>> {
        let row: Option<CountryRow> = self
            .db
            .query("SELECT record::id(id) AS code, name, native_name FROM ONLY type::record('country', $code)")
            .bind(("code", code.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(row.map(|r| Country {
            code: CountryCode::from_trusted(r.code),
            name: r.name,
            native_name: r.native_name,
        }))
    }

    async fn countries(&self) -> Result<Vec<(Country, u64)>> {
        let mut res = self
            .db
            .query(
                "SELECT record::id(id) AS code, name, native_name FROM country ORDER BY name; \
                 SELECT country AS key, count() AS n FROM school WHERE status = 'approved' GROUP BY key;",
            )
            .await
            .map_err(internal)?;
        let countries: Vec<CountryRow> = res.take(0).map_err(internal)?;
        let counts: Vec<CountRow> = res.take(1).map_err(internal)?;
        Ok(countries
            .into_iter()
            .map(|r| {
                let n = counts
                    .iter()
                    .find(|c| c.key.as_deref() == Some(r.code.as_str()))
                    .map_or(0, |c| c.n.max(0) as u64);
                (
                    Country {
                        code: CountryCode::from_trusted(r.code),
                        name: r.name,
                        native_name: r.native_name,
                    },
                    n,
                )
            })
            .collect())
    }

    async fn create_school(&self, s: &School, first: &SchoolStatusChange) -> Result<()> {
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 CREATE type::record('school', $id) CONTENT $row RETURN NONE; \
                 CREATE type::record('school_event', $eid) CONTENT $event RETURN NONE; \
                 COMMIT;",
            )
            .bind(("eid", event_key()))
            .bind(("id", s.id.as_str().to_owned()))
            .bind(("row", school_content(s)))
            .bind(("event", event_row(first)))
            .await
            .map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(e) => Err(Error::internal(e)),
        }
    }

    async fn school(&self, id: &SchoolId) -> Result<Option<School>> {
        let sql = format!("SELECT {SCHOOL_FIELDS} FROM ONLY type::record('school', $id)");
        let row: Option<SchoolRow> = self
            .db
            .query(sql)
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| r.into_school().map(|(_, s)| s)).transpose()
    }

    async fn school_by_aspnet_number(&self, number: &str) -> Result<Option<SchoolId>> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM school WHERE aspnet_number = $n LIMIT 1")
            .bind(("n", number.to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(ids.into_iter().next().map(SchoolId::from_trusted))
    }

    /// A page of the directory. The asker's scope is an OR of several sets
    /// (approved schools, their country's other schools, their own school);
    /// each set is read with its own indexed, ordered, limited statement —
    /// all in one round trip — and the pages are merged here, because one
    /// statement with OR would scan the whole table.
    async fn schools(&self, q: &SchoolQuery) -> Result<Page<School>> {
        const NOT_APPROVED: [&str; 4] = ["applied", "rejected", "suspended", "withdrawn"];
        let scope = &q.scope;
        let wanted = |s: &str| q.status.is_none_or(|w| w.as_str() == s);
        // Conditions every statement shares.
        let mut common: Vec<&str> = Vec::new();
        if q.country.is_some() {
            common.push("country = $country");
        }
        if q.language.is_some() {
            common.push("$language IN languages");
        }
        if q.page.after.is_some() {
            common.push("sort_key > $after");
        }
        let statement_from = |source: &str, own: Vec<String>| {
            let all: Vec<String> = own
                .into_iter()
                .chain(common.iter().map(|c| (*c).to_owned()))
                .collect();
            let filter = if all.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", all.join(" AND "))
            };
            format!("SELECT {SCHOOL_FIELDS} FROM {source} {filter} ORDER BY sort_key LIMIT $limit;")
        };
        let statement = |own: Vec<String>| statement_from("school", own);
        let mut statements: Vec<String> = Vec::new();
        if scope.all {
            statements.push(statement(if q.status.is_some() {
                vec!["status = $status".to_owned()]
            } else {
                vec![]
            }));
        } else {
            if scope.approved && wanted("approved") {
                let mut own = vec!["status = 'approved'".to_owned()];
                if scope.public_only {
                    own.push("card_public = true".to_owned());
                }
                statements.push(statement(own));
            }
            // One statement per country and status: equality on both lets the
            // (country, status, sort_key) index answer; `IN` would scan.
            for (i, _) in scope.countries.iter().enumerate() {
                for status in NOT_APPROVED.into_iter().filter(|s| wanted(s)) {
                    statements.push(statement(vec![
                        format!("country = $scope_country{i}"),
                        format!("status = '{status}'"),
                    ]));
                }
            }
            // Their own schools are read by id.
            if !scope.schools.is_empty() && NOT_APPROVED.iter().any(|s| wanted(s)) {
                statements.push(statement_from(
                    "$scope_schools",
                    vec!["status IN $others".to_owned()],
                ));
            }
        }
        if statements.is_empty() {
            return Ok(Page {
                items: vec![],
                has_next: false,
            });
        }
        let mut query = self.db.query(statements.concat());
        for (i, c) in scope.countries.iter().enumerate() {
            query = query.bind((format!("scope_country{i}"), c.as_str().to_owned()));
        }
        let others: Vec<String> = NOT_APPROVED
            .into_iter()
            .filter(|s| wanted(s))
            .map(str::to_owned)
            .collect();
        let mut res = query
            .bind((
                "scope_schools",
                scope
                    .schools
                    .iter()
                    .map(|s| surrealdb::types::RecordId::new("school", s.as_str()))
                    .collect::<Vec<_>>(),
            ))
            .bind(("others", others))
            .bind(("country", q.country.as_ref().map(|c| c.as_str().to_owned())))
            .bind(("status", q.status.map(|s| s.as_str().to_owned())))
            .bind((
                "language",
                q.language.as_ref().map(|l| l.as_str().to_owned()),
            ))
            .bind(("after", q.page.after.clone()))
            .bind(("limit", q.page.look_ahead() as i64))
            .await
            .map_err(internal)?;
        let mut rows: Vec<(String, School)> = Vec::new();
        for i in 0..statements.len() {
            let part: Vec<SchoolRow> = res.take(i).map_err(internal)?;
            for r in part {
                rows.push(r.into_school()?);
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.dedup_by(|a, b| a.1.id == b.1.id);
        Ok(page_of(rows, q.page.limit))
    }

    async fn update_school(&self, s: &School) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('school', $id) CONTENT $row RETURN NONE")
                .bind(("id", s.id.as_str().to_owned()))
                .bind(("row", school_content(s))),
        )
        .await
    }

    async fn change_school_status(&self, c: &SchoolStatusChange) -> Result<()> {
        let from = c
            .from
            .ok_or_else(|| Error::internal("a status change needs its starting status"))?;
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $changed = (UPDATE type::record('school', $id) SET status = $to, updated_at = $at \
                    WHERE status = $from RETURN VALUE record::id(id)); \
                 IF array::len($changed) = 0 { THROW 'lff_school_status_changed' }; \
                 CREATE type::record('school_event', $eid) CONTENT $event RETURN NONE; \
                 COMMIT;",
            )
            .bind(("eid", event_key()))
            .bind(("id", c.school.as_str().to_owned()))
            .bind(("to", c.to.as_str().to_owned()))
            .bind(("from", from.as_str().to_owned()))
            .bind(("at", c.at))
            .bind(("event", event_row(c)))
            .await
            .map_err(internal)?;
        guarded(
            &mut res,
            "lff_school_status_changed",
            "the school's status changed meanwhile; reload it",
        )
    }

    async fn school_history(&self, id: &SchoolId) -> Result<Vec<SchoolStatusChange>> {
        let rows: Vec<EventRow> = self
            .db
            .query("SELECT school, from_status, to_status, actor, reason, at FROM school_event WHERE school = $id ORDER BY id")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter()
            .map(|r| {
                let bad = || Error::internal("stored school event has an invalid status");
                Ok(SchoolStatusChange {
                    school: SchoolId::from_trusted(r.school),
                    from: r
                        .from_status
                        .map(|f| SchoolStatus::from_storage(&f).ok_or_else(bad))
                        .transpose()?,
                    to: SchoolStatus::from_storage(&r.to_status).ok_or_else(bad)?,
                    actor: r.actor.map(UserId::from_trusted),
                    reason: r.reason,
                    at: r.at,
                })
            })
            .collect()
    }

    async fn schools_by_status(&self, country: &CountryCode) -> Result<Vec<(SchoolStatus, u64)>> {
        let counts = self
            .counts(
                "SELECT status AS key, count() AS n FROM school WHERE country = $country GROUP BY key",
                country,
            )
            .await?;
        Ok(SchoolStatus::ALL
            .into_iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .find(|(k, _)| k == s.as_str())
                    .map_or(0, |(_, n)| *n);
                (s, n)
            })
            .collect())
    }

    async fn create_twinning(&self, t: &Twinning) -> Result<()> {
        let row = TwinningContent {
            school: t.school.as_str().to_owned(),
            partner: t.partner.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            message: t.message.clone(),
            proposed_by: t.proposed_by.as_str().to_owned(),
            created_at: t.created_at,
        };
        exec(
            self.db
                .query("CREATE type::record('twinning', $id) CONTENT $row RETURN NONE")
                .bind(("id", t.id.as_str().to_owned()))
                .bind(("row", row)),
        )
        .await
    }

    async fn twinning(&self, id: &TwinningId) -> Result<Option<Twinning>> {
        Ok(self
            .twinnings_where("id = type::record('twinning', $v)", id.as_str().to_owned())
            .await?
            .into_iter()
            .next())
    }

    async fn twinnings_of(&self, school: &SchoolId) -> Result<Vec<Twinning>> {
        self.twinnings_where("school = $v OR partner = $v", school.as_str().to_owned())
            .await
    }

    async fn decide_twinning(&self, t: &Twinning, from: TwinningStatus) -> Result<()> {
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $changed = (UPDATE type::record('twinning', $id) SET status = $to, decided_by = $by, \
                    decided_at = $at WHERE status = $from RETURN VALUE record::id(id)); \
                 IF array::len($changed) = 0 { THROW 'lff_twinning_changed' }; \
                 COMMIT;",
            )
            .bind(("id", t.id.as_str().to_owned()))
            .bind(("to", t.status.as_str().to_owned()))
            .bind(("from", from.as_str().to_owned()))
            .bind(("by", t.decided_by.as_ref().map(|u| u.as_str().to_owned())))
            .bind(("at", t.decided_at))
            .await
            .map_err(internal)?;
        guarded(
            &mut res,
            "lff_twinning_changed",
            "the twinning changed meanwhile; reload it",
        )
    }

    async fn create_file(&self, f: &StoredFile) -> Result<()> {
        let row = FileContent {
            name: f.name.as_str().to_owned(),
            content_type: f.content_type.clone(),
            size: i64::try_from(f.size).unwrap_or(i64::MAX),
            sha256: f.sha256.clone(),
            uploaded_by: f.uploaded_by.as_str().to_owned(),
            school: f.school.as_ref().map(|s| s.as_str().to_owned()),
            attached_to: None,
            created_at: f.created_at,
        };
        exec(
            self.db
                .query("CREATE type::record('file', $id) CONTENT $row RETURN NONE")
                .bind(("id", f.id.as_str().to_owned()))
                .bind(("row", row)),
        )
        .await
    }

    async fn file(&self, id: &FileId) -> Result<Option<StoredFile>> {
        Ok(self
            .files(std::slice::from_ref(id))
            .await?
            .into_iter()
            .next())
    }

    async fn files(&self, ids: &[FileId]) -> Result<Vec<StoredFile>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        // One statement per file, all in one round trip; a missing file reads as NONE.
        let sql: String = (0..ids.len())
            .map(|i| format!("SELECT {FILE_FIELDS} FROM ONLY type::record('file', $k{i});"))
            .collect();
        let mut query = self.db.query(sql);
        for (i, id) in ids.iter().enumerate() {
            query = query.bind((format!("k{i}"), id.as_str().to_owned()));
        }
        let mut res = query.await.map_err(internal)?;
        let mut rows: Vec<FileRow> = Vec::with_capacity(ids.len());
        for i in 0..ids.len() {
            let row: Option<FileRow> = res.take(i).map_err(internal)?;
            rows.extend(row);
        }
        Ok(rows
            .into_iter()
            .map(|r| StoredFile {
                id: FileId::from_trusted(r.id),
                name: FileName::from_trusted(r.name),
                content_type: r.content_type,
                size: r.size.max(0) as u64,
                sha256: r.sha256,
                uploaded_by: UserId::from_trusted(r.uploaded_by),
                school: r.school.map(SchoolId::from_trusted),
                attached_to: r.attached_to.map(SchoolId::from_trusted),
                created_at: r.created_at,
            })
            .collect())
    }

    async fn set_file_attachment(&self, id: &FileId, school: Option<&SchoolId>) -> Result<()> {
        exec(
            self.db
                .query("UPDATE type::record('file', $id) SET attached_to = $school RETURN NONE")
                .bind(("id", id.as_str().to_owned()))
                .bind(("school", school.map(|s| s.as_str().to_owned()))),
        )
        .await
    }

    async fn unattached_files(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<FileId>> {
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM file WHERE attached_to = NONE AND created_at < $before LIMIT $limit")
            .bind(("before", before))
            .bind(("limit", i64::from(limit)))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(ids.into_iter().map(FileId::from_trusted).collect())
    }

    async fn delete_file(&self, id: &FileId) -> Result<()> {
        exec(
            self.db
                .query("DELETE type::record('file', $id)")
                .bind(("id", id.as_str().to_owned())),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> Database {
        crate::database::test_database().await
    }

    #[tokio::test]
    async fn file_records_are_read_together_and_missing_ones_are_skipped() {
        let db = db().await;
        let file = StoredFile {
            id: FileId::generate(),
            name: FileName::parse("a.png").unwrap(),
            content_type: "image/png".into(),
            size: 3,
            sha256: "00".into(),
            uploaded_by: UserId::generate(),
            school: None,
            attached_to: None,
            created_at: chrono::Utc::now(),
        };
        db.create_file(&file).await.unwrap();
        let missing = FileId::generate();
        let found = db.files(&[missing.clone(), file.id.clone()]).await.unwrap();
        assert_eq!(found, vec![file.clone()]);
        assert_eq!(db.file(&missing).await.unwrap(), None);
        assert_eq!(db.file(&file.id).await.unwrap(), Some(file));
    }
}
