//! Live transport shared by the domains: what reaches one person's open
//! connections. Nothing here is durable.

pub mod hub;
