//! Accounts and people: who someone is and how they signed in.

pub(crate) mod types;
