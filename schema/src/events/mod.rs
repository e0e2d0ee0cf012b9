//! Scheduled events and their live rooms: types, queries and mutations.

pub(crate) mod room;
pub(crate) mod roots;
pub(crate) mod types;
