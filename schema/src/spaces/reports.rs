//! The mutation of a space's moderation queue (the reports themselves are
//! in `types`, as `Space.reports`).

use async_graphql::{Context, ID, Object, Result};

use crate::context::{UseCases, meta, viewer};
use crate::errors::GqlResult;
use crate::relay::parse_id;
use crate::spaces::types::{MessageReport, ReportDecision};

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Decides on a reported message (a teacher or lead of its space):
    /// hide it or leave it. Every open report of the same message closes
    /// with this decision, and each member who reported it is told, with
    /// your note if you give one (at most 500 characters).
    async fn resolve_message_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: ReportDecision,
        note: Option<String>,
    ) -> Result<MessageReport> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .resolve_report(
                v,
                &parse_id(&id)?,
                decision.into(),
                note.as_deref(),
                &meta(ctx),
            )
            .await
            .map(MessageReport)
            .gql()
    }
}
