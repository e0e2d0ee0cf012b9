//! Search: its results and facets.

pub(crate) mod types;
