//! Root query fields.

use async_graphql::{Context, ID, Object, Result};

use async_graphql::connection::Connection;

use crate::accounts::types::{AuditEntry, User};
use crate::context::{UseCases, app, or_none, viewer, viewer_opt};
use crate::errors::GqlResult;
use crate::materials::types::{Library, Material, ResumableUpload, library_of};
use crate::network::types::{Country, CountryOverview, School, SchoolStatus};
use crate::notifications::types::Notification;
use crate::people::types::{Invitation, InvitationPreview};
use crate::relay;
use crate::relay::connection;
use crate::relay::{known_id, parse_id};
use crate::searching::types::{SearchFilter, SearchHit, SearchResults, SearchSort};
use crate::spaces::types::{Channel, Message, Space, SpaceInvitation};

/// Totals of a notification list.
#[derive(async_graphql::SimpleObject)]
pub struct NotificationsInfo {
    /// Your unread notifications, all pages together.
    pub unread_count: u64,
}

/// Every root query: the network's, the spaces', the materials', search's
/// and the events'.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(CoreQuery, crate::events::roots::EventQuery);

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Searches materials, good practices, schools, spaces and messages in
    /// every language of the network, among what you may see: inflected
    /// forms, typos (1 from 5 letters, 2 from 9), the last word as a prefix,
    /// "quoted phrases", and Kazakh, Uzbek and Azerbaijani in either
    /// alphabet. An empty query lists everything the filter allows, newest
    /// first. Results go at most 1,000 deep.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<SearchFilter>,
        #[graphql(desc = "RELEVANCE when not given.")] sort: Option<SearchSort>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchResults> {
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let filter = filter.map(SearchFilter::into_app).unwrap_or_default();
        let p = ctx
            .searching()
            .search(
                viewer_opt(ctx),
                &query,
                filter,
                sort.unwrap_or_default().into(),
                &page,
            )
            .await
            .gql()?;
        Ok(SearchResults::new(p, has_previous))
    }

    /// The best few matches for what is being typed, the last word as a
    /// prefix: for search as you type.
    #[graphql(complexity = "first.max(0) as usize * child_complexity")]
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        #[graphql(default = 5)] first: i32,
    ) -> Result<Vec<SearchHit>> {
        let list = ctx
            .searching()
            .suggest(viewer_opt(ctx), &prefix, first.max(0) as usize)
            .await
            .gql()?;
        Ok(list.into_iter().map(SearchHit::from).collect())
    }

    /// A learning material or good practice you may read; null otherwise.
    async fn material(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Material>> {
        let Some(id) = known_id::<app::MaterialId>(&id) else {
            return Ok(None);
        };
        Ok(or_none(ctx.materials().material(viewer_opt(ctx), &id).await)?.map(Material))
    }

    /// A school's library (`schoolId`) or a space's (`spaceId`): its
    /// folders and the materials you may read. Null if you cannot see it.
    async fn library(
        &self,
        ctx: &Context<'_>,
        school_id: Option<ID>,
        space_id: Option<ID>,
    ) -> Result<Option<Library>> {
        // An id that is not one of ours names nothing: null, as for any id.
        let parsed = match (&school_id, &space_id) {
            (Some(s), None) => app::SchoolId::parse(s).map(app::Library::School),
            (None, Some(s)) => app::SpaceId::parse(s).map(app::Library::Space),
            _ => return library_of(school_id.as_ref(), space_id.as_ref()).map(|_| None),
        };
        let Ok(library) = parsed else {
            return Ok(None);
        };
        // Seeing the top folders is seeing the library.
        Ok(or_none(
            ctx.materials()
                .folders(viewer_opt(ctx), &library, None)
                .await,
        )?
        .map(|_| Library(library)))
    }

    /// One of your resumable uploads, with how much has arrived.
    async fn upload(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ResumableUpload>> {
        let v = viewer(ctx)?;
        let Some(id) = known_id::<app::UploadId>(&id) else {
            return Ok(None);
        };
        Ok(or_none(ctx.materials().upload(v, &id).await)?.map(ResumableUpload))
    }

    /// A twinning space you are in, look into, or may join; null otherwise.
    async fn space(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Space>> {
        let v = viewer(ctx)?;
        let Some(id) = known_id::<app::SpaceId>(&id) else {
            return Ok(None);
        };
        Ok(or_none(ctx.spaces().space(v, &id).await)?.map(Space))
    }

    /// The spaces you are a member of, newest first.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn my_spaces(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Space>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let p = ctx.spaces().my_spaces(v, &page).await.gql()?;
        Ok(connection(p, has_previous, Space))
    }

    /// One message, if you may read its channel; null otherwise.
    async fn message(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Message>> {
        let v = viewer(ctx)?;
        let Some(id) = known_id::<app::MessageId>(&id) else {
            return Ok(None);
        };
        Ok(or_none(ctx.spaces().message(v, &id).await)?.map(Message))
    }

    /// A channel of a space you take part in or oversee, to read and page
    /// its messages on their own; null when there is none you may read.
    async fn channel(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Channel>> {
        let v = viewer(ctx)?;
        let Some(id) = known_id::<app::ChannelId>(&id) else {
            return Ok(None);
        };
        Ok(or_none(ctx.spaces().channel(v, &id).await)?.map(Channel))
    }

    /// Spaces your school takes part in that you have not joined yet (for
    /// teachers and coordinators; `joinSpace` takes you in).
    async fn joinable_spaces(&self, ctx: &Context<'_>) -> Result<Vec<Space>> {
        let v = viewer(ctx)?;
        let list = ctx.spaces().joinable_spaces(v).await.gql()?;
        Ok(list.into_iter().map(Space).collect())
    }

    /// Open invitations into spaces that you may answer: to your school if
    /// you coordinate it, to you if you are a mentor.
    async fn my_space_invitations(&self, ctx: &Context<'_>) -> Result<Vec<SpaceInvitation>> {
        let v = viewer(ctx)?;
        let list = ctx.spaces().my_space_invitations(v).await.gql()?;
        Ok(list.into_iter().map(SpaceInvitation).collect())
    }

    /// Your notifications, newest first, with how many are unread.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Notification, NotificationsInfo>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let unread = ctx
            .notifications()
            .unread_notification_count(&v.user.id)
            .await
            .gql()?;
        let p = ctx
            .notifications()
            .my_notifications(&v.user.id, &page)
            .await
            .gql()?;
        let mut c = Connection::with_additional_fields(
            has_previous,
            p.has_next,
            NotificationsInfo {
                unread_count: unread,
            },
        );
        c.edges.extend(
            p.items
                .into_iter()
                .map(|(k, n)| async_graphql::connection::Edge::new(k, Notification::from(n))),
        );
        Ok(c)
    }

    /// The signed-in person; null when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> Option<User> {
        crate::context::viewer_opt(ctx).map(|v| User::from(v.user.clone()))
    }

    /// A person, as far as the caller may see them.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let v = viewer(ctx)?;
        let id = parse_id::<app::UserId>(&id)?;
        ctx.people().user(v, &id).await.map(User::from).gql()
    }

    /// The audit trail, newest first: platform administrators read all of
    /// it (or one country's), national coordinators their country's.
    /// `action` keeps one kind of act (such as `approve_school`).
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        country: Option<String>,
        action: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AuditEntry>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = crate::relay::page(first, after.as_deref())?;
        let entries = ctx
            .accounts()
            .audit_trail(v, country.as_deref(), action.as_deref(), &page)
            .await
            .gql()?;
        Ok(crate::relay::connection(entries, has_previous, AuditEntry))
    }

    /// The countries of the network with their numbers of approved schools.
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<Country>> {
        let list = ctx.network().countries().await.gql()?;
        Ok(list
            .into_iter()
            .map(|(c, n)| Country {
                country: c,
                school_count: Some(n),
            })
            .collect())
    }

    /// One country by its ISO 3166-1 alpha-2 code; null if unknown.
    async fn country(&self, ctx: &Context<'_>, code: String) -> Result<Option<Country>> {
        match ctx.network().country(&code).await {
            Ok(c) => Ok(Some(Country {
                country: c,
                school_count: None,
            })),
            Err(app::Error::NotFound) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// The school directory, by name: approved schools for the network
    /// (anonymous visitors: those with a public visit card), and every school
    /// of their country for a national coordinator. Filter by country (ISO
    /// code), status and language of instruction.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn schools(
        &self,
        ctx: &Context<'_>,
        country: Option<String>,
        status: Option<SchoolStatus>,
        language: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, School>> {
        crate::network::types::school_page(ctx, country.as_deref(), status, language, first, after)
            .await
    }

    /// A school, if the caller may see it; null otherwise.
    async fn school(&self, ctx: &Context<'_>, id: ID) -> Result<Option<School>> {
        let Some(id) = known_id::<app::SchoolId>(&id) else {
            return Ok(None);
        };
        match ctx.network().school(viewer_opt(ctx), &id).await {
            Ok(s) => Ok(Some(School(s))),
            Err(app::Error::NotFound) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// A national coordinator's overview of their country (administrators: any).
    async fn country_overview(&self, ctx: &Context<'_>, code: String) -> Result<CountryOverview> {
        let v = viewer(ctx)?;
        ctx.network()
            .country_overview(v, &code)
            .await
            .map(Into::into)
            .gql()
    }

    /// What an invitation code offers; null when it is unknown, used,
    /// withdrawn or expired. Needs no sign-in: the code is the key.
    async fn invitation(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> Result<Option<InvitationPreview>> {
        let inv = match ctx.people().invitation_by_code(&code).await {
            Ok(i) => i,
            Err(app::Error::NotFound) => return Ok(None),
            Err(e) => return Err(e).gql(),
        };
        let school_name = match &inv.school {
            Some(id) => ctx.people().school_name_for_invitation(id).await.gql()?,
            None => None,
        };
        Ok(Some(InvitationPreview {
            role: inv.role.into(),
            display_name: inv.display_name.as_str().to_owned(),
            school_id: inv.school.map(|s| ID(s.to_string())),
            school_name,
            country_code: inv.country.map(|c| c.as_str().to_owned()),
            expires_at: inv.expires_at,
        }))
    }

    /// The invitations you sent, newest first.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn my_invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Invitation>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let p = ctx.people().my_invitations(v, &page).await.gql()?;
        let now = app(ctx).now();
        Ok(connection(p, has_previous, |i| Invitation::new(i, now)))
    }

    /// The network's mentors (UNESCO Chair holders), by name.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn mentors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, User>> {
        let v = viewer(ctx)?;
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let p = ctx.people().mentors(v, &page).await.gql()?;
        Ok(connection(p, has_previous, User::from))
    }
}
