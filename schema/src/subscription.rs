//! Root subscription fields.

use async_graphql::{Context, Result, Subscription as GqlSubscription};
use futures::Stream;

use crate::errors::{ErrorCode, coded};
use crate::query::{app, viewer};
use crate::types::Notification;

pub struct Subscription;

#[GqlSubscription]
impl Subscription {
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
                        Err(app::hub::Missed) => {
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
