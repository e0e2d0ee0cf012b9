//! Root subscription fields.

use async_graphql::ID;
use async_graphql::{Context, Result, Subscription as GqlSubscription};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

use crate::context::{UseCases, app, viewer};
use crate::errors::{ErrorCode, GqlResult, coded};
use crate::events::room::LiveEvent;
use crate::live::OneEvent;
use crate::notifications::types::Notification;
use crate::relay::parse_id;
use crate::spaces::live::SpaceEvent;

pub struct Subscription;

#[GqlSubscription]
impl Subscription {
    /// What happens in a space, live: with `after` (a `cursor` of an event,
    /// or of `Space.cursor`) first everything after it that you missed,
    /// then live events, in order, each once. A cursor older than the
    /// server keeps, or a client that falls too far behind, gets one
    /// `RESYNC_REQUIRED` error and the stream ends: reload, then resume.
    /// Your stream ends after the event that removes you from the space.
    async fn space_events(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        after: Option<String>,
    ) -> Result<BoxStream<'static, Result<SpaceEvent>>> {
        if let Some(one) = ctx.data_opt::<OneEvent<app::SpaceEvent>>() {
            // A transport renders an event it already has (see `live`).
            let item = one.take();
            return Ok(futures::stream::iter(item)
                .map(|r| r.map(SpaceEvent::from).gql())
                .boxed());
        }
        let v = viewer(ctx)?;
        let id = parse_id::<app::SpaceId>(&space_id)?;
        let stream = ctx
            .spaces()
            .space_events(v, &id, after.as_deref())
            .await
            .map_err(|e| match e {
                // Seeing the space but not its talk reads as not found.
                app::Error::Forbidden => app::Error::NotFound,
                e => e,
            })
            .gql()?;
        Ok(stream.map(|r| r.map(SpaceEvent::from).gql()).boxed())
    }

    /// The live room of an event: with `after` (a `cursor` of an entry, or
    /// `Event.live.head`) first everything after it that you missed, then
    /// live entries, in order, each once. A client that falls too far
    /// behind gets one `RESYNC_REQUIRED` error and the stream ends: reload
    /// `Event.live`, then resume. While you listen as a participant you
    /// count as present (attendance).
    async fn event_live(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        after: Option<String>,
    ) -> Result<BoxStream<'static, Result<LiveEvent>>> {
        if let Some(one) = ctx.data_opt::<OneEvent<app::LiveEntry>>() {
            // A transport renders an entry it already has (see `live`).
            let item = one.take();
            return Ok(futures::stream::iter(item)
                .map(|r| r.map(LiveEvent).gql())
                .boxed());
        }
        let v = viewer(ctx)?;
        let id = parse_id::<app::EventId>(&event_id)?;
        let stream = ctx
            .events()
            .event_live(v, &id, after.as_deref())
            .await
            .gql()?;
        Ok(stream.map(|r| r.map(LiveEvent).gql()).boxed())
    }

    /// Notices for the signed-in person, live. A client that falls too far
    /// behind gets one `RESYNC_REQUIRED` error and the stream ends.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<Notification>> + use<>> {
        let v = viewer(ctx)?;
        let listener = app(ctx).hub().listen(&v.user.id);
        Ok(futures::stream::unfold(
            Some(listener),
            |state| async move {
                let mut listener = state?;
                loop {
                    match listener.recv().await {
                        Ok(app::UserSignal::Notification(n)) => {
                            return Some((Ok(Notification::from(n)), Some(listener)));
                        }
                        Ok(app::UserSignal::SessionsRevoked(_)) => continue,
                        Err(app::Missed) => {
                            let e = coded(
                                ErrorCode::ResyncRequired,
                                "notifications were missed; reload them",
                            );
                            return Some((Err(e), None));
                        }
                    }
                }
            },
        ))
    }
}
