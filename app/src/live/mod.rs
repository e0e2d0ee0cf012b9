//! Live transport shared by the domains: keyed broadcast channels, presence
//! with a grace period, what reaches one person's open connections, and the
//! writer task and follower position every durable live log uses. Nothing
//! here is durable itself.

pub mod hub;
pub(crate) mod log;
pub mod presence;
pub mod topics;

/// Jobs a log writer (a space's log, a live room's) commits together at
/// most: one database transaction serves them all.
pub const MAX_BATCH: usize = 256;
/// Jobs waiting for a log writer at most; writers wait beyond that.
pub const QUEUE: usize = 4096;
/// Entries read from a log per round trip when replaying.
pub const REPLAY_PAGE: usize = 256;
