//! Use cases of twinning spaces as places: creating and describing them,
//! which schools and mentors take part (invitations and their answers), who
//! is a member with which role, and who may look in.
//!
//! Messages and channels are in `messages`; the log and live delivery in
//! `space_log`.

use super::Spaces;
use crate::accounts::model::{RequestMeta, Role, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{ChannelId, SchoolId, SpaceId, SpaceInvitationId, UserId};
use crate::kernel::paging::{MAX_PAGE, Page, PageRequest};
use crate::live::hub::NotificationKind;
use crate::network::model::{PeopleQuery, SchoolStatus};
use crate::network::policy;
use crate::spaces::model::{
    Channel, ChannelKind, InvitationAnswer, Invitee, Member, Space, SpaceDetails, SpaceEvent,
    SpaceEventKind, SpaceInvitation, SpaceRole,
};
use crate::spaces::port::LogEntry;

/// How the viewer stands towards a space they may see.
#[derive(Debug, Clone)]
pub struct SpaceAccess {
    pub space: Space,
    /// `None`: the viewer teaches at a member school but has not joined;
    /// they see the space's description and may join, nothing more.
    pub role: Option<SpaceRole>,
    pub member: Option<Member>,
}

impl SpaceAccess {
    /// Whether the viewer looks after the space's members: a teacher or
    /// lead who is a member (observers are not).
    pub(crate) fn moderates(&self) -> bool {
        self.member.is_some() && self.role.is_some_and(|r| r.moderates())
    }

    /// The viewer's role if it lets them write now (not an observer, not
    /// archived): `Forbidden` or `Conflict` otherwise.
    pub(crate) fn writer_role(&self) -> Result<SpaceRole> {
        match self.role {
            Some(r) if r.writes() && self.member.is_some() => {
                if self.space.archived {
                    Err(Error::Conflict(
                        "the space is archived and can only be read".into(),
                    ))
                } else {
                    Ok(r)
                }
            }
            _ => Err(Error::Forbidden),
        }
    }
}

impl Spaces<'_> {
    /// How the viewer stands towards a space; `NotFound` if they may not see it.
    pub async fn space_access(&self, viewer: &Viewer, id: &SpaceId) -> Result<SpaceAccess> {
        let cache = &self.state.cache;
        let space = match cache.space(id) {
            Some(s) => s,
            None => {
                let epoch = cache.epoch();
                let s = self.store.space(id).await?.ok_or(Error::NotFound)?;
                cache.keep_space(&s, epoch);
                s
            }
        };
        let member = match cache.member(id, &viewer.user.id) {
            Some(m) => m,
            None => {
                let epoch = cache.epoch();
                let m = self.store.member(id, &viewer.user.id).await?;
                cache.keep_member(id, &viewer.user.id, m.as_ref(), epoch);
                m
            }
        };
        if let Some(m) = &member {
            return Ok(SpaceAccess {
                space,
                role: Some(m.role),
                member,
            });
        }
        let v = Some(viewer);
        let mut observes = policy::is_admin(v);
        if !observes && viewer.user.role.is_national_coordinator() {
            for s in &space.schools {
                if let Some(school) = self.network.store.school(s).await?
                    && policy::coordinates_country(v, &school.facts.country)
                {
                    observes = true;
                    break;
                }
            }
        }
        if observes {
            return Ok(SpaceAccess {
                space,
                role: Some(SpaceRole::Observer),
                member: None,
            });
        }
        let may_join = space.schools.iter().any(|s| policy::teaches_at(v, s));
        if may_join {
            return Ok(SpaceAccess {
                space,
                role: None,
                member: None,
            });
        }
        Err(Error::NotFound)
    }

    pub async fn space(&self, viewer: &Viewer, id: &SpaceId) -> Result<Space> {
        Ok(self.space_access(viewer, id).await?.space)
    }

    /// Opens a space: a teacher or school coordinator of an approved school.
    /// It starts with `general` and the teachers' bulletin, and its creator
    /// as lead.
    #[tracing::instrument(skip_all)]
    pub async fn create_space(
        &self,
        viewer: &Viewer,
        details: SpaceDetails,
        meta: &RequestMeta,
    ) -> Result<Space> {
        let v = Some(viewer);
        let school = match &viewer.user.school {
            Some(s) if policy::teaches_at(v, s) => self.network.store.school(s).await?,
            _ => None,
        };
        let Some(school) = school else {
            return Err(self
                .accounts
                .deny(viewer, "create_space", "", None, meta)
                .await);
        };
        if school.status != SchoolStatus::Approved {
            return Err(Error::Conflict(
                "only approved schools can open spaces".into(),
            ));
        }
        let now = self.clock.now();
        let space = Space {
            id: SpaceId::generate(),
            details,
            lead_school: school.id.clone(),
            schools: vec![school.id.clone()],
            created_by: viewer.user.id.clone(),
            created_at: now,
            archived: false,
        };
        self.store.create_space(&space).await?;
        let channel = |name: &str, kind| Channel {
            id: ChannelId::generate(),
            space: space.id.clone(),
            name: name.to_owned(),
            topic: None,
            kind,
            created_by: None,
            created_at: now,
        };
        let lead = Member::of(&space.id, &viewer.user, SpaceRole::Lead, now);
        let kinds = [
            SpaceEventKind::ChannelCreated(channel("general", ChannelKind::General)),
            SpaceEventKind::ChannelCreated(channel("teachers", ChannelKind::Bulletin)),
            SpaceEventKind::MemberJoined(lead),
        ];
        self.log(
            kinds
                .into_iter()
                .map(|k| self.entry(&space.id, k))
                .collect(),
        )
        .await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "create_space",
                space.id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        Ok(space)
    }

    pub(crate) fn entry(&self, space: &SpaceId, kind: SpaceEventKind) -> LogEntry {
        LogEntry {
            event: SpaceEvent {
                space: space.clone(),
                seq: None,
                at: self.clock.now(),
                kind,
                staff_only: false,
            },
            replaced: None,
        }
    }

    /// The spaces the viewer is a member of, newest first.
    pub async fn my_spaces(&self, viewer: &Viewer, page: &PageRequest) -> Result<Page<Space>> {
        self.store.spaces_of_member(&viewer.user.id, page).await
    }

    /// The spaces the viewer's school takes part in that the viewer has not
    /// joined: those `join_space` would let a teacher or coordinator into,
    /// newest first. Archived spaces are left out.
    pub async fn joinable_spaces(&self, viewer: &Viewer) -> Result<Vec<Space>> {
        let Some(school) = viewer.user.school.clone() else {
            return Ok(Vec::new());
        };
        if !policy::teaches_at(Some(viewer), &school) {
            return Ok(Vec::new());
        }
        let mine: std::collections::HashSet<SpaceId> = self
            .store
            .space_roles(&viewer.user.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let ids: Vec<SpaceId> = self
            .store
            .spaces_of_school(&school)
            .await?
            .into_iter()
            .filter(|id| !mine.contains(id))
            .collect();
        // One read for all of them, not one per space.
        let mut out: Vec<Space> = self
            .store
            .spaces_by_ids(&ids)
            .await?
            .into_iter()
            .filter(|s| !s.archived)
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(out)
    }

    /// Changes what the space is about: its leads.
    pub async fn update_space(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        details: SpaceDetails,
        meta: &RequestMeta,
    ) -> Result<Space> {
        let access = self.space_access(viewer, id).await?;
        if access.writer_role()? != SpaceRole::Lead {
            return Err(self
                .accounts
                .deny(viewer, "update_space", id.as_str(), None, meta)
                .await);
        }
        let mut space = access.space;
        space.details = details;
        self.log_one(SpaceEventKind::SpaceUpdated(Box::new(space.clone())), id)
            .await?;
        Ok(space)
    }

    /// Archives a space (read-only from then on) or opens it again: its
    /// leads and administrators.
    pub async fn archive_space(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        archived: bool,
        meta: &RequestMeta,
    ) -> Result<Space> {
        let access = self.space_access(viewer, id).await?;
        let lead = access.role == Some(SpaceRole::Lead) || policy::is_admin(Some(viewer));
        if !lead {
            return Err(self
                .accounts
                .deny(viewer, "archive_space", id.as_str(), None, meta)
                .await);
        }
        let mut space = access.space;
        if space.archived == archived {
            return Ok(space);
        }
        space.archived = archived;
        self.log_one(SpaceEventKind::SpaceUpdated(Box::new(space.clone())), id)
            .await?;
        let action = if archived {
            "archive_space"
        } else {
            "reopen_space"
        };
        self.accounts
            .audit_in(Some(&viewer.user.id), action, id.as_str(), None, meta, "ok")
            .await?;
        Ok(space)
    }

    /// Invites an approved school (its coordinators answer) or a mentor (who
    /// answers themself): the space's leads.
    #[tracing::instrument(skip_all)]
    pub async fn invite_to_space(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        invitee: Invitee,
        meta: &RequestMeta,
    ) -> Result<SpaceInvitation> {
        let access = self.space_access(viewer, id).await?;
        if access.writer_role()? != SpaceRole::Lead {
            return Err(self
                .accounts
                .deny(viewer, "invite_to_space", id.as_str(), None, meta)
                .await);
        }
        let space = access.space;
        let notify: Vec<UserId> = match &invitee {
            Invitee::School(s) => {
                let school = self
                    .network
                    .school(Some(viewer), s)
                    .await
                    .map_err(|_| Error::invalid("schoolId", "no such school"))?;
                if school.status != SchoolStatus::Approved {
                    return Err(Error::invalid(
                        "schoolId",
                        "only approved schools can join spaces",
                    ));
                }
                if space.has_school(s) {
                    return Err(Error::Conflict("the school is already in the space".into()));
                }
                self.coordinators_of(s).await?
            }
            Invitee::Mentor(u) => {
                let mentor = self.accounts.store.user(u).await?;
                if !mentor
                    .as_ref()
                    .is_some_and(|m| m.role.is_mentor() && m.active)
                {
                    return Err(Error::invalid("mentorId", "no such mentor"));
                }
                if self.store.member(id, u).await?.is_some() {
                    return Err(Error::Conflict("the mentor is already in the space".into()));
                }
                vec![u.clone()]
            }
        };
        let open = self
            .store
            .open_space_invitations(&invitee)
            .await?
            .into_iter()
            .any(|i| i.space == space.id);
        if open {
            return Err(Error::Conflict(
                "an invitation is already waiting for an answer".into(),
            ));
        }
        let inv = SpaceInvitation {
            id: SpaceInvitationId::generate(),
            space: space.id.clone(),
            invitee,
            status: InvitationAnswer::Pending,
            invited_by: viewer.user.id.clone(),
            created_at: self.clock.now(),
            answered_by: None,
            answered_at: None,
        };
        self.store.create_space_invitation(&inv).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "invite_to_space",
                inv.id.as_str(),
                None,
                meta,
                "ok",
            )
            .await?;
        let note = self.notifications.notice(
            NotificationKind::SpaceInvitation,
            Some(&space.id),
            Some(inv.id.as_str()),
            Some(viewer.user.display_name.as_str()),
            Some(&space.details.title),
        );
        self.notifications.notify(&notify, note).await?;
        Ok(inv)
    }

    async fn coordinators_of(&self, school: &SchoolId) -> Result<Vec<UserId>> {
        let q = PeopleQuery {
            school: school.clone(),
            roles: vec![Role::SchoolCoordinator],
            class_label: None,
            page: PageRequest {
                after: None,
                limit: MAX_PAGE,
            },
        };
        Ok(self
            .network
            .store
            .people_of_school(&q)
            .await?
            .items
            .into_iter()
            .filter(|(_, u)| u.active)
            .map(|(_, u)| u.id)
            .collect())
    }

    /// An invitation, for whoever may answer it and the space's members.
    pub async fn space_invitation(
        &self,
        viewer: &Viewer,
        id: &SpaceInvitationId,
    ) -> Result<SpaceInvitation> {
        let inv = self
            .store
            .space_invitation(id)
            .await?
            .ok_or(Error::NotFound)?;
        if answers(viewer, &inv) || self.space_access(viewer, &inv.space).await.is_ok() {
            Ok(inv)
        } else {
            Err(Error::NotFound)
        }
    }

    /// Open invitations the viewer may answer: to their school if they
    /// coordinate it, to them if they are a mentor.
    pub async fn my_space_invitations(&self, viewer: &Viewer) -> Result<Vec<SpaceInvitation>> {
        let invitee = match (&viewer.user.school, viewer.user.role) {
            (Some(s), Role::SchoolCoordinator) => Invitee::School(s.clone()),
            (_, Role::Mentor) => Invitee::Mentor(viewer.user.id.clone()),
            _ => return Ok(vec![]),
        };
        self.store.open_space_invitations(&invitee).await
    }

    /// Pending and answered invitations of a space, for its members and observers.
    pub async fn space_invitations(
        &self,
        viewer: &Viewer,
        space: &SpaceId,
    ) -> Result<Vec<SpaceInvitation>> {
        match self.space_access(viewer, space).await?.role {
            Some(r) if r.is_staff() => self.store.space_invitations(space).await,
            _ => Ok(vec![]),
        }
    }

    /// Accepts or declines an invitation. A school that accepts becomes a
    /// member school and its coordinator a teacher of the space; a mentor
    /// who accepts becomes the space's mentor.
    #[tracing::instrument(skip_all, fields(accept))]
    pub async fn answer_space_invitation(
        &self,
        viewer: &Viewer,
        id: &SpaceInvitationId,
        accept: bool,
        meta: &RequestMeta,
    ) -> Result<SpaceInvitation> {
        let mut inv = self.space_invitation(viewer, id).await?;
        let action = if accept {
            "accept_space_invitation"
        } else {
            "decline_space_invitation"
        };
        if !answers(viewer, &inv) {
            return Err(self
                .accounts
                .deny(viewer, action, id.as_str(), None, meta)
                .await);
        }
        if inv.status != InvitationAnswer::Pending {
            return Err(Error::Conflict(
                "the invitation was already answered".into(),
            ));
        }
        let space = self.store.space(&inv.space).await?.ok_or(Error::NotFound)?;
        if space.archived && accept {
            return Err(Error::Conflict("the space is archived".into()));
        }
        inv.status = if accept {
            InvitationAnswer::Accepted
        } else {
            InvitationAnswer::Declined
        };
        inv.answered_by = Some(viewer.user.id.clone());
        inv.answered_at = Some(self.clock.now());
        self.store.answer_space_invitation(&inv).await?;
        if accept {
            let mut kinds = Vec::new();
            match &inv.invitee {
                Invitee::School(s) => {
                    let mut updated = space.clone();
                    if !updated.has_school(s) {
                        updated.schools.push(s.clone());
                        kinds.push(SpaceEventKind::SpaceUpdated(Box::new(updated)));
                    }
                    if policy::teaches_at(Some(viewer), s) {
                        kinds.push(SpaceEventKind::MemberJoined(Member::of(
                            &space.id,
                            &viewer.user,
                            SpaceRole::Teacher,
                            self.clock.now(),
                        )));
                    }
                }
                Invitee::Mentor(_) => {
                    kinds.push(SpaceEventKind::MemberJoined(Member::of(
                        &space.id,
                        &viewer.user,
                        SpaceRole::Mentor,
                        self.clock.now(),
                    )));
                }
            }
            self.log(
                kinds
                    .into_iter()
                    .map(|k| self.entry(&space.id, k))
                    .collect(),
            )
            .await?;
        }
        self.accounts
            .audit_in(Some(&viewer.user.id), action, id.as_str(), None, meta, "ok")
            .await?;
        let note = self.notifications.notice(
            NotificationKind::SpaceInvitationAnswered,
            Some(&space.id),
            Some(inv.id.as_str()),
            Some(viewer.user.display_name.as_str()),
            Some(if accept { "accepted" } else { "declined" }),
        );
        self.notifications
            .notify(std::slice::from_ref(&inv.invited_by), note)
            .await?;
        Ok(inv)
    }

    /// Joins a space as staff of a member school: teacher, or lead for the
    /// school that opened it.
    pub async fn join_space(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        meta: &RequestMeta,
    ) -> Result<Member> {
        let access = self.space_access(viewer, id).await?;
        if let Some(m) = access.member {
            return Ok(m);
        }
        let v = Some(viewer);
        let school = access
            .space
            .schools
            .iter()
            .find(|s| policy::teaches_at(v, s));
        let Some(school) = school else {
            return Err(self
                .accounts
                .deny(viewer, "join_space", id.as_str(), None, meta)
                .await);
        };
        if access.space.archived {
            return Err(Error::Conflict(
                "the space is archived and can only be read".into(),
            ));
        }
        let role = if *school == access.space.lead_school {
            SpaceRole::Lead
        } else {
            SpaceRole::Teacher
        };
        let member = Member::of(id, &viewer.user, role, self.clock.now());
        self.log_one(SpaceEventKind::MemberJoined(member.clone()), id)
            .await?;
        Ok(member)
    }

    /// Adds students to a space: a teacher member adds students of their own
    /// school. Returns the members added (students already in are skipped).
    #[tracing::instrument(skip_all, fields(n = students.len()))]
    pub async fn add_space_students(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        students: &[UserId],
        meta: &RequestMeta,
    ) -> Result<Vec<Member>> {
        if students.is_empty() || students.len() > 200 {
            return Err(Error::invalid(
                "studentIds",
                "add 1 to 200 students at a time",
            ));
        }
        let access = self.space_access(viewer, id).await?;
        let role = access.writer_role();
        if !matches!(role, Ok(SpaceRole::Lead | SpaceRole::Teacher)) {
            role?;
            return Err(self
                .accounts
                .deny(viewer, "add_space_students", id.as_str(), None, meta)
                .await);
        }
        let Some(own_school) = viewer.user.school.clone() else {
            return Err(Error::Forbidden);
        };
        let mut added = Vec::new();
        let now = self.clock.now();
        for s in students {
            let user = self.accounts.store.user(s).await?;
            let Some(user) = user.filter(|u| {
                u.role.is_student() && u.active && u.school.as_ref() == Some(&own_school)
            }) else {
                return Err(Error::invalid(
                    "studentIds",
                    "add active students of your own school",
                ));
            };
            if self.store.member(id, s).await?.is_some()
                || added.iter().any(|m: &Member| m.user == *s)
            {
                continue;
            }
            let mut m = Member::of(id, &user, SpaceRole::Student, now);
            m.added_by = Some(viewer.user.id.clone());
            added.push(m);
        }
        if !added.is_empty() {
            let entries = added
                .iter()
                .map(|m| self.entry(id, SpaceEventKind::MemberJoined(m.clone())))
                .collect();
            self.log(entries).await?;
            self.accounts
                .audit_in(
                    Some(&viewer.user.id),
                    "add_space_students",
                    id.as_str(),
                    None,
                    meta,
                    &format!("ok: {}", added.len()),
                )
                .await?;
        }
        Ok(added)
    }

    /// Removes a member: anyone may leave; leads remove anyone; a teacher
    /// removes students of their own school. The removed person's live
    /// streams of the space end with the event.
    #[tracing::instrument(skip_all)]
    pub async fn remove_space_member(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
        user: &UserId,
        meta: &RequestMeta,
    ) -> Result<Member> {
        let access = self.space_access(viewer, id).await?;
        let target = self.store.member(id, user).await?;
        let Some(target) = target else {
            return Err(if access.role.is_some() {
                Error::invalid("userId", "not a member of this space")
            } else {
                Error::NotFound
            });
        };
        let own = target.user == viewer.user.id;
        let allowed = own
            || match access.role {
                Some(SpaceRole::Lead) => true,
                Some(SpaceRole::Teacher) => {
                    target.role == SpaceRole::Student
                        && target.school.is_some()
                        && target.school == viewer.user.school
                }
                _ => policy::is_admin(Some(viewer)),
            };
        if !allowed {
            return Err(self
                .accounts
                .deny(viewer, "remove_space_member", id.as_str(), None, meta)
                .await);
        }
        self.log_one(
            SpaceEventKind::MemberLeft {
                member: target.clone(),
                by: Some(viewer.user.id.clone()),
            },
            id,
        )
        .await?;
        if !own {
            self.accounts
                .audit_in(
                    Some(&viewer.user.id),
                    "remove_space_member",
                    &format!("{id}/{user}"),
                    None,
                    meta,
                    "ok",
                )
                .await?;
        }
        Ok(target)
    }

    /// Members of a space as the viewer may list them: everyone who can
    /// read the space sees every member.
    pub async fn space_members(&self, viewer: &Viewer, id: &SpaceId) -> Result<Vec<Member>> {
        match self.space_access(viewer, id).await?.role {
            Some(_) => self.store.members(id).await,
            None => Ok(vec![]),
        }
    }

    /// The position of the newest event of a space's log.
    pub async fn space_head(&self, viewer: &Viewer, id: &SpaceId) -> Result<u64> {
        match self.space_access(viewer, id).await?.role {
            Some(_) => Ok(self.store.space_log(id, 0, 0).await?.head),
            None => Ok(0),
        }
    }

    /// The space an invitation is about, for whoever may see the invitation.
    pub async fn invited_space(&self, viewer: &Viewer, inv: &SpaceInvitation) -> Result<Space> {
        if answers(viewer, inv) {
            return self.store.space(&inv.space).await?.ok_or(Error::NotFound);
        }
        self.space(viewer, &inv.space).await
    }

    /// Who is online in the space now (members only).
    pub async fn online_members(
        &self,
        viewer: &Viewer,
        id: &SpaceId,
    ) -> Result<Vec<(UserId, String)>> {
        match self.space_access(viewer, id).await?.role {
            Some(_) => Ok(self.state.hub.online(id)),
            None => Ok(vec![]),
        }
    }
}

/// Who answers an invitation: the invited school's coordinator (or an
/// administrator), the invited mentor.
fn answers(viewer: &Viewer, inv: &SpaceInvitation) -> bool {
    let v = Some(viewer);
    match &inv.invitee {
        Invitee::School(s) => policy::coordinates_school(v, s) || policy::is_admin(v),
        Invitee::Mentor(u) => *u == viewer.user.id,
    }
}
