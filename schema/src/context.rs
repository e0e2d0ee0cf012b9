//! The one place resolvers read the request's context: the domain handle,
//! who asks (noted for [`crate::live`]'s shared renderings) and the request
//! facts.

use async_graphql::{Context, Result};

use crate::errors::GqlResult;

/// Who asks, if signed in. Every resolver reads the viewer here (or through
/// [`viewer`]): an answer that did not is the same for
/// everyone in the audience, and live events share it (see [`crate::live`]).
pub(crate) fn viewer_opt<'c>(ctx: &Context<'c>) -> Option<&'c app::Viewer> {
    crate::live::note_viewer_use(ctx);
    ctx.data_opt::<app::Viewer>()
}

/// The signed-in person, or `UNAUTHENTICATED`.
pub(crate) fn viewer<'c>(ctx: &Context<'c>) -> Result<&'c app::Viewer> {
    viewer_opt(ctx)
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

/// `NotFound` as null, for fields that are null when the asker may not see a thing.
pub(crate) fn or_none<T>(r: app::Result<T>) -> Result<Option<T>> {
    match r {
        Ok(t) => Ok(Some(t)),
        Err(app::Error::NotFound) => Ok(None),
        Err(e) => Err(e).gql(),
    }
}
