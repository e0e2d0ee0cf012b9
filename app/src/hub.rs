//! The live-event hub: signals addressed to one person, and events of one
//! space, fanned out to every subscriber in this process.
//!
//! One bounded `broadcast` channel per person and per space with at least
//! one listener. A space event is prepared once per audience (staff,
//! students) and shared by `Arc` among all subscribers. A listener that
//! falls behind sees `Missed` and must resynchronise. The hub keeps nothing
//! durable: durable events live in the database. It also knows who is
//! online in each space.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use serde::{Deserialize, Serialize};

use crate::kernel::clock::Clock;
use crate::kernel::id::{NotificationId, SpaceId, UserId};
use crate::model::TokenHash;
use crate::spaces::{SpaceEvent, SpaceEventKind, SpaceRole};

/// Capacity of one person's channel. Personal signals are rare; a socket
/// that is 256 behind is not reading at all.
const USER_CHANNEL_CAPACITY: usize = 256;

/// Capacity of one space's channel: how far a subscriber may fall behind
/// before it must resynchronise. Frames are shared (`Arc`), so this bounds a
/// space's memory whatever its subscribers do.
pub const SPACE_CHANNEL_CAPACITY: usize = 1024;

/// A notification shown to one person. Kinds other than `SignedIn` are kept
/// in the person's notification list as well as sent live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub created_at: DateTime<Utc>,
    /// The space it is about, if any.
    pub space: Option<SpaceId>,
    /// The message, invitation or other thing it is about, by id.
    pub about: Option<String>,
    /// Who caused it, by display name.
    pub actor_name: Option<String>,
    /// A short plain excerpt (of a message that mentions the person, …).
    pub excerpt: Option<String>,
    pub read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// The account was signed in to from a new session: a security notice.
    SignedIn,
    /// Someone mentioned the person in a message.
    Mentioned,
    /// The person's school, or the person as a mentor, is invited to a space.
    SpaceInvitation,
    /// An invitation the person sent was accepted or declined.
    SpaceInvitationAnswered,
    /// A member reported a message in a space the person teaches in.
    MessageReported,
    /// The person was named a mentor of a scheduled event (`about`: the event).
    EventScheduled,
    /// An event the person registered for changed.
    EventChanged,
    /// An event the person registered for was cancelled.
    EventCancelled,
    /// A seat freed up for someone on an event's waitlist.
    EventSeatGiven,
    /// An event the person registered for starts soon.
    EventReminder,
    /// An event the person registered for has gone live.
    EventLive,
    /// Many sign-ins to the account failed; devices it was never used on
    /// must wait before trying again: a security notice.
    SignInsFailed,
}

/// Something that concerns one person's open connections.
#[derive(Debug, Clone)]
pub enum UserSignal {
    Notification(Notification),
    /// Sessions ended: one (`Some`) or all of the person's (`None`).
    /// Sockets authenticated with such a session must close.
    SessionsRevoked(Option<TokenHash>),
}

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

struct SpaceTopic {
    tx: broadcast::Sender<Arc<SpaceFrame>>,
    /// Who is online, with how many subscriptions each (several tabs count
    /// once); 0 while someone who left is still within [`PRESENCE_GRACE`].
    online: HashMap<UserId, (usize, String)>,
}

/// How long someone whose last subscription to a space ended still counts
/// as online there: a school connection that drops and comes back, or a
/// reloaded page, does not make everyone see them leave and return.
pub const PRESENCE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Clone)]
pub struct Hub {
    // Std mutexes: map look-ups only, never held across an await.
    users: Arc<Mutex<HashMap<UserId, broadcast::Sender<UserSignal>>>>,
    spaces: Arc<Mutex<HashMap<SpaceId, SpaceTopic>>>,
    clock: Arc<dyn Clock>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(Arc::new(crate::kernel::clock::SystemClock))
    }
}

/// A listener on one person's signals; dropping it unregisters the channel
/// when it was the last one.
pub struct UserListener {
    hub: Hub,
    user: UserId,
    rx: Option<broadcast::Receiver<UserSignal>>,
}

/// A subscriber to one space. While it lives, its person counts as online
/// there (unless it listens as an observer); dropping it may end that.
pub struct SpaceListener {
    hub: Hub,
    space: SpaceId,
    present: Option<UserId>,
    rx: Option<broadcast::Receiver<Arc<SpaceFrame>>>,
}

impl Hub {
    pub fn new(clock: Arc<dyn Clock>) -> Hub {
        Hub {
            users: Default::default(),
            spaces: Default::default(),
            clock,
        }
    }

    pub fn listen(&self, user: &UserId) -> UserListener {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        let tx = users
            .entry(user.clone())
            .or_insert_with(|| broadcast::channel(USER_CHANNEL_CAPACITY).0);
        UserListener {
            hub: self.clone(),
            user: user.clone(),
            rx: Some(tx.subscribe()),
        }
    }

    /// Sends to every listener of the person; a person with none gets nothing.
    pub fn send(&self, user: &UserId, signal: UserSignal) {
        let users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = users.get(user) {
            let _ = tx.send(signal);
        }
    }

    /// Number of people with at least one listener, for metrics and tests.
    pub fn listening_users(&self) -> usize {
        self.users.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Subscribes to a space. `present` is the member who becomes online
    /// (with their display name); observers pass `None` and stay unseen.
    pub fn listen_space(&self, space: &SpaceId, present: Option<(&UserId, &str)>) -> SpaceListener {
        let mut spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let topic = spaces.entry(space.clone()).or_insert_with(|| SpaceTopic {
            tx: broadcast::channel(SPACE_CHANNEL_CAPACITY).0,
            online: HashMap::new(),
        });
        let rx = topic.tx.subscribe();
        if let Some((user, name)) = present {
            match topic.online.entry(user.clone()) {
                // Already online, or back within the grace: nothing to tell.
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().0 += 1,
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((1, name.to_owned()));
                    let frame = presence(space, user, name, true, self.clock.now());
                    let _ = topic.tx.send(Arc::new(frame));
                }
            }
        }
        SpaceListener {
            hub: self.clone(),
            space: space.clone(),
            present: present.map(|(u, _)| u.clone()),
            rx: Some(rx),
        }
    }

    /// Sends an event to every subscriber of its space in this process.
    pub fn publish(&self, frame: SpaceFrame) {
        let spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(topic) = spaces.get(&frame.staff.space) {
            let _ = topic.tx.send(Arc::new(frame));
        }
    }

    /// Who is online in a space (in this process), sorted by name.
    pub fn online(&self, space: &SpaceId) -> Vec<(UserId, String)> {
        let spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<(UserId, String)> = spaces
            .get(space)
            .map(|t| {
                t.online
                    .iter()
                    .map(|(u, (_, n))| (u.clone(), n.clone()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Ends someone's presence in a space if they did not come back.
    fn went_away(&self, space: &SpaceId, user: &UserId) {
        let mut spaces = self.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let Some(topic) = spaces.get_mut(space) else {
            return;
        };
        if let Some((0, name)) = topic.online.get(user) {
            let frame = presence(space, user, name, false, self.clock.now());
            topic.online.remove(user);
            let _ = topic.tx.send(Arc::new(frame));
        }
    }

    /// Number of spaces with at least one subscriber, for metrics and tests.
    pub fn live_spaces(&self) -> usize {
        self.spaces.lock().unwrap_or_else(|p| p.into_inner()).len()
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
        match &mut self.rx {
            Some(rx) => match rx.recv().await {
                Ok(f) => SpaceSignal::Frame(f),
                Err(_) => SpaceSignal::Missed,
            },
            None => SpaceSignal::Missed,
        }
    }
}

impl Drop for SpaceListener {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut spaces = self.hub.spaces.lock().unwrap_or_else(|p| p.into_inner());
        let Some(topic) = spaces.get_mut(&self.space) else {
            return;
        };
        if let Some(user) = &self.present
            && let Some(entry) = topic.online.get_mut(user)
        {
            entry.0 -= 1;
            if entry.0 == 0 {
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => {
                        let (hub, space, user) =
                            (self.hub.clone(), self.space.clone(), user.clone());
                        rt.spawn(async move {
                            tokio::time::sleep(PRESENCE_GRACE).await;
                            hub.went_away(&space, &user);
                        });
                    }
                    // Outside a runtime nothing can wait: gone at once.
                    Err(_) => {
                        let name = entry.1.clone();
                        topic.online.remove(user);
                        let frame = presence(&self.space, user, &name, false, self.hub.clock.now());
                        let _ = topic.tx.send(Arc::new(frame));
                    }
                }
            }
        }
        if topic.tx.receiver_count() == 0 {
            spaces.remove(&self.space);
        }
    }
}

/// The listener fell behind and signals were dropped for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed;

impl UserListener {
    /// The next signal, or `Missed` once the listener has fallen behind.
    pub async fn recv(&mut self) -> Result<UserSignal, Missed> {
        match &mut self.rx {
            // The sender lives in the hub while any listener exists, so
            // `Closed` cannot happen; treat it like a gap all the same.
            Some(rx) => rx.recv().await.map_err(|_| Missed),
            None => Err(Missed),
        }
    }
}

impl Drop for UserListener {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut users = self.hub.users.lock().unwrap_or_else(|p| p.into_inner());
        if users
            .get(&self.user)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            users.remove(&self.user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signals_reach_every_listener_of_the_person_only() {
        let hub = Hub::default();
        let (a, b) = (UserId::generate(), UserId::generate());
        let mut a1 = hub.listen(&a);
        let mut a2 = hub.listen(&a);
        let mut b1 = hub.listen(&b);
        hub.send(&a, UserSignal::SessionsRevoked(None));
        assert!(matches!(
            a1.recv().await,
            Ok(UserSignal::SessionsRevoked(None))
        ));
        assert!(matches!(
            a2.recv().await,
            Ok(UserSignal::SessionsRevoked(None))
        ));
        assert!(b1.rx.as_mut().unwrap().try_recv().is_err());
    }

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
        let hub = Hub::default();
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

    #[test]
    fn the_last_listener_leaving_frees_the_channel() {
        let hub = Hub::default();
        let a = UserId::generate();
        let l1 = hub.listen(&a);
        let l2 = hub.listen(&a);
        assert_eq!(hub.listening_users(), 1);
        drop(l1);
        assert_eq!(hub.listening_users(), 1);
        drop(l2);
        assert_eq!(hub.listening_users(), 0);
    }
}
