//! Root query fields.

use async_graphql::{Context, ID, Object, Result};

use crate::errors::GqlResult;
use crate::types::{AuditEntry, User};

pub struct Query;

/// The signed-in person, or `UNAUTHENTICATED`.
pub(crate) fn viewer<'c>(ctx: &Context<'c>) -> Result<&'c app::Viewer> {
    ctx.data_opt::<app::Viewer>()
        .ok_or(app::Error::Unauthenticated("sign in first"))
        .gql()
}

pub(crate) fn app<'c>(ctx: &Context<'c>) -> &'c app::App {
    ctx.data_unchecked::<app::App>()
}

pub(crate) fn meta(ctx: &Context<'_>) -> app::RequestMeta {
    ctx.data_opt::<app::RequestMeta>()
        .cloned()
        .unwrap_or_default()
}

#[Object]
impl Query {
    /// The signed-in person; null when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> Option<User> {
        ctx.data_opt::<app::Viewer>().map(|v| User(v.user.clone()))
    }

    /// A person, as far as the caller may see them.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = app::UserId::parse(&id).gql()?;
        app(ctx).user(v, &id).await.map(User).gql()
    }

    /// The newest entries of the audit trail (platform administrators only).
    #[graphql(complexity = "last.max(0) as usize * child_complexity")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] last: i32,
    ) -> Result<Vec<AuditEntry>> {
        let v = viewer(ctx)?;
        let entries = app(ctx).audit_trail(v, last as u32).await.gql()?;
        Ok(entries.into_iter().map(AuditEntry::from).collect())
    }
}
