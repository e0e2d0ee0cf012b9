//! The live rooms' hub: the entries of every room with a subscriber in this
//! process, one bounded channel per room.

use std::sync::Arc;

use crate::events::room::ROOM_CHANNEL_CAPACITY;
use crate::events::room::model::LiveEntry;
use crate::kernel::id::EventId;
use crate::live::topics::{Listener, Topics};

/// Live entries of every room with at least one subscriber in this process.
#[derive(Clone)]
pub struct RoomHub {
    rooms: Topics<EventId, Arc<LiveEntry>>,
}

impl Default for RoomHub {
    fn default() -> Self {
        RoomHub {
            rooms: Topics::new(ROOM_CHANNEL_CAPACITY),
        }
    }
}

/// A subscriber to one room; dropping the last frees the room's channel.
pub struct RoomListener {
    listener: Listener<EventId, Arc<LiveEntry>>,
}

impl RoomHub {
    pub fn listen(&self, event: &EventId) -> RoomListener {
        RoomListener {
            listener: self.rooms.listen(event),
        }
    }

    pub(crate) fn publish(&self, entry: Arc<LiveEntry>) {
        let event = entry.event.clone();
        self.rooms.publish(&event, entry);
    }

    /// Rooms with at least one subscriber, for metrics and tests.
    pub fn live_rooms(&self) -> usize {
        self.rooms.len()
    }
}

impl RoomListener {
    /// The next entry, or `None` once the listener fell behind.
    pub(crate) async fn recv(&mut self) -> Option<Arc<LiveEntry>> {
        self.listener.recv().await.ok()
    }
}
