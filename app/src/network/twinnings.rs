//! Twinnings: a school coordinator proposes that their school twin with
//! another approved school; the partner's coordinator accepts or declines;
//! either side may end it later. Accepted partners show on visit cards, and
//! twinning spaces build on them. The other school's coordinators are told
//! of every step.

use super::Network;
use crate::accounts::model::{RequestMeta, Role, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{SchoolId, TwinningId};
use crate::live::hub::NotificationKind;
use crate::network::model::{School, SchoolStatus, Twinning, TwinningStatus, parse_message};
use crate::network::policy;

impl Network<'_> {
    /// Proposes a twinning from the viewer's school (administrators: any
    /// school) to another approved school.
    #[tracing::instrument(skip_all)]
    pub async fn propose_twinning(
        &self,
        viewer: &Viewer,
        school: &SchoolId,
        partner: &SchoolId,
        message: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Twinning> {
        let v = Some(viewer);
        let own = self.school(v, school).await?;
        if !(policy::coordinates_school(v, &own.id) || policy::is_admin(v)) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    "propose_twinning",
                    school.as_str(),
                    Some(&own.facts.country),
                    meta,
                )
                .await);
        }
        let other = self
            .school(v, partner)
            .await
            .map_err(|_| Error::invalid("partnerId", "no such school"))?;
        if own.id == other.id {
            return Err(Error::invalid(
                "partnerId",
                "a school cannot twin with itself",
            ));
        }
        if own.status != SchoolStatus::Approved || other.status != SchoolStatus::Approved {
            return Err(Error::invalid(
                "partnerId",
                "both schools must be approved to twin",
            ));
        }
        let message = message
            .filter(|m| !m.trim().is_empty())
            .map(parse_message)
            .transpose()?;
        let open = self
            .store
            .twinnings_of(&own.id)
            .await?
            .into_iter()
            .any(|t| {
                t.other(&own.id) == &other.id
                    && matches!(
                        t.status,
                        TwinningStatus::Proposed | TwinningStatus::Accepted
                    )
            });
        if open {
            return Err(Error::Conflict(
                "these schools are already twinned or a proposal is waiting".into(),
            ));
        }
        let t = Twinning {
            id: TwinningId::generate(),
            school: own.id.clone(),
            partner: other.id.clone(),
            status: TwinningStatus::Proposed,
            message,
            proposed_by: viewer.user.id.clone(),
            decided_by: None,
            created_at: self.clock.now(),
            decided_at: None,
        };
        self.store.create_twinning(&t).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "propose_twinning",
                t.id.as_str(),
                Some(&own.facts.country),
                meta,
                "ok",
            )
            .await?;
        self.tell_coordinators(
            &other.id,
            NotificationKind::TwinningProposed,
            &t,
            &own,
            viewer,
        )
        .await?;
        Ok(t)
    }

    /// Tells the coordinators of the school `to` of a step of twinning `t`,
    /// naming the school `by` that took it.
    async fn tell_coordinators(
        &self,
        to: &SchoolId,
        kind: NotificationKind,
        t: &Twinning,
        by: &School,
        actor: &Viewer,
    ) -> Result<()> {
        let people = self
            .accounts
            .store
            .active_with_role_at(Role::SchoolCoordinator, to)
            .await?;
        let notifications = &self.accounts.notifications;
        let note = notifications.notice(
            kind,
            None,
            Some(t.id.as_str()),
            Some(actor.user.display_name.as_str()),
            Some(by.facts.name.get(None)),
        );
        notifications.notify(&people, note).await
    }

    /// A twinning as the viewer may see it: the adults of either school,
    /// whoever governs either school, and administrators.
    pub async fn twinning(&self, viewer: &Viewer, id: &TwinningId) -> Result<Twinning> {
        let t = self.store.twinning(id).await?.ok_or(Error::NotFound)?;
        let mut visible = false;
        for s in [&t.school, &t.partner] {
            if let Ok(school) = self.school(Some(viewer), s).await
                && policy::sees_school_internals(Some(viewer), &school)
            {
                visible = true;
            }
        }
        if visible { Ok(t) } else { Err(Error::NotFound) }
    }

    /// Answers or ends a twinning: the partner's coordinator accepts or
    /// declines a proposal; either school's coordinator ends an accepted one
    /// (or withdraws their own proposal). Administrators may do any of it.
    #[tracing::instrument(skip_all, fields(to = to.as_str()))]
    pub async fn decide_twinning(
        &self,
        viewer: &Viewer,
        id: &TwinningId,
        to: TwinningStatus,
        meta: &RequestMeta,
    ) -> Result<Twinning> {
        let mut t = self.twinning(viewer, id).await?;
        let v = Some(viewer);
        let action = match to {
            TwinningStatus::Accepted => "accept_twinning",
            TwinningStatus::Declined => "decline_twinning",
            TwinningStatus::Ended => "end_twinning",
            TwinningStatus::Proposed => {
                return Err(Error::invalid("status", "propose a new twinning instead"));
            }
        };
        let allowed = policy::is_admin(v)
            || match to {
                TwinningStatus::Accepted | TwinningStatus::Declined => {
                    policy::coordinates_school(v, &t.partner)
                }
                _ => {
                    policy::coordinates_school(v, &t.partner)
                        || policy::coordinates_school(v, &t.school)
                }
            };
        if !allowed {
            return Err(self
                .accounts
                .deny(viewer, action, id.as_str(), None, meta)
                .await);
        }
        let from = t.status;
        let fits = matches!(
            (from, to),
            (TwinningStatus::Proposed, TwinningStatus::Accepted)
                | (TwinningStatus::Proposed, TwinningStatus::Declined)
                | (TwinningStatus::Proposed, TwinningStatus::Ended)
                | (TwinningStatus::Accepted, TwinningStatus::Ended)
        );
        if !fits {
            return Err(Error::Conflict(format!(
                "the twinning is {} and cannot become {}",
                from.as_str(),
                to.as_str()
            )));
        }
        t.status = to;
        t.decided_by = Some(viewer.user.id.clone());
        t.decided_at = Some(self.clock.now());
        self.store.decide_twinning(&t, from).await?;
        self.accounts
            .audit_in(Some(&viewer.user.id), action, id.as_str(), None, meta, "ok")
            .await?;
        // Who is told, naming whom: an answer goes to the proposing school;
        // an end to the school that did not end it (both, when an
        // administrator ends it).
        let (school, partner) = (&t.school, &t.partner);
        let steps: Vec<(&SchoolId, &SchoolId)> = match to {
            TwinningStatus::Ended if policy::coordinates_school(v, school) => {
                vec![(partner, school)]
            }
            TwinningStatus::Ended if policy::coordinates_school(v, partner) => {
                vec![(school, partner)]
            }
            TwinningStatus::Ended => vec![(school, partner), (partner, school)],
            _ => vec![(school, partner)],
        };
        let kind = match to {
            TwinningStatus::Accepted => NotificationKind::TwinningAccepted,
            TwinningStatus::Declined => NotificationKind::TwinningDeclined,
            _ => NotificationKind::TwinningEnded,
        };
        for (told, named) in steps {
            let Some(by) = self.store.school(named).await? else {
                continue;
            };
            self.tell_coordinators(told, kind, &t, &by, viewer).await?;
        }
        Ok(t)
    }

    /// The schools twinned with `school` that the viewer may see.
    pub async fn twinning_partners(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
    ) -> Result<Vec<School>> {
        let mut out = Vec::new();
        for t in self.store.twinnings_of(&school.id).await? {
            if t.status != TwinningStatus::Accepted {
                continue;
            }
            if let Ok(p) = self.school(viewer, t.other(&school.id)).await {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Every twinning of a school, proposals included, newest first: for the
    /// school's adults, whoever governs it and administrators (`None` for others).
    pub async fn twinnings_of_school(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
    ) -> Result<Option<Vec<Twinning>>> {
        if !policy::sees_school_internals(viewer, school) {
            return Ok(None);
        }
        self.store.twinnings_of(&school.id).await.map(Some)
    }
}
