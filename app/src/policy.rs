//! Who may see and do what: the authorization rules of the network, as pure
//! functions of the asker and the thing asked about.
//!
//! Two questions are asked apart: *may the asker know it exists* (`sees_*`)
//! and *may the asker act on it* (`governs_*`, `manages_*`, …). Use cases
//! answer `NotFound` when the first is no and `Forbidden` only when the asker
//! can see the thing but not act on it, so that outsiders learn nothing from
//! errors. Nothing here touches a backend.

use crate::kernel::id::{CountryCode, SchoolId};
use crate::model::*;
use crate::network::*;

fn is(viewer: Option<&Viewer>, role: Role) -> bool {
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

/// Teaches at `school`: a teacher or the school coordinator (who is a teacher too).
pub(crate) fn teaches_at(viewer: Option<&Viewer>, school: &SchoolId) -> bool {
    viewer.is_some_and(|v| {
        matches!(v.user.role, Role::Teacher | Role::SchoolCoordinator)
            && v.user.school.as_ref() == Some(school)
    })
}

/// Whether `viewer` may know that `target` exists. Students are seen only by
/// themselves, their school's teachers and administrators (space members
/// join this list with spaces); a school's staff by the network's adults and
/// their own school's students; coordinators, mentors and administrators by
/// everyone signed in. Anonymous visitors see nobody.
pub(crate) fn sees_person(viewer: Option<&Viewer>, target: &User) -> bool {
    let Some(v) = viewer else { return false };
    if v.user.id == target.id || v.user.role == Role::PlatformAdmin {
        return true;
    }
    match target.role {
        Role::Student => target
            .school
            .as_ref()
            .is_some_and(|s| teaches_at(viewer, s)),
        Role::Teacher | Role::SchoolCoordinator => {
            v.user.role != Role::Student
                || (target.school.is_some() && v.user.school == target.school)
        }
        Role::NationalCoordinator | Role::Mentor | Role::PlatformAdmin => true,
    }
}

/// The roles of a school's people that `viewer` may list.
pub(crate) fn visible_roles_of_school(viewer: Option<&Viewer>, school: &SchoolId) -> Vec<Role> {
    let Some(v) = viewer else { return vec![] };
    let staff = [Role::SchoolCoordinator, Role::Teacher];
    if v.user.role == Role::PlatformAdmin || teaches_at(viewer, school) {
        return vec![Role::SchoolCoordinator, Role::Teacher, Role::Student];
    }
    if v.user.role == Role::Student {
        return if belongs_to(viewer, school) {
            staff.to_vec()
        } else {
            vec![]
        };
    }
    staff.to_vec()
}

/// Resets passwords of, deactivates and reactivates `target`: administrators
/// anyone but themselves; a national coordinator the school coordinators and
/// teachers of their country (not students, whom they do not see); a school
/// coordinator their teachers and students; a teacher their school's students.
pub(crate) fn manages_person(viewer: Option<&Viewer>, target: &User) -> bool {
    let Some(v) = viewer else { return false };
    if v.user.id == target.id {
        return false;
    }
    let same_school = target.school.is_some() && v.user.school == target.school;
    match v.user.role {
        Role::PlatformAdmin => true,
        Role::NationalCoordinator => {
            matches!(target.role, Role::SchoolCoordinator | Role::Teacher)
                && target.country.is_some()
                && target.country == v.user.country
        }
        Role::SchoolCoordinator => {
            same_school && matches!(target.role, Role::Teacher | Role::Student)
        }
        Role::Teacher => same_school && target.role == Role::Student,
        Role::Student | Role::Mentor => false,
    }
}

/// Changes a role between teacher and school coordinator: administrators, and
/// the national coordinator of the person's country.
pub(crate) fn changes_staff_role(viewer: Option<&Viewer>, target: &User) -> bool {
    if !matches!(target.role, Role::Teacher | Role::SchoolCoordinator) {
        return false;
    }
    is_admin(viewer)
        || target
            .country
            .as_ref()
            .is_some_and(|c| coordinates_country(viewer, c))
}

/// Whether `viewer` may invite someone into `role` (at `school` of `country`).
pub(crate) fn invites(viewer: Option<&Viewer>, role: Role, school: Option<&School>) -> bool {
    match role {
        Role::PlatformAdmin | Role::NationalCoordinator | Role::Mentor => is_admin(viewer),
        Role::SchoolCoordinator => school.is_some_and(|s| governs_school(viewer, s)),
        Role::Teacher => {
            school.is_some_and(|s| governs_school(viewer, s) || coordinates_school(viewer, &s.id))
        }
        Role::Student => false,
    }
}

/// Reads the audit trail: administrators all of it, a national coordinator
/// their country's part.
pub(crate) fn reads_audit(viewer: Option<&Viewer>, country: Option<&CountryCode>) -> bool {
    is_admin(viewer) || country.is_some_and(|c| coordinates_country(viewer, c))
}

/// Uploads files for visit cards: school coordinators and administrators.
pub(crate) fn uploads(viewer: Option<&Viewer>) -> bool {
    is_admin(viewer)
        || (is(viewer, Role::SchoolCoordinator) && viewer.is_some_and(|v| v.user.school.is_some()))
}

/// Watches over a country: its national coordinator, and administrators.
pub(crate) fn governs_country(viewer: Option<&Viewer>, country: &CountryCode) -> bool {
    is_admin(viewer) || coordinates_country(viewer, country)
}
