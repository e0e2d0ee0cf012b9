//! Who may plan an event for whom: the audience checked against the
//! planner's role, and the countries the audience reaches.

use super::{EventAudience, EventDetails, Events, policy};
use crate::accounts::model::{Role, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::CountryCode;
use crate::network::model::School;

impl Events<'_> {
    /// Checks who the event is for against who may plan for them:
    /// administrators and mentors plan for anyone; a national coordinator
    /// for their country and its schools; school staff for their own school
    /// and the spaces they teach in. Named mentors must be mentors.
    pub(crate) async fn check_plan(
        &self,
        viewer: &Viewer,
        d: &EventDetails,
    ) -> Result<Vec<CountryCode>> {
        let u = &viewer.user;
        let countries: Vec<CountryCode> = match &d.audience {
            EventAudience::Public | EventAudience::Network => vec![],
            EventAudience::Countries(cs) => {
                for c in cs {
                    self.network
                        .store
                        .country(c)
                        .await?
                        .ok_or_else(|| Error::invalid("audience", format!("no country {c}")))?;
                }
                cs.clone()
            }
            EventAudience::Schools(ids) => {
                let schools = self.network.store.schools_by_ids(ids).await?;
                let known: Vec<&School> = schools
                    .iter()
                    .filter(|s| policy::sees_school(Some(viewer), s))
                    .collect();
                if known.len() != ids.len() {
                    return Err(Error::invalid("audience", "a school named is not known"));
                }
                let mut cs: Vec<CountryCode> =
                    known.iter().map(|s| s.facts.country.clone()).collect();
                cs.sort();
                cs.dedup();
                cs
            }
            EventAudience::Space(id) => {
                let access = self
                    .spaces
                    .space_access(viewer, id)
                    .await
                    .map_err(|_| Error::invalid("audience", "the space named is not known"))?;
                let mut cs = vec![];
                for s in self
                    .network
                    .store
                    .schools_by_ids(&access.space.schools)
                    .await?
                {
                    cs.push(s.facts.country);
                }
                cs.sort();
                cs.dedup();
                cs
            }
        };
        let allowed = match u.role {
            Role::PlatformAdmin | Role::Mentor => true,
            Role::NationalCoordinator => match &d.audience {
                // The country's own public events (a conference, an open day).
                EventAudience::Public => true,
                EventAudience::Countries(cs) => cs.iter().all(|c| Some(c) == u.country.as_ref()),
                EventAudience::Schools(_) => {
                    countries.iter().all(|c| Some(c) == u.country.as_ref())
                }
                _ => false,
            },
            Role::Teacher | Role::SchoolCoordinator => match &d.audience {
                EventAudience::Schools(s) => s.len() == 1 && Some(&s[0]) == u.school.as_ref(),
                EventAudience::Space(id) => {
                    let access = self.spaces.space_access(viewer, id).await?;
                    access.member.is_some() && access.role.is_some_and(|r| r.is_staff())
                }
                _ => false,
            },
            Role::Student => false,
        };
        if !allowed {
            return Err(Error::Forbidden);
        }
        if !d.mentors.is_empty() {
            let found = self.accounts.store.users_by_ids(&d.mentors).await?;
            let ok = found.len() == d.mentors.len()
                && found.iter().all(|m| m.role.is_mentor() && m.active);
            if !ok {
                return Err(Error::invalid("mentors", "name active mentors only"));
            }
        }
        Ok(countries)
    }
}
