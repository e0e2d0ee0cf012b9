//! Notifications.

pub(crate) mod types;
