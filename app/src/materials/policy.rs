//! Who may publish and manage learning materials, and the lower rules the
//! materials use cases ask.

pub(crate) use crate::network::policy::{belongs_to, is_admin, sees_school, teaches_at};

use crate::accounts::model::Viewer;
use crate::accounts::policy::is_adult;

/// Publishes a material (or takes it back to a draft): adults only; a
/// student's material is published by a teacher.
pub(crate) fn publishes(viewer: Option<&Viewer>) -> bool {
    is_adult(viewer)
}
