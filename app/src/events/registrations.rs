//! Registering for an event: seats with a waitlist that moves up when a
//! seat is freed, and who sees the list of registrations.

use super::{Event, EventStatus, Events, Registration, RegistrationStatus, policy};
use crate::accounts::model::{Role, User, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{EventId, SchoolId, UserId};
use crate::kernel::secrets::TokenHash;
use crate::live::hub::NotificationKind;

impl Events<'_> {
    /// Whether the viewer may register for the event (and, as school staff,
    /// register their students): anyone it is for, while it has not ended.
    fn may_register(e: &Event) -> Result<()> {
        match e.status {
            EventStatus::Scheduled | EventStatus::Live => Ok(()),
            _ => Err(Error::Conflict(
                "registration is closed: the event is over or cancelled".into(),
            )),
        }
    }

    /// Registers the viewer, and as a teacher the students of their school
    /// named in `students` (their class), for an event they may see. A seat
    /// goes to each while there are seats; then they wait, in order. Asking
    /// again changes nothing.
    #[tracing::instrument(skip_all, fields(students = students.len()))]
    pub async fn register_for_event(
        &self,
        viewer: &Viewer,
        id: &EventId,
        include_self: bool,
        students: &[UserId],
    ) -> Result<Vec<Registration>> {
        let _lock = self.state.lock.lock().await;
        let e = self.visible_event(Some(viewer), id).await?;
        Events::may_register(&e)?;
        if students.len() > 200 {
            return Err(Error::invalid("students", "register at most 200 at a time"));
        }
        let mut people: Vec<User> = Vec::new();
        if include_self {
            people.push(viewer.user.clone());
        }
        if !students.is_empty() {
            let found = self.accounts.store.users_by_ids(students).await?;
            let mine = found.len() == students.len()
                && found.iter().all(|s| {
                    s.role.is_student()
                        && s.active
                        && s.school
                            .as_ref()
                            .is_some_and(|sc| policy::teaches_at(Some(viewer), sc))
                });
            if !mine {
                return Err(Error::invalid(
                    "students",
                    "name active students of your own school",
                ));
            }
            for s in found {
                let sv = Viewer {
                    user: s.clone(),
                    token_hash: TokenHash(String::new()),
                    session_expires_at: viewer.session_expires_at,
                };
                if !self.sees_event(Some(&sv), &e).await? {
                    return Err(Error::invalid(
                        "students",
                        format!("the event is not for {}", s.display_name.as_str()),
                    ));
                }
                people.push(s);
            }
        }
        if people.is_empty() {
            return Err(Error::invalid("students", "register yourself or students"));
        }
        let mut regs = self.store.registrations(&e.id).await?;
        let now = self.clock.now();
        let mut changed = Vec::new();
        let mut registered = regs
            .iter()
            .filter(|r| r.status == RegistrationStatus::Registered)
            .count() as u32;
        let waitlist_nonempty = regs
            .iter()
            .any(|r| r.status == RegistrationStatus::Waitlisted);
        let mut order = regs.iter().map(|r| r.order).max().unwrap_or(0);
        for p in &people {
            if let Some(r) = regs.iter().find(|r| r.user == p.id)
                && r.status != RegistrationStatus::Cancelled
            {
                changed.push(r.clone());
                continue;
            }
            let free = e.details.capacity.is_none_or(|c| registered < c) && !waitlist_nonempty;
            let status = if free {
                registered += 1;
                RegistrationStatus::Registered
            } else {
                RegistrationStatus::Waitlisted
            };
            order += 1;
            let r = Registration {
                event: e.id.clone(),
                user: p.id.clone(),
                school: p.school.clone(),
                status,
                by: viewer.user.id.clone(),
                asked_at: now,
                order,
                changed_at: now,
            };
            regs.retain(|x| x.user != p.id);
            regs.push(r.clone());
            changed.push(r);
        }
        self.save_registrations(&e, &regs, &changed).await?;
        self.wake_reminders();
        Ok(changed)
    }

    /// Writes changed registrations with the event's new counts.
    async fn save_registrations(
        &self,
        e: &Event,
        all: &[Registration],
        changed: &[Registration],
    ) -> Result<()> {
        let count = |s| all.iter().filter(|r| r.status == s).count() as u32;
        self.store
            .save_registrations(
                &e.id,
                changed,
                count(RegistrationStatus::Registered),
                count(RegistrationStatus::Waitlisted),
            )
            .await
    }

    /// Cancels a registration: one's own, a student's by their school's
    /// staff, anyone's by the event's hosts. A freed seat goes to the first
    /// person waiting, who is told.
    #[tracing::instrument(skip_all)]
    pub async fn cancel_registration(
        &self,
        viewer: &Viewer,
        id: &EventId,
        person: Option<&UserId>,
    ) -> Result<Registration> {
        let _lock = self.state.lock.lock().await;
        let e = self.visible_event(Some(viewer), id).await?;
        let who = person.unwrap_or(&viewer.user.id).clone();
        let mut regs = self.store.registrations(&e.id).await?;
        let Some(mut r) = regs.iter().find(|r| r.user == who).cloned() else {
            return Err(Error::NotFound);
        };
        if who != viewer.user.id && !Events::hosts(viewer, &e) {
            let target = self
                .accounts
                .store
                .user(&who)
                .await?
                .ok_or(Error::NotFound)?;
            if !policy::manages_person(Some(viewer), &target) || !target.role.is_student() {
                return Err(Error::NotFound);
            }
        }
        if r.status == RegistrationStatus::Cancelled {
            return Ok(r);
        }
        let freed = r.status == RegistrationStatus::Registered;
        let now = self.clock.now();
        r.status = RegistrationStatus::Cancelled;
        r.changed_at = now;
        let mut changed = vec![r.clone()];
        for x in regs.iter_mut() {
            if x.user == who {
                *x = r.clone();
            }
        }
        let mut promoted = None;
        if freed {
            let next = regs
                .iter_mut()
                .filter(|x| x.status == RegistrationStatus::Waitlisted)
                .min_by_key(|x| (x.order, x.asked_at));
            if let Some(next) = next {
                next.status = RegistrationStatus::Registered;
                next.changed_at = now;
                changed.push(next.clone());
                promoted = Some(next.user.clone());
            }
        }
        self.save_registrations(&e, &regs, &changed).await?;
        if let Some(p) = promoted {
            let n = self.event_notice(NotificationKind::EventSeatGiven, &e, viewer);
            self.notifications.notify(&[p], n).await?;
        }
        Ok(r)
    }

    /// The viewer's registration, if any.
    pub async fn my_registration(
        &self,
        viewer: &Viewer,
        e: &Event,
    ) -> Result<Option<Registration>> {
        Ok(self
            .store
            .registrations(&e.id)
            .await?
            .into_iter()
            .find(|r| r.user == viewer.user.id))
    }

    /// The registrations the viewer may list: all of them for the event's
    /// hosts and administrators; their school's for school staff; their
    /// country's for national coordinators; none for others.
    pub async fn registrations(&self, viewer: &Viewer, e: &Event) -> Result<Vec<Registration>> {
        let all = self.store.registrations(&e.id).await?;
        if Events::hosts(viewer, e) {
            return Ok(all);
        }
        let u = &viewer.user;
        let mut out = Vec::new();
        match u.role {
            Role::Teacher | Role::SchoolCoordinator => {
                out.extend(
                    all.into_iter()
                        .filter(|r| r.school.is_some() && r.school == u.school),
                );
            }
            Role::NationalCoordinator => {
                let ids: Vec<SchoolId> = all.iter().filter_map(|r| r.school.clone()).collect();
                let schools = self.network.store.schools_by_ids(&ids).await?;
                out.extend(all.into_iter().filter(|r| {
                    r.school.as_ref().is_some_and(|id| {
                        schools
                            .iter()
                            .any(|s| &s.id == id && Some(&s.facts.country) == u.country.as_ref())
                    })
                }));
            }
            _ => out.extend(all.into_iter().filter(|r| r.user == u.id)),
        }
        Ok(out)
    }
}
