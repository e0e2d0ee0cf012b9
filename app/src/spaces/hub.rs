//! The space hub: the events of one space fanned out to every subscriber
//! in this process, and who is online there.
//!
//! One bounded `broadcast` channel per space with at least one listener. A
//! space event is prepared once per audience (staff, students) and shared by
//! `Arc` among all subscribers. A listener that falls behind sees `Missed`
//! and must resynchronise. Durable events live in the database (the space
//! log); presence is only ever known here.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::kernel::clock::Clock;
use crate::kernel::id::{SpaceId, UserId};
use crate::live::presence::Presence;
use crate::live::topics::{Listener, Missed, Topics};
use crate::spaces::model::{SpaceEvent, SpaceEventKind, SpaceRole};

/// Capacity of one space's channel: how far a subscriber may fall behind
/// before it must resynchronise. Frames are shared (`Arc`), so this bounds a
/// space's memory whatever its subscribers do.
pub const SPACE_CHANNEL_CAPACITY: usize = 1024;

/// One event of a space, prepared once for every subscriber: the staff's
/// version and the students' (`None` when students do not get it at all).
#[derive(Debug)]
pub struct SpaceFrame {
    pub seq: Option<u64>,
    pub staff: Arc<SpaceEvent>,
    pub students: Option<Arc<SpaceEvent>>,
}

impl SpaceFrame {
    pub fn new(event: SpaceEvent) -> SpaceFrame {
        let students = event.for_role(SpaceRole::Student, None).map(Arc::new);
        SpaceFrame {
            seq: event.seq,
            staff: Arc::new(event),
            students,
        }
    }

    pub fn for_role(&self, role: SpaceRole) -> Option<&Arc<SpaceEvent>> {
        if role.is_staff() {
            Some(&self.staff)
        } else {
            self.students.as_ref()
        }
    }
}

/// How long someone whose last subscription to a space ended still counts
/// as online there: a school connection that drops and comes back, or a
/// reloaded page, does not make everyone see them leave and return.
pub const PRESENCE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Clone)]
pub struct SpaceHub {
    spaces: Topics<SpaceId, Arc<SpaceFrame>>,
    /// Who is online in each space, with their display name.
    online: Presence<(SpaceId, UserId), String>,
    clock: Arc<dyn Clock>,
}

/// A subscriber to one space. While it lives, its person counts as online
/// there (unless it listens as an observer); dropping it may end that.
pub struct SpaceListener {
    hub: SpaceHub,
    space: SpaceId,
    present: Option<UserId>,
    listener: Listener<SpaceId, Arc<SpaceFrame>>,
}

impl SpaceHub {
    pub fn new(clock: Arc<dyn Clock>) -> SpaceHub {
        SpaceHub {
            spaces: Topics::new(SPACE_CHANNEL_CAPACITY),
            online: Presence::new(PRESENCE_GRACE),
            clock,
        }
    }

    /// Subscribes to a space. `present` is the member who becomes online
    /// (with their display name); observers pass `None` and stay unseen.
    pub fn listen_space(&self, space: &SpaceId, present: Option<(&UserId, &str)>) -> SpaceListener {
        let listener = self.spaces.listen(space);
        if let Some((user, name)) = present {
            // Already online, or back within the grace: nothing to tell.
            self.online
                .arrive((space.clone(), user.clone()), name.to_owned(), |name| {
                    let frame = presence(space, user, name, true, self.clock.now());
                    self.spaces.publish(space, Arc::new(frame));
                });
        }
        SpaceListener {
            hub: self.clone(),
            space: space.clone(),
            present: present.map(|(u, _)| u.clone()),
            listener,
        }
    }

    /// Sends an event to every subscriber of its space in this process.
    pub fn publish(&self, frame: SpaceFrame) {
        let space = frame.staff.space.clone();
        self.spaces.publish(&space, Arc::new(frame));
    }

    /// Who is online in a space (in this process), sorted by name.
    pub fn online(&self, space: &SpaceId) -> Vec<(UserId, String)> {
        let mut out: Vec<(UserId, String)> = self
            .online
            .present(|(s, _)| s == space)
            .into_iter()
            .map(|((_, u), name)| (u, name))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Number of spaces with at least one subscriber, for metrics and tests.
    pub fn live_spaces(&self) -> usize {
        self.spaces.len()
    }
}

fn presence(
    space: &SpaceId,
    user: &UserId,
    name: &str,
    online: bool,
    at: DateTime<Utc>,
) -> SpaceFrame {
    SpaceFrame::new(SpaceEvent {
        space: space.clone(),
        seq: None,
        at,
        kind: SpaceEventKind::PresenceChanged {
            user: user.clone(),
            display_name: name.to_owned(),
            online,
        },
        staff_only: false,
    })
}

/// What a space subscriber receives next.
#[derive(Debug)]
pub enum SpaceSignal {
    Frame(Arc<SpaceFrame>),
    /// The subscriber fell behind; frames were dropped for it.
    Missed,
}

impl SpaceListener {
    pub async fn recv(&mut self) -> SpaceSignal {
        match self.listener.recv().await {
            Ok(f) => SpaceSignal::Frame(f),
            Err(Missed) => SpaceSignal::Missed,
        }
    }
}

impl Drop for SpaceListener {
    fn drop(&mut self) {
        let Some(user) = &self.present else {
            return;
        };
        let (spaces, clock) = (self.hub.spaces.clone(), self.hub.clock.clone());
        self.hub.online.depart(
            &(self.space.clone(), user.clone()),
            move |(space, user), name| {
                let frame = presence(space, user, &name, false, clock.now());
                spaces.publish(space, Arc::new(frame));
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence_of(signal: SpaceSignal) -> (UserId, bool) {
        let SpaceSignal::Frame(f) = signal else {
            panic!("missed signals");
        };
        match &f.staff.kind {
            SpaceEventKind::PresenceChanged { user, online, .. } => (user.clone(), *online),
            other => panic!("not presence: {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn someone_who_reconnects_within_the_grace_never_seems_to_leave() {
        let hub = SpaceHub::new(Arc::new(crate::kernel::clock::SystemClock));
        let space = SpaceId::generate();
        let u = UserId::generate();
        let mut watcher = hub.listen_space(&space, None);
        let first = hub.listen_space(&space, Some((&u, "Anna")));
        assert_eq!(presence_of(watcher.recv().await), (u.clone(), true));
        // The connection drops and comes back twice, quickly.
        drop(first);
        let again = hub.listen_space(&space, Some((&u, "Anna")));
        drop(again);
        let last = hub.listen_space(&space, Some((&u, "Anna")));
        tokio::time::sleep(PRESENCE_GRACE * 2).await;
        assert!(
            tokio::time::timeout(PRESENCE_GRACE, watcher.recv())
                .await
                .is_err(),
            "no presence change was sent"
        );
        assert_eq!(hub.online(&space).len(), 1);
        // Gone for good: one offline change, after the grace.
        drop(last);
        let started = tokio::time::Instant::now();
        assert_eq!(presence_of(watcher.recv().await), (u.clone(), false));
        assert!(started.elapsed() >= PRESENCE_GRACE);
        assert!(hub.online(&space).is_empty());
    }
}
