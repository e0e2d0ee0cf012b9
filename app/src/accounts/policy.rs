//! Who may see and do what: the authorization rules of the network, as pure
//! functions of the asker and the thing asked about.
//!
//! Two questions are asked apart: *may the asker know it exists* (`sees_*`)
//! and *may the asker act on it* (`governs_*`, `manages_*`, …). Use cases
//! answer `NotFound` when the first is no and `Forbidden` only when the asker
//! can see the thing but not act on it, so that outsiders learn nothing from
//! errors. Nothing here touches a backend.
//!
//! This file holds the rules about people's roles as such; each domain's
//! `policy` answers for its own things and re-exports, by name, the lower
//! rules its use cases ask.

use crate::accounts::model::{Role, Viewer};
use crate::kernel::id::{CountryCode, SchoolId};

pub(crate) fn is(viewer: Option<&Viewer>, role: Role) -> bool {
    viewer.is_some_and(|v| v.user.role == role)
}

pub(crate) fn is_admin(viewer: Option<&Viewer>) -> bool {
    is(viewer, Role::PlatformAdmin)
}

/// The national coordinator of `country`.
pub(crate) fn coordinates_country(viewer: Option<&Viewer>, country: &CountryCode) -> bool {
    viewer.is_some_and(|v| {
        v.user.role == Role::NationalCoordinator && v.user.country.as_ref() == Some(country)
    })
}

/// A member (any role) of `school`.
pub(crate) fn belongs_to(viewer: Option<&Viewer>, school: &SchoolId) -> bool {
    viewer.is_some_and(|v| v.user.school.as_ref() == Some(school))
}

/// Adults of the network: everyone signed in except students.
pub(crate) fn is_adult(viewer: Option<&Viewer>) -> bool {
    viewer.is_some_and(|v| v.user.role != Role::Student)
}

/// Teaches at `school`: a teacher or the school coordinator (who is a teacher too).
pub(crate) fn teaches_at(viewer: Option<&Viewer>, school: &SchoolId) -> bool {
    viewer.is_some_and(|v| {
        matches!(v.user.role, Role::Teacher | Role::SchoolCoordinator)
            && v.user.school.as_ref() == Some(school)
    })
}

/// Reads the audit trail: administrators all of it, a national coordinator
/// their country's part.
pub(crate) fn reads_audit(viewer: Option<&Viewer>, country: Option<&CountryCode>) -> bool {
    is_admin(viewer) || country.is_some_and(|c| coordinates_country(viewer, c))
}

/// Watches over a country: its national coordinator, and administrators.
pub(crate) fn governs_country(viewer: Option<&Viewer>, country: &CountryCode) -> bool {
    is_admin(viewer) || coordinates_country(viewer, country)
}
