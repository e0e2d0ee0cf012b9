//! What the network domain needs of the database.

use crate::accounts::model::{Role, User};
use crate::kernel::error::Result;
use crate::kernel::id::{CountryCode, FileId, SchoolId, TwinningId};
use crate::kernel::paging::Page;
use crate::network::model::PeopleQuery;
use crate::network::model::{
    Country, School, SchoolQuery, SchoolStatus, SchoolStatusChange, StoredFile, Twinning,
    TwinningStatus,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Countries, schools with their history, twinnings, and visit card files.
#[async_trait]
pub trait NetworkStore: Send + Sync + 'static {
    /// The schools of these ids that exist, in one round trip.
    async fn schools_by_ids(&self, ids: &[SchoolId]) -> Result<Vec<School>>;

    /// The people of a school, in the order of their names.
    async fn people_of_school(&self, q: &PeopleQuery) -> Result<Page<User>>;
    /// How many active people of each school role a country has.
    async fn people_by_role(&self, country: &CountryCode) -> Result<Vec<(Role, u64)>>;
    /// `Conflict` if the code exists.
    async fn create_country(&self, country: &Country) -> Result<()>;
    async fn country(&self, code: &CountryCode) -> Result<Option<Country>>;
    /// Every country with its number of approved schools.
    async fn countries(&self) -> Result<Vec<(Country, u64)>>;
    /// Stores a new school and the first step of its history, together.
    async fn create_school(&self, school: &School, first: &SchoolStatusChange) -> Result<()>;
    async fn school(&self, id: &SchoolId) -> Result<Option<School>>;
    async fn school_by_aspnet_number(&self, number: &str) -> Result<Option<SchoolId>>;
    async fn schools(&self, q: &SchoolQuery) -> Result<Page<School>>;
    /// Replaces the facts and visit card of a stored school.
    async fn update_school(&self, school: &School) -> Result<()>;
    /// Moves a school from `change.from` to `change.to` and records the step,
    /// together; `Conflict` if its status is no longer `change.from`.
    async fn change_school_status(&self, change: &SchoolStatusChange) -> Result<()>;
    async fn school_history(&self, id: &SchoolId) -> Result<Vec<SchoolStatusChange>>;
    async fn schools_by_status(&self, country: &CountryCode) -> Result<Vec<(SchoolStatus, u64)>>;
    async fn create_twinning(&self, t: &Twinning) -> Result<()>;
    async fn twinning(&self, id: &TwinningId) -> Result<Option<Twinning>>;
    /// Every twinning a school is part of, newest first.
    async fn twinnings_of(&self, school: &SchoolId) -> Result<Vec<Twinning>>;
    /// Moves a twinning from `from` to `t.status`, recording who decided;
    /// `Conflict` if its status is no longer `from`.
    async fn decide_twinning(&self, t: &Twinning, from: TwinningStatus) -> Result<()>;
    async fn create_file(&self, file: &StoredFile) -> Result<()>;
    async fn file(&self, id: &FileId) -> Result<Option<StoredFile>>;
    /// The records of these files that exist, in one round trip.
    async fn files(&self, ids: &[FileId]) -> Result<Vec<StoredFile>>;
    async fn set_file_attachment(&self, id: &FileId, school: Option<&SchoolId>) -> Result<()>;
    /// Files attached to nothing that were uploaded before `before`.
    async fn unattached_files(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<FileId>>;
    async fn delete_file(&self, id: &FileId) -> Result<()>;
}
