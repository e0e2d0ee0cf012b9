//! Root mutations of twinning spaces. Each calls exactly one `app` use case.

use async_graphql::{Context, ID, Object, Result};

use crate::context::{UseCases, meta, viewer};
use crate::errors::GqlResult;
use crate::relay::parse_id;
use crate::relay::parse_id_of;
use crate::spaces::types::{
    Channel, CreateSpaceInput, Message, Space, SpaceInvitation, SpaceMember,
};

#[derive(Default)]
pub struct SpaceMutation;

#[Object]
impl SpaceMutation {
    /// Opens a twinning space for your school (teachers and school
    /// coordinators of approved schools). It starts with the channels
    /// `general` and `teachers` (the teachers' bulletin), and you as lead.
    async fn create_space(&self, ctx: &Context<'_>, input: CreateSpaceInput) -> Result<Space> {
        let v = viewer(ctx)?;
        let details = input.parse().gql()?;
        ctx.spaces()
            .create_space(v, details, &meta(ctx))
            .await
            .map(Space)
            .gql()
    }

    /// Changes what a space is about (its leads).
    async fn update_space(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CreateSpaceInput,
    ) -> Result<Space> {
        let v = viewer(ctx)?;
        let details = input.parse().gql()?;
        ctx.spaces()
            .update_space(v, &parse_id(&id)?, details, &meta(ctx))
            .await
            .map(Space)
            .gql()
    }

    /// Archives a space, which makes it read-only, or opens it again (its
    /// leads and administrators).
    async fn archive_space(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] archived: bool,
    ) -> Result<Space> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .archive_space(v, &parse_id(&id)?, archived, &meta(ctx))
            .await
            .map(Space)
            .gql()
    }

    /// Invites an approved school into a space (its leads); the school's
    /// coordinators are notified and answer.
    async fn invite_school_to_space(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        school_id: ID,
    ) -> Result<SpaceInvitation> {
        let v = viewer(ctx)?;
        let school = parse_id_of::<app::SchoolId>(&school_id, "schoolId", "no such school")?;
        ctx.spaces()
            .invite_to_space(
                v,
                &parse_id(&space_id)?,
                app::Invitee::School(school),
                &meta(ctx),
            )
            .await
            .map(SpaceInvitation)
            .gql()
    }

    /// Invites a mentor into a space (its leads); the mentor is notified and answers.
    async fn invite_mentor_to_space(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        mentor_id: ID,
    ) -> Result<SpaceInvitation> {
        let v = viewer(ctx)?;
        let mentor = parse_id_of::<app::UserId>(&mentor_id, "mentorId", "no such mentor")?;
        ctx.spaces()
            .invite_to_space(
                v,
                &parse_id(&space_id)?,
                app::Invitee::Mentor(mentor),
                &meta(ctx),
            )
            .await
            .map(SpaceInvitation)
            .gql()
    }

    /// Accepts an invitation: the invited school's coordinator (who joins
    /// as a teacher) or the invited mentor.
    async fn accept_space_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<SpaceInvitation> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .answer_space_invitation(v, &parse_id(&id)?, true, &meta(ctx))
            .await
            .map(SpaceInvitation)
            .gql()
    }

    /// Declines an invitation: the invited school's coordinator or the invited mentor.
    async fn decline_space_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<SpaceInvitation> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .answer_space_invitation(v, &parse_id(&id)?, false, &meta(ctx))
            .await
            .map(SpaceInvitation)
            .gql()
    }

    /// Joins a space your school is in, as a teacher (lead for the school
    /// that opened it).
    async fn join_space(&self, ctx: &Context<'_>, space_id: ID) -> Result<SpaceMember> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .join_space(v, &parse_id(&space_id)?, &meta(ctx))
            .await
            .map(SpaceMember)
            .gql()
    }

    /// Adds students of your own school to a space you teach in (1–200 at a
    /// time); returns those newly added.
    async fn add_space_students(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        student_ids: Vec<ID>,
    ) -> Result<Vec<SpaceMember>> {
        let v = viewer(ctx)?;
        let ids = student_ids
            .iter()
            .map(|i| {
                app::UserId::parse(i)
                    .map_err(|_| app::Error::invalid("studentIds", "no such student"))
            })
            .collect::<app::Result<Vec<_>>>()
            .gql()?;
        let added = ctx
            .spaces()
            .add_space_students(v, &parse_id(&space_id)?, &ids, &meta(ctx))
            .await
            .gql()?;
        Ok(added.into_iter().map(SpaceMember).collect())
    }

    /// Removes a member: pass your own id to leave. Leads remove anyone;
    /// teachers remove students of their own school.
    async fn remove_space_member(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        user_id: ID,
    ) -> Result<SpaceMember> {
        let v = viewer(ctx)?;
        let user = parse_id_of::<app::UserId>(&user_id, "userId", "not a member of this space")?;
        ctx.spaces()
            .remove_space_member(v, &parse_id(&space_id)?, &user, &meta(ctx))
            .await
            .map(SpaceMember)
            .gql()
    }

    /// Adds a channel every member reads (the space's teachers). Names are
    /// 1–40 letters, digits, dashes or underscores.
    async fn create_channel(
        &self,
        ctx: &Context<'_>,
        space_id: ID,
        name: String,
        topic: Option<String>,
    ) -> Result<Channel> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .create_channel(
                v,
                &parse_id(&space_id)?,
                &name,
                topic.as_deref(),
                &meta(ctx),
            )
            .await
            .map(Channel)
            .gql()
    }

    /// Posts a message (Markdown, up to 10,000 characters), or an answer in
    /// the thread of `replyTo`. `@username` notifies that member.
    async fn post_message(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        body: String,
        reply_to: Option<ID>,
    ) -> Result<Message> {
        let v = viewer(ctx)?;
        let reply_to = reply_to
            .map(|r| {
                app::MessageId::parse(&r)
                    .map_err(|_| app::Error::invalid("replyTo", "no such message in this channel"))
            })
            .transpose()
            .gql()?;
        ctx.spaces()
            .post_message(v, &parse_id(&channel_id)?, &body, reply_to.as_ref())
            .await
            .map(Message)
            .gql()
    }

    /// Changes the text of your own message; earlier versions are kept.
    async fn edit_message(&self, ctx: &Context<'_>, id: ID, body: String) -> Result<Message> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .edit_message(v, &parse_id(&id)?, &body)
            .await
            .map(Message)
            .gql()
    }

    /// Deletes a message (yours, or any as the space's teacher), leaving a tombstone.
    async fn delete_message(&self, ctx: &Context<'_>, id: ID) -> Result<Message> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .delete_message(v, &parse_id(&id)?, &meta(ctx))
            .await
            .map(Message)
            .gql()
    }

    /// Hides a message from students, with a reason (the space's teachers).
    async fn hide_message(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Message> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .hide_message(v, &parse_id(&id)?, Some(&reason), &meta(ctx))
            .await
            .map(Message)
            .gql()
    }

    /// Shows a hidden message to students again (the space's teachers).
    async fn unhide_message(&self, ctx: &Context<'_>, id: ID) -> Result<Message> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .hide_message(v, &parse_id(&id)?, None, &meta(ctx))
            .await
            .map(Message)
            .gql()
    }

    /// Reports a message to the space's teachers.
    async fn report_message(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .report_message(v, &parse_id(&id)?, &reason)
            .await
            .gql()?;
        Ok(true)
    }

    /// Adds (`on: true`) or takes back your reaction to a message.
    async fn set_reaction(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
        emoji: String,
        #[graphql(default = true)] on: bool,
    ) -> Result<Message> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .set_reaction(v, &parse_id(&message_id)?, &emoji, on)
            .await
            .map(Message)
            .gql()
    }

    /// Tells the channel you are typing; send it every few seconds while
    /// you type. Others get at most one `Typing` event per 3 seconds.
    async fn report_typing(&self, ctx: &Context<'_>, channel_id: ID) -> Result<bool> {
        let v = viewer(ctx)?;
        ctx.spaces()
            .report_typing(v, &parse_id(&channel_id)?)
            .await
            .gql()?;
        Ok(true)
    }

    /// Marks a channel read up to a message's `cursor` (by default, all of it).
    async fn mark_channel_read(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        up_to: Option<String>,
    ) -> Result<bool> {
        let v = viewer(ctx)?;
        let up_to = up_to
            .as_deref()
            .map(app::parse_seq_cursor)
            .transpose()
            .gql()?;
        ctx.spaces()
            .mark_channel_read(v, &parse_id(&channel_id)?, up_to)
            .await
            .gql()?;
        Ok(true)
    }

    /// Marks these notifications read (all of yours without `ids`); returns
    /// how many remain unread.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<ID>>,
    ) -> Result<u64> {
        let v = viewer(ctx)?;
        let ids = ids
            .map(|list| {
                list.iter()
                    .map(|i| app::NotificationId::parse(i))
                    .collect::<app::Result<Vec<_>>>()
            })
            .transpose()
            .gql()?;
        let notifications = ctx.notifications();
        notifications
            .mark_notifications_read(&v.user.id, ids.as_deref())
            .await
            .gql()?;
        notifications
            .unread_notification_count(&v.user.id)
            .await
            .gql()
    }
}
