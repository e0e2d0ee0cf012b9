//! The network: its countries, its schools and their lifecycle, their visit
//! cards with the files on them, and the twinnings between schools.

pub mod cards;
pub mod port;

pub mod model;
pub(crate) mod policy;
pub mod schools;
pub mod twinnings;
