//! The leaf of the domain crate: errors, time, identifiers, parsed text and
//! paging, shared by every domain. Nothing here depends on the rest of the
//! crate.

pub mod audience;
pub mod blobs;
pub mod clock;
pub mod error;
pub mod id;
pub mod media;
pub mod media_metadata;
pub mod outbox;
pub mod paging;
pub mod secrets;
pub mod text;
