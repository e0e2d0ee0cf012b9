//! The ports: what the domain needs from its backends, each declared in the
//! `port` module of the domain that uses it and named here together.
//!
//! `store` implements [`Repository`] (SurrealDB, one `impl` per domain in
//! its file of the same name) and [`ObjectStorage`] (object_store);
//! `search` implements [`SearchIndex`]; `server` implements [`Previewer`]
//! (worker processes). The domain never names a backend
//! technology. Errors come back as [`crate::Error`], with backend
//! details only inside [`crate::Error::Internal`].

use async_trait::async_trait;

pub use crate::accounts::port::AccountStore;
pub use crate::events::port::EventStore;
pub use crate::kernel::blobs::{BlobInfo, BlobWriter, ByteStream, ObjectStorage};
use crate::kernel::error::Result;
pub use crate::materials::port::{MaterialStore, Previewer};
pub use crate::network::port::NetworkStore;
pub use crate::notifications::port::NotificationStore;
pub use crate::people::port::PeopleStore;
pub use crate::searching::port::{OutboxEntry, SearchIndex, SearchSource, SearchTable};
pub use crate::spaces::port::{LogEntry, SpaceLogPage, SpaceStore};

/// Everything the domain needs of the database: one port per domain,
/// implemented together by the store, plus a health check.
#[async_trait]
pub trait Repository:
    AccountStore
    + PeopleStore
    + NetworkStore
    + NotificationStore
    + SpaceStore
    + MaterialStore
    + EventStore
    + SearchSource
    + Send
    + Sync
    + 'static
{
    /// A cheap round trip proving the database answers.
    async fn ping(&self) -> Result<()>;
}
