//! Who may see and act on schools, their visit cards and their files.

use crate::accounts::model::{Role, Viewer};
use crate::accounts::policy::is;
pub(crate) use crate::accounts::policy::{
    belongs_to, coordinates_country, governs_country, is_admin, is_adult, teaches_at,
};
use crate::kernel::id::SchoolId;
use crate::network::model::{School, SchoolScope, SchoolStatus};

/// Approved schools are visible to the network, and to anonymous visitors
/// when their card is public; other schools only to their own people, their
/// national coordinator and administrators.
pub(crate) fn sees_school(viewer: Option<&Viewer>, s: &School) -> bool {
    if s.status == SchoolStatus::Approved && (viewer.is_some() || s.card.public) {
        return true;
    }
    is_admin(viewer) || coordinates_country(viewer, &s.facts.country) || belongs_to(viewer, &s.id)
}

/// The list counterpart of [`sees_school`].
pub(crate) fn school_scope(viewer: Option<&Viewer>) -> SchoolScope {
    let Some(v) = viewer else {
        return SchoolScope {
            approved: true,
            public_only: true,
            ..SchoolScope::default()
        };
    };
    let mut scope = SchoolScope {
        all: v.user.role == Role::PlatformAdmin,
        approved: true,
        ..SchoolScope::default()
    };
    if v.user.role == Role::NationalCoordinator
        && let Some(c) = &v.user.country
    {
        scope.countries.push(c.clone());
    }
    if let Some(s) = &v.user.school {
        scope.schools.push(s.clone());
    }
    scope
}

/// Decides a school's lifecycle: its national coordinator or an administrator.
pub(crate) fn governs_school(viewer: Option<&Viewer>, s: &School) -> bool {
    is_admin(viewer) || coordinates_country(viewer, &s.facts.country)
}

/// The school's coordinator.
pub(crate) fn coordinates_school(viewer: Option<&Viewer>, school: &SchoolId) -> bool {
    is(viewer, Role::SchoolCoordinator) && belongs_to(viewer, school)
}

/// Edits a school's facts: whoever governs it, or its coordinator.
pub(crate) fn edits_school(viewer: Option<&Viewer>, s: &School) -> bool {
    governs_school(viewer, s) || coordinates_school(viewer, &s.id)
}

/// Edits a school's visit card: its coordinator, or an administrator.
pub(crate) fn edits_card(viewer: Option<&Viewer>, s: &School) -> bool {
    is_admin(viewer) || coordinates_school(viewer, &s.id)
}

/// Sees a school's status history and its pending invitations' counts:
/// whoever governs it, and its own adults.
pub(crate) fn sees_school_internals(viewer: Option<&Viewer>, s: &School) -> bool {
    governs_school(viewer, s) || (is_adult(viewer) && belongs_to(viewer, &s.id))
}

/// Uploads files for visit cards: school coordinators and administrators.
pub(crate) fn uploads(viewer: Option<&Viewer>) -> bool {
    is_admin(viewer)
        || (is(viewer, Role::SchoolCoordinator) && viewer.is_some_and(|v| v.user.school.is_some()))
}
