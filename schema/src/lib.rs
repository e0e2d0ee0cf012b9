//! The GraphQL API: the only crate that knows async-graphql.
//!
//! GraphQL types wrap the domain's types; resolvers parse input, call one
//! `app` method and wrap the result — they hold no business rules. Domain
//! errors become the stable `extensions.code` values in exactly one place,
//! [`errors`]. Transports (HTTP, WebSocket) live in `server`; they put the
//! caller's [`app::Viewer`] (if signed in) and [`app::RequestMeta`] into each
//! request's data.

mod accounts;
mod context;
mod errors;
mod events;
mod limits;
pub mod live;
mod materials;
mod mutation;
mod network;
mod notifications;
mod people;
mod query;
mod relay;
mod searching;
mod spaces;
mod subscription;

use async_graphql::Schema;

pub use errors::{ErrorCode, INTERNAL_MESSAGE, code_of, error_code, error_with_code};
pub use limits::{MAX_NESTING, nesting_ok};
pub use live::{Live, LiveCounts, LiveRequest};
pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

pub type LffSchema = Schema<Query, Mutation, Subscription>;

/// Limits on what one GraphQL document may ask for.
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_directives: usize,
    pub max_aliases: usize,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            max_depth: 12,
            max_complexity: 1000,
            max_directives: 5,
            max_aliases: 30,
        }
    }
}

/// Builds the executable schema around the domain handle.
pub fn build(app: app::App, options: &SchemaOptions) -> LffSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .data(app)
        .limit_depth(options.max_depth)
        .limit_complexity(options.max_complexity)
        .limit_directives(options.max_directives)
        // Suggestions ("did you mean …") would let anyone map the schema's
        // hidden corners cheaply; they are off for everyone.
        .disable_suggestions()
        .extension(limits::DocumentLimits {
            max_aliases: options.max_aliases,
            // Fragment chains are a form of depth: the same bound applies.
            max_fragment_depth: options.max_depth,
        })
        .extension(errors::ErrorCodes)
        .finish()
}

/// The schema in SDL, as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl()
}
