//! The network: its countries, its schools and their lifecycle, their visit
//! cards with the files on them, and the twinnings between schools.

pub mod cards;
pub mod port;

pub mod model;
pub(crate) mod policy;
pub mod schools;
pub mod twinnings;

/// The network's use cases: its countries, schools, visit cards and
/// twinnings, over the network's port, the people above it never seen.
#[derive(Clone, Copy)]
pub struct Network<'a> {
    pub(crate) store: &'a dyn port::NetworkStore,
    pub(crate) state: &'a State,
    pub(crate) objects: &'a dyn crate::kernel::blobs::ObjectStorage,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
}

/// What the network keeps in memory.
pub(crate) struct State {
    /// School applications per client address and minute.
    pub(crate) applications: crate::accounts::throttle::AddressBudget,
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

impl Default for State {
    fn default() -> Self {
        State {
            applications: crate::accounts::throttle::AddressBudget::new(20),
            countries: Default::default(),
            country_list: Default::default(),
        }
    }
}
