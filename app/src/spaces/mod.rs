//! Twinning spaces: the shared rooms of twinned schools, with their
//! members, channels and messages, the durable log every change is written
//! to, and the live hub that fans it out.

pub(crate) mod cache;
pub mod hub;
pub mod port;

pub mod log;
pub mod members;
pub mod messages;
pub mod model;
pub mod reports;

/// The spaces' use cases: spaces, members, channels, messages and their
/// log, over the spaces' port and state and the handles of the domains
/// below.
#[derive(Clone, Copy)]
pub struct Spaces<'a> {
    pub(crate) store: &'a dyn port::SpaceStore,
    pub(crate) state: &'a State,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) outbox: &'a crate::kernel::outbox::Doorbell,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
    pub(crate) notifications: crate::notifications::Notifications<'a>,
}

/// What the spaces keep in memory: the cache, the log writer, the live hub
/// and the typing throttle.
pub(crate) struct State {
    /// The port again, owned, for the log writer's task.
    pub(crate) store: std::sync::Arc<dyn port::SpaceStore>,
    /// Spaces, memberships and channels as last read or written.
    pub(crate) cache: std::sync::Arc<cache::SpaceCache>,
    /// The space log's writer task, started on first use (it needs a runtime).
    pub(crate) writer: std::sync::OnceLock<log::Writer>,
    pub(crate) hub: hub::SpaceHub,
    /// When each person last signalled typing in each channel, to throttle it.
    // A std mutex: look-ups and inserts only, never held across an await.
    pub(crate) typing: std::sync::Mutex<
        std::collections::HashMap<
            (crate::kernel::id::UserId, crate::kernel::id::ChannelId),
            chrono::DateTime<chrono::Utc>,
        >,
    >,
}

impl State {
    pub(crate) fn new(
        clock: std::sync::Arc<dyn crate::kernel::clock::Clock>,
        store: std::sync::Arc<dyn port::SpaceStore>,
    ) -> State {
        State {
            store,
            cache: Default::default(),
            writer: Default::default(),
            hub: hub::SpaceHub::new(clock),
            typing: Default::default(),
        }
    }
}
