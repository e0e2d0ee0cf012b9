//! The one vocabulary of audiences: who a thing is for, as the tokens
//! stored beside it (an event's audience in the database, a search
//! document's readers in the engine), and the tokens a person holds. A person
//! reaches a thing when they share one token with it.

use crate::kernel::id::{CountryCode, SchoolId, SpaceId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// Anyone, signed in or not.
    Public,
    /// Everyone signed in.
    Network,
    /// One person.
    User(UserId),
    /// The people of a school (every role).
    School(SchoolId),
    /// The teachers and coordinators of a school.
    SchoolStaff(SchoolId),
    /// The people of a country's schools, and its national coordinator.
    Country(CountryCode),
    /// The national coordinator of a country.
    Coordinator(CountryCode),
    /// Who reads a space: its members and observers.
    Space(SpaceId),
    /// Who reads a space's teachers' bulletin: every role but students.
    SpaceStaff(SpaceId),
    /// Who edits a space's library: its leads and teachers while it is open.
    SpaceEditor(SpaceId),
}

impl Principal {
    /// The token stored and compared: `public`, `network`, `user:ID`,
    /// `school:ID`, `school-staff:ID`, `country:XX`, `coord:XX`, `space:ID`,
    /// `space-staff:ID`, `space-editor:ID`.
    pub fn token(&self) -> String {
        match self {
            Principal::Public => "public".into(),
            Principal::Network => "network".into(),
            Principal::User(id) => format!("user:{id}"),
            Principal::School(id) => format!("school:{id}"),
            Principal::SchoolStaff(id) => format!("school-staff:{id}"),
            Principal::Country(c) => format!("country:{}", c.as_str()),
            Principal::Coordinator(c) => format!("coord:{}", c.as_str()),
            Principal::Space(id) => format!("space:{id}"),
            Principal::SpaceStaff(id) => format!("space-staff:{id}"),
            Principal::SpaceEditor(id) => format!("space-editor:{id}"),
        }
    }
}

/// The tokens of a list of principals, sorted and without repeats.
pub fn tokens(list: impl IntoIterator<Item = Principal>) -> Vec<String> {
    let mut out: Vec<String> = list.into_iter().map(|p| p.token()).collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_principal_has_its_own_token() {
        let c = CountryCode::parse("AM").unwrap();
        assert_eq!(Principal::Country(c.clone()).token(), "country:AM");
        assert_eq!(Principal::Coordinator(c).token(), "coord:AM");
        assert_eq!(
            tokens([Principal::Network, Principal::Public, Principal::Network]),
            vec!["network", "public"]
        );
    }
}
