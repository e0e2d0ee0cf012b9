//! Root mutation fields. Each one calls exactly one `app` use case.

use async_graphql::{Context, ID, Object, Result};

use crate::errors::GqlResult;
use crate::query::{app, meta, viewer};
use crate::types::{GeneratedCredentials, Session, User};

pub struct Mutation;

#[Object]
impl Mutation {
    /// Signs in with an e-mail address or username. Repeated failures slow
    /// down and finally lock the account (`RATE_LIMITED`).
    async fn login(&self, ctx: &Context<'_>, login: String, password: String) -> Result<Session> {
        app(ctx)
            .login(&login, &password, &meta(ctx))
            .await
            .map(Session)
            .gql()
    }

    /// Ends this session; its open sockets close.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let v = viewer(ctx)?;
        app(ctx).logout(v).await.gql()?;
        Ok(true)
    }

    /// Changes your password. All your sessions end, on every device; the
    /// returned session replaces this one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<Session> {
        let v = viewer(ctx)?;
        app(ctx)
            .change_password(v, &current_password, &new_password, &meta(ctx))
            .await
            .map(Session)
            .gql()
    }

    /// Sets a new generated password for someone and lifts a sign-in lock
    /// (platform administrators). Their sessions end.
    async fn reset_password(&self, ctx: &Context<'_>, user_id: ID) -> Result<GeneratedCredentials> {
        let v = viewer(ctx)?;
        let id = app::UserId::parse(&user_id).gql()?;
        let c = app(ctx).reset_password(v, &id, &meta(ctx)).await.gql()?;
        Ok(GeneratedCredentials {
            login: c.login,
            password: c.password,
        })
    }

    /// Stops someone from signing in and ends their sessions (platform administrators).
    async fn deactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = app::UserId::parse(&id).gql()?;
        app(ctx)
            .deactivate_user(v, &id, &meta(ctx))
            .await
            .map(User)
            .gql()
    }

    /// Lets a deactivated person sign in again (platform administrators).
    async fn reactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = app::UserId::parse(&id).gql()?;
        app(ctx)
            .reactivate_user(v, &id, &meta(ctx))
            .await
            .map(User)
            .gql()
    }
}
