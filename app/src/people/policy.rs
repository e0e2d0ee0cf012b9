//! Who may see and manage people, their roles and invitations.

use crate::accounts::model::{Role, User, Viewer};
use crate::kernel::id::SchoolId;
use crate::network::model::School;

pub(crate) use crate::network::policy::{
    belongs_to, coordinates_country, coordinates_school, governs_school, is_admin, sees_school,
    teaches_at,
};

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
