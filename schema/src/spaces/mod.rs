//! Twinning spaces: their types and mutations.

pub(crate) mod live;
pub(crate) mod reports;
pub(crate) mod roots;
pub(crate) mod types;
