//! What every request in a space needs to know first — the space, the
//! asker's membership, the channel — kept in memory, so that posting a
//! message costs one write and no reads.
//!
//! Channels never change once created, so they are kept as read. Spaces and
//! memberships change only through the space log, whose writer task updates
//! this cache as it commits, in commit order. An entry read from the
//! database is stored only if no change was committed while it was being
//! read (an epoch check), so a slow read can never overwrite a newer
//! change. Entries also expire after [`FRESH_FOR`], which bounds how long a
//! change made by another process goes unseen here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::kernel::id::{ChannelId, SpaceId, UserId};
use crate::spaces::model::{Channel, Member, Space, SpaceEvent, SpaceEventKind};

/// How long a space or membership read from the database is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// Beyond this many entries a map starts over; a cache, not a copy.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub(crate) struct SpaceCache {
    // A std mutex: map look-ups and inserts only, never held across an await.
    maps: Mutex<Maps>,
}

#[derive(Default)]
struct Maps {
    epoch: u64,
    channels: HashMap<ChannelId, Channel>,
    spaces: HashMap<SpaceId, (Space, Instant)>,
    members: HashMap<(SpaceId, UserId), (Option<Member>, Instant)>,
}

fn fresh(at: &Instant) -> bool {
    at.elapsed() < FRESH_FOR
}

impl SpaceCache {
    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current epoch, to pass back to the `keep_*` calls after a read.
    pub(crate) fn epoch(&self) -> u64 {
        self.maps().epoch
    }

    pub(crate) fn channel(&self, id: &ChannelId) -> Option<Channel> {
        self.maps().channels.get(id).cloned()
    }

    pub(crate) fn keep_channel(&self, c: &Channel) {
        let mut m = self.maps();
        if m.channels.len() >= MAX_ENTRIES {
            m.channels.clear();
        }
        m.channels.insert(c.id.clone(), c.clone());
    }

    pub(crate) fn space(&self, id: &SpaceId) -> Option<Space> {
        self.maps()
            .spaces
            .get(id)
            .filter(|(_, at)| fresh(at))
            .map(|(s, _)| s.clone())
    }

    pub(crate) fn keep_space(&self, s: &Space, epoch: u64) {
        let mut m = self.maps();
        if m.epoch != epoch {
            return;
        }
        if m.spaces.len() >= MAX_ENTRIES {
            m.spaces.clear();
        }
        m.spaces.insert(s.id.clone(), (s.clone(), Instant::now()));
    }

    /// `Some(None)`: known not to be a member.
    pub(crate) fn member(&self, space: &SpaceId, user: &UserId) -> Option<Option<Member>> {
        self.maps()
            .members
            .get(&(space.clone(), user.clone()))
            .filter(|(_, at)| fresh(at))
            .map(|(m, _)| m.clone())
    }

    pub(crate) fn keep_member(
        &self,
        space: &SpaceId,
        user: &UserId,
        m: Option<&Member>,
        epoch: u64,
    ) {
        let mut maps = self.maps();
        if maps.epoch != epoch {
            return;
        }
        if maps.members.len() >= MAX_ENTRIES {
            maps.members.clear();
        }
        maps.members
            .insert((space.clone(), user.clone()), (m.cloned(), Instant::now()));
    }

    /// Applies a committed event; called by the log writer in commit order.
    pub(crate) fn apply(&self, e: &SpaceEvent) {
        let mut m = self.maps();
        let now = Instant::now();
        match &e.kind {
            SpaceEventKind::ChannelCreated(c) => {
                m.channels.insert(c.id.clone(), c.clone());
            }
            SpaceEventKind::SpaceUpdated(s) => {
                m.epoch += 1;
                m.spaces.insert(s.id.clone(), ((**s).clone(), now));
            }
            SpaceEventKind::MemberJoined(member) => {
                m.epoch += 1;
                m.members.insert(
                    (member.space.clone(), member.user.clone()),
                    (Some(member.clone()), now),
                );
            }
            SpaceEventKind::MemberLeft { member, .. } => {
                m.epoch += 1;
                m.members
                    .insert((member.space.clone(), member.user.clone()), (None, now));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spaces::model::SpaceRole;

    fn member(space: &SpaceId) -> Member {
        Member {
            space: space.clone(),
            user: UserId::generate(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role: SpaceRole::Student,
            school: None,
            joined_at: chrono::Utc::now(),
            added_by: None,
        }
    }

    #[test]
    fn a_read_that_raced_a_committed_change_is_not_kept() {
        let cache = SpaceCache::default();
        let space = SpaceId::generate();
        let m = member(&space);
        let epoch = cache.epoch();
        // The writer commits the removal while a reader still holds the old row.
        cache.apply(&SpaceEvent {
            space: space.clone(),
            seq: Some(2),
            at: chrono::Utc::now(),
            kind: SpaceEventKind::MemberLeft {
                member: m.clone(),
                by: None,
            },
            staff_only: false,
        });
        cache.keep_member(&space, &m.user, Some(&m), epoch);
        assert_eq!(cache.member(&space, &m.user), Some(None));
    }
}
