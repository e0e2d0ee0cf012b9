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
