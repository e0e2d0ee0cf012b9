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

/// The domains' handles for this request: `ctx.spaces().post_message(…)`.
pub(crate) trait UseCases<'c> {
    fn accounts(&self) -> app::accounts::Accounts<'c>;
    fn notifications(&self) -> app::notifications::Notifications<'c>;
    fn network(&self) -> app::network::Network<'c>;
    fn people(&self) -> app::people::People<'c>;
    fn spaces(&self) -> app::spaces::Spaces<'c>;
    fn materials(&self) -> app::materials::Materials<'c>;
    fn events(&self) -> app::events::Events<'c>;
    fn searching(&self) -> app::searching::Searching<'c>;
}

impl<'c> UseCases<'c> for Context<'c> {
    fn accounts(&self) -> app::accounts::Accounts<'c> {
        app(self).accounts()
    }
    fn notifications(&self) -> app::notifications::Notifications<'c> {
        app(self).notifications()
    }
    fn network(&self) -> app::network::Network<'c> {
        app(self).network()
    }
    fn people(&self) -> app::people::People<'c> {
        app(self).people()
    }
    fn spaces(&self) -> app::spaces::Spaces<'c> {
        app(self).spaces()
    }
    fn materials(&self) -> app::materials::Materials<'c> {
        app(self).materials()
    }
    fn events(&self) -> app::events::Events<'c> {
        app(self).events()
    }
    fn searching(&self) -> app::searching::Searching<'c> {
        app(self).searching()
    }
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
