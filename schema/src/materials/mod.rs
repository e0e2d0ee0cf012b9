//! Learning materials: their types and mutations.

pub(crate) mod roots;
pub(crate) mod types;
