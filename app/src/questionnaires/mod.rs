//! Questionnaires: the project's pre- and post-questionnaires for schools,
//! teachers and students, in every language of the network.
//!
//! A questionnaire's definition is made of sections and questions, each
//! with a stable [`model::Code`]; every text is a [`model::Localized`]
//! string with a default language and a translation state per language.
//! Answers are stored as codes, independent of the language shown, and are
//! checked against the definition by [`answers::check`]: unknown or hidden
//! questions, options that do not exist, numbers out of range and missing
//! required answers are refused with a reason naming the question.

pub mod answers;
pub mod model;
pub mod templates;
