//! People: invitations and new students (their queries and mutations are
//! with the network's).

pub(crate) mod types;
