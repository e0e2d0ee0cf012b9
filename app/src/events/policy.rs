//! Who may plan events, and the lower rules the events use cases ask.

pub(crate) use crate::people::policy::{
    is_admin, manages_person, sees_person, sees_school, teaches_at,
};

use crate::accounts::model::Viewer;
use crate::accounts::policy::is_adult;

/// Plans events (a conference, a webinar, a mentoring session): any adult
/// of the network; what it is for is checked against the audience.
pub(crate) fn plans_events(viewer: Option<&Viewer>) -> bool {
    is_adult(viewer)
}
