//! The network: countries, schools, visit cards and twinnings, and the
//! mutations of accounts, people and schools.

pub(crate) mod roots;
pub(crate) mod types;
