//! The network: its countries, its schools and their lifecycle, their visit
//! cards with the files on them, and the twinnings between schools.

pub mod cards;
pub mod port;

pub mod model;
pub(crate) mod policy;
pub mod schools;
pub mod twinnings;

/// What the network keeps in memory.
#[derive(Default)]
pub(crate) struct State {
    /// Countries by code. Countries are only ever added, so an entry never
    /// goes stale; a code missing here is looked up in the database.
    // A std mutex: look-ups and inserts only, never held across an await.
    pub(crate) countries:
        std::sync::Mutex<std::collections::HashMap<crate::kernel::id::CountryCode, model::Country>>,
    /// The country list with school counts, as last read, and when. Changes
    /// made by this process clear it; `schools::COUNTS_FRESH_FOR` bounds how
    /// long another process's changes can go unseen.
    pub(crate) country_list: std::sync::Mutex<Option<schools::KeptCountries>>,
}
